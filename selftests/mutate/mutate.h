/* SPDX-License-Identifier: GPL-2.0 */
/* The mutation fuzzer of both XDP programs (issue 10, "Airtight"): valid
 * frames from the test packet builder, mutated with a seeded PRNG, run one by
 * one through BPF_PROG_TEST_RUN, every outcome judged by an invariant checker
 * that shares no code with the programs: its own parsing (view.c), its own
 * port-set arithmetic (owners enumerated from the table it configured), the
 * reference RFC 1071 checksum of selftests/lib/csum_ref.c.
 *
 *   main.c       options, one child process per program, the closing line
 *   run.c        the loop: build, mutate, run, check, count, report
 *   rng.c        xoshiro256** seeded per frame: (seed, index) replays a frame
 *   seedkit.c    valid seed frames of random shape (pkt.h underneath)
 *   mutators.c   the mutations and the checksum fix-ups that let them through
 *   view.c       the checker's parsing: Ethernet, IPv4, IPv6 chains, ports
 *   aftr_lab.c   the lwAFTR lab, its softwires, its seed frames
 *   aftr_check.c the lwAFTR invariants
 *   b4_lab.c     the lwB4 lab, its port sets and mappings, its seed frames
 *   b4_check.c   the lwB4 invariants
 *   selfcheck.c  frames the checker must condemn (and ones it must not)
 *   repro.c      one hand-made frame per violation class found (--repro) */
#ifndef LW4O6_MUTATE_H
#define LW4O6_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

/* ---- PRNG ------------------------------------------------------------------- */

struct rng {
	uint64_t s[4];
};

/* The stream of frame index of a run seeded with seed. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t index);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* True with probability pct/100. */
bool rng_pct(struct rng *r, unsigned pct);
/* An element of a small array. */
#define rng_pick(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---- frames -------------------------------------------------------------------- */

#define MF_MAX 2048
#define MF_MAX_EXT 8
#define MF_LOG 200

/* A frame and where its layers were built (offsets into buf, -1 when the
 * layer is absent). Mutations may make the header fields disagree with
 * these offsets; that is the point. */
struct mframe {
	uint8_t buf[MF_MAX];
	size_t len;
	unsigned ifindex;      /* ingress */
	int ip6;               /* outer IPv6 header */
	int ext[MF_MAX_EXT];   /* its extension headers */
	int n_ext;
	int ip4;               /* the IPv4 packet the program forwards */
	int l4;                /* its transport header */
	int quote;             /* ICMP error: the quoted IPv4 header */
	char log[MF_LOG];      /* seed kind and mutations, for the report */
};

