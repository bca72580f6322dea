#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwB4 data plane (build/lw4o6 load b4): LAN hosts
# behind two lwB4s that share one public IPv4 address with different port
# sets, the lwAFTR (static softwires for both sets), and an internet host
# with real servers.
#
# This file is sourced by run.sh, which owns the runner and the teardown
# (namespaces listed in $T/namespaces, the private bpffs, background
# processes in $T/pids, temporary files in $T). Run alone it hands its own
# tests to run.sh:
#   selftests/netns/b4.sh [TEST...]          (V=1 for every log)
#
#  h1 192.168.1.10 ─┐                                    ┌─ b4a-sw ─ b4a (lwB4 A, XDP on lan, b4v)
#  h2 192.168.1.11 ─┴─ bra (bridge, sw ns) ─ a-lan ── lan│   2001:db8:b4::1, 192.0.2.1 ports 4096-5119
#                                                        │
#  h3 192.168.2.10 ───────────── lan ─ b4b (lwB4 B) ─────┼─ b4b-sw   2001:db8:b4::2, 192.0.2.1 ports 5120-6143
#                                                        │
#                                 br0 (bridge, sw ns) ───┴─ acc-sw ─ acc  aftr ns: lwAFTR (XDP on acc, wan)
#                                                                    wan 198.51.100.1 ── inetv inet ns
#                                                                    198.51.100.2 (+ .3): HTTP, UDP echo
#
# Each lwB4 runs in its own network namespace with its own pin root under
# the test's bpffs; the lwAFTR has another. The veth ends that receive
# XDP-redirected frames (b4a-sw, b4b-sw, acc-sw, a-lan, h3's eth0, inetv)
# carry lw4o6_pass (style.md P7); the hosts send with tx checksum offload
# off (P8). The lwB4 never expires mappings itself: these tests call
# `lw4o6 expire` where an operator's cron (or, later, pcpd --role b4) would.

B4_TESTS="
b4_lan_hosts_share_public_address
b4_unsolicited_inbound_filtered
"

# Run directly: the runner with the lwB4 tests only (or the ones named).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $B4_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$B4_TESTS

TEST_IDS+=(
	[b4_lan_hosts_share_public_address]="B4-DP-1 B4-NAT-1 B4-NAT-3 B4-ICMP-1 B4-PROV-7"
	[b4_unsolicited_inbound_filtered]="B4-DP-4 B4-NAT-4 B4-NAT-5 B4-NAT-6"
)

LB_OBJ=$BUILD/bpf/lw4o6_b4.bpf.o
LB_PUB=192.0.2.1
LB_A_FIRST=4096 LB_A_SIZE=1024 LB_A_PSID=4 # psid-len 6: 1024 ports per PSID
LB_B_FIRST=5120 LB_B_SIZE=1024 LB_B_PSID=5
LB_BR=2001:db8:ffff::1
LB_INET=198.51.100.2
LB_INET2=198.51.100.3 # a second remote on the internet host (filtering)
LB_HTTP_PORT=8080
LB_ECHO_PORT=7777

# ---- helpers ---------------------------------------------------------------------

# lb_ns NAME: creates the namespace $LB_P-NAME (listed for the teardown).
lb_ns()
{
	local ns=$LB_P-$1

	echo "$ns" >>"$T/namespaces"
	check_run ip netns add "$ns"
	in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_ra=0 >/dev/null
	check_run ip -n "$ns" link set lo up
}

# lb NAME ARGS...: lw4o6 of lwB4 NAME (b4a, b4b) in its namespace and pin root.
lb()
{
	local name=$1
	shift
	in_ns "$LB_P-$name" "$LW4O6" --pin-root "$T/bpffs/$name" "$@"
}

lb_aftr()
{
	in_ns "$LB_P-aftr" "$LW4O6" --pin-root "$T/bpffs/aftr" "$@"
}

