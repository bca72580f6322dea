// SPDX-License-Identifier: GPL-2.0
/* The next-hop cache's judge (nh_classify.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nh_classify.h"

#define IPV6_MIN_MTU 1280
#define IP_MAX_MTU   65535

/* ---- the state ------------------------------------------------------------------ */

static int push(void **v, size_t *n, size_t *cap, size_t size, const void *item)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void *p = realloc(*v, c * size);

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	memcpy((char *)*v + *n * size, item, size);
	(*n)++;
	return 0;
}

int lw_nh_state_add_route(struct lw_nh_state *st, const struct lw_nh_route *r)
{
	return push((void **)&st->routes, &st->n_routes, &st->cap_routes, sizeof(*r), r);
}

int lw_nh_state_add_neigh(struct lw_nh_state *st, const struct lw_nh_neigh *n)
{
	return push((void **)&st->neighs, &st->n_neighs, &st->cap_neighs, sizeof(*n), n);
}

int lw_nh_state_add_link(struct lw_nh_state *st, const struct lw_nh_link *l)
{
	return push((void **)&st->links, &st->n_links, &st->cap_links, sizeof(*l), l);
}

int lw_nh_state_add_rule(struct lw_nh_state *st, const struct lw_nh_rule *r)
{
	return push((void **)&st->rules, &st->n_rules, &st->cap_rules, sizeof(*r), r);
}

void lw_nh_state_free(struct lw_nh_state *st)
{
	free(st->routes);
	free(st->neighs);
	free(st->links);
	free(st->rules);
	memset(st, 0, sizeof(*st));
}

/* ---- prefixes --------------------------------------------------------------------- */

static unsigned addr_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* Whether the first len bits of a and b agree. */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned bytes = len / 8, rest = len % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rest)));
}

/* Whether prefix (a, alen) contains prefix (b, blen). */
static bool contains(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	return alen <= blen && bits_equal(a, b, alen);
}

static bool overlap(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	return bits_equal(a, b, alen < blen ? alen : blen);
}

void lw_nh_prefix_make(struct lw_nh_prefix *p, uint8_t family, const uint8_t *addr, unsigned len)
{
	uint8_t a[16] = { 0 }, m[16] = { 0 };
	unsigned bytes = addr_bits(family) / 8;

	if (len > addr_bits(family))
		len = addr_bits(family);
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		m[i] = bits ? (uint8_t)(0xff << (8 - bits)) : 0;
		a[i] = addr[i] & m[i];
	}
	memcpy(p->addr, a, sizeof(a));
	memcpy(p->mask, m, sizeof(m));
}

/* ---- words ----------------------------------------------------------------------- */

const char *lw_nh_family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

const char *lw_nh_reason_name(unsigned reason)
{
	static const char *const names[LW_NH_WHY_MAX] = {
		[LW_NH_WHY_NO_DAEMON] = "no daemon keeps the cache",
		[LW_NH_WHY_CACHED] = "cached",
		[LW_NH_WHY_OPERATOR] = "--nexthop fib",
		[LW_NH_WHY_STOPPED] = "the daemon stopped",
		[LW_NH_WHY_CHANGING] = "a change is being looked at",
		[LW_NH_WHY_NO_INTERFACE] = "no interface",
		[LW_NH_WHY_VLAN] = "tagged side",
		[LW_NH_WHY_RULES] = "policy rules",
		[LW_NH_WHY_FORWARDING] = "forwarding off",
		[LW_NH_WHY_NO_ROUTE] = "no route",
		[LW_NH_WHY_ROUTE_SHAPE] = "route not cacheable",
		[LW_NH_WHY_ECMP] = "several next hops",
		[LW_NH_WHY_FOREIGN_EGRESS] = "route via another interface",
		[LW_NH_WHY_LINK] = "interface down",
		[LW_NH_WHY_NEIGHBOUR] = "gateway unresolved",
		[LW_NH_WHY_EXCEPTIONS] = "too many routes",
		[LW_NH_WHY_SHADOWED] = "local route",
		[LW_NH_WHY_KERNEL] = "kernel state unreadable",
	};

	return reason < LW_NH_WHY_MAX && names[reason] ? names[reason] : "?";
}

