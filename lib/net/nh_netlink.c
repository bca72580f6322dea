// SPDX-License-Identifier: GPL-2.0
/* rtnetlink for the next-hop cache (nh_netlink.h): parsing, dumps, events. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nh_netlink.h"

#define NL_BUF 65536

/* Calls fn for every attribute in [a, a + len). */
#define for_each_rta(a, len) for (; RTA_OK(a, len); a = RTA_NEXT(a, len))

static uint32_t rta_u32(const struct rtattr *a)
{
	uint32_t v = 0;

	if (RTA_PAYLOAD(a) >= sizeof(v))
		memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

static void rta_addr(const struct rtattr *a, uint8_t *out)
{
	size_t n = RTA_PAYLOAD(a) < 16 ? RTA_PAYLOAD(a) : 16;

	memcpy(out, RTA_DATA(a), n);
}

/* RTA_VIA: a gateway of another family (IPv4 via IPv6). */
static void route_via(struct lw_nh_route *r, const struct rtattr *a)
{
	const struct rtvia *v = RTA_DATA(a);

	if (RTA_PAYLOAD(a) < sizeof(*v))
		return;
	r->gw_family = (uint8_t)v->rtvia_family;
	memcpy(r->gw, v->rtvia_addr,
	       RTA_PAYLOAD(a) - sizeof(*v) < 16 ? RTA_PAYLOAD(a) - sizeof(*v) : 16);
}

static void route_metrics(struct lw_nh_route *r, const struct rtattr *m)
{
	const struct rtattr *a = RTA_DATA(m);
	int len = (int)RTA_PAYLOAD(m);

	for_each_rta(a, len)
	{
		if (a->rta_type == RTAX_MTU)
			r->mtu = rta_u32(a);
		else if (a->rta_type == RTAX_LOCK)
			r->mtu_locked = rta_u32(a) & (1u << RTAX_MTU);
	}
}

/* RTA_MULTIPATH: how many next hops; with one, it is the route's. */
static void route_multipath(struct lw_nh_route *r, const struct rtattr *m)
{
	const struct rtnexthop *nh = RTA_DATA(m);
	int len = (int)RTA_PAYLOAD(m);
	unsigned n = 0;

	while (RTNH_OK(nh, len)) {
		const struct rtattr *a = RTNH_DATA(nh);
		int alen = nh->rtnh_len - (int)sizeof(*nh);

		if (++n == 1) {
			r->oif = (uint32_t)nh->rtnh_ifindex;
			r->flags |= nh->rtnh_flags;
			for_each_rta(a, alen)
			{
				if (a->rta_type == RTA_GATEWAY) {
					r->gw_family = r->family;
					rta_addr(a, r->gw);
				} else if (a->rta_type == RTA_VIA) {
					route_via(r, a);
				} else if (a->rta_type == RTA_ENCAP) {
					r->encap = true;
				}
			}
		}
		len -= NLMSG_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	r->nhops = (uint16_t)(n ? n : 1);
}

static int parse_route(struct lw_nh_state *st, const struct nlmsghdr *nh)
{
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	const struct rtattr *a = RTM_RTA(rtm);
	int len = (int)RTM_PAYLOAD(nh);
	struct lw_nh_route r = { .family = rtm->rtm_family,
				 .dst_len = rtm->rtm_dst_len,
				 .tos = rtm->rtm_tos,
				 .type = rtm->rtm_type,
				 .table = rtm->rtm_table,
				 .flags = rtm->rtm_flags,
				 .nhops = 1 };

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EINVAL;
	for_each_rta(a, len)
	{
		switch (a->rta_type) {
		case RTA_DST: rta_addr(a, r.dst); break;
		case RTA_OIF: r.oif = rta_u32(a); break;
		case RTA_GATEWAY:
			r.gw_family = r.family;
			rta_addr(a, r.gw);
			break;
		case RTA_VIA: route_via(&r, a); break;
		case RTA_PRIORITY: r.priority = rta_u32(a); break;
		case RTA_TABLE: r.table = rta_u32(a); break;
		case RTA_METRICS: route_metrics(&r, a); break;
		case RTA_MULTIPATH: route_multipath(&r, a); break;
		case RTA_NH_ID: r.nh_id = rta_u32(a); break;
		case RTA_ENCAP:
		case RTA_ENCAP_TYPE: r.encap = true; break;
		}
	}
	return lw_nh_state_add_route(st, &r);
}

static int parse_neigh_into(struct lw_nh_neigh *n, const struct nlmsghdr *nh)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *a;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->family = nd->ndm_family;
	n->ifindex = (uint32_t)nd->ndm_ifindex;
	n->state = nd->ndm_state;
	a = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for_each_rta(a, len)
	{
		if (a->rta_type == NDA_DST) {
			rta_addr(a, n->dst);
		} else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
			memcpy(n->lladdr, RTA_DATA(a), 6);
			n->has_lladdr = true;
		}
	}
	return 0;
}

