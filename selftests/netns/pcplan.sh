#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwB4's PCP server for LAN hosts (pcpd --role b4
# with lan-address, PCPC-12): h1 asks the lwB4 for MAP and PEER mappings
# with selftests/netns/lanpcp.py, a PCP client written apart from pcpd's
# codec; the internet host then comes in through the mapped ports, under
# the lwB4's address-dependent filtering. The mappings are answered from
# the lwB4's own port set (never by asking the lwAFTR), survive a restart
# of pcpd --role b4, go with their set (ANNOUNCE to the LAN, epoch
# restarted) and are refused with NETWORK_FAILURE while there is no set.
#
# This file is sourced by run.sh after pcpb4.sh (whose pb_* helpers and
# topology it uses; pb_setup with PB_B4_EXTRA turning the LAN server on);
# run.sh owns the runner and the teardown (namespaces, the private bpffs,
# the background pcpd and python processes, $T). Run alone:
#   selftests/netns/pcplan.sh [TEST...]      (V=1 for every log)
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP, filtering adf), pcpd --role b4
#  TCP server :8080               LAN PCP server 192.168.1.1:5351
#  UDP responders                 b4v ── br0 ── acc  aftr: lwAFTR (XDP), pcpd --role aftr,
#  lanpcp.py                                         pool 192.0.2.1/32, blocks of 1024
#                                                    wan ── inet 198.51.100.2 (UDP echo :7777)
#                                                                198.51.100.3 (added here)

PCPLAN_TESTS="
pcplan_map_inbound_tcp_udp
pcplan_map_port_outside_pool
pcplan_errors_and_nonce
pcplan_peer
pcplan_restart_keeps_mappings
pcplan_set_loss_announces
pcplan_no_set_network_failure
pcplan_lwb4_reload_restored
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $PCPLAN_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$PCPLAN_TESTS

TEST_IDS+=(
	[pcplan_map_inbound_tcp_udp]="PCPC-12 B4-NAT-4"
	[pcplan_map_port_outside_pool]="PCPC-12; RFC 6887 §11.1 §11.3 §13.2"
	[pcplan_errors_and_nonce]="PCPC-12; PCPS-2..5 answers on the LAN side"
	[pcplan_peer]="PCPC-12 B4-NAT-4"
	[pcplan_restart_keeps_mappings]="PCPC-12"
	[pcplan_set_loss_announces]="PCPC-12 B4-PROV-6 PCPC-11"
	[pcplan_no_set_network_failure]="PCPC-12"
	[pcplan_lwb4_reload_restored]="PCPC-12 B4-PROV-6"
)

PL_LANPCP=$ROOT/selftests/netns/lanpcp.py
PL_H1=192.168.1.10
PL_MIN_LIFE=120
PL_MAX_LIFE=3600

# ---- helpers -----------------------------------------------------------------------

# pb_setup with the LAN PCP server on (explicit lifetime bounds), the
# second remote address on the internet host, h1's servers' script.
# PL_ADDR, PL_FIRST, PL_SIZE: the lwB4's set, as `lw4o6 portset list` has it.
pl_setup()
{
	# shellcheck disable=SC2034 # read by pb_setup
	PB_B4_EXTRA=("lan-address 192.168.1.1" "lan-min-lifetime $PL_MIN_LIFE"
		"lan-max-lifetime $PL_MAX_LIFE")
	pb_setup
	PB_B4_LOG=$T/pcpd-b4.log
	ip -n "$LB_P-inet" -4 addr show dev inetv | grep -q " $LB_INET2/" ||
		check_run ip -n "$LB_P-inet" addr add "$LB_INET2/24" dev inetv
	wait_for 5 grep -q "LAN PCP server on 192.168.1.1:5351" "$PB_B4_LOG" ||
		pb_fail "pcpd --role b4 did not start its LAN PCP server"
	PL_ADDR=$(jq -r .ipv4 <<<"$PB_SET")
	PL_FIRST=$(jq -r .first <<<"$PB_SET")
	PL_SIZE=$(jq -r .size <<<"$PB_SET")
	[ "$PL_ADDR" = "$LB_PUB" ] && [ "$PL_SIZE" -gt 0 ] || pb_fail "unexpected port set $PB_SET"
	cat >"$T/h1srv.py" <<-'PY'
		import socket, sys
		proto, port = sys.argv[1], int(sys.argv[2])
		if proto == "tcp":
		    s = socket.socket()
		    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		    s.bind(("0.0.0.0", port))
		    s.listen(16)
		    while True:
		        c, peer = s.accept()
		        c.settimeout(3)
		        try:
		            data = c.recv(2048)
		            print("tcp %s:%d %s" % (peer[0], peer[1], data.decode(errors="replace").strip()), flush=True)
		            c.sendall(b"h1 tcp " + data)
		        except OSError:
		            pass
		        c.close()
		else:
		    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    s.bind(("0.0.0.0", port))
		    while True:
		        data, peer = s.recvfrom(2048)
		        print("udp %s:%d %s" % (peer[0], peer[1], data.decode(errors="replace")), flush=True)
		        s.sendto(b"h1 udp " + data, peer)
	PY
}

# pl_server PROTO PORT: a server on h1 (log $T/h1-PROTO-PORT.log), PID in $BG_PID.
pl_server()
{
	local flag=-Hltn

	[ "$1" = udp ] && flag=-Hlun
	bg "h1-$1-$2" "$LB_P-h1" python3 "$T/h1srv.py" "$1" "$2"
	wait_for 5 in_ns "$LB_P-h1" sh -c "ss $flag 'sport = :$2' | grep -q ." ||
		fail "h1's $1 server on port $2 did not start: $(cat "$T/h1-$1-$2.log")"
}

# pl_pcp ARGS...: lanpcp.py on h1, to the lwB4's LAN server; its key=value
# line goes to $PL_OUT (and the log), its exit status is returned.
pl_pcp()
{
	local rc

	echo "\$ lanpcp.py $*"
	PL_OUT=$(in_ns "$LB_P-h1" python3 "$PL_LANPCP" --server 192.168.1.1 "$@" 2>&1)
	rc=$?
	echo "  $PL_OUT"
	return "$rc"
}

# pl_kv KEY: one value of $PL_OUT
pl_kv()
{
	tr ' ' '\n' <<<"$PL_OUT" | sed -n "s/^$1=//p" | head -1
}