static const char *fmt_addr(uint8_t family, const uint8_t *a, char *buf)
{
	return inet_ntop(family, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

static const char *link_name(const struct lw_nh_state *st, uint32_t ifindex, char *buf)
{
	for (size_t i = 0; i < st->n_links; i++)
		if (st->links[i].ifindex == ifindex && st->links[i].name[0]) {
			snprintf(buf, IF_NAMESIZE, "%s", st->links[i].name);
			return buf;
		}
	snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

static const char *neigh_state_name(uint16_t s)
{
	switch (s) {
	case NUD_INCOMPLETE: return "INCOMPLETE";
	case NUD_FAILED: return "FAILED";
	case NUD_NOARP: return "NOARP";
	case NUD_NONE: return "NONE";
	}
	return "not valid";
}

__attribute__((format(printf, 4, 5))) static void fall_back(struct lw_nh_verdict *v, uint8_t family,
							    unsigned reason, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memset(&v->entry, 0, sizeof(v->entry));
	v->entry.mode = LW_NH_FIB;
	v->entry.reason = (uint8_t)reason;
	snprintf(v->text, sizeof(v->text), "%s falls back to the FIB: %s",
		 lw_nh_family_name(family), why);
}

/* ---- the checks ------------------------------------------------------------------- */

static const struct lw_nh_link *find_link(const struct lw_nh_state *st, uint32_t ifindex)
{
	for (size_t i = 0; i < st->n_links; i++)
		if (st->links[i].ifindex == ifindex)
			return &st->links[i];
	return NULL;
}

/* Whether the family's rules are the kernel's defaults: local (0), main
 * (32766) and, for IPv4, default (32767), each for every packet. */
static bool default_rules(const struct lw_nh_state *st, uint8_t family, char *why, size_t len)
{
	static const struct {
		uint32_t priority, table;
	} want[] = { { 0, RT_TABLE_LOCAL }, { 32766, RT_TABLE_MAIN }, { 32767, RT_TABLE_DEFAULT } };
	size_t n_want = family == AF_INET ? 3 : 2, seen = 0;

	for (size_t i = 0; i < st->n_rules; i++) {
		const struct lw_nh_rule *r = &st->rules[i];
		bool known = false;

		if (r->family != family)
			continue;
		for (size_t k = 0; k < n_want && !known; k++)
			known = r->priority == want[k].priority && r->table == want[k].table &&
				r->action == FR_ACT_TO_TBL && !r->selectors;
		if (!known) {
			snprintf(why, len, "policy rule %u (table %u) besides the defaults",
				 r->priority, r->table);
			return false;
		}
		seen++;
	}
	if (seen != n_want) {
		snprintf(why, len, "%zu policy rules, not the %zu defaults", seen, n_want);
		return false;
	}
	return true;
}

static bool is_lookup_table(uint32_t table)
{
	return table == RT_TABLE_MAIN || table == RT_TABLE_LOCAL;
}

static bool usable(const struct lw_nh_route *r, uint8_t family)
{
	return r->family == family && !(r->flags & RTM_F_CLONED);
}

/* The main-table route that decides for the destinations dst/dst_len: the
 * longest one containing them all, else the widest one inside them through
 * a gateway on the egress interface (an aggregate towards the B4s). */
static const struct lw_nh_route *pick_route(const struct lw_nh_state *st,
					    const struct lw_nh_want *w)
{
	const struct lw_nh_route *best = NULL;

	for (size_t i = 0; i < st->n_routes; i++) {
		const struct lw_nh_route *r = &st->routes[i];

		if (usable(r, w->family) && r->table == RT_TABLE_MAIN &&
		    contains(r->dst, r->dst_len, w->dst, w->dst_len) &&
		    (!best || r->dst_len > best->dst_len))
			best = r;
	}
	if (best)
		return best;
	for (size_t i = 0; i < st->n_routes; i++) {
		const struct lw_nh_route *r = &st->routes[i];

		if (usable(r, w->family) && r->table == RT_TABLE_MAIN &&
		    contains(w->dst, w->dst_len, r->dst, r->dst_len) && r->gw_family == w->family &&
		    r->oif == w->egress && r->nhops == 1 && (!best || r->dst_len < best->dst_len))
			best = r;
	}
	return best;
}

/* Routes of the main table with c's prefix (c included). */
static size_t same_prefix(const struct lw_nh_state *st, const struct lw_nh_route *c)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n_routes; i++) {
		const struct lw_nh_route *r = &st->routes[i];

		if (usable(r, c->family) && r->table == RT_TABLE_MAIN && r->dst_len == c->dst_len &&
		    bits_equal(r->dst, c->dst, c->dst_len))
			n++;
	}
	return n;
}

/* Why route c cannot be cached (0: it can): one unicast route through one
 * gateway of its own family, out of the egress interface. */
static unsigned route_shape(const struct lw_nh_state *st, const struct lw_nh_route *c,
			    const struct lw_nh_want *w, char *why, size_t len)
{
	char a[INET6_ADDRSTRLEN], n1[IF_NAMESIZE], n2[IF_NAMESIZE];
	size_t dup = same_prefix(st, c);

	fmt_addr(c->family, c->dst, a);
	if (c->nhops > 1) {
		snprintf(why, len, "%s/%u has %u next hops", a, c->dst_len, (unsigned)c->nhops);
		return LW_NH_WHY_ECMP;
	}
	if (dup > 1) {
		/* metrics, TOS or IPv6 router preference choose among them */
		snprintf(why, len, "%zu routes for %s/%u", dup, a, c->dst_len);
		return LW_NH_WHY_ECMP;
	}
	if (c->type != RTN_UNICAST || c->tos || c->nh_id || c->encap ||
	    (c->flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN))) {
		snprintf(why, len, "%s/%u is not a plain unicast route (type %u%s%s%s%s)", a,
			 c->dst_len, c->type, c->tos ? ", TOS" : "",
			 c->nh_id ? ", nexthop object" : "", c->encap ? ", encapsulation" : "",
			 c->flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN) ? ", dead" : "");
		return LW_NH_WHY_ROUTE_SHAPE;
	}
	if (c->gw_family != c->family) {
		snprintf(why, len, "%s/%u has no gateway of its family (on-link destinations)", a,
			 c->dst_len);
		return LW_NH_WHY_ROUTE_SHAPE;
	}
	if (c->oif != w->egress) {
		snprintf(why, len, "%s/%u leaves by %s, not %s", a, c->dst_len,
			 link_name(st, c->oif, n1), link_name(st, w->egress, n2));
		return LW_NH_WHY_FOREIGN_EGRESS;
	}
	return 0;
}

