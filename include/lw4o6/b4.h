/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* lwB4 (customer edge, RFC 7596 §5) map keys, values, configuration, counters
 * and ring-buffer records: the one definition shared by bpf/b4/lw4o6_b4.bpf.c and
 * user space (lib/b4/b4_maps.c, pcpd, the selftests).
 *
 * NAPT state (B4-NAT-2/3): one session slot per external endpoint, in a
 * dense array indexed by (protocol, position of the port in the pool), and
 * one hash index for the way out:
 *   lw_b4_sess  [proto index * LW_B4_POOL_PORTS + set base + port - first]
 *               → session: internal and external endpoint, filter, timers
 *   lw_b4_out   {proto, internal addr, internal port} → that position (EIM)
 * An inbound packet reaches its session in one step from its destination
 * port; an outbound one through one hash lookup. A slot is claimed with one
 * 64-bit compare-and-swap of its owner word (free = 0), so no external port
 * ever carries two mappings (B4-NAT-3); the lw_b4_out entry, inserted with
 * BPF_NOEXIST, arbitrates between two creators of one internal endpoint's
 * mapping. User space (lib/b4/b4_maps.c) maps both arrays and takes and
 * frees slots with the same atomics. */
#ifndef LW4O6_B4_H
#define LW4O6_B4_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/in6.h>
#include "abi.h"
#include "events.h" /* LW_EVENT_HEAD */

/* Kernel object names (≤ 15 characters, P16). Distinct from the lwAFTR's so
 * that both roles can share one pin root. */
#define LW_MAP_B4_META    lw_b4_meta
#define LW_MAP_B4_CFG     lw_b4_cfg
#define LW_MAP_B4_POOL    lw_b4_pool
#define LW_MAP_B4_OUT     lw_b4_out
#define LW_MAP_B4_SESS    lw_b4_sess
#define LW_MAP_B4_LIFE    lw_b4_life
#define LW_MAP_B4_STATS   lw_b4_stats
#define LW_MAP_B4_EVENTS  lw_b4_events
#define LW_MAP_B4_RATELIM lw_b4_ratelim
#define LW_MAP_B4_USAGE   lw_b4_usage

#define LW_B4_PROG_NAME "lw4o6_b4"

/* Granted port sets held at once (PCP grants, one per MAP response). */
#define LW_B4_POOL_MAX 8
/* Entries of lw_b4_out: mappings of all protocols together. */
#define LW_B4_MAX_SESSIONS 65536
/* Ports of all held sets together, the positions of one protocol's part of
 * lw_b4_sess: the sets of the pool lie side by side in 0..65535 (base). */
#define LW_B4_POOL_PORTS 65536
/* TCP, UDP, ICMP (echo Identifiers): lw_b4_proto_index */
#define LW_B4_PROTOS     3
#define LW_B4_SESS_SLOTS (LW_B4_PROTOS * LW_B4_POOL_PORTS)
/* Remote addresses remembered per mapping for address-dependent filtering. */
#define LW_B4_REMOTES 4

/* lw_b4_pool[i]: one granted port set; size 0 marks a free slot. Ports
 * first .. first + size - 1 of ipv4; size is a power of two and first a
 * multiple of it (PCP grants are aligned blocks, design.md "Maps"). Port p
 * of the set is position base + p - first of the pool: base is chosen by
 * user space when the set is added (lw_b4_pool_add), a multiple of size with
 * base + size <= LW_B4_POOL_PORTS, no two held sets' ranges overlapping.
 * Held sets fill slots 0 .. n-1, none free between them (lw_b4_pool_del
 * moves the last set into the slot it frees): the data plane's walks stop
 * at the first free slot. */
struct lw_b4_portset {
	__be32 ipv4;
	__u32 first;         /* host order; 0..65535 */
	__u32 size;          /* host order; 1..65536, a power of two; 0 = slot unused */
	__u32 lease_expires; /* CLOCK_REALTIME second at which a PCP grant of this set ends; 0 = a static set (no lease). The data plane ignores it. */
	__u32 base;          /* the set's first position in the pool (above) */
	__u32 reserved;      /* zero */
};

