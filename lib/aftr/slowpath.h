/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR slow path: what pcpd does with an event the data plane wrote to
 * the lw_events ring buffer (include/lw4o6/events.h). A library of pure
 * functions -- event in, zero or more packets out -- so that the unit tests
 * and the conformance runner call exactly the code pcpd runs; pcpd owns the
 * sockets and sends what comes out (design.md, "Fast path and slow path").
 *
 * Output packets start at their IP header (no link layer): pcpd sends those
 * for a B4 through an IPv6 raw socket and those for the internet through an
 * IPv4 raw socket with IP_HDRINCL, and the kernel adds layer 2.
 *
 *   LW_EV_DECAP_NO_BINDING  ICMPv6 1/5 to the B4 (RFC 7596 §6.2, AFTR-DECAP-3)
 *   LW_EV_ENCAP_NO_BINDING  ICMPv4 3/1 to the sender (RFC 7596 §6.2, AFTR-ENCAP-2)
 *   LW_EV_TTL_EXPIRED       ICMPv4 11/0 (RFC 1812 §5.3.1, AFTR-DECAP-7)
 *   LW_EV_TOO_BIG_DF        ICMPv4 3/4 with the event's MTU (RFC 1191, RFC 2473
 *                           §7.2, AFTR-ENCAP-4)
 *   LW_EV_ICMPV6_ERROR      relayed as ICMPv4 to the original IPv4 sender
 *                           (RFC 2473 §8, AFTR-ICMP-6), if its checksum is
 *                           right and it quotes a tunnel packet of ours
 *   LW_EV_FRAG_NEEDED,      not handled here (LW_SLOWPATH_NOT_HANDLED): they need
 *   LW_EV_FRAGMENT          reassembly state and give many packets, see
 *                           slowpath_frag.h
 *
 * An ICMPv4 error about a packet that came from a B4 goes back to that B4
 * inside the tunnel (IPv4-in-IPv6 from the BR address to the B4). */
#ifndef LW4O6_SLOWPATH_H
#define LW4O6_SLOWPATH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "lw4o6/events.h"
#include "net_frag.h"

/* Largest IP packet carrying an error: RFC 1812 §4.3.2.3 (576 octets) and
 * RFC 4443 §2.4 (c) (the IPv6 minimum MTU). An ICMPv4 error sent through the
 * tunnel is at most 576 + 40 octets. */
#define LW_SLOWPATH_ICMP4_MAX 576
#define LW_SLOWPATH_ICMP6_MAX 1280
#define LW_SLOWPATH_PKT_MAX   1280
/* Every event handled here gives at most one packet; the array leaves room
 * for reactions that give more without changing the interface. */
#define LW_SLOWPATH_MAX_OUT 2

/* Returned by lw_slowpath_handle() for the events slowpath_frag.h handles
 * (LW_EV_FRAG_NEEDED, LW_EV_FRAGMENT). */
#define LW_SLOWPATH_NOT_HANDLED (-EOPNOTSUPP)

/* Finds the softwire owning (ipv4, port): 0 with its B4 and BR address, or
 *   -ENOENT  the address is not served here (no port-set parameters, no pool):
 *            a packet for it goes to the internet;
 *   other negative errno  the address is ours but no softwire owns the port.
 * port is the transport port the data plane would look the packet up with;
 * 0 for protocols without ports, which only psid-len 0 softwires carry. */
typedef int (*lw_slowpath_find_softwire_fn)(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4,
					    struct in6_addr *br);

struct lw_slowpath_cfg {
	__be32 ipv4_addr;   /* the lwAFTR's IPv4 address: source of its ICMPv4 errors */
	bool icmpv4_errors; /* generate-icmpv4-errors (RFC 8676), AFTR-ICMP-8 */
	bool icmpv6_errors; /* generate-icmpv6-errors */
	__u8 hop_limit;     /* outer hop limit of errors tunnelled to a B4; 0 = 64 */
	/* Needed where the event does not name the B4: the hairpin too-big
	 * events (inner IPv4 only), and relayed ICMPv6 errors, whose quote
	 * must be a tunnel packet to the B4 of the softwire owning its inner
	 * destination (AFTR-ICMP-6) and whose original sender may be one of
	 * our B4s. NULL: those are dropped. */
	lw_slowpath_find_softwire_fn find_softwire;
	void *ctx;
};

