/* SPDX-License-Identifier: GPL-2.0 */
/* BPF_PROG_TEST_RUN suite for the lwAFTR program: table rows in the style of
 * katran's BpfTester and the kernel's prog_tests. Every row names the
 * checklist item it covers (docs/standards.md §10), the setup, the input
 * frame, the ingress side, the XDP action, the expected output frame, the
 * counter deltas, the per-softwire counter deltas and the ring-buffer events.
 *
 * Frames are described declaratively (struct fspec) and built with the
 * test packet builder (selftests/lib/pkt.h). Expected frames are written out
 * as their own fspec with literal values: nothing expected is derived from
 * running the program. */
#ifndef LW4O6_SELFTEST_PROG_H
#define LW4O6_SELFTEST_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "lw4o6/aftr.h"
#include "lw4o6/events.h"
#include "lw4o6/stats.h"
#include "lw4o6/nexthop.h"

/* ---- the lab (netns sides, see harness.c) ----------------------------------- */

/* The access side faces the B4s, the internet side faces IPv4 hosts. Input
 * frames come from the side's peer (next hop) to the side's MAC; output frames
 * go from the egress side's MAC to its peer's MAC (the permanent neighbour). */
#define ACC_MAC       "02:00:00:00:0a:01"
#define ACC_PEER_MAC  "02:00:00:00:0a:02"
#define INET_MAC      "02:00:00:00:1e:01"
#define INET_PEER_MAC "02:00:00:00:1e:02"
/* Static next hops (LW_CFG_STATIC_NH4/6, Snabb's model): MACs that exist
 * nowhere in the netns, so that a frame carrying them cannot come from the FIB. */
#define STATIC4_MAC    "02:00:00:00:5a:01"
#define STATIC4_NH_MAC "02:00:00:00:5a:02"
#define STATIC6_MAC    "02:00:00:00:6a:01"
#define STATIC6_NH_MAC "02:00:00:00:6a:02"

/* Next-hop cache entries written by hand (struct nhx): MACs that exist
 * nowhere either, so that a frame carrying them can only come from the
 * cache. */
#define CACHE4_MAC    "02:00:00:00:c4:01"
#define CACHE4_NH_MAC "02:00:00:00:c4:02"
#define CACHE6_MAC    "02:00:00:00:c6:01"
#define CACHE6_NH_MAC "02:00:00:00:c6:02"

/* BR addresses (both in the BR table), and one that is not a BR. */
#define BR1    "2001:db8:ffff::1"
#define BR2    "2001:db8:ffff::2"
#define NOT_BR "2001:db8:ffff::99"

/* B4 tunnel endpoints. */
#define B4_A   "2001:db8:b4::a"
#define B4_B   "2001:db8:b4::b"
#define B4_C   "2001:db8:b4::c"
#define B4_D   "2001:db8:b4::d"
#define B4_E   "2001:db8:b4::e"
#define B4_F   "2001:db8:b4::f"  /* routed via a next hop without a neighbour entry */
#define B4_G   "2001:db8:b4::6"  /* routed with an MTU 1300 route */
#define B4_UNBOUND "2001:db8:b4::99"
#define ACC_ROUTER "2001:db8:a::2"

/* Public IPv4 addresses. psid-offset 0, psid-len 6: PSID p owns the ports
 * p*1024 .. p*1024+1023. */
#define SHARED1  "198.51.100.1" /* psid 0 → E, psid 1 → A, psid 2 → B (BR1), psid 4 unbound */
#define SHARED2  "198.51.100.2" /* psid 3 → C, psid 5 → F, psid 6 → G (BR2) */
#define FULL3    "198.51.100.3" /* psid-len 0 → D (BR1) */
#define POOL4    "198.51.100.0/24" /* the pool prefix (lw_aftr_pool_add) */
#define UNKNOWN4 "198.51.100.77"  /* in the pool, no softwire */
#define POOL_ONLY "198.51.100.50" /* in the pool, no softwire */
#define INET_HOST "203.0.113.10"
#define INET_HOST2 "203.0.113.20"
#define OTHER_V4 "192.0.2.50"     /* not ours: the router's or transit */
#define ACC_OWN4 "10.20.0.1"      /* the router's IPv4 address on the access side */
#define INET_OWN4 "10.0.0.1"      /* the router's IPv4 address on the internet side */
#define NONEIGH_HOST "203.0.113.99" /* routed via a next hop without a neighbour entry */