/* IFLA_AF_SPEC: the forwarding switches and the IPv6 MTU of the device. */
static void link_af_spec(struct lw_nh_link *l, const struct rtattr *spec)
{
	const struct rtattr *af = RTA_DATA(spec);
	int len = (int)RTA_PAYLOAD(spec);

	for_each_rta(af, len)
	{
		const struct rtattr *a = RTA_DATA(af);
		int alen = (int)RTA_PAYLOAD(af);

		for_each_rta(a, alen)
		{
			const uint32_t *conf = RTA_DATA(a);
			size_t n = RTA_PAYLOAD(a) / sizeof(uint32_t);

			if (af->rta_type == AF_INET && a->rta_type == IFLA_INET_CONF &&
			    n >= IPV4_DEVCONF_FORWARDING)
				l->fwd4 = conf[IPV4_DEVCONF_FORWARDING - 1] != 0;
			if (af->rta_type == AF_INET6 && a->rta_type == IFLA_INET6_CONF &&
			    n > DEVCONF_MTU6) {
				l->fwd6 = conf[DEVCONF_FORWARDING] != 0;
				l->mtu6 = conf[DEVCONF_MTU6];
			}
		}
	}
}

static int parse_link(struct lw_nh_state *st, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *a = IFLA_RTA(ifi);
	int len = (int)IFLA_PAYLOAD(nh);
	struct lw_nh_link l = {
		.ifindex = (uint32_t)ifi->ifi_index, .flags = ifi->ifi_flags, .fwd4 = -1, .fwd6 = -1
	};

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	for_each_rta(a, len)
	{
		switch (a->rta_type) {
		case IFLA_IFNAME:
			snprintf(l.name, sizeof(l.name), "%.*s", (int)RTA_PAYLOAD(a),
				 (const char *)RTA_DATA(a));
			break;
		case IFLA_MTU: l.mtu = rta_u32(a); break;
		case IFLA_ADDRESS:
			if (RTA_PAYLOAD(a) == 6) {
				memcpy(l.addr, RTA_DATA(a), 6);
				l.has_addr = true;
			}
			break;
		case IFLA_AF_SPEC: link_af_spec(&l, a); break;
		}
	}
	return lw_nh_state_add_link(st, &l);
}

static int parse_rule(struct lw_nh_state *st, const struct nlmsghdr *nh)
{
	const struct fib_rule_hdr *h = NLMSG_DATA(nh);
	const struct rtattr *a;
	struct lw_nh_rule r;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*h)))
		return -EINVAL;
	r = (struct lw_nh_rule){ .family = h->family,
				 .action = h->action,
				 .table = h->table,
				 .selectors = h->dst_len || h->src_len || h->tos || h->flags };
	a = (const struct rtattr *)((const char *)h + NLMSG_ALIGN(sizeof(*h)));
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*h)));
	for_each_rta(a, len)
	{
		switch (a->rta_type) {
		case FRA_PRIORITY: r.priority = rta_u32(a); break;
		case FRA_TABLE: r.table = rta_u32(a); break;
		case FRA_PROTOCOL: break; /* who made it, not what it matches */
		case FRA_SUPPRESS_PREFIXLEN:
		case FRA_SUPPRESS_IFGROUP: r.selectors |= rta_u32(a) != UINT32_MAX; break;
		default: r.selectors = true; /* a match we do not mirror */
		}
	}
	return lw_nh_state_add_rule(st, &r);
}

int lw_nh_parse_msg(struct lw_nh_state *st, const struct nlmsghdr *nh)
{
	struct lw_nh_neigh n;
	int r;

	switch (nh->nlmsg_type) {
	case RTM_NEWROUTE: return parse_route(st, nh);
	case RTM_NEWLINK: return parse_link(st, nh);
	case RTM_NEWRULE: return parse_rule(st, nh);
	case RTM_NEWNEIGH:
		r = parse_neigh_into(&n, nh);
		return r ? r : lw_nh_state_add_neigh(st, &n);
	}
	return 0;
}

