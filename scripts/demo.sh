#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a lab in network namespaces with the lwAFTR and three lwB4s
# (all XDP), their PCP daemons, real traffic, two failovers, and a report.
# Nothing is left behind, whatever happens.
#
#  h1 192.168.1.10 ─┐
#  h2 192.168.1.11 ─┴ bra ─ b4a (lwB4, XDP; pcpd --role b4) ─┐
#  h3 192.168.2.10 ─┐                                        │
#  h4 192.168.2.11 ─┴ brb ─ b4b (lwB4, XDP; pcpd --role b4) ─┼─ br0 (IPv6 access) ─ aftr ─ inet
#  h5 192.168.3.10 ──────── b4c (lwB4, XDP; pcpd --role b4) ─┘                  lwAFTR (XDP)  198.51.100.2
#                                                               empty table, pcpd --role aftr  HTTP, UDP echo
#
# Every node starts with no binding at all: the lwAFTR's table is empty and
# the lwB4s are loaded without port sets. pcpd --role b4 asks pcpd --role aftr
# for a set (PCP MAP + PORT_SET inside the softwire); the pool is ONE IPv4
# address in 4096-port sets, so the three lwB4s share it. Then traffic from
# every LAN host, what the internet host saw, and two failovers:
#  (a) a binding deleted on the lwAFTR behind an lwB4's back (ICMPv6 1/5);
#  (b) pcpd --role aftr restarted with its database removed (ANNOUNCE).
# Between them, h2 opens an inbound TCP port through b4a's own PCP server
# (RFC 6887 MAP to its gateway 192.168.1.1:5351, served from b4a's set
# without asking the lwAFTR) and the internet host downloads from it.
set -u
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build
LW4O6=$B/lw4o6
PCPD=$B/pcpd
LANPCP=$ROOT/selftests/netns/lanpcp.py
PASS_OBJ=$B/bpf/lw4o6_pass.bpf.o
P=lw4o6demo-$$
T=$(mktemp -d /tmp/lw4o6-demo.XXXXXX)
BR=2001:db8:ffff::1
POOL_ADDR=192.0.2.1
INET=198.51.100.2
HTTP_PORT=8080
ECHO_PORT=7777
B4S="b4a b4b b4c"
HOSTS="h1 h2 h3 h4 h5"
declare -A HOST_B4=([h1]=b4a [h2]=b4a [h3]=b4b [h4]=b4b [h5]=b4c)
declare -A IDX=([b4a]=1 [b4b]=2 [b4c]=3)
declare -A SET_FIRST=() SET_SIZE=()
failures=0
declare -a NAMESPACES=()
declare -a REPORT=()

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
ok() { REPORT+=("  ok    $*"); say "  ok    $*"; }
bad() { REPORT+=("  FAIL  $*"); say "  FAIL  $*"; failures=$((failures + 1)); }
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
lw_aftr() { in_ns "$P-aftr" "$LW4O6" --pin-root "$T/bpffs/aftr" "$@"; }
lw_b4() { local n=$1; shift; in_ns "$P-$n" "$LW4O6" --pin-root "$T/bpffs/$n" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

cleanup()
{
	local ns pid
	trap '' INT TERM
	for ns in "${NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	wait 2>/dev/null
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	mountpoint -q "$T/bpffs" && umount "$T/bpffs"
	# pcpd's pin-root locks (pcpd/daemon.h) of our pin roots: their pcpds are gone
	rm -f /run/lw4o6/pcpd-*-"${T//\//%2f}"%2f*.lock
	rm -rf "$T"
	local left
	left=$(ip netns list | grep -c "^$P-" || true)
	[ "$left" = 0 ] || say "demo: $left namespaces could not be removed"
}
[ "${DEMO_KEEP:-0}" = 1 ] || trap cleanup EXIT
exec 3>&2 2>"$T/stderr.log" # job-control noise of the cleanup stays out of the report
trap 'exit 130' INT TERM

need() { [ -x "$1" ] || { say "demo: $1 is missing (run make)"; exit 1; }; }
[ "$(id -u)" = 0 ] || { say "demo: needs root (network namespaces, XDP)"; exit 1; }
need "$LW4O6"; need "$PCPD"
for t in jq curl tcpdump python3 sha256sum; do
	command -v "$t" >/dev/null || { say "demo: $t is missing"; exit 1; }
done

mkns()
{
	ip netns add "$P-$1" || exit 1
	NAMESPACES+=("$P-$1")
	ip -n "$P-$1" link set lo up
	in_ns "$P-$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.accept_ra=0
}
# a veth end that receives XDP-redirected frames needs an XDP program itself
xdp_pass() { ip -n "$P-$1" link set dev "$2" xdpdrv obj "$PASS_OBJ" sec xdp || exit 1; }

# host NAME ADDR GW: a LAN host, its veth "eth0"; the peer NAME-p stays in
# the host's namespace for the caller to place
host()
{
	mkns "$1"
	ip -n "$P-$1" link add eth0 type veth peer name "$1-p"
	ip -n "$P-$1" addr add "$2/24" dev eth0
	ip -n "$P-$1" link set eth0 up
	ip -n "$P-$1" route add default via "$3"
	in_ns "$P-$1" ethtool -K eth0 tx off >/dev/null
}

# b4 NAME INDEX LAN_ADDR: an lwB4 namespace (its "lan" created by the
# caller), its access link on br0 and its tunnel address, loaded with NO
# port set
b4()
{
	local name=$1 i=$2 lan=$3 ns=$P-$1
	ip -n "$ns" link add b4v type veth peer name "$name-sw" netns "$P-sw"
	ip -n "$P-sw" link set "$name-sw" master br0 up
	xdp_pass sw "$name-sw"
	ip -n "$ns" addr add "2001:db8:1::1$i/64" dev b4v nodad
	ip -n "$ns" addr add "2001:db8:b4::$i/128" dev b4v nodad
	ip -n "$ns" link set b4v up
	ip -n "$ns" -6 route add default via 2001:db8:1::1 dev b4v
	ip -n "$ns" addr add "$lan/24" dev lan
	ip -n "$ns" link set lan up
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.b4v.rp_filter=0
	printf '%s\n' "# lwB4 $name: no static port set, PCP provides it" "aftr-ipv6 $BR" \
		"tunnel-ipv6 2001:db8:b4::$i" "tunnel-mtu 1500" "lan-address $lan/24" "filtering adf" \
		>"$T/$name.conf"
	lw_b4 "$name" load b4 --lan-dev lan --wan-dev b4v --config "$T/$name.conf" || exit 1
	ip -n "$P-aftr" -6 route add "2001:db8:b4::$i/128" via "2001:db8:1::1$i" dev acc
	printf '%s\n' "pin-root $T/bpffs/$name" "database $T/pcpd-$name.db" "aftr-ipv6 $BR" \
		"tunnel-ipv6 2001:db8:b4::$i" "lifetime 600" "irt-ms 200" "reannounce-delay-ms 200" \
		"expire-interval 1" "lan-address $lan" >"$T/pcpd-$name.conf"
}

nsets() { lw_b4 "$1" portset list --json 2>/dev/null | jq '."port-sets" | length'; }

# udp_ok HOST TEXT: one datagram to the echo, 0 when answered within 0.3 s
udp_ok()
{
	local out
	out=$(in_ns "$P-$1" timeout 3 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
try:
    print(s.recvfrom(2048)[0].decode())
except socket.timeout:
    pass
' "$INET" "$ECHO_PORT" "$2" 2>&1)
	[ "$out" = "echo $2" ]
}

# wait_udp HOST SECONDS: datagrams until one is answered
wait_udp()
{
	local end=$(($(date +%s) + $2)) i=0
	until udp_ok "$1" "probe-$1-$i"; do
		i=$((i + 1))
		[ "$(date +%s)" -lt "$end" ] || return 1
	done
}

start_aftr_pcpd()
{
	AFTR_RUNS=$((${AFTR_RUNS:-0} + 1))
	AFTR_LOG=$T/pcpd-aftr$AFTR_RUNS.log
	# nsenter itself (not a subshell running in_ns) so that $! is pcpd's pid
	nsenter --net="/run/netns/$P-aftr" -- "$PCPD" --role aftr --config "$T/pcpd-aftr.conf" >"$AFTR_LOG" 2>&1 &
	AFTR_PID=$!
	for _ in $(seq 50); do grep -q serving "$AFTR_LOG" && return 0; sleep 0.1; done
	cat "$AFTR_LOG"
	return 1
}

# read_sets: SET_FIRST/SET_SIZE of every lwB4 from its data plane
read_sets()
{
	local name s
	for name in $B4S; do
		s=$(lw_b4 "$name" portset list --json | jq -c '."port-sets"[0] // empty')
		SET_FIRST[$name]=$(jq -r '.first // empty' <<<"$s")
		SET_SIZE[$name]=$(jq -r '.size // empty' <<<"$s")
		SET_ADDR[$name]=$(jq -r '.ipv4 // empty' <<<"$s")
	done
}
declare -A SET_ADDR=()
set_str() { echo "${SET_ADDR[$1]} ports ${SET_FIRST[$1]}-$((${SET_FIRST[$1]} + ${SET_SIZE[$1]} - 1))"; }
in_set() { [ -n "${SET_FIRST[$2]}" ] && [ "$1" -ge "${SET_FIRST[$2]}" ] && [ "$1" -lt "$((${SET_FIRST[$2]} + ${SET_SIZE[$2]}))" ]; }

step "building the lab"
mkdir "$T/bpffs" && mount -t bpf bpf "$T/bpffs" || exit 1
for n in sw aftr inet $B4S; do mkns "$n"; done
for br in br0 bra brb; do ip -n "$P-sw" link add "$br" type bridge && ip -n "$P-sw" link set "$br" up; done

# the lwAFTR, its binding table empty
ip -n "$P-aftr" link add acc type veth peer name acc-sw netns "$P-sw"
ip -n "$P-sw" link set acc-sw master br0 up
xdp_pass sw acc-sw
ip -n "$P-aftr" link add wan type veth peer name inetv netns "$P-inet"
in_ns "$P-aftr" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip -n "$P-aftr" addr add 2001:db8:1::1/64 dev acc nodad
ip -n "$P-aftr" addr add "$BR/128" dev lo
ip -n "$P-aftr" addr add 198.51.100.1/24 dev wan
ip -n "$P-aftr" link set acc up
ip -n "$P-aftr" link set wan up
in_ns "$P-aftr" sysctl -qw net.ipv4.conf.acc.rp_filter=0 net.ipv4.conf.wan.rp_filter=0
printf '{"binding-table":{"binding-entry":[]}}\n' >"$T/aftr.json"
lw_aftr load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/aftr.json" || exit 1

# the internet host
ip -n "$P-inet" addr add "$INET/24" dev inetv
ip -n "$P-inet" link set inetv up
ip -n "$P-inet" route add 192.0.2.0/24 via 198.51.100.1 dev inetv
xdp_pass inet inetv
in_ns "$P-inet" ethtool -K inetv tx off >/dev/null

# lwB4 A: h1, h2 on bra; lwB4 B: h3, h4 on brb; lwB4 C: h5 on its "lan"
host h1 192.168.1.10 192.168.1.1
host h2 192.168.1.11 192.168.1.1
host h3 192.168.2.10 192.168.2.1
host h4 192.168.2.11 192.168.2.1
host h5 192.168.3.10 192.168.3.1
for h in h1 h2; do ip -n "$P-$h" link set "$h-p" netns "$P-sw"; ip -n "$P-sw" link set "$h-p" master bra up; done
for h in h3 h4; do ip -n "$P-$h" link set "$h-p" netns "$P-sw"; ip -n "$P-sw" link set "$h-p" master brb up; done
ip -n "$P-b4a" link add lan type veth peer name a-lan netns "$P-sw"
ip -n "$P-sw" link set a-lan master bra up
xdp_pass sw a-lan
ip -n "$P-b4b" link add lan type veth peer name b-lan netns "$P-sw"
ip -n "$P-sw" link set b-lan master brb up
xdp_pass sw b-lan
ip -n "$P-h5" link set h5-p netns "$P-b4c" name lan
xdp_pass h5 eth0
b4 b4a 1 192.168.1.1
b4 b4b 2 192.168.2.1
b4 b4c 3 192.168.3.1
say "  3 lwB4s (XDP on lan and b4v, no port set), 5 LAN hosts, lwAFTR (XDP on acc and wan, empty table)"

step "servers on the internet host: HTTP (1 MiB file), UDP echo, tcpdump"
mkdir "$T/www" && head -c 1048576 /dev/urandom >"$T/www/blob.bin"
SUM=$(sha256sum <"$T/www/blob.bin" | cut -d' ' -f1)
# http.server's own server_bind asks DNS for the host's name (getfqdn); the
# lab has no DNS, and behind an lwB4 the query waits seconds for its timeout
cat >"$T/httpd.py" <<'PY'
import functools, http.server, socketserver, sys
class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])
Server((sys.argv[1], int(sys.argv[2])), handler).serve_forever()
PY
in_ns "$P-inet" python3 "$T/httpd.py" "$INET" "$HTTP_PORT" "$T/www" >"$T/http.log" 2>&1 &
cat >"$T/echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    print("%s %d %s" % (peer[0], peer[1], data.decode(errors="replace")), flush=True)
    s.sendto(b"echo " + data, peer)
