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
#include "nexthop.h"
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

/* An event for the slow path, behind its token bucket: the packets it is to
 * forward (fragments to reassemble, packets to fragment) in the bulk bucket,
 * the ICMP errors in the signal one, so that a flood of the former cannot
 * starve the latter (enum lw_event_bucket). */
static __always_inline void lw_emit(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				    __u16 type, __u16 dir, __u32 l3off, __u16 l3_proto, __u32 mtu)
{
	const struct lw_event_queue q = {
		.ratelim = &LW_MAP_RATELIM,
		.ringbuf = &LW_MAP_EVENTS,
		.stats = &LW_MAP_STATS,
		.bucket = type == LW_EV_FRAGMENT || type == LW_EV_FRAG_NEEDED ? LW_BUCKET_BULK
									      : LW_BUCKET_SIGNAL,
		.rate = cfg->event_rate,
		.burst = cfg->event_burst,
		.st_suppressed = LW_STAT_EVENT_SUPPRESSED,
		.st_full = LW_STAT_EVENT_RINGBUF_FULL,
		.st_sent = LW_STAT_EVENT_SENT,
	};
	struct lw_event *ev = lw_event_reserve(&q, sizeof(*ev));

	if (!ev)
		return;
	lw_event_fill(ctx, &ev->head, ev->pkt, LW_EVENT_MAX_CAPTURE, type, dir, l3off, l3_proto,
		      mtu);
	lw_event_submit(&q, ev);
}

/* A refused packet: counted, dropped. */
static __always_inline int lw_drop(__u32 stat, __u64 bytes)
{
	lw_count(stat, bytes);
	return XDP_DROP;
}

/* A refused packet somebody may have to hear about: counted, handed to the
 * slow path as event type when tell (the configuration's and the caller's
 * call), dropped. */
static __always_inline int lw_drop_tell(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					__u32 stat, __u64 bytes, int tell, __u16 type, __u16 dir,
					__u32 l3off, __u16 l3_proto)
{
	lw_count(stat, bytes);
	if (tell)
		lw_emit(ctx, cfg, type, dir, l3off, l3_proto, 0);
	return XDP_DROP;
}

/* Whether the sender of a refused IPv4 packet gets an ICMPv4 error: when
 * configured, and never about an ICMP error (RFC 1812 §4.3.2.7). */
static __always_inline int lw_icmpv4_error_due(const struct lw_aftr_config *cfg,
					       const struct lw_l4 *l4)
{
	return (cfg->flags & LW_CFG_ICMPV4_ERRORS) && !l4->icmp_error;
}

static __always_inline int lw_pass_not_ours(__u64 bytes)
{
	lw_count(LW_STAT_PASS_NOT_OURS, bytes);
	return XDP_PASS;
}

/* Outcome of a route lookup (LW_FWD_*): the configured static next hops
 * (LW_CFG_STATIC_NH4/6) first, then the next-hop cache pcpd keeps (unless
 * LW_CFG_NH_FIB), else the FIB. */
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
	if (fib->family == AF_INET ? (cfg->flags & LW_CFG_STATIC_NH4)
				   : (cfg->flags & LW_CFG_STATIC_NH6)) {
		int v4 = fib->family == AF_INET;

		out->ifindex = v4 ? cfg->ipv4_ifindex : cfg->ipv6_ifindex;
		__builtin_memcpy(out->dmac, v4 ? cfg->ipv4_nh_mac : cfg->ipv6_nh_mac, ETH_ALEN);
		__builtin_memcpy(out->smac, v4 ? cfg->ipv4_src_mac : cfg->ipv6_src_mac, ETH_ALEN);
		return LW_FWD_REDIRECT;
	}
	if (!(cfg->flags & LW_CFG_NH_FIB)) {
		int rc = lw_nh_route(&LW_MAP_AFTR_NEXTHOP, fib, out);

		if (rc != LW_NH_MISS)
			return rc;
	}
	return lw_fib_route(ctx, fib, out, cfg->ipv4_ifindex, cfg->ipv6_ifindex, &LW_MAP_STATS, &st,
			    bytes);
}

/* An address record as the program uses it: copied in one 8-byte load,
 * since user space rewrites a record in place when it moves the address's
 * run of slots (a replaced table). */
union lw_addr_copy {
	__u64 raw;
	struct lw_addr a;
};

/* Where an address's record is: rec, read from lw_addr_recs[key] or
 * (guessed) computed from its block's uniform header. */
struct lw_addr_loc {
	union lw_addr_copy rec;
	__u32 key;
	__u32 guessed;
};

/* The record itself (lw_addr_recs[loc->key]): 1 when the address has one. */
static __always_inline int lw_addr_read(struct lw_addr_loc *loc)
{
	__u64 *r = bpf_map_lookup_elem(&LW_MAP_ADDR_RECS, &loc->key);

	loc->guessed = 0;
	if (!r)
		return 0;
	loc->rec.raw = *(volatile __u64 *)r;
	return loc->rec.a.flags & LW_ADDR_VALID;
}

