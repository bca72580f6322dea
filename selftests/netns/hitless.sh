#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Hitless operation (issue 12): under steady traffic in both directions,
# through a PCP-provisioned lwB4 and a static one, the operator's routine
# changes cost nothing: 100 renewals, a pcpd restart, `lw4o6 load aftr` over
# the running lwAFTR (the same build, then the object rebuilt: a new
# program), `softwire import --replace` of the static table and `lw4o6 b4
# load` over both running lwB4s. Counted: packets lost (every datagram and
# TCP line is numbered and echoed), TCP sessions reset, external ports
# changed (the servers log every peer), ICMPv6 1/5 on the access segment,
# mappings flushed (pcpd --role b4 logs every set it removes). All must be 0.
#
# This file is sourced by run.sh after b4.sh and pcpb4.sh (whose lb_* and
# pb_* helpers it uses). Run alone: selftests/netns/hitless.sh [TEST...]
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP), pcpd --role b4, set by PCP
#                                 b4v ── br0 ── acc  aftr: lwAFTR (XDP), pcpd --role aftr
#  h3 192.168.2.10 ── lan  b4b: lwB4 (XDP), static set        pool 192.0.2.1/32 (PCP)
#                          b4v ── br0                         static 192.0.2.2 psid 5
#                                                             wan ── inet 198.51.100.2
# The internet host runs a UDP and a TCP echo; h1 runs a UDP echo behind
# a PCP MAP mapping that the internet host sends to.

HITLESS_TESTS="
hitless_operations_under_traffic
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $HITLESS_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$HITLESS_TESTS

TEST_IDS+=(
	[hitless_operations_under_traffic]="PCPS-11 B4-PROV-5 B4-PROV-8 AFTR-DECAP-2 AFTR-ENCAP-1 B4-NAT-6"
)

HS_STATIC=192.0.2.2
HS_STATIC_PSID=5
HS_UDP_PORT=7787 # pb_setup's own echo has $LB_ECHO_PORT
HS_TCP_PORT=7788
HS_INBOUND_PORT=9999
HS_STEADY=$ROOT/selftests/netns/steady.py

# hs_static_table: the lwAFTR's static table, RFC 8676 JSON: b4b's softwire.
hs_static_table()
{
	printf '{"binding-table":{"binding-entry":[{"binding-ipv6info":"2001:db8:b4::2","binding-ipv4-addr":"%s","port-set":{"psid-offset":0,"psid-len":6,"psid":%s},"br-ipv6-addr":"%s"}]}}\n' \
		"$HS_STATIC" "$HS_STATIC_PSID" "$LB_BR"
}

hs_setup()
{
	[ -x "$BUILD/selftests/pcpc" ] || skip "not built: $BUILD/selftests/pcpc"
	for t in sqlite3 tcpdump; do
		command -v "$t" >/dev/null || skip "missing: $t"
	done
	# the lab of pcpb4.sh (lwAFTR, pcpd --role aftr with pool $LB_PUB/32,
	# lwB4 A and its pcpd, h1), the lwAFTR's table holding b4b's softwire
	# shellcheck disable=SC2034 # read by pb_setup
	PB_AFTR_TABLE=$(hs_static_table)
	# shellcheck disable=SC2034 # read by pb_setup
	PB_B4_EXTRA=("lan-address 192.168.1.1")
	pb_setup

	# lwB4 B: the static set of the lwAFTR's table; h3 is its LAN
	lb_ns b4b
	lb_host h3 192.168.2.10 192.168.2.1
	check_run ip -n "$LB_P-h3" link set h3-p netns "$LB_P-b4b" name lan
	lb_pass "$LB_P-h3" eth0
	LB_PUB=$HS_STATIC lb_b4 b4b 2 192.168.2.1 $((HS_STATIC_PSID * 1024)) 1024

	# the internet host: a UDP and a TCP echo that log their peers
	bg udpecho2 "$LB_P-inet" python3 "$HS_STEADY" udp-echo --bind "$LB_INET:$HS_UDP_PORT" \
		--peers "$T/udp-peers"
	bg tcpecho "$LB_P-inet" python3 "$HS_STEADY" tcp-echo --bind "$LB_INET:$HS_TCP_PORT" \
		--peers "$T/tcp-peers"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hlun 'sport = :$HS_UDP_PORT' | grep -q ." ||
		fail "the UDP echo did not start: $(cat "$T/udpecho2.log")"
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hltn 'sport = :$HS_TCP_PORT' | grep -q ." ||
		fail "the TCP echo did not start: $(cat "$T/tcpecho.log")"
}

