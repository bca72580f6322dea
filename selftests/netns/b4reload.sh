#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The lwB4 changed while it runs (issue 12): `lw4o6 load b4` over the running
# one keeps its mappings (a TCP session, a UDP mapping, a LAN host's PCP
# mapping) unless what they stand on changed, and `lw4o6 set KEY VALUE`
# changes a setting of the running data plane in place, with the
# configuration file's checks and messages.
#
# This file is sourced by run.sh after pcplan.sh (whose pl_* and pb_*
# helpers and topology it uses: pcpd --role aftr grants the lwB4's set,
# pcpd --role b4 serves the LAN); run.sh owns the runner and the teardown
# (namespaces, the private bpffs, the background processes, $T). Run alone:
#   selftests/netns/b4reload.sh [TEST...]    (V=1 for every log)
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP), pcpd --role b4 (LAN server)
#  TCP chat client :40001         b4v ── br0 ── acc  aftr: lwAFTR, pcpd --role aftr
#  UDP :40002, :40003                                wan ── inet 198.51.100.2 (UDP echo :7777,
#  TCP server :8080 (PCP MAP)                                    TCP echo :9000), 198.51.100.3

B4RELOAD_TESTS="
b4reload_load_keeps_mappings
b4reload_set_live
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $B4RELOAD_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$B4RELOAD_TESTS

TEST_IDS+=(
	[b4reload_load_keeps_mappings]="B4-NAT-1 B4-NAT-3 B4-PROV-6 PCPC-12"
	[b4reload_set_live]="B4-NAT-4 B4-NAT-6 B4-FRAG-4"
)

BR_TCP_PORT=9000
BR_CHAT_SPORT=40001
BR_UDP_SPORT=40002
BR_FILTER_SPORT=40003

# pl_setup and a TCP echo server on the internet host (one line back per line).
br_setup()
{
	pl_setup
	cat >"$T/tcpecho.py" <<-'PY'
		import socket, sys, threading
		s = socket.socket()
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		s.bind((sys.argv[1], int(sys.argv[2])))
		s.listen(16)
		def serve(c):
		    f = c.makefile("rb")
		    for line in f:
		        c.sendall(line)
		    c.close()
		while True:
		    c, _ = s.accept()
		    threading.Thread(target=serve, args=(c,), daemon=True).start()
	PY
	bg tcpecho "$LB_P-inet" python3 "$T/tcpecho.py" "$LB_INET" "$BR_TCP_PORT"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hltn 'sport = :$BR_TCP_PORT' | grep -q ." ||
		fail "the TCP echo did not start: $(cat "$T/tcpecho.log")"
}

# br_chat: h1's long TCP session to the echo from port $BR_CHAT_SPORT, one
# line every 50 ms until $T/chat.stop exists; its log ends "OK N" or "RESET ...".
br_chat()
{
	cat >"$T/chat.py" <<-'PY'
		import os, socket, sys, time
		s = socket.socket()
		s.bind(("0.0.0.0", int(sys.argv[3])))
		s.settimeout(5)
		n = 0
		try:
		    s.connect((sys.argv[1], int(sys.argv[2])))
		    f = s.makefile("rb")
		    print("connected", flush=True)
		    while not os.path.exists(sys.argv[4]):
		        msg = b"line %d\n" % n
		        s.sendall(msg)
		        if f.readline() != msg:
		            raise OSError("wrong echo")
		        n += 1
		        if n == 5:
		            print("exchanging", flush=True)
		        time.sleep(0.05)
		    print("OK %d" % n, flush=True)
		except OSError as e:
		    print("RESET after %d lines: %s" % (n, e), flush=True)
		    sys.exit(1)
	PY
	bg chat "$LB_P-h1" python3 "$T/chat.py" "$LB_INET" "$BR_TCP_PORT" "$BR_CHAT_SPORT" "$T/chat.stop"
	BR_CHAT_PID=$BG_PID
	wait_for 5 grep -q exchanging "$T/chat.log" || pb_fail "the TCP session did not start: $(cat "$T/chat.log")"
}

# br_udp SPORT TEXT: one exchange with the echo from h1:SPORT (3 tries).
br_udp()
{
	local out

	out=$(in_ns "$LB_P-h1" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[4])))
s.settimeout(1)
for _ in range(3):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recvfrom(2048)[0].decode()); break
    except socket.timeout:
        pass
' "$LB_INET" "$LB_ECHO_PORT" "$2" "$1" 2>&1)
	[ "$out" = "echo $2" ] || pb_fail "UDP from h1:$1: expected 'echo $2' back, got '$out'"
}

# br_field PROTO PORT FIELD: a field of h1:PORT's mapping on the lwB4
br_field()
{
	pl_session "$1" "$2" | jq -r ".\"$3\""
}