/* The record of addr (DIR-16-8-8), from its block's header when the block
 * is uniform (include/lw4o6/aftr.h), else read: 1 with *loc, 0 when the
 * address has none. *l1 receives its level-1 entry whatever the outcome,
 * for the pool bit (LW_L1_POOL). */
static __always_inline int lw_addr_find(__be32 addr, struct lw_addr_loc *loc, __u32 *l1)
{
	__u32 a = bpf_ntohl(addr), k = a >> 16, t, lo = a & 0xff;
	__u32 *e = bpf_map_lookup_elem(&LW_MAP_ADDR_L1, &k);
	struct lw_addr_block *blk;
	union lw_addr_copy head;

	*l1 = 0;
	if (!e)
		return 0;
	*l1 = *e;
	t = *l1 & LW_L1_L2_MASK;
	if (!t)
		return 0;
	k = (t - 1) << 8 | (a >> 8 & 0xff);
	e = bpf_map_lookup_elem(&LW_MAP_ADDR_L2, &k);
	if (!e || !*e)
		return 0;
	k = *e - 1;
	loc->key = k << 8 | lo;
	blk = bpf_map_lookup_elem(&LW_MAP_ADDR_BLKS, &k);
	if (blk) {
		head.raw = *(volatile __u64 *)&blk->head;
		if (head.a.flags & LW_BLOCK_UNIFORM) {
			if (!(blk->present[lo >> 6] & (1ull << (lo & 63))))
				return 0;
			loc->rec.raw = head.raw;
			loc->rec.a.sw_base += lo << (head.a.psid_len & 31);
			loc->guessed = 1;
			return 1;
		}
	}
	return lw_addr_read(loc);
}

/* Slot s of the binding table: two inlined array lookups, then an index. */
static __always_inline struct lw_softwire *lw_slot(__u32 s)
{
	__u32 c = s >> LW_SW_CHUNK_SHIFT, k0 = 0;
	void *inner = bpf_map_lookup_elem(&LW_MAP_SW_CHUNKS, &c);
	struct lw_sw_chunk *chunk;

	if (!inner)
		return 0;
	chunk = bpf_map_lookup_elem(inner, &k0);
	if (!chunk)
		return 0;
	return &chunk->sw[s & (LW_SW_CHUNK_SLOTS - 1)];
}

/* The softwire owning (addr, port), addr having record rec. psid_len 0
 * owns every port and the port-less protocols (AFTR-ENCAP-6). The slot
 * counts only when it names (addr, PSID): one read while user space
 * reassigns it never matches. */
static __always_inline struct lw_softwire *lw_binding_of(__be32 addr, const struct lw_addr *rec,
							 const struct lw_l4 *l4, int use_dport)
{
	struct lw_psid_params pp = { .psid_offset = rec->psid_offset, .psid_len = rec->psid_len };
	struct lw_softwire *sw;
	int psid;

	if (!l4->has_ports) {
		if (pp.psid_len != 0)
			return 0;
		psid = 0;
	} else {
		psid = lw_port_to_psid(&pp, use_dport ? l4->dport : l4->sport);
		if (psid < 0)
			return 0;
	}
	sw = lw_slot(rec->sw_base + (__u32)psid);
	if (!sw || sw->ipv4 != addr || sw->psid != (__u16)psid)
		return 0;
	return sw;
}

/* The same for an address found by lw_addr_find(): a slot guessed from its
 * block's header that does not name the packet's softwire (a writer moving
 * the block's runs, or no such softwire) is checked against the record. */
static __always_inline struct lw_softwire *lw_binding(__be32 addr, struct lw_addr_loc *loc,
						      const struct lw_l4 *l4, int use_dport)
{
	struct lw_softwire *sw = lw_binding_of(addr, &loc->rec.a, l4, use_dport);

	if (sw || !loc->guessed || !lw_addr_read(loc))
		return sw;
	return lw_binding_of(addr, &loc->rec.a, l4, use_dport);
}

/* A packet too big for where it goes (AFTR-ENCAP-4): with DF the sender
 * gets ICMPv4 3/4 carrying report_mtu; without, the slow path is to
 * fragment it (event mtu = the link MTU) -- unless it is longer than an
 * event holds: then it is dropped and counted, never sent truncated.
 * Always XDP_DROP. */
static __always_inline int lw_too_big(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				      const struct iphdr *iph, __u16 dir, __u32 l3off,
				      __u16 l3_proto, __u32 report_mtu, __u32 link_mtu, __u64 bytes)
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

/* A fragment for the slow path to reassemble (LW_EV_FRAGMENT), rate-limited
 * like every event so that a fragment flood cannot starve the CPU pcpd runs
 * on; it takes the bulk bucket, not the ICMP errors' (lw_emit). A fragment
 * longer than an event's capture is dropped and counted, never truncated.
 * Always XDP_DROP. */
