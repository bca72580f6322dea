/* SPDX-License-Identifier: GPL-2.0 */
/* B4-FRAG-3: an IPv4 packet the lwAFTR sent as IPv6 fragments (it was too
 * big for the IPv6 MTU once encapsulated, RFC 2473 §7.1). The lwB4 program
 * passes IPv6 fragments to the kernel, which reassembles them for the
 * tunnel address and hands the whole IPv4 packet to pcpd --role b4's raw
 * IPIP socket. It is translated here exactly as lw4o6_b4 translates an
 * inbound packet (b4_inbound.c), then sent to the LAN host by pcpd.
 *
 * TCP and UDP: the destination must be the external endpoint of a live
 * mapping (the session slot of its port in the pool), the mapping's filter
 * must admit the source (EIF, an explicit MAP, or ADF with the source among
 * the remotes, B4-NAT-4), the TTL above 1; the destination becomes the
 * internal endpoint, the TTL drops by one, both checksums are recomputed.
 * Anything else is refused with a reason: never forwarded unvalidated. */
#ifndef LW4O6_B4_INBOUND_H
#define LW4O6_B4_INBOUND_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "b4_maps.h"

/* 0 and *to (the LAN host, network order) with pkt rewritten in place; or
 * a negative errno and *why. */
int b4_inbound_xlate(const struct lw_b4_maps *m, const struct lw_b4_config *cfg, uint8_t *pkt,
		     size_t len, __be32 *to, const char **why);

#endif
