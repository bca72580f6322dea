#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwB4's PCP client (pcpd --role b4): an lwB4 loaded
# with no static port set obtains one by PCP from pcpd --role aftr, in front
# of an lwAFTR whose binding table starts empty, and recovers when the
# lwAFTR loses the binding (ICMPv6 1/5) or pcpd --role aftr its state
# (ANNOUNCE).
#
# This file is sourced by run.sh after b4.sh (whose lb_* helpers it uses);
# run.sh owns the runner and the teardown (namespaces, the private bpffs,
# the background pcpd processes, $T). Run alone:
#   selftests/netns/pcpb4.sh [TEST...]       (V=1 for every log)
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP), pcpd --role b4
#                                 tunnel 2001:db8:b4::1, no static port set
#                                 b4v ── br0 ── acc  aftr: lwAFTR (XDP), empty table,
#                                                    pcpd --role aftr, BR 2001:db8:ffff::1,
#                                                    pool 192.0.2.1/32, blocks of 1024
#                                                    wan ── inet 198.51.100.2 (UDP echo)

PCPB4_TESTS="
pcpb4_obtain_set_and_recover_no_binding
pcpb4_announce_re_request
pcpb4_announce_multicast_only
pcpb4_renewal_same_set
pcpb4_retransmit_until_answered
pcpb4_aftr_reload_restored
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $PCPB4_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$PCPB4_TESTS

TEST_IDS+=(
	[pcpb4_obtain_set_and_recover_no_binding]="PCPC-5 B4-PROV-5 B4-PROV-7 B4-PROV-8"
	[pcpb4_announce_re_request]="PCPC-9 PCPS-16 PCPS-17 B4-PROV-5"
	[pcpb4_announce_multicast_only]="PCPS-17 PCPC-9 B4-DP-3 B4-DP-6"
	[pcpb4_renewal_same_set]="PCPC-8 B4-PROV-5"
	[pcpb4_retransmit_until_answered]="PCPC-3"
	[pcpb4_aftr_reload_restored]="PCPS-11 AFTR-DECAP-8"
)

PB_PCPD=$BUILD/pcpd
PB_AFTR_EXTRA=()
PB_B4_EXTRA=()
PB_LWB4_EXTRA=()
PB_AFTR_EPOCH_AGE=
PB_AFTR_TABLE=

# pb_fail MSG: fail with both pcpd logs.
pb_fail()
{
	local f

	for f in "$T"/pcpd-aftr*.log "$T"/pcpd-b4.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last 30 lines)"
		tail -30 "$f"
	done
	fail "$@"
}

pb_start_aftr_pcpd()
{
	PB_AFTR_RUNS=$((${PB_AFTR_RUNS:-0} + 1))
	PB_AFTR_LOG=$T/pcpd-aftr$PB_AFTR_RUNS.log
	bg "pcpd-aftr$PB_AFTR_RUNS" "$LB_P-aftr" "$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf"
	PB_AFTR_PID=$BG_PID
	wait_for 5 grep -q "serving" "$PB_AFTR_LOG" || pb_fail "pcpd --role aftr is not serving after 5 s"
}