# pl_want RESULT [LIFETIME]: $PL_OUT has this result (and lifetime)
pl_want()
{
	[ "$(pl_kv result)" = "$1" ] || pb_fail "expected $1, got: $PL_OUT"
	[ $# -lt 2 ] || [ "$(pl_kv lifetime)" = "$2" ] ||
		pb_fail "expected $1 with lifetime $2, got: $PL_OUT"
}

# pl_granted PROTO_NUMBER INTERNAL_PORT: $PL_OUT is a SUCCESS for this
# endpoint on the lwB4's shared address, at a port of its set; sets
# PL_EXT_PORT, PL_NONCE, PL_EPOCH.
pl_granted()
{
	local ext

	pl_want SUCCESS
	ext=$(pl_kv ext)
	[ "$(pl_kv proto)" = "$1" ] && [ "$(pl_kv internal)" = "$2" ] ||
		pb_fail "the answer is not for protocol $1, internal port $2: $PL_OUT"
	[ "${ext%:*}" = "$PL_ADDR" ] || pb_fail "external address ${ext%:*}, not the lwB4's $PL_ADDR"
	PL_EXT_PORT=${ext##*:}
	in_set "$PL_EXT_PORT" "$PL_FIRST" "$PL_SIZE" ||
		pb_fail "external port $PL_EXT_PORT outside the lwB4's set $PL_FIRST/$PL_SIZE"
	PL_NONCE=$(pl_kv nonce)
	PL_EPOCH=$(pl_kv epoch)
}

# pl_inet_tcp SRC PORT TEXT: a connection from the internet host (source
# address SRC) to the shared address:PORT, TEXT sent; prints the answer or
# "error: ...".
pl_inet_tcp()
{
	in_ns "$LB_P-inet" timeout 10 python3 -c '
import socket, sys
s = socket.socket()
s.settimeout(2.5)
s.bind((sys.argv[1], 0))
try:
    s.connect((sys.argv[2], int(sys.argv[3])))
    s.sendall(sys.argv[4].encode())
    print(s.recv(2048).decode(errors="replace").strip() or "error: closed")
except OSError as e:
    print("error: %s" % e)
' "$1" "$PL_ADDR" "$2" "$3" 2>&1
}

# pl_inet_udp SRC PORT TEXT [TRIES]: datagrams from the internet host
# (source SRC) to the shared address:PORT until one is answered; prints the
# answer or "error: no answer".
pl_inet_udp()
{
	in_ns "$LB_P-inet" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.settimeout(1)
for _ in range(int(sys.argv[5])):
    s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
    try:
        print(s.recvfrom(2048)[0].decode(errors="replace")); break
    except socket.timeout:
        pass
else:
    print("error: no answer")
' "$1" "$PL_ADDR" "$2" "$3" "${4:-3}" 2>&1
}

# pl_in_ok PROTO SRC PORT TEXT: comes in and is answered by h1's server
pl_in_ok()
{
	local got

	if [ "$1" = tcp ]; then
		got=$(pl_inet_tcp "$2" "$3" "$4")
	else
		got=$(pl_inet_udp "$2" "$3" "$4")
	fi
	[ "$got" = "h1 $1 $4" ] ||
		pb_fail "$1 from $2 to $PL_ADDR:$3: expected 'h1 $1 $4' back, got '$got'"
	log "$1 from $2 to $PL_ADDR:$3: '$4' in, '$got' back"
}

# pl_session PROTO PORT: the lwB4's mapping of h1:PORT (one JSON line, or nothing)
pl_session()
{
	lb b4a sessions --json | jq -c --arg p "$1" --argjson n "$2" --arg h "$PL_H1" \
		'.sessions[] | select(.protocol == $p and ."internal-address" == $h and ."internal-port" == $n)'
}

# pl_grants: pcpd --role b4 --list-grants --json (the database)
pl_grants()
{
	"$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf" --list-grants --json 2>"$T/stderr" ||
		pb_fail "pcpd --role b4 --list-grants failed: $(cat "$T/stderr")"
}

# pl_lan_grant PROTO_NUMBER PORT: h1:PORT's LAN mapping in --list-grants (or nothing)
pl_lan_grant()
{
	pl_grants | jq -c --argjson p "$1" --arg i "$PL_H1:$2" \
		'."lan-mappings"[] | select(.protocol == $p and .internal == $i)'
}

# pl_epoch: the LAN server's epoch now (an ANNOUNCE request's answer)
pl_epoch()
{
	in_ns "$LB_P-h1" python3 "$PL_LANPCP" --server 192.168.1.1 announce 2>/dev/null |
		tr ' ' '\n' | sed -n 's/^epoch=//p'
}

# pl_wait_epoch N: until the LAN server's epoch is at least N (10 s); prints it
pl_wait_epoch()
{
	local e

	for _ in $(seq 40); do
		e=$(pl_epoch)
		[ -n "$e" ] && [ "$e" -ge "$1" ] && { echo "$e"; return 0; }
		sleep 0.25
	done
	return 1
}

# pl_wait_counter NAME BEFORE: until the lwB4's counter NAME is above BEFORE (3 s); prints it
pl_wait_counter()
{
	local v

	for _ in $(seq 30); do
		v=$(lb_stat b4a "$1")
		[ "$v" -gt "$2" ] && break
		sleep 0.1
	done
	sleep 0.2
	lb_stat b4a "$1"
}

# pl_raw HEX: one datagram of these bytes from h1 to 192.168.1.1:5351;
# prints the answer in hex, or "none" after 0.8 s.
pl_raw()
{
	in_ns "$LB_P-h1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.8)
s.sendto(bytes.fromhex(sys.argv[1]), ("192.168.1.1", 5351))
try:
    print(s.recvfrom(2048)[0].hex())
except socket.timeout:
    print("none")
' "$1" 2>&1
}

# pl_stop_all: the background processes of the test, pcpd last
pl_stop_all()
{
	local pid name

	while read -r pid name; do
		case $name in pcpd-*) ;; *) stop_bg "$pid" TERM ;; esac
	done <"$T/pids"
	stop_bg "$PB_B4_PID" TERM
	alive "$PB_B4_PID" && pb_fail "pcpd --role b4 did not stop"
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# ---- the tests ---------------------------------------------------------------------

# h1 serves TCP 8080 and UDP 5000 and maps both by PCP (PCPC-12): SUCCESS on
# the lwB4's shared address, ports of its set, lifetimes clamped to
# lan-min/max-lifetime. The internet host, which h1 never talked to, then
# comes in from two addresses: under ADF filtering (B4-NAT-4) only the MAP
# can have opened the ports (a MAP admits every remote). The lwB4 lists
# both as explicit mappings of kind map.
pcplan_map_inbound_tcp_udp()
{
	local tcp_ext udp_ext s g adf0 adf1

	pl_setup
	pl_server tcp 8080
	pl_server udp 5000
	[ -z "$(pl_session tcp 8080)$(pl_session udp 5000)" ] || pb_fail "h1 has mappings before PCP"
	adf0=$(lb_stat b4a drop-filtered-adf)

	# more than lan-max-lifetime asked: the maximum granted
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 100000 || pb_fail "no answer to the MAP"
	pl_granted 6 8080
	pl_want SUCCESS "$PL_MAX_LIFE"
	[ "$(pl_kv opcode)" = MAP ] || pb_fail "the answer is not a MAP: $PL_OUT"
	tcp_ext=$PL_EXT_PORT
	# less than lan-min-lifetime: the minimum
	pl_pcp map --proto udp --internal-port 5000 --lifetime 30 || pb_fail "no answer to the MAP"
	pl_granted 17 5000
	pl_want SUCCESS "$PL_MIN_LIFE"
	udp_ext=$PL_EXT_PORT
	log "TCP 8080 -> $PL_ADDR:$tcp_ext, UDP 5000 -> $PL_ADDR:$udp_ext (set $PL_FIRST/$PL_SIZE)"

	# the data plane: explicit mappings of kind map, with the lifetimes
	s=$(pl_session tcp 8080)
	log "lwB4 mapping: $s"
	jq -e --argjson e "$tcp_ext" --arg a "$PL_ADDR" --argjson l "$PL_MAX_LIFE" \
		'.explicit == true and ."pcp-kind" == "map" and ."external-port" == $e and
		 ."external-address" == $a and ."pcp-left-s" <= $l and ."pcp-left-s" >= $l - 10' <<<"$s" >/dev/null ||
		pb_fail "the lwB4's TCP mapping is not an explicit MAP on $PL_ADDR:$tcp_ext for ~$PL_MAX_LIFE s: $s"
	s=$(pl_session udp 5000)
	log "lwB4 mapping: $s"
	jq -e --argjson e "$udp_ext" --argjson l "$PL_MIN_LIFE" \
		'.explicit == true and ."pcp-kind" == "map" and ."external-port" == $e and
		 ."pcp-left-s" <= $l and ."pcp-left-s" >= $l - 10' <<<"$s" >/dev/null ||
		pb_fail "the lwB4's UDP mapping is not an explicit MAP on port $udp_ext for ~$PL_MIN_LIFE s: $s"
	# on disk
	g=$(pl_lan_grant 6 8080)
	[ "$(jq -r '.opcode + " " + .external' <<<"$g")" = "MAP $PL_ADDR:$tcp_ext" ] ||
		pb_fail "--list-grants: TCP mapping wrong or missing: $g"
	g=$(pl_lan_grant 17 5000)
	[ "$(jq -r '.opcode + " " + .external' <<<"$g")" = "MAP $PL_ADDR:$udp_ext" ] ||
		pb_fail "--list-grants: UDP mapping wrong or missing: $g"

	# in from the internet, from two remotes h1 never sent anything to
	pl_in_ok tcp "$LB_INET" "$tcp_ext" hello-tcp-inet
	pl_in_ok udp "$LB_INET" "$udp_ext" hello-udp-inet
	pl_in_ok tcp "$LB_INET2" "$tcp_ext" hello-tcp-inet2
	pl_in_ok udp "$LB_INET2" "$udp_ext" hello-udp-inet2
	# h1 saw the real remotes (the lwB4 translated only the destination)
	grep -q "^tcp $LB_INET:[0-9]* hello-tcp-inet\$" "$T/h1-tcp-8080.log" &&
		grep -q "^tcp $LB_INET2:[0-9]* hello-tcp-inet2\$" "$T/h1-tcp-8080.log" &&
		grep -q "^udp $LB_INET:[0-9]* hello-udp-inet\$" "$T/h1-udp-5000.log" &&
		grep -q "^udp $LB_INET2:[0-9]* hello-udp-inet2\$" "$T/h1-udp-5000.log" ||
		pb_fail "h1's servers did not see both remotes: $(cat "$T"/h1-*.log | paste -sd'|')"
	adf1=$(lb_stat b4a drop-filtered-adf)
	[ "$adf1" = "$adf0" ] || pb_fail "drop-filtered-adf went up by $((adf1 - adf0)) for mapped ports"
	# still the same two mappings, now with traffic in
	[ "$(pl_session tcp 8080 | jq '."external-port", ."packets-in" > 0' | paste -sd' ')" = "$tcp_ext true" ] ||
		pb_fail "the TCP mapping changed or counted no packet in: $(pl_session tcp 8080)"
	[ "$(pl_session udp 5000 | jq '."external-port", ."packets-in" > 0' | paste -sd' ')" = "$udp_ext true" ] ||
		pb_fail "the UDP mapping changed or counted no packet in: $(pl_session udp 5000)"
	log "pcpd --role b4: $(grep 'LAN:' "$PB_B4_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
	pl_stop_all
}

# RFC 6887 §11.3: a suggestion the server cannot honour gets another port
# (here: one inside the lwB4's set); §13.2: with PREFER_FAILURE it gets
# CANNOT_PROVIDE_EXTERNAL instead. A free suggestion inside the set is
# honoured exactly, with the address or with the all-zeros address (§11.1:
# no preference); a taken one is not. None of this asks the lwAFTR
# anything (PCPC-12: no upstream relay).
pcplan_map_port_outside_pool()
{
	local sent0 sent1 up0 up1 ag0 ag1 pick taken zero s g

	pl_setup
	sent0=$(grep -c "sent (try" "$PB_B4_LOG")
	up0=$(grep -cE "granted|renewed|deleted|MAP from" "$PB_AFTR_LOG")
	ag0=$("$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants --json) ||
		pb_fail "pcpd --role aftr --list-grants failed"
	[ "$sent0" -ge 1 ] && [ "$up0" -ge 1 ] || pb_fail "no request upstream logged at all (patterns wrong?)"

	# port 80 is outside the set: another port, inside
	pl_pcp map --proto udp --internal-port 3001 --suggest "$PL_ADDR:80" || pb_fail "no answer"
	pl_granted 17 3001
	[ "$PL_EXT_PORT" != 80 ] || pb_fail "port 80 granted outside the set"
	log "suggested $PL_ADDR:80 (outside the set): got $PL_EXT_PORT"
	# the same with PREFER_FAILURE: CANNOT_PROVIDE_EXTERNAL, nothing mapped
	pl_pcp map --proto udp --internal-port 3002 --suggest "$PL_ADDR:80" --prefer-failure || pb_fail "no answer"
	pl_want CANNOT_PROVIDE_EXTERNAL
	[ "$(pl_kv lifetime)" -gt 0 ] || pb_fail "CANNOT_PROVIDE_EXTERNAL with lifetime 0"
	[ -z "$(pl_session udp 3002)$(pl_lan_grant 17 3002)" ] || pb_fail "the refused MAP left a mapping"
	# the address is ours but not the port: the same
	pl_pcp map --proto udp --internal-port 3003 --suggest "198.51.100.77:$PL_FIRST" --prefer-failure ||
		pb_fail "no answer"
	pl_want CANNOT_PROVIDE_EXTERNAL

	# a free port inside the set: exactly that port
	pick=$((PL_FIRST + PL_SIZE / 2 + 17))
	[ -z "$(lb b4a sessions --json | jq --argjson p "$pick" '.sessions[] | select(."external-port" == $p)')" ] ||
		pb_fail "port $pick is taken before the test"
	pl_pcp map --proto udp --internal-port 3004 --suggest "$PL_ADDR:$pick" --prefer-failure || pb_fail "no answer"
	pl_granted 17 3004
	[ "$PL_EXT_PORT" = "$pick" ] || pb_fail "suggested free $PL_ADDR:$pick, got $PL_EXT_PORT"
	# ... also when the address is left to the server (::ffff:0.0.0.0)
	zero=$((pick + 1))
	pl_pcp map --proto udp --internal-port 3005 --suggest "0.0.0.0:$zero" || pb_fail "no answer"
	pl_granted 17 3005
	[ "$PL_EXT_PORT" = "$zero" ] || pb_fail "suggested free 0.0.0.0:$zero, got $PL_EXT_PORT"
	# the same port number for TCP is another endpoint: free, honoured
	pl_pcp map --proto tcp --internal-port 3006 --suggest "$PL_ADDR:$pick" || pb_fail "no answer"
	pl_granted 6 3006
	[ "$PL_EXT_PORT" = "$pick" ] || pb_fail "suggested free tcp $PL_ADDR:$pick, got $PL_EXT_PORT"
	# a taken port (UDP $pick is 3004's): another one; with PREFER_FAILURE refused
	pl_pcp map --proto udp --internal-port 3007 --suggest "$PL_ADDR:$pick" || pb_fail "no answer"
	pl_granted 17 3007
	taken=$PL_EXT_PORT
	[ "$taken" != "$pick" ] || pb_fail "UDP port $pick granted twice"
	pl_pcp map --proto udp --internal-port 3008 --suggest "$PL_ADDR:$pick" --prefer-failure || pb_fail "no answer"
	pl_want CANNOT_PROVIDE_EXTERNAL
	# no suggestion, internal port inside the set and free: kept
	pl_pcp map --proto udp --internal-port $((PL_FIRST + 9)) || pb_fail "no answer"
	pl_granted 17 $((PL_FIRST + 9))
	[ "$PL_EXT_PORT" = $((PL_FIRST + 9)) ] || pb_fail "internal port $((PL_FIRST + 9)) (in the set, free) not kept: $PL_EXT_PORT"

	# the data plane agrees: every granted endpoint, its port, no external port twice
	s=$(lb b4a sessions --json)
	for g in "3004 $pick" "3005 $zero" "3007 $taken" "$((PL_FIRST + 9)) $((PL_FIRST + 9))"; do
		set -- $g
		[ "$(jq --argjson i "$1" '.sessions[] | select(.protocol == "udp" and ."internal-port" == $i and .explicit) | ."external-port"' <<<"$s")" = "$2" ] ||
			pb_fail "the lwB4 has no explicit UDP mapping $1 -> $2"
	done
	[ -z "$(jq -r '.sessions[] | "\(.protocol) \(."external-port")"' <<<"$s" | sort | uniq -d)" ] ||
		pb_fail "an external port carries two mappings"
	[ "$(pl_grants | jq '."lan-mappings" | length')" = 6 ] || pb_fail "--list-grants: not the 6 mappings granted: $(pl_grants)"

	# nothing went upstream
	sleep 0.5
	sent1=$(grep -c "sent (try" "$PB_B4_LOG")
	up1=$(grep -cE "granted|renewed|deleted|MAP from" "$PB_AFTR_LOG")
	ag1=$("$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants --json) ||
		pb_fail "pcpd --role aftr --list-grants failed"
	[ "$sent1" = "$sent0" ] || pb_fail "pcpd --role b4 sent $((sent1 - sent0)) requests upstream during the LAN requests"
	[ "$up1" = "$up0" ] || pb_fail "pcpd --role aftr handled $((up1 - up0)) requests during the LAN requests"
	[ "$(jq -c 'del(.grants[]."expires-in")' <<<"$ag1")" = "$(jq -c 'del(.grants[]."expires-in")' <<<"$ag0")" ] &&
		[ "$(jq '.grants[0]."expires-in"' <<<"$ag1")" -le "$(jq '.grants[0]."expires-in"' <<<"$ag0")" ] ||
		pb_fail "pcpd --role aftr's grants changed: $ag0 -> $ag1"
	[ "$(lb b4a portset list --json | jq -c '."port-sets"')" = "[$PB_SET]" ] || pb_fail "the lwB4's pool changed"
	log "upstream: $sent0 requests sent by pcpd --role b4 before and after; lwAFTR grants $(jq -c .grants <<<"$ag1")"
	pl_stop_all
}

# The LAN server's answers: errors as RFC 6887 §7.4/§8.2 (PCPS-2..5
# style, the request copied, no state changed), the nonce guarding a
# mapping (§11.3: NOT_AUTHORIZED with its remaining life), renewal and
# deletion (§15), ANNOUNCE (§14.1), and datagrams that are not requests.
pcplan_errors_and_nonce()
{
	local nonce ext other life syn0 syn1 got

	pl_setup
	pl_server tcp 8080

	# protocol 0 (all protocols, all ports): not something the lwB4 maps
	pl_pcp map --protocol-number 0 --internal-port 0 || pb_fail "no answer"
	pl_want UNSUPP_PROTOCOL 1800
	# SCTP
	pl_pcp map --protocol-number 132 --internal-port 8080 || pb_fail "no answer"
	pl_want UNSUPP_PROTOCOL 1800
	[ "$(pl_kv proto)" = 132 ] && [ "$(pl_kv internal)" = 8080 ] || pb_fail "the error does not copy the request: $PL_OUT"
	# protocol 0 with a port: malformed (§11.3)
	pl_pcp map --protocol-number 0 --internal-port 8080 || pb_fail "no answer"
	pl_want MALFORMED_REQUEST 1800
	# FILTER (§13.3) is not implemented: a mandatory option, UNSUPP_OPTION
	pl_pcp map --proto tcp --internal-port 8080 --filter "$LB_INET" || pb_fail "no answer"
	pl_want UNSUPP_OPTION 1800
	# the Client IP is not the source (§8.2)
	pl_pcp map --proto tcp --internal-port 8080 --client-ip 192.168.1.99 || pb_fail "no answer"
	pl_want ADDRESS_MISMATCH 1800
	[ "$(pl_grants | jq '."lan-mappings" | length')" = 0 ] && [ -z "$(pl_session tcp 8080)" ] ||
		pb_fail "a refused request left a mapping: $(pl_grants)"

	# a mapping, its nonce
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 300 || pb_fail "no answer"
	pl_granted 6 8080
	pl_want SUCCESS 300
	nonce=$PL_NONCE ext=$PL_EXT_PORT
	pl_in_ok tcp "$LB_INET" "$ext" before-renewal
	# another nonce for the same endpoint: someone else's mapping
	sleep 1
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer"
	pl_want NOT_AUTHORIZED
	other=$(pl_kv nonce)
	[ "$other" != "$nonce" ] || pb_fail "lanpcp.py drew the same nonce twice"
	life=$(pl_kv lifetime)
	[ "$life" -le 299 ] && [ "$life" -ge 285 ] ||
		pb_fail "NOT_AUTHORIZED lifetime $life, expected the mapping's remaining life (~299 of 300 s)"
	# ... nor may it delete it
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 0 || pb_fail "no answer"
	pl_want NOT_AUTHORIZED
	[ "$(pl_session tcp 8080 | jq '."external-port"')" = "$ext" ] || pb_fail "a wrong nonce changed the mapping"
	# the right nonce renews: same port, the new lifetime
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 --nonce "$nonce" || pb_fail "no answer"
	pl_granted 6 8080
	pl_want SUCCESS 600
	[ "$PL_EXT_PORT" = "$ext" ] || pb_fail "the renewal moved the mapping from $ext to $PL_EXT_PORT"
	pl_session tcp 8080 | jq -e '."pcp-left-s" > 590' >/dev/null || pb_fail "the renewal did not reach the lwB4: $(pl_session tcp 8080)"
	[ "$(pl_lan_grant 6 8080 | jq '."expires-in" > 590')" = true ] || pb_fail "the renewal did not reach the database"

	# lifetime 0 with the right nonce deletes (§15)
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 0 --nonce "$nonce" || pb_fail "no answer"
	pl_want SUCCESS 0
	[ "$(pl_kv ext)" = "$PL_ADDR:$ext" ] || pb_fail "the delete does not answer with the deleted mapping: $PL_OUT"
	[ -z "$(pl_session tcp 8080)" ] || pb_fail "the lwB4 still has the deleted mapping: $(pl_session tcp 8080)"
	[ -z "$(pl_lan_grant 6 8080)" ] || pb_fail "--list-grants still has the deleted mapping"
	grep -q "LAN: MAP deleted $PL_H1:8080 (was $PL_ADDR:$ext)" "$PB_B4_LOG" || pb_fail "no deletion logged"
	syn0=$(lb_stat b4a drop-unsolicited-syn)
	got=$(pl_inet_tcp "$LB_INET" "$ext" after-delete)
	case $got in error:*) ;; *) pb_fail "connected to the deleted mapping's port $ext: '$got'" ;; esac
	syn1=$(pl_wait_counter drop-unsolicited-syn "$syn0")
	[ "$syn1" -gt "$syn0" ] || pb_fail "the SYN to the deleted mapping was not dropped as unsolicited"
	log "after the delete: '$got'; drop-unsolicited-syn $syn0 -> $syn1"
	# deleting what is not there: SUCCESS too
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 0 || pb_fail "no answer"
	pl_want SUCCESS 0

	# ANNOUNCE request
	pl_pcp announce || pb_fail "no answer to ANNOUNCE"
	pl_want SUCCESS 0
	[ "$(pl_kv opcode)" = ANNOUNCE ] || pb_fail "not an ANNOUNCE answer: $PL_OUT"

	# not requests (§8.2): 3 octets and an R bit are dropped; other versions
	# get UNSUPP_VERSION naming version 2
	got=$(pl_raw 020100)
	[ "$got" = none ] || pb_fail "3 octets answered: $got"
	got=$(pl_raw "0281$(printf '%044d' 0)")
	[ "$got" = none ] || pb_fail "a response (R set) answered: $got"
	got=$(pl_raw "010100000000025800000000000000000000ffffc0a8010a")
	log "version 1 request answered: $got"
	[ "${got:0:2}" = 02 ] && [ "${got:2:2}" = 81 ] && [ "${got:6:2}" = 01 ] ||
		pb_fail "version 1: expected UNSUPP_VERSION (result 1) from version 2, got '$got'"
	got=$(pl_raw 0000)
	log "NAT-PMP (version 0) request answered: $got"
	[ "${got:0:2}" = 02 ] && [ "${got:6:2}" = 01 ] || pb_fail "version 0: expected UNSUPP_VERSION, got '$got'"
	# and the server is still there
	pl_pcp announce || pb_fail "no answer to ANNOUNCE after the garbage"
	pl_want SUCCESS
	pl_stop_all
}

# RFC 6887 §12: PEER creates the mapping and admits the peer. Under ADF
# (B4-NAT-4) the internet host at the peer's address comes in from any port
# without h1 having sent anything; another address (LB_INET2) is dropped
# and counted (drop-filtered-adf).
pcplan_peer()
{
	local ext s adf0 adf1 got

	pl_setup
	pl_server udp 6000
	pl_pcp peer --proto udp --internal-port 6000 --peer "$LB_INET:$LB_ECHO_PORT" --lifetime 300 ||
		pb_fail "no answer to the PEER"
	pl_granted 17 6000
	pl_want SUCCESS 300
	[ "$(pl_kv opcode)" = PEER ] || pb_fail "not a PEER answer: $PL_OUT"
	ext=$PL_EXT_PORT
	s=$(pl_session udp 6000)
	log "lwB4 mapping: $s"
	jq -e --argjson e "$ext" --arg r "$LB_INET" \
		'.explicit == true and ."pcp-kind" == "peer" and ."external-port" == $e and .remotes == [$r]' \
		<<<"$s" >/dev/null || pb_fail "not an explicit PEER mapping on port $ext admitting $LB_INET: $s"
	[ "$(pl_lan_grant 17 6000 | jq -r '.opcode + " " + .external + " " + .peer')" = \
		"PEER $PL_ADDR:$ext $LB_INET:$LB_ECHO_PORT" ] || pb_fail "--list-grants: PEER wrong: $(pl_grants)"

	# the peer's address comes in (from another port too: address-dependent)
	adf0=$(lb_stat b4a drop-filtered-adf)
	pl_in_ok udp "$LB_INET" "$ext" from-the-peer
	grep -q "^udp $LB_INET:[0-9]* from-the-peer\$" "$T/h1-udp-6000.log" || pb_fail "h1 did not see the peer"
	[ "$(lb_stat b4a drop-filtered-adf)" = "$adf0" ] || pb_fail "the peer's datagram was filtered"
	# another remote does not
	got=$(pl_inet_udp "$LB_INET2" "$ext" not-the-peer 1)
	[ "$got" = "error: no answer" ] || pb_fail "$LB_INET2 came in through the PEER mapping: '$got'"
	adf1=$(pl_wait_counter drop-filtered-adf "$adf0")
	[ "$((adf1 - adf0))" = 1 ] || pb_fail "datagram from $LB_INET2: drop-filtered-adf went up by $((adf1 - adf0)), expected 1"
	grep -q "not-the-peer" "$T/h1-udp-6000.log" && pb_fail "h1 received the datagram from $LB_INET2"
	log "drop-filtered-adf $adf0 -> $adf1 ($LB_INET2 refused)"
	# the filter is the PEER's, not a closed port: the peer still comes in
	pl_in_ok udp "$LB_INET" "$ext" again-from-the-peer
	pl_stop_all
}

# pcpd --role b4 stops (SIGTERM) and starts again: the mapping it
# acknowledged is on disk and still in the data plane (inbound works even
# while pcpd is down), the renewal with the same nonce keeps the port, the
# nonce still guards it, and the epoch continues (RFC 6887 §8.5: no state
# was lost, so no restart).
pcplan_restart_keeps_mappings()
{
	local nonce ext e0 e1

	pl_setup
	pl_server tcp 8080
	e0=$(pl_wait_epoch 3) || pb_fail "the LAN server's epoch does not advance"
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer"
	pl_granted 6 8080
	nonce=$PL_NONCE ext=$PL_EXT_PORT e0=$PL_EPOCH
	pl_in_ok tcp "$LB_INET" "$ext" before-restart

	echo "\$ stop pcpd --role b4 (SIGTERM)"
	stop_bg "$PB_B4_PID" TERM
	alive "$PB_B4_PID" && pb_fail "pcpd --role b4 did not stop"
	[ "$(pl_lan_grant 6 8080 | jq -r .external)" = "$PL_ADDR:$ext" ] ||
		pb_fail "--list-grants with pcpd stopped: no mapping to $PL_ADDR:$ext: $(pl_grants)"
	pl_in_ok tcp "$LB_INET" "$ext" while-stopped
	PB_B4_LOG=$T/pcpd-b4-restart.log
	bg pcpd-b4-restart "$LB_P-b4a" "$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf"
	PB_B4_PID=$BG_PID
	wait_for 5 grep -q "LAN PCP server on .* 1 mappings restored" "$PB_B4_LOG" ||
		pb_fail "pcpd --role b4 did not restore the LAN mapping"
	wait_for 5 grep -q "granted" "$PB_B4_LOG" || pb_fail "pcpd --role b4 did not renew its set after the restart"
	grep -qE "epoch restarted|flushed" "$PB_B4_LOG" && pb_fail "the restart lost state"

	[ "$(pl_lan_grant 6 8080 | jq -r .external)" = "$PL_ADDR:$ext" ] || pb_fail "--list-grants lost the mapping"
	pl_session tcp 8080 | jq -e --argjson e "$ext" '.explicit and ."pcp-kind" == "map" and ."external-port" == $e' \
		>/dev/null || pb_fail "the lwB4 lost the explicit mapping: $(pl_session tcp 8080)"
	pl_in_ok tcp "$LB_INET" "$ext" after-restart
	# another nonce is still refused; ours renews, same port
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer"
	pl_want NOT_AUTHORIZED
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 900 --nonce "$nonce" || pb_fail "no answer"
	pl_granted 6 8080
	pl_want SUCCESS 900
	e1=$PL_EPOCH
	[ "$PL_EXT_PORT" = "$ext" ] || pb_fail "the renewal after the restart moved the mapping: $ext -> $PL_EXT_PORT"
	[ "$e1" -ge "$e0" ] || pb_fail "the epoch restarted: $e0 before, $e1 after"
	log "epoch $e0 before the restart, $e1 after; $PL_ADDR:$ext kept"
	pl_in_ok tcp "$LB_INET" "$ext" after-renewal
	pl_stop_all
}

# The lwAFTR loses the lwB4's binding (deleted behind its back) and, by the
# time the lwB4 asks again, grants it another set (its grant moved to the
# next block in pcpd --role aftr's database while it was stopped): h1's
# traffic draws ICMPv6 1/5, pcpd --role b4 asks again, gets the other set
# and drops the old one with its mappings (B4-PROV-6/8, PCPC-11; a set
# granted again unchanged would keep them). The LAN mapping in that set is lost:
# gone from the database and the data plane, the LAN server's epoch
# restarts and an ANNOUNCE goes to 224.0.0.1:5350 from 192.168.1.1:5351
# (PCPC-12, RFC 7648 §3.2), and unicast to port 5350 of each LAN host that
# held a mapping (issue 10): a client on a dual-stack socket connected to
# the server, as libpcp's is, never sees the multicast one. Once the set is
# back h1 maps again and the internet host comes in again.
pcplan_set_loss_announces()
{
	local nonce ext e0 psid listener libpcp ann ae got t_loss

	pl_setup
	pl_server tcp 8080
	e0=$(pl_wait_epoch 4) || pb_fail "the LAN server's epoch does not advance"
	# the set's own ANNOUNCE rounds (at start) are over
	wait_for 5 grep -q "LAN: ANNOUNCE round 3 sent" "$PB_B4_LOG" || pb_fail "the start-up ANNOUNCE rounds did not end"
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer"
	pl_granted 6 8080
	nonce=$PL_NONCE ext=$PL_EXT_PORT e0=$PL_EPOCH
	pl_in_ok tcp "$LB_INET" "$ext" before-loss

	bg announce "$LB_P-h1" python3 -u "$PL_LANPCP" listen --timeout 25 --count 1
	listener=$BG_PID
	wait_for 5 in_ns "$LB_P-h1" sh -c "ss -Hlun 'sport = :5350' | grep -q ." || pb_fail "lanpcp.py listen did not start"
	# a second mapping in the set, made the way libpcp makes it, whose
	# socket then waits for an ANNOUNCE
	bg libpcp "$LB_P-h1" python3 -u "$PL_LANPCP" --server 192.168.1.1 map --proto tcp --internal-port 8081 \
		--lifetime 600 --libpcp --wait-announce 25
	libpcp=$BG_PID
	wait_for 5 grep -q " result=SUCCESS " "$T/libpcp.log" || pb_fail "the libpcp-like MAP was not granted: $(cat "$T/libpcp.log")"
	psid=$((PL_FIRST / PL_SIZE))
	need_sqlite3
	stop_bg "$PB_AFTR_PID" TERM
	t_loss=$(date +%s)
	check_run lb_aftr softwire del --ipv4 "$PL_ADDR" --psid "$psid"
	check_run sqlite3 "$T/pcpd-aftr.db" "UPDATE grants SET psid = psid + 1 WHERE psid = $psid"
	pb_start_aftr_pcpd
	pb_wait_udp 20 >/dev/null || pb_fail "traffic did not recover after the binding was deleted"
	grep -q "removed $PL_ADDR ports $PL_FIRST-.*(the grant changed)" "$PB_B4_LOG" ||
		pb_fail "the set did not leave the pool"
	PL_FIRST=$((PL_FIRST + PL_SIZE))
	grep -q "granted $PL_ADDR ports $PL_FIRST-" "$PB_B4_LOG" || pb_fail "the next block was not granted"
	grep -q "LAN: epoch restarted (2 LAN mappings lost with their port set)" "$PB_B4_LOG" ||
		pb_fail "the LAN server did not restart its epoch for the lost mapping"
	wait_for 5 grep -q "^announce" "$T/announce.log" || pb_fail "h1 received no ANNOUNCE"
	ann=$(grep "^announce" "$T/announce.log" | head -1)
	log "h1: $ann"
	[[ $ann == *" from=192.168.1.1:5351 result=SUCCESS" ]] || pb_fail "ANNOUNCE not from 192.168.1.1:5351: $ann"
	ae=$(sed -n 's/.*epoch=\([0-9]*\).*/\1/p' <<<"$ann")
	[ "$ae" -lt "$e0" ] && [ "$ae" -le 2 ] || pb_fail "the ANNOUNCE's epoch $ae did not restart (it was $e0)"
	stop_bg "$listener" TERM
	wait_for 5 grep -q "^announce" "$T/libpcp.log" || true
	ann=$(grep "^announce" "$T/libpcp.log" | head -1)
	log "h1's libpcp-like socket: ${ann:-nothing}"
	[[ $ann == "announce epoch="*" from=192.168.1.1:5351 result=SUCCESS" ]] ||
		pb_fail "no unicast ANNOUNCE reached the dual-stack socket connected to the server: ${ann:-nothing}"
	stop_bg "$libpcp" TERM

	# the mapping is gone everywhere
	[ -z "$(pl_lan_grant 6 8080)" ] || pb_fail "--list-grants still has the lost mapping"
	[ -z "$(pl_session tcp 8080)" ] || pb_fail "the lwB4 still has the lost mapping: $(pl_session tcp 8080)"
	got=$(pl_inet_tcp "$LB_INET" "$ext" lost)
	case $got in error:*) ;; *) pb_fail "connected through the lost mapping: '$got'" ;; esac

	# h1 maps again (same nonce, its old port suggested, as §8.5 says)
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 --nonce "$nonce" --suggest "$PL_ADDR:$ext" ||
		pb_fail "no answer"
	pl_granted 6 8080
	# restarted at the loss: at most the seconds since (the old one would be
	# at least e0 more)
	[ "$PL_EPOCH" -le $(($(date +%s) - t_loss + 1)) ] ||
		pb_fail "the epoch in the new answer ($PL_EPOCH) is not the restarted one ($(($(date +%s) - t_loss)) s since the loss, $e0 before)"
	log "mapped again: $PL_ADDR:$PL_EXT_PORT (was $ext), epoch $PL_EPOCH (was $e0)"
	pl_in_ok tcp "$LB_INET" "$PL_EXT_PORT" after-loss
	pl_stop_all
}

