// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR data plane (RFC 7596 §6): one XDP program for the access (IPv6)
 * and the internet (IPv4) interface, or for one interface on a stick.
 *
 *   from a B4:        IPv6 nh 4 to a BR address → validate the inner IPv4
 *                     source and port against the binding (AFTR-DECAP-2..5),
 *                     then decapsulate, or hairpin to another B4
 *   from the internet: IPv4 to a pool address → look up (dst, port) and
 *                     encapsulate towards the B4 (AFTR-ENCAP-1..3)
 *
 * Everything else (ARP, ND, management, other EtherTypes, traffic for the
 * router itself) is XDP_PASS. Rare outcomes that need a packet built or
 * several packets sent are punted to pcpd through the lw_events ring buffer. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>

#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"
#include "lw4o6/psid.h"
#include "lw4o6/stats.h"
#include "lw4o6/events.h"
#include "lw4o6/pcp.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "csum_pkt.h"
#include "ctx.h"
#include "emit.h"
#include "fwd.h"
#include "l2.h"
#include "tunnel.h"

/* Runs after filters such as xdp-filter (10); chains on XDP_PASS only. */
struct {
	__uint(priority, 40);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(lw4o6_aftr);


static __always_inline void lw_count(__u32 stat, __u64 bytes)
{
	lw_counter_add(&LW_MAP_STATS, stat, bytes);
}

static __always_inline void lw_emit(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				    __u16 type, __u16 dir, __u32 l3off, __u16 l3_proto,
				    __u32 mtu)
{
	const struct lw_event_queue q = {
		.ratelim = &LW_MAP_RATELIM, .ringbuf = &LW_MAP_EVENTS, .stats = &LW_MAP_STATS,
		.bucket = type == LW_EV_FRAGMENT || type == LW_EV_FRAG_NEEDED ? LW_BUCKET_BULK
									       : LW_BUCKET_SIGNAL,
		.rate = cfg->event_rate, .burst = cfg->event_burst,
		.st_suppressed = LW_STAT_EVENT_SUPPRESSED, .st_full = LW_STAT_EVENT_RINGBUF_FULL,
		.st_sent = LW_STAT_EVENT_SENT,
	};
	struct lw_event *ev = lw_event_reserve(&q, sizeof(*ev));

	if (!ev)
		return;
	lw_event_fill(ctx, &ev->head, ev->pkt, LW_EVENT_MAX_CAPTURE, type, dir,
		      l3off, l3_proto, mtu);
	lw_event_submit(&q, ev);
}

/* Outcome of a route lookup (LW_FWD_*): the configured static next hops
 * (LW_CFG_STATIC_NH4/6) first, else the FIB. */
static __always_inline int lw_route(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				    struct bpf_fib_lookup *fib, struct lw_out *out, __u16 vid,
				    __u64 bytes)
{
	const struct lw_fwd_stats st = {
		.pass_foreign = LW_STAT_PASS_FOREIGN_EGRESS,
		.pass_no_neigh = LW_STAT_PASS_NO_NEIGH,
		.drop_fib = LW_STAT_DROP_FIB,
	};

	out->vid = vid;
	out->pass = 0;
	if (fib->family == AF_INET ? (cfg->flags & LW_CFG_STATIC_NH4) : (cfg->flags & LW_CFG_STATIC_NH6)) {
		int v4 = fib->family == AF_INET;

		out->ifindex = v4 ? cfg->ipv4_ifindex : cfg->ipv6_ifindex;
		__builtin_memcpy(out->dmac, v4 ? cfg->ipv4_nh_mac : cfg->ipv6_nh_mac, ETH_ALEN);
		__builtin_memcpy(out->smac, v4 ? cfg->ipv4_src_mac : cfg->ipv6_src_mac, ETH_ALEN);
		return LW_FWD_REDIRECT;
	}
	return lw_fib_route(ctx, fib, out, cfg->ipv4_ifindex, cfg->ipv6_ifindex, &LW_MAP_STATS,
			    &st, bytes);
}

/* Finds the softwire owning (addr, port). psid_len 0 owns every port and
 * the port-less protocols (AFTR-ENCAP-6). */
static __always_inline struct lw_softwire *lw_lookup_pp(__be32 addr, const struct lw_psid_params *pp,
							 const struct lw_l4 *l4, int use_dport)
{
	struct lw_softwire_key key = { .ipv4 = addr };
	int psid;

	if (!pp)
		return 0;
	if (!l4->has_ports) {
		if (pp->psid_len != 0)
			return 0;
		psid = 0;
	} else {
		psid = lw_port_to_psid(pp, use_dport ? l4->dport : l4->sport);
		if (psid < 0)
			return 0;
	}
	key.psid = (__u16)psid;
	return bpf_map_lookup_elem(&LW_MAP_SOFTWIRES, &key);
}

static __always_inline struct lw_softwire *lw_lookup(__be32 addr, const struct lw_l4 *l4,
						     int use_dport)
{
	return lw_lookup_pp(addr, bpf_map_lookup_elem(&LW_MAP_PSID, &addr), l4, use_dport);
}

/* A packet too big for where it goes (AFTR-ENCAP-4): with DF the sender
 * gets ICMPv4 3/4 carrying report_mtu; without, the slow path is to
 * fragment it (event mtu = the link MTU) -- unless it is longer than an
 * event holds: then it is dropped and counted, never sent truncated.
 * Always XDP_DROP. */
static __always_inline int lw_too_big(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				      const struct iphdr *iph, __u16 dir, __u32 l3off, __u16 l3_proto,
				      __u32 report_mtu, __u32 link_mtu, __u64 bytes)
{
	if (iph->frag_off & bpf_htons(IP_DF)) {
		lw_count(LW_STAT_DROP_OVER_MTU_DF, bytes);
		if (cfg->flags & LW_CFG_ICMPV4_ERRORS)
			lw_emit(ctx, cfg, LW_EV_TOO_BIG_DF, dir, l3off, l3_proto, report_mtu);
	} else if ((__u64)((long)ctx->data_end - (long)ctx->data) > l3off + LW_EVENT_MAX_CAPTURE) {
		/* the slow path cannot fragment what it does not see whole */
		lw_count(LW_STAT_DROP_FRAGMENT_CAPTURE, bytes);
	} else {
		lw_count(LW_STAT_PUNT_FRAG_NEEDED, bytes);
		lw_emit(ctx, cfg, LW_EV_FRAG_NEEDED, dir, l3off, l3_proto, link_mtu);
	}
	return XDP_DROP;
}

/* A fragment for the slow path to reassemble (LW_EV_FRAGMENT), behind the
 * same token bucket as the other events: a fragment flood cannot starve the
 * CPU pcpd runs on, at the price of sharing event_rate with the ICMP errors.
 * A fragment longer than an event's capture is dropped and counted, never
 * truncated. Always XDP_DROP. */
static __always_inline int lw_punt_fragment(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					    __u16 dir, __u32 l3off, __u16 l3_proto, __u32 ip_len,
					    __u32 stat, __u64 bytes)
{
	if (ip_len > LW_EVENT_MAX_CAPTURE) {
		lw_count(LW_STAT_DROP_FRAGMENT_CAPTURE, bytes);
		return XDP_DROP;
	}
	lw_count(stat, bytes);
	lw_emit(ctx, cfg, LW_EV_FRAGMENT, dir, l3off, l3_proto, 0);
	return XDP_DROP;
}

/* Encapsulates the IPv4 packet at l3off towards sw, or hands it back.
 * ttl_dec: whether this hop still owes the TTL decrement; in_vid: the tag the
 * frame arrived with (kept when the kernel gets the packet); ok_stat: the
 * counter of a packet that leaves (sent-ipv6, or hairpin-ipv4 in IPv4 bytes). */
static __always_inline int lw_encap(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				    struct lw_softwire *sw, __u32 l3off, __u32 in_bytes,
				    int ttl_dec, __u16 dir, __u16 in_vid, __u32 ok_stat)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct in6_addr *br;
	struct iphdr *iph;
	struct ipv6hdr *ip6;
	struct lw_out out;
	struct ethhdr old_eth;
	__u32 br_index = sw->br_index;
	__u16 tot_len, new_l2;
	__u8 tos;
	int rc, delta;