/* Ports in each PSID of the shared addresses. */
#define PORT_P0 700  /* psid 0 */
#define PORT_A  1500 /* psid 1 */
#define PORT_B  2500 /* psid 2 */
#define PORT_C  3500 /* psid 3 */
#define PORT_UNBOUND 5000 /* psid 4 */
#define PORT_F  5500 /* psid 5 */
#define PORT_G  6500 /* psid 6 */

/* Softwires, numbered from 1 so that 0 ends a list. */
enum { SW_NONE, SW_A, SW_B, SW_C, SW_D, SW_E, SW_F, SW_G, SW_COUNT };

enum side { SIDE_ACC = 1, SIDE_INET = 2 };

/* ---- frames ---------------------------------------------------------------- */

enum l2kind {
	L2_NONE = 0,  /* no Ethernet: a quoted packet */
	L2_IN_ACC,    /* access peer → our access MAC */
	L2_IN_INET,   /* internet peer → our internet MAC */
	L2_OUT_ACC,   /* our access MAC → access peer */
	L2_OUT_INET,  /* our internet MAC → internet peer */
	L2_OUT_STATIC_ACC,  /* static next hop on the access side */
	L2_OUT_STATIC_INET, /* static next hop on the internet side */
	L2_OUT_CACHE_ACC,   /* hand-written next-hop cache entry, access side */
	L2_OUT_CACHE_INET,  /* hand-written next-hop cache entry, internet side */
};

enum ext6 {
	EXT_NONE = 0,
	EXT_ENCAP_LIMIT, /* destination options: Tunnel Encapsulation Limit 4 */
	EXT_FRAG,        /* a first fragment (offset 0, more follow) */
	EXT_HOPOPTS,     /* hop-by-hop options, PadN only */
	EXT_DSTOPTS,     /* destination options, PadN only */
	EXT_ROUTING,     /* routing header type 0, segments left 0 (RFC 8200 §4.4: skipped) */
	EXT_HOP_ROUTING, /* hop-by-hop options, then the routing header */
	EXT_DSTOPTS5,    /* five destination options headers */
};

struct ip6s {
	const char *src, *dst;
	uint8_t tc, hl;
	uint32_t flow;
	uint8_t ext;   /* enum ext6 */
	uint8_t nh;    /* 0: computed from what follows */
};

struct ip4s {
	const char *src, *dst;
	uint8_t tos, ttl, proto; /* proto 0: computed */
	uint16_t id;
	bool df, mf;
	uint16_t frag;           /* offset in 8-octet units */
	uint8_t optlen;          /* options: the first optlen bytes of ip4_options */
};

/* IPv4 options for rows that need a header longer than 20 bytes: Record
 * Route (7) with room for 9 addresses, the most that fits (IHL 15). */
extern const uint8_t ip4_options[40];

enum l4kind { L4_NONE = 0, L4_TCP, L4_UDP, L4_ICMP, L4_ICMP6, L4_DATA };

struct fspec;

struct l4s {
	uint8_t kind;             /* enum l4kind */
	uint16_t sport, dport;    /* TCP / UDP */
	uint8_t type, code;       /* ICMP, ICMPv6 */
	uint16_t id, seq, mtu;
	uint8_t flags;            /* TCP */
	uint16_t payload;         /* pattern bytes after the header (L4_DATA: the whole body) */
	const struct fspec *quote; /* ICMP errors: the packet quoted (no L2) */
};