static const struct lw_nh_neigh *find_neigh(const struct lw_nh_state *st,
					    const struct lw_nh_route *c)
{
	size_t alen = addr_bits(c->family) / 8;

	for (size_t i = 0; i < st->n_neighs; i++) {
		const struct lw_nh_neigh *n = &st->neighs[i];

		if (n->family == c->family && n->ifindex == c->oif && !memcmp(n->dst, c->gw, alen))
			return n;
	}
	return NULL;
}

/* The MTU bpf_fib_lookup() checks tot_len against on this route
 * (ip_mtu_from_fib_result, ip6_mtu_from_fib6). */
static uint32_t route_mtu(const struct lw_nh_state *st, const struct lw_nh_route *c,
			  const struct lw_nh_link *out)
{
	uint32_t mtu;

	if (c->family == AF_INET) {
		if (c->mtu && (c->mtu_locked || st->ipv4_fwd_use_pmtu))
			return c->mtu;
		mtu = out->mtu;
	} else {
		if (c->mtu && c->mtu_locked)
			return c->mtu;
		mtu = out->mtu6 ? out->mtu6 : out->mtu;
		if (mtu < IPV6_MIN_MTU)
			mtu = IPV6_MIN_MTU;
	}
	return mtu > IP_MAX_MTU ? IP_MAX_MTU : mtu;
}

/* IPv6 destinations bpf_fib_lookup() never forwards (rt6_need_strict):
 * multicast, link-local, loopback. */
static const struct {
	uint8_t addr[16];
	uint8_t len;
} strict6[] = {
	{ { 0xff }, 8 },
	{ { 0xfe, 0x80 }, 10 },
	{ { [15] = 1 }, 128 },
};

struct pfx {
	uint8_t addr[16];
	uint8_t len;
};

struct pfx_list {
	struct pfx *v;
	size_t n, cap;
};

static int pfx_cmp(const void *a, const void *b)
{
	return (int)((const struct pfx *)a)->len - (int)((const struct pfx *)b)->len;
}

/* What must still ask the FIB inside the cached prefix p/plen of route c:
 * every other route of the local and the main table inside it, and IPv6's
 * strict destinations. 0, or a reason with why written: a local route or a
 * strict range covering the whole prefix, or no memory. */