# br_load CONF: lw4o6 load b4 with CONF over the running lwB4; its
# "lwB4 reloaded: K mappings kept, F flushed (...)" line in BR_RELOAD.
br_load()
{
	local out

	echo "\$ lw4o6 load b4 --config $(basename "$1") (over the running lwB4)"
	out=$(lb b4a load b4 --lan-dev lan --wan-dev b4v --config "$1" 2>&1) ||
		pb_fail "load b4 failed: $out"
	echo "$out"
	BR_RELOAD=$(grep "^lwB4 reloaded:" <<<"$out") || pb_fail "load b4 did not say what it kept: $out"
}

# br_reload_count kept|flushed|added|removed: that number of $BR_RELOAD
br_reload_count()
{
	case $1 in
	kept) sed -n 's/^lwB4 reloaded: \([0-9]*\) mappings\{0,1\} kept.*/\1/p' <<<"$BR_RELOAD" ;;
	flushed) sed -n 's/.* kept, \([0-9]*\) flushed.*/\1/p' <<<"$BR_RELOAD" ;;
	added) sed -n 's/.* removed, \([0-9]*\) added.*/\1/p' <<<"$BR_RELOAD" ;;
	removed) sed -n 's/.* kept, \([0-9]*\) removed.*/\1/p' <<<"$BR_RELOAD" ;;
	esac
}

# ---- the tests ---------------------------------------------------------------------

# A TCP session, a UDP mapping and h1's PCP MAP (inbound TCP) go through
# three loads over the running lwB4: the same file, the file with settings
# changed (timers, MSS clamp), and a static set added. None flushes a
# mapping; each keeps every mapping there was, with its external port and
# its counters going on. A fourth load removes the static set: only the
# mapping in it (h1's port 2050, preserved there) is flushed.
b4reload_load_keeps_mappings()
{
	local n0 tcp_ext udp_ext udp_out0 pcp_ext static_ext

	br_setup
	pl_server tcp 8080
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer to h1's MAP"
	pl_granted 6 8080
	pcp_ext=$PL_EXT_PORT
	pl_in_ok tcp "$LB_INET" "$pcp_ext" before-reload
	br_chat
	br_udp "$BR_UDP_SPORT" before-reload
	tcp_ext=$(br_field tcp "$BR_CHAT_SPORT" external-port)
	udp_ext=$(br_field udp "$BR_UDP_SPORT" external-port)
	udp_out0=$(br_field udp "$BR_UDP_SPORT" packets-out)
	[ -n "$tcp_ext" ] && [ -n "$udp_ext" ] && [ "$udp_out0" -ge 1 ] ||
		pb_fail "no TCP or UDP mapping of h1: $(lb b4a sessions --json)"
	n0=$(lb b4a sessions --json | jq .count)
	log "before: $n0 mappings; TCP h1:$BR_CHAT_SPORT -> $tcp_ext, UDP h1:$BR_UDP_SPORT -> $udp_ext, PCP 8080 -> $pcp_ext"

	br_load "$T/b4a.conf"
	[ "$(br_reload_count flushed)" = 0 ] || pb_fail "the same configuration flushed mappings: $BR_RELOAD"
	[ "$(br_reload_count kept)" -ge "$n0" ] || pb_fail "fewer than the $n0 mappings kept: $BR_RELOAD"

	cp "$T/b4a.conf" "$T/b4a-settings.conf"
	printf '%s\n' "udp-timeout 200" "tcp-established-timeout 8000" "mss-clamp off" >>"$T/b4a-settings.conf"
	br_load "$T/b4a-settings.conf"
	[ "$(br_reload_count flushed)" = 0 ] || pb_fail "changed settings flushed mappings: $BR_RELOAD"
	[ "$(lb b4a status --json | jq '."udp-timeout"')" = 200 ] || pb_fail "the new udp-timeout is not in force"
	[ "$(br_field udp "$BR_UDP_SPORT" timeout-s)" = 200 ] || pb_fail "the UDP mapping's timeout is not the new 200 s"

	# a static set on another address, then a PCP mapping h1 asks for in it
	cp "$T/b4a-settings.conf" "$T/b4a-static.conf"
	echo "port-set 192.0.2.99 2048 256" >>"$T/b4a-static.conf"
	br_load "$T/b4a-static.conf"
	[ "$(br_reload_count flushed)" = 0 ] && [ "$(br_reload_count added)" = 1 ] ||
		pb_fail "adding a static set: $BR_RELOAD, expected 1 added and 0 flushed"
	# h1's port 2050 lies in the static set only: its mapping keeps it there
	# (B4-NAT-11). The lwAFTR has no binding for it; the mapping is made on
	# the way out all the same.
	in_ns "$LB_P-h1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 2050))
s.sendto(b"static", (sys.argv[1], int(sys.argv[2])))
' "$LB_INET" "$LB_ECHO_PORT" || pb_fail "h1 could not send from port 2050"
	wait_for 3 sh -c "[ -n \"\$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a sessions --json | jq -c '.sessions[] | select(.\"internal-port\" == 2050)')\" ]" ||
		pb_fail "no mapping of h1:2050"
	static_ext=$(br_field udp 2050 external-address):$(br_field udp 2050 external-port)
	[ "$static_ext" = 192.0.2.99:2050 ] || pb_fail "h1:2050's mapping is $static_ext, not in the static set"

	br_udp "$BR_UDP_SPORT" after-reloads
	[ "$(br_field udp "$BR_UDP_SPORT" external-port)" = "$udp_ext" ] ||
		pb_fail "the UDP mapping changed its external port: $(pl_session udp "$BR_UDP_SPORT")"
	[ "$(br_field udp "$BR_UDP_SPORT" packets-out)" -gt "$udp_out0" ] ||
		pb_fail "the UDP mapping's counters started over (a new mapping): $(pl_session udp "$BR_UDP_SPORT")"
	[ "$(br_field tcp "$BR_CHAT_SPORT" external-port)" = "$tcp_ext" ] ||
		pb_fail "the TCP mapping changed its external port: $(pl_session tcp "$BR_CHAT_SPORT")"
	pl_in_ok tcp "$LB_INET" "$pcp_ext" after-reloads
	[ "$(br_field tcp 8080 explicit)" = true ] || pb_fail "h1's PCP mapping is no longer explicit"

	# the static set goes: its one mapping with it, nothing else
	n0=$(lb b4a sessions --json | jq .count)
	br_load "$T/b4a-settings.conf"
	[ "$(br_reload_count flushed)" = 1 ] && [ "$(br_reload_count removed)" = 1 ] ||
		pb_fail "removing the static set: $BR_RELOAD, expected its 1 mapping flushed"
	[ "$(br_reload_count kept)" = $((n0 - 1)) ] || pb_fail "not the other $((n0 - 1)) mappings kept: $BR_RELOAD"
	[ -z "$(pl_session udp 2050)" ] || pb_fail "the mapping in the removed set is still there"

	touch "$T/chat.stop"
	wait "$BR_CHAT_PID"
	grep -q "^OK [0-9]*" "$T/chat.log" || pb_fail "the TCP session did not survive: $(cat "$T/chat.log")"
	[ "$(br_field tcp "$BR_CHAT_SPORT" external-port)" = "$tcp_ext" ] ||
		pb_fail "the TCP mapping changed its external port at the end"
	grep -q "no binding for\|is no longer in the lwB4 pool" "$PB_B4_LOG" &&
		pb_fail "pcpd --role b4 saw the set go: $(grep "no binding for\|no longer" "$PB_B4_LOG")"
	log "TCP session: $(tail -1 "$T/chat.log") lines across 4 loads; last: $BR_RELOAD"
	pl_stop_all
}

