#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a lab in network namespaces with the lwAFTR data plane, real
# traffic, and a report. Nothing is left behind, whatever happens.
#
#   b4a ns (B4, 192.0.2.1 ports 4096-8191)  ─┐
#                                            ├─ access (IPv6) ─ aftr ns ─ internet (IPv4) ─ inet ns
#   b4b ns (B4, 192.0.2.1 ports 8192-12287) ─┘   lwAFTR: XDP on both        HTTP and UDP echo
#
# The lwAFTR starts with an empty binding table; pcpd --role aftr allocates
# the port sets. Each B4 asks for its set with a PCP MAP + PORT_SET request
# sent inside its softwire (build/selftests/pcpc, a scripted lwB4 PCP client),
# so both end up sharing one public IPv4 address with different sets. The B4
# hosts are build/selftests/b4tun (TUN + raw IPv6 socket of protocol 4; the
# kernel has no tunnel drivers) with their ephemeral ports kept inside the
# granted sets (b4tun has no NAPT: the lwB4 data plane is the next piece).
set -u
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build
LW4O6=$B/lw4o6
PCPD=$B/pcpd
PCPC=$B/selftests/pcpc
B4TUN=$B/selftests/b4tun
PASS_OBJ=$B/bpf/lw4o6_pass.bpf.o
P=lw4o6demo-$$
NS_AFTR=$P-aftr NS_INET=$P-inet NS_SW=$P-sw
T=$(mktemp -d /tmp/lw4o6-demo.XXXXXX)
PIN=$T/bpffs/lw4o6
BR=2001:db8:ffff::1
POOL_ADDR=192.0.2.1
INET=198.51.100.2
failures=0
declare -a NAMESPACES=()
declare -a REPORT=()

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
ok() { REPORT+=("  ok    $*"); say "  ok    $*"; }
bad() { REPORT+=("  FAIL  $*"); say "  FAIL  $*"; failures=$((failures + 1)); }
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
lw() { in_ns "$NS_AFTR" "$LW4O6" --pin-root "$PIN" "$@"; }

