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
#   b4 → aftr:   native IPv4 on the access side, from a pool source and from
#                a link address, to the internet host: dropped
#                (drop-misplaced-ipv4), never forwarded by the kernel;
#                pings to the router's own addresses still answered, and the
#                router's own traffic still reaches the internet

AIRTIGHT_TESTS="
misplaced_pcp_from_internet_refused
native_ipv4_from_access_refused
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $AIRTIGHT_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$AIRTIGHT_TESTS

TEST_IDS+=(
	[misplaced_pcp_from_internet_refused]="AFTR-GEN-2 AFTR-DECAP-8 PCPS-1"
	[native_ipv4_from_access_refused]="AFTR-GEN-2 AFTR-DECAP-2"
)

RAWFRAME=$ROOT/selftests/netns/rawframe.py
AT_ACC4=10.99.0.1 # an IPv4 address of the lwAFTR on the access link
AT_B4LINK4=10.99.0.2
AT_PORT=9999

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

# inet_udp_recv SECONDS OUT: counts the datagrams to the internet host's
# port AT_PORT for SECONDS (background); one line per datagram in OUT.
inet_udp_recv()
{
	bg udp_recv "$NS_INET" timeout "$(($1 + 5))" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
end = time.time() + float(sys.argv[2])
with open(sys.argv[3], "w") as out:
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            d, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        out.write("%s %s\n" % (peer[0], d.decode(errors="replace")))
        out.flush()
' "$AT_PORT" "$1" "$2"
	UDP_RECV_PID=$BG_PID
	wait_for 5 in_ns "$NS_INET" sh -c "ss -Hlun 'sport = :$AT_PORT' | grep -q ." ||
		fail "the UDP receiver did not start: $(cat "$T/udp_recv.log")"
}

# IPv4 that arrives natively on the access side never went through a
# binding check: the kernel would route it to the internet (also from a pool
# source, also with rp_filter and a pool route via the access side). Only
# what is for the router itself passes.
native_ipv4_from_access_refused()
{
	local acc_mac d n

	airtight_prereq
	SETUP_B4TUN=0 setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")"
	check_run ip -n "$NS_AFTR" addr add "$AT_ACC4/24" dev acc
	check_run ip -n "$NS_B4" addr add "$AT_B4LINK4/24" dev b4v
	check_run ip -n "$NS_B4" route add 198.51.100.0/24 via "$AT_ACC4" dev b4v
	acc_mac=$(mac_of "$NS_AFTR" acc)

	# the router's own addresses answer: on the access link, and its
	# internet-side address reached over the access link
	check_run in_ns "$NS_B4" ping -c 2 -W 2 "$AT_ACC4"
	check_run in_ns "$NS_B4" ping -c 2 -W 2 "$AFTR_WAN4"

	inet_udp_recv 4 "$T/udp.txt"
	stats_json "$T/s0.json"
	rawframe "$NS_B4" b4v "$acc_mac" udp4 "$B4_IPV4" "$INET4" "$AT_PORT" from-a-pool-source
	rawframe "$NS_B4" b4v "$acc_mac" udp4 "$AT_B4LINK4" "$INET4" "$AT_PORT" from-a-link-source
	echo "\$ ping -c 2 -W 1 $INET4 (from the B4 host, natively: must fail)"
	in_ns "$NS_B4" ping -c 2 -W 1 "$INET4" && fail "a native ping from the access side reached the internet host"
	# the router's own traffic still leaves: the receiver works
	check_run in_ns "$NS_AFTR" python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"from-the-router", (sys.argv[1], int(sys.argv[2])))
' "$INET4" "$AT_PORT"
	wait_stat "$T/s0.json" "$T/s1.json" drop-misplaced-ipv4-packets 4
	wait "$UDP_RECV_PID" 2>/dev/null
	log "received by the internet host: $(paste -sd';' "$T/udp.txt")"
	d=$(delta "$T/s0.json" "$T/s1.json" drop-misplaced-ipv4-packets)
	[ "$d" -ge 4 ] || fail "drop-misplaced-ipv4 +$d, expected at least 4 (2 datagrams, 2 echo requests)"
	grep -q from-the-router "$T/udp.txt" || fail "the router's own datagram did not arrive: the check proves nothing"
	n=$(grep -vc from-the-router "$T/udp.txt")
	[ "$n" -eq 0 ] || fail "native IPv4 from the access side reached the internet host: $(grep -v from-the-router "$T/udp.txt" | paste -sd';')"
}
