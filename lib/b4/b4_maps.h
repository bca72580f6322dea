/* SPDX-License-Identifier: GPL-2.0 */
/* User-space access to the lwB4 maps (include/lw4o6/b4.h): configuration,
 * the port-set pool, NAPT sessions, counters, and the two operations the
 * data plane leaves to user space: expiring mappings by their timers and
 * flushing the mappings of one port set (B4-PROV-6), and the explicit (PCP)
 * mappings pcpd creates for LAN hosts (PCPC-12). */
#ifndef LW4O6_B4_MAPS_H
#define LW4O6_B4_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "lw4o6/b4.h"
#include "lw4o6/stats.h"

struct lw_b4_maps {
	int meta, cfg, pool, out, sess, life, stats, events, ratelim, usage;
};

/* The maps of an lwB4 pinned under root, checked against this build's ABI
 * and role. 0, or -ENOENT (nothing pinned there: "PATH not found: no lwB4
 * is loaded under ROOT"), -ENOTSUP (another build or role), another
 * negative errno; the message in err, every descriptor -1 on failure. */
int lw_b4_maps_open_pinned(const char *root, struct lw_b4_maps *m, char *err, size_t errlen);
/* The pin name of map i of struct lw_b4_maps; NULL past the last. */
const char *lw_b4_pin_name(size_t i);
/* Closes what lw_b4_maps_open_pinned opened (descriptors left -1). */
void lw_b4_maps_close(struct lw_b4_maps *m);

/* File descriptors of a loaded object's maps (the object keeps them). */
int lw_b4_maps_from_obj(struct bpf_object *obj, struct lw_b4_maps *m, char *err, size_t errlen);
/* Writes lw_b4_meta (this build's ABI version, role lwB4). */
int lw_b4_write_meta(const struct lw_b4_maps *m);

/* A configuration with the defaults filled in (timers, flags, MTU 1500,
 * hop limit 64, 1000 events/s, burst 100); addresses and ifindexes zero. */
void lw_b4_config_init(struct lw_b4_config *cfg);
int lw_b4_config_read(const struct lw_b4_maps *m, struct lw_b4_config *cfg);
int lw_b4_config_write(const struct lw_b4_maps *m, const struct lw_b4_config *cfg);

/* The ports of an address: the largest set. */
#define LW_B4_PORT_SPACE 65536

/* A valid port set: size a power of two in 1..65536, first a multiple of
 * size, first + size <= 65536. */
bool lw_b4_portset_valid(const struct lw_b4_portset *ps);
/* Whether two sets share a port of one address. */
bool lw_b4_portsets_overlap(const struct lw_b4_portset *a, const struct lw_b4_portset *b);
/* Calls fn for every slot of the pool map (lw_b4_pool) in order, free ones
 * (size 0) included; stops when fn returns non-zero, which is returned.
 * -errno when a slot cannot be read. */
typedef int (*lw_b4_pool_fn)(__u32 slot, const struct lw_b4_portset *ps, void *arg);
int lw_b4_pool_foreach(const struct lw_b4_maps *m, lw_b4_pool_fn fn, void *arg);
/* The held set equal to ps (ipv4, first, size): 0 with its slot and its
 * entry, lease included (either may be NULL); -ENOENT when not held. */
int lw_b4_pool_find(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, __u32 *slot,
		    struct lw_b4_portset *held);
/* Adds a set to a free slot, lease_expires as given, at the lowest base (a
 * multiple of its size) no held set's positions overlap: -EINVAL
 * (invalid), -EEXIST (overlaps a set of the same address), -ENOSPC
 * (LW_B4_POOL_MAX sets held, or no room left among the LW_B4_POOL_PORTS
 * positions). Whatever the new set's positions still hold (a mapping left
 * by a race with an earlier removal) is flushed first. ps->base is
 * ignored. */
int lw_b4_pool_add(const struct lw_b4_maps *m, const struct lw_b4_portset *ps);
/* Removes the set and flushes its mappings, explicit ones too (B4-PROV-6: a
 * set that leaves takes all its mappings); -ENOENT if absent. *flushed (may
 * be NULL) receives the number of mappings removed. */
int lw_b4_pool_del(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed);
/* Copies the held sets into out (at most max); *n receives their number. */
int lw_b4_pool_list(const struct lw_b4_maps *m, struct lw_b4_portset *out, size_t max, size_t *n);
int lw_b4_pool_clear(const struct lw_b4_maps *m);
/* Rewrites lease_expires of the held set equal to ps (ipv4, first, size);
 * -ENOENT if not held. */
int lw_b4_pool_set_lease(const struct lw_b4_maps *m, const struct lw_b4_portset *ps);
/* Mappings per held set: for each of the n sets in sets[], counts[i] =
 * mappings whose external endpoint lies in it, pcp[i] = of those, explicit
 * ones (pcp may be NULL). One walk of lw_b4_sess. */