cleanup()
{
	local ns pid
	trap '' INT TERM
	for ns in "${NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	mountpoint -q "$T/bpffs" && umount "$T/bpffs"
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
need "$LW4O6"; need "$B4TUN"; need "$PCPD"; need "$PCPC"

mkns()
{
	ip netns add "$1" || exit 1
	NAMESPACES+=("$1")
	ip -n "$1" link set lo up
	in_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

step "building the lab"
mkdir "$T/bpffs" && mount -t bpf bpf "$T/bpffs" || exit 1
mkns "$NS_AFTR"; mkns "$NS_INET"; mkns "$NS_SW"
# the access segment: a bridge in its own namespace joins the B4s and the lwAFTR
ip -n "$NS_SW" link add br0 type bridge && ip -n "$NS_SW" link set br0 up
ip -n "$NS_AFTR" link add acc type veth peer name acc-sw netns "$NS_SW"
ip -n "$NS_SW" link set acc-sw master br0 up
# a veth delivers XDP-redirected frames only when its peer runs XDP too
ip -n "$NS_SW" link set dev acc-sw xdpdrv obj "$PASS_OBJ" sec xdp
ip -n "$NS_AFTR" link add wan type veth peer name inetv netns "$NS_INET"
in_ns "$NS_AFTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n "$NS_AFTR" addr add 2001:db8:1::1/64 dev acc nodad
ip -n "$NS_AFTR" addr add "$BR/128" dev lo
ip -n "$NS_AFTR" addr add 198.51.100.1/24 dev wan
ip -n "$NS_AFTR" link set acc up; ip -n "$NS_AFTR" link set wan up
ip -n "$NS_INET" addr add "$INET/24" dev inetv
ip -n "$NS_INET" link set inetv up
ip -n "$NS_INET" route add 192.0.2.0/24 via 198.51.100.1
ip -n "$NS_INET" link set dev inetv xdpdrv obj "$PASS_OBJ" sec xdp
in_ns "$NS_INET" ethtool -K inetv tx off >/dev/null

# B4 NAME INDEX: a B4 host with its softwire address (the TUN and b4tun come
# once PCP has said which address and ports are its)
add_b4()
{
	local name=$1 i=$2 ns=$P-$1
	mkns "$ns"
	ip -n "$ns" link add b4v type veth peer name "$name-sw" netns "$NS_SW"
	ip -n "$NS_SW" link set "$name-sw" master br0 up
	ip -n "$ns" addr add "2001:db8:1::1$i/64" dev b4v nodad
	ip -n "$ns" addr add "2001:db8:b4::$i/128" dev b4v nodad
	ip -n "$ns" link set b4v up
	ip -n "$ns" -6 route add default via 2001:db8:1::1
	ip -n "$ns" link set dev b4v xdpdrv obj "$PASS_OBJ" sec xdp
	in_ns "$ns" ethtool -K b4v tx off >/dev/null
	ip -n "$NS_AFTR" -6 route add "2001:db8:b4::$i/128" via "2001:db8:1::1$i" dev acc
}

# provision NAME INDEX: the B4 asks for a set by PCP inside its softwire,
# then brings its TUN up with what it was granted
provision()
{
	local name=$1 i=$2 ns=$P-$1 answer addr first size last t0 t1
	t0=$(date +%s%N)
	answer=$(in_ns "$ns" "$PCPC" map --b4 "2001:db8:b4::$i" --br "$BR" --size 65535 --lifetime 3600 2>&1)
	t1=$(date +%s%N)
	if ! printf '%s\n' "$answer" | grep -q 'result=SUCCESS'; then
		bad "$name: PCP MAP: $answer"
		return 1
	fi
	addr=$(printf '%s\n' "$answer" | sed -n 's/.* ipv4=\([0-9.]*\).*/\1/p')
	first=$(printf '%s\n' "$answer" | sed -n 's/.* port=\([0-9]*\).*/\1/p')
	size=$(printf '%s\n' "$answer" | sed -n 's/.* size=\([0-9]*\).*/\1/p')
	last=$((first + size - 1))
	ok "$name: PCP MAP + PORT_SET inside the softwire granted $addr ports $first-$last ($(( (t1 - t0) / 1000 )) us)"
	eval "SET_${name}_FIRST=$first SET_${name}_LAST=$last"
	in_ns "$ns" "$B4TUN" --tun tun0 --b4 "2001:db8:b4::$i" --br "$BR" --pidfile "$T/$name.pid" \
		>"$T/$name.log" 2>&1 &
	for _ in $(seq 50); do [ -s "$T/$name.pid" ] && break; sleep 0.1; done
	in_ns "$ns" sysctl -qw net.ipv6.conf.tun0.disable_ipv6=1 "net.ipv4.ip_local_port_range=$first $last"
	ip -n "$ns" addr add "$addr/32" dev tun0
	ip -n "$ns" link set tun0 mtu 1460 up
	ip -n "$ns" route add default dev tun0 src "$addr"
}
add_b4 b4a 1
add_b4 b4b 2

step "loading the lwAFTR (XDP on acc and wan) with an empty binding table, starting pcpd"
printf '{"binding-table":{"binding-entry":[]}}\n' >"$T/empty.json"
lw load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/empty.json" || exit 1
cat >"$T/pcpd.conf" <<CONF
pin-root $PIN
database $T/pcpd.db
pool $POOL_ADDR/32
block-size 4096
min-block-size 4096
max-block-size 4096
br-address $BR
icmpv4-source 198.51.100.1
announce-interface acc
CONF
in_ns "$NS_AFTR" "$PCPD" --role aftr --config "$T/pcpd.conf" >"$T/pcpd.log" 2>&1 &
for _ in $(seq 50); do grep -q serving "$T/pcpd.log" && break; sleep 0.1; done
grep -q serving "$T/pcpd.log" || { cat "$T/pcpd.log"; exit 1; }
say "  pcpd --role aftr: pool $POOL_ADDR/32 in 4096-port sets, BR $BR"

step "provisioning by PCP: each B4 asks for a port set inside its softwire"
provision b4a 1 || exit 1
provision b4b 2 || exit 1
in_ns "$NS_AFTR" "$PCPD" --role aftr --config "$T/pcpd.conf" --list-grants
lw softwire list

step "starting servers on the internet host"
mkdir -p "$T/www" && head -c 1048576 /dev/urandom >"$T/www/index.bin"
(cd "$T/www" && in_ns "$NS_INET" python3 -m http.server 8080 --bind "$INET" >"$T/http.log" 2>&1 &)
in_ns "$NS_INET" sh -c "exec nc -u -l -k $INET 7777 >$T/udp-in.log" &
for _ in $(seq 50); do in_ns "$NS_INET" ss -ltn | grep -q ":8080" && break; sleep 0.1; done
ok_http=$(sha256sum <"$T/www/index.bin" | cut -d' ' -f1)

step "traffic from each B4"
for name in b4a b4b; do
	ns=$P-$name
	# the B4 shares its address: its echo Identifier must lie in its set
	# (a lwB4 maps it there; b4tun has no NAPT, so ping is told which)
	id=$(( $(ip netns exec "$ns" sysctl -n net.ipv4.ip_local_port_range | cut -f1) + 7 ))
	if in_ns "$ns" ping -e "$id" -c 5 -i 0.2 -W 2 "$INET" >"$T/$name-ping.log" 2>&1 &&
		grep -q ' 5 received' "$T/$name-ping.log"; then
		ok "$name: ping $INET with Identifier $id, 5 of 5 answered ($(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$T/$name-ping.log" | tail -1) ms)"
	else
		bad "$name: ping $INET"
	fi
	got=$(in_ns "$ns" curl -sS --max-time 10 "http://$INET:8080/index.bin" 2>"$T/$name-curl.err" |
		sha256sum | cut -d' ' -f1)
	if [ "$got" = "$ok_http" ]; then
		ok "$name: HTTP download of 1 MiB with curl, sha256 matches"
	else
		bad "$name: HTTP download ($(head -c 200 "$T/$name-curl.err"))"
	fi
	if printf 'hello from %s\n' "$name" | in_ns "$ns" nc -u -w 1 "$INET" 7777 && sleep 0.3 &&
		grep -q "hello from $name" "$T/udp-in.log"; then
		ok "$name: UDP datagram to $INET:7777 received"
	else
		bad "$name: UDP to $INET:7777"
	fi
