/* SPDX-License-Identifier: GPL-2.0 */
/* BPF_PROG_TEST_RUN suite of the lwB4 program: table rows of one or more
 * steps (a frame in, the action, the frame expected out), then the counters
 * and events of the whole row. Every row names its checklist item
 * (docs/standards.md §10). After every row the harness also checks the NAPT
 * invariants over the session slots and the lw_b4_out index: every mapping
 * is live in the slot of its own external port, which lies in the pool
 * (B4-NAT-1, B4-NAT-3: no two mappings share one), every index entry names
 * a distinct mapping of its own internal endpoint, as many entries as
 * mappings (B4-NAT-2), and the usage counters (lw_b4_usage) agree with the
 * number of mappings. A step whose
 * input is an ICMPv4 error must leave every mapping exactly as it was
 * (B4-NAT-13, B4-NAT-16). */
#ifndef LW4O6_SELFTEST_PROG_B4_H
#define LW4O6_SELFTEST_PROG_B4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "lw4o6/b4.h"

#define LAN_MAC      "02:00:00:00:1a:01"
#define LAN_HOST_MAC "02:00:00:00:1a:02"
#define WAN_MAC      "02:00:00:00:2a:01"
#define WAN_PEER_MAC "02:00:00:00:2a:02"
/* a hand-written next-hop cache entry (struct setup's nh): MACs that
 * exist nowhere, so that a frame carrying them can only come from it */
#define CACHE_MAC    "02:00:00:00:c6:01"
#define CACHE_NH_MAC "02:00:00:00:c6:02"

#define TUN6   "2001:db8:b4::1"     /* our tunnel address */
#define AFTR6  "2001:db8:ffff::1"   /* the lwAFTR */
#define OTHER6 "2001:db8:ffff::66"  /* not the lwAFTR */
#define LAN4   "192.168.1.1"        /* the lwB4 on the LAN, /24 */
#define HOST1  "192.168.1.10"
#define HOST2  "192.168.1.11"
#define PUB    "198.51.100.1"       /* public address of the granted sets */
#define PUB2   "198.51.100.2"
#define INET1  "203.0.113.10"
#define INET2  "203.0.113.20"

enum side { SIDE_LAN = 1, SIDE_WAN = 2 };
enum l2kind { L2_NONE, L2_IN_LAN, L2_IN_WAN, L2_OUT_LAN, L2_OUT_WAN, L2_OUT_WAN_CACHE };
enum l4kind { L4_NONE, L4_TCP, L4_UDP, L4_ICMP, L4_ICMP6, L4_ARP };

struct fr {
	uint8_t l2;
	const char *s6, *d6;      /* IPv6 header when set */
	uint8_t tc, hl;
	const char *s4, *d4;      /* IPv4 header when set */
	uint8_t tos, ttl;
	bool df;
	uint8_t l4;               /* enum l4kind */
	uint16_t sport, dport;    /* TCP/UDP; ICMP echo: sport = Identifier */
	uint8_t flags;            /* TCP flags (PKT_TCP_*) */
	uint16_t mss;             /* TCP MSS option, 0 = none */
	uint8_t type, code;       /* ICMP / ICMPv6 */
	uint16_t payload;
	bool udp_zero;            /* UDP checksum 0 (none) */
	const struct fr *quote;   /* ICMPv4/ICMPv6 error: the quoted packet (no L2) */
	bool bad_icmp_csum;       /* ICMPv4: checksum damaged after building */
	bool bad_ip_csum;         /* IPv4 header checksum damaged (in a quote: before quoting) */
	/* The IPv4 packet announces this many bytes fewer than it has, its
	 * header and ICMP checksums right for that: cut leaves the bytes to
	 * trail it in the frame, trim removes them (an expected frame). */
	uint8_t cut, trim;
	uint8_t optlen;           /* IPv4 options: the first optlen bytes of b4_ip4_options */
	uint16_t frag;            /* IPv4 fragment offset (8-octet units): a later fragment */
	/* The IPv6 Payload Length announces plen_past bytes more than the
	 * frame holds (a truncated packet); pad6 zero bytes of link padding
	 * follow the IPv6 packet, outside its Payload Length. */
	uint8_t plen_past, pad6;
};

/* Record Route (7) with room for 9 addresses: IHL 15 at 40 bytes. */
extern const uint8_t b4_ip4_options[40];

/* An explicit mapping made before a step, as pcpd does for a LAN host's PCP
 * MAP/PEER request (PCPC-12): lw_b4_explicit_set with a lifetime of one hour
 * from now; the step fails unless it answers with PUB-side endpoint
 * ext_addr:got_port (got_port 0: ext_port, the endpoint asked for). */
struct pcp_req {
	uint8_t proto;            /* IPPROTO_TCP / UDP */
	const char *int_addr;
	uint16_t int_port;
	const char *ext_addr;     /* wanted external endpoint */
	uint16_t ext_port;
	uint8_t kind;             /* enum lw_b4_pcp_kind */
	const char *peer;         /* PEER: the remote peer */
	uint16_t got_port;        /* the endpoint's existing mapping keeps its port */
};

