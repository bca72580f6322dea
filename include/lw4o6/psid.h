/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* RFC 7597 §5.1 port-set arithmetic, shared by the data plane and user space
 * so that the PSID a packet maps to is computed by one definition.
 * A port is | A (a bits) | PSID (k bits) | j (m bits) |, a + k + m = 16. */
#ifndef LW4O6_PSID_H
#define LW4O6_PSID_H

#include <linux/types.h>

/* Port-set parameters of one public IPv4 address: every softwire on that
 * address shares them (RFC 7597 §5.1, checklist PSID-4). */
struct lw_psid_params {
	__u8 psid_offset; /* a: 0..16; lw4o6 uses 0 */
	__u8 psid_len;    /* k: 0..16; 0 = the whole address */
	__u16 reserved;
};

/* m = 16 - a - k; the caller guarantees a + k <= 16 (checked on insert). */
static inline __u32 lw_psid_shift(const struct lw_psid_params *p)
{
	return 16u - p->psid_offset - p->psid_len;
}

/* Port → PSID (checklist PSID-2). Returns -1 for a port that belongs to no PSID:
 * with a > 0 the A = 0 block (the ports below 2^(16-a)) is excluded. */
static inline int lw_port_to_psid(const struct lw_psid_params *p, __u16 port)
{
	__u32 shift = lw_psid_shift(p);
	__u32 mask;

	if (p->psid_offset > 0 && (port >> (16u - p->psid_offset)) == 0)
		return -1;
	if (p->psid_len == 0)
		return 0;
	mask = (1u << p->psid_len) - 1u;
	return (int)((port >> shift) & mask);
}

#endif
