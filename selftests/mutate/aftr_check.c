// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR invariants (RFC 7596 §6, issue 10), judged from the frame in,
 * the verdict and the frame out, with nothing but the lab's softwire table:
 *   (1) IPv4 towards the internet was decapsulated from IPv6 whose source is
 *       the B4 and destination the BR of the softwire owning (source, port),
 *       the port read within the IPv4 Total Length;
 *   (2) IPv6 towards a B4 comes from the BR of the softwire owning
 *       (destination, port) and goes to its B4;
 *   (3) every IPv4 header and TCP/UDP/ICMP checksum out is right (the
 *       program must not make one wrong, nor forward a wrong header
 *       checksum, nor an ICMP message to a B4 it claims to check);
 *   (4) the kernel (XDP_PASS) never gets IPv4-in-IPv6 from the internet side,
 *       nor to a BR from the access side other than the PCP bootstrap, nor
 *       native IPv4 from or to a pool address on the access side.
 * Port sets are enumerated from RFC 7597 §5.1 (port = A | PSID | j), not
 * computed the way the program extracts a PSID from a port. */
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "wire.h"
#include "aftr_lab.h"

const struct vclass aftr_classes[AFTR_N_CLASSES] = {
	[A_ABORTED] = { "aftr.aborted",
		"XDP_ABORTED or an unknown action" },
	[A_OUT_MALFORMED] = { "aftr.out-malformed",
		"a frame sent that is neither IPv4 nor whole IPv4-in-IPv6" },
	[A_OUT_L2] = { "aftr.out-l2",
		"a frame sent not from our MAC to the next hop of its family, or tagged" },
	[A_DECAP_ORIGIN] = { "aftr.decap-origin",
		"IPv4 sent towards the internet that was not IPv4-in-IPv6 from the access side" },
	[A_DECAP_BAD_OUTER] = { "aftr.decap-bad-outer",
		"decapsulated from IPv6 cut short (Payload Length past the frame), or routed on" },
	[A_BAD_V4_IN] = { "aftr.forwarded-bad-ipv4",
		"the IPv4 packet forwarded had lengths that do not hold (IHL, Total Length)" },
	[A_FRAGMENT] = { "aftr.fragment-forwarded",
		"a fragment forwarded by the fast path (AFTR-DECAP-6, AFTR-ENCAP-5)" },
	[A_PORT_PAST_TOTLEN] = { "aftr.port-past-totlen",
		"forwarded on a port, Identifier or quoted port past the IPv4 Total Length" },
	[A_QUOTE_FRAGMENT] = { "aftr.quote-fragment",
		"an ICMP error forwarded on the \"port\" of a quoted later fragment" },
	[A_DECAP_OWNER] = { "aftr.decap-owner",
		"decapsulated, not from the B4 to the BR of the softwire owning (source, port)" },
	[A_DECAP_TO_POOL] = { "aftr.decap-to-pool",
		"IPv4 to a pool address sent towards the internet, which routes it back" },
	[A_ENCAP_ORIGIN] = { "aftr.encap-origin",
		"IPv4-in-IPv6 sent to a B4 that came neither from the internet nor from a B4" },
	[A_ENCAP_OWNER] = { "aftr.encap-owner",
		"sent to a B4 or from a BR other than those of the owner of (destination, port)" },
	[A_TTL] = { "aftr.ttl",
		"forwarded with TTL <= 1, or the TTL out is not the TTL in minus one" },
	[A_ALTERED] = { "aftr.altered",
		"the IPv4 packet out differs from the one in beyond TTL, ECN, checksum" },
	[A_IPV4_CSUM_UNVERIFIED] = { "aftr.ipv4-csum-unverified",
		"an IPv4 header with a wrong checksum forwarded (RFC 1812 §5.2.2)" },
	[A_IPV4_CSUM_BROKEN] = { "aftr.ipv4-csum-broken",
		"a right IPv4 header checksum made wrong" },
	[A_L4_CSUM_BROKEN] = { "aftr.l4-csum-broken",
		"a right TCP/UDP/ICMP checksum made wrong" },
	[A_ICMP_CSUM_UNVERIFIED] = { "aftr.icmp-csum-unverified",
		"ICMP from the internet or hairpinned with a wrong checksum sent to a B4 (AFTR-ICMP-5)" },
	[A_PASS_IPIP_INET] = { "aftr.pass-ipip-internet",
		"IPv4-in-IPv6 (anywhere in the chain) from the internet side passed on" },
	[A_PASS_IPIP_ACC] = { "aftr.pass-ipip-access",
		"IPv4-in-IPv6 to a BR passed to the kernel, other than the PCP bootstrap" },
	[A_PASS_POOL_SRC] = { "aftr.pass-v4-pool-source",
		"native IPv4 from a pool address on the access side passed to the kernel" },
	[A_PASS_POOL_DST] = { "aftr.pass-v4-pool-dest",
		"native IPv4 to a pool address passed to the kernel" },
};

