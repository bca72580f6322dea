/* SPDX-License-Identifier: GPL-2.0 */
/* NAPT44 of the lwB4 (RFC 4787, RFC 5382, RFC 7857): the mappings in
 * lw_b4_sess / lw_b4_out (include/lw4o6/b4.h), their creation, filtering
 * (ADF/EIF) and the translation of a packet in place, every checksum
 * updated incrementally. */
#ifndef LW4O6_BPF_B4_NAPT_H
#define LW4O6_BPF_B4_NAPT_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <asm-generic/errno-base.h> /* EEXIST */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "report.h"
#include "clock.h"
#include "pool.h"
#include "mss.h"

/* RFC 1624 for a 32-bit field, as two 16-bit words in memory order. */
static __always_inline __u16 lw_b4_csum_addr(__u16 check, __be32 old, __be32 new)
{
	check = lw_csum_replace2(check, (__u16)old, (__u16) new);
	return lw_csum_replace2(check, (__u16)(old >> 16), (__u16)(new >> 16));
}

/* What replacing the 16-bit word old by new adds to a one's complement sum
 * (RFC 1624 eqn. 3: ~m + m'), not folded: several such terms add up, and
 * lw_b4_csum_apply folds them once. */
static __always_inline __u32 lw_b4_csum_diff2(__u16 old, __u16 new)
{
	return (__u32)(__u16)~old + new;
}

/* The same for a 32-bit field, as two 16-bit words in memory order. */
static __always_inline __u32 lw_b4_csum_diff4(__be32 old, __be32 new)
{
	return lw_b4_csum_diff2((__u16)old, (__u16) new) +
	       lw_b4_csum_diff2((__u16)(old >> 16), (__u16)(new >> 16));
}

/* check after changes whose terms add up to diff (a few of them: two folds
 * take any carry). */
static __always_inline __u16 lw_b4_csum_apply(__u16 check, __u32 diff)
{
	__u32 sum = (__u16)~check + diff;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Rewrites one address and one port (the ICMP Identifier: no pseudo-header)
 * of the IPv4 packet at iph, and decrements its TTL when ttl_dec, with every
 * checksum updated incrementally, each folded once. src: the source side
 * (outbound) or the destination side (inbound). Returns 0, or -1 when a
 * header is cut short. */
static __always_inline int lw_b4_rewrite(void *data, void *data_end, struct iphdr *iph, __u32 l4off,
					 int src, __be32 new_addr, __be16 new_port, int ttl_dec)
{
	__be32 old_addr = src ? iph->saddr : iph->daddr;
	__u32 d_addr = lw_b4_csum_diff4(old_addr, new_addr), d_ip = d_addr;
	__u8 proto = iph->protocol;

	l4off &= LW_L4_OFF_MASK;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + l4off;
		__be16 old_port;

		if ((void *)(th + 1) > data_end)
			return -1;
		old_port = src ? th->source : th->dest;
		th->check =
			lw_b4_csum_apply(th->check, d_addr + lw_b4_csum_diff2(old_port, new_port));
		if (src)
			th->source = new_port;
		else
			th->dest = new_port;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = data + l4off;
		__be16 old_port;

		if ((void *)(uh + 1) > data_end)
			return -1;
		old_port = src ? uh->source : uh->dest;
		if (uh->check) { /* 0: no checksum, stays 0 (RFC 768) */
			__u16 c = lw_b4_csum_apply(uh->check,
						   d_addr + lw_b4_csum_diff2(old_port, new_port));

			uh->check = c ? c : LW_UDP_CSUM_ZERO_SENT;
		}
		if (src)
			uh->source = new_port;
		else
			uh->dest = new_port;
	} else {
		struct icmphdr *ic = data + l4off;

		if ((void *)(ic + 1) > data_end)
			return -1;
		ic->checksum =
			lw_b4_csum_apply(ic->checksum, lw_b4_csum_diff2(ic->un.echo.id, new_port));
		ic->un.echo.id = new_port;
	}
	if (ttl_dec) {
		/* TTL and protocol share a 16-bit word. The new word is made in
		 * a register, not read back after the TTL's store: a 16-bit load
		 * over a fresh 1-byte store cannot be forwarded from the store
		 * buffer and stalled every packet (the hottest spot of the
		 * established path in a profile of bench v2). */
		__u16 w = *(__u16 *)&iph->ttl;
		__u8 ttl = iph->ttl - 1;
		__u16 nw = w;

		*(__u8 *)&nw = ttl;
		iph->ttl = ttl;
		d_ip += lw_b4_csum_diff2(w, nw);
	}
	iph->check = lw_b4_csum_apply(iph->check, d_ip);
	if (src)
		iph->saddr = new_addr;
	else
		iph->daddr = new_addr;
	return 0;
}

