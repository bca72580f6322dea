/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4 lab of the mutation fuzzer: what it configured and the maps the
 * checker reads the NAPT's mappings from. */
#ifndef LW4O6_MUTATE_B4_LAB_H
#define LW4O6_MUTATE_B4_LAB_H

#include "mutate.h"

#define B4_LAN_MAC      "02:00:00:00:1a:01"
#define B4_LAN_HOST_MAC "02:00:00:00:1a:02"
#define B4_WAN_MAC      "02:00:00:00:2a:01"
#define B4_WAN_PEER_MAC "02:00:00:00:2a:02"

struct b4_set {
	uint32_t ipv4;          /* network order */
	uint32_t first, size;
};

struct b4_lab {
	unsigned lan, wan;      /* ifindexes */
	uint8_t lan_mac[6], lan_host[6], wan_mac[6], wan_peer[6];
	struct in6_addr tunnel, aftr;
	const struct b4_set *sets;
	int n_sets;
	int out_fd, sess_fd;    /* lw_b4_out, lw_b4_sess */
	int pool_fd;            /* lw_b4_pool */
};

extern struct b4_lab b4_lab;

enum b4_class {
	B_ABORTED,
	B_OUT_MALFORMED,
	B_OUT_L2,
	B_WAN_ORIGIN,
	B_WAN_TUNNEL,
	B_LAN_ORIGIN,
	B_DECAP_BAD_OUTER,
	B_BAD_V4_IN,
	B_FRAGMENT,
	B_PORT_PAST_TOTLEN,
	B_QUOTE_FRAGMENT,
	B_WAN_NOT_GRANTED,
	B_WAN_MAPPING,
	B_LAN_MAPPING,
	B_TTL,
	B_ALTERED,
	B_IPV4_CSUM_UNVERIFIED,
	B_IPV4_CSUM_BROKEN,
	B_L4_CSUM_BROKEN,
	B_ICMP_CSUM_UNVERIFIED,
	B4_N_CLASSES
};

extern const struct vclass b4_classes[B4_N_CLASSES];
void b4_check(const struct mframe *in, uint32_t act, const uint8_t *out, size_t outlen,
	      struct verdict *v);
bool b4_granted(uint32_t addr, uint16_t port);

#endif