PY
in_ns "$P-inet" python3 "$T/echo.py" "$INET" "$ECHO_PORT" >"$T/echo.log" 2>&1 &
nsenter --net="/run/netns/$P-inet" -- tcpdump -U -n -i inetv -w "$T/inet.pcap" "ip and not arp" >"$T/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
for _ in $(seq 50); do
	in_ns "$P-inet" sh -c "ss -Hltn 'sport = :$HTTP_PORT' | grep -q . && ss -Hlun 'sport = :$ECHO_PORT' | grep -q ." &&
		grep -q "listening on" "$T/tcpdump.log" && break
	sleep 0.1
done
grep -q "listening on" "$T/tcpdump.log" || { say "demo: tcpdump did not start"; exit 1; }
say "  http.server $INET:$HTTP_PORT (sha256 ${SUM:0:16}...), UDP echo $INET:$ECHO_PORT, tcpdump on inetv"

step "PCP: pcpd --role aftr (pool $POOL_ADDR/32 in 4096-port sets), pcpd --role b4 on every lwB4"
printf '%s\n' "pin-root $T/bpffs/aftr" "database $T/pcpd-aftr.db" "br-address $BR" \
	"pool $POOL_ADDR/32" "block-size 4096" "min-block-size 4096" "max-block-size 4096" \
	"icmpv4-source 198.51.100.1" >"$T/pcpd-aftr.conf"