enum lw_b4_cfg_flags {
	/* Endpoint-independent filtering (B4-NAT-4); clear = address-dependent */
	LW_B4_CFG_EIF = 1u << 0,
	/* TCP MSS clamping on SYN and SYN/ACK (B4-FRAG-4) */
	LW_B4_CFG_MSS_CLAMP = 1u << 1,
	/* Events for oversize packets (→ ICMPv4 3/4 / fragmentation by pcpd) */
	LW_B4_CFG_EVENTS = 1u << 2,
	/* --nexthop fib: bpf_fib_lookup() for every packet to the lwAFTR,
	 * whatever the next-hop cache (lw_b4_nexthop) says (issue 11) */
	LW_B4_CFG_NH_FIB = 1u << 3,
};

#define LW_B4_CFG_DEFAULT_FLAGS (LW_B4_CFG_MSS_CLAMP | LW_B4_CFG_EVENTS)

/* RFC 4787 REQ-5 / RFC 5382 REQ-5 / RFC 5508 REQ-2 defaults, in seconds. */
#define LW_B4_DEFAULT_UDP_TIMEOUT       300
#define LW_B4_DEFAULT_TCP_EST_TIMEOUT   7440
#define LW_B4_DEFAULT_TCP_TRANS_TIMEOUT 240
#define LW_B4_DEFAULT_ICMP_TIMEOUT      60

/* lw_b4_cfg[0]. The tunnel MTU is the largest IPv6 packet sent to the
 * lwAFTR; the IPv4 MTU of the tunnel is ipv6_mtu - 40 and the MSS clamp
 * ipv6_mtu - 80. Only untagged frames are handled (tagged ones pass). */
struct lw_b4_config {
	struct in6_addr tunnel_addr; /* our softwire endpoint (outer source) */
	struct in6_addr aftr_addr;   /* the lwAFTR (outer destination) */
	__u32 flags;                 /* enum lw_b4_cfg_flags */
	__u32 lan_ifindex;           /* IPv4 side */
	__u32 wan_ifindex;           /* IPv6 side; may equal lan_ifindex */
	__be32 lan_addr;             /* our LAN address: traffic to it passes */
	__u8 lan_prefixlen;          /* LAN hosts: lan_addr/lan_prefixlen */
	__u8 hop_limit;              /* outer hop limit */
	__u16 ipv6_mtu;              /* tunnel MTU */
	__u32 event_rate;            /* events per second to the slow path */
	__u32 event_burst;           /* token-bucket depth */
	/* mapping timers in seconds, enforced by lw_b4_expire() */
	__u32 udp_timeout;
	__u32 tcp_est_timeout;
	__u32 tcp_trans_timeout;
	__u32 icmp_timeout;
	/* POOL_THRESHOLD event when a new mapping brings the ports mapped to
	 * this percentage of the pool's ports or more (1..100; 0 = off).
	 * Re-armed once a later mapping finds usage below it again. */
	__u32 pool_warn_pct;
};

/* lw_b4_usage: ports mapped = [CREATED].count - [RELEASED].count, computed
 * modulo 2^64 (a difference above 2^63 reads as 0). Each entry has one
 * writer, so neither needs a lock: the data plane adds to CREATED
 * atomically on every mapping it creates, user space (b4_maps.c) adds to
 * RELEASED the mappings it deletes (expiry, flushes) and subtracts from it
 * the explicit mappings it creates (lw_b4_explicit_set), so RELEASED may
 * wrap below zero. above is the data plane's: set while usage is at or over
 * pool_warn_pct (one event per crossing). */
enum lw_b4_usage_slot {
	LW_B4_USAGE_CREATED = 0,
	LW_B4_USAGE_RELEASED = 1,
	LW_B4_USAGE_SLOTS = 2,
};

struct lw_b4_usage {
	__u64 count;
	__u32 above;
	__u32 reserved;
};

/* lw_b4_out key: the internal endpoint (endpoint-independent mapping). */
struct lw_b4_out_key {
	__be32 addr;   /* internal (LAN) address */
	__be16 port;   /* internal port, ICMP echo Identifier */
	__u8 proto;    /* IPPROTO_TCP / UDP / ICMP */
	__u8 reserved; /* zero */
};