enum lw_slowpath_dest {
	LW_SLOWPATH_TO_B4 = LW_NET_IPV6,       /* out of the access side */
	LW_SLOWPATH_TO_INTERNET = LW_NET_IPV4, /* out of the internet side */
};

/* Which rate limit an output counts against (AFTR-ICMP-7/8). */
enum lw_slowpath_kind {
	LW_SLOWPATH_ICMPV4 = 0, /* also when tunnelled to a B4 */
	LW_SLOWPATH_ICMPV6 = 1,
	LW_SLOWPATH_KIND_MAX,
};

/* Why an event gave no packet (for counters and logs). */
enum lw_slowpath_reason {
	LW_SLOWPATH_SENT = 0,
	LW_SLOWPATH_DISABLED,          /* that error kind is configured off */
	LW_SLOWPATH_NO_SOURCE,         /* no lwAFTR IPv4 address configured */
	LW_SLOWPATH_ERROR_ABOUT_ERROR, /* AFTR-ICMP-9 */
	LW_SLOWPATH_NOT_FIRST_FRAGMENT,
	LW_SLOWPATH_BAD_ADDRESS,    /* source or destination not one host (RFC 1812 §4.3.2.7) */
	LW_SLOWPATH_ICMP_UNBOUND,   /* ICMP without a binding: discarded (RFC 7596 §8.1) */
	LW_SLOWPATH_NO_SOFTWIRE,    /* the B4 to send to cannot be found */
	LW_SLOWPATH_NOT_OUR_PACKET, /* an ICMPv6 error quoting no tunnel packet of ours
				       * (AFTR-ICMP-6) */
	LW_SLOWPATH_NOT_RELAYED,    /* an ICMPv6 error with no ICMPv4 counterpart */
	LW_SLOWPATH_MALFORMED,      /* the captured packet is cut short or inconsistent */
	LW_SLOWPATH_BAD_CHECKSUM,   /* an ICMPv6 error whose checksum is wrong (RFC 4443 §2.3) */
	LW_SLOWPATH_BOUND_NOW,      /* no ICMPv6 1/5: the binding table gives the packet's
				     * (IPv4, port) to its B4 and BR now (the event raced an
				     * update of the binding, issue 12) */
	LW_SLOWPATH_REASON_MAX,
};

struct lw_slowpath_pkt {
	__u8 dest; /* enum lw_slowpath_dest */
	__u8 kind; /* enum lw_slowpath_kind */
	__u16 len; /* bytes of data[], from the IP header */
	__u8 data[LW_SLOWPATH_PKT_MAX];
};

struct lw_slowpath_out {
	unsigned int n;                 /* packets in pkt[] */
	enum lw_slowpath_reason reason; /* LW_SLOWPATH_SENT when n > 0 */
	struct lw_slowpath_pkt pkt[LW_SLOWPATH_MAX_OUT];
};

/* Handles one event (as read from the ring buffer: ev_size bytes). Returns
 * the number of packets in out (0 with out->reason saying why none), -EINVAL
 * for a record that is not a well-formed struct lw_event, or
 * LW_SLOWPATH_NOT_HANDLED. */
int lw_slowpath_handle(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev, size_t ev_size,
		       struct lw_slowpath_out *out);

/* The builders lw_slowpath_handle() dispatches to; same contract, for an
 * event of their type whose record is already known to be well formed. */
int lw_slowpath_decap_no_binding(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
				 struct lw_slowpath_out *out);
int lw_slowpath_encap_no_binding(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
				 struct lw_slowpath_out *out);
int lw_slowpath_ttl_expired(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			    struct lw_slowpath_out *out);
int lw_slowpath_too_big(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			struct lw_slowpath_out *out);
int lw_slowpath_icmpv6_error(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			     struct lw_slowpath_out *out);

/* "error-about-error" and so on; "?" for an unknown value. */
const char *lw_slowpath_reason_name(enum lw_slowpath_reason r);

#endif
