#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the lwB4's slow path in pcpd --role b4 (B4-FRAG-1,
# B4-FRAG-2, ICMPv4 errors toward LAN hosts), on pcpb4.sh's topology with a
# tunnel MTU of 1280 (the tunnel's IPv4 MTU is 1240):
#   - a DF datagram from h1 too big for the tunnel draws ICMPv4 3/4 from the
#     lwB4's LAN address 192.168.1.1 with MTU 1240 (python raw socket on h1,
#     fields and checksum checked; ping -M do says so too);
#   - a DF-clear datagram too big for the tunnel leaves the lwB4 as IPv6
#     fragments (captured on the lwB4's port of the access bridge: Fragment
#     header, from the tunnel address to the BR, none above 1280 octets,
#     reassembled = the translated IPv4 packet, whole) and reaches the
#     internet host's UDP echo whole (its answer comes back);
#   - TTL 1 from h1 draws ICMPv4 11/0 from 192.168.1.1.
#
# End to end, the fragments are reassembled by the lwAFTR's slow path
# (pcpd --role aftr) before it decapsulates; the second test asserts both
# what leaves the lwB4 and the echo's answer.
#
# This file is sourced by run.sh after pcpb4.sh (whose pb_* helpers and
# topology it uses); run.sh owns the runner and the teardown. Run alone:
#   selftests/netns/pcpb4slow.sh [TEST...]     (V=1 for every log)
#
#  h1 192.168.1.10 ── bra ── lan  b4a: lwB4 (XDP, tunnel-mtu 1280), pcpd --role b4
#                                 b4v ── b4a-sw (capture) ── br0 ── acc  aftr: lwAFTR,
#                                                    pcpd --role aftr, BR 2001:db8:ffff::1
#                                                    wan ── inet 198.51.100.2 (UDP echo :7777)

PCPB4SLOW_TESTS="
pcpb4slow_df_too_big_icmp_3_4
pcpb4slow_df_clear_fragmented
pcpb4slow_ttl_1_time_exceeded
pcpb4slow_fragments_from_aftr_reassembled
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $PCPB4SLOW_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$PCPB4SLOW_TESTS

TEST_IDS+=(
	[pcpb4slow_df_too_big_icmp_3_4]="B4-FRAG-2; RFC 1191, RFC 1812 §4.3.2.3"
	[pcpb4slow_df_clear_fragmented]="B4-FRAG-1 B4-NAT-1; RFC 2473 §7.1"
	[pcpb4slow_ttl_1_time_exceeded]="RFC 1812 §5.3.1"
	[pcpb4slow_fragments_from_aftr_reassembled]="B4-FRAG-3 AFTR-ENCAP-4 B4-NAT-4"
)