	br = bpf_map_lookup_elem(&lw_br_by_index, &br_index);
	if (!br) {
		lw_count(LW_STAT_DROP_NO_DST_SOFTWIRE, in_bytes);
		return XDP_DROP;
	}
	l3off &= 0xff;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end || (void *)((struct ethhdr *)data + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&old_eth, data, sizeof(old_eth));
	tot_len = bpf_ntohs(iph->tot_len);
	tos = iph->tos;

	if ((__u32)tot_len + sizeof(struct ipv6hdr) > cfg->ipv6_mtu)
		return lw_too_big(ctx, cfg, iph, dir, l3off, ETH_P_IP,
				  cfg->ipv6_mtu - sizeof(struct ipv6hdr), cfg->ipv6_mtu, in_bytes);

	fib.family = AF_INET6;
	fib.tos = 0;
	fib.l4_protocol = IPPROTO_IPIP;
	fib.tot_len = tot_len + sizeof(struct ipv6hdr);
	fib.ifindex = lw_ingress_ifindex(ctx);
	__builtin_memcpy(fib.ipv6_src, br, sizeof(*br));
	__builtin_memcpy(fib.ipv6_dst, &sw->b4_ipv6, sizeof(sw->b4_ipv6));
	rc = lw_route(ctx, cfg, &fib, &out, cfg->ipv6_vlan, in_bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == 2) {
		/* the route's MTU is below ours */
		return lw_too_big(ctx, cfg, iph, dir, l3off, ETH_P_IP,
				  fib.mtu_result > 40 ? fib.mtu_result - 40 : 0, fib.mtu_result, in_bytes);
	}
	/* Also on the pass path: the kernel forwards the IPv6 packet and never
	 * touches the inner TTL. */
	if (ttl_dec)
		lw_ipv4_ttl_dec(iph);