# The topology of the header; pcpd --role b4 is started by the test.
# PB_AFTR_EXTRA / PB_B4_EXTRA / PB_LWB4_EXTRA: arrays of more configuration
# lines for pcpd --role aftr, pcpd --role b4 and the lwB4 (lw4o6 load b4),
# PB_AFTR_TABLE: the lwAFTR's binding table (RFC 8676 JSON; default empty),
# e.g. PB_AFTR_EXTRA=("quota 2" "min-lifetime 4"). PB_AFTR_EPOCH_AGE=S:
# pcpd --role aftr's epoch has run S seconds when the lwB4 first hears it,
# so that a restart with the state lost shows in the epoch (RFC 6887 §8.5:
# a server up for a second or two looks the same after a restart).
pb_setup()
{
	local ns

	[ -x "$PB_PCPD" ] || skip "not built: $PB_PCPD"
	for t in "$LB_OBJ" python3 jq; do
		[ -e "$t" ] || command -v "$t" >/dev/null || skip "missing: $t"
	done
	LB_P=${NS_AFTR%-aftr}
	PB_AFTR_RUNS=0
	mkdir "$T/bpffs"
	check_run mount -t bpf bpf "$T/bpffs"
	touch "$T/bpffs.mounted"
	for ns in sw aftr inet b4a; do
		lb_ns "$ns"
	done
	check_run ip -n "$LB_P-sw" link add br0 type bridge
	check_run ip -n "$LB_P-sw" link add bra type bridge
	check_run ip -n "$LB_P-sw" link set br0 up
	check_run ip -n "$LB_P-sw" link set bra up

	# the lwAFTR, its table empty, and its PCP server
	check_run ip -n "$LB_P-aftr" link add acc type veth peer name acc-sw netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set acc-sw master br0 up
	lb_pass "$LB_P-sw" acc-sw
	check_run ip -n "$LB_P-aftr" link add wan type veth peer name inetv netns "$LB_P-inet"
	check_run in_ns "$LB_P-aftr" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	check_run ip -n "$LB_P-aftr" addr add 2001:db8:1::1/64 dev acc nodad
	check_run ip -n "$LB_P-aftr" addr add "$LB_BR/128" dev lo
	check_run ip -n "$LB_P-aftr" addr add 198.51.100.1/24 dev wan
	check_run ip -n "$LB_P-aftr" link set acc up
	check_run ip -n "$LB_P-aftr" link set wan up
	check_run in_ns "$LB_P-aftr" sysctl -qw net.ipv4.conf.acc.rp_filter=0 net.ipv4.conf.wan.rp_filter=0
	if [ -n "$PB_AFTR_TABLE" ]; then
		printf '%s\n' "$PB_AFTR_TABLE"
	else
		printf '{"binding-table":{"binding-entry":[]}}\n'
	fi >"$T/aftr.json"
	check_run lb_aftr load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/aftr.json"
	printf '%s\n' "# written by selftests/netns/pcpb4.sh" "pin-root $T/bpffs/aftr" \
		"database $T/pcpd-aftr.db" "br-address $LB_BR" "pool $LB_PUB/32" "block-size 1024" \
		"log-level debug" "${PB_AFTR_EXTRA[@]}" >"$T/pcpd-aftr.conf"
	pb_start_aftr_pcpd
	if [ -n "$PB_AFTR_EPOCH_AGE" ]; then
		need_sqlite3
		stop_bg "$PB_AFTR_PID" TERM
		check_run sqlite3 "$T/pcpd-aftr.db" \
			"UPDATE state SET value = value - $PB_AFTR_EPOCH_AGE WHERE key = 'epoch_base'"
		pb_start_aftr_pcpd
	fi

	# the internet host with a UDP echo
	check_run ip -n "$LB_P-inet" addr add "$LB_INET/24" dev inetv
	check_run ip -n "$LB_P-inet" link set inetv up
	check_run ip -n "$LB_P-inet" route add 192.0.2.0/24 via 198.51.100.1 dev inetv
	lb_pass "$LB_P-inet" inetv
	check_run in_ns "$LB_P-inet" ethtool -K inetv tx off
	cat >"$T/echo.py" <<-'PY'
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((sys.argv[1], int(sys.argv[2])))
		while True:
		    data, peer = s.recvfrom(2048)
		    s.sendto(b"echo " + data, peer)
	PY
	bg udpecho "$LB_P-inet" python3 "$T/echo.py" "$LB_INET" "$LB_ECHO_PORT"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hlun 'sport = :$LB_ECHO_PORT' | grep -q ." ||
		fail "the UDP echo did not start"

	# h1 and the lwB4, loaded with no port set
	lb_host h1 192.168.1.10 192.168.1.1
	check_run ip -n "$LB_P-h1" link set h1-p netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set h1-p master bra up
	check_run ip -n "$LB_P-b4a" link add lan type veth peer name a-lan netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set a-lan master bra up
	lb_pass "$LB_P-sw" a-lan
	check_run ip -n "$LB_P-b4a" link add b4v type veth peer name b4a-sw netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set b4a-sw master br0 up
	lb_pass "$LB_P-sw" b4a-sw
	check_run ip -n "$LB_P-b4a" addr add 2001:db8:1::11/64 dev b4v nodad
	check_run ip -n "$LB_P-b4a" addr add 2001:db8:b4::1/128 dev b4v nodad
	check_run ip -n "$LB_P-b4a" link set b4v up
	check_run ip -n "$LB_P-b4a" -6 route add default via 2001:db8:1::1 dev b4v
	check_run ip -n "$LB_P-b4a" addr add 192.168.1.1/24 dev lan
	check_run ip -n "$LB_P-b4a" link set lan up
	check_run in_ns "$LB_P-b4a" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.b4v.rp_filter=0
	printf '%s\n' "# lwB4, no static port set" "aftr-ipv6 $LB_BR" "tunnel-ipv6 2001:db8:b4::1" \
		"tunnel-mtu 1500" "lan-address 192.168.1.1/24" "filtering adf" "${PB_LWB4_EXTRA[@]}" \
		>"$T/b4a.conf"
	check_run lb b4a load b4 --lan-dev lan --wan-dev b4v --config "$T/b4a.conf"
	check_run ip -n "$LB_P-aftr" -6 route add 2001:db8:b4::1/128 via 2001:db8:1::11 dev acc
	[ "$(lb b4a portset list --json | jq '."port-sets" | length')" = 0 ] ||
		fail "the lwB4 holds a port set before PCP"

	printf '%s\n' "# written by selftests/netns/pcpb4.sh" "pin-root $T/bpffs/b4a" \
		"database $T/pcpd-b4.db" "aftr-ipv6 $LB_BR" "tunnel-ipv6 2001:db8:b4::1" \
		"lifetime 600" "irt-ms 200" "reannounce-delay-ms 200" "expire-interval 1" \
		"log-level debug" "${PB_B4_EXTRA[@]}" >"$T/pcpd-b4.conf"
	bg pcpd-b4 "$LB_P-b4a" "$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf"
	PB_B4_PID=$BG_PID
	wait_for 10 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a portset list --json | jq '.\"port-sets\" | length') = 1 ]" ||
		pb_fail "pcpd --role b4 installed no port set in 10 s"
	PB_SET=$(lb b4a portset list --json | jq -c '."port-sets"[0]')
	log "port set obtained by PCP: $PB_SET; lwAFTR: $(lb_aftr softwire list 2>&1 | paste -sd';')"
}