/* dyn: the translated port is the NAPT's choice, read from its mapping and
 * checked against the pool: outbound, the expected frame's source port;
 * inbound, the input's destination port (mapping of the expected frame's
 * destination). */
struct step {
	uint8_t side;
	struct fr in;
	uint32_t act;
	const struct fr *out;     /* REDIRECT: required; PASS: NULL = unchanged */
	bool dyn;
	uint8_t before;           /* enum before_action */
	const struct pcp_req *pcp; /* after before: an explicit mapping */
	/* TS(bits, class): after the step, the TCP mapping of the step's LAN
	 * endpoint (LAN: the input's source; WAN: the expected output's
	 * destination) has exactly these state bits (enum lw_b4_tcp_state),
	 * which lw_b4_tcp_classify() puts in this class (B4-NAT-7/8) */
	uint16_t tcp_state;       /* TCP_STATE_CHECK | bits; 0 = no check */
	uint8_t tcp_class;        /* enum lw_b4_tcp_class */
};

#define TCP_STATE_CHECK 0x100
#define TS(bits, cls) .tcp_state = TCP_STATE_CHECK | (bits), .tcp_class = (cls)

enum before_action {
	BEFORE_NONE,
	BEFORE_POOL_DEL,          /* lw_b4_pool_del of the first set (B4-PROV-6) */
	BEFORE_EXPIRE_EARLY,      /* lw_b4_expire at now + 10 s: nothing goes */
	BEFORE_EXPIRE_LATE,       /* lw_b4_expire at now + 301 s: UDP goes */
};

struct setup {
	uint32_t flags_on, flags_off;
	uint16_t mtu;                   /* 0: 1500 */
	uint8_t warn_pct;               /* cfg.pool_warn_pct */
	struct lw_b4_portset pool[2];   /* size 0 ends; none: PUB 1024/1024 */
	bool lan_ipv6_fwd_off;          /* net.ipv6.conf.lan.forwarding = 0 */
	uint8_t nh;                     /* the next-hop cache (lw_b4_nexthop): enum nh_setup */
};

enum nh_setup {
	NH_NONE = 0,     /* empty: FIB mode */
	NH_FAKE,         /* cached, CACHE_MAC pair, for every destination, MTU 1500 */
	NH_FAKE_EXPIRED, /* the same, lease over */
	NH_FAKE_MTU1300, /* the same, MTU 1300 */
	NH_SYNC,         /* filled from the lab's routes (lw_b4_nh_sync_once) */
};

struct ctr {
	uint8_t stat;    /* enum lw_b4_stat */
	uint8_t packets; /* 0 ends the list */
};

struct evx {
	uint16_t type;   /* 0 ends */
	uint32_t mtu;
	uint32_t ps_first, ps_size;
};

#define MAX_STEPS 5
#define MAX_CTR 10
#define MAX_EVX 3

struct tcase {
	const char *name;
	const struct setup *setup;
	struct step st[MAX_STEPS];
	struct ctr ctr[MAX_CTR];        /* every counter that changes (packets) */
	struct evx ev[MAX_EVX];
	int mappings;                   /* mappings left at the end, -1: any */
	int (*special)(const struct tcase *c, char *why, size_t whylen);
};

#define C(s, n) { LW_B4_STAT_##s, n }

extern const struct tcase b4_cases[];
extern const size_t n_b4_cases;

extern int verbose;
extern const char *obj_path;

int harness_init(char *err, size_t errlen);
void harness_fini(void);
int harness_run(const struct tcase *c, char *why, size_t whylen);
int verifier_check(const struct tcase *c, char *why, size_t whylen);

/* for race.c: the lab of harness_init */
struct lw_b4_maps;
int harness_setup(const struct setup *s, char *err, size_t errlen);
int harness_build(const struct fr *f, uint8_t *buf, size_t cap, size_t *len);
int harness_prog_fd(void);
int harness_ifindex(uint8_t side);
const struct lw_b4_maps *harness_maps(void);
int harness_invariants(int want, char *why, size_t whylen);
void harness_drain_events(void);
/* The events read since the last setup or drain (up to 8 kept whole). */
size_t harness_events(const struct lw_b4_event **ev);
/* B4-NAT-3: two CPUs run the first packet of the same flow at once (race.c):
 * the internal port in the pool (both claim it) or outside (random probe) */
/* The active next-hop cache entry for the tunnel (IPv6). */
struct lw_nh_entry;
int harness_nh_entry(struct lw_nh_entry *e);
/* The next-hop cache filled from the lab (nexthop.c). */
int nh_check_synced(const struct tcase *c, char *why, size_t whylen);
int race_check_keep(const struct tcase *c, char *why, size_t whylen);
int race_check_probe(const struct tcase *c, char *why, size_t whylen);
/* B4-FRAG-1/2: what the too-big events carry for pcpd (punt.c) */
int punt_check_frag_needed(const struct tcase *c, char *why, size_t whylen);
int home_check(const struct tcase *c, char *why, size_t whylen);
int hint_check(const struct tcase *c, char *why, size_t whylen);
int punt_check_too_big_df(const struct tcase *c, char *why, size_t whylen);

#endif