/* ---- owners, enumerated ----------------------------------------------------------- */

struct owner_tab {
	uint32_t addr;
	int full;                   /* softwire index + 1 of a psid-len 0 binding */
	uint8_t by_port[65536];     /* softwire index + 1, 0: nobody's */
};

static struct owner_tab tabs[8];
static int n_tabs;

static struct owner_tab *tab_of(uint32_t addr)
{
	for (int i = 0; i < n_tabs; i++)
		if (tabs[i].addr == addr)
			return &tabs[i];
	return NULL;
}

void aftr_owner_init(void)
{
	for (int i = 0; i < aftr_lab.n_sw; i++) {
		const struct aftr_sw *s = &aftr_lab.sw[i];
		struct owner_tab *t = tab_of(s->ipv4);
		unsigned m = 16u - s->a - s->k;

		if (!t) {
			t = &tabs[n_tabs++];
			t->addr = s->ipv4;
		}
		if (s->k == 0) {
			t->full = i + 1;
			continue;
		}
		/* every A except 0 when a > 0 (RFC 7597 §5.1), every j */
		for (uint32_t A = s->a ? 1 : 0; A < (1u << s->a); A++)
			for (uint32_t j = 0; j < (1u << m); j++)
				t->by_port[(A << (16 - s->a)) | ((uint32_t)s->psid << m) | j] =
					(uint8_t)(i + 1);
	}
}

const struct aftr_sw *aftr_owner(uint32_t addr, bool has_port, uint16_t port)
{
	const struct owner_tab *t = tab_of(addr);

	if (!t)
		return NULL;
	if (t->full)
		return &aftr_lab.sw[t->full - 1];
	if (!has_port || !t->by_port[port])
		return NULL;
	return &aftr_lab.sw[t->by_port[port] - 1];
}

bool aftr_is_pool(uint32_t addr)
{
	return (addr & aftr_lab.pool_mask) == aftr_lab.pool_addr || tab_of(addr);
}

bool aftr_is_br(const uint8_t *a)
{
	for (int i = 0; i < aftr_lab.n_br; i++)
		if (ip6_eq(a, &aftr_lab.br[i]))
			return true;
	return false;
}

/* ---- the frame in ------------------------------------------------------------------ */

enum { SIDE_NONE, SIDE_ACC, SIDE_INET };

struct ain {
	int side;
	struct l2view l2;
	struct v6view o6;       /* EtherType IPv6 */
	struct v4view i4;       /* native IPv4, or the IPv4 the chain ends in */
};