static __always_inline int lw_punt_fragment(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					    __u16 dir, __u32 l3off, __u16 l3_proto, __u32 ip_len,
					    __u32 stat, __u64 bytes)
{
	if (ip_len > LW_EVENT_MAX_CAPTURE)
		return lw_drop(LW_STAT_DROP_FRAGMENT_CAPTURE, bytes);
	lw_count(stat, bytes);
	lw_emit(ctx, cfg, LW_EV_FRAGMENT, dir, l3off, l3_proto, 0);
	return XDP_DROP;
}

/* An echo request is looked up by the echo policy (AFTR-ICMP-1): by its
 * Identifier, as port 0 (l4->dport rewritten), or not at all. Returns the
 * drop counter, or 0. */
static __always_inline __u32 lw_echo_request_policy(const struct lw_aftr_config *cfg,
						    struct lw_l4 *l4)
{
	if (cfg->echo_policy == LW_ECHO_DROP)
		return LW_STAT_DROP_ICMPV4_TYPE;
	if (cfg->echo_policy == LW_ECHO_PORT0)
		l4->dport = 0;
	return 0;
}

/* A packet of sw left (decapsulated, or hairpinned to another B4): counted
 * when the operator keeps per-softwire counters. */
static __always_inline void lw_softwire_count_decap(const struct lw_aftr_config *cfg,
						    struct lw_softwire *sw, __u32 tot_len)
{
	if (!(cfg->flags & LW_CFG_SW_COUNTERS))
		return;
	__sync_fetch_and_add(&sw->decap_packets, 1);
	__sync_fetch_and_add(&sw->decap_bytes, tot_len);
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
	__u32 br_index = sw->br_index;
	__u16 tot_len, new_l2;
	__u8 tos;
	int rc, delta;

	/* one BR address: every softwire's, kept in the configuration */
	br = cfg->br_count == 1 ? (struct in6_addr *)&cfg->br_addr
				: bpf_map_lookup_elem(&lw_br_by_index, &br_index);
	if (!br)
		return lw_drop(LW_STAT_DROP_NO_DST_SOFTWIRE, in_bytes);
	l3off &= LW_L3_OFF_MASK;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end || (void *)((struct ethhdr *)data + 1) > data_end)
		return XDP_DROP;
	tot_len = bpf_ntohs(iph->tot_len);
	tos = iph->tos;

	if ((__u32)tot_len + LW_TUNNEL_HLEN > cfg->ipv6_mtu)
		return lw_too_big(ctx, cfg, iph, dir, l3off, ETH_P_IP,
				  cfg->ipv6_mtu - LW_TUNNEL_HLEN, cfg->ipv6_mtu, in_bytes);

	lw_fib_ipv6(&fib, cfg->ipv6_ifindex, IPPROTO_IPIP, tot_len + LW_TUNNEL_HLEN, br,
		    &sw->b4_ipv6);
	rc = lw_route(ctx, cfg, &fib, &out, cfg->ipv6_vlan, in_bytes);
	if (rc == LW_FWD_DROP)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG) /* the route's MTU is below ours */
		return lw_too_big(ctx, cfg, iph, dir, l3off, ETH_P_IP,
				  lw_tunnel_ipv4_mtu(fib.mtu_result), fib.mtu_result, in_bytes);
	/* Also on the pass path: the kernel forwards the IPv6 packet and never
	 * touches the inner TTL. */
	if (ttl_dec)
		lw_ipv4_ttl_dec(iph);

	if (out.pass) /* keep the frame addressed to us, as it arrived (still there) */
		lw_out_as_arrived(&out, data, in_vid);

	new_l2 = lw_l2_hlen(out.vid);
	delta = (int)l3off - (int)(new_l2 + LW_TUNNEL_HLEN);
	if (lw_reframe(ctx, l3off + tot_len, delta))
		return lw_drop(LW_STAT_DROP_ADJUST, in_bytes);
	if (lw_write_l2_words(ctx, out.dmac, out.smac, out.vid, ETH_P_IPV6))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + new_l2;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_write_ip6(ip6, tos, tot_len, cfg->hop_limit, br, &sw->b4_ipv6);

	if (cfg->flags & LW_CFG_SW_COUNTERS) {
		__sync_fetch_and_add(&sw->encap_packets, 1);
		__sync_fetch_and_add(&sw->encap_bytes, tot_len);
	}
	lw_count(ok_stat, ok_stat == LW_STAT_HAIRPIN_IPV4 ? tot_len : (__u64)(data_end - data));
	return lw_out_send(&out);
}

/* An address of ours that has no softwire now still belongs to a pool;
 * asked only when a pool touches its /16 (l1 from lw_addr_find). */
static __always_inline int lw_in_pool(__be32 addr, __u32 l1)
{
	struct lw_ipv4_prefix pfx = { .prefixlen = 32, .addr = addr };

	return (l1 & LW_L1_POOL) && bpf_map_lookup_elem(&lw_ipv4_pools, &pfx) != 0;
}

