#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# `lw4o6 softwire import` is all or nothing (issue 11), sourced by run.sh;
# run directly for these tests only. On run.sh's topology with one softwire
# (b4tun's), tables made by build/selftests/gentable:
#   a table whose last entry repeats its first, in JSON and in Snabb's
#   syntax, with and without --replace: refused, naming that entry, and the
#   installed table is as before (traffic still flows);
#   a good table: --dry-run reports it and changes nothing, the import adds
#   it, and importing it again is refused (every entry is bound);
#   a table one address (64 softwires) over the binding table's capacity:
#   refused before anything is written, with and without --replace.

IMPORT_TESTS="
import_all_or_nothing
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $IMPORT_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$IMPORT_TESTS

TEST_IDS+=(
	[import_all_or_nothing]="softwire import: validation before any write, capacity (issue 11)"
)

GENTABLE=$BUILD/selftests/gentable

# over_capacity_table FILE WHAT: FILE gets a table one address (64
# softwires) over the loaded lwAFTR's capacity, which goes to $cap; 1 when
# the capacity is too large to fill here (logged: WHAT is not checked).
over_capacity_table()
{
	cap=$(aftr_lw4o6 status --json | jq -r '.capacity["max-softwires"]')
	log "binding table capacity: ${cap:-unknown}"
	case $cap in '' | null | *[!0-9]*) fail "status --json gives no capacity ('$cap')" ;; esac
	if [ "$cap" -gt 4194304 ]; then
		log "capacity $cap too large to fill here: $2 is not checked"
		return 1
	fi
	check_run "$GENTABLE" --format json --ipv4 10.0.0.0 --addresses $((cap / 64 + 1)) \
		--br "$BR_IPV6" -o "$1"
}
IMPORT_POOL_ADDR=192.0.2.100 # two addresses of the pool, 64 softwires each

sw_count()
{
	aftr_lw4o6 status --json | jq -r .softwires
}

# expect_refused MESSAGE ARGS...: `softwire import ARGS` fails saying MESSAGE
# and leaves the number of softwires as it was.
expect_refused()
{
	local what=$1 before after out

	shift
	before=$(sw_count)
	if out=$(aftr_lw4o6 softwire import "$@" 2>&1); then
		fail "softwire import $* succeeded: $out"
	fi
	log "softwire import $*: $out"
	grep -qF -- "$what" <<<"$out" || fail "softwire import $*: the message does not say '$what'"
	after=$(sw_count)
	[ "$after" = "$before" ] ||
		fail "softwire import $* was refused but changed the table: $before softwires before, $after after"
}

import_all_or_nothing()
{
	local cap out

	[ -x "$GENTABLE" ] || skip "missing $GENTABLE (make)"
	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"

	check_run "$GENTABLE" --format json --ipv4 "$IMPORT_POOL_ADDR" --addresses 2 --br "$BR_IPV6" \
		--bad-last -o "$T/bad.json"
	check_run "$GENTABLE" --format snabb --ipv4 "$IMPORT_POOL_ADDR" --addresses 2 --br "$BR_IPV6" \
		--bad-last -o "$T/bad.conf"
	expect_refused "bad.json: binding-entry[128]: duplicate softwire ipv4 $IMPORT_POOL_ADDR psid 0 (already at binding-entry[0])" \
		"$T/bad.json"
	expect_refused "binding-entry[128]: duplicate" "$T/bad.json" --replace
	# two header lines, nine a softwire: the 129th starts on line 1155
	expect_refused "bad.conf:1155: duplicate softwire ipv4 $IMPORT_POOL_ADDR psid 0 (already at $T/bad.conf:3)" \
		"$T/bad.conf" --replace
	ping_ttl63 "$NS_B4" "$INET4"

	check_run "$GENTABLE" --format json --ipv4 "$IMPORT_POOL_ADDR" --addresses 2 --br "$BR_IPV6" \
		-o "$T/good.json"
	out=$(check_out aftr_lw4o6 softwire import --dry-run "$T/good.json") || exit 1
	printf '%s\n' "$out"
	grep -q "^dry run: 128 softwires, 1 BR addresses read and checked in" <<<"$out" ||
		fail "the dry run does not report 128 softwires"
	grep -q "^dry run: they fit the loaded lwAFTR; nothing was changed" <<<"$out" ||
		fail "the dry run does not say that the table fits"
	[ "$(sw_count)" = 1 ] || fail "the dry run changed the table"
	check_run aftr_lw4o6 softwire import "$T/good.json"
	[ "$(sw_count)" = 129 ] || fail "after the import: $(sw_count) softwires, expected 129"
	expect_refused "$IMPORT_POOL_ADDR psid 0 is already bound" "$T/good.json"

	# one address over the capacity the lwAFTR was loaded with (status
	# says it; a capacity too large to fill here is said, not hidden)
	if over_capacity_table "$T/big.json" "the over-capacity refusal"; then
		expect_refused "softwires do not fit the binding table, which holds $cap; nothing was changed" \
			"$T/big.json" --replace
		expect_refused "softwires and the 129 installed do not fit the binding table, which holds $cap" \
			"$T/big.json"
		rm -f "$T/big.json"
	fi
	ping_ttl63 "$NS_B4" "$INET4"
}
