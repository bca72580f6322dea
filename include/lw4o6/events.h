/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Records the data plane writes to the lw_events ring buffer for the slow
 * path (pcpd). Each carries the offending packet from its network header on,
 * because every reaction (an ICMP error, fragmentation) quotes or resends it.
 *
 * A packet from a B4 is captured from its outer IPv6 header (l3_proto
 * ETH_P_IPV6), so the reaction knows the B4 and the BR it was sent to --
 * except the too-big events of a hairpinned packet, raised after the outer
 * header was stripped: those carry the inner IPv4 packet (ETH_P_IP with
 * LW_DIR_FROM_B4), whose B4 the slow path finds in the binding table. */
#ifndef LW4O6_EVENTS_H
#define LW4O6_EVENTS_H

#include <linux/types.h>

/* Enough for a 1500-byte IPv4 packet (fragmentation), a fragment from a
 * 1500-byte link, and the 1280-byte ICMPv6 quote limit. */
#define LW_EVENT_MAX_CAPTURE    1536
#define LW_EVENTS_RINGBUF_BYTES (1u << 22)

enum lw_event_type {
	LW_EV_DECAP_NO_BINDING = 1, /* → ICMPv6 1/5 to the B4 (AFTR-DECAP-3) */
	LW_EV_ENCAP_NO_BINDING = 2, /* → ICMPv4 3/1 to the sender (AFTR-ENCAP-2) */
	LW_EV_TTL_EXPIRED = 3,      /* → ICMPv4 11/0 (AFTR-DECAP-7) */
	LW_EV_TOO_BIG_DF = 4,       /* → ICMPv4 3/4 with mtu (AFTR-ENCAP-4) */
	LW_EV_FRAG_NEEDED = 5,      /* DF clear: encapsulate and fragment the IPv6 packet */
	LW_EV_ICMPV6_ERROR = 6,     /* ICMPv6 error about a tunnel packet (AFTR-ICMP-6) */
	LW_EV_FRAGMENT = 7,         /* an IPv4 fragment from the internet (dir FROM_INTERNET,
				     * ETH_P_IP; AFTR-ENCAP-5), or a packet to a BR that
				     * is an IPv6 fragment or carries an IPv4 fragment
				     * (FROM_B4, ETH_P_IPV6; AFTR-DECAP-6), whole: the
				     * slow path reassembles. One that does not fit in
				     * pkt[] is dropped and counted, never truncated. */
};

enum lw_event_dir {
	LW_DIR_FROM_B4 = 1,       /* packet arrived on the access side */
	LW_DIR_FROM_INTERNET = 2, /* packet arrived on the internet side */
};

/* The head every ring-buffer record of both programs starts with (struct
 * lw_event below, struct lw_b4_event in b4.h): one list of fields, so that
 * the records and the code that fills either (bpf/common/emit.h) agree by
 * construction. A record holds it as LW_EVENT_HEAD: its fields are read
 * directly (ev->type) and filled as one struct (&ev->head). */
#define LW_EVENT_HEAD_FIELDS                                                       \
	__u16 type;     /* enum lw_event_type, enum lw_b4_event_type */            \
	__u16 dir;      /* enum lw_event_dir, enum lw_b4_event_dir */              \
	__u32 ifindex;  /* ingress interface */                                    \
	__u32 mtu;      /* the MTU the reaction uses; its meaning is the type's */ \
	__u32 pkt_len;  /* length of the packet from its network header */         \
	__u32 cap_len;  /* bytes of it in pkt[] */                                 \
	__u16 l3_proto; /* ETH_P_IP or ETH_P_IPV6, host order */                   \
	__u16 reserved;

struct lw_event_head {
	LW_EVENT_HEAD_FIELDS
};

#define LW_EVENT_HEAD                        \
	union {                              \
		struct lw_event_head head;   \
		struct {                     \
			LW_EVENT_HEAD_FIELDS \
		};                           \
	}

/* lwAFTR: mtu is the next-hop MTU to report (LW_EV_TOO_BIG_DF) or the link
 * MTU to fragment at (LW_EV_FRAG_NEEDED). */
struct lw_event {
	LW_EVENT_HEAD;
	__u8 pkt[LW_EVENT_MAX_CAPTURE];
};

/* The head is ABI: pcpd and the selftests read records at these offsets. */
_Static_assert(sizeof(struct lw_event_head) == 24, "event head layout");
_Static_assert(__builtin_offsetof(struct lw_event_head, ifindex) == 4 &&
		       __builtin_offsetof(struct lw_event_head, mtu) == 8 &&
		       __builtin_offsetof(struct lw_event_head, pkt_len) == 12 &&
		       __builtin_offsetof(struct lw_event_head, cap_len) == 16 &&
		       __builtin_offsetof(struct lw_event_head, l3_proto) == 20,
	       "event head offsets");
_Static_assert(__builtin_offsetof(struct lw_event, cap_len) == 16 &&
		       __builtin_offsetof(struct lw_event, pkt) == sizeof(struct lw_event_head) &&
		       sizeof(struct lw_event) ==
			       sizeof(struct lw_event_head) + LW_EVENT_MAX_CAPTURE,
	       "lwAFTR event layout");

#endif