static void read_in(const struct mframe *in, struct ain *a)
{
	memset(a, 0, sizeof(*a));
	view_l2(in->buf, in->len, &a->l2);
	if (!a->l2.ok)
		return;
	if (a->l2.on_side)
		a->side = in->ifindex == aftr_lab.acc ? SIDE_ACC :
			  in->ifindex == aftr_lab.inet ? SIDE_INET : SIDE_NONE;
	if (a->l2.type == 0x86dd) {
		view_v6(in->buf + a->l2.l3, in->len - a->l2.l3, &a->o6);
		if (a->o6.ipip)
			view_v4(a->o6.h + a->o6.inner, a->o6.end - a->o6.inner, &a->i4);
	} else if (a->l2.type == 0x0800) {
		view_v4(in->buf + a->l2.l3, in->len - a->l2.l3, &a->i4);
	}
}

static const char *side_text(int side)
{
	return side == SIDE_ACC ? "access" : side == SIDE_INET ? "internet" : "no";
}

/* ---- (4) what the kernel gets -------------------------------------------------------- */

/* AFTR-DECAP-8: in-tunnel UDP to 192.0.0.1:5351, the port within the
 * Total Length, not a later fragment, not behind an IPv6 fragment header. */
static bool pcp_bootstrap(const struct ain *a)
{
	const struct v4view *i = &a->i4;

	return a->o6.ipip && !a->o6.via_fragment && i->present && i->sane &&
	       i->proto == IPPROTO_UDP && i->dst == htonl(0xc0000001u) && !(i->frag & 0x1fff) &&
	       i->ihl + 4 <= i->tot && get_be16(i->h + i->ihl + 2) == 5351;
}

static void check_pass(const struct ain *a, struct verdict *v)
{
	char s[16];

	if (a->side == SIDE_NONE)
		return;
	if (a->l2.type == 0x86dd && a->o6.present && a->o6.whole && a->o6.ipip_anywhere) {
		if (a->side == SIDE_INET)
			verdict_set(v, A_PASS_IPIP_INET, "IPv4-in-IPv6%s from the internet passed",
				    a->o6.inner > 40 ? " behind extension headers" : "");
		else if (aftr_is_br(a->o6.h + 24) && !pcp_bootstrap(a))
			verdict_set(v, A_PASS_IPIP_ACC, "IPv4-in-IPv6 to a BR passed: inner at %zu%s%s",
				    a->o6.inner, a->o6.via_fragment ? ", past a fragment header" : "",
				    a->o6.via_routing ? ", past a routing header" : "");
	}
	if (a->l2.type == 0x0800 && v4_acceptable(&a->i4)) {
		if (a->side == SIDE_ACC && aftr_is_pool(a->i4.src))
			verdict_set(v, A_PASS_POOL_SRC, "native IPv4 from pool address %s passed",
				    fmt4(a->i4.src, s));
		if (aftr_is_pool(a->i4.dst))
			verdict_set(v, A_PASS_POOL_DST, "native IPv4 to %s passed (%s side)",
				    fmt4(a->i4.dst, s), side_text(a->side));
	}
}

/* ---- (1) (2) owners ------------------------------------------------------------------------ */

/* The softwire that owns the packet's source (from_b4) or destination: its
 * address and its port (TCP/UDP port, echo Identifier, or for an ICMP error
 * the quoted packet's port on our side, the quote going the other way). */
static const struct aftr_sw *owner_of(const struct v4view *i4, bool src, int cls_owner,
				      struct verdict *v)
{
	uint32_t addr = src ? i4->src : i4->dst;
	const struct aftr_sw *sw = aftr_owner(addr, false, 0);
	struct flow fl;
	uint16_t port;
	char s[16], q[16];