# br_set_refused KEY VALUE: lw4o6 set refuses it (exit 2), with the message
# a configuration file line "KEY VALUE" gets from lw4o6 load b4.
br_set_refused()
{
	local msg want rc

	msg=$(lb b4a set "$1" "$2" 2>&1)
	rc=$?
	[ "$rc" = 2 ] || pb_fail "set $1 '$2' exited $rc, expected 2 (usage): $msg"
	cp "$T/b4a.conf" "$T/bad.conf"
	echo "$1 $2" >>"$T/bad.conf"
	want=$(lb b4a load b4 --lan-dev lan --wan-dev b4v --config "$T/bad.conf" 2>&1 | head -1 |
		sed 's/^lw4o6: [^:]*bad.conf:[0-9]*: //')
	[ -n "$want" ] || pb_fail "load b4 accepted '$1 $2'"
	grep -qF "set: $want" <<<"$msg" || pb_fail "set $1 '$2' said '$msg', the file's line gets '$want'"
	log "set $1 '$2': $(head -1 <<<"$msg")"
}

# br_syn_mss: the MSS option of the next SYN h1 sends to the TCP echo, as
# the internet host receives it (tcpdump).
br_syn_mss()
{
	local pid

	BR_CAPS=$((${BR_CAPS:-0} + 1))
	bg "syn$BR_CAPS" "$LB_P-inet" tcpdump -lnv -i inetv -c 1 \
		"tcp dst port $BR_TCP_PORT and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0"
	pid=$BG_PID
	wait_for 5 grep -q "listening on" "$T/syn$BR_CAPS.log" || pb_fail "tcpdump did not start"
	in_ns "$LB_P-h1" timeout 5 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.close()
' "$LB_INET" "$BR_TCP_PORT" >/dev/null 2>&1
	wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
	stop_bg "$pid" TERM
	grep -o "mss [0-9]*" "$T/syn$BR_CAPS.log" | head -1 | cut -d' ' -f2
}