# lb_pass NS DEV: XDP_PASS program on a veth end that receives redirected frames.
lb_pass()
{
	check_run ip -n "$1" link set dev "$2" xdpdrv obj "$PASS_OBJ" sec xdp
}

# lb_host NAME ADDR GW: a LAN host, its veth end "eth0"; the peer is left in
# the host's namespace as NAME-p for the caller to place.
lb_host()
{
	lb_ns "$1"
	check_run ip -n "$LB_P-$1" link add eth0 type veth peer name "$1-p"
	check_run ip -n "$LB_P-$1" addr add "$2/24" dev eth0
	check_run ip -n "$LB_P-$1" link set eth0 up
	check_run ip -n "$LB_P-$1" route add default via "$3"
	check_run in_ns "$LB_P-$1" ethtool -K eth0 tx off
}

# lb_b4 NAME INDEX LAN_ADDR FIRST SIZE [CONF...]: an lwB4 namespace with its
# access link on br0, its tunnel address, and its LAN interface "lan"
# (created by the caller), loaded with a static port set.
lb_b4()
{
	local name=$1 i=$2 lan=$3 first=$4 size=$5 ns=$LB_P-$1 s
	shift 5

	check_run ip -n "$ns" link add b4v type veth peer name "$name-sw" netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set "$name-sw" master br0 up
	lb_pass "$LB_P-sw" "$name-sw"
	check_run ip -n "$ns" addr add "2001:db8:1::1$i/64" dev b4v nodad
	check_run ip -n "$ns" addr add "2001:db8:b4::$i/128" dev b4v nodad
	check_run ip -n "$ns" link set b4v up
	check_run ip -n "$ns" -6 route add default via 2001:db8:1::1 dev b4v
	check_run ip -n "$ns" addr add "$lan/24" dev lan
	check_run ip -n "$ns" link set lan up
	# packets handed to the kernel (next hop unresolved) are forwarded by it
	check_run in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.b4v.rp_filter=0
	{
		echo "# lwB4 $name, written by selftests/netns/b4.sh"
		echo "aftr-ipv6 $LB_BR"
		echo "tunnel-ipv6 2001:db8:b4::$i"
		echo "tunnel-mtu 1500"
		echo "lan-address $lan/24"
		echo "filtering adf"
		echo "port-set $LB_PUB $first $size"
		for s in "$@"; do echo "$s"; done
	} >"$T/$name.conf"
	log "$name.conf: $(grep -v '^#' "$T/$name.conf" | paste -sd';')"
	check_run lb "$name" load b4 --lan-dev lan --wan-dev b4v --config "$T/$name.conf"
	check_run ip -n "$LB_P-aftr" -6 route add "2001:db8:b4::$i/128" via "2001:db8:1::1$i" dev acc
}

