// SPDX-License-Identifier: GPL-2.0
/* Fragmentation and the lwAFTR's encapsulation / decapsulation of whole
 * packets for the slow path (slowpath_frag.h). The checks follow
 * bpf/aftr/lw4o6_aftr.bpf.c step by step, so that a packet the slow path
 * forwards is one the data plane would have forwarded had it been whole. */
#include <linux/if_ether.h>
#include <stdlib.h>
#include "lw4o6/pcp.h"
#include "slowpath_priv.h"
#include "slowpath_frag.h"
#include "net_frag.h"

/* ---- the lwAFTR on whole packets ---- */

static int none(struct lw_frag_out *out, int reason)
{
	out->reason = reason;
	return 0;
}

/* Appends an ICMPv4 error built by the ICMP builders of the slow path. */
static int add_icmp4(const struct lw_slowpath_cfg *cfg, const struct sp_route *rt,
		     const uint8_t *ip, size_t len, uint8_t type, uint8_t code, uint32_t rest,
		     struct lw_frag_out *out)
{
	struct lw_slowpath_out *tmp = malloc(sizeof(*tmp));
	struct sp_ipv4 parsed;
	enum lw_slowpath_reason why;
	__be32 src;
	int n;

	if (!tmp)
		return -ENOMEM;
	tmp->n = 0;
	if (sp_parse_ipv4(ip, len, &parsed)) {
		free(tmp);
		return none(out, LW_SLOWPATH_MALFORMED);
	}
	why = sp_icmp4_may_answer(&parsed);
	if (why != LW_SLOWPATH_SENT) {
		free(tmp);
		return none(out, why);
	}
	if (!cfg->ipv4_addr) {
		free(tmp);
		return none(out, LW_SLOWPATH_NO_SOURCE);
	}
	memcpy(&src, ip + 12, 4);
	n = sp_emit_icmp4(cfg, tmp, rt, src, type, code, rest, ip, len);
	if (n > 0) {
		uint8_t *p = lw_frag_out_add(out, tmp->pkt[0].len, tmp->pkt[0].dest, false);

		if (!p) {
			free(tmp);
			return -ENOSPC;
		}
		memcpy(p, tmp->pkt[0].data, tmp->pkt[0].len);
		out->pkt[out->n - 1].icmp = 1;
		out->pkt[out->n - 1].kind = tmp->pkt[0].kind;
		n = 1;
	}
	free(tmp);
	return n;
}

/* The ICMP error the data plane would have asked for had the packet been
 * whole: the same event, built here, through lw_slowpath_handle() (whose
 * own rules and settings then apply). reason: why the packet itself went. */
static int via_event(const struct lw_slowpath_cfg *cfg, __u16 type, __u16 dir, __u16 l3_proto,
		     const uint8_t *pkt, size_t len, int reason, struct lw_frag_out *out)
{
	struct lw_event *ev = calloc(1, sizeof(*ev));
	struct lw_slowpath_out *so = malloc(sizeof(*so));
	int n, sent = 0;

	if (!ev || !so) {
		free(ev);
		free(so);
		return -ENOMEM;
	}
	ev->type = type;
	ev->dir = dir;
	ev->l3_proto = l3_proto;
	ev->pkt_len = (__u32)len;
	/* the quote is at most 1280 octets: a capture's worth is plenty */
	ev->cap_len = (__u32)(len < LW_EVENT_MAX_CAPTURE ? len : LW_EVENT_MAX_CAPTURE);
	memcpy(ev->pkt, pkt, ev->cap_len);
	n = lw_slowpath_handle(cfg, ev, sizeof(*ev), so);
	for (int i = 0; i < n; i++) {
		uint8_t *p = lw_frag_out_add(out, so->pkt[i].len, so->pkt[i].dest, false);

		if (!p)
			break;
		memcpy(p, so->pkt[i].data, so->pkt[i].len);
		out->pkt[out->n - 1].icmp = 1;
		out->pkt[out->n - 1].kind = so->pkt[i].kind;
		sent++;
	}
	free(ev);
	free(so);
	if (!sent)
		out->reason = reason;
	return sent;
}

/* The port the data plane looks an IPv4 packet up with, and whether it may
 * go on. dst: the destination side (encapsulation), else the source side
 * (decapsulation). from_inet applies the internet side's ICMP policy. */
