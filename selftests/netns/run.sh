#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwAFTR in network namespaces (`make netns`), in the
# style of xdp-tools' lib/testing/test_runner.sh: ALL_TESTS lists shell
# functions, each runs in a subshell with its own topology, check_run/fail/skip
# end it, exit code 249 means skipped, and an EXIT trap tears everything down
# whether the test passed or not.
#
#   b4 ns                          aftr ns                          inet ns
#   b4tun ── tun0 192.0.2.10       lw4o6 (XDP, native) on acc, wan
#   b4v 2001:db8:1::2/64    ──── acc 2001:db8:1::1/64
#       2001:db8:b4::10/128        lo  2001:db8:ffff::1 (BR)
#                                  wan 198.51.100.1/24      ──── inetv 198.51.100.2/24
#
# The kernel has no ip6tnl/ipip/sit drivers: the B4 is build/selftests/b4tun,
# a TUN device plus a raw AF_INET6/IPPROTO_IPIP socket. The veth peers that
# receive XDP-redirected frames (b4v, inetv) carry the lw4o6_pass program
# (style.md P7) and send with tx checksum offload off (P8).
#
# Pins: each test mounts its own bpffs under its temporary directory and
# passes `lw4o6 --pin-root` pointing into it; lw4o6 runs in the aftr network
# namespace through `nsenter --net`, which leaves /sys and the mounts alone
# (`ip netns exec` would remount /sys). The teardown unmounts it.
#
# Each test runs in the background under a watchdog (TEST_TIMEOUT seconds);
# SIGINT/SIGTERM stop the current test, tear it down, skip the rest and still
# print the closing line.
#
# The PCP tests (pcpd --role aftr driven by build/selftests/pcpc from inside
# the softwire) live in selftests/netns/pcpd.sh, which this script sources:
# they use the same topology, with an empty binding table that pcpd fills.
#
# Usage: selftests/netns/run.sh [TEST...]
#   V=1               print every test's log, not only the failures'
#   DEBUG_TESTENV=1   on a failure, open a shell in the test's environment
#                     (on a terminal) before tearing it down
# Closing line: "netns: N passed, N failed, N skipped". A passing test's last
# "NOTE: ..." line (measurements) is shown after its PASS.

set -u
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LW4O6=$BUILD/lw4o6
B4TUN=$BUILD/selftests/b4tun
PASS_OBJ=$BUILD/bpf/lw4o6_pass.bpf.o
V=${V:-0}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}
DEBUG_TESTENV=${DEBUG_TESTENV:-0}
SKIPPED_TEST=249

# ---- the test list -----------------------------------------------------------

ALL_TESTS="
ping_b4_inet_both_ways
tcp_port_set_both_ways
udp_port_set_both_ways
spoofed_source_port_dropped
unbound_destination_port_dropped
counters_match_traffic
aftr_own_addresses_answer
status_and_unload
"

# RFC checklist IDs (standards.md §10) each test checks.
declare -A TEST_IDS=(
	[ping_b4_inet_both_ways]="AFTR-DECAP-2 AFTR-DECAP-7 AFTR-ENCAP-1 AFTR-ENCAP-6 AFTR-ICMP-1"
	[tcp_port_set_both_ways]="AFTR-DECAP-2 AFTR-ENCAP-1 PSID-2"
	[udp_port_set_both_ways]="AFTR-DECAP-2 AFTR-ENCAP-1 PSID-2"
	[spoofed_source_port_dropped]="AFTR-DECAP-2 AFTR-DECAP-3"
	[unbound_destination_port_dropped]="AFTR-ENCAP-1 AFTR-ENCAP-2"
	[counters_match_traffic]="AFTR-GEN-3 AFTR-DECAP-2 AFTR-ENCAP-1"
	[aftr_own_addresses_answer]="XDP_PASS of ARP, ND, ICMP echo"
	[status_and_unload]="lw4o6 status/unload"
)

# the PCP server tests: they add themselves to ALL_TESTS and TEST_IDS
# shellcheck source=selftests/netns/pcpd.sh
. "$(dirname "${BASH_SOURCE[0]}")/pcpd.sh"

# fragments through pcpd --role aftr's slow path, both ways
# shellcheck source=selftests/netns/aftrfrag.sh
. "$(dirname "${BASH_SOURCE[0]}")/aftrfrag.sh"

# the next-hop cache pcpd keeps: route changes followed within 100 ms, the
# FIB when pcpd is gone (issue 11)
# shellcheck source=selftests/netns/nexthop.sh
. "$(dirname "${BASH_SOURCE[0]}")/nexthop.sh"

# what the lwAFTR must refuse: frames made by hand from the internet and the
# access side (issue 10)
# shellcheck source=selftests/netns/airtight.sh
. "$(dirname "${BASH_SOURCE[0]}")/airtight.sh"

# softwire import is all or nothing (issue 11)
# shellcheck source=selftests/netns/import.sh
. "$(dirname "${BASH_SOURCE[0]}")/import.sh"

# instances: failed loads leave nothing, one instance per interface, loads
# over a running lwAFTR lose nothing (issue 12)
# shellcheck source=selftests/netns/instances.sh
. "$(dirname "${BASH_SOURCE[0]}")/instances.sh"

# the lwB4 tests (two lwB4s sharing an address, LAN hosts, the lwAFTR):
# they add themselves to ALL_TESTS and TEST_IDS, and build their own topology
# shellcheck source=selftests/netns/b4.sh
. "$(dirname "${BASH_SOURCE[0]}")/b4.sh"
# shellcheck source=selftests/netns/pcpb4.sh
. "$(dirname "${BASH_SOURCE[0]}")/pcpb4.sh"
# the lwB4's pool (growth, give-back, renewal, PCPC-7) and its LAN PCP server,
# on pcpb4.sh's topology (pb_setup)
# shellcheck source=selftests/netns/pcpb4pool.sh
. "$(dirname "${BASH_SOURCE[0]}")/pcpb4pool.sh"
# shellcheck source=selftests/netns/pcplan.sh
. "$(dirname "${BASH_SOURCE[0]}")/pcplan.sh"
# shellcheck source=selftests/netns/pcpb4slow.sh
. "$(dirname "${BASH_SOURCE[0]}")/pcpb4slow.sh"
# the lwB4 loaded again and set while it runs, its mappings kept (issue 12),
# on pcplan.sh's helpers
# shellcheck source=selftests/netns/b4reload.sh
. "$(dirname "${BASH_SOURCE[0]}")/b4reload.sh"
# hitless operation under traffic, on b4.sh's and pcpb4.sh's helpers
# shellcheck source=selftests/netns/hitless.sh
. "$(dirname "${BASH_SOURCE[0]}")/hitless.sh"