start_aftr_pcpd || exit 1
declare -A T0=()
for name in $B4S; do
	T0[$name]=$(now_ms)
	nsenter --net="/run/netns/$P-$name" -- "$PCPD" --role b4 --config "$T/pcpd-$name.conf" >"$T/pcpd-$name.log" 2>&1 &
done
declare -A TOOK=()
end=$(($(date +%s) + 10))
while [ "${#TOOK[@]}" -lt 3 ] && [ "$(date +%s)" -lt "$end" ]; do
	for name in $B4S; do
		[ -z "${TOOK[$name]:-}" ] && [ "$(nsets "$name")" = 1 ] && TOOK[$name]=$(($(now_ms) - ${T0[$name]}))
	done
	sleep 0.02
done
read_sets
for name in $B4S; do
	if [ -n "${TOOK[$name]:-}" ] && [ "${SET_ADDR[$name]}" = "$POOL_ADDR" ] && [ "${SET_SIZE[$name]}" = 4096 ]; then
		ok "$name (2001:db8:b4::${IDX[$name]}) obtained $(set_str "$name") by PCP in ${TOOK[$name]} ms"
	else
		bad "$name obtained no port set by PCP in 10 s: $(tail -5 "$T/pcpd-$name.log" | paste -sd'|')"
	fi