/* An address served here: one with softwires (an address record), or one
 * of a pool. */
static __always_inline int lw_served_ipv4(__be32 addr)
{
	struct lw_addr_loc loc;
	__u32 l1;

	return lw_addr_find(addr, &loc, &l1) || lw_in_pool(addr, l1);
}

/* An ICMP error towards one of our B4s must be about a packet that B4 sent
 * (AFTR-ICMP-2): the quote carries ports and its source is the address the
 * error goes to (daddr), from the internet as hairpinned. */
static __always_inline int lw_icmp_error_quotes_dst(const struct lw_l4 *l4, __be32 qsrc,
						    __be32 daddr)
{
	return l4->has_ports && qsrc == daddr;
}

/* AFTR-ICMP-5: whether the ICMPv4 message of len bytes at off verifies. A
 * global function, verified once on its own: inlined in both paths that
 * check it (from the internet, hairpinned), its loop took lw4o6_aftr from
 * 139k to 205k processed instructions. */
__attribute__((noinline)) int lw_icmpv4_csum_ok(struct xdp_md *ctx, __u32 off, __u32 len)
{
	return lw_packet_csum_ok(ctx, off, len);
}

/* ICMPv4 towards the B4 of daddr, from the internet or hairpinned from
 * another B4: an echo request by the echo policy (AFTR-ICMP-1), an error
 * only about a packet that B4 sent (AFTR-ICMP-2: the quote's source is
 * daddr), and only with a good checksum (AFTR-ICMP-5) over the message at
 * icmp_off. Returns the drop counter, or 0 (l4 as the lookup needs). */
static __always_inline __u32 lw_icmpv4_to_b4_refused(struct xdp_md *ctx,
						     const struct lw_aftr_config *cfg,
						     struct lw_l4 *l4, __be32 qsrc, __be32 daddr,
						     __u32 icmp_off, __u32 icmp_len)
{
	if (l4->icmp_type == ICMP_ECHO) {
		__u32 stat = lw_echo_request_policy(cfg, l4);

		if (stat)
			return stat;
	} else if (l4->icmp_error && !lw_icmp_error_quotes_dst(l4, qsrc, daddr)) {
		return LW_STAT_DROP_NO_DST_SOFTWIRE;
	}
	if (!lw_icmpv4_csum_ok(ctx, icmp_off, icmp_len))
		return LW_STAT_DROP_ICMPV4_CSUM;
	return 0;
}

/* ---- from the internet ------------------------------------------------------ */

/* ICMPv4 from the internet (AFTR-ICMP-1..5), when allowed at all: echo
 * requests, echo replies and errors (AFTR-ICMP-3), each as any ICMPv4 to a
 * B4. Returns the drop counter, or 0 (l4 as the lookup needs). */
static __always_inline __u32 lw_icmpv4_in_refused(struct xdp_md *ctx,
						  const struct lw_aftr_config *cfg,
						  struct lw_l4 *l4, __be32 qsrc, __be32 daddr,
						  __u32 icmp_off, __u32 icmp_len)
{
	if (!(cfg->flags & LW_CFG_ALLOW_ICMPV4_IN))
		return LW_STAT_DROP_ICMPV4_IN_OFF;
	if (l4->icmp_type != ICMP_ECHO && l4->icmp_type != ICMP_ECHOREPLY && !l4->icmp_error)
		return LW_STAT_DROP_ICMPV4_TYPE;
	return lw_icmpv4_to_b4_refused(ctx, cfg, l4, qsrc, daddr, icmp_off, icmp_len);
}

/* IPv4 to one of our pool addresses: looked up by (destination, port) and
 * encapsulated towards its B4 (AFTR-ENCAP-1..3); anything else is the
 * router's own or transit traffic. */
