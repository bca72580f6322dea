#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwB4's pool as pcpd --role b4 keeps it: another
# port set asked for when the pool runs out (B4-NAT-17, PCPC-5), an idle
# extra set given back with a lifetime-0 MAP (PCPC-8), growth refused by the
# lwAFTR's quota and not asked for again within the error lifetime
# (PCPC-10, PCPS-15), timer-driven renewals that keep the set (PCPC-8), and
# SUCCESS answers that are no port set (a single port, the miniupnpd echo of
# PORT_SET; PCPC-7).
#
# This file is sourced by run.sh after pcpb4.sh, whose topology (pb_setup)
# and helpers it uses; run.sh owns the runner and the teardown (namespaces,
# the private bpffs, the background processes, $T). Run alone:
#   selftests/netns/pcpb4pool.sh [TEST...]   (V=1 for every log)
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP), pcpd --role b4
#                                 tunnel 2001:db8:b4::1, no static port set
#                                 b4v ── br0 ── acc  aftr: lwAFTR (XDP), empty table,
#                                                    pcpd --role aftr (blocks of 64 here)
#                                                    or a fake PCP server (pbp_fake)
#                                                    wan ── inet 198.51.100.2 (UDP echo)
#
# pcpd --role aftr does not grant less than 120 s (RFC 6887 §15, PCPS-12;
# its configuration refuses a smaller min-lifetime), so a timer-driven
# renewal is a minute away. The renewal test and the PCPC-7 test therefore
# answer the lwB4 with a fake server (python, in the aftr namespace): it
# reads the MAP on a raw AF_INET6 socket of protocol 4 bound to the BR
# address, as pcpd --role aftr does, logs each request as one JSON line, and
# answers inside IPv6 from the BR with an IPv4/UDP packet it builds itself
# (the kernel adds only the IPv6 header to a raw IPIP socket's payload).

PCPB4POOL_TESTS="
pcpb4_pool_grows_on_exhaustion
pcpb4_pool_gives_back_idle_set
pcpb4_pool_growth_refused_quota
pcpb4_timer_renewal_same_set
pcpb4_renewal_unanswered_retries
pcpb4_not_a_grant_single_port_or_echo
pcpb4_malformed_request_backoff
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $PCPB4POOL_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$PCPB4POOL_TESTS

TEST_IDS+=(
	[pcpb4_pool_grows_on_exhaustion]="B4-NAT-17 PCPC-5 PCPC-8"
	[pcpb4_pool_gives_back_idle_set]="PCPC-8"
	[pcpb4_pool_growth_refused_quota]="PCPC-10 PCPS-15"
	[pcpb4_timer_renewal_same_set]="PCPC-8"
	[pcpb4_renewal_unanswered_retries]="PCPC-8 PCPC-3"
	[pcpb4_not_a_grant_single_port_or_echo]="PCPC-7"
	[pcpb4_malformed_request_backoff]="PCPC-3 PCPC-10 PCPS-19"
)

PBP_B4=2001:db8:b4::1
PBP_FLOWS=90 # UDP flows from h1: more than one 64-port set holds

# ---- helpers ---------------------------------------------------------------------

# The lwB4's port sets, as `lw4o6 portset list --json` prints them (compact).
pbp_sets()
{
	lb b4a portset list --json | jq -c '."port-sets"'
}

pbp_nsets()
{
	lb b4a portset list --json | jq '."port-sets" | length'
}

# pcpd --role aftr's grants for the lwB4 (--list-grants --json, compact).
pbp_aftr_grants()
{
	"$PB_PCPD" --role aftr --config "$T/pcpd-aftr.conf" --list-grants --json |
		jq -c --arg b4 "$PBP_B4" '[.grants[] | select(.b4 == $b4)]'
}

# The small blocks of the pool tests: 64 ports per grant.
pbp_small_blocks()
{
	# shellcheck disable=SC2034 # pb_setup's
	PB_AFTR_EXTRA=("block-size 64" "min-block-size 64" "max-block-size 64" "$@")
}

# pbp_flows NAME N WAIT ROUNDS: N UDP sockets on h1, each sending to the
# echo until answered: a round sends one datagram on every unanswered
# socket and waits up to WAIT s for the echoes. The sockets (the flows'
# source ports) stay the same across rounds. Result: $T/NAME.json with
# "answered", "per-round" (answered so far after each round), "max-sends"
# and "ports" (the flows' source ports).
pbp_flows()
{
	[ -f "$T/flows.py" ] || cat >"$T/flows.py" <<-'PY'
		import json, select, socket, sys, time
		dst, port, n, wait, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
		socks = []
		for i in range(n):
		    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    s.bind(("0.0.0.0", 0))
		    s.setblocking(False)
		    socks.append(s)
		answered = [0] * n
		sends = [0] * n
		per_round = []
		for r in range(1, rounds + 1):
		    for i, s in enumerate(socks):
		        if not answered[i]:
		            s.sendto(b"flow-%d-r%d" % (i, r), (dst, port))
		            sends[i] += 1
		    end = time.monotonic() + wait
		    while not all(answered):
		        left = end - time.monotonic()
		        if left <= 0:
		            break
		        waiting = [s for i, s in enumerate(socks) if not answered[i]]
		        for s in select.select(waiting, [], [], left)[0]:
		            i = socks.index(s)
		            try:
		                data = s.recv(2048)
		            except OSError:
		                continue
		            if data.startswith(b"echo flow-%d-" % i):
		                answered[i] = r
		    per_round.append(sum(1 for a in answered if a))
		    if all(answered):
		        break
		print(json.dumps({"n": n, "answered": per_round[-1], "per-round": per_round,
		                  "max-sends": max(sends), "ports": [s.getsockname()[1] for s in socks]}))
	PY
	echo "\$ $2 UDP flows from h1 to $LB_INET:$LB_ECHO_PORT (rounds of $3 s, at most $4)"
	in_ns "$LB_P-h1" timeout $(($4 * ${3%.*} + 10)) python3 "$T/flows.py" "$LB_INET" "$LB_ECHO_PORT" \
		"$2" "$3" "$4" >"$T/$1.json" 2>"$T/$1.err" ||
		pb_fail "the flow generator failed: $(cat "$T/$1.err")"
	log "flows: $(jq -c 'del(.ports)' "$T/$1.json")"
}

