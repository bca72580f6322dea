/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* lwAFTR map keys and values (RFC 7596 §6.1 binding table, RFC 8676 names). */
#ifndef LW4O6_AFTR_H
#define LW4O6_AFTR_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/in6.h>
#include "psid.h"

#define LW_MAX_BR_ADDRS 256

/* The binding table (issue 11): built for the cache, one dependent access
 * per step, sized at load time.
 *
 *   address records, DIR-16-8-8: lw_addr_l1[addr >> 16] → l2 table + 1
 *   (0 = none; LW_L1_POOL: a pool prefix intersects this /16);
 *   lw_addr_l2[(table << 8) | addr >> 8 & 255] → record block + 1;
 *   lw_addr_recs[(block << 8) | addr & 255] → struct lw_addr;
 *   lw_addr_blocks[block] → struct lw_addr_block: when the block is uniform
 *   the data plane takes the address's record from it and never reads
 *   lw_addr_recs, a random access per packet over 8 bytes per address
 *   (1.25 MB at 10M softwires) that the header's few KiB replace.
 *
 *   softwires: slot sw_base + psid of the address's run of 2^psid-len
 *   slots, in chunk slot >> LW_SW_CHUNK_SHIFT (an inner array map of
 *   lw_sw_chunks holding one struct lw_sw_chunk) at slot & (LW_SW_CHUNK_SLOTS
 *   - 1). A chunk is sizeof(struct bpf_array) (312 B) + 512 × 56 B = 28,984
 *   B, under the 32 KiB the kernel still kmallocs from its directly mapped
 *   memory, so a lookup costs no vmalloc TLB miss; one value per chunk, so
 *   that user space reads or writes a chunk in one copy (7 µs, where 512
 *   values take 260 µs). Chunks are created as slots are used; unused ones
 *   point to the shared zeroed chunk lw_sw_empty. */
#define LW_SW_CHUNK_SHIFT 9
#define LW_SW_CHUNK_SLOTS (1u << LW_SW_CHUNK_SHIFT)
#define LW_ADDR_BLOCK     256u /* records per block (a /24), entries per l2 table (a /16) */
#define LW_L1_ENTRIES     65536u
#define LW_L1_POOL        (1u << 31)
#define LW_L1_L2_MASK     (LW_L1_POOL - 1)
#define LW_ADDR_VALID     1u /* struct lw_addr flags */
#define LW_BLOCK_UNIFORM  2u /* struct lw_addr_block head.flags */

/* Capacity (lw4o6 load aftr --max-softwires): what the object holds
 * unless the loader sizes it (lw_aftr_obj_set_capacity), and the most it
 * accepts. The maps derived from it: LW_SW_OUTER_ENTRIES chunks of slot
 * space (twice the capacity plus one 2^16 run, so that a replaced table
 * and its successor fit side by side), LW_ADDR_BLOCKS record blocks and as
 * many l2 tables. */
#define LW_DEFAULT_MAX_SOFTWIRES (1u << 20)
#define LW_MAX_SOFTWIRES_LIMIT   (1u << 26)
#define LW_SW_SPARE_CHUNKS       128u
#define LW_SW_OUTER_ENTRIES(n)   (((n) + 255u) / 256u + LW_SW_SPARE_CHUNKS)
#define LW_ADDR_MIN_BLOCKS       1024u
#define LW_ADDR_MAX_BLOCKS       65536u
#define LW_ADDR_BLOCKS(n)                                        \
	((n) / 1024u < LW_ADDR_MIN_BLOCKS   ? LW_ADDR_MIN_BLOCKS \
	 : (n) / 1024u > LW_ADDR_MAX_BLOCKS ? LW_ADDR_MAX_BLOCKS \
					    : (n) / 1024u)

/* {public IPv4, PSID}: how user space names a softwire. */
struct lw_softwire_key {
	__be32 ipv4;
	__u16 psid;
	__u16 reserved; /* must be zero */
};

/* One binding-entry, the value of a chunk slot. ipv4 and psid say whose
 * slot it is: the data plane takes a slot only when they are the packet's,
 * so that a slot read while user space moves things (a run freed and
 * given to another address) never validates a packet; ipv4 0 = free. The
 * counters live in the value, on the cache line the lookup brought in. */
