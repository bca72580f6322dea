#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwAFTR's PCP server (pcpd --role aftr): lwB4s ask
# for their port sets with PCP MAP + PORT_SET (RFC 6887, RFC 7753) from
# inside their softwires, and pcpd fills the lwAFTR's empty binding table.
#
# This file is sourced by run.sh, which owns the topology, the runner and the
# teardown (namespaces, private bpffs, background processes, temporary files:
# the pcpd database lives in the test's $T, so it goes with it). Run alone it
# hands its own tests to run.sh:
#   selftests/netns/pcpd.sh [TEST...]        (V=1 for every log)
#
#   b4 ns                               aftr ns
#   pcpc / b4tun, bound to              lw4o6 (XDP) on acc, wan; empty table
#     2001:db8:b4::10 (B4 "A")          pcpd --role aftr, same bpffs (pin-root)
#     2001:db8:b4::11 (B4 "B")          lo 2001:db8:ffff::1 (BR)
#   b4v 2001:db8:1::2/64       ──────── acc 2001:db8:1::1/64 (THIRD_PARTY socket)
#                                       wan 198.51.100.1/24 ──── inet 198.51.100.2
#
# build/selftests/pcpc plays each B4's PCP client: IPv4/UDP 192.0.0.2 →
# 192.0.0.1:5351 inside IPv6 to the BR, one key=value line per answer.

PCPD_TESTS="
pcp_bootstrap_empty_table
pcp_request_to_non_br_ignored
pcp_request_off_access_ignored
pcp_two_b4s_get_port_sets
pcp_renew_nonce_delete
pcp_internal_port_range
pcp_quota_and_pool_exhausted
pcp_malformed_requests
pcp_third_party_management
pcp_restart_keeps_state
pcp_state_loss_announce
pcp_policy_fail_icmpv6
pcp_icmpv6_relay_checked
pcp_expiry_removes_binding
pcp_binding_survives_config_changes
pcp_measure
"

# Run directly: the runner with the PCP tests only (or the ones named).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $PCPD_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$PCPD_TESTS

TEST_IDS+=(
	[pcp_bootstrap_empty_table]="AFTR-DECAP-8"
	[pcp_request_to_non_br_ignored]="PCPS-1 AFTR-DECAP-8"
	[pcp_request_off_access_ignored]="PCPS-1 PCPS-10 AFTR-DECAP-8"
	[pcp_two_b4s_get_port_sets]="PCPS-7 PCPS-8 PCPS-9 PCPS-10 PCPS-11 PSID-5 AFTR-DECAP-2 AFTR-DECAP-3"
	[pcp_renew_nonce_delete]="PCPS-11 PCPS-12 PCPS-13 PCPS-4 PCPS-14"
	[pcp_internal_port_range]="PCPS-7 PCPS-8 PCPS-9 PCPS-15"
	[pcp_quota_and_pool_exhausted]="PCPS-15 PCPS-4 PCPS-7"
	[pcp_malformed_requests]="PCPS-2 PCPS-3 PCPS-4 PCPS-5 PCPS-6 PCPS-18"
	[pcp_third_party_management]="PCPS-18 PCPS-10 PCPS-4"
	[pcp_restart_keeps_state]="PCPS-11 PCPS-16"
	[pcp_state_loss_announce]="PCPS-16 PCPS-17 PCPC-9 PCPS-9"
	[pcp_policy_fail_icmpv6]="AFTR-DECAP-3 AFTR-ICMP-7"
	[pcp_icmpv6_relay_checked]="AFTR-ICMP-6 AFTR-ICMP-8"
	[pcp_expiry_removes_binding]="PCPS-11 AFTR-BT-2"
	[pcp_binding_survives_config_changes]="AFTR-DECAP-3 PCPS-11 (issue 12: renewals in place, origins)"
	[pcp_measure]="grants/s, MAP round trip (measured)"
)

PCPD=$BUILD/pcpd
PCPC=$BUILD/selftests/pcpc
PCP_B4A=2001:db8:b4::10 # = run.sh's B4_IPV6: the B4 b4tun plays
PCP_B4B=2001:db8:b4::11
PCP_POOL_ADDR=192.0.2.1
PCP_MGMT6=2001:db8:1::1 # the lwAFTR's access-link address: THIRD_PARTY socket
PCP_PROV6=2001:db8:1::2 # the B4 host's link address plays the provisioning system
PCP_ROGUE6=2001:db8:1::3
NONCE_A=a1a1a1a1a1a1a1a1a1a1a1a1
NONCE_B=b2b2b2b2b2b2b2b2b2b2b2b2
NONCE_X=0badc0de0badc0de0badc0de

# ---- helpers ---------------------------------------------------------------------

# Inside a PCP test: fail with pcpd's logs.
pfail()
{
	local f

	for f in "$T"/pcpd*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last 40 lines)"
		tail -40 "$f"
	done
	fail "$@"
}

pcp_prereq()
{
	local t

	for t in "$PCPD" "$PCPC"; do
		[ -x "$t" ] || skip "not built: $t (run make)"
	done
}

# The tests that age or shorten pcpd's stored state edit its database.
need_sqlite3()
{
	command -v sqlite3 >/dev/null || skip "missing tool: sqlite3 (run scripts/deps.sh)"
}

# pcp_config [STATEMENT...]: pcpd's configuration, one statement per argument
# after the common ones (later statements override earlier ones).
pcp_config()
{
	local s

	{
		echo "# written by selftests/netns/pcpd.sh"
		echo "pin-root $PIN_ROOT"
		echo "database $T/pcpd.db"
		echo "br-address $BR_IPV6"
		echo "log-level debug"
		for s in "$@"; do
			echo "$s"
		done
	} >"$T/pcpd.conf"
	log "pcpd.conf: $(grep -v '^#' "$T/pcpd.conf" | paste -sd';')"
}

