#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the lwAFTR must refuse end to end (issue 10), sourced by run.sh; run
# directly for these tests only. Frames are made by hand (rawframe.py) and
# sent from the namespace an attacker would be in, on run.sh's topology:
#
#   inet → aftr: IPv4-in-IPv6 behind a destination options header, from a
#                spoofed B4 source to the BR, carrying a PCP MAP: the program
#                must drop it (drop-misplaced-ipv6), so that pcpd never sees
#                it and no binding appears; the same frame from the access
#                side gets one (it is a good request)

AIRTIGHT_TESTS="
misplaced_pcp_from_internet_refused
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $AIRTIGHT_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$AIRTIGHT_TESTS

TEST_IDS+=(
	[misplaced_pcp_from_internet_refused]="AFTR-GEN-2 AFTR-DECAP-8 PCPS-1"
)

RAWFRAME=$ROOT/selftests/netns/rawframe.py

airtight_prereq()
{
	command -v python3 >/dev/null || skip "missing tool: python3"
}

# mac_of NS DEV
mac_of()
{
	ip -n "$1" -j link show "$2" | jq -r '.[0].address'
}

# rawframe NS DEV DST_MAC ARGS...: one hand-made frame out of DEV
rawframe()
{
	local ns=$1 dev=$2 mac=$3

	shift 3
	check_run in_ns "$ns" python3 "$RAWFRAME" "$dev" "$mac" "$@"
}

has_binding()
{
	[ -n "$(bindings_of "$1")" ]
}

# An IPv4-in-IPv6 PCP MAP that reaches the kernel from the internet side is
# delivered to the BR address like one from a B4 (pcpd's IPIP socket cannot
# tell where it came from), and pcpd grants a port set to whatever B4 the
# outer source names: anyone on the internet could exhaust the pool. The
# program drops IPv4 in IPv6 on the internet side behind any extension
# header.
misplaced_pcp_from_internet_refused()
{
	local wan_mac acc_mac d

	airtight_prereq
	pcp_setup
	wan_mac=$(mac_of "$NS_AFTR" wan)
	acc_mac=$(mac_of "$NS_AFTR" acc)
	stats_json "$T/s0.json"
	rawframe "$NS_INET" inetv "$wan_mac" pcp-map "$PCP_B4A" "$BR_IPV6" --ext dstopts
	rawframe "$NS_INET" inetv "$wan_mac" pcp-map "$PCP_B4B" "$BR_IPV6" --ext none
	# pcpd answers within milliseconds when it gets a request at all
	wait_stat "$T/s0.json" "$T/s1.json" drop-misplaced-ipv6-packets 2
	sleep 1
	expect_no_binding "$PCP_B4A"
	expect_no_binding "$PCP_B4B"
	[ "$(n_bindings)" -eq 0 ] || pfail "bindings appeared: $(sw_list_json)"
	grep -q "$PCP_B4A" "$PCPD_LOG" && pfail "pcpd saw the request from the internet: $(grep "$PCP_B4A" "$PCPD_LOG")"
	d=$(delta "$T/s0.json" "$T/s1.json" drop-misplaced-ipv6-packets)
	[ "$d" -eq 2 ] || pfail "drop-misplaced-ipv6 +$d for the two frames from the internet, expected +2"
	d=$(delta "$T/s0.json" "$T/s1.json" pass-pcp-bootstrap-packets)
	[ "$d" -eq 0 ] || pfail "a PCP request from the internet was passed as pcp-bootstrap (+$d)"

	# control: the same frame from the access side is a request pcpd grants
	rawframe "$NS_B4" b4v "$acc_mac" pcp-map "$PCP_B4A" "$BR_IPV6" --ext dstopts
	wait_for 5 has_binding "$PCP_B4A" || pfail "the control request from the access side got no binding"
	log "control from the access side: binding $(bindings_of "$PCP_B4A")"
}