# pbp_grow ROUNDS: the traffic of the growth tests, PBP_FLOWS flows in at
# most ROUNDS rounds of 1.5 s; $T/flows.json.
pbp_grow()
{
	# the neighbours on the way are resolved first (one more mapping)
	pb_wait_udp 5 >/dev/null || pb_fail "UDP from h1 through the lwB4 is not answered"
	pbp_flows flows "$PBP_FLOWS" 1.5 "$1"
}

# The fake PCP server (see the header). pbp_fake NAME ANSWERS [LIFETIME
# [SET]]: ANSWERS is a comma-separated list, one per request in order, the
# last one repeating: "single" (SUCCESS without PORT_SET: one port), "echo"
# (SUCCESS with the request's PORT_SET option copied byte for byte),
# "grant" (SUCCESS with PORT_SET: the suggested address and port when the
# request has one, else SET, "IPV4/FIRST/SIZE", with SIZE ports),
# "malformed" (MALFORMED_REQUEST with lifetime 0, a copy of the request, as
# miniupnpd answers protocol 0 with an internal port), "none" (no answer).
# Every request is logged to $T/NAME.jsonl: time, nonce, protocol,
# lifetime, internal port, suggested external address:port, PORT_SET
# [size, first internal port, P] and the answer.
pbp_fake()
{
	[ -f "$T/pcpfake.py" ] || cat >"$T/pcpfake.py" <<-'PY'
		import ipaddress, json, socket, struct, sys, time
		br, logname, answers = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
		lifetime = int(sys.argv[4]) if len(sys.argv) > 4 else 120
		fset = (sys.argv[5] if len(sys.argv) > 5 else "192.0.2.1/1024/1024").split("/")
		t0 = time.monotonic()

		def csum(b):
		    if len(b) % 2:
		        b += b"\0"
		    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
		    while s >> 16:
		        s = (s & 0xffff) + (s >> 16)
		    return ~s & 0xffff

		def ipv4_udp(src, dst, sport, dport, payload):
		    ulen = 8 + len(payload)
		    pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
		    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
		    c = csum(pseudo + udp) or 0xffff
		    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
		    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0x1234, 0, 64, 17, 0, src, dst)
		    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
		    return hdr + udp

		s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
		s.bind((br, 0))
		log = open(logname, "a", buffering=1)
		print("fake PCP server on %s: answers %s, lifetime %d" % (br, ",".join(answers), lifetime), flush=True)
		n = 0
		while True:
		    pkt, peer = s.recvfrom(2048)
		    if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != 17:
		        continue
		    ihl = (pkt[0] & 15) * 4
		    src, dst = pkt[12:16], pkt[16:20]
		    sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
		    m = pkt[ihl + 8:]
		    if dst != bytes([192, 0, 0, 1]) or dport != 5351 or len(m) < 60 or m[1] != 1:
		        continue
		    req_lifetime = struct.unpack("!I", m[4:8])[0]
		    nonce, proto = m[24:36], m[36]
		    int_port, ext_port = struct.unpack("!HH", m[40:44])
		    ext_addr = m[44:60]
		    ps_raw, ps, off = None, None, 60
		    while off + 4 <= len(m):
		        code, olen = m[off], struct.unpack("!H", m[off + 2:off + 4])[0]
		        end = off + 4 + olen + (-olen & 3)
		        if code == 130 and olen == 5:
		            ps_raw = m[off:end]
		            ps = list(struct.unpack("!HH", m[off + 4:off + 8])) + [m[off + 8] & 1]
		        off = end
		    mode = answers[min(n, len(answers) - 1)]
		    n += 1
		    suggested = str(ipaddress.IPv6Address(ext_addr).ipv4_mapped or ipaddress.IPv6Address(ext_addr))
		    log.write(json.dumps({"t": round(time.monotonic() - t0, 4), "b4": peer[0], "sport": sport,
		                          "nonce": nonce.hex(), "lifetime": req_lifetime, "proto": proto,
		                          "int": int_port, "ext": "%s:%d" % (suggested, ext_port),
		                          "port-set": ps, "answer": mode}) + "\n")
		    if mode == "none":
		        continue
		    epoch = 1000 + int(time.monotonic() - t0)
		    if mode == "malformed":
		        resp = struct.pack("!BBBBII", 2, 0x81, 0, 3, 0, epoch) + bytes(12) + m[24:]
		        s.sendto(ipv4_udp(dst, src, 5351, sport, resp), (peer[0], 0))
		        continue
		    lt = 0 if req_lifetime == 0 else lifetime
		    if mode == "grant" and ext_port and suggested != "::":
		        addr, first = ipaddress.IPv4Address(suggested).packed, ext_port
		    else:
		        addr, first = ipaddress.IPv4Address(fset[0]).packed, int(fset[1])
		    opts = b""
		    if mode == "echo":
		        opts = ps_raw or b""
		    elif mode == "grant":
		        opts = struct.pack("!BBHHHB3x", 130, 0, 5, int(fset[2]), first, 0)
		    resp = struct.pack("!BBBBII", 2, 0x81, 0, 0, lt, epoch) + bytes(12)
		    resp += nonce + bytes([proto, 0, 0, 0]) + struct.pack("!HH", int_port, first)
		    resp += bytes(10) + b"\xff\xff" + addr + opts
		    s.sendto(ipv4_udp(dst, src, 5351, sport, resp), (peer[0], 0))
	PY
	bg "$1" "$LB_P-aftr" python3 "$T/pcpfake.py" "$LB_BR" "$T/$1.jsonl" "${@:2}"
	PBP_FAKE_PID=$BG_PID
	wait_for 5 grep -q "fake PCP server" "$T/$1.log" || pb_fail "the fake PCP server did not start: $(cat "$T/$1.log")"
}

