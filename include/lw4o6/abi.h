/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names and versions shared by the BPF programs and every user-space tool.
 * Only UAPI types: this header compiles under clang -target bpf and gcc alike. */
#ifndef LW4O6_ABI_H
#define LW4O6_ABI_H

/* Bumped whenever a pinned map's key, value or size changes: the loader refuses
 * to reuse pins whose lw_meta entry carries another number. */
#define LW_ABI_VERSION \
	6 /* 2: lw_b4_session grew to 80 bytes (explicit mappings)
			  * 3: lw_stats grew a slot (drop-ipv6-extension-header)
			  * 4: the binding table's layout (issue 11): address records and
			  *    chunked softwires instead of lw_psid_map and lw_softwires;
			  *    the configuration carries the BR address; the next-hop
			  *    caches lw_nexthop, lw_b4_nexthop; the lwB4's sessions
			  *    in lw_b4_sess/lw_b4_life (lw_b4_in gone, lw_b4_out →
			  *    position), port sets grew a base
			  * 5: lw_addr_blocks, the record blocks' headers
			  * 6: struct lw_softwire: br_index a __u8, origin
			  *    (configuration or PCP, issue 12) */

#define LW4O6_PIN_ROOT "/sys/fs/bpf/lw4o6"

/* Map names are kept to 15 characters, the kernel's object-name limit, so that
 * `bpftool map show name …` finds them exactly. */
#define LW_MAP_META       lw_meta
#define LW_MAP_AFTR_CFG   lw_aftr_cfg
#define LW_MAP_BIND_STATE lw_bind_state
#define LW_MAP_ADDR_L1    lw_addr_l1
#define LW_MAP_ADDR_L2    lw_addr_l2
#define LW_MAP_ADDR_RECS  lw_addr_recs
#define LW_MAP_ADDR_BLKS  lw_addr_blocks
#define LW_MAP_SW_CHUNKS  lw_sw_chunks
#define LW_MAP_SW_EMPTY   lw_sw_empty
#define LW_MAP_BR_ADDRS   lw_br_addrs
#define LW_MAP_STATS      lw_stats
#define LW_MAP_EVENTS     lw_events
#define LW_MAP_RATELIM    lw_ratelimit

#define LW_STR_(x) #x
#define LW_STR(x)  LW_STR_(x)

#define LW_AFTR_PROG_NAME "lw4o6_aftr"

struct lw_meta {
	__u32 abi_version;
	__u32 role; /* enum lw_role */
};

enum lw_role {
	LW_ROLE_NONE = 0,
	LW_ROLE_AFTR = 1,
	LW_ROLE_B4 = 2,
};

#endif