/* ---- dumps ------------------------------------------------------------------------- */

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* strict checking: the kernel honours the family of a dump request */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* The header each dump request carries after the netlink header. */
static size_t dump_header(int type, unsigned char family, void *h)
{
	switch (type) {
	case RTM_GETLINK:
		((struct ifinfomsg *)h)->ifi_family = family;
		return sizeof(struct ifinfomsg);
	case RTM_GETROUTE: ((struct rtmsg *)h)->rtm_family = family; return sizeof(struct rtmsg);
	case RTM_GETNEIGH: ((struct ndmsg *)h)->ndm_family = family; return sizeof(struct ndmsg);
	default: ((struct fib_rule_hdr *)h)->family = family; return sizeof(struct fib_rule_hdr);
	}
}

/* The messages of one batch: 1 at the end of the dump, 0 for more,
 * -errno. */
static int dump_batch(struct lw_nh_state *st, const char *buf, int n, unsigned seq)
{
	for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, (unsigned)n);
	     nh = NLMSG_NEXT(nh, n)) {
		int r;

		if (nh->nlmsg_seq != seq)
			continue;
		if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EAGAIN;
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : 1;
		}
		if ((r = lw_nh_parse_msg(st, nh)))
			return r;
	}
	return 0;
}

static int dump(int fd, int type, unsigned char family, struct lw_nh_state *st, char *buf)
{
	static unsigned seq;
	struct {
		struct nlmsghdr nh;
		char body[64];
	} req = { 0 };
	int r = 0;

	req.nh.nlmsg_type = (uint16_t)type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++seq;
	req.nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(dump_header(type, family, req.body));
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	while (!r) {
		ssize_t n = recv(fd, buf, NL_BUF, 0);

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -EIO;
		r = dump_batch(st, buf, (int)n, req.nh.nlmsg_seq);
	}
	return r < 0 ? r : 0;
}

static bool read_use_pmtu(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward_use_pmtu", "r");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

int lw_nh_read_kernel(struct lw_nh_state *st, char *err, size_t errlen)
{
	static const struct {
		int type;
		unsigned char family;
		const char *what;
	} dumps[] = {
		{ RTM_GETLINK, AF_UNSPEC, "links" },
		{ RTM_GETROUTE, AF_INET, "IPv4 routes" },
		{ RTM_GETROUTE, AF_INET6, "IPv6 routes" },
		{ RTM_GETNEIGH, AF_UNSPEC, "neighbours" },
		{ RTM_GETRULE, AF_INET, "IPv4 rules" },
		{ RTM_GETRULE, AF_INET6, "IPv6 rules" },
	};
	static char buf[NL_BUF] __attribute__((aligned(8)));
	int fd = nl_socket(), r = 0;

	st->n_routes = st->n_neighs = st->n_links = st->n_rules = 0;
	if (fd < 0) {
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(-fd));
		return fd;
	}
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && !r; i++) {
		r = dump(fd, dumps[i].type, dumps[i].family, st, buf);
		if (r)
			snprintf(err, errlen, "reading the %s: %s", dumps[i].what, strerror(-r));
	}
	close(fd);
	st->ipv4_fwd_use_pmtu = read_use_pmtu();
	return r;
}

/* ---- events ------------------------------------------------------------------------ */

int lw_nh_events_open(char *err, size_t errlen)
{
	static const int groups[] = {
		RTNLGRP_LINK,         RTNLGRP_NEIGH,      RTNLGRP_IPV4_IFADDR,
		RTNLGRP_IPV6_IFADDR,  RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
		RTNLGRP_IPV4_RULE,    RTNLGRP_IPV6_RULE,  RTNLGRP_IPV4_NETCONF,
		RTNLGRP_IPV6_NETCONF, RTNLGRP_NEXTHOP,
	};
	int fd = nl_socket(), size = 1 << 20;

	if (fd < 0) {
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(-fd));
		return fd;
	}
	/* a burst of changes must not overflow before the daemon reads it (an
	 * overflow costs a full read of the tables, not correctness) */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i]))) {
			int e = -errno;

			snprintf(err, errlen, "rtnetlink group %d: %s", groups[i], strerror(errno));
			close(fd);
			return e;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		int e = -errno;

		close(fd);
		snprintf(err, errlen, "O_NONBLOCK: %s", strerror(-e));
		return e;
	}
	return fd;
}

bool lw_nh_event_matters(const struct nlmsghdr *nh, const struct lw_nh_gw *gw, size_t n)
{
	struct lw_nh_neigh nb;

	if (nh->nlmsg_type != RTM_NEWNEIGH && nh->nlmsg_type != RTM_DELNEIGH)
		return nh->nlmsg_type >= RTM_BASE;
	if (parse_neigh_into(&nb, nh))
		return false;
	for (size_t i = 0; i < n; i++)
		if (gw[i].family == nb.family && gw[i].ifindex == nb.ifindex &&
		    !memcmp(gw[i].addr, nb.dst, nb.family == AF_INET ? 4 : 16))
			return true;
	return false;
}