# pbp_start_b4 NAME: pcpd --role b4 started (again) with $T/pcpd-b4.conf,
# logging to $T/NAME.log ($PB_B4_LOG).
pbp_start_b4()
{
	PB_B4_LOG=$T/$1.log
	bg "$1" "$LB_P-b4a" "$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf"
	PB_B4_PID=$BG_PID
}

# pbp_fake_instead NAME ANSWERS...: pb_setup's pcpd --role aftr stopped (the
# binding it installed stays in the lwAFTR's maps) and the fake started in
# its place.
pbp_fake_instead()
{
	stop_bg "$PB_AFTR_PID" TERM
	alive "$PB_AFTR_PID" && pb_fail "pcpd --role aftr did not stop"
	pbp_fake "$@"
}

# pbp_b4_sends SLOT FILE: the MAP requests pcpd --role b4 logged for SLOT.
pbp_b4_sends()
{
	grep "slot $1 sent (try " "$2"
}

# ---- the tests ---------------------------------------------------------------------

# pcpd --role aftr grants blocks of 64 ports, up to 4 per subscriber. h1
# opens more UDP flows than one set holds: the lwB4's usage crosses
# grow-percent (and the pool runs out, B4-NAT-17: the packet is dropped and
# reported), pcpd --role b4 asks for a second set with its own MAP
# (Internal Port 2, PORT_SET 65535/2, another nonce: PCPC-5), installs it
# and schedules its renewal (PCPC-8), and asks for no third one (max-sets
# 3) once the pool suffices; every flow is answered at the latest on its
# retry, and the flows' external ports come from both sets. Both grants are
# pcpd --role aftr's.
pcpb4_pool_grows_on_exhaustion()
{
	local sets grants n0 n1 renew ses nses ina inb lost drops

	pbp_small_blocks "quota 4"
	PB_B4_EXTRA=("max-sets 3" "grow-percent 80")
	pb_setup
	[ "$(jq .size <<<"$PB_SET")" = 64 ] || pb_fail "the first set $PB_SET is not a block of 64"
	pbp_grow 3

	wait_for 5 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a portset list --json | jq '.\"port-sets\" | length') = 2 ]" ||
		pb_fail "the lwB4 does not hold 2 sets: $(pbp_sets)"
	grep -q "slot 1: requesting a port set (pool growth: [0-9]* of 64 ports mapped" "$T/pcpd-b4.log" ||
		pb_fail "no pool growth logged"
	log "pcpd --role b4: $(grep -E 'pool growth|exhausted|threshold|slot 1: granted' "$T/pcpd-b4.log" | sed 's/^pcpd: //' | paste -sd'|')"
	# the second MAP is its own mapping: Internal Port 2, PORT_SET 65535/2,
	# per protocol (RFC 6887 §11.3 allows protocol 0 with Internal Port 0
	# only; the lwAFTR's port set serves every protocol all the same)
	grep -q "slot 1 sent (try 1): MAP request lifetime=600 client=192.0.0.2 .*proto=17 int=2 ext=0.0.0.0:0 PORT_SET=65535/2/P0" \
		"$T/pcpd-b4.log" || pb_fail "the second MAP is not for Internal Port 2 with PORT_SET 65535/2"
	n0=$(pbp_b4_sends 0 "$T/pcpd-b4.log" | grep -o "nonce=[0-9a-f]*" | sort -u)
	n1=$(pbp_b4_sends 1 "$T/pcpd-b4.log" | grep -o "nonce=[0-9a-f]*" | sort -u)
	[ "$(wc -l <<<"$n1")" = 1 ] && [ "$n0" != "$n1" ] ||
		pb_fail "the second set's MAP does not have a nonce of its own ($n0 / $n1)"
	# its renewal at 1/2..5/8 of the 600 s granted
	renew=$(sed -n 's/.*slot 1: granted .* for 600 s .*; renewing in \([0-9]*\) s$/\1/p' "$T/pcpd-b4.log" | head -1)
	[ -n "$renew" ] && [ "$renew" -ge 299 ] && [ "$renew" -le 375 ] ||
		pb_fail "the second set's renewal is not scheduled at 300..375 s (got '${renew}')"
	# the pool suffices with two sets: a third request would come from
	# exhaustion reported before the second set arrived
	grep "slot 2:" "$T/pcpd-b4.log" && pb_fail "a third set was asked for"

	# two distinct blocks of 64, both granted to the lwB4 by pcpd --role aftr
	sets=$(pbp_sets)
	log "lwB4 sets: $sets"
	jq -e 'length == 2 and all(.[]; .size == 64 and .first % 64 == 0) and
		(.[0].ipv4 != .[1].ipv4 or .[0].first != .[1].first)' <<<"$sets" >/dev/null ||
		pb_fail "not two distinct blocks of 64: $sets"
	jq -e --argjson s "$PB_SET" 'any(.[]; . == $s)' <<<"$sets" >/dev/null ||
		pb_fail "the first set $PB_SET left the pool"
	grants=$(pbp_aftr_grants)
	log "pcpd --role aftr grants for $PBP_B4: $grants"
	jq -e --argjson s "$sets" 'length == 2 and
		([.[] | "\(.ipv4)/\(."first-port")/\(."last-port")"] | sort) ==
		([$s[] | "\(.ipv4)/\(.first)/\(.last)"] | sort)' <<<"$grants" >/dev/null ||
		pb_fail "pcpd --role aftr's grants $grants are not the lwB4's sets $sets"

	# every flow answered, none needing more than its retry
	jq -e --argjson n "$PBP_FLOWS" '."per-round"[1] // ."per-round"[0] | . == $n' "$T/flows.json" >/dev/null ||
		pb_fail "not every flow answered by its second datagram: $(jq -c 'del(.ports)' "$T/flows.json")"
	# the flows' mappings: one each, external ports from both sets
	ses=$(lb b4a sessions --json)
	nses=$(jq --slurpfile f "$T/flows.json" '[.sessions[] | select(.protocol == "udp" and
		."internal-address" == "192.168.1.10" and (."internal-port" as $p | $f[0].ports | index($p)))] | length' <<<"$ses")
	[ "$nses" = "$PBP_FLOWS" ] || pb_fail "$nses mappings for the $PBP_FLOWS flows"
	ina=$(jq --argjson s "$(jq '.[0]' <<<"$sets")" '[.sessions[] | select(."external-address" == $s.ipv4 and
		."external-port" >= $s.first and ."external-port" <= $s.last)] | length' <<<"$ses")
	inb=$(jq --argjson s "$(jq '.[1]' <<<"$sets")" '[.sessions[] | select(."external-address" == $s.ipv4 and
		."external-port" >= $s.first and ."external-port" <= $s.last)] | length' <<<"$ses")
	log "mappings: $(jq .count <<<"$ses"), $ina in $(jq -c '.[0]' <<<"$sets"), $inb in $(jq -c '.[1]' <<<"$sets")"
	[ "$ina" -ge 1 ] && [ "$inb" -ge 1 ] || pb_fail "the external ports do not come from both sets ($ina / $inb)"
	[ $((ina + inb)) = "$(jq .count <<<"$ses")" ] || pb_fail "mappings outside the two sets"
	[ "$(jq .count <<<"$ses")" -gt 64 ] || pb_fail "no more mappings than one set holds"
	# B4-NAT-17: what the first round lost was dropped (and counted) for
	# want of a port
	lost=$((PBP_FLOWS - $(jq '."per-round"[0]' "$T/flows.json")))
	drops=$(lb_stat b4a drop-pool-exhausted)
	[ "$drops" = "$lost" ] || pb_fail "$lost flows lost in the first round, $drops packets dropped for want of a port"
	echo "NOTE: $PBP_FLOWS flows: $(jq -r '."per-round" | map(tostring) | join(" then ")' "$T/flows.json") answered;" \
		"2 sets of 64 ($ina + $inb mappings); $drops dropped while exhausted"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# After the growth above the traffic stops. With short timers (UDP mappings