	if (out.pass) /* keep the frame addressed to us, as it arrived */
		lw_out_as_arrived(&out, &old_eth, in_vid);

	new_l2 = sizeof(struct ethhdr) + (out.vid ? sizeof(struct lw_vlan_hdr) : 0);
	delta = (int)l3off - (int)(new_l2 + sizeof(struct ipv6hdr));
	if (lw_reframe(ctx, l3off + tot_len, delta)) {
		lw_count(LW_STAT_DROP_ADJUST, in_bytes);
		return XDP_DROP;
	}
	if (lw_write_l2(ctx, out.dmac, out.smac, out.vid, ETH_P_IPV6))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + new_l2;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_write_ip6(ip6, tos, tot_len, cfg->hop_limit, br, &sw->b4_ipv6);

	__sync_fetch_and_add(&sw->encap_packets, 1);
	__sync_fetch_and_add(&sw->encap_bytes, tot_len);
	lw_count(ok_stat, ok_stat == LW_STAT_HAIRPIN_IPV4 ? tot_len : (__u64)(data_end - data));
	return lw_out_send(&out);
}

/* An address of ours that has no softwire now still belongs to a pool. */
static __always_inline int lw_in_pool(__be32 addr)
{
	struct lw_ipv4_prefix pfx = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(&lw_ipv4_pools, &pfx) != 0;
}

/* ---- from the internet ------------------------------------------------------ */

