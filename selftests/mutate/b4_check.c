// SPDX-License-Identifier: GPL-2.0
/* The lwB4 invariants (RFC 7596 §5, issue 10), judged from the frame in,
 * the verdict, the frame out and the mappings in the maps:
 *   to the WAN: IPv4-in-IPv6 from our tunnel address to the lwAFTR, made of
 *     IPv4 from a LAN host, its source address:port (Identifier, quoted
 *     port) in a granted port set and the external endpoint of the mapping
 *     of the internal endpoint in;
 *   to the LAN: IPv4 that came from the lwAFTR through the tunnel (or from a
 *     LAN host to our address: hairpinning), to the internal endpoint of the
 *     existing mapping of the external endpoint it was sent to;
 *   nothing forwarded on a port read past the IPv4 Total Length; every IPv4
 *   header and transport checksum out right (an ICMP error's checksum is
 *   checked before it is translated: RFC 5508 REQ-3). */
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "lw4o6/b4.h"
#include "wire.h"
#include "b4_lab.h"

const struct vclass b4_classes[B4_N_CLASSES] = {
	[B_ABORTED] = { "b4.aborted",
		"XDP_ABORTED or an unknown action" },
	[B_OUT_MALFORMED] = { "b4.out-malformed",
		"a frame sent that is neither IPv4 nor whole IPv4-in-IPv6" },
	[B_OUT_L2] = { "b4.out-l2",
		"a frame sent not from our MAC to the next hop, or tagged" },
	[B_WAN_ORIGIN] = { "b4.wan-origin",
		"IPv4-in-IPv6 sent to the lwAFTR that was not IPv4 from the LAN" },
	[B_WAN_TUNNEL] = { "b4.wan-tunnel",
		"sent to the WAN not from our tunnel address to the lwAFTR" },
	[B_LAN_ORIGIN] = { "b4.lan-origin",
		"IPv4 sent to the LAN that came neither from the lwAFTR nor as a hairpin" },
	[B_DECAP_BAD_OUTER] = { "b4.decap-bad-outer",
		"decapsulated from IPv6 cut short (Payload Length past the frame)" },
	[B_BAD_V4_IN] = { "b4.forwarded-bad-ipv4",
		"the IPv4 packet forwarded had lengths that do not hold" },
	[B_FRAGMENT] = { "b4.fragment-forwarded",
		"a fragment forwarded (B4-NAT-19: not translated yet)" },
	[B_PORT_PAST_TOTLEN] = { "b4.port-past-totlen",
		"translated on a port, Identifier or quoted port past the IPv4 Total Length" },
	[B_QUOTE_FRAGMENT] = { "b4.quote-fragment",
		"an ICMP error translated on the \"port\" of a quoted later fragment" },
	[B_WAN_NOT_GRANTED] = { "b4.wan-not-granted",
		"sent to the WAN from an address:port outside the granted port sets" },
	[B_WAN_MAPPING] = { "b4.wan-mapping",
		"sent to the WAN from other than the mapping of the internal endpoint" },
	[B_LAN_MAPPING] = { "b4.lan-mapping",
		"sent to the LAN to other than the internal endpoint of an existing mapping" },
	[B_TTL] = { "b4.ttl",
		"forwarded with TTL <= 1, or the TTL out is not the TTL in minus one" },
	[B_ALTERED] = { "b4.altered",
		"the remote endpoint, protocol or length changed on the way" },
	[B_IPV4_CSUM_UNVERIFIED] = { "b4.ipv4-csum-unverified",
		"an IPv4 header with a wrong checksum forwarded (RFC 1812 §5.2.2)" },
	[B_IPV4_CSUM_BROKEN] = { "b4.ipv4-csum-broken",
		"a right IPv4 header checksum made wrong" },
	[B_L4_CSUM_BROKEN] = { "b4.l4-csum-broken",
		"a right TCP/UDP/ICMP checksum made wrong" },
	[B_ICMP_CSUM_UNVERIFIED] = { "b4.icmp-csum-unverified",
		"an ICMP error with a wrong checksum translated (RFC 5508 REQ-3)" },
};

