/* SPDX-License-Identifier: GPL-2.0 */
/* A parsed lwAFTR configuration before it reaches the maps: what the Snabb
 * importer and the RFC 8676 JSON importer produce and what `lw4o6 load aftr`,
 * `lw4o6 softwire import` and the conformance runner install. */
#ifndef LW4O6_SETUP_H
#define LW4O6_SETUP_H

#include <stddef.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "lw4o6/aftr.h"
#include "text_stream.h"

/* Protocol numbers the importers check values against. */
#define LW_PORT_BITS    16   /* a + k + m of RFC 7597 §5.1: psid-offset, psid-len */
#define LW_IPV4_MIN_MTU 68   /* RFC 791 */
#define LW_IPV6_MIN_MTU 1280 /* RFC 8200 §5 */
#define LW_IPV6_HDR_LEN 40
#define LW_VLAN_ID_MAX  4094

/* One binding-entry in RFC 8676 terms. */
struct lw_softwire_entry {
	__be32 ipv4;              /* binding-ipv4-addr, network order */
	struct lw_psid_params ps; /* psid-offset (a), psid-len (k) */
	__u16 psid;               /* numeric PSID (right-aligned) */
	struct in6_addr b4_ipv6;  /* binding-ipv6info (an address) */
	struct in6_addr br_ipv6;  /* br-ipv6-addr */
};

/* One side of the lwAFTR as Snabb's instance/queue section describes it. */
struct lw_side {
	bool has_ip4, has_ip6, has_mac, has_next_hop_mac, has_next_hop_ip4, has_next_hop_ip6;
	__be32 ip4;
	struct in6_addr ip6;
	__u8 mac[6];
	__u8 next_hop_mac[6];
	__be32 next_hop_ip4;
	struct in6_addr next_hop_ip6;
	__u16 vlan; /* 0 = untagged */
	__u16 mtu;  /* 0 = not given */
};

struct lw_aftr_setup {
	struct lw_aftr_config cfg; /* flags, MTUs, VLANs, echo policy, rates; ifindexes 0 */
	struct lw_softwire_entry *softwires;
	size_t n_softwires, cap_softwires;
	struct in6_addr *br_addrs; /* distinct, in order of first appearance */
	size_t n_br_addrs, cap_br_addrs;
	struct lw_side external; /* internet (IPv4) side */
	struct lw_side internal; /* access (IPv6) side */
	/* Features the configuration asks for that lw4o6 does not implement
	 * (e.g. "ingress-filter on internal-interface"): one malloc'd string each. */
	char **unsupported;
	size_t n_unsupported;
};

/* Defaults: LW_CFG_DEFAULT_FLAGS, MTU 1500/1500 (Snabb's defaults are 1460
 * IPv4 and 1500 IPv6 payload-wise; see snabb_conf.c), hop limit 64, echo policy
 * identifier, event rate 1000/s burst 100. */
void lw_setup_init(struct lw_aftr_setup *s);
void lw_setup_free(struct lw_aftr_setup *s);

/* Appends a softwire; adds its BR to br_addrs when new. Returns 0 or -ENOMEM
 * (or -E2BIG when its BR would be distinct address LW_MAX_BR_ADDRS + 1; the
 * softwire is then not added). */
int lw_setup_add_softwire(struct lw_aftr_setup *s, const struct lw_softwire_entry *e);

/* Index of br in br_addrs, adding it when absent; -ENOMEM or -E2BIG (more than
 * LW_MAX_BR_ADDRS). */
int lw_setup_br_index(struct lw_aftr_setup *s, const struct in6_addr *br);

/* Checks the whole table: psid-offset + psid-len <= 16, psid < 2^psid-len,
 * the same (offset, len) for every softwire of one IPv4 (PSID-4), no two
 * softwires with the same (IPv4, PSID). On failure writes a specific message
 * naming the offending entries into err and returns -EINVAL. Also refuses
 * more than LW_MAX_BR_ADDRS distinct BR addresses; -ENOMEM when the scratch
 * copy cannot be allocated (see lw_setup_validate_named). */
int lw_setup_validate(const struct lw_aftr_setup *s, char *err, size_t errlen);

/* Writes how the input calls softwire number `index` (for example
 * "tests/x.conf:12" or "binding-entry[3]") into buf, so that validation errors
 * point into the file the operator wrote rather than at an array index. */
typedef void (*lw_softwire_namer)(const void *ctx, size_t index, char *buf, size_t len);

/* lw_setup_validate with entries named by `namer` (NULL: "softwire #N",
 * counting from 0). Also refuses more than LW_MAX_BR_ADDRS distinct BR
 * addresses among the softwires. Linear time; a table in (IPv4, PSID) order
 * needs no scratch, another is checked through a radix-sorted copy of its
 * keys (16 bytes of scratch per softwire; -ENOMEM if that cannot be
 * allocated). Of several problems, the one of the lowest IPv4 address is
 * reported. */
int lw_setup_validate_named(const struct lw_aftr_setup *s, lw_softwire_namer namer, const void *ctx,
			    char *err, size_t errlen);

/* Records a feature the input asks for that lw4o6 does not implement
 * (copied into unsupported[]). Returns 0 or -ENOMEM. */
int lw_setup_add_unsupported(struct lw_aftr_setup *s, const char *what);

/* Switches a side to a static next hop (Snabb's model, no FIB lookup) when its
 * MAC and its next hop's MAC are both known. Returns the number of sides
 * switched (0..2). */
int lw_setup_static_nexthops(struct lw_aftr_setup *s);

/* A parser of one configuration format (lw_bt_json_parse_stream,
 * lw_snabb_conf_parse_stream). */
typedef int (*lw_setup_parse_fn)(struct lw_tstream *in, const char *name_for_errors,
				 struct lw_aftr_setup *out, char *err, size_t errlen);
/* Streams the file at path ("-": stdin) through parse, naming it name in
 * messages. On failure out is left empty (initialised, nothing to free). */
int lw_setup_load_file(const char *path, const char *name, lw_setup_parse_fn parse,
		       struct lw_aftr_setup *out, char *err, size_t errlen);

#endif