# ---- addresses (documentation ranges only) -----------------------------------

B4_LINK6=2001:db8:1::2
AFTR_LINK6=2001:db8:1::1
B4_IPV6=2001:db8:b4::10
B4_OTHER_IPV6=2001:db8:b4::11 # a second subscriber that exists only in the table
BR_IPV6=2001:db8:ffff::1
B4_IPV4=192.0.2.10
POOL4=192.0.2.0/24
AFTR_WAN4=198.51.100.1
INET4=198.51.100.2
TUN_MTU=1460 # 1500 on the access link minus the IPv6 header

# ---- plumbing ------------------------------------------------------------------

die()
{
	echo "netns: $*" >&2
	exit 1
}

# Inside a test: end it.
fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

skip()
{
	echo "SKIP: $*" >&2
	exit "$SKIPPED_TEST"
}

log()
{
	echo "# $*"
}

# Runs a command, logging it; a non-zero status fails the test.
check_run()
{
	local out rc

	echo "\$ $*"
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  /'
	[ "$rc" -eq 0 ] || fail "command failed (status $rc): $*"
}

# Like check_run, but the output goes to stdout for the caller to capture.
check_out()
{
	local out rc

	out=$("$@" 2>"$T/stderr")
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "\$ $*" >&2
		sed 's/^/  /' "$T/stderr" >&2
		echo "FAIL: command failed (status $rc): $*" >&2
		exit 1
	fi
	printf '%s\n' "$out"
}

