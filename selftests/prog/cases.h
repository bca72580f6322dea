/* SPDX-License-Identifier: GPL-2.0 */
/* Shorthands for writing case rows. Every value still appears literally in
 * the row that uses it: these only spell out struct syntax. */
#ifndef LW4O6_SELFTEST_PROG_CASES_H
#define LW4O6_SELFTEST_PROG_CASES_H

#include <linux/if_ether.h>
#include "pkt.h"
#include "prog.h"

/* An expected or quoted frame. */
#define FRAME(...) (&(const struct fspec){ __VA_ARGS__ })

/* IPv6 header: source, destination, traffic class, hop limit (+ extension). */
#define IP6(s, d, tc_, hl_) (&(const struct ip6s){ .src = (s), .dst = (d), .tc = (tc_), .hl = (hl_) })
#define IP6X(s, d, tc_, hl_, ext_) \
	(&(const struct ip6s){ .src = (s), .dst = (d), .tc = (tc_), .hl = (hl_), .ext = (ext_) })

/* IPv4 header with DF set (as TCP stacks send), ID 0x1234. */
#define IP4(s, d, tos_, ttl_) \
	(&(const struct ip4s){ .src = (s), .dst = (d), .tos = (tos_), .ttl = (ttl_), .id = 0x1234, .df = true })
/* ... with DF clear */
#define IP4NDF(s, d, tos_, ttl_) \
	(&(const struct ip4s){ .src = (s), .dst = (d), .tos = (tos_), .ttl = (ttl_), .id = 0x1234 })
/* ... with an explicit protocol (no transport header follows) */
#define IP4P(s, d, tos_, ttl_, proto_) \
	(&(const struct ip4s){ .src = (s), .dst = (d), .tos = (tos_), .ttl = (ttl_), .id = 0x1234, \
			       .df = true, .proto = (proto_) })
/* ... with DF and optlen_ bytes of options (ip4_options): IHL 5 + optlen_ / 4 */
#define IP4OPT(s, d, tos_, ttl_, optlen_) \
	(&(const struct ip4s){ .src = (s), .dst = (d), .tos = (tos_), .ttl = (ttl_), .id = 0x1234, .df = true, \
			       .optlen = (optlen_) })
/* ... a non-first fragment (offset in 8-octet units) */
#define IP4FRAG(s, d, ttl_, proto_, off_) \
	(&(const struct ip4s){ .src = (s), .dst = (d), .ttl = (ttl_), .id = 0x4321, .proto = (proto_), \
			       .frag = (off_) })

#define TCP(sp, dp, pl) { .kind = L4_TCP, .sport = (sp), .dport = (dp), .flags = PKT_TCP_ACK, .payload = (pl) }
#define UDP(sp, dp, pl) { .kind = L4_UDP, .sport = (sp), .dport = (dp), .payload = (pl) }
#define ICMP(t, c, id_, pl) { .kind = L4_ICMP, .type = (t), .code = (c), .id = (id_), .seq = 7, .payload = (pl) }
#define ICMPERR(t, c, mtu_, q) { .kind = L4_ICMP, .type = (t), .code = (c), .mtu = (mtu_), .quote = (q) }
#define ICMP6(t, c, pl) { .kind = L4_ICMP6, .type = (t), .code = (c), .id = 0x77, .seq = 1, .payload = (pl) }
#define ICMP6ERR(t, c, q) { .kind = L4_ICMP6, .type = (t), .code = (c), .quote = (q) }
#define DATA(pl) { .kind = L4_DATA, .payload = (pl) }

/* Expected events. */
#define EV(t, d, mtu_, off, proto) { .type = LW_EV_##t, .dir = LW_DIR_##d, .mtu = (mtu_), .l3off = (off), \
				     .l3_proto = (proto) }
#define EV_DECAP_MISS EV(DECAP_NO_BINDING, FROM_B4, 0, 14, ETH_P_IPV6)

/* Offsets of the network headers in untagged frames. */
#define L3 14      /* Ethernet */
#define INNER 54   /* Ethernet + IPv6 */

#endif