done

step "what the internet host saw"
ports=$(sed -n 's/.*"GET \/index.bin.*//p' "$T/http.log" >/dev/null; in_ns "$NS_INET" ss -tn state time-wait 2>/dev/null | awk 'NR>1 {print $4}' | sed 's/.*://' | sort -n | tr '\n' ' ')
say "  HTTP client addresses: $(sed -n 's/^\([0-9.]*\) - .*/\1/p' "$T/http.log" | sort -u | tr '\n' ' ')"
say "  TCP client ports seen: ${ports:-none}"
inside=1
for p in $ports; do
	if ! { [ "$p" -ge "$SET_b4a_FIRST" ] && [ "$p" -le "$SET_b4a_LAST" ]; } &&
		! { [ "$p" -ge "$SET_b4b_FIRST" ] && [ "$p" -le "$SET_b4b_LAST" ]; }; then
		inside=0
	fi
done
if [ "$inside" = 1 ] && [ -n "$ports" ]; then
	ok "every client port the internet host saw lies inside a granted set"
else
	bad "client ports outside the granted sets: $ports"
fi

spoof_port=$((SET_b4b_FIRST + 9))
step "a spoofed packet: b4a sends from port $spoof_port, which belongs to b4b"
before=$(lw stats --json | jq '.["traffic-stat"]["drop-no-source-softwire-packets"]')
in_ns "$P-b4a" "$B4TUN" --b4 2001:db8:b4::1 --br "$BR" --inject udp --src "$POOL_ADDR:$spoof_port" \
	--dst "$INET:7777" --payload spoofed >/dev/null 2>&1
sleep 0.3
after=$(lw stats --json | jq '.["traffic-stat"]["drop-no-source-softwire-packets"]')
if [ "$((after - before))" = 1 ] && ! grep -q spoofed "$T/udp-in.log"; then
	ok "dropped by the lwAFTR (drop-no-source-softwire +1), never reached the internet host"
else
	bad "spoofed packet: counter $before -> $after"
fi

step "pcpd"
in_ns "$NS_AFTR" kill -TERM "$(pgrep -f "$T/pcpd.conf" | head -1)" 2>/dev/null
sleep 0.3
sed 's/^/  /' "$T/pcpd.log"

step "lwAFTR counters"
lw stats --json | jq -r '.["traffic-stat"] | to_entries[] | select(.key | endswith("-packets")) |
	select(.value > 0) | "  \(.key | sub("-packets$"; ""))\t\(.value)"' | column -t
say ""
lw stats --softwires | sed -n '/^IPv4/,$p'

step "report"
printf '%s\n' "${REPORT[@]}"
if [ "$failures" -eq 0 ]; then
	say "demo: all ${#REPORT[@]} checks passed"
else
	say "demo: $failures of ${#REPORT[@]} checks failed"
fi
[ "$failures" -eq 0 ]