static unsigned gather_exceptions(const struct lw_nh_state *st, const struct lw_nh_route *c,
				  const uint8_t *p, unsigned plen, struct pfx_list *x, char *why,
				  size_t len)
{
	char a[INET6_ADDRSTRLEN];
	struct pfx e;

	for (size_t i = 0; i < st->n_routes + (c->family == AF_INET6 ? 3 : 0); i++) {
		const struct lw_nh_route *r = i < st->n_routes ? &st->routes[i] : NULL;
		bool local = !r || r->table == RT_TABLE_LOCAL;

		if (r) {
			if (r == c || !usable(r, c->family) || !is_lookup_table(r->table))
				continue;
			memcpy(e.addr, r->dst, 16);
			e.len = r->dst_len;
		} else {
			memcpy(e.addr, strict6[i - st->n_routes].addr, 16);
			e.len = strict6[i - st->n_routes].len;
		}
		if (!overlap(e.addr, e.len, p, plen))
			continue;
		if (e.len <= plen) {
			/* main: a wider route loses to c (or has its prefix:
			 * same_prefix counted it); local: wins everywhere */
			if (!local)
				continue;
			snprintf(why, len, "%s/%u covers every destination of the cached route",
				 fmt_addr(c->family, e.addr, a), e.len);
			return LW_NH_WHY_SHADOWED;
		}
		if (push((void **)&x->v, &x->n, &x->cap, sizeof(e), &e)) {
			snprintf(why, len, "out of memory");
			return LW_NH_WHY_KERNEL;
		}
	}
	return 0;
}

/* The exceptions, fewest first, none inside another, into the entry.
 * Whether they fit. */
static bool merge_exceptions(struct pfx_list *x, uint8_t family, struct lw_nh_entry *e)
{
	struct pfx kept[LW_NH_MAX_EXCEPTIONS];
	size_t n = 0;

	if (x->n)
		qsort(x->v, x->n, sizeof(*x->v), pfx_cmp);
	for (size_t i = 0; i < x->n; i++) {
		bool inside = false;

		for (size_t k = 0; k < n && !inside; k++)
			inside = contains(kept[k].addr, kept[k].len, x->v[i].addr, x->v[i].len);
		if (inside)
			continue;
		if (n == LW_NH_MAX_EXCEPTIONS)
			return false;
		kept[n++] = x->v[i];
	}
	for (size_t k = 0; k < n; k++)
		lw_nh_prefix_make(&e->except[k], family, kept[k].addr, kept[k].len);
	e->n_except = (uint8_t)n;
	return true;
}

/* ---- the verdict ------------------------------------------------------------------ */

/* The interfaces and the rules: 0, or the reason (why written). */
static unsigned check_host(const struct lw_nh_state *st, const struct lw_nh_want *w, char *why,
			   size_t len)
{
	const struct lw_nh_link *in = find_link(st, w->input);
	char n[IF_NAMESIZE];
	int fwd;

	if (!w->egress || !find_link(st, w->egress) || !in) {
		snprintf(why, len, "the program's interface (%u, lookups on %u) does not exist",
			 w->egress, w->input);
		return LW_NH_WHY_NO_INTERFACE;
	}
	if (w->vlan) {
		snprintf(why, len,
			 "the side is tagged (VLAN %u): the FIB routes through the "
			 "VLAN device",
			 w->vlan);
		return LW_NH_WHY_VLAN;
	}
	if (!default_rules(st, w->family, why, len))
		return LW_NH_WHY_RULES;
	fwd = w->family == AF_INET ? in->fwd4 : in->fwd6;
	if (fwd != 1) {
		snprintf(why, len, "%s forwarding is %s on %s", lw_nh_family_name(w->family),
			 fwd ? "unknown" : "off", link_name(st, w->input, n));
		return LW_NH_WHY_FORWARDING;
	}
	return 0;
}

/* The egress link and the gateway's neighbour: 0 with them, or the
 * reason. */