/* TCP state bits (RFC 5382 timers; RFC 7857 §2). */
enum lw_b4_tcp_state {
	LW_B4_TCP_SYN_OUT = 1u << 0,
	LW_B4_TCP_SYN_IN = 1u << 1,
	LW_B4_TCP_FIN_OUT = 1u << 2,
	LW_B4_TCP_FIN_IN = 1u << 3,
	LW_B4_TCP_RST = 1u << 4,
};

/* Explicit mappings (PCP MAP/PEER requested by a LAN host and answered by
 * pcpd from the lwB4's own sets, PCPC-12). A dynamic mapping has
 * LW_B4_PCP_NONE; only user space (lw_b4_explicit_set) sets another kind. */
enum lw_b4_pcp_kind {
	LW_B4_PCP_NONE = 0,
	LW_B4_PCP_MAP = 1, /* any remote admitted (RFC 6887 §11: a MAP opens the port) */
	LW_B4_PCP_PEER =
		2, /* filtered like a dynamic mapping (ADF/EIF per config); the peer is in remotes[] */
};

/* lw_b4_out value: the mapping's external endpoint, which an outbound
 * packet found here takes without waiting for the session's cache line
 * (the session confirms it), and where the session is. */
struct lw_b4_out_val {
	__be32 ext_addr;
	__be16 ext_port;
	__u16 pos; /* in the protocol's part of lw_b4_sess */
};

/* lw_b4_sess[pos]: the session of one external endpoint, one cache line.
 * The owner word is the slot's state, changed only by 64-bit
 * compare-and-swap: 0 = free; a claim from 0 writes the internal endpoint
 * (live 0); live = 1 once the session is whole and its lw_b4_out entry in
 * place (inbound packets use live slots only); back to 0 when the mapping
 * goes, whatever else it holds then. pcp_kind lives there too, so that
 * user space changing it cannot undo a data plane's claim or release. */
struct lw_b4_sess {
	union {
		struct {
			__be32 int_addr; /* internal (LAN) address, never 0 */
			__be16 int_port; /* internal port, ICMP echo Identifier */
			__u8 live;
			__u8 pcp_kind; /* enum lw_b4_pcp_kind; set by user space only */
		};
		__u64 owner;
	};
	__be32 ext_addr; /* external endpoint: a port of the pool */
	__be16 ext_port;
	__u8 tcp_state;   /* enum lw_b4_tcp_state bits */
	__u8 next_remote; /* next slot of remotes[] to overwrite */
	/* address-dependent filtering: the last LW_B4_REMOTES distinct
	 * destinations the mapping sent to (0 = empty slot) */
	__be32 remotes[LW_B4_REMOTES];
	__u64 last_out_ns; /* refreshed by outbound packets (B4-NAT-6) */
	__u64 last_in_ns;  /* inbound packets; TCP timers only */
	__u64 packets_out;
	__u64 packets_in;
};

/* lw_b4_life[pos]: what only user space reads, beside the session. */
struct lw_b4_life {
	__u64 created_ns;   /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 pcp_until_ns; /* explicit mapping (PCP MAP/PEER from a LAN host): lives until this CLOCK_MONOTONIC time whatever its traffic; 0 = dynamic (idle timers) */
};

/* The index of proto's part of lw_b4_sess, or -1 (no NAPT for proto). */
static inline int lw_b4_proto_index(__u8 proto)
{
	switch (proto) {
	case 6: return 0;  /* IPPROTO_TCP */
	case 17: return 1; /* IPPROTO_UDP */
	case 1: return 2;  /* IPPROTO_ICMP */
	default: return -1;
	}
}

/* The position in lw_b4_sess of port (host order) of set ps for proto
 * index pi; port must lie in the set. Masked: always within the array. */
static inline __u32 lw_b4_sess_pos(int pi, const struct lw_b4_portset *ps, __u32 port)
{
	return (__u32)pi * LW_B4_POOL_PORTS +
	       ((ps->base + port - ps->first) & (LW_B4_POOL_PORTS - 1));
}

