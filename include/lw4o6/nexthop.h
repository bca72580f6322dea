/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The next-hop cache (issue 11): per address family, what bpf_fib_lookup()
 * would answer for every destination the program sends that way, written by
 * a daemon that follows the kernel's routes, neighbours, links and rules
 * (lib/net/nh_*.c), so that the data plane pays a few loads instead of a FIB
 * lookup per packet. One map per role: lw_nexthop (lwAFTR), lw_b4_nexthop
 * (lwB4), both of these values.
 *
 * An entry stands for one route: destinations inside `route` and outside
 * every `except` prefix leave through `ifindex` to `dmac`, if no longer than
 * `mtu`. Everything else (the exceptions: connected subnets, local
 * addresses, more specific routes) asks the FIB, as does an entry in FIB
 * mode or past its lease (`expires`, in bpf_jiffies64() ticks), so that a
 * dead daemon leaves the FIB in charge instead of stale data.
 *
 * Readers take slot[active]; the writer fills the other slot and then flips
 * `active` (user space maps the array, BPF_F_MMAPABLE), so that no packet
 * sees half an entry. A lease renewal or a fall-back to the FIB is one
 * aligned store into the active slot. */
#ifndef LW4O6_NEXTHOP_H
#define LW4O6_NEXTHOP_H

#include <linux/types.h>

#define LW_MAP_AFTR_NEXTHOP lw_nexthop
#define LW_MAP_B4_NEXTHOP   lw_b4_nexthop

#define LW_NH_MAX_EXCEPTIONS 16

/* The map's keys. */
enum lw_nh_family {
	LW_NH_IPV4 = 0,
	LW_NH_IPV6 = 1,
	LW_NH_FAMILIES = 2,
};

enum lw_nh_mode {
	LW_NH_FIB = 0, /* ask bpf_fib_lookup(): also what a zeroed entry says */
	LW_NH_CACHED = 1,
};

/* Why an entry is what it is (status and logs; the data plane reads only
 * mode). */
enum lw_nh_reason {
	LW_NH_WHY_NO_DAEMON = 0,  /* never written: no daemon keeps the cache */
	LW_NH_WHY_CACHED,         /* mode CACHED */
	LW_NH_WHY_OPERATOR,       /* --nexthop fib */
	LW_NH_WHY_STOPPED,        /* the daemon stopped */
	LW_NH_WHY_CHANGING,       /* a change is being looked at */
	LW_NH_WHY_NO_INTERFACE,   /* the program's interface is not configured or gone */
	LW_NH_WHY_VLAN,           /* the side is tagged */
	LW_NH_WHY_RULES,          /* policy rules other than the defaults */
	LW_NH_WHY_FORWARDING,     /* forwarding off on the lookup's interface */
	LW_NH_WHY_NO_ROUTE,       /* no route for the destinations */
	LW_NH_WHY_ROUTE_SHAPE,    /* not one unicast route through a gateway */
	LW_NH_WHY_ECMP,           /* several next hops, or several routes for the prefix */
	LW_NH_WHY_FOREIGN_EGRESS, /* the route leaves elsewhere than the program's interface */
	LW_NH_WHY_LINK,           /* that interface is down or has no Ethernet address */
	LW_NH_WHY_NEIGHBOUR,      /* the gateway's neighbour entry is not valid */
	LW_NH_WHY_EXCEPTIONS,     /* too many routes inside the cached one */
	LW_NH_WHY_SHADOWED,       /* a local route covers the cached prefix */
	LW_NH_WHY_KERNEL,         /* the kernel's state could not be read */
	LW_NH_WHY_MAX,
};

/* A prefix as masks, in network byte order: an IPv4 address is the first
 * four bytes of addr (the rest zero). dst is inside when (dst & mask) ==
 * addr, addr being masked already. */
struct lw_nh_prefix {
	__u64 addr[2];
	__u64 mask[2];
};

struct lw_nh_entry {
	__u32 mode;    /* enum lw_nh_mode */
	__u32 ifindex; /* egress: one of the program's interfaces */
	__u64 expires; /* bpf_jiffies64() from which the entry is not used */
	__u8 dmac[6];  /* the gateway's */
	__u8 smac[6];  /* the egress interface's */
	__u16 mtu;     /* the route's, as bpf_fib_lookup() checks tot_len against it */
	__u8 n_except; /* entries of except[] in use */
	__u8 reason;   /* enum lw_nh_reason */
	__u32 seq;     /* bumped at each publication */
	__u32 reserved;
	struct lw_nh_prefix route;
	struct lw_nh_prefix except[LW_NH_MAX_EXCEPTIONS];
	__u8 gateway[16]; /* for status: the next hop (IPv4: first four bytes) */
};

struct lw_nh_cache {
	__u32 active; /* the slot readers use: 0 or 1 */
	__u32 reserved;
	struct lw_nh_entry slot[2];
};

#ifndef __bpf__
_Static_assert(sizeof(struct lw_nh_entry) == 600, "next-hop entry layout");
_Static_assert(sizeof(struct lw_nh_cache) == 1208, "next-hop cache layout");
#endif

#endif