static __always_inline void lw_b4_remember(struct lw_b4_sess *s, __be32 remote)
{
#pragma unroll
	for (int i = 0; i < LW_B4_REMOTES; i++)
		if (s->remotes[i] == remote)
			return;
	s->remotes[s->next_remote & (LW_B4_REMOTES - 1)] = remote;
	s->next_remote = (s->next_remote + 1) & (LW_B4_REMOTES - 1);
}

static __always_inline __u8 lw_b4_tcp_bits(const struct tcphdr *th, int out)
{
	__u8 b = 0;

	if (th->syn)
		b |= out ? LW_B4_TCP_SYN_OUT : LW_B4_TCP_SYN_IN;
	if (th->fin)
		b |= out ? LW_B4_TCP_FIN_OUT : LW_B4_TCP_FIN_IN;
	if (th->rst)
		b |= LW_B4_TCP_RST;
	return b;
}

/* A mapping as an outbound packet uses it: its external endpoint (public
 * address and port or ICMP Identifier) and its session's position. */
struct lw_b4_ref {
	__be32 addr;
	__be16 port;
	__u32 pos;
};

/* The keyed hash of an internal endpoint, whose index among the pool's
 * ports is the first a new mapping of it claims (RFC 6056 §3.3.3, a keyed
 * function of the endpoint: unpredictable from outside, found again from
 * the packet without the index). The key is random, per load. */
static __always_inline __u32 lw_b4_home_hash(const struct lw_b4_out_key *ok)
{
	__u32 key = 0;
	__u64 *seed = bpf_map_lookup_elem(&lw_b4_seed, &key);
	__u64 x;

	if (!seed)
		return 0;
	if (!*seed)
		__sync_val_compare_and_swap(
			seed, 0, (__u64)bpf_get_prandom_u32() << 32 | bpf_get_prandom_u32() | 1);
	x = ((__u64)ok->addr << 32 | (__u32)ok->port << 8 | ok->proto) ^ *seed;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (__u32)(x >> 32);
}

/* Whether the slot at position pos holds the live mapping of internal
 * endpoint ok (its protocol is that of the part pos is in): its external
 * endpoint in *e then. */
static __always_inline int lw_b4_home_at(const struct lw_b4_out_key *ok, __u32 pos,
					 struct lw_b4_ref *e)
{
	struct lw_b4_sess *s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);

	if (!s || !s->live || s->int_addr != ok->addr || s->int_port != ok->port)
		return 0;
	e->addr = s->ext_addr;
	e->port = s->ext_port;
	e->pos = pos;
	return 1;
}

/* Whether the slot lw_b4_out's entry v names for ok (protocol index pi)
 * holds ok's mapping; its external endpoint in *e, from v: the session's
 * line only confirms it, so the packet's translation does not wait for that
 * line. The position, or -1. */