static int lookup_port(const struct lw_frag_cfg *fc, const uint8_t *ip, size_t len, bool dst,
		       bool from_inet, __u16 *port, bool *icmp_error)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *l4 = ip + ihl;
	size_t l4len = len - ihl;
	uint8_t proto = ip[9];

	*port = 0;
	*icmp_error = false;
	if (proto == SP_PROTO_TCP || proto == SP_PROTO_UDP) {
		if (l4len < 4)
			return -LW_SLOWPATH_MALFORMED;
		*port = sp_get16(l4 + (dst ? 2 : 0));
		return 0;
	}
	if (proto != SP_PROTO_ICMP)
		return 0; /* port-less: psid-len 0 softwires only */
	if (l4len < SP_ICMP_HDR)
		return -LW_SLOWPATH_MALFORMED;
	if (from_inet && !(fc->flags & LW_CFG_ALLOW_ICMPV4_IN))
		return -LW_FRAG_POLICY;
	if (sp_csum_final(sp_csum_add(l4, l4len, 0)) != 0)
		return -LW_SLOWPATH_MALFORMED; /* AFTR-ICMP-5 */
	switch (l4[0]) {
	case 8: /* echo request */
		if (dst && fc->echo_policy == LW_ECHO_DROP)
			return -LW_FRAG_POLICY;
		*port = dst && fc->echo_policy == LW_ECHO_PORT0 ? 0 : sp_get16(l4 + 4);
		return 0;
	case 0: /* echo reply */
		*port = !dst && fc->echo_policy == LW_ECHO_PORT0 ? 0 : sp_get16(l4 + 4);
		return 0;
	case 3:
	case 4:
	case 5:
	case 11:
	case 12: {
		/* an error: the quoted packet went the other way */
		const uint8_t *q = l4 + SP_ICMP_HDR;
		size_t qlen = l4len - SP_ICMP_HDR, qihl;

		*icmp_error = true;
		if (qlen < SP_IPV4_HDR)
			return -LW_SLOWPATH_MALFORMED;
		qihl = (size_t)(q[0] & 15) * 4;
		if (qihl < SP_IPV4_HDR || qlen < qihl + 4 ||
		    (q[9] != SP_PROTO_TCP && q[9] != SP_PROTO_UDP))
			return -LW_SLOWPATH_NOT_OUR_PACKET;
		/* the quote's source is us (dst side) / its destination is us */
		if (memcmp(q + (dst ? 12 : 16), ip + (dst ? 16 : 12), 4))
			return -LW_SLOWPATH_NOT_OUR_PACKET;
		*port = sp_get16(q + qihl + (dst ? 0 : 2));
		return 0;
	}
	default: return from_inet ? -LW_FRAG_POLICY : 0;
	}
}

static void ipv4_ttl_dec(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;

	ip[8]--;
	sp_ipv4_hdr_csum(ip, ihl);
}

/* Encapsulates the IPv4 packet ip (TTL already handled) from br to b4 and
 * fragments it to mtu. */
static int encap_send(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
		      struct lw_reasm *r, const uint8_t *ip, size_t tot, unsigned mtu,
		      const struct in6_addr *b4, const struct in6_addr *br, struct lw_frag_out *out)
{
	uint8_t *buf;
	int n;

	(void)cfg;
	if (tot > SP_LEN_MAX)
		return none(out, LW_FRAG_INVALID);
	buf = malloc(SP_IPV6_HDR + tot);
	if (!buf)
		return -ENOMEM;
	/* bpf/common/tunnel.h: traffic class = TOS, flow label 0 */
	sp_put32(buf, 0x60000000u | (uint32_t)ip[1] << 20);
	sp_put16(buf + 4, (uint16_t)tot);
	buf[6] = SP_PROTO_IPIP;
	buf[7] = fc->hop_limit ? fc->hop_limit : SP_DEFAULT_TUNNEL_HOP_LIMIT;
	memcpy(buf + 8, br, 16);
	memcpy(buf + 24, b4, 16);
	memcpy(buf + SP_IPV6_HDR, ip, tot);
	n = lw_frag_ipv6(buf, SP_IPV6_HDR + tot, mtu, r ? sp_reasm_next_id6(r) : 0, out);
	free(buf);
	return n;
}