# in_ns NS CMD...: the network namespace only; mounts (and the pins) stay ours.
in_ns()
{
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

aftr_lw4o6()
{
	in_ns "$NS_AFTR" "$LW4O6" --pin-root "$PIN_ROOT" "$@"
}

# wait_for SECONDS CMD...: polls every 0.1 s until CMD succeeds.
wait_for()
{
	local tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# bg NAME NS CMD...: starts CMD in the background in namespace NS, output in
# $T/NAME.log; the PID goes to $T/pids for the teardown and to $BG_PID.
bg()
{
	local name=$1 ns=$2
	shift 2
	nsenter --net="/run/netns/$ns" -- "$@" >"$T/$name.log" 2>&1 &
	BG_PID=$!
	echo "$BG_PID $name" >>"$T/pids"
}

# alive PID: the process exists and is not a zombie (a process whose parent
# has gone stays a zombie until init reaps it).
alive()
{
	local state

	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# stop_bg PID [SIGNAL]: stops one background process (KILL after 3 s) and
# reaps it if it is ours.
stop_bg()
{
	local pid=$1 sig=${2:-TERM} i

	if alive "$pid"; then
		kill -s "$sig" "$pid" 2>/dev/null
		for i in $(seq 30); do
			alive "$pid" || break
			sleep 0.1
		done
		alive "$pid" && kill -s KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# ---- topology ------------------------------------------------------------------

# setup_env ENTRY...: builds b4 ── aftr ── inet, loads the lwAFTR with a
# binding table of the given entries (see sw_entry; none: an empty table),
# starts b4tun. The first entry is the B4 that b4tun plays.
setup_env()
{
	local entries ns

	CONFIG=$T/bt.json

	mkdir "$T/bpffs"
	check_run mount -t bpf bpf "$T/bpffs"
	touch "$T/bpffs.mounted"

	for ns in "$NS_B4" "$NS_AFTR" "$NS_INET"; do
		echo "$ns" >>"$T/namespaces"
		check_run ip netns add "$ns"
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_ra=0 >/dev/null
		check_run ip -n "$ns" link set lo up
	done

	check_run ip -n "$NS_B4" link add b4v type veth peer name acc netns "$NS_AFTR"
	check_run ip -n "$NS_AFTR" link add wan type veth peer name inetv netns "$NS_INET"

	# the B4 host: softwire address and a route to the BR over the access link
	check_run ip -n "$NS_B4" addr add "$B4_LINK6/64" dev b4v nodad
	check_run ip -n "$NS_B4" addr add "$B4_IPV6/128" dev b4v nodad
	check_run ip -n "$NS_B4" link set b4v up
	check_run ip -n "$NS_B4" -6 route add default via "$AFTR_LINK6" dev b4v

	# the lwAFTR: forwarding, BR address on lo, routes to the B4s
	check_run in_ns "$NS_AFTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	check_run ip -n "$NS_AFTR" addr add "$AFTR_LINK6/64" dev acc nodad
	check_run ip -n "$NS_AFTR" addr add "$BR_IPV6/128" dev lo
	check_run ip -n "$NS_AFTR" addr add "$AFTR_WAN4/24" dev wan
	check_run ip -n "$NS_AFTR" link set acc up
	check_run ip -n "$NS_AFTR" link set wan up
	check_run in_ns "$NS_AFTR" sysctl -qw net.ipv4.conf.acc.rp_filter=0 net.ipv4.conf.wan.rp_filter=0
	check_run ip -n "$NS_AFTR" -6 route add 2001:db8:b4::/64 via "$B4_LINK6" dev acc

	# the internet host: the pool is behind the lwAFTR
	check_run ip -n "$NS_INET" addr add "$INET4/24" dev inetv
	check_run ip -n "$NS_INET" link set inetv up
	check_run ip -n "$NS_INET" route add "$POOL4" via "$AFTR_WAN4" dev inetv

	# P7: the receivers of redirected frames need an XDP program; P8: senders
	# must not leave checksums to an offload that XDP-redirected frames lose.
	check_run ip -n "$NS_B4" link set dev b4v xdpdrv obj "$PASS_OBJ" sec xdp
	check_run ip -n "$NS_INET" link set dev inetv xdpdrv obj "$PASS_OBJ" sec xdp
	check_run in_ns "$NS_B4" ethtool -K b4v tx off
	check_run in_ns "$NS_INET" ethtool -K inetv tx off

	# the binding table, RFC 8676 JSON
	entries=$(IFS=,; echo "$*")
	printf '{"binding-table":{"binding-entry":[%s]}}\n' "$entries" >"$CONFIG"
	log "config: $(cat "$CONFIG")"
	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"

	# SETUP_B4TUN=0: the caller starts b4tun itself (the PCP tests learn the
	# B4's IPv4 address from pcpd first)
	[ "${SETUP_B4TUN:-1}" = 1 ] && start_b4tun
	return 0
}

# sw_entry IPV4 PSID_LEN PSID B4_IPV6: one binding-entry.
sw_entry()
{
	printf '{"binding-ipv6info":"%s","binding-ipv4-addr":"%s","port-set":{"psid-offset":0,"psid-len":%s,"psid":%s},"br-ipv6-addr":"%s"}' \
		"$4" "$1" "$2" "$3" "$BR_IPV6"
}

start_b4tun()
{
	bg b4tun "$NS_B4" "$B4TUN" --tun tun0 --b4 "$B4_IPV6" --br "$BR_IPV6" --pidfile "$T/b4tun.pid" -v
	if ! wait_for 5 test -s "$T/b4tun.pid"; then
		cat "$T/b4tun.log"
		fail "b4tun did not start (no pidfile after 5 s)"
	fi
	check_run in_ns "$NS_B4" sysctl -qw net.ipv6.conf.tun0.disable_ipv6=1
	check_run ip -n "$NS_B4" addr add "$B4_IPV4/32" dev tun0
	check_run ip -n "$NS_B4" link set tun0 mtu "$TUN_MTU" up
	check_run ip -n "$NS_B4" route add default dev tun0 src "$B4_IPV4"
}

# Restricts the B4's ephemeral ports to its set (no NAPT in b4tun).
set_port_range()
{
	check_run in_ns "$NS_B4" sysctl -qw net.ipv4.ip_local_port_range="$1 $2"
}

# The EXIT trap of every test, in the runner's subshell: works from the
# files in $T (the test itself ran in a child process), so it also cleans up
# after a test that was killed.
teardown_env()
{
	local rc=$? pid name ns left namespaces=()

	# a second signal must not cut the teardown short
	trap '' INT TERM
	[ -n "${T:-}" ] && [ -d "$T" ] || exit "$rc"
	[ -f "$T/namespaces" ] && mapfile -t namespaces <"$T/namespaces"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne "$SKIPPED_TEST" ] && [ "$DEBUG_TESTENV" = 1 ] &&
		{ : </dev/tty; } 2>/dev/null; then
		echo "DEBUG_TESTENV: namespaces ${namespaces[*]}, pins $PIN_ROOT, files $T" >/dev/tty
		echo "DEBUG_TESTENV: e.g. nsenter --net=/run/netns/$NS_AFTR $LW4O6 --pin-root $PIN_ROOT stats" >/dev/tty
		echo "DEBUG_TESTENV: exit the shell to tear down" >/dev/tty
		bash -i </dev/tty >/dev/tty 2>&1
	fi
	set +e
	# background processes the test started, by PID (normally gone already)
	stop_all_bg
	[ -f "$T/b4tun.log" ] && sed -n 's/^b4tun: stopped: /b4tun: /p' "$T/b4tun.log"
	# anything still running inside our namespaces was started by this test
	for ns in "${namespaces[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			echo "teardown: killing leftover PID $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)) in $ns"
			kill -KILL "$pid" 2>/dev/null
		done
	done
	# deleting the namespaces removes the veths and with them the XDP attachments
	for ns in "${namespaces[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		ip netns del "$ns" || echo "teardown: cannot delete namespace $ns"
	done
	# pcpd's pin-root locks (pcpd/daemon.h) of pin roots under $T, whose
	# pcpds are gone
	rm -f /run/lw4o6/pcpd-*-"${T//\//%2f}"%2f*.lock
	# unmounting the bpffs drops the pins and with them the maps
	if [ -f "$T/bpffs.mounted" ]; then
		umount "$T/bpffs" || echo "teardown: cannot unmount $T/bpffs"
	fi
	rm -rf "$T"

	# verify: nothing of this test is left
	left=""
	for ns in "${namespaces[@]}"; do
		[ -e "/run/netns/$ns" ] && left+=" namespace $ns;"
	done
	grep -q " $T/bpffs " /proc/mounts && left+=" bpffs mount $T/bpffs;"
	compgen -G "/run/lw4o6/pcpd-*-${T//\//%2f}%2f*.lock" >/dev/null && left+=" pcpd lock files in /run/lw4o6;"
	[ -e "$T" ] && left+=" directory $T;"
	if [ -n "$left" ]; then
		echo "FAIL: teardown left behind:$left"
		[ "$rc" -eq 0 ] && rc=1
	fi
	exit "$rc"
}

# ---- reading counters ------------------------------------------------------------

# stats_json FILE: saves `lw4o6 stats --softwires --json` (and checks it is JSON).
stats_json()
{
	aftr_lw4o6 stats --softwires --json >"$1" 2>"$T/stderr" ||
		fail "lw4o6 stats --softwires --json failed: $(cat "$T/stderr")"
	jq -e . "$1" >/dev/null 2>&1 || fail "lw4o6 stats --json printed invalid JSON: $(head -c 300 "$1")"
}

# tstat FILE NAME: one traffic-stat value, e.g. tstat s.json rcvd-ipv6-packets
tstat()
{
	jq -e --arg k "$2" '."traffic-stat"[$k]' "$1" 2>/dev/null ||
		fail "lw4o6 stats --json has no traffic-stat \"$2\""
}

# sw_stat FILE IPV4 PSID FIELD: one per-softwire counter
sw_stat()
{
	jq -e --arg a "$2" --argjson p "$3" --arg k "$4" \
		'.softwires[] | select(."binding-ipv4-addr" == $a and ."port-set".psid == $p) | .[$k]' \
		"$1" 2>/dev/null || fail "lw4o6 stats --softwires --json has no $4 for softwire $2 psid $3"
}

# wait_stat BEFORE AFTER NAME N: takes snapshots into AFTER until NAME has
# gone up by at least N since BEFORE (at most 5 s), then one more after a
# moment, so that a count above N is seen too.
wait_stat()
{
	local i

	for i in $(seq 50); do
		stats_json "$2"
		[ "$(delta "$1" "$2" "$3")" -ge "$4" ] && break
		sleep 0.1
	done
	sleep 0.2
	stats_json "$2"
}

# delta BEFORE AFTER NAME
delta()
{
	echo $(($(tstat "$2" "$3") - $(tstat "$1" "$3")))
}

# expect_eq WHAT GOT WANT
expect_eq()
{
	if [ "$2" != "$3" ]; then
		echo "mismatch: $1: got $2, expected $3"
		MISMATCH=1
	else
		log "$1 = $2"
	fi
}

# ---- the tests ---------------------------------------------------------------------

# ping_ttl63 NS DST: 5 echoes, all answered, each reply with TTL 64 - 1: it
# crossed the lwAFTR once (AFTR-DECAP-7 on the way to the internet, the
# encapsulation hop on the way to the B4). The first packet each way meets an
# unresolved neighbour and is forwarded by the kernel, which must not change
# that: on decapsulation the kernel decrements the TTL instead of the
# program, on encapsulation the program decrements it before handing over.
ping_ttl63()
{
	local out ttls

	echo "\$ ping -c 5 $2 (in $1)"
	out=$(in_ns "$1" ping -c 5 -i 0.2 -W 2 -w 10 "$2" 2>&1)
	printf '%s\n' "$out" | sed 's/^/  /'
	printf '%s\n' "$out" | grep -q " 5 received" || fail "ping $2 from $1: not all 5 echoes answered"
	ttls=$(printf '%s\n' "$out" | sed -n 's/.*icmp_seq=\([0-9]*\) ttl=\([0-9]*\).*/\2/p' | sort -u)
	[ "$ttls" = 63 ] || fail "ping $2 from $1: replies arrived with TTL $(echo $ttls), expected 63 (64 minus the lwAFTR hop)"
}

# A whole-address softwire (psid-len 0) owns every ICMP identifier: echo both
# ways must work (B4 → internet: decapsulation; internet → B4 public address:
# the echo request's Identifier is looked up, echo policy "identifier").
ping_b4_inet_both_ways()
{
	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"

	ping_ttl63 "$NS_B4" "$INET4"
	ping_ttl63 "$NS_INET" "$B4_IPV4"
	# larger echoes: the inner packet fills the tunnel MTU (1460 + 40 = 1500)
	check_run in_ns "$NS_B4" ping -c 2 -i 0.2 -W 2 -w 10 -M do -s $((TUN_MTU - 28)) "$INET4"
	check_run in_ns "$NS_INET" ping -c 2 -i 0.2 -W 2 -w 10 -M do -s $((TUN_MTU - 28)) "$B4_IPV4"
}

# TCP from a port in the B4's set (psid-len 6, psid 3 → 3072-4095), 256 KiB each
# way, compared byte for byte.
tcp_port_set_both_ways()
{
	local srv cli

	setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")" "$(sw_entry "$B4_IPV4" 6 4 "$B4_OTHER_IPV6")"
	set_port_range 3072 4095
	head -c 262144 /dev/urandom >"$T/to_b4"
	head -c 262144 /dev/urandom >"$T/to_inet"

	bg tcp_server "$NS_INET" timeout 30 sh -c "exec nc -N -l $INET4 5001 <'$T/to_b4' >'$T/got_inet'"
	srv=$BG_PID
	wait_for 5 in_ns "$NS_INET" sh -c "ss -Hltn 'sport = :5001' | grep -q ."  ||
		fail "the nc server did not start listening: $(cat "$T/tcp_server.log")"

	# the client: explicit source port 3100, inside the set
	log "nc -p 3100 $INET4 5001 (from the B4)"
	in_ns "$NS_B4" timeout 30 nc -p 3100 "$INET4" 5001 <"$T/to_inet" >"$T/got_b4" 2>"$T/tcp_client.log"
	cli=$?
	wait "$srv"
	srv=$?
	log "client status $cli, server status $srv; client: $(cat "$T/tcp_client.log") server: $(cat "$T/tcp_server.log")"
	cmp "$T/to_inet" "$T/got_inet" || fail "B4 → inet: the server received $(stat -c %s "$T/got_inet" 2>/dev/null) of 262144 bytes, or different bytes"
	cmp "$T/to_b4" "$T/got_b4" || fail "inet → B4: the client received $(stat -c %s "$T/got_b4" 2>/dev/null) of 262144 bytes, or different bytes"
	[ "$cli" -eq 0 ] || fail "the client exited with status $cli"

	# and once more from an ephemeral port, which ip_local_port_range keeps in the set
	head -c 65536 /dev/urandom >"$T/to_inet2"
	bg tcp_server2 "$NS_INET" timeout 30 sh -c "exec nc -N -l $INET4 5003 <'$T/to_b4' >'$T/got_inet2'"
	srv=$BG_PID
	wait_for 5 in_ns "$NS_INET" sh -c "ss -Hltn 'sport = :5003' | grep -q ." ||
		fail "the second nc server did not start listening"
	in_ns "$NS_B4" timeout 30 nc "$INET4" 5003 <"$T/to_inet2" >"$T/got_b4_2" 2>"$T/tcp_client2.log"
	cli=$?
	wait "$srv"
	cmp "$T/to_inet2" "$T/got_inet2" || fail "B4 (ephemeral port) → inet: data differs"
	cmp "$T/to_b4" "$T/got_b4_2" || fail "inet → B4 (ephemeral port): data differs"
	[ "$cli" -eq 0 ] || fail "the second client exited with status $cli"
}

# UDP both ways from a port in the set, one datagram each way, checked.
udp_port_set_both_ways()
{
	local srv cli

	setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")" "$(sw_entry "$B4_IPV4" 6 4 "$B4_OTHER_IPV6")"
	set_port_range 3072 4095
	echo "from the B4 at $B4_IPV4:3101, $(head -c 300 /dev/urandom | base64 -w0)" >"$T/to_inet"
	echo "from the internet host, $(head -c 300 /dev/urandom | base64 -w0)" >"$T/to_b4"

	# The server answers the first datagram's sender with its own line and
	# quits after one datagram (-W 1). Debian's nc stops reading the network
	# once its stdin is at EOF, so the client's stdin stays open a moment.
	bg udp_server "$NS_INET" timeout 15 sh -c "exec nc -u -W 1 -q 2 -l $INET4 5002 <'$T/to_b4' >'$T/got_inet'"
	srv=$BG_PID
	wait_for 5 in_ns "$NS_INET" sh -c "ss -Hlun 'sport = :5002' | grep -q ." ||
		fail "the UDP server did not start: $(cat "$T/udp_server.log")"
	log "nc -u -p 3101 $INET4 5002 (from the B4)"
	in_ns "$NS_B4" timeout 15 nc -u -W 1 -p 3101 "$INET4" 5002 >"$T/got_b4" 2>"$T/udp_client.log" \
		< <(cat "$T/to_inet"; exec sleep 10)
	cli=$?
	kill "$!" 2>/dev/null # the stdin feeder
	wait "$srv"
	log "client status $cli; client: $(cat "$T/udp_client.log") server: $(cat "$T/udp_server.log")"
	cmp "$T/to_inet" "$T/got_inet" || fail "B4 → inet: the server got '$(head -c 80 "$T/got_inet")'"
	cmp "$T/to_b4" "$T/got_b4" || fail "inet → B4: the client got '$(head -c 80 "$T/got_b4")'"
}

# count_captured PCAP: packets in a capture file
count_captured()
{
	tcpdump -nr "$1" 2>/dev/null | wc -l
}

# A B4 sending with a source port outside its set, or inside another B4's set,
# must be dropped and counted in drop-no-source-softwire, each time exactly once.
spoofed_source_port_dropped()
{
	local tcpd d n

	setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")" "$(sw_entry "$B4_IPV4" 6 4 "$B4_OTHER_IPV6")"

	bg tcpdump "$NS_INET" tcpdump -U -n -i inetv -w "$T/inet.pcap" "udp and src host $B4_IPV4"
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || fail "tcpdump did not start: $(cat "$T/tcpdump.log")"

	# control: a port inside the set arrives (this also resolves the neighbours)
	stats_json "$T/s0.json"
	check_run in_ns "$NS_B4" "$B4TUN" --b4 "$B4_IPV6" --br "$BR_IPV6" --inject udp \
		--src "$B4_IPV4:3073" --dst "$INET4:7" --payload control
	wait_for 3 sh -c "[ \$(tcpdump -nr '$T/inet.pcap' 2>/dev/null | wc -l) -ge 1 ]" ||
		fail "control packet (source port 3073, in the set) did not reach the inet host"
	stats_json "$T/s1.json"
	d=$(delta "$T/s0.json" "$T/s1.json" drop-no-source-softwire-packets)
	[ "$d" -eq 0 ] || fail "drop-no-source-softwire went up by $d for a packet inside the set"

	# port 9: no softwire at all (ports 0-1023 are psid 0, not bound)
	check_run in_ns "$NS_B4" "$B4TUN" --b4 "$B4_IPV6" --br "$BR_IPV6" --inject udp \
		--src "$B4_IPV4:9" --dst "$INET4:7" --payload spoof-9
	wait_stat "$T/s1.json" "$T/s2.json" drop-no-source-softwire-packets 1
	d=$(delta "$T/s1.json" "$T/s2.json" drop-no-source-softwire-packets)
	[ "$d" -eq 1 ] || fail "source port 9: drop-no-source-softwire went up by $d, expected 1"

	# port 4100: psid 4, bound to another B4
	check_run in_ns "$NS_B4" "$B4TUN" --b4 "$B4_IPV6" --br "$BR_IPV6" --inject udp \
		--src "$B4_IPV4:4100" --dst "$INET4:7" --payload spoof-4100
	wait_stat "$T/s2.json" "$T/s3.json" drop-no-source-softwire-packets 1
	d=$(delta "$T/s2.json" "$T/s3.json" drop-no-source-softwire-packets)
	[ "$d" -eq 1 ] || fail "source port 4100 (another B4's set): drop-no-source-softwire went up by $d, expected 1"
	d=$(delta "$T/s1.json" "$T/s3.json" sent-ipv4-packets)
	[ "$d" -eq 0 ] || fail "sent-ipv4 went up by $d for the spoofed packets"

	stop_bg "$tcpd" TERM
	log "captured on the inet host:"
	tcpdump -nr "$T/inet.pcap" 2>/dev/null | sed 's/^/  /'
	n=$(count_captured "$T/inet.pcap")
	tcpdump -nr "$T/inet.pcap" 2>/dev/null | grep -q "$B4_IPV4.3073 >" ||
		fail "the control packet is not in the capture"
	[ "$n" -eq 1 ] || fail "the inet host saw $n packets from $B4_IPV4, expected only the control packet"
}

# inet_udp_send PORT TEXT: one UDP datagram from the inet host to the B4's
# public address.
inet_udp_send()
{
	echo "\$ echo $2 | nc -u -w 1 -p 5555 $B4_IPV4 $1 (in inet)"
	echo "$2" | in_ns "$NS_INET" timeout 5 nc -u -w 1 -p 5555 "$B4_IPV4" "$1" >/dev/null 2>&1
}

# Inbound IPv4 to a port of no softwire is dropped and counted
# (drop-no-dest-softwire); to a port of another B4's set it goes to that B4,
# not to ours; to a port of ours it arrives.
unbound_destination_port_dropped()
{
	local tcpd d n

	setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")" "$(sw_entry "$B4_IPV4" 6 4 "$B4_OTHER_IPV6")"
	bg tcpdump "$NS_B4" tcpdump -U -n -i tun0 -w "$T/tun0.pcap" "udp"
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || fail "tcpdump did not start: $(cat "$T/tcpdump.log")"

	# control first: port 3100 is ours (and resolves the neighbours)
	inet_udp_send 3100 control
	wait_for 3 sh -c "[ \$(tcpdump -nr '$T/tun0.pcap' 2>/dev/null | wc -l) -ge 1 ]" ||
		fail "control datagram to port 3100 (in the B4's set) did not reach the B4"
	stats_json "$T/s0.json"

	inet_udp_send 80 unbound-psid-0
	wait_stat "$T/s0.json" "$T/s1.json" drop-no-dest-softwire-packets 1
	d=$(delta "$T/s0.json" "$T/s1.json" drop-no-dest-softwire-packets)
	[ "$d" -eq 1 ] || fail "port 80 (psid 0, no softwire): drop-no-dest-softwire went up by $d, expected 1"
	d=$(delta "$T/s0.json" "$T/s1.json" sent-ipv6-packets)
	[ "$d" -eq 0 ] || fail "port 80 (psid 0, no softwire): sent-ipv6 went up by $d, expected 0"

	inet_udp_send 4100 other-b4
	wait_stat "$T/s1.json" "$T/s2.json" sent-ipv6-packets 1
	d=$(($(sw_stat "$T/s2.json" "$B4_IPV4" 4 encap-packets) - $(sw_stat "$T/s1.json" "$B4_IPV4" 4 encap-packets)))
	[ "$d" -eq 1 ] || fail "port 4100: the other B4's softwire (psid 4) encap-packets went up by $d, expected 1"
	d=$(($(sw_stat "$T/s2.json" "$B4_IPV4" 3 encap-packets) - $(sw_stat "$T/s1.json" "$B4_IPV4" 3 encap-packets)))
	[ "$d" -eq 0 ] || fail "port 4100: our softwire (psid 3) encap-packets went up by $d, expected 0"

	stop_bg "$tcpd" TERM
	log "captured on the B4's tun0:"
	tcpdump -nr "$T/tun0.pcap" 2>/dev/null | sed 's/^/  /'
	n=$(count_captured "$T/tun0.pcap")
	[ "$n" -eq 1 ] || fail "the B4 received $n datagrams, expected only the control datagram"
}

# N echoes each way: the traffic-stat counters and the softwire's own counters
# move by exactly what the traffic explains. Packets handed to the kernel for
# neighbour resolution are still counted in sent-ipv4/sent-ipv6 (the program
# counts them before XDP_PASS) and also in pass-unresolved-neighbour.
counters_match_traffic()
{
	local n=20 out got d pass passb pass_decap pass_encap k
	local v4len=84 # ping's default 56 data bytes + 8 ICMP + 20 IPv4

	MISMATCH=0
	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	stats_json "$T/s0.json"
	out=$(in_ns "$NS_B4" ping -c "$n" -i 0.05 -W 2 -w 15 "$INET4" 2>&1)
	printf '%s\n' "$out" | tail -3
	got=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "$got" = "$n" ] || fail "B4 → inet: $got of $n echo replies"
	stats_json "$T/s1.json"

	# B4 → inet: requests decapsulated, replies encapsulated
	expect_eq "rcvd-ipv6-packets" "$(delta "$T/s0.json" "$T/s1.json" rcvd-ipv6-packets)" "$n"
	expect_eq "sent-ipv4-packets" "$(delta "$T/s0.json" "$T/s1.json" sent-ipv4-packets)" "$n"
	expect_eq "rcvd-ipv4-packets" "$(delta "$T/s0.json" "$T/s1.json" rcvd-ipv4-packets)" "$n"
	expect_eq "sent-ipv6-packets" "$(delta "$T/s0.json" "$T/s1.json" sent-ipv6-packets)" "$n"
	# bytes: rcvd-* count the whole frame, sent-ipv4 the frame, sent-ipv6 the frame
	expect_eq "rcvd-ipv6-bytes" "$(delta "$T/s0.json" "$T/s1.json" rcvd-ipv6-bytes)" $((n * (14 + 40 + v4len)))
	expect_eq "sent-ipv4-bytes" "$(delta "$T/s0.json" "$T/s1.json" sent-ipv4-bytes)" $((n * (14 + v4len)))
	expect_eq "rcvd-ipv4-bytes" "$(delta "$T/s0.json" "$T/s1.json" rcvd-ipv4-bytes)" $((n * (14 + v4len)))
	expect_eq "sent-ipv6-bytes" "$(delta "$T/s0.json" "$T/s1.json" sent-ipv6-bytes)" $((n * (14 + 40 + v4len)))
	# A fresh topology: the first packet each way meets an unknown neighbour
	# (one more if the next packet comes before the answer). The counter's
	# bytes tell the directions apart: it counts the frame as received, 138
	# bytes from the B4, 98 from the internet.
	pass=$(delta "$T/s0.json" "$T/s1.json" pass-unresolved-neighbour-packets)
	passb=$(delta "$T/s0.json" "$T/s1.json" pass-unresolved-neighbour-bytes)
	pass_decap=$(((passb - pass * (14 + v4len)) / 40))
	pass_encap=$((pass - pass_decap))
	log "pass-unresolved-neighbour: $pass packets, $passb bytes = $pass_decap decapsulated + $pass_encap encapsulated"
	if [ $((pass_decap * (14 + 40 + v4len) + pass_encap * (14 + v4len))) -ne "$passb" ] ||
		[ "$pass_decap" -lt 1 ] || [ "$pass_encap" -lt 1 ]; then
		echo "mismatch: pass-unresolved-neighbour $pass packets / $passb bytes: expected at least one frame of $((14 + 40 + v4len)) bytes (from the B4) and one of $((14 + v4len)) (from the internet)"
		MISMATCH=1
	fi
	for k in drop-no-source-softwire drop-no-dest-softwire drop-no-route pass-foreign-egress drop-headroom \
		drop-malformed-inner-ipv4 drop-malformed-ipv4; do
		expect_eq "$k-packets" "$(delta "$T/s0.json" "$T/s1.json" "$k-packets")" 0
	done
	expect_eq "softwire decap-packets" \
		$(($(sw_stat "$T/s1.json" "$B4_IPV4" 0 decap-packets) - $(sw_stat "$T/s0.json" "$B4_IPV4" 0 decap-packets))) "$n"
	expect_eq "softwire encap-packets" \
		$(($(sw_stat "$T/s1.json" "$B4_IPV4" 0 encap-packets) - $(sw_stat "$T/s0.json" "$B4_IPV4" 0 encap-packets))) "$n"
	expect_eq "softwire decap-bytes" \
		$(($(sw_stat "$T/s1.json" "$B4_IPV4" 0 decap-bytes) - $(sw_stat "$T/s0.json" "$B4_IPV4" 0 decap-bytes))) $((n * v4len))
	expect_eq "softwire encap-bytes" \
		$(($(sw_stat "$T/s1.json" "$B4_IPV4" 0 encap-bytes) - $(sw_stat "$T/s0.json" "$B4_IPV4" 0 encap-bytes))) $((n * v4len))

	# inet → B4: now every neighbour is known, so everything takes the fast path
	out=$(in_ns "$NS_INET" ping -c "$n" -i 0.05 -W 2 -w 15 "$B4_IPV4" 2>&1)
	printf '%s\n' "$out" | tail -3
	got=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "$got" = "$n" ] || fail "inet → B4: $got of $n echo replies"
	stats_json "$T/s2.json"
	for k in rcvd-ipv4 sent-ipv6 rcvd-ipv6 sent-ipv4; do
		expect_eq "second round $k-packets" "$(delta "$T/s1.json" "$T/s2.json" "$k-packets")" "$n"
	done
	expect_eq "second round pass-unresolved-neighbour-packets" \
		"$(delta "$T/s1.json" "$T/s2.json" pass-unresolved-neighbour-packets)" 0
	expect_eq "second round softwire encap-packets" \
		$(($(sw_stat "$T/s2.json" "$B4_IPV4" 0 encap-packets) - $(sw_stat "$T/s1.json" "$B4_IPV4" 0 encap-packets))) "$n"
	expect_eq "second round softwire decap-packets" \
		$(($(sw_stat "$T/s2.json" "$B4_IPV4" 0 decap-packets) - $(sw_stat "$T/s1.json" "$B4_IPV4" 0 decap-packets))) "$n"
	[ "$MISMATCH" -eq 0 ] || fail "counters do not match the traffic (see above)"
}