done
if [ "$(printf '%s\n' "${SET_FIRST[@]}" | sort -u | grep -c .)" = 3 ]; then
	ok "one public address, three disjoint port sets"
else
	bad "the sets are not disjoint: ${SET_FIRST[*]}"
fi
[ "$failures" = 0 ] || exit 1
say "  the lwAFTR's binding table, written by pcpd --role aftr:"
lw_aftr softwire list | sed 's/^/    /'

step "traffic from every LAN host"
for h in $HOSTS; do
	if in_ns "$P-$h" ping -c 3 -i 0.2 -W 2 -w 10 "$INET" >"$T/$h-ping.log" 2>&1; then
		ok "$h (${HOST_B4[$h]}): ping $INET, $(grep -o '[0-9]* received' "$T/$h-ping.log") of 3"
	else
		bad "$h: ping $INET: $(tail -2 "$T/$h-ping.log" | paste -sd' ')"
	fi
	got=$(in_ns "$P-$h" curl -sS --max-time 15 "http://$INET:$HTTP_PORT/blob.bin" 2>"$T/curl.err" |
		sha256sum | cut -d' ' -f1)
	if [ "$got" = "$SUM" ]; then
		ok "$h (${HOST_B4[$h]}): HTTP download of 1 MiB with curl, sha256 matches"
	else
		bad "$h: HTTP download: $(head -c 200 "$T/curl.err")"
	fi
	if wait_udp "$h" 3; then
		ok "$h (${HOST_B4[$h]}): UDP echo answered"
	else
		bad "$h: UDP echo not answered"
	fi