# pbs_setup: pb_setup with tunnel MTU 1280 and the probe script.
pbs_setup()
{
	# shellcheck disable=SC2034 # read by pb_setup
	PB_LWB4_EXTRA=("tunnel-mtu 1280")
	pb_setup
	cat >"$T/slowprobe.py" <<-'PY'
		# slowprobe.py MODE ...: the LAN host's side and the capture checker.
		#   send-df DST PORT SIZE / send-ttl1 DST PORT: a UDP datagram (DF set;
		#     TTL 1), then the ICMPv4 error it drew, checked: "type code mtu
		#     src quoted-dst quoted-dport iplen"
		#   send-nodf DST PORT SIZE: a DF-clear UDP datagram; prints the echo's
		#     answer length or "no-answer"
		#   frags PCAP SRC6 DST6 SRC4 DST4 DPORT SIZE: the IPv6 fragments in the
		#     capture, reassembled and checked
		import socket, struct, sys, time

		def csum(b):
		    if len(b) % 2:
		        b += b"\0"
		    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
		    while s >> 16:
		        s = (s & 0xffff) + (s >> 16)
		    return s

		def payload(n):
		    return bytes((0x41 + i) % 251 for i in range(n))

		def icmp_after(send):
		    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
		    r.settimeout(0.2)
		    send()
		    end = time.time() + 3
		    while time.time() < end:
		        try:
		            p = r.recv(2048)
		        except socket.timeout:
		            continue
		        ihl = (p[0] & 15) * 4
		        t, c = p[ihl], p[ihl + 1]
		        if t not in (3, 11):
		            continue
		        if csum(p[:ihl]) != 0xffff:
		            sys.exit("bad IPv4 header checksum")
		        if csum(p[ihl:]) != 0xffff:
		            sys.exit("bad ICMP checksum")
		        mtu = struct.unpack("!H", p[ihl + 6:ihl + 8])[0]
		        q = p[ihl + 8:]
		        qihl = (q[0] & 15) * 4
		        qdport = struct.unpack("!H", q[qihl + 2:qihl + 4])[0]
		        print(t, c, mtu, socket.inet_ntoa(p[12:16]), socket.inet_ntoa(q[16:20]), qdport, len(p))
		        return
		    print("none")

		mode = sys.argv[1]
		if mode in ("send-df", "send-ttl1", "send-nodf"):
		    dst, port = sys.argv[2], int(sys.argv[3])
		    size = int(sys.argv[4]) if len(sys.argv) > 4 else 16
		    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    s.bind(("0.0.0.0", 41234))
		    if mode == "send-df":
		        s.setsockopt(socket.IPPROTO_IP, 10, 3)  # IP_PMTUDISC_PROBE: DF, no local PMTU check
		    elif mode == "send-ttl1":
		        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
		        s.setsockopt(socket.IPPROTO_IP, 10, 2)
		    else:
		        s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_PMTUDISC_DONT: DF clear
		    if mode == "send-nodf":
		        s.settimeout(3)
		        s.sendto(payload(size), (dst, port))
		        try:
		            print(len(s.recvfrom(4096)[0]))
		        except socket.timeout:
		            print("no-answer")
		    else:
		        icmp_after(lambda: s.sendto(payload(size), (dst, port)))
		elif mode == "frags":
		    pcap, src6, dst6, src4, dst4, dport, size = sys.argv[2:9]
		    data = open(pcap, "rb").read()
		    off, frags = 24, {}
		    while off + 16 <= len(data):
		        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
		        f = data[off + 16:off + 16 + incl]
		        off += 16 + incl
		        if f[12:14] != b"\x86\xdd":
		            continue
		        ip6 = f[14:]
		        if socket.inet_ntop(socket.AF_INET6, ip6[8:24]) != src6 or \
		           socket.inet_ntop(socket.AF_INET6, ip6[24:40]) != dst6:
		            continue
		        if ip6[6] != 44:
		            if ip6[6] == 4 and len(ip6) > 1280:
		                sys.exit("an unfragmented IPv6 packet of %d octets" % len(ip6))
		            continue
		        if len(ip6) > 1280:
		            sys.exit("a fragment of %d octets, above the tunnel MTU 1280" % len(ip6))
		        plen = struct.unpack("!H", ip6[4:6])[0]
		        nh, _, offm, ident = struct.unpack("!BBHI", ip6[40:48])
		        if nh != 4:
		            sys.exit("fragment header next header %d, not 4 (IPv4)" % nh)
		        frags.setdefault(ident, []).append((offm & 0xfff8, offm & 1, ip6[48:40 + plen]))
		    if not frags:
		        sys.exit("no IPv6 fragment from %s to %s in the capture" % (src6, dst6))
		    for ident, fl in frags.items():
		        fl.sort()
		        buf, more = b"", 1
		        for o, m, d in fl:
		            if o != len(buf):
		                sys.exit("fragments of 0x%x do not join at %d" % (ident, o))
		            buf += d
		            more = m
		        if more:
		            sys.exit("the last fragment of 0x%x has M set" % ident)
		        ihl = (buf[0] & 15) * 4
		        tot = struct.unpack("!H", buf[2:4])[0]
		        if tot != len(buf):
		            sys.exit("reassembled %d octets, IPv4 total length %d" % (len(buf), tot))
		        if csum(buf[:ihl]) != 0xffff:
		            sys.exit("inner IPv4 header checksum")
		        if buf[6] & 0x40:
		            sys.exit("inner IPv4 has DF set")
		        if socket.inet_ntoa(buf[12:16]) != src4 or socket.inet_ntoa(buf[16:20]) != dst4:
		            sys.exit("inner %s -> %s, expected %s -> %s" % (socket.inet_ntoa(buf[12:16]),
		                     socket.inet_ntoa(buf[16:20]), src4, dst4))
		        udp = buf[ihl:]
		        sport, dp, ulen, uck = struct.unpack("!HHHH", udp[:8])
		        if dp != int(dport) or udp[8:] != payload(int(size)):
		            sys.exit("inner UDP port %d or payload differs" % dp)
		        ph = buf[12:20] + struct.pack("!BBH", 0, 17, ulen)
		        if uck and csum(ph + udp) != 0xffff:
		            sys.exit("inner UDP checksum")
		        print(len(fl), max(len(d) for _, _, d in fl) + 48, tot, buf[8], sport)
		PY
}