static __always_inline int lw_from_internet(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					    __u32 l3off, __u32 bytes, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph;
	struct lw_psid_params *pp;
	struct lw_softwire *sw;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, daddr;
	__u32 ihl, tot_len;

	l3off &= 0xff;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end) {
		lw_count(LW_STAT_DROP_BAD_IPV4, bytes);
		return XDP_DROP;
	}
	daddr = iph->daddr;
	pp = bpf_map_lookup_elem(&LW_MAP_PSID, &daddr);
	if (!pp) {
		if (!lw_in_pool(daddr)) {
			/* not a pool address: the router's own or transit traffic */
			lw_count(LW_STAT_PASS_NOT_OURS, bytes);
			return XDP_PASS;
		}
	}
	lw_count(LW_STAT_RCVD_IPV4, bytes);

	ihl = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || tot_len < ihl ||
	    data + l3off + tot_len > data_end) {
		lw_count(LW_STAT_DROP_BAD_IPV4, bytes);
		return XDP_DROP;
	}
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		/* AFTR-ENCAP-5: the port is in the first fragment only; the
		 * slow path reassembles, then looks the packet up. */
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_INTERNET, l3off, ETH_P_IP, tot_len,
					LW_STAT_PUNT_IPV4_FRAGMENT, bytes);
	}
	if (lw_parse_l4(data, data_end, l3off + ihl, iph->protocol, &l4, &qsrc, &qdst)) {
		lw_count(LW_STAT_DROP_BAD_IPV4, bytes);
		return XDP_DROP;
	}
	if (iph->protocol == IPPROTO_ICMP) {
		if (!(cfg->flags & LW_CFG_ALLOW_ICMPV4_IN)) {
			lw_count(LW_STAT_DROP_ICMPV4_IN_OFF, bytes);
			return XDP_DROP;
		}
		if (l4.icmp_type == ICMP_ECHO) {
			if (cfg->echo_policy == LW_ECHO_DROP) {
				lw_count(LW_STAT_DROP_ICMPV4_TYPE, bytes);
				return XDP_DROP;
			}
			if (cfg->echo_policy == LW_ECHO_PORT0)
				l4.dport = 0;
		} else if (l4.icmp_error) {
			/* AFTR-ICMP-2: the quote is a packet our B4 sent */
			if (!l4.has_ports || qsrc != daddr) {
				lw_count(LW_STAT_DROP_NO_DST_SOFTWIRE, bytes);
				return XDP_DROP;
			}
		} else if (l4.icmp_type != ICMP_ECHOREPLY) {
			lw_count(LW_STAT_DROP_ICMPV4_TYPE, bytes); /* AFTR-ICMP-3 */
			return XDP_DROP;
		}
		/* AFTR-ICMP-5: a bad ICMP checksum is dropped */
		if (!lw_packet_csum_ok(ctx, l3off + ihl, tot_len - ihl)) {
			lw_count(LW_STAT_DROP_ICMPV4_CSUM, bytes);
			return XDP_DROP;
		}
	}

	sw = lw_lookup_pp(daddr, pp, &l4, 1);
	if (!sw) {
		lw_count(LW_STAT_DROP_NO_DST_SOFTWIRE, bytes);
		if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
			lw_emit(ctx, cfg, LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET,
				l3off, ETH_P_IP, 0);
		return XDP_DROP;
	}
	if (iph->ttl <= 1) {
		lw_count(LW_STAT_DROP_TTL_ZERO, bytes);
		if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
			lw_emit(ctx, cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, l3off, ETH_P_IP, 0);
		return XDP_DROP;
	}
	return lw_encap(ctx, cfg, sw, l3off, bytes, 1, LW_DIR_FROM_INTERNET, vid, LW_STAT_SENT_IPV6);
}

/* ---- from a B4 ----------------------------------------------------------------- */