done
sleep 0.3
kill -TERM "$TCPDUMP_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null

step "what the internet host saw (tcpdump -w, read back)"
declare -A SEEN=() LO=() HI=()
sets=""
for name in $B4S; do sets+="$name:${SET_FIRST[$name]:-}:${SET_SIZE[$name]:-} "; done
# one awk over the capture: the packets to $INET, their source address and
# port (or echo Identifier), the lwB4 whose set holds it
tcpdump -t -nr "$T/inet.pcap" 2>/dev/null | awk -v inet="$INET" -v pool="$POOL_ADDR" -v sets="$sets" '
	BEGIN {
		ns = split(sets, S, " ")
		for (i = 1; i <= ns; i++) { split(S[i], f, ":"); name[i] = f[1]; first[i] = f[2]; size[i] = f[3] }
	}
	index($4, inet ".") != 1 && $4 != inet ":" { next } # the servers own packets
	{
		addr = $2; port = $2
		if ($0 ~ /ICMP echo request/) { port = $0; sub(/.* id /, "", port); sub(/,.*/, "", port) }
		else { sub(/\.[0-9]+$/, "", addr); sub(/.*\./, "", port) }
		n++; addrs[addr] = 1; owner = ""; p = port + 0
		for (i = 1; i <= ns; i++)
			if (first[i] != "" && p >= first[i] && p < first[i] + size[i]) owner = name[i]
		if (addr != pool || owner == "") { stray++; if (stray <= 3) print "outside " $0; next }
		seen[owner]++
		if (!(owner in lo) || p < lo[owner]) lo[owner] = p
		if (!(owner in hi) || p > hi[owner]) hi[owner] = p
	}
	END {
		a = ""; for (x in addrs) a = a " " x
		print "count " n + 0 " " stray + 0 a
		for (o in seen) print "set " o " " seen[o] " " lo[o] " " hi[o]
	}' >"$T/inet.seen"