pbs_probe()
{
	in_ns "$LB_P-h1" timeout 10 python3 "$T/slowprobe.py" "$@" 2>&1
}

# ---- the tests ---------------------------------------------------------------------

# B4-FRAG-2: a 1300-octet UDP payload with DF (1328 octets, + 40 > 1280):
# ICMPv4 3/4 from 192.168.1.1, next-hop MTU 1240, quoting h1's datagram to
# the echo port, 576 octets in all (RFC 1812 §4.3.2.3), checksums right.
pcpb4slow_df_too_big_icmp_3_4()
{
	local r out d0 d1

	pbs_setup
	d0=$(lb_stat b4a drop-over-mtu-but-dont-fragment-ipv4)
	# what an operator sees: ping -M do (first: the 3/4 teaches h1 the
	# path MTU, after which ping refuses locally)
	out=$(in_ns "$LB_P-h1" ping -c 1 -W 2 -M do -s 1300 "$LB_INET" 2>&1)
	log "ping -M do -s 1300: $(printf '%s' "$out" | paste -sd'|')"
	grep -q "From 192.168.1.1 .*Frag needed and DF set (mtu = 1240)" <<<"$out" ||
		pb_fail "ping -M do -s 1300 did not report 'Frag needed and DF set (mtu = 1240)' from 192.168.1.1"
	r=$(pbs_probe send-df "$LB_INET" "$LB_ECHO_PORT" 1300) || pb_fail "probe: $r"
	log "ICMPv4 received by h1 (type code mtu src quoted-dst quoted-dport length): $r"
	[ "$r" = "3 4 1240 192.168.1.1 $LB_INET $LB_ECHO_PORT 576" ] ||
		pb_fail "expected 3 4 1240 192.168.1.1 $LB_INET $LB_ECHO_PORT 576, got: $r"
	d1=$(lb_stat b4a drop-over-mtu-but-dont-fragment-ipv4)
	[ $((d1 - d0)) -ge 1 ] || pb_fail "drop-over-mtu-but-dont-fragment-ipv4 did not move"
	wait_for 3 grep -q "ICMPv4 3/4 sent to 192.168.1.10" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not log the 3/4"
	stop_bg "$PB_B4_PID" TERM
	grep -q "slow path: [1-9][0-9]* ICMPv4 errors sent" "$T/pcpd-b4.log" ||
		pb_fail "pcpd --role b4 did not count its errors"
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# B4-FRAG-1: a 1400-octet UDP payload with DF clear (IPv4 1428 octets):
# the lwB4 translates it (a mapping, source 192.0.2.1:port of the set, TTL
# 63) and pcpd sends it through the tunnel socket, which the kernel
# fragments at the tunnel MTU: IPv6 fragments from 2001:db8:b4::1 to the
# BR, none above 1280 octets, reassembling to the translated packet.
pcpb4slow_df_clear_fragmented()
{
	local r e2e ext p0 p1 first size nfrag maxf tot ttl sport

	pbs_setup
	first=$(jq -r .first <<<"$PB_SET") size=$(jq -r .size <<<"$PB_SET")
	check_run in_ns "$LB_P-sw" ip link set b4a-sw promisc on
	bg capture "$LB_P-sw" tcpdump -i b4a-sw --immediate-mode -U -n -w "$T/frag.pcap" ip6
	wait_for 5 grep -q "listening on" "$T/capture.log" || pb_fail "tcpdump did not start"
	p0=$(lb_stat b4a punt-over-mtu-fragment-ipv4)
	e2e=$(pbs_probe send-nodf "$LB_INET" "$LB_ECHO_PORT" 1400) || pb_fail "probe: $e2e"
	sleep 0.5
	p1=$(lb_stat b4a punt-over-mtu-fragment-ipv4)
	[ $((p1 - p0)) -ge 1 ] || pb_fail "punt-over-mtu-fragment-ipv4 did not move"
	wait_for 3 grep -q "1428-byte IPv4 packet sent through the tunnel in 2 IPv6 fragment(s), MTU 1280" \
		"$T/pcpd-b4.log" || pb_fail "pcpd --role b4 did not send the packet through the tunnel"
	# until the fragments are in the file (libpcap hands packets over in
	# batches, later under load), then the check once more for its output
	wait_for 10 python3 "$T/slowprobe.py" frags "$T/frag.pcap" 2001:db8:b4::1 "$LB_BR" "$LB_PUB" \
		"$LB_INET" "$LB_ECHO_PORT" 1400
	stop_bg "$(awk '$2 == "capture" { print $1 }' "$T/pids" | tail -1)" INT
	r=$(python3 "$T/slowprobe.py" frags "$T/frag.pcap" 2001:db8:b4::1 "$LB_BR" "$LB_PUB" "$LB_INET" \
		"$LB_ECHO_PORT" 1400 2>&1) || pb_fail "IPv6 fragments on the access link: $r; capture: $(
		tcpdump -nr "$T/frag.pcap" 2>&1 | tail -8 | paste -sd'|'); tcpdump: $(paste -sd'|' "$T/capture.log")"
	read -r nfrag maxf tot ttl sport <<<"$r"
	log "IPv6 fragments from the lwB4: $nfrag, largest $maxf octets; reassembled IPv4 $tot octets, TTL $ttl, source $LB_PUB:$sport"
	[ "$nfrag" -ge 2 ] && [ "$tot" = 1428 ] && [ "$ttl" = 63 ] ||
		pb_fail "expected >= 2 fragments of a 1428-octet packet with TTL 63, got: $r"
	in_set "$sport" "$first" "$size" || pb_fail "B4-NAT-1: source port $sport outside the set $first/$size"
	ext=$(lb b4a sessions --json | jq -r '.sessions[] | select(.protocol == "udp" and ."internal-port" == 41234) | ."external-port"')
	[ "$ext" = "$sport" ] || pb_fail "the mapping of h1:41234 has external port '$ext', the packet $sport"
	# end to end (the lwAFTR reassembles before decapsulating, de6ec90): the
	# echo got the 1400 octets whole and its answer ("echo " + them) came back
	[ "$e2e" = 1405 ] || pb_fail "end to end: the echo's answer to the 1400-octet datagram: $e2e (expected 1405 octets)"
	log "end to end: the echo answered the 1400-octet datagram with 1405 octets"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# TTL 1 from h1: ICMPv4 11/0 from 192.168.1.1 (ping -t 1, and a UDP datagram
# whose error is checked field by field).
pcpb4slow_ttl_1_time_exceeded()
{
	local r out

	pbs_setup
	out=$(in_ns "$LB_P-h1" ping -c 1 -W 2 -t 1 "$LB_INET" 2>&1)
	log "ping -t 1: $(printf '%s' "$out" | paste -sd'|')"
	grep -q "From 192.168.1.1 .*Time to live exceeded" <<<"$out" ||
		pb_fail "ping -t 1 did not get 'Time to live exceeded' from 192.168.1.1"
	r=$(pbs_probe send-ttl1 "$LB_INET" "$LB_ECHO_PORT" 100) || pb_fail "probe: $r"
	log "ICMPv4 received by h1: $r"
	[ "$r" = "11 0 0 192.168.1.1 $LB_INET $LB_ECHO_PORT 156" ] ||
		pb_fail "expected 11 0 0 192.168.1.1 $LB_INET $LB_ECHO_PORT 156, got: $r"
	stop_bg "$PB_B4_PID" TERM
	stop_bg "$PB_AFTR_PID" TERM
	true
}

# B4-FRAG-3: the internet host answers a small datagram with a 1500-octet
# IPv4 packet, DF clear. Encapsulated it exceeds the access IPv6 MTU (1500),
# so the lwAFTR sends it as IPv6 fragments (RFC 2473 §7.1). The lwB4 program
# passes fragments to the kernel, which reassembles them for the tunnel
# address; pcpd --role b4 takes the whole packet from its raw IPIP socket,
# translates it as the data plane would (mapping, filter, TTL, checksums)
# and sends it to h1. An answer to a port h1 never used is dropped
# (no mapping), and so is one from a source the mapping never sent to (ADF).
pcpb4slow_fragments_from_aftr_reassembled()
{
	local out n0

	pb_setup
	cat >"$T/bigreply.py" <<-'PY'
		# bigreply.py ADDR PORT: answers every datagram with 1472 octets, DF clear
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
		s.bind((sys.argv[1], int(sys.argv[2])))
		while True:
		    data, peer = s.recvfrom(2048)
		    s.sendto(data[:16].ljust(1472, b"."), peer)
	PY
	bg bigreply "$LB_P-inet" python3 "$T/bigreply.py" "$LB_INET" 7000
	wait_for 5 in_ns "$LB_P-inet" sh -c "ss -Hlun 'sport = :7000' | grep -q ." || pb_fail "bigreply did not start"
	n0=$(lb_stat b4a pass-ipv6-fragment)
	out=$(in_ns "$LB_P-h1" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(4):
    s.sendto(b"big-%d" % i, (sys.argv[1], 7000))
    try:
        d = s.recv(4096)
        print(len(d), d[:5].decode()); break
    except socket.timeout:
        pass
else:
    print("none")
' "$LB_INET" 2>&1)
	log "h1 received: $out"
	[ "$out" = "1472 big-0" ] || [ "${out#1472 big-}" != "$out" ] ||
		pb_fail "h1 did not receive the 1472-octet answer whole: $out"
	[ "$(lb_stat b4a pass-ipv6-fragment)" -ge $((n0 + 2)) ] ||
		pb_fail "the lwB4 saw fewer than 2 IPv6 fragments (the lwAFTR did not fragment?)"
	# the same size to the first port of the lwB4's set, which carries no mapping
	in_ns "$LB_P-inet" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)
s.sendto(b"x" * 1472, (sys.argv[1], int(sys.argv[2])))
' "$(jq -r .ipv4 <<<"$PB_SET")" "$(jq -r .first <<<"$PB_SET")"
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a stats --json | jq '.\"traffic-stat\".\"pass-ipv6-fragment-packets\" // 0') -ge $((n0 + 4)) ]" ||
		pb_fail "the unmapped answer did not reach the lwB4 as fragments"
	sleep 0.3
	stop_bg "$PB_B4_PID" TERM
	grep -q "reassembled packets from the lwAFTR: 1 translated and sent to the LAN, 1 dropped" "$T/pcpd-b4.log" ||
		pb_fail "expected 1 translated and 1 dropped (no mapping): $(grep reassembled "$T/pcpd-b4.log")"
	stop_bg "$PB_AFTR_PID" TERM
	true
}