static __always_inline long lw_b4_indexed(const struct lw_b4_out_key *ok, int pi,
					  const struct lw_b4_out_val *v, struct lw_b4_ref *e)
{
	__u32 pos = (__u32)pi * LW_B4_POOL_PORTS + v->pos;
	struct lw_b4_sess *s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);

	e->addr = v->ext_addr;
	e->port = v->ext_port;
	e->pos = pos;
	if (!s || s->int_addr != ok->addr || s->int_port != ok->port || s->ext_addr != e->addr ||
	    s->ext_port != e->port)
		return -1;
	return pos;
}

/* An outbound packet's mapping, looked for: in, the internal endpoint; out,
 * its external endpoint, and what a new mapping would start from. */
struct lw_b4_find {
	struct lw_b4_out_key ok;
	struct lw_b4_ref e;
	struct lw_b4_home home;
	__u32 hash; /* lw_b4_home_hash(&ok) */
};

/* The hint word of hash h for position pos of a protocol's part: the tag
 * (high half of the hash, odd: never 0, the empty word) over the position. */
static __always_inline __u32 lw_b4_hint_word(__u32 h, __u32 pos)
{
	return (h | 0x10000u) >> 16 << 16 | (pos & 0xffff);
}

/* The position its hint bucket names for f->ok (hash f->hash), in its
 * protocol's part, or -1: the bucket's line only, the slot unconfirmed. */
static __always_inline long lw_b4_hint_get(const struct lw_b4_find *f)
{
	__u32 key = f->hash & (LW_B4_HINT_BUCKETS - 1), tag = lw_b4_hint_word(f->hash, 0);
	struct lw_b4_hint_bucket *b = bpf_map_lookup_elem(&lw_b4_hint, &key);
	long w = -1;

	if (!b)
		return -1;
#pragma unroll
	for (int i = 0; i < LW_B4_HINT_WAYS; i++) {
		__u32 x = b->w[i];

		if ((x & 0xffff0000u) == tag)
			w = x & 0xffff;
	}
	return w;
}

/* Remembers position pos (of its protocol's part) for hash h: the word of
 * the same tag, else an empty one, else the way the hash picks. Plain
 * 32-bit stores: two CPUs may overwrite each other's word, which costs a
 * later packet the slow lookup, nothing else. */
static __always_inline void lw_b4_hint_put(__u32 h, __u32 pos)
{
	__u32 key = h & (LW_B4_HINT_BUCKETS - 1), want = lw_b4_hint_word(h, pos);
	__u32 tag = want & 0xffff0000u, way = (h >> 14) & (LW_B4_HINT_WAYS - 1);
	struct lw_b4_hint_bucket *b = bpf_map_lookup_elem(&lw_b4_hint, &key);
	int same = -1, empty = -1;

	if (!b)
		return;
#pragma unroll
	for (int i = 0; i < LW_B4_HINT_WAYS; i++) {
		__u32 x = b->w[i];

		if ((x & 0xffff0000u) == tag)
			same = i;
		else if (!x)
			empty = i;
	}
	if (same >= 0)
		way = (__u32)same;
	else if (empty >= 0)
		way = (__u32)empty;
	b->w[way & (LW_B4_HINT_WAYS - 1)] = want;
}

/* The session position of the mapping of f->ok, its external endpoint in
 * f->e; -1 when it has none (f->home then says where a new one starts).
 * Most mappings are at a home position the packet gives (the kept internal
 * port, else the hashed index): one cache line, the session's own. The
 * others have a hint (lw_b4_hint), whose bucket is read before the hashed
 * home is, so that the two loads overlap: an established packet waits for
 * one line, or two. Without a hint that the slot confirms, lw_b4_out
 * answers, and the mapping found there is hinted for the next packets.
 * A global function: verified once, whatever its callers. */