int lw_b4_pool_mappings(const struct lw_b4_maps *m, const struct lw_b4_portset *sets, size_t n,
			uint32_t *counts, uint32_t *pcp);

/* A mapping as user space reads it: its session slot (lw_b4_sess) and what
 * lies beside it (lw_b4_life), in the shape it had before the two were
 * split (issue 11). */
struct lw_b4_session {
	__be32 ext_addr;  /* public IPv4 of the port set used */
	__be16 ext_port;  /* external port / Identifier, in the pool */
	__u8 tcp_state;   /* enum lw_b4_tcp_state bits */
	__u8 next_remote; /* next slot of remotes[] to overwrite */
	__be32 remotes[LW_B4_REMOTES];
	__u64 created_ns;  /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 last_out_ns; /* refreshed by outbound packets (B4-NAT-6) */
	__u64 last_in_ns;  /* inbound packets; TCP timers only */
	__u64 packets_out;
	__u64 packets_in;
	__u64 pcp_until_ns; /* explicit mapping: its end (CLOCK_MONOTONIC); 0 = dynamic */
	__u32 pcp_kind;     /* enum lw_b4_pcp_kind */
	__u32 live;         /* 0: being made (or unmade) right now */
};

struct lw_b4_session_row {
	struct lw_b4_out_key key; /* the internal endpoint */
	struct lw_b4_session s;
	__u32 pos; /* its slot in lw_b4_sess */
};
/* Calls fn for every mapping (every claimed slot, live or not); stops when fn
 * returns non-zero (returned). */
int lw_b4_session_foreach(const struct lw_b4_maps *m,
			  int (*fn)(const struct lw_b4_session_row *row, void *arg), void *arg);
/* The mapping of internal endpoint {proto, int_addr, int_port} (lw_b4_out,
 * then its slot): 0 and *row, or -ENOENT. */
int lw_b4_mapping_get(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port,
		      struct lw_b4_session_row *row);
/* The live mapping of external endpoint {proto, ext_addr, ext_port} (the
 * slot its port is in the pool): 0 and *row, or -ENOENT. */
int lw_b4_mapping_by_ext(const struct lw_b4_maps *m, uint8_t proto, __be32 ext_addr,
			 __be16 ext_port, struct lw_b4_session_row *row);

/* The connection state of a TCP mapping from its state bits (B4-NAT-7/8;
 * RFC 5382 REQ-5, RFC 7857 §2, RFC 6146 §3.5.2 simplified):
 *   OPENING      a SYN one way only (transitory)
 *   ESTABLISHED  SYN both ways (simultaneous open included), no RST, and no
 *                FIN both ways (a half-close is still established)
 *   CLOSING      FIN both ways (transitory)
 *   RESET        an RST seen (transitory: RFC 7857 §2.2 keeps the state
 *                4 min rather than deleting it)
 * Only ESTABLISHED gets tcp_est_timeout; the others tcp_trans_timeout. */
enum lw_b4_tcp_class {
	LW_B4_TCP_OPENING = 0,
	LW_B4_TCP_ESTABLISHED = 1,
	LW_B4_TCP_CLOSING = 2,
	LW_B4_TCP_RESET = 3,
};
enum lw_b4_tcp_class lw_b4_tcp_classify(uint8_t tcp_state);
/* The idle timeout of a mapping in nanoseconds under cfg: UDP, ICMP, and
 * for TCP established or transitory (lw_b4_tcp_classify). */
uint64_t lw_b4_session_timeout_ns(const struct lw_b4_config *cfg, uint8_t proto, uint8_t tcp_state);
/* CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns, which the
 * mapping timestamps are in. */
uint64_t lw_b4_now_ns(void);
/* Expiry at now_ns (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns): a
 * session with pcp_until_ns != 0 expires when now_ns >= pcp_until_ns (RFC
 * 6887 §15: the mapping is deleted when its lifetime ends), whatever its idle
 * time; otherwise when it is idle past its timeout (TCP counts inbound
 * packets too). */
bool lw_b4_session_expired(const struct lw_b4_config *cfg, uint8_t proto,
			   const struct lw_b4_session *s, uint64_t now_ns);
/* Deletes every expired mapping, both directions together; *expired (may be
 * NULL) receives how many. now_ns 0: the current CLOCK_MONOTONIC time. */
int lw_b4_expire(const struct lw_b4_maps *m, uint64_t now_ns, size_t *expired);
/* Deletes every mapping whose external endpoint lies in ps, explicit ones
 * too (B4-PROV-6). */
int lw_b4_flush_portset(const struct lw_b4_maps *m, const struct lw_b4_portset *ps,
			size_t *flushed);
