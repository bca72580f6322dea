// SPDX-License-Identifier: GPL-2.0
/* The lwB4's inbound translation of a reassembled packet (b4_inbound.h). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "b4_inbound.h"
#include "net_bytes.h"
#include "net_csum.h"

static uint16_t l4_csum(const uint8_t *ip, const uint8_t *l4, size_t l4len, uint8_t proto)
{
	uint8_t pseudo[12];
	uint32_t acc;

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = proto;
	sp_put16(pseudo + 10, (uint16_t)l4len);
	acc = sp_csum_add(pseudo, sizeof(pseudo), 0);
	return sp_csum_final(sp_csum_add(l4, l4len, acc));
}

static bool admitted(const struct lw_b4_config *cfg, const struct lw_b4_session *s, __be32 remote)
{
	if (s->pcp_kind == LW_B4_PCP_MAP || (cfg->flags & LW_B4_CFG_EIF))
		return true;
	for (int i = 0; i < LW_B4_REMOTES; i++)
		if (s->remotes[i] == remote)
			return true;
	return false;
}

int b4_inbound_xlate(const struct lw_b4_maps *m, const struct lw_b4_config *cfg, uint8_t *pkt,
		     size_t len, __be32 *to, const char **why)
{
	struct lw_b4_session_row row;
	size_t ihl, tot, l4len;
	uint8_t proto, *l4;
	__be32 saddr, daddr;
	uint16_t dport, c;

	if (len < 20 || (pkt[0] >> 4) != 4 || (ihl = (size_t)(pkt[0] & 15) * 4) < 20) {
		*why = "not an IPv4 packet";
		return -EBADMSG;
	}
	tot = sp_get16(pkt + 2);
	if (tot < ihl || tot > len || sp_csum_final(sp_csum_add(pkt, ihl, 0)) != 0) {
		*why = "bad IPv4 header (length or checksum)";
		return -EBADMSG;
	}
	if (sp_get16(pkt + 6) & 0x3fff) {
		*why = "an IPv4 fragment";
		return -EOPNOTSUPP;
	}
	proto = pkt[9];
	l4 = pkt + ihl;
	l4len = tot - ihl;
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    l4len < (proto == IPPROTO_TCP ? 20u : 8u)) {
		*why = "not a whole TCP or UDP packet";
		return -EOPNOTSUPP;
	}
	/* a corrupt packet stays corrupt: the checksum is verified before it
	 * is computed anew (the data plane's incremental update keeps an
	 * error visible too) */
	if ((proto == IPPROTO_TCP || sp_get16(l4 + 6) != 0) &&
	    l4_csum(pkt, l4, l4len, proto) != 0) {
		*why = "bad TCP/UDP checksum";
		return -EBADMSG;
	}
	if (pkt[8] <= 1) {
		*why = "TTL expired";
		return -ETIME;
	}
	memcpy(&saddr, pkt + 12, 4);
	memcpy(&daddr, pkt + 16, 4);
	dport = sp_get16(l4 + 2);
	if (lw_b4_mapping_by_ext(m, proto, daddr, htons(dport), &row)) {
		*why = "no mapping for the destination (B4-DP-4)";
		return -ENOENT;
	}
	if (!admitted(cfg, &row.s, saddr)) {
		*why = "filtered (B4-NAT-4)";
		return -EACCES;
	}
	/* the destination becomes the internal endpoint; TTL - 1 */
	memcpy(pkt + 16, &row.key.addr, 4);
	memcpy(l4 + 2, &row.key.port, 2);
	pkt[8]--;
	sp_put16(pkt + 10, 0);
	sp_put16(pkt + 10, sp_csum_final(sp_csum_add(pkt, ihl, 0)));
	if (proto == IPPROTO_UDP) {
		if (sp_get16(l4 + 6) != 0) { /* 0: the sender sent none */
			sp_put16(l4 + 6, 0);
			c = l4_csum(pkt, l4, l4len, proto);
			sp_put16(l4 + 6, c ? c : 0xffff);
		}
	} else {
		sp_put16(l4 + 16, 0);
		sp_put16(l4 + 16, l4_csum(pkt, l4, l4len, proto));
	}
	*to = row.key.addr;
	*why = NULL;
	return 0;
}