bool b4_granted(uint32_t addr, uint16_t port)
{
	for (int i = 0; i < b4_lab.n_sets; i++)
		if (b4_lab.sets[i].ipv4 == addr && port >= b4_lab.sets[i].first &&
		    port < b4_lab.sets[i].first + b4_lab.sets[i].size)
			return true;
	return false;
}

/* An endpoint of a flow: address, port (or Identifier), protocol. */
struct ep {
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

/* Our endpoint of the packet: the source (LAN to WAN: the internal one; out:
 * the external one) or the destination; for an ICMP error the quoted packet
 * went the other way. Returns 0, or the class found wrong (port past the
 * Total Length, or no port). */
static int our_end(const struct v4view *v, bool src, struct ep *e, struct verdict *v_, int cls)
{
	struct flow fl;
	char s[16];

	view_flow(v, &fl);
	if (fl.port_cut) {
		verdict_set(v_, B_PORT_PAST_TOTLEN,
			    "protocol %u, Total Length %u, IHL %u: the %s lies past it", v->proto,
			    v->tot, v->ihl, fl.kind == FLOW_ERROR ? "quoted port" : "port");
		return B_PORT_PAST_TOTLEN;
	}
	if (fl.q_later_fragment) {
		verdict_set(v_, B_QUOTE_FRAGMENT, "the quote is a later fragment (offset %u)",
			    get_be16(v->h + v->ihl + 8 + 6) & 0x1fff);
		return B_QUOTE_FRAGMENT;
	}
	if (!fl.has_port) {
		verdict_set(v_, cls, "%s: protocol %u without a port the NAPT maps",
			    fmt4(src ? v->src : v->dst, s), v->proto);
		return cls;
	}
	if (fl.kind == FLOW_ERROR) {
		e->addr = src ? fl.qdst : fl.qsrc;
		e->port = src ? fl.dport : fl.sport;
		e->proto = fl.qproto;
	} else {
		e->addr = src ? v->src : v->dst;
		e->port = src ? fl.sport : fl.dport;
		e->proto = v->proto;
	}
	return 0;
}

/* The mapping of an internal endpoint: its lw_b4_out entry. */
static bool mapping_out(const struct ep *internal, struct ep *ext)
{
	struct lw_b4_out_key k = { .addr = internal->addr, .port = htons(internal->port),
				   .proto = internal->proto };
	struct lw_b4_out_val v;

	if (bpf_map_lookup_elem(b4_lab.out_fd, &k, &v))
		return false;
	*ext = (struct ep){ v.ext_addr, ntohs(v.ext_port), internal->proto };
	return true;
}

/* The mapping of an external endpoint: the live session in the slot of its
 * port, worked out here from the pool (include/lw4o6/b4.h: the protocol's
 * part of 65536 positions, the set's base + port - first). */
static bool mapping_in(const struct ep *ext, struct ep *internal)
{
	__u32 part = ext->proto == IPPROTO_TCP ? 0 : ext->proto == IPPROTO_UDP ? 1 : 2;
	struct lw_b4_portset ps;
	struct lw_b4_sess s;

	if (ext->proto != IPPROTO_TCP && ext->proto != IPPROTO_UDP && ext->proto != IPPROTO_ICMP)
		return false;
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 pos;

		if (bpf_map_lookup_elem(b4_lab.pool_fd, &i, &ps) || !ps.size)
			break;
		if (ps.ipv4 != ext->addr || ext->port < ps.first || ext->port - ps.first >= ps.size)
			continue;
		pos = part * 65536 + ((ps.base + ext->port - ps.first) & 0xffff);
		if (bpf_map_lookup_elem(b4_lab.sess_fd, &pos, &s) || !s.owner || !s.live ||
		    s.ext_addr != ext->addr || ntohs(s.ext_port) != ext->port)
			return false;
		*internal = (struct ep){ s.int_addr, ntohs(s.int_port), ext->proto };
		return true;
	}
	return false;
}

