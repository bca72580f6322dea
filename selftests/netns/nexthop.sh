# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The lwAFTR's next-hop cache end to end (issue 11; sourced by run.sh, run
# directly for these tests only): run.sh's topology, a default route on the
# internet side, pcpd --role aftr keeping lw_nexthop from rtnetlink.
#
#   route change: a UDP stream every millisecond crosses the lwAFTR while
#   the route's gateway moves to another next hop (a permanent neighbour
#   with a MAC of its own, which the capture tells apart) and back; the
#   time from just before `route replace` is written to an `ip -batch`
#   already running to the last frame still sent to the old next hop must
#   stay within 100 ms, each way (printed as the test's NOTE). IPv4
#   (decapsulated, to an internet address behind the default route) and
#   IPv6 (encapsulated, to the B4 behind 2001:db8:b4::/64).
#
#   pcpd stopping: its entries say FIB at once; killed, the lease runs out
#   within 3 s and the FIB decides; --nexthop fib at run time is followed.

NEXTHOP_TESTS="
nexthop_ipv4_route_change
nexthop_ipv6_route_change
nexthop_pcpd_gone_falls_back
nexthop_b4_tunnel_cached
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $NEXTHOP_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$NEXTHOP_TESTS

TEST_IDS+=(
	[nexthop_ipv4_route_change]="NH-CACHE AFTR-DECAP-2"
	[nexthop_ipv6_route_change]="NH-CACHE AFTR-ENCAP-1"
	[nexthop_pcpd_gone_falls_back]="NH-CACHE lease, --nexthop fib"
	[nexthop_b4_tunnel_cached]="NH-CACHE B4-DP-1"
)

NH_FAR4=203.0.113.7           # an internet address behind the default route
NH_GW4B=198.51.100.3          # the second IPv4 next hop
NH_MAC4B=02:00:00:00:04:0b
NH_GW6B=2001:db8:1::3         # the second IPv6 next hop
NH_MAC6B=02:00:00:00:06:0b
NH_LIMIT_MS=100

# The lwAFTR with one whole-address softwire, a default route through the
# internet host, and pcpd keeping the cache.
nh_setup()
{
	[ -x "$PCPD" ] || skip "not built: $PCPD (run make)"
	command -v python3 >/dev/null || skip "missing tool: python3"
	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	check_run ip -n "$NS_AFTR" route add default via "$INET4" dev wan
	pcp_config "pool 192.0.2.200/32"
	PCPD_RUNS=0
	start_pcpd
}

# nh_wait_log SECONDS TEXT: until pcpd's log has TEXT (a fixed string).
nh_wait_log()
{
	wait_for "$1" grep -qF "$2" "$PCPD_LOG" || pfail "pcpd did not log '$2' within $1 s"
	log "pcpd: $(grep -F "$2" "$PCPD_LOG" | tail -1 | sed 's/^pcpd: //')"
}

# nh_stream NAME NS SRC DST SECONDS: one UDP datagram to DST:9 every
# millisecond from SRC, in the background.
nh_stream()
{
	bg "$1" "$2" timeout $(($5 + 5)) python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40000))
end, i = time.monotonic() + float(sys.argv[3]), 0
while time.monotonic() < end:
    s.sendto(b"%08d" % i, (sys.argv[2], 9))
    i += 1
    time.sleep(0.001)
' "$3" "$4" "$5"
}

# nh_capture NS DEV FILTER: tcpdump into $T/nh.pcap, in the background.
nh_capture()
{
	bg tcpdump "$1" tcpdump -U -n -i "$2" -w "$T/nh.pcap" "$3"
	NH_TCPDUMP=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || fail "tcpdump did not start: $(cat "$T/tcpdump.log")"
}

# The wall clock tcpdump stamps frames with, without a process.
now_s()
{
	echo "$EPOCHREALTIME"
}

# nh_batch FAMILY: an ip(8) in the aftr namespace reading commands from
# $T/ipb, started before the measurement so that a change costs a write to
# a pipe rather than a process; nh_do CMD... sends one.
nh_batch()
{
	mkfifo "$T/ipb"
	bg ipbatch "$NS_AFTR" sh -c "exec ip -$1 -batch - <'$T/ipb'"
	exec 7>"$T/ipb"
}

nh_do()
{
	echo "\$ ip $* (batch)"
	echo "$*" >&7
}