/* Counters: one PERCPU_ARRAY slot each, {packets, bytes} (struct
 * lw_counter from stats.h). Bytes are the frame as received, except sent-*
 * (the frame as sent). */
/* One aligned row per counter: clang-format would break the table. */
/* clang-format off */
#define LW_B4_STAT_LIST(X)                                                       \
	X(RCVD_LAN,             "rcvd-ipv4-lan")            /* IPv4 from LAN hosts to translate */ \
	X(SENT_TUNNEL,          "sent-ipv6-tunnel")         /* translated and encapsulated */ \
	X(RCVD_TUNNEL,          "rcvd-ipv6-tunnel")         /* IPv4-in-IPv6 from the lwAFTR */ \
	X(SENT_LAN,             "sent-ipv4-lan")            /* decapsulated, translated back */ \
	X(MAPPING_CREATED,      "mappings-created")          \
	X(MAPPING_RACE_LOST,    "mappings-race-lost")       /* another CPU created it first */ \
	X(MSS_CLAMPED,          "tcp-mss-clamped")           \
	X(PASS_NOT_OURS,        "pass-not-lw4o6")            \
	X(PASS_PCP,             "pass-pcp-in-tunnel")       /* B4-DP-6 */ \
	X(PASS_ICMPV6,          "pass-icmpv6-from-aftr")     \
	X(PASS_IPV6_FRAGMENT,   "pass-ipv6-fragment")        \
	X(PASS_NO_NEIGH,        "pass-unresolved-neighbour") \
	X(PASS_FOREIGN_EGRESS,  "pass-foreign-egress")       \
	X(DROP_POOL_EXHAUSTED,  "drop-pool-exhausted")      /* B4-NAT-3 */ \
	X(DROP_NO_POOL,         "drop-no-port-set")         /* nothing granted yet */ \
	X(DROP_BAD_IPV4,        "drop-malformed-ipv4")       \
	X(DROP_BAD_INNER,       "drop-malformed-inner-ipv4") \
	X(DROP_IPV4_FRAGMENT,   "drop-ipv4-fragment")        \
	X(DROP_PROTO,           "drop-unsupported-protocol") \
	X(DROP_ICMP_TYPE,       "drop-unsupported-icmpv4")  /* not echo, echo reply or an error */ \
	X(DROP_TTL_ZERO,        "drop-ttl-zero-ipv4")        \
	X(DROP_OVER_MTU_DF,     "drop-over-mtu-but-dont-fragment-ipv4") \
	X(PUNT_FRAG_NEEDED,     "punt-over-mtu-fragment-ipv4") /* B4-FRAG-1: translated, to pcpd */ \
	X(DROP_FRAG_TOO_LONG,   "drop-over-mtu-too-long-to-punt") /* B4-FRAG-1: beyond the event capture */ \
	X(DROP_WRONG_AFTR,      "drop-ipip-not-from-aftr")  /* B4-DP-3 */ \
	X(DROP_NOT_OUR_PORT,    "drop-not-our-address-port") /* B4-DP-4 */ \
	X(DROP_NO_MAPPING,      "drop-no-mapping")          /* in the pool, unmapped */ \
	X(DROP_FILTERED,        "drop-filtered-adf")        /* B4-NAT-4 */ \
	X(DROP_FIB,             "drop-no-route")             \
	X(DROP_ADJUST,          "drop-headroom")             \
	X(EVENT_SENT,           "events-sent")               \
	X(EVENT_SUPPRESSED,     "events-rate-limited")       \
	X(EVENT_RINGBUF_FULL,   "events-ringbuf-full")      \
	X(HAIRPIN,              "hairpin-ipv4-lan")         /* B4-NAT-10: LAN to LAN via our address */ \
	X(ICMP_ERR_IN,          "icmpv4-errors-translated-in")  /* B4-NAT-15: tunnel to LAN */ \
	X(ICMP_ERR_OUT,         "icmpv4-errors-translated-out") /* B4-NAT-15: LAN to tunnel */ \
	X(DROP_ICMP_CSUM,       "drop-bad-checksum-icmpv4")  /* RFC 5508 REQ-3 */ \
	X(DROP_ICMP_QUOTE,      "drop-icmpv4-error-bad-quote") /* REQ-3a: quoted header checksum, protocol */ \
	X(DROP_ICMP_NO_MAPPING, "drop-icmpv4-error-no-mapping") /* B4-NAT-16 */ \
	X(POOL_THRESHOLD,       "pool-usage-threshold-crossed") /* pool_warn_pct reached */ \
	X(DROP_UNSOLICITED_SYN, "drop-unsolicited-syn")     /* B4-NAT-9: SYN (no ACK) to an unmapped pool port */ \
	X(CLAIM_ERROR,          "port-claim-errors")        /* reverse insert failed other than EEXIST */