int lw_slowpath_encap_whole(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			    struct lw_reasm *r, const uint8_t *pkt, size_t len, unsigned mtu,
			    bool from_b4, struct lw_frag_out *out)
{
	struct in6_addr b4, br;
	struct sp_route rt = { 0 };
	size_t ihl, tot;
	uint8_t *ip;
	__be32 dst;
	__u16 port;
	bool icmp_error;
	int rc, n;

	if (len < SP_IPV4_HDR || (pkt[0] >> 4) != 4)
		return none(out, LW_SLOWPATH_MALFORMED);
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = sp_get16(pkt + 2);
	if (ihl < SP_IPV4_HDR || tot < ihl || tot > len)
		return none(out, LW_SLOWPATH_MALFORMED);
	if (sp_get16(pkt + 6) & SP_IPV4_FRAG_MASK)
		return none(out, LW_FRAG_INVALID); /* whole packets only */
	rc = lookup_port(fc, pkt, tot, true, !from_b4, &port, &icmp_error);
	if (rc < 0)
		return none(out, -rc);
	memcpy(&dst, pkt + 16, 4);
	if (!cfg->find_softwire)
		return none(out, LW_SLOWPATH_NO_SOFTWIRE);
	rc = cfg->find_softwire(cfg->ctx, dst, port, &b4, &br);
	if (rc == -ENOENT)
		return none(out, LW_SLOWPATH_NOT_OUR_PACKET);
	if (rc) {
		/* AFTR-ENCAP-2: ICMPv4 3/1 to the sender */
		if (!from_b4 && (fc->flags & LW_CFG_ICMPV4_ERRORS) && !icmp_error)
			return via_event(cfg, LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET,
					 ETH_P_IP, pkt, tot, LW_SLOWPATH_NO_SOFTWIRE, out);
		return none(out, LW_SLOWPATH_NO_SOFTWIRE);
	}
	if (pkt[8] <= 1) {
		if (!from_b4 && (fc->flags & LW_CFG_ICMPV4_ERRORS) && !icmp_error)
			return via_event(cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP,
					 pkt, tot, LW_FRAG_TTL, out);
		return none(out, LW_FRAG_TTL);
	}
	if (tot + SP_IPV6_HDR > mtu && (sp_get16(pkt + 6) & SP_IPV4_DF)) {
		/* AFTR-ENCAP-4: the sender learns the tunnel's MTU */
		if (!(fc->flags & LW_CFG_ICMPV4_ERRORS) || icmp_error)
			return none(out, LW_FRAG_DF);
		if (from_b4) {
			/* hairpinned: the sender is one of our B4s, reached
			 * through its softwire */
			__be32 src;
			__u16 sport;
			bool e;

			memcpy(&src, pkt + 12, 4);
			if (lookup_port(fc, pkt, tot, false, false, &sport, &e) ||
			    cfg->find_softwire(cfg->ctx, src, sport, &rt.b4, &rt.br))
				return none(out, LW_SLOWPATH_NO_SOFTWIRE);
			rt.tunnel = true;
		}
		return add_icmp4(cfg, &rt, pkt, tot, SP_ICMP_DEST_UNREACH, SP_ICMP_FRAG_NEEDED,
				 mtu - SP_IPV6_HDR, out);
	}
	ip = malloc(tot);
	if (!ip)
		return -ENOMEM;
	memcpy(ip, pkt, tot);
	ipv4_ttl_dec(ip);
	n = encap_send(cfg, fc, r, ip, tot, mtu, &b4, &br, out);
	free(ip);
	return n;
}

/* The IPv4 packet inside the IPv6 packet pkt from a B4, as far as the data
 * plane checks it before the binding table: 0 with the inner packet (its
 * header length ihl, its length tot), or why it goes no further. */
static int decap_inner(const struct lw_frag_cfg *fc, const uint8_t *pkt, size_t len,
		       struct sp_ipv6 *o, const uint8_t **inner, size_t *ihl, size_t *tot)
{
	const uint8_t *ip;
	size_t ilen;