# idle 2 s, release-idle 2 s) the second set empties, is taken out of the
# pool and given back with a lifetime-0 MAP carrying its nonce and PORT_SET
# (PCPC-8), which pcpd --role aftr honours: one grant left. The first set
# (slot 0) never goes back.
pcpb4_pool_gives_back_idle_set()
{
	local second n1 rel i t0 ms

	pbp_small_blocks "quota 4"
	PB_B4_EXTRA=("max-sets 3" "grow-percent 80" "release-idle 2" "release-percent 50")
	# shellcheck disable=SC2034 # pb_setup's
	PB_LWB4_EXTRA=("udp-timeout 2")
	pb_setup
	[ "$(lb b4a status --json | jq '."udp-timeout"')" = 2 ] || pb_fail "the lwB4's udp-timeout is not 2"
	pbp_grow 3
	wait_for 5 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a portset list --json | jq '.\"port-sets\" | length') = 2 ]" ||
		pb_fail "no second set after the growth: $(pbp_sets)"
	second=$(pbp_sets | jq -c --argjson s "$PB_SET" '[.[] | select(. != $s)][0]')
	[ "$(pbp_aftr_grants | jq length)" = 2 ] || pb_fail "pcpd --role aftr does not hold 2 grants after the growth"
	log "grown: $(pbp_sets); traffic stops"
	t0=$(date +%s%N)

	# the first set stays in the pool all the way
	for i in $(seq 150); do
		pbp_sets | jq -e --argjson s "$PB_SET" 'any(.[]; . == $s)' >/dev/null ||
			pb_fail "the first set $PB_SET left the pool: $(pbp_sets)"
		grep -q "slot 1: released" "$T/pcpd-b4.log" && [ "$(pbp_nsets)" = 1 ] && break
		sleep 0.1
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	grep -q "slot 1: released" "$T/pcpd-b4.log" || pb_fail "the second set was not released within 15 s"
	rel=$(grep -E "slot [0-9]+: (giving|released)|given back" "$T/pcpd-b4.log" | sed 's/^pcpd: //')
	log "pcpd --role b4: $(paste -sd'|' <<<"$rel")"
	grep -q "slot 1: giving $(jq -r .ipv4 <<<"$second") ports $(jq -r .first <<<"$second")-$(jq -r .last <<<"$second") back (idle 2 s" \
		<<<"$rel" || pb_fail "no 'giving ... back' for the second set $second"
	[ "$(grep -n "slot 1: giving" <<<"$rel" | head -1 | cut -d: -f1)" -lt \
		"$(grep -n "slot 1: released" <<<"$rel" | head -1 | cut -d: -f1)" ] ||
		pb_fail "'released' before 'giving back'"
	grep -q "slot 0: giving" "$T/pcpd-b4.log" && pb_fail "the first set (slot 0) was given back"
	# the lifetime-0 MAP: slot 1's nonce, PORT_SET, the set as suggestion
	n1=$(pbp_b4_sends 1 "$T/pcpd-b4.log" | head -1 | grep -o "nonce=[0-9a-f]*")
	pbp_b4_sends 1 "$T/pcpd-b4.log" | grep -q "MAP request lifetime=0 .*$n1 proto=17 int=2 ext=$(jq -r .ipv4 <<<"$second"):$(jq -r .first <<<"$second") .*PORT_SET=65535/2/P0" ||
		pb_fail "no lifetime-0 MAP with the second set's nonce, suggestion and PORT_SET"
	[ "$(pbp_sets)" = "[$PB_SET]" ] || pb_fail "the pool is $(pbp_sets), expected [$PB_SET]"
	[ "$(lb b4a status --json | jq '."held-sets" | length')" = 1 ] || pb_fail "status shows more than one held set"
	# pcpd --role aftr deleted the grant and the binding
	grep -q "deleted: $PBP_B4" "$PB_AFTR_LOG" || pb_fail "pcpd --role aftr did not delete a grant"
	pbp_aftr_grants | jq -e --argjson s "$PB_SET" 'length == 1 and .[0].ipv4 == $s.ipv4 and
		.[0]."first-port" == $s.first' >/dev/null || pb_fail "pcpd --role aftr holds $(pbp_aftr_grants), expected $PB_SET only"
	lb_aftr softwire list 2>&1 | grep -q " $(jq -r .first <<<"$second")-$(jq -r .last <<<"$second") " &&
		pb_fail "the lwAFTR still has the binding of the released set"
	echo "NOTE: the second set went back $ms ms after the traffic stopped (UDP timeout 2 s, release-idle 2 s)"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# quota 1: the second MAP is answered USER_EX_QUOTA with the short error