# The whole topology of the header, servers started on the internet host.
lb_setup()
{
	local ns

	for t in "$LB_OBJ" curl python3 sha256sum; do
		[ -e "$t" ] || command -v "$t" >/dev/null || skip "missing: $t"
	done
	LB_P=${NS_AFTR%-aftr}
	mkdir "$T/bpffs"
	check_run mount -t bpf bpf "$T/bpffs"
	touch "$T/bpffs.mounted"
	for ns in sw aftr inet b4a b4b; do
		lb_ns "$ns"
	done

	# the access segment and the LAN of lwB4 A: bridges in the sw namespace
	check_run ip -n "$LB_P-sw" link add br0 type bridge
	check_run ip -n "$LB_P-sw" link add bra type bridge
	check_run ip -n "$LB_P-sw" link set br0 up
	check_run ip -n "$LB_P-sw" link set bra up

	# the lwAFTR
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
	printf '{"binding-table":{"binding-entry":[]}}\n' >"$T/aftr.json"
	check_run lb_aftr load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/aftr.json"
	check_run lb_aftr softwire add --ipv4 "$LB_PUB" --psid "$LB_A_PSID" --psid-len 6 \
		--b4 2001:db8:b4::1 --br "$LB_BR"
	check_run lb_aftr softwire add --ipv4 "$LB_PUB" --psid "$LB_B_PSID" --psid-len 6 \
		--b4 2001:db8:b4::2 --br "$LB_BR"

	# the internet host
	check_run ip -n "$LB_P-inet" addr add "$LB_INET/24" dev inetv
	check_run ip -n "$LB_P-inet" addr add "$LB_INET2/24" dev inetv
	check_run ip -n "$LB_P-inet" link set inetv up
	check_run ip -n "$LB_P-inet" route add 192.0.2.0/24 via 198.51.100.1 dev inetv
	lb_pass "$LB_P-inet" inetv
	check_run in_ns "$LB_P-inet" ethtool -K inetv tx off

	# LAN of lwB4 A: h1 and h2 on bra, lwB4 A's "lan" on bra too
	lb_host h1 192.168.1.10 192.168.1.1
	lb_host h2 192.168.1.11 192.168.1.1
	for h in h1 h2; do
		check_run ip -n "$LB_P-$h" link set "$h-p" netns "$LB_P-sw"
		check_run ip -n "$LB_P-sw" link set "$h-p" master bra up
	done
	check_run ip -n "$LB_P-b4a" link add lan type veth peer name a-lan netns "$LB_P-sw"
	check_run ip -n "$LB_P-sw" link set a-lan master bra up
	lb_pass "$LB_P-sw" a-lan
	lb_b4 b4a 1 192.168.1.1 "$LB_A_FIRST" "$LB_A_SIZE"

	# LAN of lwB4 B: h3 directly on its "lan"
	lb_host h3 192.168.2.10 192.168.2.1
	check_run ip -n "$LB_P-h3" link set h3-p netns "$LB_P-b4b" name lan
	lb_pass "$LB_P-h3" eth0
	lb_b4 b4b 2 192.168.2.1 "$LB_B_FIRST" "$LB_B_SIZE"

	# servers: HTTP with a 1 MiB file, a UDP echo
	mkdir "$T/www"
	head -c 1048576 /dev/urandom >"$T/www/blob.bin"
	LB_SUM=$(sha256sum <"$T/www/blob.bin" | cut -d' ' -f1)
	bg http "$LB_P-inet" python3 -m http.server "$LB_HTTP_PORT" --bind "$LB_INET" --directory "$T/www"
	cat >"$T/echo.py" <<-'PY'
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((sys.argv[1], int(sys.argv[2])))
		while True:
		    data, peer = s.recvfrom(2048)
		    print("%s:%d %s" % (peer[0], peer[1], data.decode(errors="replace")), flush=True)
		    s.sendto(b"echo " + data, peer)
	PY
	bg udpecho "$LB_P-inet" python3 "$T/echo.py" "$LB_INET" "$LB_ECHO_PORT"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hltn 'sport = :$LB_HTTP_PORT' | grep -q ." ||
		fail "the HTTP server did not start: $(cat "$T/http.log")"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hlun 'sport = :$LB_ECHO_PORT' | grep -q ." ||
		fail "the UDP echo did not start: $(cat "$T/udpecho.log")"
}

# lb_udp NS TEXT [SRC_PORT]: one datagram to the echo from a LAN host, the
# answer printed; fails the test when none comes back.
lb_udp()
{
	local out

	out=$(in_ns "$LB_P-$1" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 4: s.bind(("0.0.0.0", int(sys.argv[4])))
s.settimeout(2)
for _ in range(3):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recvfrom(2048)[0].decode()); break
    except socket.timeout:
        pass
' "$LB_INET" "$LB_ECHO_PORT" "$2" ${3:+"$3"} 2>&1)
	[ "$out" = "echo $2" ] || fail "UDP from $1: expected 'echo $2' back, got '$out'"
	log "UDP from $1: '$2' out, '$out' back"
}