	if (sp_parse_ipv6(pkt, len, o) || o->later_fragment || o->nexthdr != SP_PROTO_IPIP)
		return LW_SLOWPATH_MALFORMED;
	ip = o->hdr + o->l4off;
	ilen = o->len - o->l4off;
	if (ilen < SP_IPV4_HDR || (ip[0] >> 4) != 4)
		return LW_SLOWPATH_MALFORMED;
	*ihl = (size_t)(ip[0] & 15) * 4;
	*tot = sp_get16(ip + 2);
	if (*ihl < SP_IPV4_HDR || *tot < *ihl || *tot > ilen)
		return LW_SLOWPATH_MALFORMED;
	/* AFTR-DECAP-8: PCP to 192.0.0.1 is the kernel's (pcpd's raw socket) */
	if ((fc->flags & LW_CFG_PCP_BOOTSTRAP) && sp_get32(ip + 16) == LW_PCP_SERVER_ADDR &&
	    ip[9] == SP_PROTO_UDP)
		return LW_FRAG_POLICY;
	if (sp_get16(ip + 6) & SP_IPV4_FRAG_MASK)
		return LW_FRAG_INNER_FRAGMENT; /* AFTR-DECAP-6 */
	*inner = ip;
	return 0;
}

/* Hairpinning (AFTR-HP-1..3): ip, decapsulated from the tunnel packet pkt,
 * is for an address of ours; found: the binding of its destination is db4,
 * dbr. One TTL decrement, then into that B4's softwire. */
static int hairpin(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
		   struct lw_reasm *r, const uint8_t *pkt, size_t pkt_len, uint8_t *ip, size_t tot,
		   bool found, bool errors, const struct in6_addr *db4, const struct in6_addr *dbr,
		   struct lw_frag_out *out)
{
	if (!(fc->flags & LW_CFG_HAIRPINNING))
		return none(out, LW_FRAG_POLICY);
	if (!found)
		return errors ? via_event(cfg, LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6,
					  pkt, pkt_len, LW_SLOWPATH_NO_SOFTWIRE, out)
			      : none(out, LW_SLOWPATH_NO_SOFTWIRE);
	if (ip[8] <= 1)
		return errors ? via_event(cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4, ETH_P_IPV6, pkt,
					  pkt_len, LW_FRAG_TTL, out)
			      : none(out, LW_FRAG_TTL);
	ipv4_ttl_dec(ip);
	return encap_send(cfg, fc, r, ip, tot, fc->ipv6_mtu, db4, dbr, out);
}

/* RFC 6040 (bpf/common/tunnel.h): CE on the outer header reaches an
 * ECN-capable inner one. */
static void ecn_decap(const uint8_t *outer, uint8_t *ip, size_t ihl)
{
	if (((sp_get32(outer) >> 20) & 3) == 3 && (ip[1] & 3) && (ip[1] & 3) != 3) {
		ip[1] |= 3;
		sp_ipv4_hdr_csum(ip, ihl);
	}
}

int lw_slowpath_decap_whole(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			    struct lw_reasm *r, const uint8_t *pkt, size_t len, unsigned mtu,
			    struct lw_frag_out *out)
{
	struct sp_ipv6 o;
	struct in6_addr b4, br, db4, dbr;
	struct sp_route rt = { .tunnel = true };
	const uint8_t *inner = NULL;
	size_t ihl = 0, tot = 0;
	__be32 src, dst;
	__u16 sport, dport;
	bool icmp_error, de, errors;
	uint8_t *ip;
	int rc, n;

	rc = decap_inner(fc, pkt, len, &o, &inner, &ihl, &tot);
	if (rc)
		return none(out, rc);
	memcpy(&src, inner + 12, 4);
	memcpy(&dst, inner + 16, 4);
	rc = lookup_port(fc, inner, tot, false, false, &sport, &icmp_error);
	if (rc < 0)
		return none(out, -rc);
	errors = (fc->flags & LW_CFG_ICMPV4_ERRORS) && !icmp_error;
	/* AFTR-DECAP-2..5: (B4, BR, IPv4 source, port) name one softwire */
	if (!cfg->find_softwire || cfg->find_softwire(cfg->ctx, src, sport, &b4, &br) ||
	    memcmp(&b4, &o.src, 16) || memcmp(&br, &o.dst, 16)) {
		/* AFTR-DECAP-3: ICMPv6 1/5 to the B4 */
		if (fc->flags & LW_CFG_ICMPV6_ERRORS)
			return via_event(cfg, LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6,
					 pkt, o.len, LW_SLOWPATH_NO_SOFTWIRE, out);
		return none(out, LW_SLOWPATH_NO_SOFTWIRE);
	}
	rt.b4 = b4;
	rt.br = br;
	if ((fc->flags & LW_CFG_TTL_DECAP) && inner[8] <= 1) {
		/* AFTR-DECAP-7: ICMPv4 11/0 back through the tunnel */
		if (errors)
			return via_event(cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4, ETH_P_IPV6, pkt,
					 o.len, LW_FRAG_TTL, out);
		return none(out, LW_FRAG_TTL);
	}

