/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's routing state as the next-hop judge reads it (nh_classify.h):
 * rtnetlink messages parsed into struct lw_nh_state, whole dumps of it, and
 * the socket that hears about changes. */
#ifndef LW4O6_NH_NETLINK_H
#define LW4O6_NH_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include "nh_classify.h"

/* Adds what one RTM_NEWROUTE, RTM_NEWNEIGH, RTM_NEWLINK or RTM_NEWRULE
 * message says to st (other messages are ignored): 0, -EINVAL for a message
 * too short for its type, -ENOMEM. */
int lw_nh_parse_msg(struct lw_nh_state *st, const struct nlmsghdr *nh);

/* Reads the links, the IPv4 and IPv6 routes of every table, the
 * neighbours and the policy rules into st (emptied first), and
 * net.ipv4.ip_forward_use_pmtu. 0, or -errno with err written; -EAGAIN
 * when a dump was interrupted by a change (read again). */
int lw_nh_read_kernel(struct lw_nh_state *st, char *err, size_t errlen);

/* A non-blocking socket subscribed to the changes of links, addresses,
 * routes, neighbours, rules, netconf and nexthop objects: its descriptor,
 * or -errno with err written. */
int lw_nh_events_open(char *err, size_t errlen);

/* Whether a message heard on that socket may change a verdict: every
 * change but the neighbours', which count only when they are a gateway a
 * verdict rests on (gw of family on ifindex, n of them). */
struct lw_nh_gw {
	unsigned char family;
	unsigned ifindex;
	unsigned char addr[16];
};
bool lw_nh_event_matters(const struct nlmsghdr *nh, const struct lw_nh_gw *gw, size_t n);

#endif