static __always_inline int lw_from_internet(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					    __u32 l3off, __u32 bytes, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph;
	struct lw_addr_loc rec;
	struct lw_softwire *sw;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, daddr;
	__u32 ihl, tot_len, stat, l1;
	int have;

	l3off &= LW_L3_OFF_MASK;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return lw_drop(LW_STAT_DROP_BAD_IPV4, bytes);
	daddr = iph->daddr;
	have = lw_addr_find(daddr, &rec, &l1);
	if (!have && !lw_in_pool(daddr, l1))
		return lw_pass_not_ours(bytes);
	lw_count(LW_STAT_RCVD_IPV4, bytes);

	if (!lw_ipv4_whole(iph, data_end, &ihl, &tot_len) || !lw_ipv4_csum_ok(ctx, iph, l3off))
		return lw_drop(LW_STAT_DROP_BAD_IPV4, bytes);
	if (lw_ipv4_is_fragment(iph)) {
		/* AFTR-ENCAP-5: the port is in the first fragment only; the
		 * slow path reassembles, then looks the packet up. */
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_INTERNET, l3off, ETH_P_IP, tot_len,
					LW_STAT_PUNT_IPV4_FRAGMENT, bytes);
	}
	if (lw_parse_l4(data, data_end, l3off + ihl, l3off + tot_len, iph->protocol, &l4, &qsrc,
			&qdst))
		return lw_drop(LW_STAT_DROP_BAD_IPV4, bytes);
	if (iph->protocol == IPPROTO_ICMP) {
		stat = lw_icmpv4_in_refused(ctx, cfg, &l4, qsrc, daddr, l3off + ihl, tot_len - ihl);
		if (stat)
			return lw_drop(stat, bytes);
	}

	sw = have ? lw_binding(daddr, &rec, &l4, 1) : 0;
	if (!sw)
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_NO_DST_SOFTWIRE, bytes,
				    lw_icmpv4_error_due(cfg, &l4), LW_EV_ENCAP_NO_BINDING,
				    LW_DIR_FROM_INTERNET, l3off, ETH_P_IP);
	if (iph->ttl <= 1)
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_TTL_ZERO, bytes,
				    lw_icmpv4_error_due(cfg, &l4), LW_EV_TTL_EXPIRED,
				    LW_DIR_FROM_INTERNET, l3off, ETH_P_IP);
	return lw_encap(ctx, cfg, sw, l3off, bytes, 1, LW_DIR_FROM_INTERNET, vid,
			LW_STAT_SENT_IPV6);
}

/* ---- from a B4 ----------------------------------------------------------------- */

/* ICMPv6 to a BR address at off: echo and ND are the kernel's; an error is
 * about a tunnel packet we sent (AFTR-ICMP-6), for the slow path if allowed. */
static __always_inline int lw_icmpv6_from_b4(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					     __u32 l3off, __u32 off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct icmp6hdr *ic = data + (off & LW_L4_OFF_MASK);

	if ((void *)(ic + 1) > data_end)
		return XDP_PASS;
	if (ic->icmp6_type & ICMPV6_INFOMSG_MASK)
		return lw_pass_not_ours(bytes);
	return lw_drop_tell(ctx, cfg, LW_STAT_DROP_ICMPV6_IN, bytes,
			    cfg->flags & LW_CFG_ALLOW_ICMPV6_IN, LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4,
			    l3off, ETH_P_IPV6);
}

/* AFTR-DECAP-8: PCP to our server from a B4 that asks for its binding
 * before it has one, in a whole (unfragmented) inner datagram, which the
 * caller has made sure of (udp_off: where the UDP header would be; end:
 * where the inner packet ends). */
static __always_inline int lw_is_pcp_bootstrap(const struct lw_aftr_config *cfg, void *data,
					       void *data_end, const struct iphdr *iph,
					       __u32 udp_off, __u32 end)
{
	struct udphdr *uh = data + (udp_off & LW_INNER_OFF_MASK);

	asm volatile("" : "+r"(end)); /* a bound on a copy: see lw_parse_l4 */
	return (cfg->flags & LW_CFG_PCP_BOOTSTRAP) && iph->daddr == bpf_htonl(LW_PCP_SERVER_ADDR) &&
	       iph->protocol == IPPROTO_UDP && (void *)(uh + 1) <= data_end &&
	       udp_off + sizeof(*uh) <= end && uh->dest == bpf_htons(LW_PCP_SERVER_PORT);
}

/* AFTR-DECAP-2..5: the softwire the packet from ip6 names, or NULL with
 * *stat the reason: the inner source address and port must be in its set,
 * the outer source must be its B4 and the outer destination its BR (the
 * one of index br); an ICMP error must quote a packet sent to that same
 * source. */
static __always_inline struct lw_softwire *lw_softwire_of(const struct ipv6hdr *ip6, __u32 br,
							  __be32 saddr, const struct lw_l4 *l4,
							  __be32 qdst, __u32 *stat)
{
	struct lw_addr_loc rec;
	struct lw_softwire *sw = 0;
	__u32 l1;

	if (lw_addr_find(saddr, &rec, &l1))
		sw = lw_binding(saddr, &rec, l4, 0);
	if (!sw || !lw_ipv6_eq(&sw->b4_ipv6, &ip6->saddr) || (l4->icmp_error && qdst != saddr)) {
		*stat = LW_STAT_DROP_NO_SRC_SOFTWIRE;
		return 0;
	}
	if (sw->br_index != br) {
		*stat = LW_STAT_DROP_WRONG_BR;
		return 0;
	}
	return sw;
}

/* Hairpinning (AFTR-HP-1..3): from softwire sw to another of our B4s, never
 * out to the internet. The destination side is looked up as if the packet
 * came from the internet (ICMPv4 as any to a B4: echo policy, an error's
 * quote, checksum; destination address and port), then the outer header
 * (and its options) is replaced, the L2 header kept in front: one TTL
 * decrement. sw counts the packet as decapsulated once the new one leaves.
 * qsrc: an ICMP error's quoted source; ihl, tot_len: the inner header's
 * and packet's length. */
