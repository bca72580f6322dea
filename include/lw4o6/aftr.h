/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* lwAFTR map keys and values (RFC 7596 §6.1 binding table, RFC 8676 names). */
#ifndef LW4O6_AFTR_H
#define LW4O6_AFTR_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/in6.h>
#include "psid.h"

#define LW_MAX_BR_ADDRS          256
#define LW_DEFAULT_MAX_SOFTWIRES (1u << 20)
#define LW_DEFAULT_MAX_IPV4      (1u << 20)

/* Softwire lookup key: {public IPv4, PSID}. */
struct lw_softwire_key {
	__be32 ipv4;
	__u16 psid;
	__u16 reserved; /* must be zero */
};

/* One binding-entry. The counters live in the value so that the fast path
 * pays no second lookup; they are updated atomically. */
struct lw_softwire {
	struct in6_addr b4_ipv6; /* binding-ipv6info */
	__u32 br_index;          /* index into lw_br_addrs */
	__u32 flags;             /* reserved */
	__u64 decap_packets;     /* from the B4, validated and forwarded */
	__u64 decap_bytes;
	__u64 encap_packets; /* towards the B4 */
	__u64 encap_bytes;
};

/* lw_ipv4_pools key (LPM trie): prefixlen first, as the kernel requires. */
struct lw_ipv4_prefix {
	__u32 prefixlen;
	__be32 addr;
};

/* lw_br_addrs: HASH BR IPv6 address → struct lw_br (its index). The index is
 * what a softwire stores, so a softwire names its BR in four bytes. */
struct lw_br {
	__u32 index;
	__u32 reserved;
};

enum lw_echo_policy {
	LW_ECHO_IDENTIFIER = 0, /* RFC 7596 §8.1: the Identifier is the port */
	LW_ECHO_PORT0 = 1,      /* Snabb: requests are looked up with port 0 */
	LW_ECHO_DROP = 2,
};

enum lw_cfg_flags {
	LW_CFG_HAIRPINNING = 1u << 0,     /* enable-hairpinning */
	LW_CFG_ALLOW_ICMPV4_IN = 1u << 1, /* allow-incoming-icmpv4 */
	LW_CFG_ALLOW_ICMPV6_IN = 1u << 2, /* ICMPv6 errors from the access side */
	LW_CFG_ICMPV4_ERRORS = 1u << 3,   /* generate-icmpv4-errors */
	LW_CFG_ICMPV6_ERRORS = 1u << 4,   /* generate-icmpv6-errors */
	LW_CFG_PCP_BOOTSTRAP = 1u << 5,   /* pass in-tunnel PCP from unbound B4s */
	LW_CFG_TTL_DECAP = 1u << 6,       /* decrement TTL on decapsulation (design decision 7) */
	/* Static next hop (Snabb's model): skip the FIB for that family and send
	 * out of the side's interface to the configured MAC. */
	LW_CFG_STATIC_NH4 = 1u << 7,
	LW_CFG_STATIC_NH6 = 1u << 8,
	/* --nexthop fib: bpf_fib_lookup() for every packet, whatever the
	 * next-hop cache (lw_nexthop) says. Clear: the cache where pcpd keeps
	 * it, the FIB elsewhere (issue 11). */
	LW_CFG_NH_FIB = 1u << 9,
};

#define LW_CFG_DEFAULT_FLAGS                                                    \
	(LW_CFG_HAIRPINNING | LW_CFG_ALLOW_ICMPV4_IN | LW_CFG_ALLOW_ICMPV6_IN | \
	 LW_CFG_ICMPV4_ERRORS | LW_CFG_ICMPV6_ERRORS | LW_CFG_PCP_BOOTSTRAP | LW_CFG_TTL_DECAP)

/* lw_aftr_cfg[0]: everything an operator may change at run time. */
struct lw_aftr_config {
	__u32 flags;        /* enum lw_cfg_flags */
	__u32 ipv4_ifindex; /* internet side; equal to ipv6_ifindex on a stick */
	__u32 ipv6_ifindex; /* access side */
	__u16 ipv4_vlan;    /* 802.1Q VID on the internet side, 0 = untagged */
	__u16 ipv6_vlan;    /* 802.1Q VID on the access side, 0 = untagged */
	__u16 ipv4_mtu;     /* largest IPv4 packet sent on the internet side */
	__u16 ipv6_mtu;     /* largest IPv6 packet sent on the access side */
	__u8 echo_policy;   /* enum lw_echo_policy */
	__u8 hop_limit;     /* outer hop limit of encapsulated packets */
	__u16 reserved;
	__u32 event_rate;     /* events per second allowed to the slow path */
	__u32 event_burst;    /* token-bucket depth */
	__u8 ipv4_src_mac[6]; /* LW_CFG_STATIC_NH4: our MAC on the internet side */
	__u8 ipv4_nh_mac[6];  /*   and the next hop's */
	__u8 ipv6_src_mac[6]; /* LW_CFG_STATIC_NH6: our MAC on the access side */
	__u8 ipv6_nh_mac[6];  /*   and the next hop's */
};

/* The event token buckets of each program (lw_ratelimit, lw_b4_ratelim),
 * each shared by every CPU and filled at the configured event rate. Packets
 * the slow path forwards (fragments, packets to fragment) take their own
 * bucket, so that a flood of them cannot starve the signals: the ICMP
 * errors and the events failover rests on (no binding, pool exhausted). */
enum lw_event_bucket {
	LW_BUCKET_SIGNAL = 0,
	LW_BUCKET_BULK = 1,
	LW_EVENT_BUCKETS = 2,
};

struct lw_token_bucket {
	struct bpf_spin_lock lock;
	__u32 tokens_milli; /* tokens × 1000 */
	__u64 last_ns;
};

#ifndef __bpf__
_Static_assert(sizeof(struct lw_softwire_key) == 8, "softwire key layout");
_Static_assert(sizeof(struct lw_softwire) == 56, "softwire value layout");
_Static_assert(sizeof(struct lw_aftr_config) == 56, "config layout");
#endif

#endif