enum mangle {
	MG_NONE = 0,
	MG_TRUNC,          /* cut the frame to arg bytes */
	MG_IP4_IHL,        /* innermost IPv4 IHL := arg */
	MG_IP4_TOTLEN_ADD, /* innermost IPv4 total length += arg */
	MG_IP6_PLEN_SUB,   /* outer IPv6 payload length -= arg */
	MG_ICMP_CSUM,      /* ICMP checksum ^= arg */
	MG_IP4_CSUM,       /* innermost IPv4 header checksum ^= arg */
	MG_IP4_TOTLEN_CUT, /* innermost IPv4 total length -= arg, the bytes left in
			    * the frame: its header checksum (and an ICMP
			    * checksum) recomputed for the shorter packet */
	MG_TRUNC_IP6,      /* cut the frame to arg bytes and the outer IPv6 Payload
			    * Length with it: a whole IPv6 packet whose inner
			    * packet is cut short */
};

struct fspec {
	uint8_t l2;          /* enum l2kind */
	uint16_t vid;        /* 802.1Q tag, 0 = none */
	uint16_t ethertype;  /* non-IP frames: the EtherType, body from l4 (L4_DATA) */
	const struct ip6s *ip6;
	const struct ip4s *ip4;
	struct l4s l4;
	uint16_t pad_to;     /* zero Ethernet padding up to this frame length */
	uint16_t trailer;    /* junk bytes after the IP packet */
	uint8_t mangle;      /* enum mangle, applied after building */
	int mangle_arg;
};

#define FRAME_MAX 4096

struct built {
	uint8_t buf[FRAME_MAX];
	size_t len;
	int v4_off;     /* innermost-but-quote IPv4 header, -1 if none */
	size_t v4_len;  /* its total length as built (before padding and mangling) */
};

/* Builds f into b; 0 or a message in err. */
int build_frame(const struct fspec *f, struct built *b, char *err, size_t errlen);

/* ---- expectations ---------------------------------------------------------- */

enum bytes_kind {
	BY_IN = 0, /* the input frame's length (per packet) */
	BY_OUT,    /* the expected output frame's length (per packet) */
	BY_V4,     /* the input's IPv4 total length (per packet) */
	BY_ZERO,   /* no bytes (event counters) */
};

struct ctr {
	uint8_t stat;      /* enum lw_stat */
	uint8_t packets;   /* 0 ends the list */
	uint8_t bytes;     /* enum bytes_kind, times packets */
};

/* Per-softwire counters in the lw_softwires value; bytes are the input's
 * IPv4 total length per packet. Softwires not listed must not change. */
struct swx {
	uint8_t sw;        /* SW_*, 0 ends the list */
	uint8_t decap, encap;
};

struct evx {
	uint16_t type;     /* enum lw_event_type, 0 ends the list */
	uint16_t dir;      /* enum lw_event_dir */
	uint32_t mtu;
	uint16_t l3off;    /* where in the input frame the captured packet starts */
	uint16_t l3_proto; /* ETH_P_IP / ETH_P_IPV6 */
};

/* Hand-written next-hop cache entries (lw_nexthop) for both families: the
 * side's interface, the CACHE*_MAC pair, a lease of a minute. */
struct nhx {
	uint8_t mode;                   /* enum lw_nh_mode */
	bool expired;                   /* the lease is over */
	uint16_t mtu;                   /* 0: 1500 */
	const char *route4, *route6;    /* what the entries stand for; NULL: 0.0.0.0/0, ::/0 */
	const char *except4, *except6;  /* one exception each; NULL: none */
};

/* The header of 198.51.100.0/24 (struct lw_addr_block). The table's /24
 * mixes psid-len 6 (SHARED1, SHARED2) and 0 (FULL3), so the writer gives it
 * no uniform header and every other case runs on the records. */
enum blocks_case {
	BLK_AS_WRITTEN = 0,
	BLK_UNIFORM, /* without FULL3's softwire (D): the writer must make it uniform */
	BLK_HIDE,    /* BLK_UNIFORM, then SHARED1's presence bit cleared by hand */
	BLK_STALE,   /* the whole table, then a uniform header that lies: every address
		      * present, psid-len 6, runs 4096 slots from the real ones */
};