# hs_counts: the lwAFTR's and both lwB4s' statistics, for the log.
hs_counts()
{
	log "lwAFTR: $(lb_aftr stats 2>&1 | grep -iE 'no.binding|drop' | grep -v ' 0$' | paste -sd';')"
}

# hs_step NAME CMD...: one operation under traffic, logged with its time.
hs_step()
{
	local name=$1 t0

	shift
	t0=$(date +%s%N)
	check_run "$@"
	log "step '$name' took $((($(date +%s%N) - t0) / 1000000)) ms"
	sleep 1
}

# hs_renewals N: N renewals of lwB4 A's grant, sent as pcpd --role b4 sends
# them (its nonce, internal port 1, protocol 0, PORT_SET 65535 from 1, the
# set held suggested) by pcpc from lwB4 A's tunnel address. The answers go
# to pcpd --role b4 too, which takes them as answers it did not ask for.
hs_renewals()
{
	local n=$1 nonce ipv4 first out

	read -r nonce ipv4 first < <(sqlite3 -separator ' ' "$T/pcpd-b4.db" \
		"SELECT lower(hex(nonce)), ipv4, first FROM b4_grants WHERE slot = 0")
	[ -n "$nonce" ] || pb_fail "no grant in pcpd --role b4's database"
	ipv4=$(printf '%d.%d.%d.%d' $((ipv4 >> 24 & 255)) $((ipv4 >> 16 & 255)) \
		$((ipv4 >> 8 & 255)) $((ipv4 & 255)))
	out=$(in_ns "$LB_P-b4a" "$BUILD/selftests/pcpc" map --b4 2001:db8:b4::1 --br "$LB_BR" \
		--nonce "$nonce" --protocol 0 --internal-port 1 --size 65535 --first-internal 1 \
		--suggest-ipv4 "$ipv4" --suggest-port "$first" --lifetime 600 --repeat "$n" \
		--irt 0.2 --tries 2 2>&1)
	log "pcpc --repeat $n: $out"
	printf '%s\n' "$out" | grep -q "success=$n " ||
		pb_fail "not every renewal of $n was answered SUCCESS: $out"
}