# lb_stat NAME COUNTER: one lwB4 counter (packets).
lb_stat()
{
	lb "$1" stats --json 2>"$T/stderr" | jq -e --arg k "$2-packets" '."traffic-stat"[$k]' ||
		fail "lw4o6 stats --json of $1 has no $2-packets: $(cat "$T/stderr")"
}

# in_set PORT FIRST SIZE
in_set()
{
	[ "$1" -ge "$2" ] && [ "$1" -lt $(($2 + $3)) ]
}

# ---- the tests ---------------------------------------------------------------------

# Ping, an HTTP download and UDP both ways from the three LAN hosts; the
# internet host sees only the shared public address, with source ports and
# echo Identifiers inside the set of the lwB4 each host is behind; both
# lwB4s list their mappings.
b4_lan_hosts_share_public_address()
{
	local h got tcpd sport n=0 bad=0 name sess ports_a ports_b

	lb_setup
	bg tcpdump "$LB_P-inet" tcpdump -U -n -i inetv -w "$T/inet.pcap" "ip and not arp"
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || fail "tcpdump did not start: $(cat "$T/tcpdump.log")"

	for h in h1 h2 h3; do
		check_run in_ns "$LB_P-$h" ping -c 3 -i 0.2 -W 2 -w 10 "$LB_INET"
	done
	for h in h1 h2 h3; do
		got=$(in_ns "$LB_P-$h" curl -sS --max-time 15 "http://$LB_INET:$LB_HTTP_PORT/blob.bin" 2>"$T/curl.err" |
			sha256sum | cut -d' ' -f1)
		[ "$got" = "$LB_SUM" ] || fail "HTTP download from $h: sha256 $got, expected $LB_SUM ($(head -c 200 "$T/curl.err"))"
		log "HTTP download of 1 MiB from $h: sha256 matches"
	done
	for h in h1 h2 h3; do
		lb_udp "$h" "hello-from-$h"
	done
	# the same internal port on two hosts: two mappings, two external ports
	lb_udp h1 same-port-h1 40000
	lb_udp h2 same-port-h2 40000
	sleep 0.3
	stop_bg "$tcpd" TERM

	# every packet the internet host received comes from the public address,
	# every port / Identifier lies in one of the two sets; one awk over the
	# capture (thousands of packets: a subshell per line took over a minute)
	# "IP 192.0.2.1.4321 > 198.51.100.2.8080: ..." / "IP 192.0.2.1 > 198.51.100.2: ICMP echo request, id 4200, ..."
	tcpdump -t -nr "$T/inet.pcap" 2>/dev/null | awk -v pub="$LB_PUB" -v i1="$LB_INET" -v i2="$LB_INET2" \
		-v af="$LB_A_FIRST" -v as="$LB_A_SIZE" -v bf="$LB_B_FIRST" -v bs="$LB_B_SIZE" '
		index($4, i1) != 1 && index($4, i2) != 1 { next } # the servers own packets
		{ n++ }
		/ICMP echo request/ {
			if ($2 != pub) { print "not the public address: " $0; bad = 1; next }
			sport = $0; sub(/.* id /, "", sport); sub(/,.*/, "", sport)
		}
		!/ICMP echo request/ {
			addr = $2; sport = $2; sub(/\.[0-9]+$/, "", addr); sub(/.*\./, "", sport)
			if (addr != pub) { print "not the public address: " $0; bad = 1; next }
		}
		{
			p = sport + 0
			if (p >= af && p < af + as) { na++ }
			else if (p >= bf && p < bf + bs) { nb++ }
			else { print "port/Identifier " sport " outside both sets: " $0; bad = 1 }
		}
		END { print "n=" n + 0 " bad=" bad + 0 " b4a=" na + 0 " b4b=" nb + 0 }' >"$T/inet.check"
	grep -v '^n=' "$T/inet.check" || true
	n=$(sed -n 's/^n=\([0-9]*\) .*/\1/p' "$T/inet.check")
	bad=$(sed -n 's/.* bad=\([0-9]*\) .*/\1/p' "$T/inet.check")
	declare -A from_set=([b4a]=$(sed -n 's/.* b4a=\([0-9]*\) .*/\1/p' "$T/inet.check")
		[b4b]=$(sed -n 's/.* b4b=\([0-9]*\)$/\1/p' "$T/inet.check"))
	log "the internet host received $n packets from the LAN side"
	[ "$n" -gt 100 ] || fail "only $n packets captured on the internet host"
	[ "$bad" = 0 ] || fail "the internet host saw a private address or a port outside the sets (above)"

	# each lwB4's mappings: its own hosts, the public address, its own set
	for name in b4a b4b; do
		sess=$(check_out lb "$name" sessions --json) || exit 1
		printf '%s\n' "$sess" >"$T/$name.sessions.json"
		jq -e . "$T/$name.sessions.json" >/dev/null || fail "$name: sessions --json is not JSON"
		log "$name: $(jq -c '.sessions[] | [.protocol, "\(."internal-address"):\(."internal-port")", "\(."external-address"):\(."external-port")", ."last-out-s"]' "$T/$name.sessions.json" | paste -sd' ')"
		[ "$(jq '[.sessions[] | select(."external-address" != "'"$LB_PUB"'")] | length' "$T/$name.sessions.json")" = 0 ] ||
			fail "$name: a mapping with another external address"
	done
	for h in 192.168.1.10 192.168.1.11; do
		for p in tcp udp icmp; do
			jq -e --arg h "$h" --arg p "$p" '[.sessions[] | select(."internal-address" == $h and .protocol == $p)] | length > 0' \
				"$T/b4a.sessions.json" >/dev/null || fail "b4a: no $p mapping of $h"
		done
	done
	for p in tcp udp icmp; do
		jq -e --arg p "$p" '[.sessions[] | select(."internal-address" == "192.168.2.10" and .protocol == $p)] | length > 0' \
			"$T/b4b.sessions.json" >/dev/null || fail "b4b: no $p mapping of 192.168.2.10"
	done
	ports_a=$(jq -r '.sessions[]."external-port"' "$T/b4a.sessions.json")
	ports_b=$(jq -r '.sessions[]."external-port"' "$T/b4b.sessions.json")
	for sport in $ports_a; do
		in_set "$sport" "$LB_A_FIRST" "$LB_A_SIZE" || fail "b4a: external port $sport outside $LB_A_FIRST/$LB_A_SIZE"
	done
	for sport in $ports_b; do
		in_set "$sport" "$LB_B_FIRST" "$LB_B_SIZE" || fail "b4b: external port $sport outside $LB_B_FIRST/$LB_B_SIZE"
	done
	# B4-NAT-3: no external port twice per protocol
	[ -z "$(jq -r '.sessions[] | "\(.protocol) \(."external-port")"' "$T/b4a.sessions.json" | sort | uniq -d)" ] ||
		fail "b4a: an external port carries two mappings"
	# the two hosts' datagrams from internal port 40000: two mappings
	[ "$(jq '[.sessions[] | select(.protocol == "udp" and ."internal-port" == 40000)] | length' "$T/b4a.sessions.json")" = 2 ] ||
		fail "b4a: expected two UDP mappings of internal port 40000"
	# the data plane did the work: every packet the internet host got from
	# an lwB4's set went through that lwB4's tunnel (how many a TCP receiver
	# ACKs depends on GRO and timing: the capture is the measure); the
	# downloads came back through its LAN side
	for name in b4a b4b; do
		[ "${from_set[$name]}" -gt 0 ] || fail "$name: the internet host got nothing from its set"
		[ "$(lb_stat "$name" sent-ipv6-tunnel)" -ge "${from_set[$name]}" ] ||
			fail "$name: sent-ipv6-tunnel $(lb_stat "$name" sent-ipv6-tunnel) < the ${from_set[$name]} packets the internet host got from its set"
		[ "$(lb_stat "$name" sent-ipv4-lan)" -gt 100 ] || fail "$name: sent-ipv4-lan did not move"
		log "$name: sent-ipv6-tunnel $(lb_stat "$name" sent-ipv6-tunnel) (the internet host got ${from_set[$name]} from its set), sent-ipv4-lan $(lb_stat "$name" sent-ipv4-lan), mappings-created $(lb_stat "$name" mappings-created)"
	done
}