# lw4o6 set on the running lwB4: the timers, the filtering, the tunnel MTU
# and the MSS clamp change at once, shown by status and sessions and seen
# in traffic (an inbound datagram from another remote admitted once the
# filtering is endpoint-independent, the MSS of a SYN clamped to the new
# tunnel MTU - 80, then not clamped), with no mapping lost. Bad values are
# refused with the configuration file's messages and change nothing.
b4reload_set_live()
{
	local ext n0 got mss drops0

	command -v tcpdump >/dev/null || skip "missing: tcpdump"
	br_setup
	br_udp "$BR_UDP_SPORT" first
	n0=$(lb b4a sessions --json | jq .count)

	check_run lb b4a set udp-timeout 150
	[ "$(lb b4a status --json | jq '."udp-timeout"')" = 150 ] || pb_fail "status does not show udp-timeout 150"
	[ "$(br_field udp "$BR_UDP_SPORT" timeout-s)" = 150 ] || pb_fail "the UDP mapping's timeout is not 150 s"
	lb b4a status | grep -q "timers *UDP 150 s" || pb_fail "status (text) does not show UDP 150 s"

	br_set_refused udp-timeout 0
	br_set_refused udp-timeout soon
	br_set_refused filtering open
	br_set_refused tunnel-mtu 1000
	br_set_refused mss-clamp maybe
	got=$(lb b4a set tunnel-ipv6 2001:db8:b4::9 2>&1) && pb_fail "set tunnel-ipv6 accepted"
	grep -q "only 'lw4o6 load b4'" <<<"$got" || pb_fail "set tunnel-ipv6: '$got'"
	got=$(lb b4a set no-such-key 1 2>&1) && pb_fail "set no-such-key accepted"
	grep -q "unknown setting 'no-such-key'" <<<"$got" || pb_fail "set no-such-key: '$got'"
	[ "$(lb b4a status --json | jq -c '[."udp-timeout", ."filtering", ."tunnel-mtu", ."mss-clamp"]')" = '[150,"adf",1500,true]' ] ||
		pb_fail "a refused set changed the configuration: $(lb b4a status --json)"

	# filtering: h1 keeps a UDP socket open; the second remote comes in
	bg filterh1 "$LB_P-h1" timeout 20 python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.sendto(b"open", (sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    print("%s %s" % (peer[0], data.decode(errors="replace")))
' "$LB_INET" "$LB_ECHO_PORT" "$BR_FILTER_SPORT"
	wait_for 5 grep -q "echo open" "$T/filterh1.log" || pb_fail "h1's UDP socket got no echo"
	ext=$(br_field udp "$BR_FILTER_SPORT" external-port)
	drops0=$(lb_stat b4a drop-filtered-adf)
	lb_inet_send "$LB_INET2" 0 "$ext" adf-probe
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a stats --json | jq '.\"traffic-stat\".\"drop-filtered-adf-packets\"') -gt $drops0 ]" ||
		pb_fail "the second remote's datagram was not dropped by the ADF"
	grep -q adf-probe "$T/filterh1.log" && pb_fail "ADF let the second remote in"
	check_run lb b4a set filtering eif
	lb_inet_send "$LB_INET2" 0 "$ext" eif-probe
	wait_for 3 grep -q "^$LB_INET2 eif-probe" "$T/filterh1.log" ||
		pb_fail "after set filtering eif the second remote is still filtered: $(cat "$T/filterh1.log")"

	# the MSS clamp follows the tunnel MTU, and goes
	mss=$(br_syn_mss)
	[ "$mss" = $((1500 - 80)) ] || pb_fail "SYN MSS $mss with tunnel-mtu 1500, expected $((1500 - 80))"
	check_run lb b4a set tunnel-mtu 1400
	mss=$(br_syn_mss)
	[ "$mss" = $((1400 - 80)) ] || pb_fail "SYN MSS $mss after set tunnel-mtu 1400, expected $((1400 - 80))"
	check_run lb b4a set mss-clamp off
	mss=$(br_syn_mss)
	[ "$mss" -gt $((1400 - 80)) ] || pb_fail "SYN MSS $mss after set mss-clamp off: still clamped"
	lb b4a status | grep -q "MSS clamp off" || pb_fail "status does not show the MSS clamp off"

	[ "$(lb b4a sessions --json | jq .count)" -ge "$n0" ] || pb_fail "mappings were lost by set"
	br_udp "$BR_UDP_SPORT" last
	log "set: udp-timeout 150, filtering eif, tunnel-mtu 1400 (SYN MSS $((1400 - 80))), mss-clamp off (SYN MSS $mss)"
	pl_stop_all
}