hitless_operations_under_traffic()
{
	local ext out f n_icmp lost=0 reset=0 changed=0 flushed summary few=""

	hs_setup

	# ICMPv6 destination unreachable of any code on the access segment
	bg icmp6 "$LB_P-sw" tcpdump -U -ni br0 -w "$T/icmp6.pcap" 'icmp6 and ip6[40] == 1'
	wait_for 5 grep -q "listening" "$T/icmp6.log" || fail "tcpdump did not start"

	# the inbound mapping: h1's UDP echo behind a PCP MAP at lwB4 A
	bg h1echo "$LB_P-h1" python3 "$HS_STEADY" udp-echo --bind "0.0.0.0:$HS_INBOUND_PORT" \
		--peers "$T/h1-peers"
	out=$(in_ns "$LB_P-h1" python3 "$ROOT/selftests/netns/lanpcp.py" map --server 192.168.1.1 \
		--proto udp --internal-port "$HS_INBOUND_PORT" --lifetime 600 2>&1)
	log "h1's PCP MAP: $out"
	ext=$(printf '%s\n' "$out" | sed -n 's/.* ext=\([0-9.:]*\).*/\1/p')
	[ -n "$ext" ] || pb_fail "h1 got no PCP mapping: $out"

	# steady traffic: h1 and h3 to the echoes (UDP every 5 ms, TCP every
	# 20 ms), the internet host to h1's mapping (every 5 ms)
	for f in h1 h3; do
		bg "$f-udp" "$LB_P-$f" python3 "$HS_STEADY" udp-client --dst "$LB_INET:$HS_UDP_PORT" \
			--interval-ms 5 --stop "$T/stop" --out "$T/$f-udp.json"
		bg "$f-tcp" "$LB_P-$f" python3 "$HS_STEADY" tcp-client --dst "$LB_INET:$HS_TCP_PORT" \
			--interval-ms 20 --stop "$T/stop" --out "$T/$f-tcp.json"
	done
	bg inet-in "$LB_P-inet" python3 "$HS_STEADY" udp-client --dst "$ext" --interval-ms 5 \
		--stop "$T/stop" --out "$T/inet-in.json"
	sleep 2
	hs_counts

	hs_step "100 renewals" hs_renewals 100
	hs_step "pcpd --role aftr restarted" hs_restart_aftr_pcpd
	hs_step "load aftr over the running one" lb_aftr load aftr --ipv6-dev acc --ipv4-dev wan \
		--config "$T/aftr.json"
	hs_step "load aftr, rebuilt object" lb_aftr load aftr --ipv6-dev acc --ipv4-dev wan \
		--config "$T/aftr.json" --obj "$BUILD/selftests/lw4o6_aftr_rebuilt.bpf.o"
	hs_step "softwire import --replace" lb_aftr softwire import --replace "$T/aftr.json"
	hs_step "load b4 over lwB4 A (PCP)" lb b4a load b4 --lan-dev lan --wan-dev b4v \
		--config "$T/b4a.conf"
	hs_step "load b4 over lwB4 B (static)" lb b4b load b4 --lan-dev lan --wan-dev b4v \
		--config "$T/b4b.conf"
	hs_counts

	touch "$T/stop"
	for f in h1-udp h1-tcp h3-udp h3-tcp inet-in; do
		wait_for 10 test -s "$T/$f.json" || pb_fail "$f wrote no result"
		log "$f: $(cat "$T/$f.json")"
		lost=$((lost + $(jq .lost "$T/$f.json")))
		reset=$((reset + $(jq .errors "$T/$f.json")))
		# a flow that stopped early counts as reset; one that never ran
		# would make every count vacuous
		[ "$(jq .sent "$T/$f.json")" -gt 100 ] || few="$few $f"
	done
	# one peer per flow at each server: an external port that changed
	# means the mapping was made again
	for f in udp-peers tcp-peers h1-peers; do
		log "$f: $(paste -sd' ' "$T/$f")"
	done
	changed=$(($(wc -l <"$T/udp-peers") - 2 + $(wc -l <"$T/tcp-peers") - 2 + \
		$(wc -l <"$T/h1-peers") - 1))
	sleep 0.5
	n_icmp=$(tcpdump -nr "$T/icmp6.pcap" 2>/dev/null | wc -l)
	flushed=$(grep -c "mappings flushed\|removed " "$T/pcpd-b4.log")
	summary="lost $lost, sessions reset $reset, external ports changed $changed, ICMPv6 type 1 $n_icmp, sets removed $flushed"
	log "$summary"
	[ -z "$few" ] || pb_fail "$summary; too few packets to count from:$few"
	if [ "$lost" != 0 ] || [ "$reset" != 0 ] || [ "$changed" != 0 ] || [ "$n_icmp" != 0 ] ||
		[ "$flushed" != 0 ]; then
		pb_fail "not hitless: $summary"
	fi
	echo "NOTE: $summary"
}

# pcpd --role aftr stopped (TERM) and started again on its database.
hs_restart_aftr_pcpd()
{
	stop_bg "$PB_AFTR_PID" TERM
	pb_start_aftr_pcpd
}
