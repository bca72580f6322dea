// SPDX-License-Identifier: GPL-2.0
/* Binding-table lookup for the slow path on the lwAFTR's maps (read through
 * aftr_maps.h), following bpf/aftr/lw4o6_aftr.bpf.c: the port-set
 * parameters of an address, RFC 7597 §5.1 arithmetic (psid.h) for the PSID
 * of the port, and the binding; a pool says whether an address without
 * parameters is still ours. */
#include <errno.h>
#include <netinet/in.h>
#include "lw4o6/psid.h"
#include "slowpath_maps.h"

int lw_slowpath_find_softwire_maps(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4,
				   struct in6_addr *br)
{
	const struct lw_aftr_maps *m = ctx;
	struct lw_psid_params pp;
	int psid, r;

	if (lw_aftr_psid_params_get(m, ipv4, &pp))
		return lw_aftr_pool_covers(m, ipv4, 32) ? -ENOENT : -ESRCH;
	psid = lw_port_to_psid(&pp, port);
	if (psid < 0)
		return -ESRCH;
	r = lw_aftr_softwire_get(m, ipv4, (__u16)psid, b4, br);
	if (r == -ENOENT)
		return -ESRCH;
	/* an array: an index nobody filled reads as ::, which is no BR */
	if (r || IN6_IS_ADDR_UNSPECIFIED(br))
		return -EIO;
	return 0;
}
