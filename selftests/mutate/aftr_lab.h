/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR lab of the mutation fuzzer: what it configured, which is all
 * the checker knows about the program's state. */
#ifndef LW4O6_MUTATE_AFTR_LAB_H
#define LW4O6_MUTATE_AFTR_LAB_H

#include "mutate.h"

#define AFTR_ACC_MAC       "02:00:00:00:0a:01"
#define AFTR_ACC_PEER_MAC  "02:00:00:00:0a:02"
#define AFTR_INET_MAC      "02:00:00:00:1e:01"
#define AFTR_INET_PEER_MAC "02:00:00:00:1e:02"

/* One binding-entry (RFC 7596 §6.1) in binary. */
struct aftr_sw {
	uint32_t ipv4;          /* network order */
	uint8_t a, k;           /* psid offset and length (RFC 7597 §5.1) */
	uint16_t psid;
	struct in6_addr b4, br;
};

struct aftr_lab {
	unsigned acc, inet;     /* ifindexes */
	uint8_t acc_mac[6], acc_peer[6], inet_mac[6], inet_peer[6];
	const struct aftr_sw *sw;
	int n_sw;
	uint32_t pool_addr, pool_mask; /* the pool prefix, network order */
	const struct in6_addr *br;
	int n_br;
};

extern struct aftr_lab aftr_lab;

/* What the lwAFTR must never do (aftr_check.c has the table). */
enum aftr_class {
	A_ABORTED,
	A_OUT_MALFORMED,
	A_OUT_L2,
	A_DECAP_ORIGIN,
	A_DECAP_BAD_OUTER,
	A_BAD_V4_IN,
	A_FRAGMENT,
	A_PORT_PAST_TOTLEN,
	A_QUOTE_FRAGMENT,
	A_DECAP_OWNER,
	A_DECAP_TO_POOL,
	A_ENCAP_ORIGIN,
	A_ENCAP_OWNER,
	A_TTL,
	A_ALTERED,
	A_IPV4_CSUM_UNVERIFIED,
	A_IPV4_CSUM_BROKEN,
	A_L4_CSUM_BROKEN,
	A_ICMP_CSUM_UNVERIFIED,
	A_PASS_IPIP_INET,
	A_PASS_IPIP_ACC,
	A_PASS_POOL_SRC,
	A_PASS_POOL_DST,
	AFTR_N_CLASSES
};

extern const struct vclass aftr_classes[AFTR_N_CLASSES];
void aftr_check(const struct mframe *in, uint32_t act, const uint8_t *out, size_t outlen,
		struct verdict *v);

/* checker (aftr_check.c): the owner of (addr, port) from the port sets
 * enumerated out of the table; NULL when none. full: the address has a
 * psid-len 0 softwire (it owns every port and the port-less protocols). */
void aftr_owner_init(void);
const struct aftr_sw *aftr_owner(uint32_t addr, bool has_port, uint16_t port);
bool aftr_is_pool(uint32_t addr);
bool aftr_is_br(const uint8_t *a);

#endif