n=0 stray=0 ADDRS=""
while read -r kind a b c d rest; do
	case $kind in
	outside) say "  outside: $a $b $c $d $rest" ;;
	count) n=$a stray=$b ADDRS="$c${d:+ $d}${rest:+ $rest}" ;;
	set) SEEN[$a]=$b LO[$a]=$c HI[$a]=$d ;;
	esac
done <"$T/inet.seen"
say "  $n packets to $INET, source addresses: $ADDRS"
for name in $B4S; do say "  $name's set $(set_str "$name"): ${SEEN[$name]:-0} packets, ports/Identifiers ${LO[$name]:-none}-${HI[$name]:-none}"; done
if [ "$n" -gt 100 ] && [ "$stray" = 0 ]; then
	ok "the internet host saw only $POOL_ADDR, every port inside a granted set ($n packets)"
else
	bad "$stray of $n packets with another address or a port outside every set"
fi
# per lwB4: its own mappings (the data plane's NAPT table) hold only ports of its set,
# and the echo server saw each host's datagrams from a port of its own lwB4's set
for name in $B4S; do
	sess=$(lw_b4 "$name" sessions --json)
	wrong=$(jq --arg a "$POOL_ADDR" '[.. | objects | select(has("external-port")) |
		select(."external-address" != $a)] | length' <<<"$sess")
	cnt=0
	for p in $(jq -r '.. | objects | select(has("external-port")) | ."external-port"' <<<"$sess"); do
		cnt=$((cnt + 1)); in_set "$p" "$name" || wrong=$((wrong + 1))
	done
	for h in $HOSTS; do
		[ "${HOST_B4[$h]}" = "$name" ] || continue
		for p in $(awk -v h="probe-$h-" 'index($3, h) == 1 {print $2}' "$T/echo.log"); do
			cnt=$((cnt + 1)); in_set "$p" "$name" || wrong=$((wrong + 1))
		done
	done
	if [ "$cnt" -gt 0 ] && [ "$wrong" = 0 ]; then
		ok "$name: its NAPT mappings and the echo server's view of its hosts' datagrams: $cnt ports, all in its own set"
	else
		bad "$name: $wrong of $cnt mappings/datagrams outside its set"
	fi
done