# lifetime (PCPS-15). pcpd --role b4 logs it, keeps its one set, and asks no
# more within the error lifetime (PCPC-10) although the data plane goes on
# reporting the pool exhausted: one exchange for Internal Port 2, counted in
# its own debug log and at pcpd --role aftr.
pcpb4_pool_growth_refused_quota()
{
	local sends tries nonces refused ex0 ex1 i

	pbp_small_blocks "quota 1"
	PB_B4_EXTRA=("max-sets 3" "grow-percent 80")
	pb_setup
	pbp_grow 1
	wait_for 5 grep -q "slot 1: another set refused" "$T/pcpd-b4.log" || pb_fail "no refusal of the second set logged"
	grep -q "slot 1: another set refused: USER_EX_QUOTA, lifetime 30 s; not asking for more for 30000 ms" \
		"$T/pcpd-b4.log" || pb_fail "the refusal is not USER_EX_QUOTA with lifetime 30 s"
	grep -q "MAP from $PBP_B4: USER_EX_QUOTA" "$PB_AFTR_LOG" || pb_fail "pcpd --role aftr did not answer USER_EX_QUOTA"

	# the pool stays exhausted: the unanswered flows are sent again, and
	# new ones, for 4 s
	ex0=$(lb_stat b4a drop-pool-exhausted)
	pbp_flows more 40 1 4
	ex1=$(lb_stat b4a drop-pool-exhausted)
	[ "$ex1" -gt "$ex0" ] || pb_fail "the pool was not exhausted while waiting ($ex0 -> $ex1 drops)"
	for i in $(seq 5); do
		[ "$(pbp_nsets)" = 1 ] || pb_fail "the lwB4 holds $(pbp_sets) after the refusal"
	done

	# one exchange for Internal Port 2: try 1..k, one nonce, each answered
	sends=$(grep "slot 1 sent (try [0-9]*): MAP request .*int=2 " "$T/pcpd-b4.log")
	tries=$(grep -o "try [0-9]*" <<<"$sends" | awk '{print $2}' | paste -sd' ')
	nonces=$(grep -o "nonce=[0-9a-f]*" <<<"$sends" | sort -u | wc -l)
	refused=$(grep -c "MAP from $PBP_B4: USER_EX_QUOTA" "$PB_AFTR_LOG")
	log "MAP requests for Internal Port 2: tries [$tries], $nonces nonce(s); pcpd --role aftr refused $refused;" \
		"$((ex1 - ex0)) packets dropped for want of a port meanwhile"
	[ "$tries" = "$(seq -s' ' "$(wc -l <<<"$sends")")" ] && [ -n "$sends" ] ||
		pb_fail "not one exchange for Internal Port 2: tries [$tries]"
	[ "$nonces" = 1 ] || pb_fail "$nonces nonces for Internal Port 2"
	[ "$refused" = "$(wc -l <<<"$sends")" ] ||
		pb_fail "pcpd --role aftr refused $refused requests, pcpd --role b4 sent $(wc -l <<<"$sends")"
	grep -q "pool growth" <(sed -n '/another set refused/,$p' "$T/pcpd-b4.log") &&
		pb_fail "growth asked for again within the error lifetime"
	[ "$(pbp_aftr_grants | jq length)" = 1 ] || pb_fail "pcpd --role aftr holds $(pbp_aftr_grants)"
	[ "$(pbp_sets)" = "[$PB_SET]" ] || pb_fail "the pool is $(pbp_sets), expected [$PB_SET]"
	echo "NOTE: one USER_EX_QUOTA exchange, no further request during 4 s and $((ex1 - ex0)) exhausted drops"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# Renewals by the timer (PCPC-8), which pcpd --role aftr's lifetimes (at
# least 120 s) put a minute away: the fake server answers in its place with
# a lifetime of 6 s, granting the set the request suggests (pb_setup's
# grant, whose binding stays in the lwAFTR's maps). pcpd --role b4 restarts
# with lifetime 8 asked; after the renewal at start it renews at 1/2..5/8 of
# the 6 s, each time with its one nonce, PORT_SET and the set it holds as
# the suggestion; the set stays in the pool throughout, its lease moves on,
# and a UDP flow through the lwB4 keeps its mapping and its answers.
pcpb4_timer_renewal_same_set()
{
	local ipv4 first size nonce reqs gaps leases flow sent got port ext0 ext1 i

	# shellcheck disable=SC2034 # pb_setup's
	PB_B4_EXTRA=("lifetime 8")
	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	nonce=$(pbp_b4_sends 0 "$T/pcpd-b4.log" | head -1 | grep -o "nonce=[0-9a-f]*" | cut -d= -f2)
	pbp_fake_instead fake grant 6 "$ipv4/$first/$size"
	stop_bg "$PB_B4_PID" TERM
	pbp_start_b4 pcpd-b4-renew

	# a flow that lives through the renewals: one datagram every 0.25 s
	cat >"$T/flow.py" <<-'PY'
		import json, socket, sys, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.settimeout(0.2)
		sent = got = 0
		end = time.monotonic() + float(sys.argv[3])
		while time.monotonic() < end:
		    sent += 1
		    s.sendto(b"keep-%d" % sent, (sys.argv[1], int(sys.argv[2])))
		    try:
		        got += s.recv(2048) == b"echo keep-%d" % sent
		    except socket.timeout:
		        pass
		    time.sleep(0.25)
		print(json.dumps({"port": s.getsockname()[1], "sent": sent, "answered": got}), flush=True)
	PY
	bg flow "$LB_P-h1" python3 "$T/flow.py" "$LB_INET" "$LB_ECHO_PORT" 9
	flow=$BG_PID

	# sample the pool and the lease until two timer-driven renewals are answered
	: >"$T/leases"
	for i in $(seq 120); do
		[ "$(pbp_sets)" = "[$PB_SET]" ] || pb_fail "the pool is $(pbp_sets) during the renewals, expected [$PB_SET]"
		lb b4a status --json | jq '."held-sets"[0]."lease-expires"' >>"$T/leases"
		[ "$(grep -c "requesting a port set (renewal)$" "$PB_B4_LOG")" -ge 2 ] &&
			[ "$(grep -c "slot 0: granted" "$PB_B4_LOG")" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(grep -c "requesting a port set (renewal)$" "$PB_B4_LOG")" -ge 2 ] ||
		pb_fail "fewer than two timer-driven renewals in 12 s"
	# the last grant is logged after its lease is written: one more sample
	lb b4a status --json | jq '."held-sets"[0]."lease-expires"' >>"$T/leases"
	grep -q "requesting a port set (renewal at start)" "$PB_B4_LOG" || pb_fail "no renewal at start"
	reqs=$(cat "$T/fake.jsonl")
	wait_for 12 sh -c "grep -q answered '$T/flow.log'" || pb_fail "the flow did not finish"
	port=$(jq .port "$T/flow.log")

	# what the fake saw: the one nonce, PORT_SET 65535/1/P0, the set held as the suggestion
	log "requests at the fake server: $(jq -c '[.t, .lifetime, .ext, .answer]' <<<"$reqs" | paste -sd' ')"
	[ "$(jq -s length <<<"$reqs")" -ge 3 ] || pb_fail "fewer than 3 requests reached the fake server"
	jq -e -s --arg n "$nonce" --arg e "$ipv4:$first" 'all(.[]; .nonce == $n and .int == 1 and .proto == 0 and
		.lifetime == 8 and .ext == $e and ."port-set" == [65535, 1, 0])' <<<"$reqs" >/dev/null ||
		pb_fail "a renewal differs from the first request (nonce $nonce, ext $ipv4:$first, lifetime 8, PORT_SET 65535/1/P0)"
	# renewals at 1/2..5/8 of the 6 s granted (3.0..3.75 s), a little slack for the scheduler
	gaps=$(jq -s -r '[range(1; length) as $i | .[$i].t - .[$i - 1].t] | map(. * 1000 | floor) | join(" ")' <<<"$reqs")
	log "ms between requests: $gaps"
	for i in $gaps; do
		[ "$i" -ge 2900 ] && [ "$i" -le 4000 ] || pb_fail "a renewal $i ms after the previous grant, expected 3000..3750 (PCPC-8)"
	done
	[ "$(grep -c "slot 0: granted $ipv4 ports $first-$((first + size - 1)) for 6 s" "$PB_B4_LOG")" -ge 3 ] ||
		pb_fail "fewer than 3 grants of the set $ipv4 ports $first-$((first + size - 1)) for 6 s"
	grep "slot 0: granted" "$PB_B4_LOG" | grep -v "granted $ipv4 ports $first-$((first + size - 1)) for 6 s" &&
		pb_fail "a renewal granted another set"
	grep -E "grant changed|removed|flushed|grant expired" "$T/pcpd-b4.log" "$PB_B4_LOG" &&
		pb_fail "the renewals changed or dropped the set"
	[ "$(pbp_b4_sends 0 "$PB_B4_LOG" | grep -o "nonce=[0-9a-f]*" | sort -u)" = "nonce=$nonce" ] ||
		pb_fail "pcpd --role b4 logged another nonce than the first request's"
	# the lease in the data plane follows the renewals
	leases=$(grep -v null "$T/leases" | sort -un | paste -sd' ')
	log "lease-expires seen: $leases"
	[ "$(wc -w <<<"$leases")" -ge 3 ] || pb_fail "the set's lease did not move with the renewals: $leases"
	# the flow: all answered, its mapping kept; a new datagram still answered
	sent=$(jq .sent "$T/flow.log") got=$(jq .answered "$T/flow.log")
	log "flow from port $port: $got of $sent answered"
	[ "$got" = "$sent" ] || pb_fail "the flow lost $((sent - got)) of $sent datagrams during the renewals"
	ext0=$(lb b4a sessions --json | jq -c --argjson p "$port" '[.sessions[] | select(."internal-port" == $p)] | map([."external-address", ."external-port"])')
	[ "$(jq length <<<"$ext0")" = 1 ] || pb_fail "the flow has no single mapping: $ext0"
	jq -e --argjson s "$PB_SET" '.[0][0] == $s.ipv4 and .[0][1] >= $s.first and .[0][1] <= $s.last' <<<"$ext0" >/dev/null ||
		pb_fail "the flow's mapping $ext0 is outside $PB_SET"
	pb_wait_udp 5 >/dev/null || pb_fail "traffic does not flow after the renewals"
	ext1=$(lb b4a sessions --json | jq -c --argjson p "$port" '[.sessions[] | select(."internal-port" == $p)] | map([."external-address", ."external-port"])')
	[ "$ext0" = "$ext1" ] || pb_fail "the flow's mapping changed: $ext0 -> $ext1"
	echo "NOTE: $(grep -c "requesting a port set (renewal)$" "$PB_B4_LOG") timer renewals of a 6 s grant, ms apart: $gaps"
	stop_bg "$flow" TERM
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PBP_FAKE_PID" TERM
	true
}

# An unanswered renewal (PCPC-8, RFC 6887 §11.2.1): the fake server grants
# 30 s to the renewal at start and then answers nothing. The timer's renewal
# (at 1/2..5/8 of the 30 s) is retried halfway to the expiry (3/4, 7/8, ...),
# never sooner than 4 s after the previous try, not on the §8.1.1 schedule
# (irt-ms 200 here: 0.2 s, 0.4 s, ...). When the grant runs out the set
# leaves the pool and the request goes on from scratch on the §8.1.1
# schedule (PCPC-3), with the same nonce.
pcpb4_renewal_unanswered_retries()
{
	local ipv4 first size reqs tg t r prev left want n i short

	# shellcheck disable=SC2034 # pb_setup's
	PB_B4_EXTRA=("lifetime 30")
	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	pbp_fake_instead fake grant,none 30 "$ipv4/$first/$size"
	stop_bg "$PB_B4_PID" TERM
	pbp_start_b4 pcpd-b4-unanswered
	wait_for 5 grep -q "slot 0: granted .* for 30 s" "$PB_B4_LOG" || pb_fail "the renewal at start was not granted"
	wait_for 40 grep -q "the grant expired without a renewal" "$PB_B4_LOG" ||
		pb_fail "the unanswered grant did not run out within 40 s"
	tg=$(jq -s '.[0].t' "$T/fake.jsonl") # the 30 s grant
	wait_for 6 sh -c "jq -s --argjson g $tg '[.[] | select(.t > \$g + 28.8)] | length >= 4' '$T/fake.jsonl' | grep -q true" ||
		pb_fail "fewer than 4 requests after the expiry"
	[ "$(pbp_nsets)" = 0 ] || pb_fail "the set is still in the pool after its grant ran out: $(pbp_sets)"
	reqs=$(jq -s -c . "$T/fake.jsonl")
	log "requests at the fake server (t, answer): $(jq -c '[.[] | [.t, .answer]]' <<<"$reqs")"
	[ "$(jq '[.[].nonce] | unique | length' <<<"$reqs")" = 1 ] || pb_fail "more than one nonce"
	# the timer's renewal at 1/2..5/8 of 30 s after the grant
	t=$(jq '.[1].t' <<<"$reqs")
	awk -v t="$t" -v g="$tg" 'BEGIN { exit !(t - g >= 14.8 && t - g <= 19) }' ||
		pb_fail "the renewal came $(awk -v t="$t" -v g="$tg" 'BEGIN { print t - g }') s after the grant, expected 15..18.75"
	# each retry halfway to the expiry, at least 4 s after the previous try, until it
	n=$(jq length <<<"$reqs")
	prev=$t i=2 short=0
	while [ "$i" -lt "$n" ]; do
		r=$(jq ".[$i].t" <<<"$reqs")
		# pcpd keeps the expiry in whole seconds: the restart at the
		# expiry may come up to a second either side of it
		if awk -v r="$r" -v g="$tg" 'BEGIN { exit !(r < g + 28.8) }'; then
			want=$(awk -v p="$prev" -v g="$tg" 'BEGIN { l = (g + 30 - p) / 2; print (l > 4 ? l : 4) }')
			awk -v r="$r" -v p="$prev" -v w="$want" 'BEGIN { d = r - p - w; exit !(d > -0.3 && d < 0.6) }' ||
				pb_fail "try $((i + 1)) came $(awk -v r="$r" -v p="$prev" 'BEGIN { print r - p }') s after the previous one, expected $want s (halfway to the expiry, at least 4 s)"
			left=$i
		elif awk -v p="$prev" -v g="$tg" 'BEGIN { exit !(p >= g + 28.8) }'; then
			# after the expiry: from scratch, the §8.1.1 schedule (0.2 s, doubling)
			awk -v r="$r" -v p="$prev" 'BEGIN { exit !(r - p < 2) }' && short=$((short + 1))
		fi
		prev=$r i=$((i + 1))
	done
	[ "${left:-0}" -ge 2 ] || pb_fail "no retry of the renewal before the expiry"
	[ "$short" -ge 2 ] || pb_fail "after the expiry, $short tries on the short §8.1.1 schedule, expected several"
	echo "NOTE: renewal retries at $(jq -r --argjson g "$tg" '[.[1:][] | .t - $g | . * 10 | round / 10] | join(" ")' <<<"$reqs") s after the 30 s grant"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PBP_FAKE_PID" TERM
	true
}

# PCPC-7: a SUCCESS MAP answer is not a grant when it carries no PORT_SET
# (the server mapped one port) or echoes the request's PORT_SET byte for byte
# (miniupnpd, pcp.md §3.1). The fake server answers the first request of a
# fresh pcpd --role b4 the first way, the second the other way, then stays
# silent: pcpd --role b4 logs each with its reason, installs nothing, and
# keeps retransmitting on its schedule (doubling) with the same nonce.
pcpb4_not_a_grant_single_port_or_echo()
{
	local ipv4 first size reqs gaps prev i pool

	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	# a fresh start: no grant anywhere, the pool empty
	stop_bg "$PB_B4_PID" TERM
	check_run lb b4a portset del --ipv4 "$ipv4" --first "$first" --size "$size"
	check_run lb_aftr softwire del --ipv4 "$ipv4" --psid $((first / size))
	rm -f "$T/pcpd-b4.db" "$T/pcpd-b4.db-wal" "$T/pcpd-b4.db-shm"
	[ "$(pbp_nsets)" = 0 ] || pb_fail "the lwB4 still holds $(pbp_sets)"
	pbp_fake_instead fake single,echo,none 120 "$ipv4/$first/$size"
	pbp_start_b4 pcpd-b4-fake

	# the two answers, then retransmissions: at least 5 requests (~3 s)
	pool=0
	for i in $(seq 80); do
		[ "$(pbp_nsets)" = 0 ] || pool=1
		[ -f "$T/fake.jsonl" ] && [ "$(wc -l <"$T/fake.jsonl")" -ge 5 ] && break
		sleep 0.1
	done
	[ "$pool" = 0 ] || pb_fail "a set entered the lwB4 pool: $(pbp_sets)"
	reqs=$(cat "$T/fake.jsonl" 2>/dev/null)
	log "requests at the fake server: $(jq -c '[.t, .nonce, .answer]' <<<"$reqs" | paste -sd' ')"
	[ "$(jq -s length <<<"$reqs")" -ge 5 ] || pb_fail "fewer than 5 requests in 8 s: no retransmission after the answers"
	log "pcpd --role b4: $(grep -E 'no usable|granted' "$PB_B4_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
	grep -q "slot 0: SUCCESS that is no usable port set: no PORT_SET: the server mapped a single port .*(port $first, 120 s)" \
		"$PB_B4_LOG" || pb_fail "the single-port answer was not refused as such"
	grep -q "slot 0: SUCCESS that is no usable port set: PORT_SET echoed back unchanged" "$PB_B4_LOG" ||
		pb_fail "the echoed PORT_SET was not refused as such"
	[ "$(grep -n "no usable port set: no PORT_SET" "$PB_B4_LOG" | cut -d: -f1)" -lt \
		"$(grep -n "no usable port set: PORT_SET echoed" "$PB_B4_LOG" | cut -d: -f1)" ] ||
		pb_fail "the refusals are not in the order of the answers"
	grep -q "received: MAP response SUCCESS .* PORT_SET=65535/1/P0" "$PB_B4_LOG" ||
		pb_fail "the echo did not reach pcpd --role b4 with the request's PORT_SET"
	grep -qE "granted|installed" "$PB_B4_LOG" && pb_fail "pcpd --role b4 took an answer for a grant"
	[ "$(pbp_nsets)" = 0 ] || pb_fail "the lwB4 pool is $(pbp_sets)"
	"$PB_PCPD" --role b4 --config "$T/pcpd-b4.conf" --list-grants --json | jq -e '.sets == []' >/dev/null ||
		pb_fail "pcpd --role b4 stored a grant"
	# one nonce, one request, the schedule going on (each gap 1.8..2.2 times the last)
	jq -e -s '(map(.nonce) | unique | length) == 1 and all(.[]; .int == 1 and .lifetime == 600 and
		."port-set" == [65535, 1, 0])' <<<"$reqs" >/dev/null || pb_fail "the retransmissions are not one request with one nonce"
	[ "$(pbp_b4_sends 0 "$PB_B4_LOG" | grep -o "nonce=[0-9a-f]*" | sort -u | wc -l)" = 1 ] ||
		pb_fail "pcpd --role b4 logged more than one nonce"
	pbp_b4_sends 0 "$PB_B4_LOG" | grep -q "(try 5)" || pb_fail "no fifth try: the exchange restarted or stopped"
	gaps=$(jq -s -r '[range(1; length) as $i | .[$i].t - .[$i - 1].t] | map(. * 1000 | floor) | join(" ")' <<<"$reqs")
	log "ms between requests: $gaps"
	prev=0
	for i in $gaps; do
		[ "$prev" = 0 ] || [ $((i * 10)) -ge $((prev * 13)) ] || pb_fail "no back-off: $prev ms then $i ms"
		prev=$i
	done
	echo "NOTE: single port and echoed PORT_SET refused; $(jq -s length <<<"$reqs") tries, one nonce, ms apart: $gaps"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PBP_FAKE_PID" TERM
	true
}