# The lwAFTR host itself keeps working behind the program: ARP for its
# internet address, ND for its access address, echo to both and to the BR
# address, all answered by the kernel after XDP_PASS.
aftr_own_addresses_answer()
{
	local mac_wan mac_acc got d k

	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	stats_json "$T/s0.json"
	mac_wan=$(ip -n "$NS_AFTR" -br link show dev wan | awk '{print $3}')
	mac_acc=$(ip -n "$NS_AFTR" -br link show dev acc | awk '{print $3}')

	# ARP
	check_run ip -n "$NS_INET" neigh flush dev inetv
	if command -v arping >/dev/null; then
		check_run in_ns "$NS_INET" arping -c 2 -w 5 -I inetv "$AFTR_WAN4"
	else
		log "arping not installed: ARP is checked through the neighbour table"
	fi
	check_run in_ns "$NS_INET" ping -c 2 -i 0.2 -W 2 -w 10 "$AFTR_WAN4"
	got=$(ip -n "$NS_INET" neigh show "$AFTR_WAN4" dev inetv)
	log "inet neighbour entry: $got"
	case "$got" in
	*"lladdr $mac_wan "*) ;;
	*) fail "ARP: the inet host has no entry '$AFTR_WAN4 lladdr $mac_wan' (got '$got')" ;;
	esac

	# ND
	check_run ip -n "$NS_B4" -6 neigh flush dev b4v
	check_run in_ns "$NS_B4" ping -6 -c 2 -i 0.2 -W 2 -w 10 "$AFTR_LINK6"
	got=$(ip -n "$NS_B4" -6 neigh show "$AFTR_LINK6" dev b4v)
	log "b4 neighbour entry: $got"
	case "$got" in
	*"lladdr $mac_acc "*) ;;
	*) fail "ND: the B4 host has no entry '$AFTR_LINK6 lladdr $mac_acc' (got '$got')" ;;
	esac

	# echo to the BR address (ICMPv6 echo to a BR address is the kernel's)
	check_run in_ns "$NS_B4" ping -6 -c 2 -i 0.2 -W 2 -w 10 "$BR_IPV6"
	# the program was attached and saw all this, and handed it on
	ip -n "$NS_AFTR" -d link show dev acc | grep -q "prog/xdp" || fail "no XDP program on acc"
	ip -n "$NS_AFTR" -d link show dev wan | grep -q "prog/xdp" || fail "no XDP program on wan"
	stats_json "$T/s1.json"
	d=$(delta "$T/s0.json" "$T/s1.json" pass-not-lw4o6-packets)
	log "pass-not-lw4o6-packets went up by $d"
	# at least the 2 + 2 + 2 echo requests (plus ARP and ND, whose number varies)
	[ "$d" -ge 6 ] || fail "pass-not-lw4o6 went up by $d only: the packets did not all go through the program"
	for k in rcvd-ipv6 rcvd-ipv4 drop-misplaced-ipv4 drop-misplaced-ipv6 drop-in-icmpv6; do
		d=$(delta "$T/s0.json" "$T/s1.json" "$k-packets")
		[ "$d" -eq 0 ] || fail "$k went up by $d for traffic to the lwAFTR itself"
	done
}

