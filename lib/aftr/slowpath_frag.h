/* SPDX-License-Identifier: GPL-2.0 */
/* Fragments in the lwAFTR's slow path: reassembly (IPv4, RFC 791/815; IPv6,
 * RFC 8200 §4.5 with RFC 5722), fragmentation (IPv4, RFC 791; the outer IPv6
 * packet, RFC 2473 §7.1 / RFC 8200 §4.5), and the lwAFTR's encapsulation and
 * decapsulation of a whole packet in user space, validated exactly as the
 * XDP program validates (bpf/aftr/lw4o6_aftr.bpf.c): from a B4 the outer source
 * must be the B4 and the outer destination the BR of the softwire owning
 * the inner source address and port; towards a B4 the (destination, port)
 * must name a softwire. Nothing is forwarded unvalidated (design decision 5).
 *
 * Pure functions like the rest of the slow path: time comes from the
 * caller, the binding table through lw_slowpath_cfg.find_softwire, and what
 * comes out is a list of IP packets for pcpd's raw sockets (or for the
 * conformance runner, which frames them as pcpd's kernel would).
 *
 *   LW_EV_FRAGMENT     IPv4 fragment from the internet / IPv6 fragment to a
 *                      BR / IPv4 fragment inside IPv6 from a B4: reassembled;
 *                      a complete packet is encapsulated / decapsulated and
 *                      fragmented to the MTU when needed
 *   LW_EV_FRAG_NEEDED  DF clear, too big after encapsulation (IPv4 in) or
 *                      after decapsulation (IPv6 in): encapsulated or
 *                      decapsulated here and fragmented to the event's MTU */
#ifndef LW4O6_SLOWPATH_FRAG_H
#define LW4O6_SLOWPATH_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lw4o6/aftr.h"
#include "net_frag.h"
#include "slowpath.h"

/* Largest packet reassembled or built (an IPv4 datagram of 65535 octets in
 * IPv6, with room for the headers). */
#define LW_FRAG_PKT_MAX (65535 + 40 + 8)

struct lw_frag_cfg {
	__u32 flags;      /* LW_CFG_* of the lwAFTR's configuration */
	__u8 echo_policy; /* enum lw_echo_policy */
	__u8 hop_limit;   /* outer hop limit of encapsulated packets; 0 = 64 */
	__u16 ipv4_mtu;   /* largest IPv4 packet to the internet */
	__u16 ipv6_mtu;   /* largest IPv6 packet to a B4 */
	/* reassembly bounds (per family) */
	unsigned max_frags;   /* fragments per packet (Snabb's max-fragments-per-packet) */
	unsigned max_packets; /* packets being reassembled at once */
	size_t max_bytes;     /* bytes buffered at once */
	unsigned timeout_ms;  /* from the first fragment */
};

/* Defaults: 40 fragments (Snabb's), 1024 packets and 16 MiB per family, 30 s
 * (RFC 791 suggests 15 s, RFC 8200 §4.5 says 60 s: one value for both). */
void lw_frag_cfg_defaults(struct lw_frag_cfg *fc);

/* Why a fragment or a packet gave nothing (counters and logs); extends
 * enum lw_slowpath_reason. */
enum lw_frag_reason {
	LW_FRAG_PENDING = 100,  /* kept: the packet is not complete yet */
	LW_FRAG_TOO_MANY,       /* more than max_frags fragments: packet discarded */
	LW_FRAG_OVERLAP,        /* overlapping fragments: packet discarded (RFC 5722) */
	LW_FRAG_INVALID,        /* bad offsets or lengths */
	LW_FRAG_NO_ROOM,        /* max_packets / max_bytes: the oldest packet was dropped */
	LW_FRAG_INNER_FRAGMENT, /* decapsulated IPv4 is itself a fragment (AFTR-DECAP-6) */
	LW_FRAG_TTL,            /* TTL expired */
	LW_FRAG_POLICY,         /* ICMP policy, hairpinning off, PCP bootstrap */
	LW_FRAG_DF,             /* too big with DF set, ICMPv4 errors off */
	LW_FRAG_CAPTURE,        /* the event holds only part of the packet */
	LW_FRAG_REASON_MAX,
};