static __always_inline int lw_hairpin(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				      struct lw_softwire *sw, struct lw_addr_loc *dst,
				      const struct iphdr *iph, struct lw_l4 *l4, __be32 qsrc,
				      __u32 l3off, __u32 inner, __u32 ihl, __u32 tot_len,
				      __u32 bytes, __u16 vid)
{
	struct lw_softwire *dst_sw;
	void *data, *data_end;
	struct ethhdr old_eth;
	__u32 stat;
	int act;

	if (!(cfg->flags & LW_CFG_HAIRPINNING))
		return lw_drop(LW_STAT_DROP_HAIRPIN_OFF, bytes);
	if (iph->protocol == IPPROTO_ICMP) {
		stat = lw_icmpv4_to_b4_refused(ctx, cfg, l4, qsrc, iph->daddr, inner + ihl,
					       tot_len - ihl);
		if (stat)
			return lw_drop(stat, bytes);
	}
	dst_sw = lw_binding(iph->daddr, dst, l4, 1);
	if (!dst_sw)
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_NO_DST_SOFTWIRE, bytes,
				    lw_icmpv4_error_due(cfg, l4), LW_EV_ENCAP_NO_BINDING,
				    LW_DIR_FROM_B4, l3off, ETH_P_IPV6);
	if (!(cfg->flags & LW_CFG_TTL_DECAP) && iph->ttl <= 1)
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_TTL_ZERO, bytes,
				    lw_icmpv4_error_due(cfg, l4), LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4,
				    l3off, ETH_P_IPV6);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)((struct ethhdr *)data + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&old_eth, data, sizeof(old_eth));
	if (lw_reframe(ctx, inner + tot_len, (int)(inner - l3off)))
		return lw_drop(LW_STAT_DROP_ADJUST, bytes);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)((struct ethhdr *)data + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(data, &old_eth, sizeof(old_eth));
	act = lw_encap(ctx, cfg, dst_sw, l3off, bytes, 1, LW_DIR_FROM_B4, vid,
		       LW_STAT_HAIRPIN_IPV4);
	if (act == XDP_REDIRECT || act == XDP_PASS)
		lw_softwire_count_decap(cfg, sw, tot_len);
	return act;
}

/* Decapsulation towards the internet: the inner packet of softwire sw at
 * inner leaves on the internet side, if it fits that side's MTU and has a
 * route (or the kernel forwards it, with the L2 header it arrived with). */
static __always_inline int lw_decap_and_send(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					     struct lw_softwire *sw, struct iphdr *iph, __u32 l3off,
					     __u32 inner, __u32 tot_len, __u32 bytes, __u16 vid)
{
	struct bpf_fib_lookup fib = {};
	struct lw_out out;
	__u32 new_l2;
	int rc;

	lw_fib_ipv4(ctx, &fib, iph->tos, iph->protocol, tot_len, iph->saddr, iph->daddr);
	if (tot_len > cfg->ipv4_mtu) {
		rc = LW_FWD_TOO_BIG;
		fib.mtu_result = cfg->ipv4_mtu;
	} else {
		rc = lw_route(ctx, cfg, &fib, &out, cfg->ipv4_vlan, bytes);
	}
	if (rc == LW_FWD_DROP)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG)
		return lw_too_big(ctx, cfg, iph, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, fib.mtu_result,
				  fib.mtu_result, bytes);
	if ((cfg->flags & LW_CFG_TTL_DECAP) && !out.pass)
		lw_ipv4_ttl_dec(iph);
	if (out.pass) { /* the frame is not reshaped yet: its header is still there */
		struct ethhdr *eth = (void *)(long)ctx->data;

		if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
			return XDP_DROP;
		lw_out_as_arrived(&out, eth, vid);
	}
	new_l2 = lw_l2_hlen(out.vid);
	if (lw_reframe(ctx, inner + tot_len, (int)inner - (int)new_l2))
		return lw_drop(LW_STAT_DROP_ADJUST, bytes);
	if (lw_write_l2_words(ctx, out.dmac, out.smac, out.vid, ETH_P_IP))
		return XDP_DROP;
	lw_softwire_count_decap(cfg, sw, tot_len);
	lw_count(LW_STAT_SENT_IPV4, tot_len + new_l2);
	return lw_out_send(&out);
}

/* IPv4 in IPv6 to BR br: the inner packet at inner must be whole (not a
 * fragment: those the slow path reassembles and validates, AFTR-DECAP-6)
 * and name a softwire; then it is hairpinned to another of our B4s or
 * decapsulated towards the internet. */