# lw4o6 status reports what is attached; unload detaches from both interfaces
# and removes the pin directory.
status_and_unload()
{
	local st id6 id4 bt

	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	st=$(check_out aftr_lw4o6 status --json) || exit 1
	log "status --json: $st"
	jq -e . >/dev/null 2>&1 <<<"$st" || fail "lw4o6 status --json printed invalid JSON"
	[ "$(jq -r '."ipv6-dev"' <<<"$st")" = acc ] || fail "status: ipv6-dev is not acc"
	[ "$(jq -r '."ipv4-dev"' <<<"$st")" = wan ] || fail "status: ipv4-dev is not wan"
	[ "$(jq -r '.softwires' <<<"$st")" = 1 ] || fail "status: softwires is not 1"
	[ "$(jq -r '."br-addresses"' <<<"$st")" = 1 ] || fail "status: br-addresses is not 1"
	id6=$(jq -r '."ipv6-xdp-prog-id"' <<<"$st")
	id4=$(jq -r '."ipv4-xdp-prog-id"' <<<"$st")
	[ "$id6" != 0 ] && [ "$id6" = "$id4" ] ||
		fail "status: XDP program ids $id6 (acc) and $id4 (wan): expected one non-zero id on both"

	# the kernel's view agrees
	bt=$(check_out in_ns "$NS_AFTR" bpftool net show) || exit 1
	log "bpftool net show: $bt"
	grep -Eq "^acc\([0-9]+\) driver id $id6\$" <<<"$bt" || fail "bpftool net: acc does not carry program $id6 in driver mode"
	grep -Eq "^wan\([0-9]+\) driver id $id4\$" <<<"$bt" || fail "bpftool net: wan does not carry program $id4 in driver mode"
	ip -n "$NS_AFTR" -d link show dev acc | grep -q "prog/xdp id $id6 name lw4o6_aftr" ||
		fail "ip -d link: acc does not show prog/xdp id $id6 name lw4o6_aftr"

	st=$(check_out aftr_lw4o6 status) || exit 1
	printf '%s\n' "$st"
	grep -q "^access (IPv6)   acc, XDP program id $id6" <<<"$st" || fail "status (text): access line wrong"
	grep -q "^internet (IPv4) wan, XDP program id $id4" <<<"$st" || fail "status (text): internet line wrong"
	grep -q "warning" <<<"$st" && fail "status (text) warns while attached"

	check_run aftr_lw4o6 unload
	ip -n "$NS_AFTR" -d link show dev acc | grep -q "prog/xdp" && fail "after unload acc still has an XDP program"
	ip -n "$NS_AFTR" -d link show dev wan | grep -q "prog/xdp" && fail "after unload wan still has an XDP program"
	[ -z "$(in_ns "$NS_AFTR" bpftool net show | grep -E '^(acc|wan)\(')" ] || fail "bpftool net still lists XDP on acc/wan"
	[ -e "$PIN_ROOT" ] && fail "after unload the pin directory $PIN_ROOT still exists: $(ls "$PIN_ROOT")"
	aftr_lw4o6 status >"$T/st.out" 2>&1 && fail "status succeeds after unload: $(cat "$T/st.out")"
	log "status after unload: $(cat "$T/st.out")"
	# the B4 host's own traffic to the aftr still works (nothing left half attached)
	check_run in_ns "$NS_B4" ping -6 -c 1 -W 2 "$AFTR_LINK6"
}

