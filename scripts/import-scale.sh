#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Import at scale (issue 11): generates Snabb-shaped binding tables
# (build/selftests/gentable: consecutive addresses from 193.5.1.100, 64 PSIDs
# each, one BR fc00::100, a B4 per softwire) and measures, with
# /usr/bin/time -v, `lw4o6 softwire import` against an lwAFTR loaded in a
# throwaway network namespace with its own bpffs (as selftests/netns does).
# Not part of `make test`: it writes gigabytes and takes minutes.
#
# Usage: scripts/import-scale.sh [SIZE...]
#   SIZE: 1m, 10m, or a number of addresses (x 64 softwires); default "1m 10m"
#   FORMATS="snabb json br-instances"   which formats to generate and import
#   ROUNDS=1      rounds of each measurement (the machine is shared: take medians)
#   MAX_SOFTWIRES=16777216   the binding table's capacity (load aftr --max-softwires)
#   DRY=auto      auto: --dry-run when the table exceeds the binding map's
#                 capacity, full import otherwise; 1: always --dry-run; 0: never
#   INTERLEAVE=0  1: PSID-major order (an unsorted table, like an export)
#   KEEP=0        1: keep the generated files (in $OUT)
#   OUT=/tmp/lw4o6-scale   where the tables go
# Prints one line per run: size format mode seconds peak-RSS exit-status.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LW4O6=${LW4O6:-$BUILD/lw4o6}
GEN=${GEN:-$BUILD/selftests/gentable}
FORMATS=${FORMATS:-snabb json br-instances}
ROUNDS=${ROUNDS:-1}
DRY=${DRY:-auto}
INTERLEAVE=${INTERLEAVE:-0}
KEEP=${KEEP:-0}
OUT=${OUT:-/tmp/lw4o6-scale}
SIZES=${*:-1m 10m}

[ "$(id -u)" -eq 0 ] || { echo "import-scale: needs root (netns, bpffs)" >&2; exit 1; }
if [ ! -x "$LW4O6" ] || [ ! -x "$GEN" ]; then
	echo "import-scale: run 'make' first" >&2
	exit 1
fi
[ -x /usr/bin/time ] || { echo "import-scale: needs /usr/bin/time (Debian package time)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-scale-$$.XXXX") || exit 1
NS=lw4o6-scale-$$
PIN_ROOT=$T/bpffs/lw4o6

teardown()
{
	ip netns del "$NS" 2>/dev/null
	grep -q " $T/bpffs " /proc/mounts && umount "$T/bpffs"
	rm -rf "$T"
	[ "$KEEP" = 1 ] || rm -rf "$OUT"
}
trap teardown EXIT
trap 'exit 130' INT TERM

in_ns()
{
	nsenter --net="/run/netns/$NS" -- "$@"
}

mkdir -p "$T/bpffs" "$OUT"
mount -t bpf bpf "$T/bpffs" || exit 1
ip netns add "$NS" || exit 1
ip -n "$NS" link add acc type veth peer name wan || exit 1
ip -n "$NS" link set acc up && ip -n "$NS" link set wan up || exit 1
printf '{"binding-table":{"binding-entry":[]}}\n' >"$T/empty.json"
in_ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
in_ns "$LW4O6" --pin-root "$PIN_ROOT" load aftr --ipv6-dev acc --ipv4-dev wan \
	--config "$T/empty.json" --max-softwires "${MAX_SOFTWIRES:-16777216}" >/dev/null || exit 1
CAPACITY=$(in_ns "$LW4O6" --pin-root "$PIN_ROOT" status --json | jq -r '.capacity["max-softwires"]')
echo "# binding map capacity ${CAPACITY:-unknown}; $(nproc) CPUs; $(uname -r)"
printf '# %-8s %-13s %-8s %8s %10s %s\n' size format mode seconds peak-MiB status

addresses_of()
{
	case $1 in
	1m) echo 15625 ;;
	10m) echo 156250 ;;
	*) echo "$1" ;;
	esac
}

# measure SIZE FORMAT FILE N: one import (or dry run), printed as one line
measure()
{
	local size=$1 fmt=$2 file=$3 n=$4 mode=import args=() rc secs kb

	if [ "$DRY" = 1 ] || { [ "$DRY" = auto ] && [ -n "${CAPACITY:-}" ] && [ "$n" -gt "$CAPACITY" ]; }; then
		mode=dry-run
		args=(--dry-run)
	fi
	in_ns /usr/bin/time -v -o "$T/time" "$LW4O6" --pin-root "$PIN_ROOT" softwire import \
		"${args[@]}" --replace "$file" >"$T/out" 2>"$T/err"
	rc=$?
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
	printf '  %-8s %-13s %-8s %8.2f %10.1f %s\n' "$size" "$fmt" "$mode" "$secs" \
		"$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$rc"
	[ "$rc" -eq 0 ] || sed 's/^/    /' "$T/err" | head -3
	sed 's/^/    /' "$T/out" | head -3
}

order=()
suffix=
if [ "$INTERLEAVE" = 1 ]; then
	order=(--interleave)
	suffix=-interleaved
fi

for size in $SIZES; do
	addrs=$(addresses_of "$size")
	n=$((addrs * 64))
	for fmt in $FORMATS; do
		ext=conf
		[ "$fmt" = snabb ] || ext=json
		file=$OUT/$size-$fmt$suffix.$ext
		[ -s "$file" ] || "$GEN" --format "$fmt" --addresses "$addrs" "${order[@]}" \
			-o "$file" || exit 1
		for _ in $(seq "$ROUNDS"); do
			measure "$size" "$fmt" "$file" "$n"
		done
		[ "$KEEP" = 1 ] || rm -f "$file"
	done
done