static __always_inline int lw_softwire_from_b4(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
					       struct ipv6hdr *ip6, __u32 br, __u32 l3off,
					       __u32 inner, __u32 bytes, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + inner;
	struct lw_addr_loc dst;
	struct lw_softwire *sw;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, daddr;
	__u32 ihl, tot_len, stat, l1, outer_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);

	if ((void *)(iph + 1) > data_end || !lw_ipv4_whole(iph, data_end, &ihl, &tot_len) ||
	    inner + tot_len > l3off + outer_len || !lw_ipv4_csum_ok(ctx, iph, inner))
		return lw_drop(LW_STAT_DROP_BAD_INNER, bytes);
	/* fragments first: the bootstrap is a whole datagram, and a later
	 * fragment's first bytes are data that may read as UDP to 5351 */
	if (lw_ipv4_is_fragment(iph))
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_B4, l3off, ETH_P_IPV6, outer_len,
					LW_STAT_PUNT_INNER_FRAGMENT, bytes);
	if (lw_is_pcp_bootstrap(cfg, data, data_end, iph, inner + ihl, inner + tot_len)) {
		lw_count(LW_STAT_PASS_PCP_BOOTSTRAP, bytes);
		return XDP_PASS;
	}
	if (lw_parse_l4(data, data_end, inner + ihl, inner + tot_len, iph->protocol, &l4, &qsrc,
			&qdst))
		return lw_drop(LW_STAT_DROP_BAD_INNER, bytes);
	/* An echo reply answers a request the internet side looked up by the
	 * echo policy: under port0 it went to the owner of port 0, whose reply
	 * carries the requester's Identifier, so it is validated as port 0. */
	if (iph->protocol == IPPROTO_ICMP && l4.icmp_type == ICMP_ECHOREPLY &&
	    cfg->echo_policy == LW_ECHO_PORT0)
		l4.sport = 0;

	sw = lw_softwire_of(ip6, br, iph->saddr, &l4, qdst, &stat);
	if (!sw)
		return lw_drop_tell(ctx, cfg, stat, bytes, cfg->flags & LW_CFG_ICMPV6_ERRORS,
				    LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, l3off, ETH_P_IPV6);
	if ((cfg->flags & LW_CFG_TTL_DECAP) && iph->ttl <= 1)
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_TTL_ZERO, bytes,
				    lw_icmpv4_error_due(cfg, &l4), LW_EV_TTL_EXPIRED,
				    LW_DIR_FROM_B4, l3off, ETH_P_IPV6);
	lw_tunnel_ecn_decap(ip6, iph);
	if (l3off < sizeof(struct ethhdr) || (void *)((struct ethhdr *)data + 1) > data_end)
		return XDP_DROP;

	/* is the destination ours? For internet destinations one l1 read */
	daddr = iph->daddr;
	if (lw_addr_find(daddr, &dst, &l1))
		return lw_hairpin(ctx, cfg, sw, &dst, iph, &l4, qsrc, l3off, inner, ihl, tot_len,
				  bytes, vid);
	if (lw_in_pool(daddr, l1))
		/* ours, but nobody's now: never out to the internet, which
		 * would route it straight back */
		return lw_drop_tell(ctx, cfg, LW_STAT_DROP_NO_DST_SOFTWIRE, bytes,
				    lw_icmpv4_error_due(cfg, &l4), LW_EV_ENCAP_NO_BINDING,
				    LW_DIR_FROM_B4, l3off, ETH_P_IPV6);
	return lw_decap_and_send(ctx, cfg, sw, iph, l3off, inner, tot_len, bytes, vid);
}

/* The index of BR address addr in *br: 0, or -1 when addr is no BR of
 * ours. One BR (the usual case): a compare with the configuration's copy
 * instead of hashing 16 bytes. */
static __always_inline int lw_br_of(const struct lw_aftr_config *cfg, const struct in6_addr *addr,
				    __u32 *br)
{
	struct lw_br *b;

	if (cfg->br_count == 1) {
		*br = cfg->br_index;
		return lw_ipv6_eq(addr, &cfg->br_addr) ? 0 : -1;
	}
	b = bpf_map_lookup_elem(&LW_MAP_BR_ADDRS, addr);
	if (!b)
		return -1;
	*br = b->index;
	return 0;
}

/* IPv6 from the access side: to a BR address, a truncated packet (Payload
 * Length past the frame) is malformed, IPv4 in IPv6 is softwire traffic,
 * fragments go to the slow path (reassembled, then validated and
 * decapsulated: design decision 5, never forwarded unvalidated) and ICMPv6
 * is sorted; everything else is the kernel's. Only options headers are
 * walked (Linux B4s add a tunnel-encapsulation-limit destination option):
 * behind a routing header (skipped by the kernel when no segments are
 * left) or a chain we do not walk to its end, the kernel would find what we
 * never validated and hand IPv4 in IPv6 to pcpd (AFTR-GEN-1). */