	if (sw)
		return sw; /* psid-len 0: every port, and none */
	view_flow(i4, &fl);
	if (fl.kind == FLOW_ERROR && fl.q_ok && (src ? fl.qdst : fl.qsrc) != addr) {
		verdict_set(v, cls_owner, "ICMP error of %s quotes a packet of %s", fmt4(addr, s),
			    fmt4(src ? fl.qdst : fl.qsrc, q));
		return NULL;
	}
	if (fl.port_cut) {
		verdict_set(v, A_PORT_PAST_TOTLEN,
			    "%s: protocol %u, Total Length %u, IHL %u: the %s lies past it",
			    fmt4(addr, s), i4->proto, i4->tot, i4->ihl,
			    fl.kind == FLOW_ERROR ? "quoted port" : "port");
		return NULL;
	}
	if (fl.q_later_fragment) {
		verdict_set(v, A_QUOTE_FRAGMENT, "%s: the quote is a later fragment (offset %u)",
			    fmt4(addr, s), get_be16(i4->h + i4->ihl + 8 + 6) & 0x1fff);
		return NULL;
	}
	if (!fl.has_port) {
		verdict_set(v, cls_owner, "%s: no port (protocol %u%s) and no psid-len 0 binding",
			    fmt4(addr, s), i4->proto, i4->frag & 0x1fff ? ", later fragment" : "");
		return NULL;
	}
	if (fl.kind == FLOW_ERROR)
		port = src ? fl.dport : fl.sport;
	else
		port = src ? fl.sport : fl.dport;
	sw = aftr_owner(addr, true, port);
	if (!sw)
		verdict_set(v, cls_owner, "no softwire owns %s port %u", fmt4(addr, s), port);
	return sw;
}