# No set yet: pcpd --role aftr is stopped, the lwB4's set removed,
# pcpd --role b4 starts with a new database. A LAN MAP gets NETWORK_FAILURE
# with a short lifetime (RFC 6887 §7.4); when pcpd --role aftr comes back
# and the set arrives, an ANNOUNCE tells the LAN (§14.1.3) and the MAP
# succeeds.
pcplan_no_set_network_failure()
{
	local ext psid listener ann life

	pl_setup
	pl_server udp 5000
	echo "\$ stop both pcpds; remove the set from the lwB4 and the binding from the lwAFTR; new databases"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	psid=$((PL_FIRST / PL_SIZE))
	check_run lb b4a portset del --ipv4 "$PL_ADDR" --first "$PL_FIRST" --size "$PL_SIZE"
	check_run lb_aftr softwire del --ipv4 "$PL_ADDR" --psid "$psid"
	rm -f "$T"/pcpd-b4.db* "$T"/pcpd-aftr.db*
	[ "$(lb b4a portset list --json | jq '."port-sets" | length')" = 0 ] || pb_fail "the lwB4 still holds a set"
	PB_B4_LOG=$T/pcpd-b4-fresh.log
	bg pcpd-b4-fresh "$LB_P-b4a" "$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf"
	PB_B4_PID=$BG_PID
	wait_for 5 grep -q "LAN PCP server on .* 0 mappings restored" "$PB_B4_LOG" ||
		pb_fail "pcpd --role b4 did not start its LAN server"
	wait_for 5 grep -q "slot 0 sent (try 1)" "$PB_B4_LOG" || pb_fail "pcpd --role b4 does not ask for a set"

	pl_pcp map --proto udp --internal-port 5000 || pb_fail "no answer"
	pl_want NETWORK_FAILURE
	life=$(pl_kv lifetime)
	[ "$life" -gt 0 ] && [ "$life" -le 30 ] || pb_fail "NETWORK_FAILURE lifetime $life, expected a short one (<= 30 s)"
	[ -z "$(pl_session udp 5000)$(pl_lan_grant 17 5000)" ] || pb_fail "NETWORK_FAILURE left a mapping"
	grep -q "granted" "$PB_B4_LOG" && pb_fail "a set was granted with pcpd --role aftr stopped"

	bg announce "$LB_P-h1" python3 -u "$PL_LANPCP" listen --timeout 25 --count 1
	listener=$BG_PID
	wait_for 5 in_ns "$LB_P-h1" sh -c "ss -Hlun 'sport = :5350' | grep -q ." || pb_fail "lanpcp.py listen did not start"
	pb_start_aftr_pcpd
	wait_for 15 grep -q "slot 0: granted" "$PB_B4_LOG" || pb_fail "no set 15 s after pcpd --role aftr came back"
	wait_for 5 grep -q "^announce" "$T/announce.log" || pb_fail "h1 received no ANNOUNCE when the set arrived"
	ann=$(grep "^announce" "$T/announce.log" | head -1)
	log "h1: $ann"
	[[ $ann == *" from=192.168.1.1:5351 result=SUCCESS" ]] || pb_fail "ANNOUNCE not from 192.168.1.1:5351: $ann"
	stop_bg "$listener" TERM
	PB_SET=$(lb b4a portset list --json | jq -c '."port-sets"[0]')
	PL_ADDR=$(jq -r .ipv4 <<<"$PB_SET") PL_FIRST=$(jq -r .first <<<"$PB_SET") PL_SIZE=$(jq -r .size <<<"$PB_SET")
	log "the set: $PB_SET"

	pl_pcp map --proto udp --internal-port 5000 || pb_fail "no answer"
	pl_granted 17 5000
	ext=$PL_EXT_PORT
	pl_in_ok udp "$LB_INET" "$ext" after-the-set
	pl_stop_all
}