static __always_inline int lw_from_b4(struct xdp_md *ctx, const struct lw_aftr_config *cfg,
				      __u32 l3off, __u32 bytes, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;
	__u32 off, br;
	__u8 nexthdr;

	l3off &= LW_L3_OFF_MASK;
	ip6 = data + l3off;
	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return lw_drop(LW_STAT_DROP_BAD_IPV6, bytes);
	if (lw_br_of(cfg, &ip6->daddr, &br))
		return lw_pass_not_ours(bytes);
	if (!lw_ipv6_whole(ip6, l3off, bytes))
		return lw_drop(LW_STAT_DROP_BAD_IPV6, bytes);
	nexthdr = ip6->nexthdr;
	if (lw_ipv6_walk_ext(data, data_end, l3off, LW_EXT_OPTIONS, &nexthdr, &off) ||
	    nexthdr == IPPROTO_ROUTING)
		return lw_drop(LW_STAT_DROP_IPV6_EXT, bytes);
	if (nexthdr == IPPROTO_FRAGMENT)
		return lw_punt_fragment(ctx, cfg, LW_DIR_FROM_B4, l3off, ETH_P_IPV6,
					sizeof(*ip6) + bpf_ntohs(ip6->payload_len),
					LW_STAT_PUNT_IPV6_FRAGMENT, bytes);
	if (nexthdr == IPPROTO_ICMPV6)
		return lw_icmpv6_from_b4(ctx, cfg, l3off, off, bytes);
	if (nexthdr != IPPROTO_IPIP)
		return lw_pass_not_ours(bytes);
	lw_count(LW_STAT_RCVD_IPV6, bytes);
	return lw_softwire_from_b4(ctx, cfg, ip6, br, l3off, off & LW_INNER_OFF_MASK, bytes, vid);
}

/* IPv6 on the internet side: softwire traffic never comes from there,
 * whatever extension headers (a fragment header included) it hides behind
 * (AFTR-GEN-2), and a chain we cannot walk to its end may hide it. The
 * rest, the router's own IPv6 if it has any there, is the kernel's. */
static __always_inline int lw_ipv6_on_internet(struct xdp_md *ctx, __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;
	__u32 off;
	__u8 nexthdr;

	l3off &= LW_L3_OFF_MASK;
	ip6 = data + l3off;
	if ((void *)(ip6 + 1) > data_end)
		return lw_pass_not_ours(bytes);
	nexthdr = ip6->nexthdr;
	if (lw_ipv6_walk_ext(data, data_end, l3off,
			     LW_EXT_OPTIONS | LW_EXT_ROUTING | LW_EXT_FRAGMENT, &nexthdr, &off) ||
	    nexthdr == IPPROTO_IPIP)
		return lw_drop(LW_STAT_DROP_MISPLACED_IPV6, bytes);
	return lw_pass_not_ours(bytes);
}

/* IPv4 on the access side (not on a stick, where it is the internet's): B4s
 * send theirs inside softwires, so this never went through a binding check
 * and must reach neither the internet nor an address served here, whatever
 * its source; and served addresses live only behind softwires, so one as
 * the source here is spoofed, whatever the destination (AFTR-GEN-2). The
 * router's own traffic passes: what the FIB would deliver locally
 * (NOT_FWDED; FWD_DISABLED: the kernel forwards nothing from here either),
 * and multicast and broadcast, which it never forwards. */
static __always_inline int lw_ipv4_on_access(struct xdp_md *ctx, __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct iphdr *iph = data + (l3off & LW_L3_OFF_MASK);
	__be32 daddr;
	int rc;

	if ((void *)(iph + 1) > data_end)
		return lw_drop(LW_STAT_DROP_BAD_IPV4, bytes);
	daddr = iph->daddr;
	if (lw_served_ipv4(iph->saddr) || lw_served_ipv4(daddr))
		return lw_drop(LW_STAT_DROP_MISPLACED_IPV4, bytes);
	if (lw_ipv4_multicast_or_above(daddr))
		return lw_pass_not_ours(bytes);
	lw_fib_ipv4(ctx, &fib, iph->tos, iph->protocol, 0, iph->saddr, daddr);
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
		return lw_pass_not_ours(bytes);
	return lw_drop(LW_STAT_DROP_MISPLACED_IPV4, bytes);
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
		if (v4_side)
			return lw_ipv6_on_internet(ctx, l2.l3off, bytes);
	} else if (l2.eth_proto == ETH_P_IP) {
		if (v4_side)
			return lw_from_internet(ctx, cfg, l2.l3off, bytes, l2.vid);
		if (v6_side)
			return lw_ipv4_on_access(ctx, l2.l3off, bytes);
	}
	lw_count(LW_STAT_PASS_NOT_OURS, bytes);
	return XDP_PASS;
}

#ifdef LW4O6_BUILD_TAG
/* An object built with a tag differs from the one without (the hitless
 * test replaces the running program with it); nothing reads it. */
const volatile __u32 lw_build_tag = LW4O6_BUILD_TAG;
#endif

char _license[] SEC("license") = "GPL";