# ---- the runner ------------------------------------------------------------------

is_func()
{
	[ "$(type -t "$1")" = function ]
}

# Prerequisites for every test; prints the reason when one is missing.
missing_prereq()
{
	local t

	if [ "$(id -u)" -ne 0 ]; then
		echo "not root"
		return
	fi
	for t in ip nsenter ping nc tcpdump ethtool jq timeout ss cmp mount; do
		command -v "$t" >/dev/null 2>&1 || { echo "missing tool: $t (run scripts/deps.sh)"; return; }
	done
	for t in "$LW4O6" "$B4TUN" "$PASS_OBJ"; do
		[ -e "$t" ] || { echo "not built: $t (run make)"; return; }
	done
	[ -c /dev/net/tun ] || { echo "no /dev/net/tun"; return; }
	if ! ip netns add "lw4o6t-$$-probe" 2>/dev/null; then
		echo "cannot create network namespaces"
		return
	fi
	ip netns del "lw4o6t-$$-probe"
}

PASSED=0
FAILED=0
SKIPPED=0

report()
{
	local status=$1 testn=$2 reason=$3
	local ids=${TEST_IDS[$testn]:-}

	printf '%-4s %-34s [%s]%s\n' "$status" "$testn" "$ids" "${reason:+: $reason}"
}