static bool ep_eq(const struct ep *a, const struct ep *b)
{
	return a->addr == b->addr && a->port == b->port && a->proto == b->proto;
}

static const char *fmt_ep(const struct ep *e, char *buf)
{
	char a[16];

	snprintf(buf, 40, "%s:%u/%u", fmt4(e->addr, a), e->port, e->proto);
	return buf;
}

/* Which end of a translated packet is the remote one, kept as it is. */
enum far_end { FAR_DST, FAR_SRC, FAR_NONE /* hairpin: both ends are ours */ };

/* TTL, length, protocol, the far end, checksums: what the NAPT must keep or
 * keep right. */
static void check_rest(const struct v4view *in, const struct v4view *out, enum far_end far,
		       struct verdict *v)
{
	enum csum_state ci = v4_l4_csum(in), co = v4_l4_csum(out);
	bool src = far == FAR_SRC;
	struct flow fi, fo;
	char hint[120];

	if (in->ttl <= 1 || out->ttl != in->ttl - 1)
		verdict_set(v, B_TTL, "TTL %u in, %u out", in->ttl, out->ttl);
	if (in->tot != out->tot || in->proto != out->proto)
		verdict_set(v, B_ALTERED, "Total Length %u in, %u out; protocol %u in, %u out",
			    in->tot, out->tot, in->proto, out->proto);
	view_flow(in, &fi);
	view_flow(out, &fo);
	if (far != FAR_NONE && (src ? in->src != out->src : in->dst != out->dst))
		verdict_set(v, B_ALTERED, "the remote address changed");
	if (far != FAR_NONE && fi.kind == FLOW_PORTS && fo.has_port &&
	    (src ? fi.sport != fo.sport : fi.dport != fo.dport))
		verdict_set(v, B_ALTERED, "the remote port changed: %u in, %u out",
			    src ? fi.sport : fi.dport, src ? fo.sport : fo.dport);
	if (!out->hdr_csum_ok)
		verdict_set(v, in->hdr_csum_ok ? B_IPV4_CSUM_BROKEN : B_IPV4_CSUM_UNVERIFIED,
			    "IPv4 header checksum 0x%04x out (%s in)", get_be16(out->h + 10),
			    in->hdr_csum_ok ? "right" : "wrong");
	if (co == CS_BAD && ci == CS_OK)
		verdict_set(v, B_L4_CSUM_BROKEN, "protocol %u checksum right in, wrong out%s",
			    out->proto, l4_cut_hint(in, hint, sizeof(hint)));
	if (fi.kind == FLOW_ERROR && co == CS_BAD && ci == CS_BAD)
		verdict_set(v, B_ICMP_CSUM_UNVERIFIED,
			    "ICMP error type %u with a wrong checksum translated", fi.icmp_type);
}

struct bin {
	int side;               /* 1 LAN, 2 WAN, 0 neither (tagged, other interface) */
	struct l2view l2;
	struct v6view o6;
	struct v4view i4;
};

static void read_in(const struct mframe *in, struct bin *b)
{
	memset(b, 0, sizeof(*b));
	view_l2(in->buf, in->len, &b->l2);
	if (!b->l2.ok)
		return;
	if (b->l2.on_side)
		b->side = in->ifindex == b4_lab.lan ? 1 : in->ifindex == b4_lab.wan ? 2 : 0;
	if (b->l2.type == 0x86dd) {
		view_v6(in->buf + b->l2.l3, in->len - b->l2.l3, &b->o6);
		if (b->o6.ipip)
			view_v4(b->o6.h + b->o6.inner, b->o6.end - b->o6.inner, &b->i4);
	} else if (b->l2.type == 0x0800) {
		view_v4(in->buf + b->l2.l3, in->len - b->l2.l3, &b->i4);
	}
}

static const char *side_text(int side)
{
	return side == 1 ? "LAN" : side == 2 ? "WAN" : "no";
}

