// SPDX-License-Identifier: GPL-2.0
/* Binding-table lookup for the slow path on the lwAFTR's maps, following
 * bpf/aftr/lw4o6_aftr.bpf.c: lw_psid_map gives the port-set parameters of an
 * address, RFC 7597 §5.1 arithmetic (psid.h) the PSID of the port, and
 * lw_softwires the binding; lw_ipv4_pools says whether an address without
 * parameters is still ours. */
#include <errno.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include "lw4o6/psid.h"
#include "slowpath_maps.h"

int lw_slowpath_find_softwire_maps(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4,
				   struct in6_addr *br)
{
	const struct lw_aftr_maps *m = ctx;
	struct lw_psid_params pp;
	struct lw_softwire_key key = { .ipv4 = ipv4 };
	struct lw_softwire sw;
	int psid;

	if (bpf_map_lookup_elem(m->psid, &ipv4, &pp)) {
		struct lw_ipv4_prefix pfx = { .prefixlen = 32, .addr = ipv4 };
		__u32 value; /* lw_ipv4_pools: only presence counts */

		return bpf_map_lookup_elem(m->pools, &pfx, &value) ? -ENOENT : -ESRCH;
	}
	psid = lw_port_to_psid(&pp, port);
	if (psid < 0)
		return -ESRCH;
	key.psid = (__u16)psid;
	if (bpf_map_lookup_elem(m->softwires, &key, &sw))
		return -ESRCH;
	/* an array: an index nobody filled reads as ::, which is no BR */
	if (bpf_map_lookup_elem(m->br_by_index, &sw.br_index, br) || IN6_IS_ADDR_UNSPECIFIED(br))
		return -EIO;
	*b4 = sw.b4_ipv6;
	return 0;
}