/* Deletes every mapping. */
int lw_b4_flush_all(const struct lw_b4_maps *m, size_t *flushed);
/* Deletes every mapping whose internal address lies outside lan_addr /
 * prefixlen: a LAN prefix changed by a load leaves them without a host. */
int lw_b4_flush_outside_lan(const struct lw_b4_maps *m, __be32 lan_addr, uint8_t prefixlen,
			    size_t *flushed);

/* What lw_b4_pool_reload did: sets and mappings kept, removed, added. */
struct lw_b4_reload {
	size_t sets_kept, sets_removed, sets_added;
	size_t flushed; /* mappings of the removed sets */
};
/* A load over a running lwB4 (issue 12): the pool made to hold the n static
 * sets of the new configuration without touching what still agrees with it.
 * A held static set (lease 0) stays, with its mappings, when the new
 * configuration has it unchanged, and leaves with them (B4-PROV-6)
 * otherwise. A held PCP set stays while keep_pcp (the grant is still the
 * lwB4's: same tunnel and lwAFTR addresses) unless a new static set overlaps
 * it without being equal to it. The new sets not held yet are added. */
int lw_b4_pool_reload(const struct lw_b4_maps *m, const struct lw_b4_portset *sets, size_t n,
		      bool keep_pcp, struct lw_b4_reload *r);
/* Mappings held now (claimed session slots), *n. */
int lw_b4_mapping_count(const struct lw_b4_maps *m, size_t *n);

/* An explicit mapping for a LAN host (PCP MAP/PEER served by pcpd, PCPC-12).
 * If the internal endpoint {proto, int_addr, int_port} already has a mapping
 * (dynamic or explicit), it keeps its external endpoint (endpoint-independent
 * mapping; RFC 6887 §11.3 returns the existing external port) and only
 * kind/until/peer change. Otherwise a new mapping on {want_addr, want_port}:
 * its session slot is claimed first, as the data plane claims it (B4-NAT-3
 * arbitration), then lw_b4_out inserted with BPF_NOEXIST; -EEXIST when that
 * external port already carries a mapping; -ERANGE when want is not inside
 * a set of the pool.
 * kind: LW_B4_PCP_MAP or LW_B4_PCP_PEER (-EINVAL otherwise); peer: for PEER,
 * the remote address put in remotes[] (admitted under ADF; -EINVAL if 0,
 * which marks an empty slot); a non-zero peer is remembered with MAP too,
 * where it changes nothing until the mapping becomes PEER; until_ns:
 * CLOCK_MONOTONIC end of the lifetime (must be non-zero, -EINVAL). The
 * mapping is set to exactly this kind and until (the caller combines MAP and
 * PEER lifetimes of one endpoint); a peer, once in remotes[], stays there
 * like any remote (the last LW_B4_REMOTES distinct ones are kept).
 * Pool usage (lw_b4_usage) stays right: a mapping created here counts as
 * mapped -- the RELEASED slot is decremented (user space is its only writer),
 * so CREATED - RELEASED rises by one; turning an existing mapping explicit
 * changes no counter.
 * Only the fields named change in an existing mapping (the data plane's
 * timestamps, counters and TCP state are left as they are); a remote the
 * data plane remembers at the same moment as the peer here may be lost.
 * *got_addr and *got_port (network order) receive the external endpoint used.
 * proto: IPPROTO_TCP or IPPROTO_UDP (-EPROTONOSUPPORT otherwise). */
int lw_b4_explicit_set(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port,
		       __be32 want_addr, __be16 want_port, enum lw_b4_pcp_kind kind, __be32 peer,
		       uint64_t until_ns, __be32 *got_addr, __be16 *got_port);
/* Deletes the mapping of the internal endpoint, both directions, if it is
 * explicit (its lifetime was set to 0 by the client); -ENOENT when there is
 * none, -EPERM when it is dynamic (left alone). Usage counters as for any
 * deletion. */
int lw_b4_explicit_del(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port);
/* Whether an external endpoint carries no mapping (its slot is free, or
 * no held set has it). */
bool lw_b4_ext_port_free(const struct lw_b4_maps *m, uint8_t proto, __be32 ext_addr,
			 __be16 ext_port);

int lw_b4_stats_read(const struct lw_b4_maps *m, struct lw_counter out[LW_B4_STAT_MAX]);
int lw_b4_stats_reset(const struct lw_b4_maps *m);
/* Ports mapped according to the lw_b4_usage counters (created by the data
 * plane minus released here, modulo 2^64); every deletion in this file
 * releases, every explicit mapping created here un-releases. */
int lw_b4_usage_read(const struct lw_b4_maps *m, uint64_t *mapped);
const char *lw_b4_stat_name(unsigned stat);

#endif