# nh_lag FROM TO MAC: milliseconds from FROM (a date) to the last frame sent
# to MAC before TO, 0 when none came after FROM; from the capture.
nh_lag()
{
	tcpdump -r "$T/nh.pcap" -n -e -tt 2>/dev/null |
		awk -v from="$1" -v to="$2" -v mac="$3" '
			{ sub(",", "", $4) }
			$4 == mac && $1 < to && $1 > last { last = $1 }
			END { d = (last - from) * 1000; printf "%.1f\n", (d > 0 ? d : 0) }'
}

# nh_count FROM TO MAC: frames to MAC between FROM and TO.
nh_count()
{
	tcpdump -r "$T/nh.pcap" -n -e -tt 2>/dev/null |
		awk -v from="$1" -v to="$2" -v mac="$3" '
			{ sub(",", "", $4) }
			$4 == mac && $1 >= from && $1 < to { n++ }
			END { print n + 0 }'
}

# nh_route_change FAMILY: the stream, the capture and the two switches of
# the family's route; fails past NH_LIMIT_MS, prints the figures.
nh_route_change()
{
	local fam=$1 old_mac new_mac t_a t_b t_end lag_a lag_b n_new n_old n_before
	local stream_ns src dst cap_ns cap_dev aftr_dev filter route_a route_b gw_b mac_b cached_a cached_b

	if [ "$fam" = 4 ]; then
		stream_ns=$NS_B4 src=$B4_IPV4 dst=$NH_FAR4 cap_ns=$NS_INET cap_dev=inetv aftr_dev=wan
		filter="udp and dst host $NH_FAR4"
		route_a="default via $INET4 dev wan" route_b="default via $NH_GW4B dev wan"
		gw_b=$NH_GW4B mac_b=$NH_MAC4B
		cached_a="IPv4 next hop cached: via $INET4 dev wan"
		cached_b="IPv4 next hop cached: via $NH_GW4B dev wan"
	else
		stream_ns=$NS_INET src=$INET4 dst=$B4_IPV4 cap_ns=$NS_B4 cap_dev=b4v aftr_dev=acc
		filter="ip6 and dst host $B4_IPV6"
		route_a="2001:db8:b4::/64 via $B4_LINK6 dev acc" route_b="2001:db8:b4::/64 via $NH_GW6B dev acc"
		gw_b=$NH_GW6B mac_b=$NH_MAC6B
		cached_a="IPv6 next hop cached: via $B4_LINK6 dev acc"
		cached_b="IPv6 next hop cached: via $NH_GW6B dev acc"
	fi
	old_mac=$(ip -n "$cap_ns" -br link show dev "$cap_dev" | awk '{print $3}')
	new_mac=$mac_b
	check_run ip -n "$NS_AFTR" -"$fam" neigh replace "$gw_b" lladdr "$mac_b" dev "$aftr_dev" nud permanent
	nh_capture "$cap_ns" "$cap_dev" "$filter"
	nh_stream stream "$stream_ns" "$src" "$dst" 10
	NH_STREAM=$BG_PID
	# the first packets resolve the gateway through the kernel; then the
	# neighbour entry is valid and pcpd caches the route
	nh_wait_log 3 "$cached_a"
	check_run aftr_lw4o6 status
	sleep 0.3
	# measured from just before the change is asked for: the time it
	# takes the kernel is counted too
	nh_batch "$fam"
	t_a=$(now_s)
	nh_do route replace $route_b
	sleep 1
	t_b=$(now_s)
	nh_do route replace $route_a
	sleep 1
	exec 7>&-
	check_run ip -n "$NS_AFTR" -"$fam" route show
	t_end=$(now_s)
	stop_bg "$NH_STREAM" TERM
	# tcpdump may lag behind on a busy machine: what it has not read yet
	# would be lost with it
	sleep 1
	stop_bg "$NH_TCPDUMP" TERM
	grep -qF "$cached_b" "$PCPD_LOG" || pfail "pcpd never cached the second next hop ($cached_b)"
	log "pcpd's next-hop lines: $(grep -E 'next hop cached|falls back' "$PCPD_LOG" | sed 's/^pcpd: //' | paste -sd'|')"

	n_before=$(nh_count 0 "$t_a" "$old_mac")
	n_new=$(nh_count "$t_a" "$t_b" "$new_mac")
	n_old=$(nh_count "$t_b" "$t_end" "$old_mac")
	lag_a=$(nh_lag "$t_a" "$t_b" "$old_mac")
	lag_b=$(nh_lag "$t_b" "$t_end" "$new_mac")
	log "frames: $n_before to $old_mac before the change, $n_new to $new_mac after it, $n_old back to $old_mac"
	log "old next hop still used for $lag_a ms after the change, the second one for $lag_b ms after the change back"
	[ "$n_before" -ge 100 ] || fail "only $n_before frames crossed before the change"
	[ "$n_new" -ge 300 ] || fail "only $n_new frames went to the new next hop $new_mac in the second after the change"
	[ "$n_old" -ge 300 ] || fail "only $n_old frames went back to $old_mac in the second after the change back"
	awk -v a="$lag_a" -v b="$lag_b" -v l="$NH_LIMIT_MS" 'BEGIN { exit !(a <= l && b <= l) }' ||
		fail "a route change took effect after $lag_a / $lag_b ms (at most $NH_LIMIT_MS)"
	echo "NOTE: IPv$fam route change followed in $lag_a ms and $lag_b ms (limit $NH_LIMIT_MS)"
}