# Runs one test: a subshell owns the environment and its teardown, the test
# function runs in a child of it so that a signal can stop it at any point.
run_test_env()
{
	local testn=$1 inner

	TEST_NUM=$2
	T=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6t-$$-$TEST_NUM.XXXX") || exit 1
	: >"$T/pids"
	: >"$T/namespaces"
	NS_B4=lw4o6t-$$-$TEST_NUM-b4
	NS_AFTR=lw4o6t-$$-$TEST_NUM-aftr
	NS_INET=lw4o6t-$$-$TEST_NUM-inet
	PIN_ROOT=$T/bpffs/lw4o6
	trap teardown_env EXIT
	trap 'echo "FAIL: interrupted"; kill -TERM "$inner" 2>/dev/null; wait "$inner"; exit 130' INT TERM
	(
		# the test reaps its own background processes, so that none
		# is left a zombie waiting for init
		trap 'exit 143' TERM
		trap stop_all_bg EXIT
		"$testn"
	) &
	inner=$!
	wait "$inner"
}

stop_all_bg()
{
	local pid name

	[ -f "$T/pids" ] || return 0
	while read -r pid name; do
		stop_bg "$pid" TERM
	done <"$T/pids"
}

exec_test()
{
	local testn=$1 num=$2 out rc reason watchdog

	out=$RUNDIR/$testn.log
	run_test_env "$testn" "$num" >"$out" 2>&1 </dev/null &
	CHILD=$!
	(
		trap 'kill -TERM "$sleeper" 2>/dev/null; exit 0' TERM
		sleep "$TEST_TIMEOUT" &
		sleeper=$!
		wait "$sleeper"
		touch "$out.timeout"
		kill -TERM "$CHILD" 2>/dev/null
	) >/dev/null 2>&1 &
	watchdog=$!
	wait "$CHILD"
	rc=$?
	# interrupted while waiting: wait again for the teardown to finish
	while kill -0 "$CHILD" 2>/dev/null; do
		wait "$CHILD"
		rc=$?
	done
	CHILD=
	kill -TERM "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	case $rc in
	0)
		# a passing test may leave one NOTE: line (a measurement)
		report PASS "$testn" "$(sed -n 's/^NOTE: //p' "$out" | tail -1)"
		PASSED=$((PASSED + 1))
		;;
	"$SKIPPED_TEST")
		reason=$(sed -n 's/^SKIP: //p' "$out" | tail -1)
		report SKIP "$testn" "${reason:-no reason given}"
		SKIPPED=$((SKIPPED + 1))
		;;
	*)
		reason=$(sed -n 's/^FAIL: //p' "$out" | head -1)
		[ -e "$out.timeout" ] && reason="timed out after $TEST_TIMEOUT s (TEST_TIMEOUT)"
		report FAIL "$testn" "${reason:-exit status $rc}"
		FAILED=$((FAILED + 1))
		;;
	esac
	if [ "$rc" -ne 0 ] && [ "$rc" -ne "$SKIPPED_TEST" ] || [ "$V" = 1 ]; then
		sed 's/^/    | /' "$out"
	fi
}

on_signal()
{
	INTERRUPTED=1
	[ -n "${CHILD:-}" ] && kill -TERM "$CHILD" 2>/dev/null
}

main()
{
	local tests=("$@") reason testn num=0

	[ "${#tests[@]}" -gt 0 ] || read -r -a tests <<<"$(echo $ALL_TESTS)"
	for testn in "${tests[@]}"; do
		is_func "$testn" || die "no such test: $testn (tests: $(echo $ALL_TESTS))"
	done
	reason=$(missing_prereq)
	INTERRUPTED=0
	CHILD=
	RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6t-$$-run.XXXX") || die "mktemp failed"
	trap 'rm -rf "$RUNDIR"' EXIT
	trap on_signal INT TERM
	for testn in "${tests[@]}"; do
		num=$((num + 1))
		[ "$INTERRUPTED" = 1 ] && reason="interrupted"
		if [ -n "$reason" ]; then
			report SKIP "$testn" "$reason"
			SKIPPED=$((SKIPPED + 1))
			continue
		fi
		exec_test "$testn" "$num"
	done
	echo "netns: $PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ] && [ "$INTERRUPTED" = 0 ]
}

main "$@"