__attribute__((noinline)) long lw_b4_out_find(struct lw_b4_find *f)
{
	struct lw_b4_out_val *v;
	long pos = -1, hint;
	int pi;

	if (!f)
		return -1;
	pi = lw_b4_proto_index(f->ok.proto);
	f->home = (struct lw_b4_home){};
	if (pi < 0)
		return -1;
	f->hash = lw_b4_home_hash(&f->ok);
	lw_b4_pool_kept(pi, bpf_ntohs(f->ok.port), &f->home);
	if (f->home.kept && lw_b4_home_at(&f->ok, f->home.kpos, &f->e))
		return f->home.kpos;
	hint = lw_b4_hint_get(f);
	if (f->home.total) {
		lw_b4_pool_hashed(pi, f->hash, &f->home);
		if (lw_b4_home_at(&f->ok, f->home.hpos, &f->e))
			return f->home.hpos;
	}
	if (hint >= 0 && lw_b4_home_at(&f->ok, (__u32)pi * LW_B4_POOL_PORTS + (__u32)hint, &f->e))
		return f->e.pos;
	v = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &f->ok);
	if (v)
		pos = lw_b4_indexed(&f->ok, pi, v, &f->e);
	if (pos >= 0)
		lw_b4_hint_put(f->hash, (__u32)pos);
	return pos;
}

/* The session of the mapping of internal endpoint f->ok, its external
 * endpoint in f->e, or NULL: for a packet that never creates a mapping. */
static __always_inline struct lw_b4_sess *lw_b4_find_out(struct lw_b4_find *f)
{
	long pos = lw_b4_out_find(f);
	__u32 key = (__u32)pos;

	return pos < 0 ? 0 : bpf_map_lookup_elem(&LW_MAP_B4_SESS, &key);
}

/* The live session of external endpoint addr:port (host order) of set ps,
 * for protocol index pi, or NULL: one array slot, reached from the port. */
static __always_inline struct lw_b4_sess *lw_b4_session_in(int pi, const struct lw_b4_portset *ps,
							   __be32 addr, __u16 port)
{
	__u32 pos = lw_b4_sess_pos(pi, ps, port);
	struct lw_b4_sess *s;

	if (pi < 0)
		return 0;
	s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);
	if (!s || !s->live || s->ext_addr != addr || s->ext_port != bpf_htons(port))
		return 0;
	return s;
}

/* The slot p claimed, made the new mapping's session (not live yet): every
 * field written, whatever a packet of the slot's last mapping left. */
static __always_inline struct lw_b4_sess *lw_b4_session_init(const struct lw_b4_probe *p,
							     __be32 daddr)
{
	__u32 pos = p->pos;
	struct lw_b4_sess *s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);
	struct lw_b4_life *l = bpf_map_lookup_elem(&LW_MAP_B4_LIFE, &pos);
	__u64 now = lw_b4_now();

	if (!s)
		return 0;
	s->ext_addr = p->ext_addr;
	s->ext_port = p->ext_port;
	s->tcp_state = 0;
	s->next_remote = 1;
	s->remotes[0] = daddr;
	s->remotes[1] = 0;
	s->remotes[2] = 0;
	s->remotes[3] = 0;
	s->last_out_ns = now;
	s->last_in_ns = 0;
	s->packets_out = 0;
	s->packets_in = 0;
	if (l) {
		l->created_ns = now;
		l->pcp_until_ns = 0;
	}
	return s;
}

/* The owner word p's claim wrote, live or not. */
static __always_inline __u64 lw_b4_claimed(const struct lw_b4_probe *p, __u8 live)
{
	union lw_b4_owner o = { .int_addr = p->int_addr, .int_port = p->int_port, .live = live };

	return o.word;
}

/* An outbound packet's mapping, found or made: f as lw_b4_out_find left it
 * (the internal endpoint, where its home is; the external endpoint out),
 * the packet's destination and network header; the session's position
 * out. */
struct lw_b4_new {
	struct lw_b4_find f;
	__be32 daddr;
	__u32 pos;
	__u32 created; /* made here, not found (lost a race) */
};

