#!/usr/bin/env bash
# `make test`: every layer in turn, then one closing line that adds them up.
# Each layer prints its own "<layer>: N passed, N failed, N skipped" line.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
layers="lint unit san prog prog-b4 mutate conformance netns fuzz"
nlayers=9
for layer in $layers; do
	echo "=== $layer"
	make --no-print-directory -s "$layer" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
read -r p f s < <(sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" |
	awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
layers=$(grep -c '^[a-z0-9-]*: [0-9]* passed, [0-9]* failed, [0-9]* skipped$' "$log")
if [ "$layers" -lt "$nlayers" ]; then
	echo "test: only $layers of $nlayers layers printed a summary line"
	f=$((f + 1))
	status=1
fi
echo
echo "$p passed, $f failed, $s skipped"
[ "$status" -eq 0 ] && [ "$f" -eq 0 ]