# A server that refuses protocol 0 with an internal port (RFC 6887 §11.3
# read strictly, as miniupnpd does) answers the lwB4's first MAP (PCPC-5,
# the RFC 7753 §5.2 form, PCPS-19) with MALFORMED_REQUEST, lifetime 0, and
# goes on refusing for a while. pcpd --role b4 asks next in the
# per-protocol form (protocol 17, as its extra sets ask; design.md decision
# 2), and backs off while the errors go on (RFC 6887 §8.1.1: each wait at
# least 1.3 times the last; issue 10: it used to ask every IRT, forever, in
# the form refused); the fake's fifth answer, a grant, is installed.
pcpb4_malformed_request_backoff()
{
	local ipv4 first size reqs gaps prev i

	pb_setup
	ipv4=$(jq -r .ipv4 <<<"$PB_SET") first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	stop_bg "$PB_B4_PID" TERM
	check_run lb b4a portset del --ipv4 "$ipv4" --first "$first" --size "$size"
	rm -f "$T/pcpd-b4.db" "$T/pcpd-b4.db-wal" "$T/pcpd-b4.db-shm"
	pbp_fake_instead fake malformed,malformed,malformed,malformed,grant 120 "$ipv4/$first/$size"
	pbp_start_b4 pcpd-b4-fake
	wait_for 10 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a portset list --json | jq '.\"port-sets\" | length') = 1 ]" ||
		pb_fail "no set installed after the refusals: $(cat "$T/fake.jsonl" 2>/dev/null | paste -sd' ')"
	reqs=$(cat "$T/fake.jsonl")
	log "requests at the fake server: $(jq -c '[.t, .proto, .answer]' <<<"$reqs" | paste -sd' ')"
	log "pcpd --role b4: $(grep -E 'refused|protocol|granted' "$PB_B4_LOG" | sed 's/^pcpd: //' | paste -sd'|')"
	[ "$(jq -s length <<<"$reqs")" = 5 ] || pb_fail "$(jq -s length <<<"$reqs") requests, expected 5 (4 refused, 1 granted)"
	[ "$(jq -s -c 'map(.proto)' <<<"$reqs")" = "[0,17,17,17,17]" ] ||
		pb_fail "protocols $(jq -s -c 'map(.proto)' <<<"$reqs"): after MALFORMED_REQUEST for protocol 0 the per-protocol form (17) is expected"
	jq -e -s '(map(.nonce) | unique | length) == 1 and all(.[]; .int == 1 and ."port-set" == [65535, 1, 0])' \
		<<<"$reqs" >/dev/null || pb_fail "the requests are not slot 0's (one nonce, internal port 1, PORT_SET 65535/1)"
	gaps=$(jq -s -r '[range(2; length) as $i | .[$i].t - .[$i - 1].t] | map(. * 1000 | floor) | join(" ")' <<<"$reqs")
	log "ms between the per-protocol requests: $gaps"
	prev=0
	for i in $gaps; do
		[ "$prev" = 0 ] || [ $((i * 10)) -ge $((prev * 13)) ] || pb_fail "no back-off after MALFORMED_REQUEST: $prev ms then $i ms"
		prev=$i
	done
	grep -q "slot 0: granted $ipv4 ports $first-" "$PB_B4_LOG" || pb_fail "the grant in the per-protocol form was not taken"
	echo "NOTE: protocol 0 refused, then protocol 17 with back-off: ms apart $gaps"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PBP_FAKE_PID" TERM
	true
}