void mf_log(struct mframe *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the checker's view of packets (view.c) ------------------------------------ */

struct l2view {
	bool ok;              /* at least an Ethernet header */
	bool on_side;         /* untagged or one priority tag (802.1Q, VID 0) */
	int tags;
	uint16_t type;        /* EtherType after the tags */
	size_t l3;            /* offset of the network header */
};

void view_l2(const uint8_t *f, size_t len, struct l2view *v);

/* An IPv4 packet at h with avail bytes up to the end of what encloses it. */
struct v4view {
	const uint8_t *h;
	size_t avail;
	bool present;         /* 20 bytes or more, version 4 */
	bool sane;            /* IHL >= 5, IHL <= Total Length <= avail */
	unsigned ihl, tot;
	uint8_t proto, ttl, tos;
	uint32_t src, dst;    /* network order */
	uint16_t frag;        /* MF and fragment offset bits */
	bool hdr_csum_ok;
};

void view_v4(const uint8_t *h, size_t avail, struct v4view *v);
/* What a kernel would accept as an IPv4 packet: sane, checksum correct. */
bool v4_acceptable(const struct v4view *v);

/* The "port" of an IPv4 packet as RFC 7596 uses it, read within the Total
 * Length only. For an ICMP error the quoted packet's ports, as quoted (not
 * swapped). */
enum flow_kind { FLOW_PORTS, FLOW_ECHO, FLOW_ERROR, FLOW_OTHER };

struct flow {
	int kind;             /* enum flow_kind */
	bool has_port;        /* sport/dport hold a port or an echo Identifier */
	bool port_cut;        /* the protocol has one, but not within the Total Length */
	uint16_t sport, dport;
	uint8_t icmp_type;
	/* FLOW_ERROR: the quoted header (q_ok: 20 bytes of it, version 4,
	 * IHL >= 5, within the Total Length) */
	bool q_ok;
	bool q_later_fragment;
	uint32_t qsrc, qdst;
	uint8_t qproto;
};

void view_flow(const struct v4view *v, struct flow *fl);

/* An IPv6 packet and its extension-header chain. */
struct v6view {
	const uint8_t *h;
	size_t avail;
	bool present;         /* 40 bytes or more, version 6 */
	bool whole;           /* the payload length fits in avail */
	size_t end;           /* 40 + payload length, or avail when it does not fit */
	bool ipip_anywhere;   /* next header 4 somewhere in the chain */
	bool ipip;            /* the chain ends in IPv4 ... */
	size_t inner;         /* ... at this offset */
	bool via_fragment;    /* a fragment header on the way */
	bool via_routing;     /* a routing header with segments left on the way */
	bool cut;             /* an extension header runs past end */
	uint8_t last_nh;      /* the protocol the chain ends in */
};

void view_v6(const uint8_t *h, size_t avail, struct v6view *v);

/* RFC 1071 checks (selftests/lib/csum_ref.c underneath). */
enum csum_state { CS_NA, CS_OK, CS_BAD };

/* The TCP, UDP or ICMP checksum of a sane, unfragmented packet; CS_NA when
 * there is nothing to verify (no checksum, a fragment, lengths that
 * disagree, other protocols). */
enum csum_state v4_l4_csum(const struct v4view *v);

/* For a checksum made wrong: whether the transport header or the quote runs
 * past the Total Length, bytes trailing (" (...)" or ""). */
const char *l4_cut_hint(const struct v4view *v, char *buf, size_t len);
bool ip6_eq(const uint8_t *a, const struct in6_addr *b);
const char *fmt4(uint32_t a, char *buf);   /* network order; buf of 16 */
void hexdump(FILE *out, const char *what, const uint8_t *p, size_t len);

/* ---- checks -------------------------------------------------------------------- */

/* The violations found in one frame: their classes and what exactly. */
#define VERDICT_MAX 6

struct verdict {
	int n;
	int cls[VERDICT_MAX];         /* indexes into the program's class table */
	char detail[VERDICT_MAX][200];
};

static inline void verdict_clear(struct verdict *v)
{
	v->n = 0;
}

void verdict_set(struct verdict *v, int cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct vclass {
	const char *name;
	const char *what;     /* the invariant, one line */
};

/* A program under test: its lab, seed frames, checker and classes. */
struct target {
	const char *name;
	const struct vclass *classes;
	int n_classes;
	/* prepares the lab in the current (private) netns; 0 or a message */
	int (*init)(char *err, size_t errlen);
	/* before frame index (state resets, e.g. the lwB4's mappings every
	 * block frames; block 0: the program keeps no state between frames) */
	int (*before)(uint64_t index, char *err, size_t errlen);
	unsigned block;
	/* a valid frame of a random kind, layout filled in */
	void (*seed)(struct rng *r, struct mframe *f);
	/* the other side's ifindex (the wrong-side mutation) */
	unsigned (*other_side)(unsigned ifindex);
	/* the dictionaries the address mutations draw from */
	const uint32_t *addrs4;
	size_t n_addrs4;
	const struct in6_addr *addrs6;
	size_t n_addrs6;
	int prog_fd;
	/* judges one run into v (cleared by the caller): n 0 when every
	 * invariant holds */
	void (*check)(const struct mframe *in, uint32_t act, const uint8_t *out, size_t outlen,
		      struct verdict *v);
	const char *(*side_name)(unsigned ifindex);
};

extern struct target aftr_target;
extern struct target b4_target;

/* mutators.c: 0..n mutations, then fix-ups, each logged in f->log. */
void mutate_frame(struct rng *r, const struct target *t, struct mframe *f);
/* The fix-ups alone (also for seeds): every checksum and length recomputed. */
void fix_all(struct mframe *f);

/* run.c */
struct run_opts {
	uint64_t seed;
	uint64_t frames;
	uint64_t only;        /* replay one frame (index + 1), 0 = all */
	unsigned examples;    /* reports printed per class */
	bool repro;           /* the reproducers instead of the fuzzer */
	bool verbose;
};

struct run_result {
	uint64_t passed, failed, skipped;
	uint64_t frames;      /* run through the program */
	double seconds;
};

int run_target(struct target *t, const struct run_opts *o, struct run_result *res);

extern const char *aftr_obj_path;
extern const char *b4_obj_path;

/* repro.c: one hand-made frame per class found, run and judged; counts
 * those that still violate their class and those that no longer do.
 * Returns the number that could not be built or run. */
int repro(const struct target *t, uint64_t *fixed, uint64_t *still);

/* selfcheck.c: the checker must condemn known violations; returns the
 * number of self-check failures (each printed). */
int selfcheck(const struct target *t);

/* run.c: the name of an XDP action. */
const char *act_name(uint32_t action);

/* BPF_PROG_TEST_RUN of one frame (run.c). */
int run_frame(int prog_fd, unsigned ifindex, const uint8_t *in, size_t inlen, uint8_t *out,
	      size_t outcap, size_t *outlen, uint32_t *action);

#endif