/* IPv4-in-IPv6 from the lwAFTR to our tunnel address, on the WAN side. */
static bool from_aftr(const struct bin *b)
{
	return b->side == 2 && b->l2.type == 0x86dd && b->o6.ipip &&
	       ip6_eq(b->o6.h + 8, &b4_lab.aftr) && ip6_eq(b->o6.h + 24, &b4_lab.tunnel);
}

static void check_to_wan(const struct bin *b, const uint8_t *l3, size_t len, struct verdict *v)
{
	struct ep internal, ext, mapped;
	struct v6view o6;
	struct v4view o4;
	char x[40], y[40];

	view_v6(l3, len, &o6);
	if (!o6.present || !o6.whole || !o6.ipip) {
		verdict_set(v, B_OUT_MALFORMED, "IPv6 out that is not whole IPv4-in-IPv6");
		return;
	}
	if (!ip6_eq(o6.h + 8, &b4_lab.tunnel) || !ip6_eq(o6.h + 24, &b4_lab.aftr))
		verdict_set(v, B_WAN_TUNNEL, "IPv6 out not from the tunnel address to the lwAFTR");
	view_v4(o6.h + o6.inner, o6.end - o6.inner, &o4);
	if (!o4.present || !o4.sane) {
		verdict_set(v, B_OUT_MALFORMED, "inner IPv4 out: IHL %u, Total Length %u", o4.ihl,
			    o4.tot);
		return;
	}
	if (b->side != 1 || b->l2.type != 0x0800) {
		verdict_set(v, B_WAN_ORIGIN, "EtherType 0x%04x in on the %s side", b->l2.type,
			    side_text(b->side));
		return;
	}
	if (!b->i4.sane) {
		verdict_set(v, B_BAD_V4_IN, "IPv4 in: IHL %u, Total Length %u, %zu bytes",
			    b->i4.ihl, b->i4.tot, b->i4.avail);
		return;
	}
	if (b->i4.frag)
		verdict_set(v, B_FRAGMENT, "IPv4 fragment (0x%04x) translated", b->i4.frag);
	check_rest(&b->i4, &o4, FAR_DST, v);
	if (our_end(&b->i4, true, &internal, v, B_WAN_MAPPING) ||
	    our_end(&o4, true, &ext, v, B_WAN_MAPPING))
		return;
	if (!b4_granted(ext.addr, ext.port) || (o4.proto == IPPROTO_ICMP && o4.src != ext.addr))
		verdict_set(v, B_WAN_NOT_GRANTED, "sent from %s (outer source %s)", fmt_ep(&ext, x),
			    fmt4(o4.src, y));
	if (!mapping_out(&internal, &mapped))
		verdict_set(v, B_WAN_MAPPING, "%s has no mapping", fmt_ep(&internal, x));
	else if (!ep_eq(&mapped, &ext))
		verdict_set(v, B_WAN_MAPPING, "sent from %s, the mapping says %s", fmt_ep(&ext, x),
			    fmt_ep(&mapped, y));
}

/* Inbound through the tunnel, or a hairpin: out must reach the internal
 * endpoint of the mapping of the external endpoint the packet was sent to. */