/* The mapping of n->ok made: keep the internal port if it is free and in
 * the pool (B4-NAT-11), else its home (hashed) index, else a bounded random
 * probe. The external port's session slot is claimed first (B4-NAT-3), then
 * the lw_b4_out entry inserted with BPF_NOEXIST; a CPU that loses the race
 * for that entry frees its slot and uses the winner's mapping. The session
 * goes live (inbound packets see it) once it is whole and indexed. Returns
 * 0 with n->pos and n->f.e (n->created when this call made it), or the drop
 * reason. A global function, verified once on its own (the first packet of
 * a flow is the rare one). */
__attribute__((noinline)) int lw_b4_create(struct lw_b4_new *n)
{
	struct lw_b4_probe p = {};
	struct lw_b4_out_val ov = {}, *v;
	struct lw_b4_sess *s;
	int pi;
	long err;

	if (!n)
		return LW_B4_STAT_DROP_NO_POOL;
	pi = lw_b4_proto_index(n->f.ok.proto);
	if (!n->f.home.total || pi < 0)
		return LW_B4_STAT_DROP_NO_POOL;
	p.int_addr = n->f.ok.addr;
	p.int_port = n->f.ok.port;
	p.pi = (__u8)pi;
	p.total = n->f.home.total;
	p.start = n->f.home.hidx;
	lw_b4_pool_claim(&p, &n->f.home);
	s = p.found ? lw_b4_session_init(&p, n->daddr) : 0;
	if (!s)
		return LW_B4_STAT_DROP_POOL_EXHAUSTED;
	ov.ext_addr = p.ext_addr;
	ov.ext_port = p.ext_port;
	ov.pos = (__u16)p.pos;
	err = bpf_map_update_elem(&LW_MAP_B4_OUT, &n->f.ok, &ov, BPF_NOEXIST);
	if (err) {
		/* the slot goes back (unless user space took it meanwhile) */
		__sync_val_compare_and_swap(&s->owner, lw_b4_claimed(&p, 0), 0);
		/* EEXIST: another CPU made the mapping first; anything else (a
		 * full index, a contended bucket lock) is counted so that it
		 * cannot hide */
		lw_b4_count(err == -EEXIST ? LW_B4_STAT_MAPPING_RACE_LOST : LW_B4_STAT_CLAIM_ERROR,
			    0);
		if (err != -EEXIST)
			return LW_B4_STAT_DROP_POOL_EXHAUSTED;
		/* the winner's entry, there since the insert failed on it */
		v = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &n->f.ok);
		err = v ? lw_b4_indexed(&n->f.ok, pi, v, &n->f.e) : -1;
		n->pos = (__u32)err;
		return err >= 0 ? 0 : LW_B4_STAT_DROP_POOL_EXHAUSTED;
	}
	/* whole and indexed: live. A flush of the pool between the claim and
	 * here took the slot: the index entry goes too, no mapping is made. */
	if (__sync_val_compare_and_swap(&s->owner, lw_b4_claimed(&p, 0), lw_b4_claimed(&p, 1)) !=
	    lw_b4_claimed(&p, 0)) {
		v = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &n->f.ok);
		if (v && v->pos == ov.pos)
			bpf_map_delete_elem(&LW_MAP_B4_OUT, &n->f.ok);
		return LW_B4_STAT_DROP_POOL_EXHAUSTED;
	}
	lw_b4_count(LW_B4_STAT_MAPPING_CREATED, 0);
	/* away from its homes: hinted */
	if (!(n->f.home.kept && p.pos == n->f.home.kpos) && p.pos != n->f.home.hpos)
		lw_b4_hint_put(n->f.hash, p.pos);
	n->created = 1;
	n->pos = p.pos;
	n->f.e.addr = p.ext_addr;
	n->f.e.port = p.ext_port;
	n->f.e.pos = p.pos;
	return 0;
}

/* The mapping of {proto, saddr, sport}, made when missing (lw_b4_create).
 * Returns the session, its external endpoint and position in *e, or NULL
 * with *stat set to the drop reason. */