static __always_inline int lw_from_b4(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				      __u32 l3off, __u32 bytes, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;
	struct iphdr *iph;
	struct lw_br *br;
	struct lw_softwire *sw, *dst_sw;
	struct lw_psid_params *dst_pp;
	struct lw_l4 l4;
	struct in6_addr b4;
	struct ethhdr old_eth;
	struct bpf_fib_lookup fib = {};
	struct lw_out out;
	__be32 qsrc = 0, qdst = 0, saddr, daddr;
	__u32 off, inner, ihl, tot_len, payload_len, new_l2;
	__u8 nexthdr;
	int rc, delta;

	l3off &= 0xff;
	ip6 = data + l3off;
	if ((void *)(ip6 + 1) > data_end || ip6->version != 6) {
		lw_count(LW_STAT_DROP_BAD_IPV6, bytes);
		return XDP_DROP;
	}
	nexthdr = ip6->nexthdr;
	off = l3off + sizeof(*ip6);
	/* Linux B4s add a tunnel-encapsulation-limit destination option: walk
	 * extension headers instead of dropping them. */
#pragma unroll
	for (int i = 0; i < LW_IPV6_EXT_MAX; i++) {
		struct ipv6_opt_hdr *h;

		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_DSTOPTS)
			break;
		h = data + (off & 0x3ff);
		if ((void *)(h + 1) > data_end)
			return XDP_PASS;
		nexthdr = h->nexthdr;
		off += (h->hdrlen + 1) * 8;
	}
	if (off > l3off + sizeof(*ip6) + LW_EXT_MAX_LEN)
		return XDP_PASS;

	br = bpf_map_lookup_elem(&LW_MAP_BR_ADDRS, &ip6->daddr);
	if (!br) {
		lw_count(LW_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	if (nexthdr == IPPROTO_FRAGMENT) {
		/* The slow path reassembles, then validates and decapsulates
		 * (design decision 5: never forwarded unvalidated). */
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_B4, l3off, ETH_P_IPV6,
					sizeof(*ip6) + bpf_ntohs(ip6->payload_len),
					LW_STAT_PUNT_IPV6_FRAGMENT, bytes);
	}
	if (nexthdr == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic = data + (off & 0x3ff);

		if ((void *)(ic + 1) > data_end)
			return XDP_PASS;
		if (ic->icmp6_type >= 128) {
			lw_count(LW_STAT_PASS_NOT_OURS, bytes); /* echo, ND: the kernel's */
			return XDP_PASS;
		}
		/* An error about a tunnel packet we sent (AFTR-ICMP-6). */
		lw_count(LW_STAT_DROP_ICMPV6_IN, bytes);
		if (cfg->flags & LW_CFG_ALLOW_ICMPV6_IN)
			lw_emit(ctx, cfg, LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
		return XDP_DROP;
	}
	if (nexthdr != IPPROTO_IPIP) {
		lw_count(LW_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	lw_count(LW_STAT_RCVD_IPV6, bytes);

	payload_len = bpf_ntohs(ip6->payload_len);
	inner = off & 0x1ff;
	iph = data + inner;
	if ((void *)(iph + 1) > data_end) {
		lw_count(LW_STAT_DROP_BAD_INNER, bytes);
		return XDP_DROP;
	}
	ihl = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || tot_len < ihl ||
	    data + inner + tot_len > data_end ||
	    inner + tot_len > l3off + sizeof(*ip6) + payload_len) {
		lw_count(LW_STAT_DROP_BAD_INNER, bytes);
		return XDP_DROP;
	}
	saddr = iph->saddr;
	daddr = iph->daddr;

	/* AFTR-DECAP-8: the B4 asks for its binding before it has one. */
	if ((cfg->flags & LW_CFG_PCP_BOOTSTRAP) && daddr == bpf_htonl(LW_PCP_SERVER_ADDR) &&
	    iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = data + ((inner + ihl) & 0x1ff);

		if ((void *)(uh + 1) <= data_end && uh->dest == bpf_htons(LW_PCP_SERVER_PORT)) {
			lw_count(LW_STAT_PASS_PCP_BOOTSTRAP, bytes);
			return XDP_PASS;
		}
	}
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		/* AFTR-DECAP-6: never forwarded unvalidated. The slow path
		 * reassembles per (B4, BR), then validates the whole. */
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_B4, l3off, ETH_P_IPV6,
					sizeof(*ip6) + payload_len, LW_STAT_PUNT_INNER_FRAGMENT, bytes);
	}
	if (lw_parse_l4(data, data_end, inner + ihl, iph->protocol, &l4, &qsrc, &qdst)) {
		lw_count(LW_STAT_DROP_BAD_INNER, bytes);
		return XDP_DROP;
	}

	/* An echo reply answers a request the internet side looked up by the
	 * echo policy: under port0 it went to the owner of port 0, whose reply
	 * carries the requester's Identifier, so it is validated as port 0. */
	if (iph->protocol == IPPROTO_ICMP && l4.icmp_type == ICMP_ECHOREPLY &&
	    cfg->echo_policy == LW_ECHO_PORT0)
		l4.sport = 0;

	/* AFTR-DECAP-2..5: (B4, BR, IPv4 source, port) must name one softwire. */
	sw = lw_lookup(saddr, &l4, 0);
	if (!sw || !lw_ipv6_eq(&sw->b4_ipv6, &ip6->saddr) ||
	    (l4.icmp_error && qdst != saddr)) {
		lw_count(LW_STAT_DROP_NO_SRC_SOFTWIRE, bytes);
		if (cfg->flags & LW_CFG_ICMPV6_ERRORS)
			lw_emit(ctx, cfg, LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
		return XDP_DROP;
	}
	if (sw->br_index != br->index) {
		lw_count(LW_STAT_DROP_WRONG_BR, bytes);
		if (cfg->flags & LW_CFG_ICMPV6_ERRORS)
			lw_emit(ctx, cfg, LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
		return XDP_DROP;
	}
	if ((cfg->flags & LW_CFG_TTL_DECAP) && iph->ttl <= 1) {
		lw_count(LW_STAT_DROP_TTL_ZERO, bytes);
		if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
			lw_emit(ctx, cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
		return XDP_DROP;
	}
	lw_tunnel_ecn_decap(ip6, iph);
	__builtin_memcpy(&b4, &ip6->saddr, sizeof(b4));
	if (l3off >= sizeof(struct ethhdr) && (void *)((struct ethhdr *)data + 1) <= data_end)
		__builtin_memcpy(&old_eth, data, sizeof(old_eth));
	else
		return XDP_DROP;

	/* Hairpinning (AFTR-HP-1..3): the destination is one of our B4s. */
	dst_pp = bpf_map_lookup_elem(&LW_MAP_PSID, &daddr);
	if (!dst_pp && lw_in_pool(daddr)) {
		/* ours, but nobody's now: never out to the internet, which
		 * would route it straight back */
		lw_count(LW_STAT_DROP_NO_DST_SOFTWIRE, bytes);
		if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
			lw_emit(ctx, cfg, LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
		return XDP_DROP;
	}
	if (dst_pp) {
		if (!(cfg->flags & LW_CFG_HAIRPINNING)) {
			lw_count(LW_STAT_DROP_HAIRPIN_OFF, bytes);
			return XDP_DROP;
		}
		/* the destination side of an echo request follows the echo policy */
		if (l4.icmp_type == ICMP_ECHO && iph->protocol == IPPROTO_ICMP) {
			if (cfg->echo_policy == LW_ECHO_DROP) {
				lw_count(LW_STAT_DROP_ICMPV4_TYPE, bytes);
				return XDP_DROP;
			}
			if (cfg->echo_policy == LW_ECHO_PORT0)
				l4.dport = 0;
		}
		dst_sw = lw_lookup_pp(daddr, dst_pp, &l4, 1);
		if (!dst_sw) {
			lw_count(LW_STAT_DROP_NO_DST_SOFTWIRE, bytes);
			if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
				lw_emit(ctx, cfg, LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_B4, l3off,
					ETH_P_IPV6, 0);
			return XDP_DROP;
		}
		if (!(cfg->flags & LW_CFG_TTL_DECAP) && iph->ttl <= 1) {
			lw_count(LW_STAT_DROP_TTL_ZERO, bytes);
			if ((cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4.icmp_error)
				lw_emit(ctx, cfg, LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, 0);
			return XDP_DROP;
		}
		/* Strip the outer header (and its options) but keep the L2
		 * header in front, then encapsulate again: one TTL decrement. */
		delta = (int)(inner - l3off);
		if (lw_reframe(ctx, inner + tot_len, delta)) {
			lw_count(LW_STAT_DROP_ADJUST, bytes);
			return XDP_DROP;
		}
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if ((void *)((struct ethhdr *)data + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(data, &old_eth, sizeof(old_eth));
		{
			int act = lw_encap(ctx, cfg, dst_sw, l3off, bytes, 1, LW_DIR_FROM_B4, vid,
					   LW_STAT_HAIRPIN_IPV4);

			if (act == XDP_REDIRECT || act == XDP_PASS) {
				__sync_fetch_and_add(&sw->decap_packets, 1);
				__sync_fetch_and_add(&sw->decap_bytes, tot_len);
			}
			return act;
		}
	}

	/* Plain decapsulation towards the internet. */
	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = tot_len;
	fib.ifindex = lw_ingress_ifindex(ctx);
	fib.ipv4_src = saddr;
	fib.ipv4_dst = daddr;
	if (tot_len > cfg->ipv4_mtu) {
		rc = 2;
		fib.mtu_result = cfg->ipv4_mtu;
	} else {
		rc = lw_route(ctx, cfg, &fib, &out, cfg->ipv4_vlan, bytes);
	}
	if (rc < 0)
		return XDP_DROP;
	if (rc == 2)
		return lw_too_big(ctx, cfg, iph, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, fib.mtu_result,
				  fib.mtu_result, bytes);
	if ((cfg->flags & LW_CFG_TTL_DECAP) && !out.pass)
		lw_ipv4_ttl_dec(iph);
	if (out.pass)
		lw_out_as_arrived(&out, &old_eth, vid);
	new_l2 = sizeof(struct ethhdr) + (out.vid ? sizeof(struct lw_vlan_hdr) : 0);
	delta = (int)inner - (int)new_l2;
	if (lw_reframe(ctx, inner + tot_len, delta)) {
		lw_count(LW_STAT_DROP_ADJUST, bytes);
		return XDP_DROP;
	}
	if (lw_write_l2(ctx, out.dmac, out.smac, out.vid, ETH_P_IP))
		return XDP_DROP;
	__sync_fetch_and_add(&sw->decap_packets, 1);
	__sync_fetch_and_add(&sw->decap_bytes, tot_len);
	lw_count(LW_STAT_SENT_IPV4, tot_len + new_l2);
	return lw_out_send(&out);
}

/* ---- entry -------------------------------------------------------------------- */

SEC("xdp")
int lw4o6_aftr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0, bytes = (__u32)(data_end - data);
	struct lw_aftr_config *cfg;
	struct lw_l2 l2;
	__u32 ifindex = lw_ingress_ifindex(ctx);
	int v6_side, v4_side;

	cfg = bpf_map_lookup_elem(&LW_MAP_AFTR_CFG, &key);
	if (!cfg)
		return XDP_PASS;
	if (lw_parse_l2(data, data_end, &l2))
		return XDP_PASS;
	v6_side = ifindex == cfg->ipv6_ifindex && l2.vid == cfg->ipv6_vlan;
	v4_side = ifindex == cfg->ipv4_ifindex && l2.vid == cfg->ipv4_vlan;

	if (l2.eth_proto == ETH_P_IPV6) {
		if (v6_side)
			return lw_from_b4(ctx, cfg, l2.l3off, bytes, l2.vid);
		if (v4_side) {
			/* Softwire traffic never comes from the internet side. */
			struct ipv6hdr *ip6 = data + (l2.l3off & 0xff);

			if ((void *)(ip6 + 1) <= data_end && ip6->nexthdr == IPPROTO_IPIP) {
				lw_count(LW_STAT_DROP_MISPLACED_IPV6, bytes);
				return XDP_DROP;
			}
		}
	} else if (l2.eth_proto == ETH_P_IP) {
		if (v4_side)
			return lw_from_internet(ctx, cfg, l2.l3off, bytes, l2.vid);
		if (v6_side) {
			/* Pool addresses are reached through the tunnel only. */
			struct iphdr *iph = data + (l2.l3off & 0xff);

			if ((void *)(iph + 1) <= data_end &&
			    (bpf_map_lookup_elem(&LW_MAP_PSID, &iph->daddr) || lw_in_pool(iph->daddr))) {
				lw_count(LW_STAT_DROP_MISPLACED_IPV4, bytes);
				return XDP_DROP;
			}
		}
	}
	lw_count(LW_STAT_PASS_NOT_OURS, bytes);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