static void fmt6(const void *a, char *buf)
{
	inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* The decapsulation half: the B4 and BR of the input's outer header own the
 * inner source. */
static void check_from_b4(const struct ain *a, struct verdict *v)
{
	const struct aftr_sw *sw;
	char s6[INET6_ADDRSTRLEN], d6[INET6_ADDRSTRLEN], b4[INET6_ADDRSTRLEN], br[INET6_ADDRSTRLEN];

	if (!a->o6.whole)
		verdict_set(v, A_DECAP_BAD_OUTER, "IPv6 Payload Length %u, %zu bytes present",
			    get_be16(a->o6.h + 4), a->o6.avail - 40);
	if (a->o6.via_routing)
		verdict_set(v, A_DECAP_BAD_OUTER, "routing header with segments left");
	if (a->o6.via_fragment)
		verdict_set(v, A_FRAGMENT, "IPv6 fragment decapsulated");
	if (!a->i4.sane) {
		verdict_set(v, A_BAD_V4_IN, "inner IPv4: IHL %u, Total Length %u, %zu bytes",
			    a->i4.ihl, a->i4.tot, a->i4.avail);
		return;
	}
	if (a->i4.frag)
		verdict_set(v, A_FRAGMENT, "inner IPv4 fragment (0x%04x) decapsulated", a->i4.frag);
	sw = owner_of(&a->i4, true, A_DECAP_OWNER, v);
	if (!sw || (ip6_eq(a->o6.h + 8, &sw->b4) && ip6_eq(a->o6.h + 24, &sw->br)))
		return;
	fmt6(a->o6.h + 8, s6);
	fmt6(a->o6.h + 24, d6);
	fmt6(&sw->b4, b4);
	fmt6(&sw->br, br);
	verdict_set(v, A_DECAP_OWNER, "from %s to %s, but the owner is B4 %s via BR %s", s6, d6, b4,
		    br);
}

/* ---- (3) the packet and its checksums ------------------------------------------------- */

enum ttl_rule { TTL_DEC, TTL_DEC_OR_KEEP };

static void compare(const struct v4view *in, const struct v4view *out, enum ttl_rule rule,
		    const struct v6view *outer, struct verdict *v)
{
	uint8_t ce = outer ? (uint8_t)((get_be32(outer->h) >> 20) & 3) : 0;
	bool ecn_marked = ce == 3 && ((in->tos & 3) == 1 || (in->tos & 3) == 2) &&
			  out->tos == (in->tos | 3);
	bool kept = rule == TTL_DEC_OR_KEEP && out->ttl == in->ttl;

	if (in->ttl <= 1 || (out->ttl != in->ttl - 1 && !kept))
		verdict_set(v, A_TTL, "TTL %u in, %u out", in->ttl, out->ttl);
	if (out->tot != in->tot) {
		verdict_set(v, A_ALTERED, "Total Length %u in, %u out", in->tot, out->tot);
		return;
	}
	if (out->tos != in->tos && !ecn_marked)
		verdict_set(v, A_ALTERED, "TOS 0x%02x in, 0x%02x out (outer ECN %u)", in->tos,
			    out->tos, ce);
	for (unsigned i = 0; i < in->tot; i++) {
		if (i == 1 || i == 8 || i == 10 || i == 11 || in->h[i] == out->h[i])
			continue;
		verdict_set(v, A_ALTERED, "byte %u of the IPv4 packet: 0x%02x in, 0x%02x out", i,
			    in->h[i], out->h[i]);
		return;
	}
}

static void check_csums(const struct v4view *in, const struct v4view *out, bool icmp_checked,
			struct verdict *v)
{
	enum csum_state ci = v4_l4_csum(in), co = v4_l4_csum(out);
	char hint[120];

	if (!out->hdr_csum_ok)
		verdict_set(v, in->hdr_csum_ok ? A_IPV4_CSUM_BROKEN : A_IPV4_CSUM_UNVERIFIED,
			    "IPv4 header checksum 0x%04x out (%s in)", get_be16(out->h + 10),
			    in->hdr_csum_ok ? "right" : "wrong");
	if (co == CS_BAD && ci == CS_OK)
		verdict_set(v, A_L4_CSUM_BROKEN, "protocol %u checksum right in, wrong out%s",
			    out->proto, l4_cut_hint(in, hint, sizeof(hint)));
	if (icmp_checked && out->proto == IPPROTO_ICMP && co == CS_BAD)
		verdict_set(v, A_ICMP_CSUM_UNVERIFIED, "ICMP type %u with a wrong checksum sent",
			    out->ihl < out->tot ? out->h[out->ihl] : 0);
}

/* ---- outputs ------------------------------------------------------------------------------ */

static void check_l2(const uint8_t *out, const struct l2view *l2, struct verdict *v)
{
	const uint8_t *dst = l2->type == 0x0800 ? aftr_lab.inet_peer : aftr_lab.acc_peer;
	const uint8_t *src = l2->type == 0x0800 ? aftr_lab.inet_mac : aftr_lab.acc_mac;

	if (l2->tags)
		verdict_set(v, A_OUT_L2, "sent with %d VLAN tag(s), none configured", l2->tags);
	else if (memcmp(out, dst, 6) || memcmp(out + 6, src, 6))
		verdict_set(v, A_OUT_L2, "sent to %02x:..:%02x from %02x:..:%02x", out[0], out[5],
			    out[6], out[11]);
}

static void check_decap(const struct ain *a, const struct v4view *o4, bool redirect,
			struct verdict *v)
{
	char s[16];

	if (a->side != SIDE_ACC || a->l2.type != 0x86dd || !a->o6.ipip) {
		verdict_set(v, A_DECAP_ORIGIN, "EtherType 0x%04x in on the %s side", a->l2.type,
			    side_text(a->side));
		return;
	}
	check_from_b4(a, v);
	if (aftr_is_pool(o4->dst))
		verdict_set(v, A_DECAP_TO_POOL, "to %s", fmt4(o4->dst, s));
	if (!a->i4.sane)
		return;
	compare(&a->i4, o4, redirect ? TTL_DEC : TTL_DEC_OR_KEEP, &a->o6, v);
	check_csums(&a->i4, o4, false, v);
}

static void check_encap(const struct ain *a, const uint8_t *l3, size_t len, struct verdict *v)
{
	const struct aftr_sw *sw;
	struct v6view o6;
	struct v4view o4;
	char s6[INET6_ADDRSTRLEN], d6[INET6_ADDRSTRLEN];
	bool hairpin = a->side == SIDE_ACC && a->l2.type == 0x86dd && a->o6.ipip;

	view_v6(l3, len, &o6);
	if (!o6.present || !o6.whole || !o6.ipip || o6.via_fragment || o6.via_routing) {
		verdict_set(v, A_OUT_MALFORMED, "IPv6 out that is not whole IPv4-in-IPv6");
		return;
	}
	view_v4(o6.h + o6.inner, o6.end - o6.inner, &o4);
	if (!o4.present || !o4.sane) {
		verdict_set(v, A_OUT_MALFORMED, "inner IPv4 out: IHL %u, Total Length %u", o4.ihl,
			    o4.tot);
		return;
	}
	if (hairpin) {
		check_from_b4(a, v);
	} else if (a->side != SIDE_INET || a->l2.type != 0x0800) {
		verdict_set(v, A_ENCAP_ORIGIN, "EtherType 0x%04x in on the %s side", a->l2.type,
			    side_text(a->side));
		return;
	} else if (!a->i4.sane) {
		verdict_set(v, A_BAD_V4_IN, "IPv4 in: IHL %u, Total Length %u, %zu bytes",
			    a->i4.ihl, a->i4.tot, a->i4.avail);
		return;
	} else if (a->i4.frag) {
		verdict_set(v, A_FRAGMENT, "IPv4 fragment (0x%04x) encapsulated", a->i4.frag);
	}
	sw = owner_of(&o4, false, A_ENCAP_OWNER, v);
	if (sw && !(ip6_eq(o6.h + 8, &sw->br) && ip6_eq(o6.h + 24, &sw->b4))) {
		fmt6(o6.h + 8, s6);
		fmt6(o6.h + 24, d6);
		verdict_set(v, A_ENCAP_OWNER, "sent from %s to %s, not the owner's BR and B4", s6, d6);
	}
	if (!a->i4.sane)
		return;
	compare(&a->i4, &o4, TTL_DEC, hairpin ? &a->o6 : NULL, v);
	/* AFTR-ICMP-5 holds for every ICMP message sent to a B4, hairpinned
	 * from another B4 as from the internet */
	check_csums(&a->i4, &o4, true, v);
}

void aftr_check(const struct mframe *in, uint32_t act, const uint8_t *out, size_t outlen,
		struct verdict *v)
{
	struct l2view l2;
	struct v4view o4;
	struct ain a;

	if (act == XDP_ABORTED || act > XDP_REDIRECT) {
		verdict_set(v, A_ABORTED, "action %u", act);
		return;
	}
	if (act == XDP_DROP)
		return;
	read_in(in, &a);
	if (act == XDP_PASS && outlen == in->len && !memcmp(out, in->buf, outlen)) {
		check_pass(&a, v);
		return;
	}
	/* sent: XDP_TX, XDP_REDIRECT, or a rebuilt packet the kernel forwards */
	view_l2(out, outlen, &l2);
	if (!l2.ok) {
		verdict_set(v, A_OUT_MALFORMED, "%zu bytes out", outlen);
		return;
	}
	if (act != XDP_PASS)
		check_l2(out, &l2, v);
	if (l2.type == 0x0800) {
		view_v4(out + l2.l3, outlen - l2.l3, &o4);
		if (!o4.present || !o4.sane)
			verdict_set(v, A_OUT_MALFORMED, "IPv4 out: IHL %u, Total Length %u", o4.ihl,
				    o4.tot);
		else
			check_decap(&a, &o4, act != XDP_PASS, v);
	} else if (l2.type == 0x86dd) {
		check_encap(&a, out + l2.l3, outlen - l2.l3, v);
	} else {
		verdict_set(v, A_OUT_MALFORMED, "EtherType 0x%04x out", l2.type);
	}
}