static __always_inline struct lw_b4_sess *
lw_b4_mapping(struct xdp_md *ctx, const struct lw_b4_config *cfg, __u32 l3off, __u8 proto,
	      __be32 saddr, __be16 sport, __be32 daddr, struct lw_b4_ref *e, __u32 *stat)
{
	struct lw_b4_new n = { .f.ok = { .addr = saddr, .port = sport, .proto = proto },
			       .daddr = daddr };
	long pos = lw_b4_out_find(&n.f);

	if (pos < 0) {
		*stat = (__u32)lw_b4_create(&n);
		if (*stat)
			return 0;
		if (n.created)
			lw_b4_usage_add(ctx, cfg, n.f.home.total, l3off);
		pos = n.pos;
	}
	*e = n.f.e;
	n.pos = (__u32)pos;
	return bpf_map_lookup_elem(&LW_MAP_B4_SESS, &n.pos);
}

/* B4-NAT-4 filtering of a packet from remote towards mapping s: ADF unless
 * EIF is configured. An explicit PCP MAP mapping admits every remote
 * (RFC 6887 §11: a MAP opens the port, PCPC-12); a PEER one is filtered as
 * a dynamic mapping, its peer being one of remotes[]. */
static __always_inline int lw_b4_admitted(const struct lw_b4_config *cfg,
					  const struct lw_b4_sess *s, __be32 remote)
{
	int seen = 0;

	if (s->pcp_kind == LW_B4_PCP_MAP)
		return 1;
	if (cfg->flags & LW_B4_CFG_EIF)
		return 1;
#pragma unroll
	for (int i = 0; i < LW_B4_REMOTES; i++)
		seen |= s->remotes[i] == remote;
	return seen;
}

/* Translates the outbound packet at iph in place for mapping s, external
 * endpoint e, as every packet leaving through the tunnel is: the mapping refreshed (B4-NAT-6)
 * and its remote remembered, TCP state bits, MSS clamp (B4-FRAG-4), source
 * rewritten to the external endpoint with every checksum, TTL−1.
 * Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_translate_out(void *data, void *data_end,
					       const struct lw_b4_config *cfg, struct lw_b4_sess *s,
					       const struct lw_b4_ref *e, struct iphdr *iph,
					       __u32 l4off, __u8 proto, __be32 daddr, __u32 mtu)
{
	__u8 bits = 0;

	s->last_out_ns = lw_b4_now();
	/* Plain increments here and on every path, not atomic ones: two CPUs
	 * can lose a count only when they handle one mapping's packets at the
	 * same moment, and the counts are for display (lw4o6 b4 mappings). A
	 * locked add cost 5-9 ns a packet in bench v2 (issue 11), where the
	 * whole established path is 60-100. */
	s->packets_out++;
	lw_b4_remember(s, daddr);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return -1;
		bits = lw_b4_tcp_bits(th, 1);
		lw_b4_clamp_mss_for(cfg, data, data_end, l4off, mtu);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, l4off, 1, e->addr, e->port, 1))
		return -1;
	return 0;
}

/* Translates the inbound packet at iph in place for mapping s, whose
 * internal endpoint is ok: TCP state bits, MSS clamp of the SYN/ACK of a
 * connection a LAN host opened (it keeps the host's segments within the
 * tunnel too: a 1500-byte LAN would otherwise send segments too big for it,
 * both ways), destination rewritten with every checksum, TTL−1. The caller
 * has refreshed the mapping. Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_translate_in(void *data, void *data_end,
					      const struct lw_b4_config *cfg, struct lw_b4_sess *s,
					      struct iphdr *iph, __u32 l4off, __u8 proto,
					      const struct lw_b4_out_key *ok)
{
	__u8 bits = 0;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return -1;
		bits = lw_b4_tcp_bits(th, 0);
		lw_b4_clamp_mss_for(cfg, data, data_end, l4off, cfg->ipv6_mtu);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, l4off, 0, ok->addr, ok->port, 1))
		return -1;
	return 0;
}

#endif