struct setup {
	uint32_t flags_off, flags_on; /* changes to LW_CFG_DEFAULT_FLAGS */
	uint16_t v4vlan, v6vlan;
	uint16_t v4mtu, v6mtu;        /* 0: 1500 */
	uint8_t hop_limit;            /* 0: 64 */
	uint8_t echo;                 /* enum lw_echo_policy */
	uint32_t rate, burst;         /* 0: 1000/s, 100 */
	bool fresh;                   /* reload the object first (fresh token bucket) */
	bool static_nh;               /* both sides: static next hops (STATIC*_MAC) */
	bool stick;                   /* both sides on the access interface (one VLAN) */
	uint16_t inet_link_mtu;       /* the internet veth's MTU; 0: 1500 (below 1280 the
				       * kernel takes IPv6 off it) */
	bool acc_ipv6_fwd_off;        /* net.ipv6.conf.acc.forwarding = 0 */
	bool one_br;                  /* only BR1's softwires: one BR address, which
				       * the program compares with the configuration's
				       * copy instead of hashing (issue 11) */
	uint8_t blocks;               /* enum blocks_case: the record-block header of
				       * 198.51.100.0/24 (issue 11) */
	const struct nhx *nh;         /* next-hop cache entries written by hand */
	bool nh_sync;                 /* next-hop cache filled from the lab's kernel state
				       * (lw_aftr_nh_sync_once); neither: FIB mode */
};

#define MAX_CTR 8
#define MAX_SWX 4
#define MAX_EVX 4

struct tcase {
	const char *name;
	const struct setup *setup;    /* NULL: defaults */
	uint8_t side;                 /* enum side */
	struct fspec in;
	uint32_t act;                 /* XDP_* */
	const struct fspec *out;      /* REDIRECT: required; PASS: NULL = unchanged */
	struct ctr ctr[MAX_CTR];      /* every counter that changes; events-sent is added
				       * from ev[] unless listed */
	struct swx sw[MAX_SWX];
	struct evx ev[MAX_EVX];
	uint8_t repeat;               /* runs of the same frame; 0 = 1 */
	/* a case that is not a packet run (the verifier check) */
	int (*special)(const struct tcase *c, char *why, size_t whylen);
};

/* Counter shorthands. */
#define C(s, n)  { LW_STAT_##s, n, BY_IN }
#define CO(s, n) { LW_STAT_##s, n, BY_OUT }
#define CV(s, n) { LW_STAT_##s, n, BY_V4 }
#define CZ(s, n) { LW_STAT_##s, n, BY_ZERO }

extern const struct tcase decap_cases[];
extern const size_t n_decap_cases;
extern const struct tcase encap_cases[];
extern const size_t n_encap_cases;
extern const struct tcase misc_cases[];
extern const size_t n_misc_cases;
extern const struct tcase nexthop_cases[];
extern const size_t n_nexthop_cases;
extern const struct tcase block_cases[];
extern const size_t n_block_cases;

/* ---- harness --------------------------------------------------------------- */

extern int verbose;
extern const char *obj_path;

/* --dump-pcap FILE: every case's input, expected and actual frame, in that
 * order, with ts_sec = the case's number and ts_nsec = 0, 1, 2. */
int harness_dump_open(const char *path, char *err, size_t errlen);
int harness_dump_close(char *err, size_t errlen);

/* Prepares the netns lab and loads the object: 0 or a message. */
int harness_init(char *err, size_t errlen);
void harness_fini(void);
/* 0 pass, 1 fail (why says what differed). */
int harness_run(const struct tcase *c, char *why, size_t whylen);
/* Set: every case runs with the next-hop cache filled from the lab's
 * kernel state (as nh_sync), which must change no outcome. */
extern bool harness_cache_pass;
/* The active next-hop entry of family fam (enum lw_nh_family), for cases
 * that check what the fill decided. */
int harness_nh_entry(unsigned fam, struct lw_nh_entry *e);

/* The verifier-complexity case (verifier.c). */
int verifier_check(const struct tcase *c, char *why, size_t whylen);

#endif