nexthop_ipv4_route_change()
{
	nh_setup
	nh_route_change 4
}

nexthop_ipv6_route_change()
{
	nh_setup
	nh_route_change 6
}

# nh_mode FAMILY: the family's mode and reason in lw4o6 status --json.
nh_mode()
{
	aftr_lw4o6 status --json | jq -r ".nexthop.ipv$1 | \"\(.mode) \(.reason)\""
}

# nh_expect_mode FAMILY SECONDS MODE REASON: until status says so.
nh_expect_mode()
{
	local i got

	for i in $(seq $(($2 * 10))); do
		got=$(nh_mode "$1")
		[ "$got" = "$3 $4" ] && { log "IPv$1: $got"; return 0; }
		sleep 0.1
	done
	pfail "IPv$1 next hop: status says '$got', expected '$3 $4' within $2 s"
}

nexthop_pcpd_gone_falls_back()
{
	nh_setup
	check_run in_ns "$NS_AFTR" ping -c 1 -W 2 "$INET4"
	nh_wait_log 3 "IPv4 next hop cached: via $INET4 dev wan"
	nh_expect_mode 4 2 cached cached
	check_run aftr_lw4o6 status

	# the operator's choice at run time: pcpd reads it within a second
	check_run aftr_lw4o6 set nexthop fib
	nh_expect_mode 4 3 fib "--nexthop fib"
	check_run aftr_lw4o6 set nexthop cache
	nh_expect_mode 4 3 cached cached

	# stopped: FIB at once
	stop_pcpd
	nh_expect_mode 4 1 fib "the daemon stopped"
	nh_expect_mode 6 1 fib "the daemon stopped"

	# killed: the lease (3 s) runs out
	start_pcpd
	nh_expect_mode 4 3 cached cached
	echo "\$ kill -KILL pcpd ($PCPD_PID)"
	stop_bg "$PCPD_PID" KILL
	nh_expect_mode 4 5 fib "lease over (no daemon renews it)"
	check_run aftr_lw4o6 status
	# and the FIB forwards
	check_run in_ns "$NS_B4" ping -c 2 -i 0.2 -W 2 "$INET4"
}

# The lwB4 (pcpb4.sh's topology): pcpd --role b4 caches the way to the
# lwAFTR once the first packets have resolved its gateway; traffic goes on
# through the cache, and through the FIB once pcpd has stopped.
nexthop_b4_tunnel_cached()
{
	local st

	pb_setup
	check_run in_ns "$LB_P-h1" ping -c 2 -i 0.2 -W 2 -w 10 "$LB_INET"
	wait_for 3 grep -qF "IPv6 next hop cached: via 2001:db8:1::1 dev b4v" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not cache the way to the lwAFTR"
	st=$(lb b4a status --json | jq -c .nexthop)
	log "lwB4 status: $st"
	[ "$(jq -r .ipv6.mode <<<"$st")" = cached ] || pb_fail "the lwB4's status does not say cached: $st"
	pb_wait_udp 5 >/dev/null || pb_fail "UDP through the cached next hop is not answered"
	check_run lb b4a status
	stop_bg "$PB_B4_PID" TERM
	st=$(lb b4a status --json | jq -c .nexthop.ipv6)
	[ "$(jq -r .mode <<<"$st")" = fib ] || pb_fail "pcpd stopped, the lwB4 still says $st"
	pb_wait_udp 5 >/dev/null || pb_fail "UDP through the FIB after pcpd stopped is not answered"
	stop_bg "$PB_AFTR_PID" TERM
}