	ip = malloc(tot);
	if (!ip)
		return -ENOMEM;
	memcpy(ip, inner, tot);
	ecn_decap(pkt, ip, ihl);
	rc = lookup_port(fc, ip, tot, true, false, &dport, &de);
	if (rc == 0)
		rc = cfg->find_softwire(cfg->ctx, dst, dport, &db4, &dbr);
	else
		rc = cfg->find_softwire(cfg->ctx, dst, 0, &db4, &dbr) == -ENOENT ? -ENOENT : -ESRCH;
	if (rc != -ENOENT) {
		/* one of ours */
		n = hairpin(cfg, fc, r, pkt, o.len, ip, tot, rc == 0, errors, &db4, &dbr, out);
		free(ip);
		return n;
	}
	if (fc->flags & LW_CFG_TTL_DECAP)
		ipv4_ttl_dec(ip);
	n = lw_frag_ipv4(ip, tot, mtu, LW_SLOWPATH_TO_INTERNET, out);
	/* DF: ICMPv4 3/4 back through the tunnel, quoting the packet as it came */
	if (n == -EMSGSIZE)
		n = errors ? add_icmp4(cfg, &rt, inner, tot, SP_ICMP_DEST_UNREACH,
				       SP_ICMP_FRAG_NEEDED, mtu, out)
			   : none(out, LW_FRAG_DF);
	free(ip);
	return n;
}