static unsigned check_next_hop(const struct lw_nh_state *st, const struct lw_nh_route *c,
			       const struct lw_nh_link **out, const struct lw_nh_neigh **nb,
			       char *why, size_t len)
{
	char a[INET6_ADDRSTRLEN], n[IF_NAMESIZE];

	*out = find_link(st, c->oif);
	if (!*out || !((*out)->flags & IFF_UP) || !(*out)->has_addr) {
		snprintf(why, len, "%s is down or has no Ethernet address",
			 link_name(st, c->oif, n));
		return LW_NH_WHY_LINK;
	}
	*nb = find_neigh(st, c);
	if (!*nb ||
	    !((*nb)->state & (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)) ||
	    !(*nb)->has_lladdr) {
		snprintf(why, len, "the neighbour %s dev %s is %s", fmt_addr(c->family, c->gw, a),
			 link_name(st, c->oif, n),
			 *nb ? neigh_state_name((*nb)->state) : "unknown");
		return LW_NH_WHY_NEIGHBOUR;
	}
	return 0;
}

static void fill_cached(const struct lw_nh_state *st, const struct lw_nh_route *c, const uint8_t *p,
			unsigned plen, const struct lw_nh_link *out, const struct lw_nh_neigh *nb,
			struct lw_nh_verdict *v)
{
	struct lw_nh_entry *e = &v->entry;
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], n[IF_NAMESIZE];

	e->mode = LW_NH_CACHED;
	e->reason = LW_NH_WHY_CACHED;
	e->ifindex = c->oif;
	memcpy(e->dmac, nb->lladdr, 6);
	memcpy(e->smac, out->addr, 6);
	e->mtu = (uint16_t)route_mtu(st, c, out);
	lw_nh_prefix_make(&e->route, c->family, p, plen);
	memcpy(e->gateway, c->gw, sizeof(e->gateway));
	snprintf(v->text, sizeof(v->text),
		 "%s next hop cached: via %s dev %s (%02x:%02x:%02x:%02x:%02x:%02x, mtu %u) for "
		 "%s/%u, %u exceptions",
		 lw_nh_family_name(c->family), fmt_addr(c->family, c->gw, g),
		 link_name(st, c->oif, n), e->dmac[0], e->dmac[1], e->dmac[2], e->dmac[3],
		 e->dmac[4], e->dmac[5], e->mtu, fmt_addr(c->family, p, a), plen, e->n_except);
}

/* The route, its exceptions, its next hop: 0 with v filled, or a reason. */
static unsigned judge_route(const struct lw_nh_state *st, const struct lw_nh_want *w,
			    const struct lw_nh_route *c, struct lw_nh_verdict *v, char *why,
			    size_t len)
{
	const uint8_t *p = c->dst_len >= w->dst_len ? c->dst : w->dst;
	unsigned plen = c->dst_len >= w->dst_len ? c->dst_len : w->dst_len, r;
	const struct lw_nh_link *out;
	const struct lw_nh_neigh *nb;
	struct pfx_list x = { 0 };
	char a[INET6_ADDRSTRLEN];

	if ((r = route_shape(st, c, w, why, len)))
		return r;
	v->has_gw = true;
	v->gw_ifindex = c->oif;
	memcpy(v->gw, c->gw, sizeof(v->gw));
	if ((r = check_next_hop(st, c, &out, &nb, why, len)))
		return r;
	r = gather_exceptions(st, c, p, plen, &x, why, len);
	if (!r && !merge_exceptions(&x, c->family, &v->entry)) {
		snprintf(why, len, "%zu routes inside %s/%u (at most %d are handled)", x.n,
			 fmt_addr(c->family, p, a), plen, LW_NH_MAX_EXCEPTIONS);
		r = LW_NH_WHY_EXCEPTIONS;
	}
	free(x.v);
	if (!r)
		fill_cached(st, c, p, plen, out, nb, v);
	return r;
}

void lw_nh_classify(const struct lw_nh_state *st, const struct lw_nh_want *w,
		    struct lw_nh_verdict *v)
{
	const struct lw_nh_route *c;
	char why[200], a[INET6_ADDRSTRLEN];
	unsigned r;

	memset(v, 0, sizeof(*v));
	if ((r = check_host(st, w, why, sizeof(why)))) {
		fall_back(v, w->family, r, "%s", why);
		return;
	}
	c = pick_route(st, w);
	if (!c) {
		fall_back(v, w->family, LW_NH_WHY_NO_ROUTE, "no route for %s/%u through %s",
			  fmt_addr(w->family, w->dst, a), w->dst_len, "a gateway");
		return;
	}
	if ((r = judge_route(st, w, c, v, why, sizeof(why))))
		fall_back(v, w->family, r, "%s", why);
}