struct lw_softwire {
	struct in6_addr b4_ipv6; /* binding-ipv6info */
	__be32 ipv4;             /* binding-ipv4-addr; 0: a free slot */
	__u16 psid;
	__u8 br_index;       /* index into lw_br_by_index (LW_MAX_BR_ADDRS fits) */
	__u8 origin;         /* enum lw_sw_origin: who installed it, who may change it */
	__u64 decap_packets; /* from the B4, validated and forwarded */
	__u64 decap_bytes;
	__u64 encap_packets; /* towards the B4 */
	__u64 encap_bytes;
};

/* Who owns a binding (issue 12): the configuration (lw4o6 load aftr,
 * softwire import/add) or pcpd's PCP grants. Each writer changes only its
 * own; pcpd names a grant by (ipv4, psid, b4), which the slot holds. The
 * data plane ignores the field. */
enum lw_sw_origin {
	LW_SW_ORIGIN_CONFIG = 0,
	LW_SW_ORIGIN_PCP = 1,
};

/* The value of a chunk: 512 slots. */
struct lw_sw_chunk {
	struct lw_softwire sw[1u << 9];
};

/* An address record: the address's run of slots starts at sw_base. */
struct lw_addr {
	__u32 sw_base;
	__u8 psid_offset; /* the address's port-set parameters (PSID-4) */
	__u8 psid_len;
	__u8 flags; /* LW_ADDR_VALID */
	__u8 reserved;
};

/* A record block's header (lw_addr_blocks). Uniform (head.flags
 * LW_BLOCK_UNIFORM): every address of the /24 with a record has the
 * psid-offset and psid-len of head and its run at head.sw_base + (low byte
 * << psid-len) (modulo 2^32), and present says which addresses have one. A
 * header that is not uniform says nothing: the data plane reads the
 * address's record. Writers clear a uniform header before they change the
 * block's records and write the new one after, so a packet racing them
 * finds at worst a slot that no longer names it (the slot check) and then
 * asks the record itself. */
struct lw_addr_block {
	struct lw_addr head;
	__u64 present[LW_ADDR_BLOCK / 64]; /* bit (low byte & 63) of word (low byte >> 6) */
};

/* lw_bind_state[0]: the writers' bookkeeping (user space only). Writers
 * serialise on flock() of the pin root and bump generation twice around
 * each change (odd while one is under way), so that a process holding a
 * copy of the allocator's state knows when to read it again. */
struct lw_bind_state {
	__u64 generation;
	__u32 softwires; /* installed */
	__u32 chunks;    /* chunks of their own (not lw_sw_empty) */
	__u32 addresses; /* address records */
	__u32 blocks;    /* record blocks in use */
	__u32 l2_tables; /* l2 tables in use */
	__u32 reserved;
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
	/* Per-softwire packet and byte counters (lw4o6 stats --softwires):
	 * two locked adds per packet, about 10 ns at one flow (issue 11), which
	 * an operator who does not use them may save. */
	LW_CFG_SW_COUNTERS = 1u << 10,
};

#define LW_CFG_DEFAULT_FLAGS                                                                     \
	(LW_CFG_HAIRPINNING | LW_CFG_ALLOW_ICMPV4_IN | LW_CFG_ALLOW_ICMPV6_IN |                  \
	 LW_CFG_ICMPV4_ERRORS | LW_CFG_ICMPV6_ERRORS | LW_CFG_PCP_BOOTSTRAP | LW_CFG_TTL_DECAP | \
	 LW_CFG_SW_COUNTERS)

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
	/* The BR addresses as aftr_maps.c keeps them (whatever a caller
	 * writes): with exactly one, the data plane compares with br_addr
	 * instead of hashing (lw_br_addrs), and encapsulates from it. */
	__u32 br_count;
	__u32 br_index; /* br_addr's index when br_count == 1 */
	struct in6_addr br_addr;
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
_Static_assert(sizeof(struct lw_softwire) == 56, "softwire value layout: 512 a chunk");
_Static_assert(LW_MAX_BR_ADDRS <= 256, "a BR index fits struct lw_softwire's __u8 br_index");
_Static_assert(sizeof(struct lw_addr) == 8, "address record layout");
_Static_assert(sizeof(struct lw_addr_block) == 40, "record block header layout");
_Static_assert(sizeof(struct lw_sw_chunk) == LW_SW_CHUNK_SLOTS * sizeof(struct lw_softwire),
	       "a chunk of LW_SW_CHUNK_SLOTS slots");
_Static_assert(sizeof(struct lw_bind_state) == 32, "binding state layout");
_Static_assert(sizeof(struct lw_aftr_config) == 80, "config layout");
#endif

#endif