# lb_inet_send SRC SPORT DPORT TEXT: one datagram from the internet host to
# the public address.
lb_inet_send()
{
	log "inet $1:$2 -> $LB_PUB:$3 '$4'"
	in_ns "$LB_P-inet" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(sys.argv[5].encode(), (sys.argv[3], int(sys.argv[4])))
' "$1" "$2" "$LB_PUB" "$3" "$4" || fail "cannot send from the internet host"
}

# An unsolicited datagram to an unmapped port of lwB4 A's set is dropped
# (drop-no-mapping), one from another remote to a mapped port too under
# address-dependent filtering (drop-filtered-adf); no LAN host sees either.
# Then expiry by the timers, status, unload.
b4_unsolicited_inbound_filtered()
{
	local tcpd1 tcpd2 before after ext unmapped st n

	lb_setup
	lb_udp h1 make-a-mapping 41000
	ext=$(lb b4a sessions --json | jq -r '.sessions[] | select(.protocol == "udp" and ."internal-port" == 41000) | ."external-port"')
	[ -n "$ext" ] || fail "no mapping of 192.168.1.10:41000"
	log "192.168.1.10:41000 is mapped to $LB_PUB:$ext"
	unmapped=$LB_A_FIRST
	[ "$unmapped" = "$ext" ] && unmapped=$((LB_A_FIRST + 1))

	bg tcpdump_h1 "$LB_P-h1" tcpdump -U -n -i eth0 -w "$T/h1.pcap" udp
	tcpd1=$BG_PID
	bg tcpdump_h2 "$LB_P-h2" tcpdump -U -n -i eth0 -w "$T/h2.pcap" udp
	tcpd2=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump_h1.log" || fail "tcpdump on h1 did not start"
	wait_for 5 grep -q "listening on" "$T/tcpdump_h2.log" || fail "tcpdump on h2 did not start"

	# B4-DP-4: in the set, no mapping
	before=$(lb_stat b4a drop-no-mapping)
	lb_inet_send "$LB_INET" 5555 "$unmapped" unsolicited
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a stats --json | jq '.\"traffic-stat\".\"drop-no-mapping-packets\"') -gt $before ]"
	after=$(lb_stat b4a drop-no-mapping)
	[ "$((after - before))" = 1 ] || fail "unsolicited datagram to port $unmapped: drop-no-mapping went up by $((after - before)), expected 1"
	log "drop-no-mapping $before -> $after"

	# B4-NAT-4: mapped port, but a remote the mapping never sent to
	before=$(lb_stat b4a drop-filtered-adf)
	lb_inet_send "$LB_INET2" "$LB_ECHO_PORT" "$ext" other-remote
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a stats --json | jq '.\"traffic-stat\".\"drop-filtered-adf-packets\"') -gt $before ]"
	after=$(lb_stat b4a drop-filtered-adf)
	[ "$((after - before))" = 1 ] || fail "datagram from $LB_INET2 to mapped port $ext: drop-filtered-adf went up by $((after - before)), expected 1"
	log "drop-filtered-adf $before -> $after"

	# control: the address the mapping sent to gets through, from any port
	# (address-dependent, not address-and-port-dependent; and the captures work)
	lb_inet_send "$LB_INET" 5556 "$ext" control
	wait_for 3 sh -c "[ \$(tcpdump -nr '$T/h1.pcap' 2>/dev/null | wc -l) -ge 1 ]" ||
		fail "control datagram from $LB_INET:5556 to the mapped port did not reach h1"
	sleep 0.3
	stop_bg "$tcpd1" TERM
	stop_bg "$tcpd2" TERM
	log "h1 captured: $(tcpdump -nr "$T/h1.pcap" 2>/dev/null | paste -sd';')"
	n=$(tcpdump -nr "$T/h1.pcap" 2>/dev/null | wc -l)
	[ "$n" = 1 ] || fail "h1 received $n datagrams, expected only the control datagram"
	n=$(tcpdump -nr "$T/h2.pcap" 2>/dev/null | wc -l)
	[ "$n" = 0 ] || fail "h2 received $n datagrams, expected none"
	[ "$(lb_stat b4a sent-ipv4-lan)" -ge 2 ] || fail "sent-ipv4-lan did not count the echo and the control"

	# expiry (B4-NAT-5/6): inbound datagrams did not refresh the UDP mapping,
	# an outbound one does; then nothing is idle now or 295 s later, and
	# 305 s later the mapping has gone past its 300 s timer
	log "before the refresh: $(lb b4a sessions --json | jq -c '.sessions[] | {"last-out-s", "last-in-s", "packets-in"}')"
	lb_udp h1 refresh 41000
	log "after the refresh: $(lb b4a sessions --json | jq -c '.sessions[] | {"last-out-s", "last-in-s", "packets-in"}')"
	st=$(check_out lb b4a expire --json) || exit 1
	[ "$(jq .expired <<<"$st")" = 0 ] || fail "expire right after traffic removed $(jq .expired <<<"$st") mappings"
	st=$(check_out lb b4a expire --advance 295 --json) || exit 1
	[ "$(jq .expired <<<"$st")" = 0 ] || fail "expire at +295 s removed a mapping (UDP timer is 300 s)"
	st=$(check_out lb b4a expire --advance 305 --json) || exit 1
	log "expire --advance 305: $st"
	[ "$(jq .expired <<<"$st")" -ge 1 ] || fail "expire at +305 s removed nothing"
	[ "$(lb b4a sessions --json | jq '.count')" = 0 ] || fail "mappings left after expiry: $(lb b4a sessions --json)"
	# the freed mapping's port no longer lets the remote in
	before=$(lb_stat b4a drop-no-mapping)
	lb_inet_send "$LB_INET" 5557 "$ext" after-expiry
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a stats --json | jq '.\"traffic-stat\".\"drop-no-mapping-packets\"') -gt $before ]" ||
		fail "after expiry, a datagram to port $ext was not dropped as unmapped"

	# status and unload in the b4 role
	st=$(check_out lb b4a status --json) || exit 1
	log "status --json: $st"
	[ "$(jq -r .role <<<"$st")" = b4 ] && [ "$(jq -r '."lan-dev"' <<<"$st")" = lan ] &&
		[ "$(jq -r '."wan-dev"' <<<"$st")" = b4v ] && [ "$(jq -r '."lan-xdp-prog-id"' <<<"$st")" != 0 ] ||
		fail "status --json of b4a is wrong"
	check_run lb b4a unload
	ip -n "$LB_P-b4a" -d link show dev lan | grep -q "prog/xdp" && fail "after unload lan still has an XDP program"
	ip -n "$LB_P-b4a" -d link show dev b4v | grep -q "prog/xdp" && fail "after unload b4v still has an XDP program"
	[ -e "$T/bpffs/b4a" ] && fail "after unload $T/bpffs/b4a still exists: $(ls "$T/bpffs/b4a")"
	lb b4a status >"$T/st.out" 2>&1 && fail "status succeeds after unload"
	log "status after unload: $(cat "$T/st.out")"
	# lwB4 B and the lwAFTR are untouched
	lb_udp h3 still-working
}