/* clang-format on */

#define LW_B4_STAT_ENUM_(name, str) LW_B4_STAT_##name,
enum lw_b4_stat { LW_B4_STAT_LIST(LW_B4_STAT_ENUM_) LW_B4_STAT_MAX };
#undef LW_B4_STAT_ENUM_

/* Ring-buffer records of the lwB4 (lw_b4_events). */
#define LW_B4_EVENT_MAX_CAPTURE    1536
#define LW_B4_EVENTS_RINGBUF_BYTES (1u << 20)

enum lw_b4_event_type {
	LW_B4_EV_TOO_BIG_DF = 1,     /* → ICMPv4 3/4, mtu = tunnel IPv4 MTU (B4-FRAG-2);
				       * the original packet (the quote) */
	LW_B4_EV_FRAG_NEEDED = 2,    /* DF clear: the packet AFTER the NAPT (source
				       * external, TTL-1); pcpd encapsulates it and
				       * sends the IPv6 packet in fragments of at most
				       * the tunnel MTU, built by itself (B4-FRAG-1) */
	LW_B4_EV_POOL_EXHAUSTED = 3, /* no free port: ask for another set (B4-NAT-17) */
	LW_B4_EV_TTL_EXPIRED = 4,    /* → ICMPv4 11/0 */
	LW_B4_EV_NO_BINDING = 5,     /* ICMPv6 1/5 from the lwAFTR: ps_* name the set */
	LW_B4_EV_POOL_THRESHOLD = 6, /* pool_warn_pct reached: ps_first = ports mapped,
				       * ps_size = ports in the pool */
};

enum lw_b4_event_dir {
	LW_B4_DIR_FROM_LAN = 1,
	LW_B4_DIR_FROM_WAN = 2,
};

struct lw_b4_event {
	LW_EVENT_HEAD; /* mtu: TOO_BIG_DF the MTU to report, FRAG_NEEDED the tunnel's */
	/* NO_BINDING: the port set the quoted packet used (size 0: none of
	 * ours); POOL_EXHAUSTED: zero; POOL_THRESHOLD: ps_first = ports
	 * mapped, ps_size = ports in the pool (ps_ipv4 zero) */
	__be32 ps_ipv4;
	__u32 ps_first;
	__u32 ps_size;
	__u8 pkt[LW_B4_EVENT_MAX_CAPTURE];
};

_Static_assert(__builtin_offsetof(struct lw_b4_event, cap_len) == 16 &&
		       __builtin_offsetof(struct lw_b4_event, ps_ipv4) ==
			       sizeof(struct lw_event_head) &&
		       sizeof(struct lw_b4_event) == 36 + LW_B4_EVENT_MAX_CAPTURE,
	       "lwB4 event layout");

#ifndef __bpf__
_Static_assert(sizeof(struct lw_b4_portset) == 24, "port set layout");
_Static_assert(sizeof(struct lw_b4_config) == 80, "lwB4 config layout");
_Static_assert(sizeof(struct lw_b4_usage) == 16, "usage layout");
_Static_assert(sizeof(struct lw_b4_out_key) == 8, "out key layout");
_Static_assert(sizeof(struct lw_b4_out_val) == 8, "out value layout");
_Static_assert(sizeof(struct lw_b4_sess) == 64, "session layout: one cache line");
_Static_assert(sizeof(struct lw_b4_life) == 16, "life layout");
_Static_assert(sizeof(LW_STR(LW_MAP_B4_RATELIM)) <= 16, "map name length");
#endif

#endif