step "inbound: h2 opens a TCP port through b4a's LAN PCP server"
head -c 262144 /dev/urandom >"$T/www/h2.bin"
H2SUM=$(sha256sum <"$T/www/h2.bin" | cut -d' ' -f1)
in_ns "$P-h2" python3 "$T/httpd.py" 192.168.1.11 8000 "$T/www" >"$T/h2-http.log" 2>&1 &
for _ in $(seq 50); do in_ns "$P-h2" sh -c "ss -Hltn 'sport = :8000' | grep -q ." && break; sleep 0.1; done
say "  h2: an HTTP server on 8000; \$ lanpcp.py map --server 192.168.1.1 --proto tcp --internal-port 8000"
MAPOUT=$(in_ns "$P-h2" python3 "$LANPCP" map --server 192.168.1.1 --proto tcp --internal-port 8000 --lifetime 3600 2>&1)
say "    $MAPOUT"
EXT=$(sed -n 's/.* ext=\([0-9.]*:[0-9]*\).*/\1/p' <<<"$MAPOUT")
EXT_PORT=${EXT##*:}
if [[ $MAPOUT == *"result=SUCCESS"* ]] && [ "${EXT%:*}" = "$POOL_ADDR" ] && in_set "$EXT_PORT" b4a; then
	ok "h2: PCP MAP to b4a: TCP 192.168.1.11:8000 is reachable at $EXT, a port of b4a's set ($(sed -n 's/.*\(lifetime=[0-9]*\).*/\1/p' <<<"$MAPOUT") s)"
else
	bad "h2: PCP MAP to b4a failed: $MAPOUT"
fi
if [ -n "$EXT_PORT" ]; then
	t0=$(now_ms)
	got=$(in_ns "$P-inet" curl -sS --max-time 10 "http://$EXT/h2.bin" 2>"$T/curl-in.err" | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$H2SUM" ]; then
		ok "inet: curl http://$EXT/h2.bin reached h2 through the lwAFTR and b4a (256 KiB, sha256 matches, $(($(now_ms) - t0)) ms)"
	else
		bad "inet: inbound download from $EXT failed: $(head -c 200 "$T/curl-in.err")"
	fi
fi
ups=$(grep -c "slot [0-9]*: requesting a port set" "$T/pcpd-b4a.log")
say "  b4a: $(lw_b4 b4a status | grep -E '^port set|^pool usage' | paste -sd';' | tr -s ' ')"
say "  b4a: $(lw_b4 b4a sessions | awk 'NR == 1 || / map,/' | tail -n +2 | tr -s ' ' | head -2 | paste -sd';')"
say "  pcpd --role b4 --list-grants on b4a:"
in_ns "$P-b4a" "$PCPD" --role b4 --config "$T/pcpd-b4a.conf" --list-grants | sed 's/^/    /'

step "failover (a): b4b's binding deleted on the lwAFTR behind its back"
psid=$((${SET_FIRST[b4b]} / ${SET_SIZE[b4b]}))
t0=$(now_ms)
lw_aftr softwire del --ipv4 "$POOL_ADDR" --psid "$psid"
say "  \$ lw4o6 softwire del --ipv4 $POOL_ADDR --psid $psid"
if wait_udp h3 20; then
	ms=$(($(now_ms) - t0))
	RECOVERY_A="$ms ms"
	ok "b4b: ICMPv6 1/5 -> re-request -> h3's UDP echo answered again $ms ms after the delete"
else
	RECOVERY_A="not recovered"
	bad "b4b: h3's traffic did not recover in 20 s"
fi
if grep -q "no binding for" "$T/pcpd-b4b.log" && grep -q "recovered from NO_BINDING" "$T/pcpd-b4b.log"; then
	ok "pcpd --role b4 on b4b: $(grep -o 'the lwAFTR has no binding.*' "$T/pcpd-b4b.log" | tail -1); $(grep -o 'recovered from NO_BINDING in [0-9]* ms' "$T/pcpd-b4b.log" | tail -1)"
else
	bad "pcpd --role b4 on b4b did not see the NO_BINDING event"
fi
read_sets
say "  b4b now holds $(set_str b4b)"

step "failover (b): pcpd --role aftr restarted with its database removed"
declare -A ANN0=()
for name in $B4S; do ANN0[$name]=$(grep -c "recovered from ANNOUNCE" "$T/pcpd-$name.log"); done
kill -KILL "$AFTR_PID"; wait "$AFTR_PID" 2>/dev/null
rm -f "$T/pcpd-aftr.db" "$T/pcpd-aftr.db-wal" "$T/pcpd-aftr.db-shm"
say "  \$ kill -KILL pcpd --role aftr; rm its database; start it again"
t0=$(now_ms)
start_aftr_pcpd || bad "pcpd --role aftr did not restart"
end=$(($(date +%s) + 20))
declare -A BACK=()
while [ "${#BACK[@]}" -lt 3 ] && [ "$(date +%s)" -lt "$end" ]; do
	for name in $B4S; do
		[ -n "${BACK[$name]:-}" ] && continue
		[ "$(grep -c "recovered from ANNOUNCE" "$T/pcpd-$name.log")" -gt "${ANN0[$name]}" ] &&
			[ "$(nsets "$name")" = 1 ] && BACK[$name]=$(($(now_ms) - t0))
	done
	sleep 0.02
done
flows=1
for h in h1 h3 h5; do wait_udp "$h" 10 || { flows=0; bad "$h: no traffic after the ANNOUNCE"; }; done
ms=$(($(now_ms) - t0))
read_sets
for name in $B4S; do
	if [ -n "${BACK[$name]:-}" ]; then
		ok "$name: ANNOUNCE -> re-request -> $(set_str "$name") back ${BACK[$name]} ms after the restart ($(grep -o 'recovered from ANNOUNCE in [0-9]* ms' "$T/pcpd-$name.log" | tail -1))"
	else
		bad "$name: no re-request after the ANNOUNCE: $(tail -3 "$T/pcpd-$name.log" | paste -sd'|')"
	fi
done
if [ "$flows" = 1 ] && [ "${#BACK[@]}" = 3 ]; then
	RECOVERY_B="$ms ms"
	ok "all three lwB4s have their sets back and UDP from h1, h3, h5 is answered $ms ms after the restart"
else
	RECOVERY_B="not recovered"
fi
if [ -n "${EXT_PORT:-}" ]; then
	got=$(in_ns "$P-inet" curl -sS --max-time 10 "http://$EXT/h2.bin" 2>"$T/curl-in.err" | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$H2SUM" ] && [ "$(grep -c "slot [0-9]*: requesting a port set" "$T/pcpd-b4a.log")" -gt "$ups" ]; then
		ok "h2's inbound port $EXT still works after b4a re-requested its set (the LAN mapping was kept with the set)"
	else
		bad "h2's inbound port $EXT after the ANNOUNCE: $(head -c 200 "$T/curl-in.err")"
	fi
fi
grants=$(in_ns "$P-aftr" "$PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants 2>&1)
if [ "$(grep -c '2001:db8:b4::' <<<"$grants")" = 3 ]; then
	ok "the restarted pcpd --role aftr holds three grants again"
else
	bad "the restarted pcpd --role aftr holds: $grants"
fi
say "$grants" | sed 's/^/    /'

step "counters"
counters() { jq -r '."traffic-stat" | to_entries[] | select(.key | endswith("-packets")) |
	select(.value > 0) | "\(.key | sub("-packets$"; ""))\t\(.value)"' | column -t | sed 's/^/    /'; }
say "  lwAFTR:"
lw_aftr stats --json | counters
for name in $B4S; do
	say "  $name ($(set_str "$name")):"
	lw_b4 "$name" stats --json | counters
done

step "pcpd --role b4 logs (grants, events)"
for name in $B4S; do
	grep -E 'granted|removed|no binding|ANNOUNCE|recovered|LAN: MAP' "$T/pcpd-$name.log" | sed "s/^pcpd: //; s/^/  $name: /"
done

step "report"
say "  port sets:"
for name in $B4S; do say "    $name  2001:db8:b4::${IDX[$name]}  $(set_str "$name")  (first grant in ${TOOK[$name]:-?} ms)"; done
say "  inbound: h2 192.168.1.11:8000 (TCP) at ${EXT:-none} by PCP MAP to b4a's LAN server"
say "  recovery: (a) binding deleted -> UDP answered again: ${RECOVERY_A:-?}"
say "            (b) pcpd --role aftr restart -> all sets back, traffic flows: ${RECOVERY_B:-?}"
printf '%s\n' "${REPORT[@]}"
if [ "$failures" -eq 0 ]; then
	say "demo: all ${#REPORT[@]} checks passed"
else
	say "demo: $failures of ${#REPORT[@]} checks failed"
fi
[ "$failures" -eq 0 ]