int lw_slowpath_frag_event(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			   struct lw_reasm *r, const struct lw_event *ev, size_t ev_size,
			   uint64_t now_ms, struct lw_frag_out *out)
{
	size_t whole = 0;
	uint8_t *buf;
	int rc;

	lw_frag_out_init(out);
	if (ev_size < sizeof(*ev) || ev->cap_len > LW_EVENT_MAX_CAPTURE ||
	    ev->cap_len > ev->pkt_len)
		return -EINVAL;
	if (ev->type != LW_EV_FRAGMENT && ev->type != LW_EV_FRAG_NEEDED)
		return LW_SLOWPATH_NOT_HANDLED;
	/* never a truncated packet: the data plane drops those (events.h) */
	if (ev->cap_len < ev->pkt_len) {
		/* Ethernet padding after a short packet is not part of it */
		size_t ip_len = 0;

		if (ev->l3_proto == ETH_P_IP && ev->cap_len >= SP_IPV4_HDR)
			ip_len = sp_get16(ev->pkt + 2);
		else if (ev->l3_proto == ETH_P_IPV6 && ev->cap_len >= SP_IPV6_HDR)
			ip_len = SP_IPV6_HDR + sp_get16(ev->pkt + 4);
		if (!ip_len || ip_len > ev->cap_len)
			return none(out, LW_FRAG_CAPTURE);
	}
	if (ev->type == LW_EV_FRAG_NEEDED) {
		if (ev->l3_proto == ETH_P_IP)
			return lw_slowpath_encap_whole(cfg, fc, r, ev->pkt, ev->cap_len,
						       ev->mtu ? ev->mtu : fc->ipv6_mtu,
						       ev->dir == LW_DIR_FROM_B4, out);
		if (ev->l3_proto == ETH_P_IPV6 && ev->dir == LW_DIR_FROM_B4)
			return lw_slowpath_decap_whole(cfg, fc, r, ev->pkt, ev->cap_len,
						       ev->mtu ? ev->mtu : fc->ipv4_mtu, out);
		return -EINVAL;
	}
	if (!r)
		return none(out, LW_FRAG_NO_ROOM);
	buf = sp_reasm_buf(r);
	if (ev->l3_proto == ETH_P_IP && ev->dir == LW_DIR_FROM_INTERNET) {
		rc = lw_reasm_ipv4(r, ev->pkt, ev->cap_len, now_ms, buf, LW_FRAG_PKT_MAX, &whole);
		if (rc <= 0)
			return none(out, rc < 0 ? -rc : LW_FRAG_PENDING);
		return lw_slowpath_encap_whole(cfg, fc, r, buf, whole, fc->ipv6_mtu, false, out);
	}
	if (ev->l3_proto == ETH_P_IPV6 && ev->dir == LW_DIR_FROM_B4) {
		size_t off = SP_IPV6_HDR, end;
		uint8_t nh;

		if (ev->cap_len < SP_IPV6_HDR)
			return -EINVAL;
		end = SP_IPV6_HDR + sp_get16(ev->pkt + 4);
		if (end > ev->cap_len)
			return none(out, LW_SLOWPATH_MALFORMED);
		nh = ev->pkt[6];
		while ((nh == SP_PROTO_HOPOPTS || nh == SP_PROTO_DSTOPTS) && off + 8 <= end &&
		       off < SP_IPV6_HDR + SP_IPV6_EXT_MAX) {
			nh = ev->pkt[off];
			off += ((size_t)ev->pkt[off + 1] + 1) * 8;
		}
		if (nh == SP_PROTO_IPIP && off + SP_IPV4_HDR <= end) {
			/* an IPv4 fragment in a whole IPv6 packet (AFTR-DECAP-6):
			 * reassembled per (B4, BR), then the tunnel packet is
			 * rebuilt around it and validated as a whole one */
			rc = lw_reasm_ipv4_tunnel(r, ev->pkt + off, end - off, ev->pkt, now_ms,
						  buf + off, LW_FRAG_PKT_MAX - off, &whole);
			if (rc <= 0)
				return none(out, rc < 0 ? -rc : LW_FRAG_PENDING);
			if (off - SP_IPV6_HDR + whole > SP_LEN_MAX)
				return none(out, LW_FRAG_INVALID);
			memcpy(buf, ev->pkt, off);
			sp_put16(buf + 4, (uint16_t)(off - SP_IPV6_HDR + whole));
			return lw_slowpath_decap_whole(cfg, fc, r, buf, off + whole, fc->ipv4_mtu,
						       out);
		}
		rc = lw_reasm_ipv6(r, ev->pkt, ev->cap_len, now_ms, buf, LW_FRAG_PKT_MAX, &whole);
		if (rc <= 0)
			return none(out, rc < 0 ? -rc : LW_FRAG_PENDING);
		return lw_slowpath_decap_whole(cfg, fc, r, buf, whole, fc->ipv4_mtu, out);
	}
	return -EINVAL;
}

const char *lw_frag_reason_name(int reason)
{
	static const char *const names[] = {
		[LW_FRAG_PENDING - LW_FRAG_PENDING] = "fragment-kept",
		[LW_FRAG_TOO_MANY - LW_FRAG_PENDING] = "too-many-fragments",
		[LW_FRAG_OVERLAP - LW_FRAG_PENDING] = "overlapping-fragments",
		[LW_FRAG_INVALID - LW_FRAG_PENDING] = "invalid-fragment",
		[LW_FRAG_NO_ROOM - LW_FRAG_PENDING] = "reassembly-full",
		[LW_FRAG_INNER_FRAGMENT - LW_FRAG_PENDING] = "inner-fragment",
		[LW_FRAG_TTL - LW_FRAG_PENDING] = "ttl-expired",
		[LW_FRAG_POLICY - LW_FRAG_PENDING] = "policy",
		[LW_FRAG_DF - LW_FRAG_PENDING] = "too-big-df",
		[LW_FRAG_CAPTURE - LW_FRAG_PENDING] = "capture-short",
	};

	if (reason >= LW_FRAG_PENDING && reason < LW_FRAG_REASON_MAX)
		return names[reason - LW_FRAG_PENDING];
	return lw_slowpath_reason_name((enum lw_slowpath_reason)reason);
}
