#!/usr/bin/env bash
# Runs every cmocka binary given and closes with the one summary line.
# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..." per
# binary; a binary that crashes counts as one failure.
set -u
layer=${LAYER:-unit}
passed=0 failed=0 skipped=0
for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	skipped=$((skipped + ${s:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "${f:-}" ]; then
		echo "$layer: $bin exited with status $rc without a cmocka failure count"
		failed=$((failed + 1))
	fi
done
echo "$layer: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