# The lwB4 data plane is loaded again under the running pcpd --role b4
# (`lw4o6 load b4`, e.g. after a configuration change): the load keeps the
# pinned maps, the PCP set and its mappings (issue 12), and rewrites the
# configuration. The LAN mapping is the same one after the load (its
# counters go on), pcpd has nothing to put back and sets the growth
# threshold again within its housekeeping interval; traffic out and in
# works without any new PCP exchange, upstream or on the LAN.
pcplan_lwb4_reload_restored()
{
	local ext sent0 in0 out

	command -v bpftool >/dev/null || skip "missing: bpftool"
	pl_setup
	pl_server tcp 8080
	pl_pcp map --proto tcp --internal-port 8080 --lifetime 600 || pb_fail "no answer"
	pl_granted 6 8080
	ext=$PL_EXT_PORT
	pl_in_ok tcp "$LB_INET" "$ext" before-reload
	in0=$(pl_session tcp 8080 | jq '."packets-in"')
	sent0=$(grep -c "slot 0 sent (try" "$PB_B4_LOG")

	echo "\$ lw4o6 load b4 (again, same configuration) under the running pcpd --role b4"
	out=$(lb b4a load b4 --lan-dev lan --wan-dev b4v --config "$T/b4a.conf" 2>&1) ||
		pb_fail "load b4 failed: $out"
	echo "$out"
	grep -q "^lwB4 reloaded: .* kept, 0 flushed" <<<"$out" || pb_fail "the load flushed mappings: $out"
	# right after the load, before pcpd's next round
	[ "$(lb b4a portset list --json | jq -c '."port-sets"[0]')" = "$PB_SET" ] ||
		pb_fail "the set left the pool: $(lb b4a portset list --json)"
	[ "$(pl_session tcp 8080 | jq -c '[."external-port", .explicit]')" = "[$ext,true]" ] ||
		pb_fail "the LAN mapping 8080 -> $ext is not kept: $(lb b4a sessions --json)"
	[ "$(pl_session tcp 8080 | jq '."packets-in"')" -ge "$in0" ] ||
		pb_fail "the LAN mapping's counters started over: $(pl_session tcp 8080)"
	pl_in_ok tcp "$LB_INET" "$ext" after-reload
	pb_wait_udp 5 >/dev/null || pb_fail "outbound traffic does not flow after the reload"
	[ "$(grep -c "slot 0 sent (try" "$PB_B4_LOG")" = "$sent0" ] ||
		pb_fail "the reload drew a new MAP upstream"
	# pcpd's grow-percent (80 by default) in the data plane again; the file says 0
	wait_for 3 sh -c "[ \"\$(bpftool -j map dump pinned $T/bpffs/b4a/lw_b4_cfg | jq '.[0].formatted.value.pool_warn_pct')\" = 80 ]" ||
		pb_fail "the lwB4's pool_warn_pct is not pcpd's 80 again after the reload"
	grep -q "is no longer in the lwB4 pool" "$PB_B4_LOG" && pb_fail "pcpd had to put the set back"
	pl_stop_all
}