/* Reassembly state: both families, and the IPv6 fragment Identification
 * counter for the packets fragmented here. */
struct lw_reasm;

struct lw_reasm *lw_reasm_new(const struct lw_frag_cfg *fc);
void lw_reasm_free(struct lw_reasm *r);
/* The next IPv6 fragment Identification (then +1 per packet). */
void lw_reasm_seed_id(struct lw_reasm *r, uint32_t id);
/* Drops packets older than timeout_ms; returns how many. */
unsigned lw_reasm_expire(struct lw_reasm *r, uint64_t now_ms);
/* Packets being reassembled, both families. */
unsigned lw_reasm_pending(const struct lw_reasm *r);

/* Adds the IPv4 fragment at pkt (len bytes, tot_len cuts padding off).
 * Returns 1 with the whole datagram in out (*out_len bytes; MF and offset
 * clear, the header of the first fragment, ID kept, checksum recomputed), 0
 * while incomplete, or -enum lw_frag_reason when the fragment (and for
 * TOO_MANY/OVERLAP the whole packet) was discarded. cap: LW_FRAG_PKT_MAX. */
int lw_reasm_ipv4(struct lw_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms, uint8_t *out,
		  size_t cap, size_t *out_len);
/* The same for an IPv4 fragment that came inside IPv6 (outer: its IPv6
 * header): fragments are put together only when their outer source (the
 * B4) and destination (the BR) are the same too (AFTR-DECAP-6). */
int lw_reasm_ipv4_tunnel(struct lw_reasm *r, const uint8_t *pkt, size_t len, const uint8_t *outer,
			 uint64_t now_ms, uint8_t *out, size_t cap, size_t *out_len);
/* The same for an IPv6 fragment (a fragment header after optional
 * hop-by-hop, destination options or routing headers). The whole packet keeps
 * the first fragment's headers before the fragment header, which goes. */
int lw_reasm_ipv6(struct lw_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms, uint8_t *out,
		  size_t cap, size_t *out_len);

/* The lwAFTR on a whole IPv4 packet for a B4 (from the internet, or
 * hairpinned when from_b4): (dst, port) looked up, TTL−1, encapsulated from
 * the softwire's BR to its B4, fragmented to mtu (DF set: ICMPv4 3/4 with
 * mtu − 40 when errors are on). Returns packets appended, 0 with
 * out->reason, or -errno. */
int lw_slowpath_encap_whole(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			    struct lw_reasm *r, const uint8_t *pkt, size_t len, unsigned mtu,
			    bool from_b4, struct lw_frag_out *out);
/* The lwAFTR on a whole IPv4-in-IPv6 packet from a B4: validated (B4, BR,
 * inner source address and port), then hairpinned to another B4 or
 * decapsulated (TTL−1 under LW_CFG_TTL_DECAP, RFC 6040 ECN) and fragmented
 * to mtu (DF set: ICMPv4 3/4 through the tunnel). */
int lw_slowpath_decap_whole(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			    struct lw_reasm *r, const uint8_t *pkt, size_t len, unsigned mtu,
			    struct lw_frag_out *out);

/* Handles an LW_EV_FRAGMENT or LW_EV_FRAG_NEEDED record (ev_size bytes) at
 * now_ms. Returns the packets in out, 0 with out->reason, -EINVAL for a
 * malformed record, LW_SLOWPATH_NOT_HANDLED for another event type. */
int lw_slowpath_frag_event(const struct lw_slowpath_cfg *cfg, const struct lw_frag_cfg *fc,
			   struct lw_reasm *r, const struct lw_event *ev, size_t ev_size,
			   uint64_t now_ms, struct lw_frag_out *out);

const char *lw_frag_reason_name(int reason);

#endif