static void check_to_lan(const struct bin *b, const struct v4view *o4, struct verdict *v)
{
	bool hairpin = b->side == 1 && b->l2.type == 0x0800;
	struct ep ext, internal, got, src_int, src_ext, src_got;
	char x[40], y[40];

	if (!hairpin && !from_aftr(b)) {
		verdict_set(v, B_LAN_ORIGIN, "EtherType 0x%04x in on the %s side, not the lwAFTR's",
			    b->l2.type, side_text(b->side));
		return;
	}
	if (!hairpin && !b->o6.whole)
		verdict_set(v, B_DECAP_BAD_OUTER, "IPv6 Payload Length %u, %zu bytes present",
			    get_be16(b->o6.h + 4), b->o6.avail - 40);
	if (b->o6.via_fragment)
		verdict_set(v, B_FRAGMENT, "decapsulated from an IPv6 fragment");
	if (!b->i4.sane) {
		verdict_set(v, B_BAD_V4_IN, "IPv4 in: IHL %u, Total Length %u, %zu bytes",
			    b->i4.ihl, b->i4.tot, b->i4.avail);
		return;
	}
	if (b->i4.frag)
		verdict_set(v, B_FRAGMENT, "IPv4 fragment (0x%04x) translated", b->i4.frag);
	check_rest(&b->i4, o4, hairpin ? FAR_NONE : FAR_SRC, v);
	if (our_end(&b->i4, false, &ext, v, B_LAN_MAPPING) ||
	    our_end(o4, false, &got, v, B_LAN_MAPPING))
		return;
	/* an ICMP error goes to the address it is about, in and out */
	if (ext.addr != b->i4.dst)
		verdict_set(v, B_LAN_MAPPING, "an ICMP error to %s about %s", fmt4(b->i4.dst, x),
			    fmt_ep(&ext, y));
	if (got.addr != o4->dst)
		verdict_set(v, B_LAN_MAPPING, "an ICMP error sent to %s about %s", fmt4(o4->dst, x),
			    fmt_ep(&got, y));
	if (!mapping_in(&ext, &internal))
		verdict_set(v, B_LAN_MAPPING, "no mapping of %s", fmt_ep(&ext, x));
	else if (!ep_eq(&internal, &got))
		verdict_set(v, B_LAN_MAPPING, "sent to %s, not to the internal end of %s",
			    fmt_ep(&got, x), fmt_ep(&ext, y));
	if (!hairpin)
		return;
	/* REQ-9a: the hairpinned packet comes from the sender's external endpoint */
	if (our_end(&b->i4, true, &src_int, v, B_LAN_MAPPING) ||
	    our_end(o4, true, &src_got, v, B_LAN_MAPPING))
		return;
	if (!mapping_out(&src_int, &src_ext) || !ep_eq(&src_ext, &src_got))
		verdict_set(v, B_LAN_MAPPING, "hairpin from %s, not the sender's external endpoint",
			    fmt_ep(&src_got, x));
}

static void check_l2(const uint8_t *out, const struct l2view *l2, struct verdict *v)
{
	const uint8_t *dst = l2->type == 0x0800 ? b4_lab.lan_host : b4_lab.wan_peer;
	const uint8_t *src = l2->type == 0x0800 ? b4_lab.lan_mac : b4_lab.wan_mac;

	if (l2->tags)
		verdict_set(v, B_OUT_L2, "sent with %d VLAN tag(s)", l2->tags);
	else if (memcmp(out, dst, 6) || memcmp(out + 6, src, 6))
		verdict_set(v, B_OUT_L2, "sent to %02x:..:%02x from %02x:..:%02x", out[0], out[5],
			    out[6], out[11]);
}

void b4_check(const struct mframe *in, uint32_t act, const uint8_t *out, size_t outlen,
	      struct verdict *v)
{
	struct l2view l2;
	struct v4view o4;
	struct bin b;

	if (act == XDP_ABORTED || act > XDP_REDIRECT) {
		verdict_set(v, B_ABORTED, "action %u", act);
		return;
	}
	if (act == XDP_DROP)
		return;
	if (act == XDP_PASS && outlen == in->len && !memcmp(out, in->buf, outlen))
		return; /* the kernel's, untouched */
	read_in(in, &b);
	view_l2(out, outlen, &l2);
	if (!l2.ok) {
		verdict_set(v, B_OUT_MALFORMED, "%zu bytes out", outlen);
		return;
	}
	if (act != XDP_PASS)
		check_l2(out, &l2, v);
	if (l2.type == 0x86dd) {
		check_to_wan(&b, out + l2.l3, outlen - l2.l3, v);
	} else if (l2.type == 0x0800) {
		view_v4(out + l2.l3, outlen - l2.l3, &o4);
		if (!o4.present || !o4.sane)
			verdict_set(v, B_OUT_MALFORMED, "IPv4 out: IHL %u, Total Length %u", o4.ihl,
				    o4.tot);
		else
			check_to_lan(&b, &o4, v);
	} else {
		verdict_set(v, B_OUT_MALFORMED, "EtherType 0x%04x out", l2.type);
	}
}
