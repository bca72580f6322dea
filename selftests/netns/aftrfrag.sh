# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Fragments through the lwAFTR's slow path, end to end (sourced by run.sh;
# run directly for these tests only): run.sh's topology with a static
# binding for the B4 b4tun plays, and pcpd --role aftr consuming the data
# plane's events. A datagram of 3000 octets crosses the 1500-octet links:
#
#   inet → B4: the internet host fragments it (IPv4); XDP punts the fragments
#              (punt-ipv4-fragment, LW_EV_FRAGMENT); pcpd reassembles,
#              looks the binding up, encapsulates and fragments the IPv6
#              packet (RFC 2473 §7.1); the B4's kernel reassembles for b4tun
#   B4 → inet: b4tun's raw socket sends the 3028-octet IPv4 packet, which the
#              B4's kernel fragments (IPv6); XDP punts them
#              (punt-ipv6-fragment); pcpd reassembles, validates B4, BR,
#              source and port, decapsulates and fragments the IPv4 packet
#              (RFC 791); the internet host reassembles
#   B4 → inet, fragmented by the B4 host (tun0's MTU 1460): each IPv4
#              fragment crosses the tunnel in its own IPv6 packet; XDP punts
#              them (punt-inner-ipv4-fragment); pcpd reassembles per (B4, BR),
#              validates the whole packet and decapsulates (AFTR-DECAP-6)
#
# The datagrams are sent with IP_PMTUDISC_DONT (DF clear), as a fragmenting
# sender does.

AFTRFRAG_TESTS="
frag_inet_to_b4_udp_3000
frag_b4_to_inet_udp_3000
frag_b4_to_inet_inner_fragments
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $AFTRFRAG_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$AFTRFRAG_TESTS

TEST_IDS+=(
	[frag_inet_to_b4_udp_3000]="AFTR-ENCAP-5 AFTR-ENCAP-4 AFTR-ENCAP-1"
	[frag_b4_to_inet_udp_3000]="AFTR-DECAP-1 AFTR-DECAP-2 AFTR-ENCAP-4"
	[frag_b4_to_inet_inner_fragments]="AFTR-DECAP-6 AFTR-DECAP-2"
)

FRAG_PORT=3101 # in the B4's set (psid-len 6, psid 3: 3072..4095)

# The lwAFTR with a static binding, and pcpd for its slow path. pcpd owns a
# pool of its own (192.0.2.200/32): the static binding is on an address
# outside it, which pcpd's reconciliation leaves alone.
frag_setup()
{
	[ -x "$BUILD/pcpd" ] || skip "not built: $BUILD/pcpd (run make)"
	command -v python3 >/dev/null || skip "missing tool: python3"
	setup_env "$(sw_entry "$B4_IPV4" 6 3 "$B4_IPV6")"
	pcp_config "pool 192.0.2.200/32" "icmpv4-source $AFTR_WAN4"
	PCPD_RUNS=0
	start_pcpd
}

# frag_recv NS ADDR PORT OUT: a UDP receiver of one datagram (background),
# which writes its length and SHA-256 to OUT.
frag_recv()
{
	bg udp_recv "$1" timeout 15 python3 -c '
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
d, peer = s.recvfrom(65535)
open(sys.argv[3], "w").write("%d %s\n" % (len(d), hashlib.sha256(d).hexdigest()))
' "$2" "$3" "$4"
	wait_for 5 in_ns "$1" sh -c "ss -Hlun 'sport = :$3' | grep -q ." ||
		fail "the UDP receiver did not start: $(cat "$T/udp_recv.log")"
}

# frag_send NS SRC_ADDR SRC_PORT DST DPORT FILE: one datagram of FILE's
# bytes, DF clear.
frag_send()
{
	check_run in_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(open(sys.argv[5], "rb").read(), (sys.argv[3], int(sys.argv[4])))
' "$2" "$3" "$4" "$5" "$6"
}

frag_expect()
{
	local want got

	want="3000 $(sha256sum <"$T/payload" | cut -d' ' -f1)"
	wait_for 10 test -s "$T/got" || pfail "$1: no datagram arrived"
	got=$(cat "$T/got")
	[ "$got" = "$want" ] || pfail "$1: got '$got', sent '$want'"
}

frag_inet_to_b4_udp_3000()
{
	local d

	frag_setup
	head -c 3000 /dev/urandom >"$T/payload"
	frag_recv "$NS_B4" "$B4_IPV4" "$FRAG_PORT" "$T/got"
	stats_json "$T/s0.json"
	frag_send "$NS_INET" "$INET4" 5003 "$B4_IPV4" "$FRAG_PORT" "$T/payload"
	frag_expect "inet → B4"
	stats_json "$T/s1.json"
	d=$(delta "$T/s0.json" "$T/s1.json" punt-ipv4-fragment-packets)
	[ "$d" -ge 3 ] || pfail "punt-ipv4-fragment +$d, expected the 3 fragments of 3028 octets"
	log "punt-ipv4-fragment +$d, events-sent +$(delta "$T/s0.json" "$T/s1.json" events-sent-packets)"
}

frag_b4_to_inet_udp_3000()
{
	local d

	frag_setup
	# the B4 host sends whole: b4tun's raw socket leaves the IPv6
	# fragmentation to the B4's kernel
	check_run ip -n "$NS_B4" link set tun0 mtu 4000
	head -c 3000 /dev/urandom >"$T/payload"
	frag_recv "$NS_INET" "$INET4" 5004 "$T/got"
	stats_json "$T/s0.json"
	frag_send "$NS_B4" "$B4_IPV4" "$FRAG_PORT" "$INET4" 5004 "$T/payload"
	frag_expect "B4 → inet"
	stats_json "$T/s1.json"
	d=$(delta "$T/s0.json" "$T/s1.json" punt-ipv6-fragment-packets)
	[ "$d" -ge 3 ] || pfail "punt-ipv6-fragment +$d, expected the 3 IPv6 fragments of 3068 octets"
	log "punt-ipv6-fragment +$d, events-sent +$(delta "$T/s0.json" "$T/s1.json" events-sent-packets)"
}

frag_b4_to_inet_inner_fragments()
{
	local d

	frag_setup
	head -c 3000 /dev/urandom >"$T/payload"
	frag_recv "$NS_INET" "$INET4" 5005 "$T/got"
	stats_json "$T/s0.json"
	frag_send "$NS_B4" "$B4_IPV4" "$FRAG_PORT" "$INET4" 5005 "$T/payload"
	frag_expect "B4 → inet (inner fragments)"
	stats_json "$T/s1.json"
	d=$(delta "$T/s0.json" "$T/s1.json" punt-inner-ipv4-fragment-packets)
	[ "$d" -ge 3 ] || pfail "punt-inner-ipv4-fragment +$d, expected the 3 IPv4 fragments of 3028 octets"
	log "punt-inner-ipv4-fragment +$d, events-sent +$(delta "$T/s0.json" "$T/s1.json" events-sent-packets)"
}