# The topology of run.sh with an empty binding table, B4 B's address next to
# A's, and pcpd started with pcp_config's arguments (default: the pool is one
# address, blocks of 2048 ports).
pcp_setup()
{
	pcp_prereq
	SETUP_B4TUN=0 setup_env
	check_run ip -n "$NS_B4" addr add "$PCP_B4B/128" dev b4v nodad
	if [ $# -eq 0 ]; then
		set -- "pool $PCP_POOL_ADDR/32" "block-size 2048"
	fi
	pcp_config "$@"
	PCPD_RUNS=0
	start_pcpd
}

# Starts pcpd in the aftr namespace (the mounts stay ours: same bpffs), log
# in $T/pcpdN.log, and waits until it serves.
start_pcpd()
{
	PCPD_RUNS=$((PCPD_RUNS + 1))
	PCPD_LOG=$T/pcpd$PCPD_RUNS.log
	bg "pcpd$PCPD_RUNS" "$NS_AFTR" "$PCPD" --role aftr --config "$T/pcpd.conf"
	PCPD_PID=$BG_PID
	if ! wait_for 5 grep -q "serving" "$PCPD_LOG"; then
		alive "$PCPD_PID" || pfail "pcpd exited at start-up"
		pfail "pcpd is not serving after 5 s"
	fi
	log "pcpd started (PID $PCPD_PID): $(grep -E 'state|epoch' "$PCPD_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
}

stop_pcpd()
{
	echo "\$ kill -TERM pcpd ($PCPD_PID)"
	stop_bg "$PCPD_PID" TERM
	alive "$PCPD_PID" && pfail "pcpd did not stop"
	tail -1 "$PCPD_LOG" | sed 's/^/  /'
}

# kv LINE KEY: a value of pcpc's key=value output.
kv()
{
	printf ' %s\n' "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# pcp B4 MODE ARG...: pcpc in the B4 namespace, bound to B4, to the BR
# (PCP_BR=ADDR pcp ...: to another address). The answer line goes to $OUT
# (and the log), the exit status to $RC.
pcp()
{
	local b4=$1 mode=$2

	shift 2
	echo "\$ pcpc $mode --b4 $b4${PCP_BR:+ --br $PCP_BR} $*"
	OUT=$(in_ns "$NS_B4" "$PCPC" "$mode" --b4 "$b4" --br "${PCP_BR:-$BR_IPV6}" "$@" 2>"$T/pcpc.err")
	RC=$?
	printf '%s\n' "$OUT" | sed 's/^/  /'
	[ -s "$T/pcpc.err" ] && sed 's/^/  stderr: /' "$T/pcpc.err"
	return 0
}

# expect_result WANT [WHAT]: the last answer's result code.
expect_result()
{
	local got

	got=$(kv "$OUT" result)
	[ "$got" = "$1" ] || pfail "${2:-request}: result ${got:-?} (pcpc status $RC), expected $1"
}

# expect_kv KEY WANT [WHAT]
expect_kv()
{
	local got

	got=$(kv "$OUT" "$1")
	[ "$got" = "$2" ] || pfail "${3:-answer}: $1=${got:-?}, expected $2"
}

sw_list_json()
{
	aftr_lw4o6 softwire list --json 2>"$T/stderr" || pfail "lw4o6 softwire list failed: $(cat "$T/stderr")"
}

# bindings_of B4: "ipv4 psid-len psid br" of each binding of B4, one a line
bindings_of()
{
	sw_list_json | jq -r --arg b "$1" '."binding-table"."binding-entry"[] | select(."binding-ipv6info" == $b) |
		"\(."binding-ipv4-addr") \(."port-set"."psid-len") \(."port-set".psid) \(."br-ipv6-addr")"'
}

n_bindings()
{
	sw_list_json | jq '."binding-table"."binding-entry" | length'
}

grants_json()
{
	in_ns "$NS_AFTR" "$PCPD" --role aftr --config "$T/pcpd.conf" --list-grants --json 2>"$T/stderr" ||
		pfail "pcpd --list-grants failed: $(cat "$T/stderr")"
}

# The grants, without the time-dependent field, sorted: for comparisons.
grants_canon()
{
	grants_json | jq -c '[.grants[] | del(."expires-in")] | sort_by(.b4)'
}

# expect_binding B4 IPV4 FIRST_PORT SIZE: exactly that one binding for B4,
# to our BR (psid-offset 0: psid = port / size, psid-len = 16 - log2 size).
expect_binding()
{
	local want got k=0 s=$4

	while [ "$s" -gt 1 ]; do
		s=$((s / 2))
		k=$((k + 1))
	done
	want="$2 $((16 - k)) $(($3 / $4)) $BR_IPV6"
	got=$(bindings_of "$1")
	log "binding of $1: ${got:-none}"
	[ "$got" = "$want" ] || pfail "binding table for $1: '${got:-none}', expected '$want'"
}

expect_no_binding()
{
	local got

	got=$(bindings_of "$1")
	[ -z "$got" ] || pfail "binding table still has $1: $got"
	log "no binding for $1"
}

# check_port_set WHAT: the last answer is a usable aligned block (PCPS-8/9,
# PSID-5): SUCCESS, size a power of two, port a multiple of it, first
# internal port = port (identity), nothing below 1024.
check_port_set()
{
	local port size first

	expect_result SUCCESS "$1"
	port=$(kv "$OUT" port)
	size=$(kv "$OUT" size)
	first=$(kv "$OUT" first_internal)
	[ -n "$port" ] && [ -n "$size" ] && [ "$size" != none ] || pfail "$1: no port set in the answer"
	[ "$size" -ge 2 ] && [ $((size & (size - 1))) -eq 0 ] || pfail "$1: size $size is not a power of two >= 2"
	[ $((port % size)) -eq 0 ] || pfail "$1: port $port is not aligned to its size $size"
	[ "$first" = "$port" ] || pfail "$1: first internal port $first != assigned port $port (PCPS-8)"
	[ "$port" -ge 1024 ] || pfail "$1: the set $port-$((port + size - 1)) holds ports below 1024 (PSID-5)"
	[ $((port + size)) -le 65536 ] || pfail "$1: the set runs past 65535"
}

# inject B4 SRC_PORT TEXT [COUNT]: one UDP datagram from the B4's softwire
# (b4tun --inject), from the pool address, to the internet host.
inject()
{
	check_run in_ns "$NS_B4" "$B4TUN" --b4 "$1" --br "$BR_IPV6" --inject udp \
		--src "$PCP_POOL_ADDR:$2" --dst "$INET4:7" --payload "$3" --count "${4:-1}"
}

# count_pkts PCAP [FILTER]: packets in a capture (tcpdump prints a hex dump
# under packets it cannot decode, so lines are not packets)
count_pkts()
{
	tcpdump -nr "$1" ${2:+"$2"} 2>/dev/null | grep -c '^[0-9][0-9]:'
}

# ---- the tests ---------------------------------------------------------------------

# AFTR-DECAP-8 from a fresh start (an empty binding table, as pcpd expects
# it): the program must pass a B4's first MAP request to pcpd as PCP
# bootstrap, and drop (and count) every other packet of a B4 without a
# binding, before any grant exists as after.
pcp_bootstrap_empty_table()
{
	local d

	pcp_setup
	stats_json "$T/s0.json"
	inject "$PCP_B4A" 3000 unbound-data-before-any-grant
	wait_stat "$T/s0.json" "$T/s1.json" drop-no-source-softwire-packets 1
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	stats_json "$T/s2.json"
	inject "$PCP_B4B" 3000 unbound-data-after-a-grant
	wait_stat "$T/s2.json" "$T/s3.json" drop-no-source-softwire-packets 1
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B"
	stats_json "$T/s4.json"
	for k in pass-pcp-bootstrap drop-no-source-softwire pass-not-lw4o6 rcvd-ipv6; do
		log "$k-packets: before the first grant +$(delta "$T/s0.json" "$T/s2.json" "$k-packets"), after it +$(delta "$T/s2.json" "$T/s4.json" "$k-packets")"
	done
	[ "$(delta "$T/s2.json" "$T/s4.json" pass-pcp-bootstrap-packets)" -ge 1 ] ||
		pfail "B4 B's MAP (a BR address known from A's grant) was not passed as pcp-bootstrap"
	[ "$(delta "$T/s2.json" "$T/s4.json" drop-no-source-softwire-packets)" -eq 1 ] ||
		pfail "B4 B's data packet without a binding was not dropped as no-source-softwire"
	d=$(delta "$T/s0.json" "$T/s2.json" pass-pcp-bootstrap-packets)
	[ "$d" -ge 1 ] ||
		pfail "before the first grant, B4 A's MAP was passed as not-lw4o6, not as pcp-bootstrap (+$d): the lwAFTR knows no BR address until a binding names one"
	d=$(delta "$T/s0.json" "$T/s2.json" drop-no-source-softwire-packets)
	[ "$d" -eq 1 ] ||
		pfail "before the first grant, B4 A's data packet without a binding was passed to the kernel, not dropped (drop-no-source-softwire +$d)"
}

# PCPS-1: PCP is served inside softwires only, i.e. to a BR address. An
# IPv4-in-IPv6 PCP request to another address of the lwAFTR host (here its
# access-link address) is not a softwire packet: it must get no answer and
# must not make that address a BR of a new binding.
pcp_request_to_non_br_ignored()
{
	local st

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A to the BR"
	PCP_BR=$AFTR_LINK6 pcp "$PCP_B4B" map --nonce "$NONCE_B" --tries 2
	st=$(aftr_lw4o6 status --json | jq '."br-addresses"')
	log "br-addresses: $st; bindings of B: $(bindings_of "$PCP_B4B" | paste -sd';')"
	[ "$(kv "$OUT" result)" = NONE ] ||
		pfail "a MAP to the access-link address $AFTR_LINK6 (not a BR) was answered: $(kv "$OUT" result) $(kv "$OUT" ipv4) $(kv "$OUT" port)"
	expect_no_binding "$PCP_B4B"
	[ "$st" = 1 ] || pfail "the lwAFTR now has $st BR addresses: $AFTR_LINK6 became one"
}

# Anti-spoofing (issue 10, PCPS-1): in-tunnel PCP is served only when it
# came in on the lwAFTR's access interface (the data plane's ipv6_ifindex),
# whatever outer source it claims. The same MAP sent to the BR by a process
# on the lwAFTR host, from a B4 address put on lo (so it comes in on lo),
# gets no answer and no binding, and pcpd counts it; through the access
# side B4 A is served as usual.
pcp_request_off_access_ignored()
{
	local b4c=2001:db8:b4::12

	pcp_setup
	check_run ip -n "$NS_AFTR" addr add "$b4c/128" dev lo
	echo "\$ pcpc map --b4 $b4c --br $BR_IPV6 (in the aftr namespace: comes in on lo)"
	OUT=$(in_ns "$NS_AFTR" "$PCPC" map --b4 "$b4c" --br "$BR_IPV6" --nonce "$NONCE_B" --tries 2 2>&1)
	RC=$?
	printf '%s\n' "$OUT" | sed 's/^/  /'
	[ "$(kv "$OUT" result)" = NONE ] ||
		pfail "a MAP that came in on lo, not the access side, was answered: $(kv "$OUT" result) $(kv "$OUT" ipv4) $(kv "$OUT" port)"
	expect_no_binding "$b4c"
	grep -q "ignored: not the access side" "$PCPD_LOG" ||
		pfail "pcpd did not log the MAP from lo as not from the access side"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A through the access side"
	stop_pcpd
	grep -q "requests ([1-9][0-9]* tunnel packets not from the access side dropped)" "$PCPD_LOG" ||
		pfail "pcpd's closing line does not count the packets not from the access side"
}

# Two B4s ask for "as many ports as you give" (PORT_SET 65535, PCPC-5 shape).
# Each gets its own aligned 2048-port block of the one pool address, above
# 1023, installed in the binding table before the answer; the data plane then
# accepts each B4's traffic only from its own block.
pcp_two_b4s_get_port_sets()
{
	local ipa pa sa ipb pb sb tcpd d n

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	expect_kv lifetime 7200 "B4 A"
	expect_kv protocol 0 "B4 A"
	expect_kv internal_port 1 "B4 A"
	ipa=$(kv "$OUT" ipv4) pa=$(kv "$OUT" port) sa=$(kv "$OUT" size)
	# PCPS-11: installed before SUCCESS was sent, so visible now
	expect_binding "$PCP_B4A" "$ipa" "$pa" "$sa"

	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B"
	ipb=$(kv "$OUT" ipv4) pb=$(kv "$OUT" port) sb=$(kv "$OUT" size)
	expect_binding "$PCP_B4B" "$ipb" "$pb" "$sb"

	[ "$ipa" = "$PCP_POOL_ADDR" ] && [ "$ipb" = "$PCP_POOL_ADDR" ] ||
		pfail "addresses $ipa and $ipb: expected both $PCP_POOL_ADDR (the pool)"
	[ "$sa" = 2048 ] && [ "$sb" = 2048 ] || pfail "sizes $sa and $sb: expected the block-size 2048"
	[ $((pa + sa)) -le "$pb" ] || [ $((pb + sb)) -le "$pa" ] ||
		pfail "the sets overlap: A $pa-$((pa + sa - 1)), B $pb-$((pb + sb - 1))"
	log "A: $ipa ports $pa-$((pa + sa - 1)); B: $ipb ports $pb-$((pb + sb - 1))"
	[ "$(n_bindings)" = 2 ] || pfail "the binding table has $(n_bindings) entries, expected 2"
	log "pcpd --list-grants --json: $(grants_json | jq -c .)"
	[ "$(grants_json | jq '.grants | length')" = 2 ] || pfail "pcpd --list-grants does not list 2 grants"

	# the data plane: each B4 inside its own set only
	bg tcpdump "$NS_INET" tcpdump -U -n -i inetv -w "$T/inet.pcap" "udp and src host $PCP_POOL_ADDR"
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || pfail "tcpdump did not start"
	inject "$PCP_B4A" $((pa + 5)) from-A
	inject "$PCP_B4B" $((pb + 5)) from-B
	wait_for 3 sh -c "[ \$(tcpdump -nr '$T/inet.pcap' 2>/dev/null | grep -c '^[0-9]') -ge 2 ]" ||
		pfail "the datagrams from inside each set did not both reach the internet host"
	stats_json "$T/s1.json"
	inject "$PCP_B4A" $((pb + 5)) A-in-Bs-set
	inject "$PCP_B4B" $((pa + 9)) B-in-As-set
	inject "$PCP_B4A" 100 A-below-1024
	inject "$PCP_B4A" $((pa + sa)) A-just-past-its-set
	wait_stat "$T/s1.json" "$T/s2.json" drop-no-source-softwire-packets 4
	d=$(delta "$T/s1.json" "$T/s2.json" drop-no-source-softwire-packets)
	[ "$d" -eq 4 ] || pfail "4 datagrams from outside the sender's set: drop-no-source-softwire went up by $d"
	d=$(delta "$T/s1.json" "$T/s2.json" sent-ipv4-packets)
	[ "$d" -eq 0 ] || pfail "sent-ipv4 went up by $d for datagrams from outside the sets"
	stop_bg "$tcpd" TERM
	tcpdump -nr "$T/inet.pcap" 2>/dev/null | sed 's/^/  /'
	n=$(count_pkts "$T/inet.pcap")
	[ "$n" -eq 2 ] || pfail "the internet host got $n datagrams, expected the 2 from inside the sets"
}

# Renewal keeps the block (PCPS-14, RFC 6887 §11.2.1); another nonce for
# the same mapping is NOT_AUTHORIZED with the remaining lifetime (PCPS-13)
# and changes nothing (PCPS-4); lifetimes are clamped to 120 s..24 h
# (PCPS-12); a delete (lifetime 0 + PORT_SET) removes the binding (PCPS-11),
# and deleting it again still succeeds (RFC 6887 §15).
pcp_renew_nonce_delete()
{
	local ip port size e1 e2 left before

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --lifetime 3000
	check_port_set "first request"
	expect_kv lifetime 3000 "first request"
	ip=$(kv "$OUT" ipv4) port=$(kv "$OUT" port) size=$(kv "$OUT" size) e1=$(kv "$OUT" epoch)
	sleep 1.1

	pcp "$PCP_B4A" map --nonce "$NONCE_A" --lifetime 5000
	check_port_set "renewal"
	expect_kv lifetime 5000 "renewal"
	[ "$(kv "$OUT" ipv4) $(kv "$OUT" port) $(kv "$OUT" size)" = "$ip $port $size" ] ||
		pfail "the renewal moved the set: $(kv "$OUT" ipv4) $(kv "$OUT" port)/$(kv "$OUT" size), was $ip $port/$size"
	e2=$(kv "$OUT" epoch)
	[ "$e2" -gt "$e1" ] || pfail "epoch $e1 then $e2 one second later: it must go up (PCPS-16)"
	left=$(grants_json | jq '.grants[0]."expires-in"')
	[ "$left" -gt 4990 ] && [ "$left" -le 5000 ] || pfail "the stored grant expires in $left s, expected ~5000"
	expect_binding "$PCP_B4A" "$ip" "$port" "$size"
	before=$(grants_canon)

	pcp "$PCP_B4A" map --nonce "$NONCE_X" --lifetime 5000
	expect_result NOT_AUTHORIZED "another nonce"
	left=$(kv "$OUT" lifetime)
	[ "$left" -gt 4900 ] && [ "$left" -le 5000 ] ||
		pfail "NOT_AUTHORIZED lifetime $left: expected the mapping's remaining life (~5000 s, PCPS-13)"
	expect_kv copy 1 "NOT_AUTHORIZED (a copy of the request, PCPS-4)"
	pcp "$PCP_B4A" delete --nonce "$NONCE_X"
	expect_result NOT_AUTHORIZED "delete with another nonce"
	[ "$(grants_canon)" = "$before" ] || pfail "a refused request changed the grants (PCPS-4)"
	expect_binding "$PCP_B4A" "$ip" "$port" "$size"

	# PCPS-12: 120 s <= lifetime <= 86400 s
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --lifetime 30
	expect_result SUCCESS "renewal for 30 s"
	expect_kv lifetime 120 "renewal for 30 s (min-lifetime)"
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --lifetime 200000
	expect_result SUCCESS "renewal for 200000 s"
	expect_kv lifetime 86400 "renewal for 200000 s (max-lifetime)"
	expect_kv port "$port" "renewal for 200000 s"

	pcp "$PCP_B4A" delete --nonce "$NONCE_A"
	expect_result SUCCESS "delete"
	expect_kv lifetime 0 "delete"
	expect_no_binding "$PCP_B4A"
	[ "$(grants_json | jq '.grants | length')" = 0 ] || pfail "the deleted grant is still stored: $(grants_json)"
	pcp "$PCP_B4A" delete --nonce "$NONCE_A"
	expect_result SUCCESS "delete again"
	expect_kv lifetime 0 "delete again"

	# the old set no longer passes
	stats_json "$T/s0.json"
	inject "$PCP_B4A" $((port + 1)) after-delete
	wait_stat "$T/s0.json" "$T/s1.json" drop-no-source-softwire-packets 1
	[ "$(delta "$T/s0.json" "$T/s1.json" drop-no-source-softwire-packets)" -eq 1 ] ||
		pfail "a datagram from the deleted set was not dropped as drop-no-source-softwire"
}

# RFC 7753 §4.2 (PCPS-7): the server MUST NOT map internal ports outside
# [Internal Port, Internal Port + size), and a grant is identity mapped
# (PCPS-8), so the set itself lies in that range. A fresh B4 asking 2048
# ports from internal port 40000 (issue 10: it got 4096-6143) gets the
# largest aligned block inside 40000-42047: 1024 ports at 40960. A B4 asking
# 1000 ports from there can get no block of the minimum size (1024):
# NO_RESOURCES, short lifetime, and nothing is installed.
pcp_internal_port_range()
{
	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --protocol 17 --internal-port 40000 --size 2048
	check_port_set "2048 ports from internal port 40000"
	expect_kv port 40960 "2048 ports from internal port 40000"
	expect_kv size 1024 "2048 ports from internal port 40000"
	expect_kv internal_port 40000 "the MAP's Internal Port echoed (RFC 7753 §4)"
	expect_binding "$PCP_B4A" "$PCP_POOL_ADDR" 40960 1024

	pcp "$PCP_B4B" map --nonce "$NONCE_B" --protocol 17 --internal-port 40000 --size 1000
	expect_result NO_RESOURCES "1000 ports from internal port 40000 (no 1024 block inside)"
	expect_kv lifetime 30 "NO_RESOURCES (short error lifetime)"
	expect_no_binding "$PCP_B4B"
	# the lwB4's own request (PCPC-5: 65535 ports from 1) is granted as
	# before (1024 ports: the one pool address holds 1024-port blocks now,
	# PSID-4)
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B as the lwB4 asks"
	expect_kv port 1024 "B4 B as the lwB4 asks"
}

# Quota 1 (PCPS-15): a second mapping of the same B4 (another internal port)
# is USER_EX_QUOTA with the short error lifetime. A pool of one address with
# 32768-port blocks has one block (psid 0 holds ports 0-1023: PSID-5): the
# second B4 gets NO_RESOURCES, short lifetime. A single-port MAP (no
# PORT_SET) is below the smallest block: NO_RESOURCES again, and with the
# short lifetime too (RFC 6887 §7.4 makes NO_RESOURCES a short-lifetime
# error whatever its cause; issue 10). None of them changes anything (PCPS-4).
pcp_quota_and_pool_exhausted()
{
	local before

	pcp_setup "pool $PCP_POOL_ADDR/32" "block-size 32768" "min-block-size 32768" \
		"max-block-size 32768" "quota 1"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	expect_kv port 32768 "B4 A (the only block above 1023)"
	expect_kv size 32768 "B4 A"
	before=$(grants_canon)

	pcp "$PCP_B4A" map --nonce "$NONCE_X" --protocol 17 --internal-port 5000
	expect_result USER_EX_QUOTA "B4 A's second mapping"
	expect_kv lifetime 30 "USER_EX_QUOTA (short error lifetime)"
	expect_kv copy 1 "USER_EX_QUOTA"

	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	expect_result NO_RESOURCES "B4 B in an exhausted pool"
	expect_kv lifetime 30 "NO_RESOURCES (short error lifetime)"
	pcp "$PCP_B4B" map --nonce "$NONCE_B" --protocol 17 --internal-port 5000 --no-port-set
	expect_result NO_RESOURCES "single-port MAP"
	expect_kv lifetime 30 "single-port MAP: NO_RESOURCES (short error lifetime, PCPS-15)"
	pcp "$PCP_B4B" map --nonce "$NONCE_B" --size 1024
	expect_result NO_RESOURCES "PORT_SET 1024 below min-block-size"
	expect_kv lifetime 30 "PORT_SET 1024: NO_RESOURCES (short error lifetime, PCPS-15)"

	[ "$(grants_canon)" = "$before" ] || pfail "refused requests changed the grants: $(grants_canon)"
	expect_no_binding "$PCP_B4B"
	[ "$(n_bindings)" = 1 ] || pfail "the binding table has $(n_bindings) entries, expected 1"
}

# RFC 6887 §8.2 and §7.3 answers to broken requests, each a copy of the
# request with the result code (PCPS-4) and no state change.
pcp_malformed_requests()
{
	local base bad

	pcp_setup
	base=$("$PCPC" map --dump-hex --nonce "$NONCE_A") || pfail "pcpc --dump-hex failed"
	log "a valid MAP + PORT_SET request: $base"

	pcp "$PCP_B4A" map --raw-hex "${base}0000"
	expect_result MALFORMED_REQUEST "74 octets (not a multiple of 4)"
	expect_kv lifetime 1800 "MALFORMED_REQUEST (long error lifetime)"
	expect_kv copy 1 "MALFORMED_REQUEST"
	expect_kv len 76 "MALFORMED_REQUEST: the copy padded to a multiple of 4"

	pcp "$PCP_B4A" map --raw-hex "01${base:2}"
	expect_result UNSUPP_VERSION "version 1"
	expect_kv version 2 "UNSUPP_VERSION: the server's own version (RFC 6887 §9)"

	pcp "$PCP_B4A" map --raw-hex "${base}63000000"
	expect_result UNSUPP_OPTION "unknown mandatory option 99"
	expect_kv copy 1 "UNSUPP_OPTION"

	pcp "$PCP_B4A" map --nonce "$NONCE_A" --third-party 2001:db8:b4::99
	expect_result UNSUPP_OPTION "THIRD_PARTY inside the softwire (PCPS-18)"

	pcp "$PCP_B4A" map --nonce "$NONCE_A" --client-ip 192.0.0.9
	expect_result ADDRESS_MISMATCH "PCP Client IP 192.0.0.9 from 192.0.0.2 (PCPS-3)"

	pcp "$PCP_B4A" map --nonce "$NONCE_A" --size 0
	expect_result MALFORMED_OPTION "PORT_SET size 0 (PCPS-6)"
	pcp "$PCP_B4A" map --raw-hex "${base}82000005ffff000100000000"
	expect_result MALFORMED_OPTION "two PORT_SET options (PCPS-6)"

	bad=$base$(printf '00%.0s' $(seq 1032))
	pcp "$PCP_B4A" map --raw-hex "$bad"
	expect_result MALFORMED_REQUEST "1104 octets (more than 1100)"
	expect_kv len 1100 "MALFORMED_REQUEST: the copy cut to 1100 octets"
	expect_kv copy 1 "MALFORMED_REQUEST of 1104 octets"

	# silently dropped (PCPS-2): < 24 octets, R set
	pcp "$PCP_B4A" map --raw-hex "${base:0:40}" --tries 2
	expect_result NONE "20 octets: no answer"
	[ "$RC" = 1 ] || pfail "pcpc exited $RC without an answer, expected 1"
	pcp "$PCP_B4A" map --raw-hex "0281${base:4}" --tries 1 --irt 1
	expect_result NONE "a request with R set: no answer"
	alive "$PCPD_PID" || pfail "pcpd died"

	# PCPS-4: none of it made state
	[ "$(n_bindings)" = 0 ] || pfail "refused requests left bindings: $(sw_list_json)"
	[ "$(grants_json | jq '.grants | length')" = 0 ] || pfail "refused requests left grants"

	# PCPS-5: an unknown optional option is ignored and left out of the answer
	pcp "$PCP_B4A" map --raw-hex "${base}c8000000"
	check_port_set "unknown optional option 200"
	expect_kv len 72 "SUCCESS: MAP + PORT_SET only, without option 200"
}

# THIRD_PARTY on the management socket (third-party-listen, PCPS-18): from
# an address in third-party-allow it creates the named B4's binding, to
# br-address; from any other address, or without THIRD_PARTY, it is
# NOT_AUTHORIZED; naming the sender's own address is MALFORMED_REQUEST
# (RFC 6887 §13.1; issue 10) and creates nothing.
pcp_third_party_management()
{
	local ip port size b4c=2001:db8:b4::12 b4d=2001:db8:b4::13

	pcp_setup "pool $PCP_POOL_ADDR/32" "block-size 2048" "third-party-listen $PCP_MGMT6 5351" \
		"third-party-allow $PCP_PROV6/128"
	check_run ip -n "$NS_B4" addr add "$PCP_ROGUE6/64" dev b4v nodad

	echo "\$ pcpc third-party --server $PCP_MGMT6 --src $PCP_PROV6 --third-party $b4c"
	OUT=$(in_ns "$NS_B4" "$PCPC" third-party --server "$PCP_MGMT6" --src "$PCP_PROV6" \
		--third-party "$b4c" --nonce "$NONCE_A" 2>&1)
	RC=$?
	echo "  $OUT"
	check_port_set "THIRD_PARTY from the provisioning system"
	expect_kv third_party "$b4c" "THIRD_PARTY echoed in the answer"
	ip=$(kv "$OUT" ipv4) port=$(kv "$OUT" port) size=$(kv "$OUT" size)
	expect_binding "$b4c" "$ip" "$port" "$size"

	echo "\$ pcpc third-party --server $PCP_MGMT6 --src $PCP_ROGUE6 --third-party $b4d"
	OUT=$(in_ns "$NS_B4" "$PCPC" third-party --server "$PCP_MGMT6" --src "$PCP_ROGUE6" \
		--third-party "$b4d" 2>&1)
	RC=$?
	echo "  $OUT"
	expect_result NOT_AUTHORIZED "THIRD_PARTY from outside third-party-allow"
	expect_no_binding "$b4d"

	echo "\$ pcpc third-party --server $PCP_MGMT6 --src $PCP_PROV6 (no THIRD_PARTY)"
	OUT=$(in_ns "$NS_B4" "$PCPC" third-party --server "$PCP_MGMT6" --src "$PCP_PROV6" 2>&1)
	RC=$?
	echo "  $OUT"
	expect_result NOT_AUTHORIZED "a request for the provisioning system itself"

	echo "\$ pcpc third-party --server $PCP_MGMT6 --src $PCP_PROV6 --third-party $PCP_PROV6 (itself)"
	OUT=$(in_ns "$NS_B4" "$PCPC" third-party --server "$PCP_MGMT6" --src "$PCP_PROV6" \
		--third-party "$PCP_PROV6" --nonce "$NONCE_B" 2>&1)
	RC=$?
	echo "  $OUT"
	expect_result MALFORMED_REQUEST "THIRD_PARTY naming the sender's own address (RFC 6887 §13.1)"
	expect_kv lifetime 1800 "MALFORMED_REQUEST (long error lifetime)"
	expect_no_binding "$PCP_PROV6"
	[ "$(n_bindings)" = 1 ] || pfail "the binding table has $(n_bindings) entries, expected 1"
}

# kill -9 of pcpd: the bindings stay in the pinned maps, so traffic through
# them goes on while pcpd is down; the restarted pcpd restores the same
# grants from its database (durable before SUCCESS, PCPS-11), keeps the
# epoch running (PCPS-16: no state was lost) and renews the same set.
pcp_restart_keeps_state()
{
	local ipa pa sa e1 e2 before sw_before out sent got pingpid n=200

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	ipa=$(kv "$OUT" ipv4) pa=$(kv "$OUT" port) sa=$(kv "$OUT" size) e1=$(kv "$OUT" epoch)
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B"
	before=$(grants_canon)
	sw_before=$(sw_list_json | jq -c '."binding-table"."binding-entry" | sort_by(."binding-ipv6info")')
	log "grants: $before"

	# B4 A's host gets its public address, and pings the internet host with
	# an ICMP identifier from its set, through b4tun
	# shellcheck disable=SC2034 # start_b4tun (run.sh) reads it
	B4_IPV4=$ipa
	start_b4tun
	check_run in_ns "$NS_B4" ping -c 1 -W 2 -e $((pa + 7)) "$INET4"
	bg ping "$NS_B4" ping -n -c "$n" -i 0.02 -W 1 -e $((pa + 7)) "$INET4"
	pingpid=$BG_PID
	sleep 1
	echo "\$ kill -KILL pcpd ($PCPD_PID)"
	kill -KILL "$PCPD_PID"
	stop_bg "$PCPD_PID"
	sleep 0.5
	start_pcpd
	grep -q "unclean" "$PCPD_LOG" || pfail "the restarted pcpd did not notice the unclean shutdown"
	wait "$pingpid" 2>/dev/null
	wait_for 15 sh -c "grep -q 'packets transmitted' '$T/ping.log'" || pfail "the ping stream did not end"
	out=$(grep "packets transmitted" "$T/ping.log")
	log "ping during kill -9 and restart: $out"
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	[ "$sent" = "$n" ] && [ "$got" = "$n" ] ||
		pfail "ping through the softwire lost packets while pcpd was down: $out"

	[ "$(grants_canon)" = "$before" ] || pfail "grants after the restart: $(grants_canon), before: $before"
	[ "$(sw_list_json | jq -c '."binding-table"."binding-entry" | sort_by(."binding-ipv6info")')" = "$sw_before" ] ||
		pfail "the binding table changed across the restart: $(sw_list_json)"

	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "renewal after the restart"
	[ "$(kv "$OUT" ipv4) $(kv "$OUT" port) $(kv "$OUT" size)" = "$ipa $pa $sa" ] ||
		pfail "after the restart the renewal got another set"
	e2=$(kv "$OUT" epoch)
	[ "$e2" -ge "$e1" ] || pfail "epoch $e2 after the restart < $e1 before: the state was kept, the epoch must go on"
	log "epoch $e1 before, $e2 after the restart"
	pcp "$PCP_B4B" map --nonce "$NONCE_X"
	expect_result NOT_AUTHORIZED "B4 B with another nonce after the restart (the nonce survived)"
}

# Lost state (the database removed, pcpd killed): the epoch restarts
# (PCPS-16); pcpd sends ANNOUNCE unicast to each B4 still in the maps and
# multicast on announce-interface (PCPS-17), keeps the orphaned bindings for
# orphan-grace, and the B4s get their old sets back by suggesting them
# (PCPC-9, RFC 6887 §11.3). The multicast ANNOUNCE's inner IPv4 has TTL 1,
# as link-local multicast does (issue 10). A binding nobody re-requested
# goes when the grace ends; a re-requested one stays.
pcp_state_loss_announce()
{
	local ipa pa sa ipb pb sb e1 b f i

	need_sqlite3
	pcp_setup "pool $PCP_POOL_ADDR/32" "block-size 2048" "announce-interface acc" "orphan-grace 6"
	# an older server: its epoch has been running for an hour
	stop_pcpd
	check_run sqlite3 "$T/pcpd.db" "UPDATE state SET value = value - 3600 WHERE key = 'epoch_base'"
	start_pcpd
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	ipa=$(kv "$OUT" ipv4) pa=$(kv "$OUT" port) sa=$(kv "$OUT" size) e1=$(kv "$OUT" epoch)
	[ "$e1" -ge 3600 ] || pfail "epoch $e1 after aging the epoch base by 3600 s"
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B"
	ipb=$(kv "$OUT" ipv4) pb=$(kv "$OUT" port) sb=$(kv "$OUT" size)

	echo "\$ kill -KILL pcpd; rm $T/pcpd.db*"
	kill -KILL "$PCPD_PID"
	stop_bg "$PCPD_PID"
	rm -f "$T/pcpd.db" "$T/pcpd.db-wal" "$T/pcpd.db-shm"

	for b in A B; do
		f=PCP_B4$b
		bg "announce$b" "$NS_B4" "$PCPC" listen-announce --b4 "${!f}" --br "$BR_IPV6" --timeout 6 --count 6
		eval "LISTENER_$b=\$BG_PID"
		wait_for 3 grep -q "listening" "$T/announce$b.log" || pfail "pcpc listen-announce did not start"
	done
	start_pcpd
	grep -q "epoch restarts" "$PCPD_LOG" || pfail "pcpd did not notice the lost state"
	wait "$LISTENER_A" 2>/dev/null
	wait "$LISTENER_B" 2>/dev/null
	wait_for 8 sh -c "grep -q 'announce.*\(none\|epoch\)' '$T/announceA.log' && ! kill -0 $LISTENER_A 2>/dev/null" ||
		pfail "the listener of A did not end"
	wait_for 8 sh -c "! kill -0 $LISTENER_B 2>/dev/null" || pfail "the listener of B did not end"
	for b in A B; do
		f=PCP_B4$b
		log "B4 $b received:"
		sed 's/^/  /' "$T/announce$b.log"
		grep -q "^announce epoch=[0-9] .*to=192.0.0.2 outer_dst=${!f} outer_src=$BR_IPV6" "$T/announce$b.log" ||
			pfail "B4 $b got no unicast ANNOUNCE (192.0.0.2 inside IPv6 to ${!f}) with a small epoch"
		grep -q "^announce epoch=[0-9] .*to=224.0.0.1 outer_dst=ff02::1 outer_src=$BR_IPV6" "$T/announce$b.log" ||
			pfail "B4 $b got no multicast ANNOUNCE (224.0.0.1 inside IPv6 to ff02::1) with a small epoch"
		# RFC 5771: 224.0.0.0/24 is link-local, never forwarded (issue 10)
		grep "to=224.0.0.1 " "$T/announce$b.log" | grep -qv " ttl=1$" &&
			pfail "B4 $b got a multicast ANNOUNCE with an inner TTL other than 1"
	done

	# the orphans are still forwarded during the grace period
	expect_binding "$PCP_B4A" "$ipa" "$pa" "$sa"
	expect_binding "$PCP_B4B" "$ipb" "$pb" "$sb"
	# B4 B asks (A's old block, the lowest, is still free in the new
	# allocator: a server ignoring the suggestion would hand it that)
	pcp "$PCP_B4B" map --nonce "$NONCE_B" --suggest-ipv4 "$ipb" --suggest-port "$pb"
	check_port_set "B4 B after the state loss"
	[ "$(kv "$OUT" ipv4) $(kv "$OUT" port)" = "$ipb $pb" ] || pfail "B4 B did not get its old set $ipb $pb back"
	[ "$(kv "$OUT" epoch)" -lt 60 ] || pfail "epoch $(kv "$OUT" epoch) after the state loss: it must restart"
	# A stays silent past the grace (6 s): its orphan goes, B's grant stays
	for i in $(seq 100); do
		[ -z "$(bindings_of "$PCP_B4A")" ] && break
		sleep 0.1
	done
	expect_no_binding "$PCP_B4A"
	grep "nobody re-requested" "$PCPD_LOG" | sed 's/^/  /'
	expect_binding "$PCP_B4B" "$ipb" "$pb" "$sb"
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --suggest-ipv4 "$ipa" --suggest-port "$pa"
	check_port_set "B4 A after the state loss"
	[ "$(kv "$OUT" ipv4) $(kv "$OUT" port)" = "$ipa $pa" ] || pfail "B4 A did not get its old set $ipa $pa back"
	expect_binding "$PCP_B4A" "$ipa" "$pa" "$sa"
	expect_binding "$PCP_B4B" "$ipb" "$pb" "$sb"
	[ "$(grants_json | jq '.grants | length')" = 2 ] || pfail "the new database does not hold the 2 grants"
}

# A decapsulated packet from outside the B4's set: dropped by the program,
# reported on the event ring, and pcpd answers the B4 with ICMPv6 1/5 from
# the BR address it was sent to (AFTR-DECAP-3), rate-limited (icmpv6-rate).
pcp_policy_fail_icmpv6()
{
	local pa tcpd n1 n2 v

	pcp_setup "pool $PCP_POOL_ADDR/32" "block-size 2048" "icmpv6-rate 5"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	pa=$(kv "$OUT" port)
	bg tcpdump "$NS_B4" tcpdump -U -n -i b4v -w "$T/b4.pcap" "icmp6 and ip6[40] == 1"
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || pfail "tcpdump did not start"

	inject "$PCP_B4A" 100 below-the-set
	wait_for 3 sh -c "tcpdump -nr '$T/b4.pcap' 2>/dev/null | grep -q ." ||
		pfail "no ICMPv6 destination unreachable reached the B4"
	v=$(tcpdump -vv -nr "$T/b4.pcap" 2>/dev/null)
	printf '%s\n' "$v" | sed 's/^/  /'
	grep -q "$BR_IPV6 > $PCP_B4A: .*ICMP6, destination unreachable" <<<"$v" ||
		pfail "the error is not ICMPv6 destination unreachable from $BR_IPV6 to $PCP_B4A"
	[ "$(count_pkts "$T/b4.pcap" 'ip6[41] == 5')" = "$(count_pkts "$T/b4.pcap")" ] ||
		pfail "the ICMPv6 error is not code 5 (source address failed ingress/egress policy)"
	grep -q "bad" <<<"$v" && pfail "tcpdump reports a bad checksum"
	# the quote (tcpdump does not decode it for code 5): the whole
	# IPv4-in-IPv6 packet the B4 sent, 40 + 20 + 8 + 13 octets: its IPv6
	# source, protocol 4, the inner source address and port 100
	[ "$(count_pkts "$T/b4.pcap" "ip6[4:2] == 89 and ip6[48+6] == 4 and ip6[56:4] == 0x20010db8 and
		ip6[68:4] == 0x10 and ip6[100:4] == 0xc0000201 and ip6[108:2] == 100")" = 1 ] ||
		pfail "the ICMPv6 error does not quote the whole datagram the B4 sent"

	# a burst of 50: at most the bucket (5) goes out, plus what refills
	n1=$(count_pkts "$T/b4.pcap")
	inject "$PCP_B4A" 101 burst 50
	sleep 1.2
	n2=$(count_pkts "$T/b4.pcap")
	log "50 packets outside the set: $((n2 - n1)) ICMPv6 errors (icmpv6-rate 5)"
	[ $((n2 - n1)) -ge 1 ] || pfail "no ICMPv6 error for the burst"
	[ $((n2 - n1)) -le 6 ] || pfail "$((n2 - n1)) ICMPv6 errors for 50 packets with icmpv6-rate 5: not rate-limited"
	stop_bg "$tcpd" TERM
	stop_pcpd
	grep -q "ICMP sent" "$PCPD_LOG" || pfail "pcpd's closing line has no ICMP count"
}

# icmp6_too_big SRC QUOTED_DST PORT MTU: ICMPv6 packet too big (type 2) from
# SRC on the access side to the BR, quoting a tunnel packet BR -> QUOTED_DST
# that carried UDP from the internet host to the pool address:PORT. The
# kernel fills in the ICMPv6 checksum.
icmp6_too_big()
{
	check_run in_ns "$NS_B4" python3 -c '
import socket, struct, sys
src, br, qdst, pool, inet, port, mtu = sys.argv[1:8]
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
udp = struct.pack("!HHHH", 7, int(port), 16, 0) + b"tunneled"
ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 60, 17, 0,
                  socket.inet_aton(inet), socket.inet_aton(pool))
ip4 = ip4[:10] + struct.pack("!H", csum(ip4)) + ip4[12:]
quote = struct.pack("!IHBB", 0x60000000, len(ip4 + udp), 4, 64) + \
    socket.inet_pton(socket.AF_INET6, br) + socket.inet_pton(socket.AF_INET6, qdst) + ip4 + udp
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.bind((src, 0))
s.sendto(struct.pack("!BBHI", 2, 0, 0, int(mtu)) + quote, (br, 0))
' "$1" "$BR_IPV6" "$2" "$PCP_POOL_ADDR" "$INET4" "$3" "$4"
}

# expect_not_relayed N REASON WHAT: a second on, the internet host still has
# N ICMPv4 errors in $T/inet.pcap, and pcpd logged the event for REASON.
expect_not_relayed()
{
	local n

	sleep 1
	n=$(count_pkts "$T/inet.pcap")
	[ "$n" = "$1" ] || pfail "$3 was relayed ($n ICMPv4 errors in all, expected $1)"
	grep -q "nothing sent ($2)" "$PCPD_LOG" || pfail "pcpd did not log $3 as not relayed ($2)"
}

# AFTR-ICMP-6 (issue 10): pcpd relays an ICMPv6 error to a BR as ICMPv4
# only when it quotes a tunnel packet of ours: from that BR to the B4 whose
# softwire owns the inner destination address and port. A packet too big
# quoting a "tunnel packet" to B4 B, which owns nothing, is not relayed;
# the same quoting B4 A's tunnel is, as 3/4 with the MTU less 40. With
# generate-icmpv4-errors turned off in the data plane (`lw4o6 set`,
# AFTR-ICMP-8) pcpd relays nothing either.
pcp_icmpv6_relay_checked()
{
	local pa tcpd n v

	pcp_setup "pool $PCP_POOL_ADDR/32" "block-size 2048" "icmpv4-source $AFTR_WAN4"
	# shellcheck disable=SC2034 # expect_not_relayed reads the capture
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	pa=$(kv "$OUT" port)
	bg tcpdump "$NS_INET" tcpdump -U -n -i inetv -w "$T/inet.pcap" icmp
	tcpd=$BG_PID
	wait_for 5 grep -q "listening on" "$T/tcpdump.log" || pfail "tcpdump did not start"

	icmp6_too_big "$PCP_B4A" "$PCP_B4B" $((pa + 1)) 1300
	expect_not_relayed 0 not-our-tunnel-packet "an error quoting a tunnel packet to B4 B, which owns no port"
	icmp6_too_big "$PCP_B4A" "$PCP_B4A" $((pa + 1)) 1300
	wait_for 3 sh -c "tcpdump -nr '$T/inet.pcap' 2>/dev/null | grep -q ." ||
		pfail "the error quoting B4 A's tunnel packet was not relayed to the internet host"
	sleep 0.3
	v=$(tcpdump -vv -nr "$T/inet.pcap" 2>/dev/null)
	printf '%s\n' "$v" | sed 's/^/  /'
	n=$(count_pkts "$T/inet.pcap")
	[ "$n" = 1 ] || pfail "the internet host got $n ICMPv4 errors, expected 1 (the forged quote relayed?)"
	grep -q "$AFTR_WAN4 > $INET4: ICMP $PCP_POOL_ADDR unreachable - need to frag (mtu 1260)" <<<"$v" ||
		pfail "the relayed error is not 3/4 from $AFTR_WAN4 with MTU 1300 - 40"

	check_run aftr_lw4o6 set icmpv4-errors off
	sleep 1.5 # pcpd reads the data plane's settings every second
	icmp6_too_big "$PCP_B4A" "$PCP_B4A" $((pa + 1)) 1300
	expect_not_relayed 1 disabled "with generate-icmpv4-errors off, an error"
	stop_bg "$tcpd" TERM
}

# Expiry (PCPS-11, AFTR-BT-2) in reasonable time: pcpd refuses lifetimes
# under 120 s (RFC 6887 §15), so the grant's stored expiry is moved to 3 s
# from now while pcpd is stopped; the restarted pcpd restores it and its
# timer must remove the grant and the binding when it runs out.
pcp_expiry_removes_binding()
{
	local ip port size left i

	need_sqlite3
	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --lifetime 7200
	check_port_set "B4 A"
	ip=$(kv "$OUT" ipv4) port=$(kv "$OUT" port) size=$(kv "$OUT" size)
	stop_pcpd
	check_run sqlite3 "$T/pcpd.db" "UPDATE grants SET expires_at = CAST(strftime('%s','now') AS INTEGER) + 3"
	start_pcpd
	left=$(grants_json | jq '.grants[0]."expires-in"')
	log "the restored grant expires in $left s"
	[ "$left" -le 3 ] || pfail "the restored grant expires in $left s, expected <= 3"
	expect_binding "$PCP_B4A" "$ip" "$port" "$size"
	for i in $(seq 80); do
		[ -z "$(bindings_of "$PCP_B4A")" ] && break
		sleep 0.1
	done
	expect_no_binding "$PCP_B4A"
	grep -q "expired: $PCP_B4A" "$PCPD_LOG" || pfail "pcpd did not log the expiry"
	log "$(grep "expired:" "$PCPD_LOG")"
	[ "$(grants_json | jq '.grants | length')" = 0 ] || pfail "the expired grant is still stored"
	# the B4 asks again (same nonce): the held block comes back to it
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A after the expiry"
	expect_kv port "$port" "the same client after the expiry (RFC 6887 §15 reuse exception)"
}

# Measurements, not assertions (beyond every grant succeeding): grants per
# second with the durable store (SQLite, synchronous=FULL: one fdatasync per
# grant, in $T), 1000 B4 addresses one after the other and 1000 more 8 at a
# time; the round trip of one MAP (a renewal: also a durable write), median
# of 20.
# Issue 12: a PCP binding is pcpd's. Under a ping stream through it, 20
# renewals and two `softwire import --replace` of the static table (one
# changing it, one the same) lose no packet and draw no ICMPv6 1/5; the
# binding keeps its slot, its origin and its counters, while the static
# table becomes the file's. `lw4o6 load aftr` over the running lwAFTR then
# leaves the PCP binding and its counters as they were (the attach itself
# is not judged here).
pcp_binding_survives_config_changes()
{
	local ip port size out sent got n=150 c0 c1 c2

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	ip=$(kv "$OUT" ipv4) port=$(kv "$OUT" port) size=$(kv "$OUT" size)
	# shellcheck disable=SC2034 # start_b4tun (run.sh) reads it
	B4_IPV4=$ip
	start_b4tun
	printf '{"binding-table":{"binding-entry":[%s]}}\n' "$(sw_entry 192.0.2.50 0 0 "$PCP_B4B")" >"$T/static1.json"
	printf '{"binding-table":{"binding-entry":[%s]}}\n' "$(sw_entry 192.0.2.51 0 0 "$PCP_B4B")" >"$T/static2.json"
	check_run aftr_lw4o6 softwire import "$T/static1.json" --replace
	check_run in_ns "$NS_B4" ping -c 1 -W 2 -e $((port + 7)) "$INET4"

	bg ping "$NS_B4" ping -n -c "$n" -i 0.02 -W 1 -e $((port + 7)) "$INET4"
	pcp "$PCP_B4A" map --nonce "$NONCE_A" --repeat 20 --irt 2
	[ "$(kv "$OUT" success)" = 20 ] || pfail "not all 20 renewals succeeded"
	check_run aftr_lw4o6 softwire import "$T/static2.json" --replace
	check_run aftr_lw4o6 softwire import "$T/static2.json" --replace
	wait_for 15 sh -c "grep -q 'packets transmitted' '$T/ping.log'" || pfail "the ping stream did not end"
	out=$(grep "packets transmitted" "$T/ping.log")
	log "ping during 20 renewals and two imports: $out"
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	[ "$sent" = "$n" ] && [ "$got" = "$n" ] || pfail "ping through the PCP binding lost packets: $out"

	expect_binding "$PCP_B4A" "$ip" "$port" "$size"
	out=$(sw_list_json)
	log "binding table: $(jq -c '."binding-table"."binding-entry"' <<<"$out")"
	[ "$(jq -r --arg b "$PCP_B4A" '."binding-table"."binding-entry"[] | select(."binding-ipv6info" == $b) | .origin' <<<"$out")" = pcp ] ||
		pfail "the PCP binding is not listed with origin pcp"
	[ "$(jq -r '."binding-table"."binding-entry"[] | select(."binding-ipv4-addr" == "192.0.2.51") | .origin' <<<"$out")" = config ] ||
		pfail "the imported static softwire is not there with origin config"
	[ -z "$(jq -r '."binding-table"."binding-entry"[] | select(."binding-ipv4-addr" == "192.0.2.50")' <<<"$out")" ] ||
		pfail "the static softwire the second file dropped is still there"
	stats_json "$T/c1.json"
	c1=$(sw_stat "$T/c1.json" "$ip" $((port / size)) decap-packets)
	# the check ping and the stream: a reset at any renewal or import would
	# leave fewer
	[ "$c1" -ge $((n + 1)) ] || pfail "the PCP binding counted $c1 packets from the B4, it sent $((n + 1))"

	# load aftr over the running lwAFTR, the file being the static table
	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/static2.json"
	expect_binding "$PCP_B4A" "$ip" "$port" "$size"
	stats_json "$T/c2.json"
	c2=$(sw_stat "$T/c2.json" "$ip" $((port / size)) decap-packets)
	[ "$c2" -ge "$c1" ] || pfail "the load reset the PCP binding's counters: $c1 before, $c2 after"
	c0=$(sw_list_json | jq -r --arg b "$PCP_B4A" '."binding-table"."binding-entry"[] | select(."binding-ipv6info" == $b) | .origin')
	[ "$c0" = pcp ] || pfail "after the load the binding's origin is '$c0'"
	check_run in_ns "$NS_B4" ping -c 1 -W 2 -e $((port + 7)) "$INET4"

	stop_pcpd
	grep -q " 0 ICMP sent" "$PCPD_LOG" || pfail "pcpd sent ICMP errors (ICMPv6 1/5 to the B4?): $(tail -1 "$PCPD_LOG")"
}

pcp_measure()
{
	local i seq par lat fs n=1000

	pcp_setup "pool 192.0.2.0/24" "block-size 2048" "quota 1"
	for i in $(seq 0 $((n - 1))); do
		printf 'addr add 2001:db8:b4::1:%x/128 dev b4v nodad\naddr add 2001:db8:b4::2:%x/128 dev b4v nodad\n' "$i" "$i"
	done >"$T/addrs.batch"
	check_run ip -n "$NS_B4" -batch "$T/addrs.batch"
	fs=$(df --output=fstype "$T" | tail -1)

	pcp 2001:db8:b4::1:0 map --b4-count "$n" --window 1 --irt 2
	seq=$OUT
	[ "$(kv "$seq" success)" = "$n" ] || pfail "sequential: not all $n MAPs succeeded"
	pcp 2001:db8:b4::2:0 map --b4-count "$n" --window 8 --irt 2
	par=$OUT
	[ "$(kv "$par" success)" = "$n" ] || pfail "window 8: not all $n MAPs succeeded"
	[ "$(grants_json | jq '.grants | length')" = $((2 * n)) ] || pfail "pcpd does not list the $((2 * n)) grants"
	[ "$(n_bindings)" = $((2 * n)) ] || pfail "the binding table does not hold the $((2 * n)) bindings"

	pcp "$PCP_B4A" map --nonce "$NONCE_A" --repeat 20 --irt 2
	lat=$OUT
	[ "$(kv "$lat" success)" = 20 ] || pfail "not all 20 renewals succeeded"
	NOTE="grants/s with durable state ($fs): $(kv "$seq" per_second) sequential, $(kv "$par" per_second) with 8 in flight ($n B4s each); MAP round trip median $(kv "$lat" rtt_median_us) us (min $(kv "$lat" rtt_min_us), max $(kv "$lat" rtt_max_us), 20 renewals)"
	echo "NOTE: $NOTE"
}
