/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One counter slot per outcome and drop reason. Names follow RFC 8676
 * traffic-stat where it has one, Snabb's counter names otherwise. The X-macro
 * keeps the enum and the printable names in one list. */
#ifndef LW4O6_STATS_H
#define LW4O6_STATS_H

#include <linux/types.h>

/* One aligned row per counter: clang-format would break the table. */
/* clang-format off */
#define LW_STAT_LIST(X)                                                         \
	X(RCVD_IPV6,            "rcvd-ipv6")                /* softwire packets in from B4s */ \
	X(RCVD_IPV4,            "rcvd-ipv4")                /* IPv4 in from the internet */ \
	X(SENT_IPV4,            "sent-ipv4")                /* decapsulated, to the internet */ \
	X(SENT_IPV6,            "sent-ipv6")                /* encapsulated, to B4s */ \
	X(HAIRPIN_IPV4,         "hairpin-ipv4")             /* B4 to B4 without leaving */ \
	X(DROP_NO_SRC_SOFTWIRE, "drop-no-source-softwire")  /* decap: no binding for src/port/B4 */ \
	X(DROP_WRONG_BR,        "drop-wrong-br-address")    /* decap: binding belongs to another BR */ \
	X(DROP_NO_DST_SOFTWIRE, "drop-no-dest-softwire")    /* encap: no binding for dst/port */ \
	X(DROP_HAIRPIN_OFF,     "drop-hairpinning-disabled") \
	X(DROP_TTL_ZERO,        "drop-ttl-zero-ipv4")        \
	X(DROP_OVER_MTU_DF,     "drop-over-mtu-but-dont-fragment-ipv4") \
	X(PUNT_FRAG_NEEDED,     "punt-over-mtu-fragment-ipv4") /* DF clear: slow path fragments */ \
	X(PUNT_INNER_FRAGMENT,  "punt-inner-ipv4-fragment") /* from B4s: the slow path reassembles (AFTR-DECAP-6) */ \
	X(PUNT_IPV6_FRAGMENT,   "punt-ipv6-fragment")       /* to a BR: the slow path reassembles */ \
	X(DROP_BAD_IPV4,        "drop-malformed-ipv4")       \
	X(DROP_BAD_IPV6,        "drop-malformed-ipv6")       \
	X(DROP_BAD_INNER,       "drop-malformed-inner-ipv4") \
	X(DROP_ICMPV4_IN_OFF,   "drop-in-by-policy-icmpv4") \
	X(DROP_ICMPV4_CSUM,     "drop-bad-checksum-icmpv4") \
	X(DROP_ICMPV4_TYPE,     "drop-unsupported-icmpv4")   \
	X(DROP_ICMPV6_IN,       "drop-in-icmpv6")           /* ICMPv6 errors: relayed by the slow path */ \
	X(DROP_MISPLACED_IPV4,  "drop-misplaced-ipv4")      /* IPv4 on the access side: not for the router, or from a pool address */ \
	X(DROP_MISPLACED_IPV6,  "drop-misplaced-ipv6")      /* softwire IPv6 on the internet side, or a chain hiding it */ \
	X(DROP_FIB,             "drop-no-route")             \
	X(PASS_FOREIGN_EGRESS,  "pass-foreign-egress")      /* routed via another interface */ \
	X(DROP_ADJUST,          "drop-headroom")             \
	X(PASS_NO_NEIGH,        "pass-unresolved-neighbour") \
	X(PASS_PCP_BOOTSTRAP,   "pass-pcp-bootstrap")       /* AFTR-DECAP-8 */ \
	X(PASS_NOT_OURS,        "pass-not-lw4o6")            \
	X(EVENT_SENT,           "events-sent")               \
	X(EVENT_SUPPRESSED,     "events-rate-limited")       \
	X(EVENT_RINGBUF_FULL,   "events-ringbuf-full")       \
	X(PUNT_IPV4_FRAGMENT,   "punt-ipv4-fragment")       /* from the internet: the slow path reassembles */ \
	X(DROP_FRAGMENT_CAPTURE, "drop-fragment-over-capture") /* longer than an event holds */ \
	X(DROP_IPV6_EXT,        "drop-ipv6-extension-header") /* to a BR: routing header, or a chain not walked (AFTR-GEN-1) */
/* clang-format on */

#define LW_STAT_ENUM_(name, str) LW_STAT_##name,
enum lw_stat { LW_STAT_LIST(LW_STAT_ENUM_) LW_STAT_MAX };
#undef LW_STAT_ENUM_

struct lw_counter {
	__u64 packets;
	__u64 bytes;
};

#endif