# pb_udp_ok TEXT [SPORT]: one datagram from h1 (from port SPORT) to the
# echo, 0 when answered.
pb_udp_ok()
{
	local out

	out=$(in_ns "$LB_P-h1" timeout 3 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 4: s.bind(("0.0.0.0", int(sys.argv[4])))
s.settimeout(0.3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
try:
    print(s.recvfrom(2048)[0].decode())
except socket.timeout:
    pass
' "$LB_INET" "$LB_ECHO_PORT" "$1" ${2:+"$2"} 2>&1)
	[ "$out" = "echo $1" ]
}

# pb_mapping PROTO PORT: the lwB4's mapping of h1 (192.168.1.10):PORT, one
# JSON line (or nothing)
pb_mapping()
{
	lb b4a sessions --json | jq -c --arg p "$1" --argjson n "$2" \
		'.sessions[] | select(.protocol == $p and ."internal-address" == "192.168.1.10" and ."internal-port" == $n)'
}

# pb_wait_udp SECONDS: datagrams until one is answered; prints the ms waited.
pb_wait_udp()
{
	local t0 end i=0

	t0=$(date +%s%N)
	end=$(($(date +%s) + $1))
	until pb_udp_ok "probe-$i"; do
		i=$((i + 1))
		[ "$(date +%s)" -lt "$end" ] || return 1
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# ---- the tests ---------------------------------------------------------------------

# The lwB4 gets its port set by PCP with nothing static (B4-PROV-5), the
# request as PCPC-5 says (its suggested external address ::ffff:0.0.0.0, an
# IPv4 address without preference, RFC 6887 §11.1); h1 pings and UDPs the internet host through it.
# The binding is then deleted on the lwAFTR behind the lwB4's back: the
# next packet draws ICMPv6 1/5, pcpd --role b4 asks again at once
# (B4-PROV-8) and pcpd --role aftr grants the same set to the same nonce:
# the set stays in the pool with its mappings (issue 12), so a UDP
# mapping of h1 goes on with its external port and counters.
pcpb4_obtain_set_and_recover_no_binding()
{
	local ipv4 first size psid ms kept

	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	[ "$ipv4" = "$LB_PUB" ] && [ "$size" = 1024 ] || pb_fail "port set $PB_SET, expected $LB_PUB, 1024 ports"
	grep -q "slot 0 sent (try 1): MAP request lifetime=600 client=192.0.0.2 .*proto=0 int=1 ext=0.0.0.0:0 PORT_SET=65535/1" "$T/pcpd-b4.log" ||
		pb_fail "the first MAP is not PCPC-5's (client 192.0.0.2, protocol 0, port 1, no IPv4 preferred: ::ffff:0.0.0.0 (RFC 6887 §11.1), PORT_SET 65535/1)"
	grep -q "renewing in" "$T/pcpd-b4.log" || pb_fail "no renewal scheduled"
	check_run in_ns "$LB_P-h1" ping -c 2 -i 0.2 -W 2 -w 10 "$LB_INET"
	ms=$(pb_wait_udp 5) || pb_fail "UDP from h1 through the PCP-provisioned lwB4 is not answered"
	log "UDP through the lwB4 works (${ms} ms)"
	[ "$(lb b4a sessions --json | jq .count)" -ge 1 ] || pb_fail "no mapping on the lwB4 after traffic"
	wait_for 3 pb_udp_ok kept 40010 || pb_fail "UDP from h1:40010 is not answered"
	kept=$(pb_mapping udp 40010)
	[ -n "$kept" ] || pb_fail "no mapping of h1:40010: $(lb b4a sessions --json)"

	psid=$((first / size))
	check_run lb_aftr softwire del --ipv4 "$ipv4" --psid "$psid"
	log "binding $ipv4 psid $psid deleted on the lwAFTR behind the lwB4's back"
	ms=$(pb_wait_udp 20) || pb_fail "traffic did not recover after the binding was deleted"
	grep -q "no binding for $ipv4 ports $first-" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not see the NO_BINDING event (ICMPv6 1/5)"
	grep -q "granted again unchanged: its mappings kept" "$T/pcpd-b4.log" ||
		pb_fail "the set granted again was not kept as it was"
	grep -q "mappings flushed" "$T/pcpd-b4.log" && pb_fail "the set granted again unchanged lost its mappings"
	wait_for 3 pb_udp_ok kept-after 40010 || pb_fail "UDP from h1:40010 is not answered after the recovery"
	[ "$(pb_mapping udp 40010 | jq '."external-port"')" = "$(jq '."external-port"' <<<"$kept")" ] &&
		[ "$(pb_mapping udp 40010 | jq '."packets-out"')" -gt "$(jq '."packets-out"' <<<"$kept")" ] ||
		pb_fail "h1:40010's mapping did not go on: before $kept, after $(pb_mapping udp 40010)"
	echo "RECOVERY no-binding (ICMPv6 1/5 -> MAP -> traffic): ${ms} ms;" \
		"pcpd --role b4: $(grep -o 'recovered from NO_BINDING in [0-9]* ms' "$T/pcpd-b4.log" | tail -1)"
	[ "$(lb b4a portset list --json | jq '."port-sets" | length')" = 1 ] || pb_fail "not one port set after the recovery"
	lb_aftr softwire list 2>&1 | grep -q "$ipv4" || pb_fail "the lwAFTR has no binding after the recovery"
	log "pcpd --role b4: $(grep -E 'granted|removed|no binding|recovered' "$T/pcpd-b4.log" | sed 's/^pcpd: //' | paste -sd'|')"
	stop_bg "$PB_B4_PID" TERM
	alive "$PB_B4_PID" && pb_fail "pcpd --role b4 did not stop"
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# pcpd --role aftr restarts with its database removed: it sends ANNOUNCE to
# the B4s of the bindings left in the maps (PCPS-16/17); pcpd --role b4
# re-requests after a short random delay (PCPC-9) and gets a grant again;
# traffic goes on. One state loss is one re-request (RFC 6887 §8.5; issue
# 10): the ANNOUNCE rounds after the first, unicast and multicast, carry an
# epoch consistent with the answer to the re-request and draw no more MAPs.
pcpb4_announce_re_request()
{
	local t0 ms reqs0 sent0 n

	PB_AFTR_EXTRA=("announce-interface acc")
	PB_AFTR_EPOCH_AGE=3600
	pb_setup
	reqs0=$(grep -c "slot 0: requesting a port set" "$T/pcpd-b4.log")
	sent0=$(grep -c "slot 0 sent (try" "$T/pcpd-b4.log")
	pb_wait_udp 5 >/dev/null || pb_fail "UDP from h1 through the PCP-provisioned lwB4 is not answered"
	echo "\$ kill -KILL pcpd --role aftr; rm its database; start it again"
	kill -KILL "$PB_AFTR_PID"
	stop_bg "$PB_AFTR_PID"
	rm -f "$T/pcpd-aftr.db" "$T/pcpd-aftr.db-wal" "$T/pcpd-aftr.db-shm"
	t0=$(date +%s%N)
	pb_start_aftr_pcpd
	wait_for 10 grep -q "recovered from ANNOUNCE" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not re-request after the ANNOUNCE"
	ms=$((($(date +%s%N) - t0) / 1000000))
	grep -q "ANNOUNCE (epoch" "$T/pcpd-b4.log" || pb_fail "no ANNOUNCE seen by pcpd --role b4"
	echo "RECOVERY announce (pcpd --role aftr restart -> ANNOUNCE -> MAP -> grant): within ${ms} ms of the restart;" \
		"pcpd --role b4: $(grep -o 'recovered from ANNOUNCE in [0-9]* ms' "$T/pcpd-b4.log" | tail -1)"
	"$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants | grep -q 2001:db8:b4::1 ||
		pb_fail "the restarted pcpd --role aftr holds no grant for the lwB4"
	[ "$(lb b4a portset list --json | jq '."port-sets" | length')" = 1 ] || pb_fail "not one port set after the ANNOUNCE"
	pb_wait_udp 10 >/dev/null || pb_fail "traffic does not flow after the re-request"
	wait_for 10 grep -q "ANNOUNCE round 3 sent" "$PB_AFTR_LOG" || pb_fail "pcpd --role aftr did not send its 3 ANNOUNCE rounds"
	sleep 1
	log "pcpd --role b4: $(grep -E 'granted|removed|ANNOUNCE|recovered|requesting' "$T/pcpd-b4.log" | sed 's/^pcpd: //' | paste -sd'|')"
	n=$(grep -c "ANNOUNCE (epoch" "$T/pcpd-b4.log")
	[ "$n" -ge 4 ] || pb_fail "pcpd --role b4 saw $n ANNOUNCEs, expected 3 rounds unicast and multicast"
	n=$(($(grep -c "slot 0: requesting a port set" "$T/pcpd-b4.log") - reqs0))
	[ "$n" = 1 ] || pb_fail "one state loss drew $n re-requests, expected 1 (RFC 6887 §8.5)"
	n=$(($(grep -c "slot 0 sent (try" "$T/pcpd-b4.log") - sent0))
	[ "$n" = 1 ] || pb_fail "one state loss drew $n MAPs, expected 1"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# As above, but the lwB4's binding is deleted from the lwAFTR's maps before
# pcpd --role aftr restarts with its database removed: no binding names the
# lwB4, so no unicast ANNOUNCE can reach it. pcpd --role aftr has
# announce-interface acc: its multicast ANNOUNCE (192.0.0.1:5351 ->
# 224.0.0.1:5350 inside IPv6 from the BR to ff02::1, PCPS-17) alone makes
# pcpd --role b4 re-request (PCPC-9); the lwB4 program passes it as PCP
# (B4-DP-6), from the lwAFTR only (B4-DP-3).
pcpb4_announce_multicast_only()
{
	local ipv4 first size pcp0 pcp1

	PB_AFTR_EPOCH_AGE=3600
	pb_setup
	echo "announce-interface acc" >>"$T/pcpd-aftr.conf"
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	echo "\$ kill -KILL pcpd --role aftr; lw4o6 softwire del (the lwB4's binding); rm its database; start it again"
	kill -KILL "$PB_AFTR_PID"
	stop_bg "$PB_AFTR_PID"
	check_run lb_aftr softwire del --ipv4 "$ipv4" --psid $((first / size))
	lb_aftr softwire list 2>&1 | grep -q "$ipv4" && pb_fail "the lwAFTR still holds the binding"
	rm -f "$T/pcpd-aftr.db" "$T/pcpd-aftr.db-wal" "$T/pcpd-aftr.db-shm"
	pcp0=$(lb_stat b4a pass-pcp-in-tunnel)
	pb_start_aftr_pcpd
	wait_for 10 grep -q "recovered from ANNOUNCE" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not re-request after the multicast ANNOUNCE"
	grep -q "ANNOUNCE (epoch" "$T/pcpd-b4.log" || pb_fail "no ANNOUNCE seen by pcpd --role b4"
	grep -q "ANNOUNCE round 1 sent" "$PB_AFTR_LOG" || pb_fail "pcpd --role aftr sent no ANNOUNCE"
	# at least one ANNOUNCE and the answer to the MAP it drew
	pcp1=$(lb_stat b4a pass-pcp-in-tunnel)
	[ "$pcp1" -ge $((pcp0 + 2)) ] ||
		pb_fail "the lwB4 program passed $((pcp1 - pcp0)) PCP packets, expected an ANNOUNCE and an answer"
	"$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants | grep -q 2001:db8:b4::1 ||
		pb_fail "the restarted pcpd --role aftr holds no grant for the lwB4"
	lb_aftr softwire list 2>&1 | grep -q "$ipv4" || pb_fail "the lwAFTR has no binding after the re-request"
	pb_wait_udp 10 >/dev/null || pb_fail "traffic does not flow after the re-request"
	log "pcpd --role b4: $(grep -E 'granted|ANNOUNCE|recovered' "$T/pcpd-b4.log" | sed 's/^pcpd: //' | paste -sd'|')"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# pb_restart_b4 NAME: pcpd --role b4 stopped (its grant stays stored and
# installed) and started again, logging to $T/NAME.log.
pb_restart_b4()
{
	stop_bg "$PB_B4_PID" TERM
	alive "$PB_B4_PID" && pb_fail "pcpd --role b4 did not stop"
	PB_B4_LOG=$T/$1.log
	bg "$1" "$LB_P-b4a" "$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf"
	PB_B4_PID=$BG_PID
}

# A renewal keeps the set. pcpd --role aftr grants at least 120 s, so the
# timer's renewal (1/2..5/8 of the lifetime, PCPC-8) is a minute away and
# pcpd has no hook to force it; the renewal pcpd --role b4 sends when it
# starts with a stored grant still valid is the same request (same nonce,
# PORT_SET, the held address and port suggested) and is used instead: the
# answer grants the same set, nothing is removed or flushed, and the set
# stays in the pool throughout.
pcpb4_renewal_same_set()
{
	local want

	pb_setup
	want="granted $(jq -r .ipv4 <<<"$PB_SET") ports $(jq -r .first <<<"$PB_SET")-"
	echo "\$ restart pcpd --role b4 with its grant stored: it renews at once"
	pb_restart_b4 pcpd-b4-renew
	wait_for 10 grep -q "granted" "$PB_B4_LOG" || pb_fail "the renewal was not answered in 10 s"
	grep -q "requesting a port set (renewal at start)" "$PB_B4_LOG" || pb_fail "no renewal sent"
	grep -q "MAP request .*ext=$(jq -r .ipv4 <<<"$PB_SET"):$(jq -r .first <<<"$PB_SET") .*PORT_SET=65535/1" \
		"$PB_B4_LOG" || pb_fail "the renewal does not suggest the address and port held, with PORT_SET"
	[ "$(grep -h "MAP request" "$T/pcpd-b4.log" "$PB_B4_LOG" | grep -o "nonce=[0-9a-f]*" | sort -u | wc -l)" = 1 ] ||
		pb_fail "the renewal uses another nonce than the first request"
	grep -q "$want" "$PB_B4_LOG" || pb_fail "the renewal granted another set"
	grep -qE "grant changed|removed|flushed" "$PB_B4_LOG" && pb_fail "the renewal changed the set"
	[ "$(lb b4a portset list --json | jq -c '."port-sets"[0]')" = "$PB_SET" ] &&
		[ "$(lb b4a portset list --json | jq '."port-sets" | length')" = 1 ] ||
		pb_fail "the pool is not the one set $PB_SET after the renewal"
	pb_wait_udp 5 >/dev/null || pb_fail "traffic does not flow after the renewal"
	log "pcpd --role b4: $(grep -E 'stored|requesting|granted' "$PB_B4_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# The first requests find no server: pcpd --role aftr is stopped (its
# database kept) while pcpd --role b4 restarts and starts 1 s later.
# pcpd --role b4 retransmits (irt-ms 200, doubling, PCPC-3) with the same
# nonce and gets the same set on a later try.
pcpb4_retransmit_until_answered()
{
	local tries nonces

	pb_setup
	echo "\$ stop pcpd --role aftr; restart pcpd --role b4; start pcpd --role aftr 1 s later"
	stop_bg "$PB_AFTR_PID" TERM
	alive "$PB_AFTR_PID" && pb_fail "pcpd --role aftr did not stop"
	pb_restart_b4 pcpd-b4-rexmit
	sleep 1
	pb_start_aftr_pcpd
	wait_for 15 grep -q "granted" "$PB_B4_LOG" || pb_fail "no grant 15 s after pcpd --role aftr came back"
	tries=$(grep -c "sent (try [0-9]*)" "$PB_B4_LOG")
	[ "$tries" -ge 2 ] || pb_fail "one try only: the first request was not lost?"
	grep -q "sent (try 2)" "$PB_B4_LOG" || pb_fail "no retransmission (try 2) logged"
	nonces=$(grep "sent (try" "$PB_B4_LOG" | grep -o "nonce=[0-9a-f]*" | sort -u | wc -l)
	[ "$nonces" = 1 ] || pb_fail "$nonces nonces across the retransmissions, expected one"
	grep -q "granted $(jq -r .ipv4 <<<"$PB_SET") ports $(jq -r .first <<<"$PB_SET")-" "$PB_B4_LOG" ||
		pb_fail "another set granted after the retransmissions"
	pb_wait_udp 5 >/dev/null || pb_fail "traffic does not flow after the retransmissions"
	log "pcpd --role b4: $tries tries; $(grep -E 'granted' "$PB_B4_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# The lwAFTR is loaded again under the running pcpd --role aftr (`lw4o6 load
# aftr`, same file): the load replaces only the configuration's bindings
# (issue 12), so the pool, the BR address and the lwB4's PCP binding are
# there the moment it returns, with nothing for pcpd to put back; the lwB4's
# traffic flows with no new PCP exchange and no ICMPv6 1/5.
pcpb4_aftr_reload_restored()
{
	local ipv4 first size reqs0

	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	pb_wait_udp 5 >/dev/null || pb_fail "UDP from h1 through the PCP-provisioned lwB4 is not answered"
	reqs0=$(grep -c "requesting a port set" "$T/pcpd-b4.log")
	echo "\$ lw4o6 load aftr (again, same file) under the running pcpd --role aftr"
	check_run lb_aftr load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/aftr.json"
	lb_aftr softwire list --json | jq -e --arg a "$ipv4" --argjson p $((first / size)) \
		'[.. | objects | select(."binding-ipv4-addr" == $a and ."port-set".psid == $p and ."binding-ipv6info" == "2001:db8:b4::1")] | length == 1' >/dev/null ||
		pb_fail "the load removed the lwB4's binding: $(lb_aftr softwire list 2>&1 | paste -sd';')"
	lb_aftr pool list 2>&1 | grep -q "$LB_PUB" || pb_fail "the load removed the pool: $(lb_aftr pool list 2>&1)"
	pb_wait_udp 5 >/dev/null || pb_fail "traffic does not flow after the lwAFTR reload"
	[ "$(grep -c "requesting a port set" "$T/pcpd-b4.log")" = "$reqs0" ] ||
		pb_fail "the lwB4 had to ask again: $(grep "requesting a port set" "$T/pcpd-b4.log" | tail -1)"
	grep -q "no binding for" "$T/pcpd-b4.log" && pb_fail "the lwB4 saw ICMPv6 1/5"
	grep -q "put back" "$PB_AFTR_LOG" &&
		pb_fail "pcpd had to put things back: $(grep "put back" "$PB_AFTR_LOG" | sed 's/^pcpd: //')"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}
