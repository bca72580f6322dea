// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/* pcpd --role b4: the lwB4's control plane (issue 5).
 *
 * The PCP client to the lwAFTR lives in b4_client.c, the PCP server for LAN
 * hosts in b4_lan.c. This file starts them, runs the event loop and keeps
 * the pool sufficient:
 *
 *   growth        another set (slot) is asked for when the pool's usage
 *                 reaches grow-percent or the data plane reports exhaustion
 *                 (B4-NAT-17), up to max-sets (b4_pool_grow)
 *   give back     an extra set with no mapping for release-idle seconds goes
 *                 back (lifetime 0) when the others stay below
 *                 release-percent: the gap to grow-percent is the
 *                 hysteresis (b4_pool_release)
 *   NO_BINDING    event from the data plane (ICMPv6 1/5 from the lwAFTR):
 *                 the set the quoted packet used leaves the pool with its
 *                 mappings and is asked for at once (B4-PROV-8)
 *   housekeeping  lw_b4_expire() every expire-interval seconds
 *   slow path     TOO_BIG_DF / TTL_EXPIRED from the LAN → ICMPv4 3/4 / 11/0
 *                 to the LAN host from the lwB4's LAN address, icmp-rate per
 *                 second (IPPROTO_RAW socket); FRAG_NEEDED → the translated
 *                 packet inside IPv6 fragments of at most the tunnel MTU
 *                 to the lwAFTR (B4-FRAG-1/2, b4_slow.h)
 *
 * The raw AF_INET6/IPPROTO_IPIP socket bound to tunnel-ipv6 gets every
 * IPv4-in-IPv6 packet for the tunnel address, and the lwAFTR's multicast
 * ANNOUNCE to ff02::1 (PCPS-17): a raw IPv6 socket bound to a unicast
 * address still matches multicast to groups it has not joined while
 * IPV6_MULTICAST_ALL is on (raw_v6_match, inet6_mc_check), the default,
 * set explicitly below. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "lw4o6/pcp.h"
#include "b4_priv.h"
#include "loop.h"
#include "addr.h"
#include "errmsg.h"
#include "lw4o6/abi.h"

/* A turn of the loop ends within a second at the latest; a burst of pool
 * events walks the mappings at most once per B4_EVENT_CHECK_MS. */
#define B4_TICK_MS        1000
#define B4_EVENT_CHECK_MS 100
/* The client's source port is drawn above the well-known ports. */
#define B4_FIRST_SPORT 1024

uint64_t b4_now_ms(void)
{
	return pcpd_now_ms();
}

double b4_rand01(void)
{
	return (double)random() / ((double)RAND_MAX + 1.0);
}

const char *b4_set_str(const struct b4_grant *g, char *buf, size_t len)
{
	char a[LW_IPV4_STRLEN];

	snprintf(buf, len, "%s ports %u-%u", lw_format_ipv4(g->ipv4, a, sizeof(a)), g->first,
		 g->first + g->size - 1);
	return buf;
}

bool b4_exhausted_drops(const struct b4d *d, uint64_t *n)
{
	struct lw_counter st[LW_B4_STAT_MAX];

	if (lw_b4_stats_read(&d->maps, st))
		return false;
	*n = st[LW_B4_STAT_DROP_POOL_EXHAUSTED].packets;
	return true;
}

static int maps_open(struct b4d *d, char *err, size_t errlen)
{
	int r = lw_b4_maps_open_pinned(d->cfg.pin_root, &d->maps, err, errlen);

	if (r == -ENOENT) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n,
			 " (start it first: 'lw4o6 --pin-root %s load b4 ...')", d->cfg.pin_root);
	}
	if (r)
		return r;
	if (lw_b4_config_read(&d->maps, &d->dp))
		return lw_errf_code(-EIO, err, errlen,
				    "cannot read the lwB4 configuration under %s", d->cfg.pin_root);
	return 0;
}

/* The data plane encapsulates from and to the addresses of its own
 * configuration: a client asking from others would install sets for a
 * softwire that is not this lwB4's. */
static int dp_addresses_match(const struct b4d *d, char *err, size_t errlen)
{
	char want[INET6_ADDRSTRLEN], have[INET6_ADDRSTRLEN];

	if (memcmp(&d->dp.tunnel_addr, &d->cfg.tunnel, sizeof(d->cfg.tunnel)))
		return lw_errf_code(-EINVAL, err, errlen,
				    "tunnel-ipv6 %s differs from the lwB4's under %s (%s): give "
				    "pcpd the data plane's configuration",
				    inet_ntop(AF_INET6, &d->cfg.tunnel, want, sizeof(want)),
				    d->cfg.pin_root,
				    inet_ntop(AF_INET6, &d->dp.tunnel_addr, have, sizeof(have)));
	if (memcmp(&d->dp.aftr_addr, &d->cfg.aftr, sizeof(d->cfg.aftr)))
		return lw_errf_code(-EINVAL, err, errlen,
				    "aftr-ipv6 %s differs from the lwB4's under %s (%s): give "
				    "pcpd the data plane's configuration",
				    inet_ntop(AF_INET6, &d->cfg.aftr, want, sizeof(want)),
				    d->cfg.pin_root,
				    inet_ntop(AF_INET6, &d->dp.aftr_addr, have, sizeof(have)));
	return 0;
}

/* ---- the pool ------------------------------------------------------------ */

static void pool_grow(struct b4d *d, const char *why)
{
	for (unsigned i = 1; i < B4_SLOTS; i++) {
		if (d->slot[i].used)
			continue;
		b4_slot_new(d, i);
		b4_start_request(d, i, 0, why);
		return;
	}
}

/* The lwB4's configuration is read again every round: `lw4o6 set` changes
 * the filtering or the LAN's settings in place, and the slow path
 * (b4_inbound_xlate) and the LAN server follow them. `lw4o6 load b4` again
 * keeps the pinned maps and, unless its tunnel or lwAFTR address changed,
 * the PCP sets and their mappings (issue 12); a set that is gone all the
 * same (a first load after an unload, a new address) is put back, LAN
 * mappings included (b4_install -> b4_lan_pool_grew). The load rewrites
 * the growth threshold, which is reset here. */
static void pool_reconcile(struct b4d *d)
{
	struct lw_b4_config dp;
	char str[80];

	if (lw_b4_config_read(&d->maps, &dp) == 0)
		d->dp = dp;
	if (d->dp.pool_warn_pct != d->cfg.grow_pct) {
		d->dp.pool_warn_pct = d->cfg.grow_pct;
		if (lw_b4_config_write(&d->maps, &d->dp))
			pcpd_log(LOG_WARN_, "cannot set the lwB4's pool-warn-percent to %u",
				 d->cfg.grow_pct);
	}
	for (unsigned i = 0; i < B4_SLOTS; i++) {
		struct b4_slot *s = &d->slot[i];

		if (!s->installed || b4_pool_has(d, &s->g))
			continue;
		pcpd_log(LOG_WARN_,
			 "slot %u: %s is no longer in the lwB4 pool (the lwB4 reloaded?): "
			 "putting it back",
			 i, b4_set_str(&s->g, str, sizeof(str)));
		s->installed = false;
		b4_install(d, i);
	}
}

/* Usage, growth and giving back; every expire-interval and on events. */
static void pool_check(struct b4d *d, bool exhausted)
{
	struct lw_b4_portset sets[B4_SLOTS];
	struct b4_set_use use[B4_SLOTS];
	uint32_t counts[B4_SLOTS], pcp[B4_SLOTS];
	unsigned idx[B4_SLOTS], n = 0;
	struct b4_pool_view v = { .max_sets = d->cfg.max_sets };
	uint64_t now = b4_now_ms(), mapped = 0;
	int r;

	for (unsigned i = 0; i < B4_SLOTS; i++) {
		struct b4_slot *s = &d->slot[i];

		if (!s->used || s->releasing)
			continue;
		v.sets++;
		if (s->pending && !s->valid && i > 0)
			v.request_pending = true;
		if (!s->installed)
			continue;
		memset(&sets[n], 0, sizeof(sets[n]));
		sets[n].ipv4 = s->g.ipv4;
		sets[n].first = s->g.first;
		sets[n].size = s->g.size;
		idx[n++] = i;
	}
	if (!n)
		return;
	if (lw_b4_pool_mappings(&d->maps, sets, n, counts, pcp))
		return;
	for (unsigned k = 0; k < n; k++) {
		struct b4_slot *s = &d->slot[idx[k]];

		mapped += counts[k];
		v.ports += sets[k].size;
		if (counts[k])
			s->idle_since_ms = 0;
		else if (!s->idle_since_ms)
			s->idle_since_ms = now;
		use[k] = (struct b4_set_use){ .releasable = idx[k] > 0 && s->valid,
					      .ports = sets[k].size,
					      .mappings = counts[k],
					      .idle_since_ms = s->idle_since_ms };
	}
	v.mapped = mapped;
	v.backing_off = now < d->grow_backoff_until_ms;
	if (b4_pool_grow(&v, d->cfg.grow_pct, exhausted)) {
		char why[96];

		snprintf(why, sizeof(why), "pool growth: %llu of %llu ports mapped%s",
			 (unsigned long long)mapped, (unsigned long long)v.ports,
			 exhausted ? ", exhausted" : "");
		pool_grow(d, why);
		return;
	}
	if (!d->cfg.release_pct)
		return;
	r = b4_pool_release(use, n, mapped, now, (uint64_t)d->cfg.release_idle_s * 1000,
			    d->cfg.release_pct);
	if (r >= 0) {
		char why[96];

		snprintf(why, sizeof(why), "idle %u s, %llu ports mapped in the others",
			 d->cfg.release_idle_s, (unsigned long long)mapped);
		b4_release(d, idx[r], why);
	}
}

/* An event asks for a check at once, but a burst of them (every dropped
 * packet of a full pool is one) walks the mappings once per B4_EVENT_CHECK_MS. */
static void pool_check_soon(struct b4d *d, bool exhausted)
{
	uint64_t now = b4_now_ms();

	if (now < d->last_event_check_ms + B4_EVENT_CHECK_MS)
		return;
	d->last_event_check_ms = now;
	pool_check(d, exhausted);
}

/* ---- the slow path (B4-FRAG-1/2) ---------------------------------------- */

/* B4-FRAG-1: the translated packet inside IPv6 to the lwAFTR, fragmented
 * at the tunnel MTU by b4_slow_fragment (the kernel would fragment only
 * above the route's MTU), through frag_fd (IPPROTO_RAW: the IPv6 headers
 * are ours; the traffic class is the inner TOS, as in the data plane). */
static void send_tunnel(struct b4d *d, const struct b4_slow_out *o, uint8_t hop_limit)
{
	struct b4_slow_frags *fr = &d->frags;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = d->cfg.aftr };
	uint32_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint32_t)random();
	if (d->frag_fd < 0 || b4_slow_fragment(&d->cfg.tunnel, &d->cfg.aftr, o->tos,
					       hop_limit ? hop_limit : PCPD_HOP_LIMIT, id, o->pkt,
					       o->len, o->mtu, fr)) {
		d->slow.send_errors++;
		return;
	}
	for (size_t i = 0; i < fr->n; i++)
		if (sendto(d->frag_fd, fr->pkt[i], fr->len[i], 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			d->slow.send_errors++;
			pcpd_log(LOG_DEBUG_, "slow path: fragment %zu of %zu to the lwAFTR: %s",
				 i + 1, fr->n, strerror(errno));
			return;
		}
	d->slow.tunnel_sent++;
	pcpd_log(LOG_DEBUG_,
		 "slow path: %zu-byte IPv4 packet sent through the tunnel in %zu IPv6 "
		 "fragment(s), MTU %u (B4-FRAG-1)",
		 o->len, fr->n, o->mtu);
}

static void send_icmp(struct b4d *d, const struct b4_slow_out *o)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = o->dst };
	char a[LW_IPV4_STRLEN];

	if (!b4_slow_rate_allow(&d->icmp_rl, pcpd_now_ns())) {
		d->slow.icmp_rate_limited++;
		return;
	}
	if (d->icmp_fd < 0 ||
	    sendto(d->icmp_fd, o->pkt, o->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		d->slow.send_errors++;
		pcpd_log(LOG_DEBUG_, "slow path: ICMPv4 %u/%u to %s: %s", o->pkt[20], o->pkt[21],
			 lw_format_ipv4(o->dst, a, sizeof(a)),
			 d->icmp_fd < 0 ? "no socket" : strerror(errno));
		return;
	}
	d->slow.icmp_sent++;
	pcpd_log(LOG_DEBUG_, "slow path: ICMPv4 %u/%u sent to %s", o->pkt[20], o->pkt[21],
		 lw_format_ipv4(o->dst, a, sizeof(a)));
}

static void slow_event(struct b4d *d, const void *data, size_t size)
{
	struct b4_slow_out *out = &d->slow_out;
	struct lw_b4_config dp = d->dp;
	struct b4_slow_lan lan;

	/* the LAN address as the lwB4 has it now (lw4o6 load b4 again may
	 * have changed it) */
	if (lw_b4_config_read(&d->maps, &dp))
		dp = d->dp;
	lan.addr = dp.lan_addr;
	lan.prefixlen = dp.lan_prefixlen;
	if (b4_slow_event(&lan, data, size, out))
		return;
	switch (out->kind) {
	case B4_SLOW_ICMP_TO_LAN: send_icmp(d, out); break;
	case B4_SLOW_TO_TUNNEL: send_tunnel(d, out, dp.hop_limit); break;
	default:
		if (out->why == B4_SLOW_TRUNCATED) {
			d->slow.tunnel_refused++;
			pcpd_log(LOG_INFO_,
				 "slow path: a packet to fragment arrived truncated: dropped "
				 "(%llu so far)",
				 (unsigned long long)d->slow.tunnel_refused);
		} else {
			d->slow.icmp_suppressed++;
			pcpd_log(LOG_DEBUG_, "slow path: no packet for event %u: %s",
				 ((const struct lw_b4_event *)data)->type,
				 b4_slow_reason_name(out->why));
		}
	}
}

/* ---- data-plane events --------------------------------------------------- */

static int handle_event(void *ctx, void *data, size_t size)
{
	struct b4d *d = ctx;
	const struct lw_b4_event *e = data;
	char a[LW_IPV4_STRLEN];

	if (size < offsetof(struct lw_b4_event, pkt))
		return 0;
	switch (e->type) {
	case LW_B4_EV_NO_BINDING:
		/* B4-PROV-8: the lwAFTR has no binding for a set we use */
		for (unsigned i = 0; i < B4_SLOTS; i++) {
			struct b4_slot *s = &d->slot[i];

			if (!s->installed || e->ps_size == 0 || e->ps_ipv4 != s->g.ipv4 ||
			    e->ps_first != s->g.first || e->ps_size != s->g.size)
				continue;
			pcpd_log(LOG_INFO_,
				 "the lwAFTR has no binding for %s ports %u-%u (ICMPv6 1/5)",
				 lw_format_ipv4(e->ps_ipv4, a, sizeof(a)), e->ps_first,
				 e->ps_first + e->ps_size - 1);
			b4_lost(d, "NO_BINDING");
			b4_rebind(d, i);
		}
		break;
	case LW_B4_EV_POOL_EXHAUSTED: {
		uint64_t drops;

		/* Events queued before the last set joined the pool report a
		 * pool that has grown since: the drop counter (counted before
		 * the event is emitted) has not moved from its value then. */
		if (b4_exhausted_drops(d, &drops) && drops == d->exhausted_drops)
			break;
		if (!d->exhausted)
			pcpd_log(LOG_INFO_, "the data plane reports the pool exhausted");
		d->exhausted = true;
		pool_check_soon(d, true);
		break;
	}
	case LW_B4_EV_POOL_THRESHOLD:
		pcpd_log(LOG_INFO_, "pool usage threshold: %u of %u ports mapped", e->ps_first,
			 e->ps_size);
		pool_check_soon(d, false);
		break;
	case LW_B4_EV_TOO_BIG_DF:
	case LW_B4_EV_TTL_EXPIRED:
	case LW_B4_EV_FRAG_NEEDED: slow_event(d, data, size); break;
	default: break;
	}
	return 0;
}

/* ---- the data plane: unload and load after it (issue 12) ----------------- */

#define B4_DP_WATCH_MS  250  /* bpffs has no inotify for bpf(2) pins: polled */
#define B4_DP_SETTLE_MS 1000 /* new maps without a program pin: a load by hand */

static __u32 fd_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The id of the object pinned at pin root/name; 0 none. */
static __u32 pinned_obj_id(const struct b4d *d, const char *name, bool prog)
{
	struct bpf_prog_info pi = {};
	char path[PATH_MAX];
	__u32 len = sizeof(pi), id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d->cfg.pin_root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	id = prog ? (bpf_obj_get_info_by_fd(fd, &pi, &len) ? 0 : pi.id) : fd_map_id(fd);
	close(fd);
	return id;
}

/* New maps (`lw4o6 load b4` after an unload): pcpd's descriptors and ring
 * buffer follow, and its sets go back into the new pool (pool_reconcile).
 * The old ring stays in the ring buffer, silent. */
static void dp_reopen(struct b4d *d, __u32 meta_id)
{
	struct lw_b4_maps m;
	char err[512];

	if (lw_b4_maps_open_pinned(d->cfg.pin_root, &m, err, sizeof(err))) {
		if (!d->dp_gone)
			pcpd_log(LOG_WARN_, "the lwB4's new maps: %s", err);
		d->dp_gone = true;
		return;
	}
	if (d->rb && ring_buffer__add(d->rb, m.events, handle_event, d))
		pcpd_log(LOG_ERR_, "the new lw_b4_events ring buffer: %s", strerror(errno));
	lw_b4_maps_close(&d->maps);
	d->maps = m;
	d->dp_meta_id = meta_id;
	d->dp_gone = false;
	lw_b4_config_read(&d->maps, &d->dp);
	pcpd_log(LOG_WARN_,
		 "the lwB4 under %s was loaded again (new maps): putting pcpd's sets back",
		 d->cfg.pin_root);
	pool_reconcile(d);
}

static void dp_follow(struct b4d *d)
{
	uint64_t now = b4_now_ms();
	__u32 meta_id, prog;

	if (now < d->next_dp_watch_ms)
		return;
	d->next_dp_watch_ms = now + B4_DP_WATCH_MS;
	if (!d->dp_meta_id)
		d->dp_meta_id = fd_map_id(d->maps.meta);
	meta_id = pinned_obj_id(d, LW_STR(LW_MAP_B4_META), false);
	if (!meta_id) {
		if (!d->dp_gone)
			pcpd_log(LOG_WARN_,
				 "the lwB4 under %s was unloaded: its sets wait for it to be "
				 "loaded again",
				 d->cfg.pin_root);
		d->dp_gone = true;
		d->dp_new_since_ms = 0;
		return;
	}
	if (meta_id == d->dp_meta_id)
		return;
	prog = pinned_obj_id(d, LW_B4_PROG_NAME "_prog", true);
	if (!d->dp_new_since_ms)
		d->dp_new_since_ms = now;
	if (!prog && now - d->dp_new_since_ms < B4_DP_SETTLE_MS)
		return; /* lw4o6 load pins its program last, after its file */
	d->dp_new_since_ms = 0;
	dp_reopen(d, meta_id);
}

/* ---- timers -------------------------------------------------------------- */

/* Before every wait: what is due now decides when the next thing is. */
static void tick(void *ctx)
{
	struct b4d *d = ctx;
	uint64_t now = b4_now_ms();

	dp_follow(d);
	b4_client_tick(d);
	b4_lan_tick(d);
	b4_nh_tick(d);
	if (now >= d->next_expire_ms) {
		size_t n = 0;

		if (lw_b4_expire(&d->maps, 0, &n) == 0 && n)
			pcpd_log(LOG_DEBUG_, "%zu mappings expired", n);
		d->next_expire_ms = now + (uint64_t)d->cfg.expire_interval * 1000;
		pool_reconcile(d);
		pool_check(d, d->exhausted);
		d->exhausted = false;
	}
}

static int next_timeout(void *ctx)
{
	const struct b4d *d = ctx;
	uint64_t now = b4_now_ms(), t = now + B4_TICK_MS;

	if (d->next_dp_watch_ms < t)
		t = d->next_dp_watch_ms;
	t = b4_client_deadline(d, t);
	t = b4_lan_deadline(d, t);
	if (d->next_expire_ms < t)
		t = d->next_expire_ms;
	return t <= now ? 0 : (int)(t - now);
}

/* ---- start and loop ------------------------------------------------------ */

static void restore(struct b4d *d)
{
	struct b4_grant gs[B4_SLOTS];
	size_t n = 0;
	char err[512], str[80];

	if (b4store_grants(d->store, gs, B4_SLOTS, &n, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "store: %s (starting without the stored grants)", err);
	for (size_t k = 0; k < n; k++) {
		unsigned i = gs[k].slot;
		struct b4_slot *s;

		if (i >= B4_SLOTS)
			continue;
		s = &d->slot[i];
		memset(s, 0, sizeof(*s));
		s->used = s->have_set = true;
		s->g = gs[k];
		if (s->g.expires_at > (int64_t)pcpd_now()) {
			s->valid = true;
			s->expire_ms = b4_now_ms() +
				       (uint64_t)(s->g.expires_at - (int64_t)pcpd_now()) * 1000;
			pcpd_log(LOG_INFO_, "slot %u: stored grant %s, %lld s left: renewing", i,
				 b4_set_str(&s->g, str, sizeof(str)),
				 (long long)(s->g.expires_at - (int64_t)pcpd_now()));
			b4_install(d, i);
			b4_start_request(d, i, 0, "renewal at start");
		} else {
			pcpd_log(LOG_INFO_, "slot %u: stored grant %s expired while stopped", i,
				 b4_set_str(&s->g, str, sizeof(str)));
			s->installed = b4_pool_has(d, &s->g);
			b4_uninstall(d, i, "expired while stopped");
			b4store_delete(d->store, i, err, sizeof(err));
			if (i == 0)
				b4_start_request(d, i, 0, "start, suggesting the expired set");
			else
				memset(s, 0, sizeof(*s));
		}
	}
	if (!d->slot[0].used) {
		b4_slot_new(d, 0);
		b4_start_request(d, 0, 0, "start");
	}
}

static int start(struct b4d *d, char *err, size_t errlen)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = d->cfg.tunnel };
	uint32_t seed;
	uint16_t r;
	int ret, on = 1;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	srandom(seed);
	if ((ret = maps_open(d, err, errlen)) || (ret = dp_addresses_match(d, err, errlen)))
		return ret;
	if ((ret = b4store_open(d->cfg.database, &d->store, err, errlen)))
		return ret;
	d->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (d->fd < 0)
		return lw_errf_code(-errno, err, errlen, "raw IPv6 (protocol 4) socket: %s",
				    strerror(errno));
	if (bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return lw_errf_code(-errno, err, errlen,
				    "bind tunnel-ipv6: %s (is it an address of this "
				    "host?)",
				    strerror(errno));
	if (setsockopt(d->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &on, sizeof(on)))
		pcpd_log(LOG_WARN_, "IPV6_MULTICAST_ALL: %s (multicast ANNOUNCE may be missed)",
			 strerror(errno));
	/* B4-FRAG-1: IPv6 fragments of packets too big for the tunnel */
	d->frag_fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (d->frag_fd < 0)
		pcpd_log(LOG_WARN_, "raw IPv6 socket: %s (packets too big for the tunnel are lost)",
			 strerror(errno));
	/* ICMPv4 errors to LAN hosts: whole IPv4 packets (IP_HDRINCL) */
	d->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (d->icmp_fd < 0)
		pcpd_log(LOG_WARN_, "raw IPv4 socket: %s (no ICMPv4 errors to LAN hosts)",
			 strerror(errno));
	b4_slow_rate_init(&d->icmp_rl, d->cfg.icmp_rate, pcpd_now_ns());
	do {
		r = (uint16_t)random();
	} while (r < B4_FIRST_SPORT || r == LW_PCP_SERVER_PORT || r == LW_PCP_CLIENT_PORT);
	d->sport = r;
	d->rb = ring_buffer__new(d->maps.events, handle_event, d, NULL);
	if (!d->rb)
		return lw_errf_code(-EIO, err, errlen, "ring buffer on the lwB4 events: %s",
				    strerror(errno));
	/* the data plane's early warning is our growth trigger */
	if (d->dp.pool_warn_pct != d->cfg.grow_pct) {
		d->dp.pool_warn_pct = d->cfg.grow_pct;
		if (lw_b4_config_write(&d->maps, &d->dp))
			pcpd_log(LOG_WARN_, "cannot set the lwB4's pool-warn-percent to %u",
				 d->cfg.grow_pct);
	}
	if ((ret = b4_lan_start(d, err, errlen)))
		return ret;
	b4_nh_start(d);
	restore(d);
	b4_lan_restored(d);
	return 0;
}

static void tunnel_readable(void *ctx)
{
	b4_client_readable(ctx);
}

static void lan_readable(void *ctx)
{
	b4_lan_readable(ctx);
}

/* Alike in shape to the lwAFTR's run() in pcpd/aftr/aftr.c: both only fill in
 * pcpd/loop.c's role description, which is where the loop itself lives. */
static int loop(struct b4d *d)
{
	const struct pcpd_loop_role role = {
		.fds = { { d->fd, tunnel_readable, d },
			 { d->lan_fd, lan_readable, d },
			 { b4_nh_fd(d), b4_nh_readable, d } },
		.events = d->rb,
		.before_wait = tick,
		.timeout_ms = next_timeout,
		.ctx = d,
		.hup_note = "SIGHUP ignored: restart pcpd to change the configuration (the grants "
			    "are kept)",
		.stop_note = " (the grants stay installed)",
	};

	return pcpd_loop_run(&role);
}

static void log_slow_path_counters(const struct b4d *d)
{
	if (d->slow.icmp_sent || d->slow.tunnel_sent || d->slow.icmp_rate_limited ||
	    d->slow.tunnel_refused || d->slow.send_errors)
		pcpd_log(
			LOG_INFO_,
			"slow path: %llu ICMPv4 errors sent, %llu rate-limited, %llu not "
			"allowed; %llu packets fragmented into the tunnel, %llu truncated; %llu send errors",
			(unsigned long long)d->slow.icmp_sent,
			(unsigned long long)d->slow.icmp_rate_limited,
			(unsigned long long)d->slow.icmp_suppressed,
			(unsigned long long)d->slow.tunnel_sent,
			(unsigned long long)d->slow.tunnel_refused,
			(unsigned long long)d->slow.send_errors);
	if (d->reasm_sent || d->reasm_dropped)
		pcpd_log(LOG_INFO_,
			 "reassembled packets from the lwAFTR: %llu translated and sent to the "
			 "LAN, %llu dropped",
			 (unsigned long long)d->reasm_sent, (unsigned long long)d->reasm_dropped);
}

static void stop(struct b4d *d)
{
	b4_nh_stop(d);
	b4_lan_stop(d);
	ring_buffer__free(d->rb);
	log_slow_path_counters(d);
	if (d->icmp_fd >= 0)
		close(d->icmp_fd);
	if (d->frag_fd >= 0)
		close(d->frag_fd);
	if (d->fd >= 0)
		close(d->fd);
	b4store_close(d->store);
	lw_b4_maps_close(&d->maps);
}

int pcpd_b4_main(const char *config, int log_delta)
{
	struct b4d *d = calloc(1, sizeof(*d));
	char err[1024] = "";
	int ret;

	if (!d) {
		fprintf(stderr, "pcpd: out of memory\n");
		return 1;
	}
	memset(&d->maps, 0xff, sizeof(d->maps));
	d->fd = d->lan_fd = d->icmp_fd = d->frag_fd = -1;
	if (b4_config_load(config, &d->cfg, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		free(d);
		return 1;
	}
	pcpd_set_log_level(d->cfg.log_level + log_delta);
	/* a second client would fight over the slots */
	ret = pcpd_lock_database(d->cfg.database, err, sizeof(err));
	if (!ret) /* and a second client of the same data plane would install its sets */
		ret = pcpd_lock_pin_root(d->cfg.pin_root, "b4", err, sizeof(err));
	if (!ret)
		ret = start(d, err, sizeof(err));
	if (!ret) {
		pcpd_log(LOG_INFO_, "lwB4 PCP client: %s, up to %u sets%s", config, d->cfg.max_sets,
			 d->lan_fd >= 0 ? ", LAN PCP server on" : "");
		ret = loop(d);
	} else {
		pcpd_log(LOG_ERR_, "%s", err[0] ? err : strerror(-ret));
	}
	stop(d);
	free(d);
	return ret ? 1 : 0;
}

/* ---- pcpd --role b4 --list-grants ---------------------------------------- */

int pcpd_b4_list(const char *config, bool json)
{
	struct b4_config cfg;
	struct b4store *st;
	struct b4_grant gs[B4_SLOTS];
	struct b4_lan_mapping *lan = NULL;
	size_t n = 0, nl = 0;
	int64_t now = (int64_t)pcpd_now();
	char err[1024], a[LW_IPV4_STRLEN], b[LW_IPV4_STRLEN], c[LW_IPV4_STRLEN];

	if (b4_config_load(config, &cfg, err, sizeof(err)) ||
	    b4store_open(cfg.database, &st, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	if (b4store_grants(st, gs, B4_SLOTS, &n, err, sizeof(err)) ||
	    b4store_lan_all(st, &lan, &nl, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		b4store_close(st);
		return 1;
	}
	if (json) {
		printf("{\"sets\":[");
		for (size_t i = 0; i < n; i++)
			printf("%s{\"slot\":%u,\"ipv4\":\"%s\",\"first-port\":%u,\"last-port\":%u,"
			       "\"size\":%u,\"expires-in\":%lld}",
			       i ? "," : "", gs[i].slot, lw_format_ipv4(gs[i].ipv4, a, sizeof(a)),
			       gs[i].first, gs[i].first + gs[i].size - 1, gs[i].size,
			       (long long)(gs[i].expires_at - now));
		printf("],\"lan-mappings\":[");
		for (size_t i = 0; i < nl; i++)
			printf("%s{\"opcode\":\"%s\",\"protocol\":%u,\"internal\":\"%s:%u\","
			       "\"external\":\"%s:%u\",\"peer\":\"%s:%u\",\"expires-in\":%lld}",
			       i ? "," : "", pcp_opcode_name(lan[i].opcode), lan[i].proto,
			       lw_format_ipv4(lan[i].int_addr, a, sizeof(a)), lan[i].int_port,
			       lw_format_ipv4(lan[i].ext_addr, b, sizeof(b)), lan[i].ext_port,
			       lw_format_ipv4(lan[i].peer_addr, c, sizeof(c)), lan[i].peer_port,
			       (long long)(lan[i].expires_at - now));
		printf("]}\n");
	} else {
		printf("Port sets from the lwAFTR (%zu)\n", n);
		printf("  %-4s %-15s %-11s %6s  %s\n", "slot", "IPv4", "ports", "size",
		       "expires in");
		for (size_t i = 0; i < n; i++)
			printf("  %-4u %-15s %5u-%-5u %6u  %lld s\n", gs[i].slot,
			       lw_format_ipv4(gs[i].ipv4, a, sizeof(a)), gs[i].first,
			       gs[i].first + gs[i].size - 1, gs[i].size,
			       (long long)(gs[i].expires_at - now));
		printf("Mappings granted to LAN hosts (%zu)\n", nl);
		if (nl)
			printf("  %-4s %-5s %-21s %-21s %-21s %s\n", "op", "proto", "internal",
			       "external", "peer", "expires in");
		for (size_t i = 0; i < nl; i++) {
			char in[32], ex[32], pe[32];

			snprintf(in, sizeof(in), "%s:%u",
				 lw_format_ipv4(lan[i].int_addr, a, sizeof(a)), lan[i].int_port);
			snprintf(ex, sizeof(ex), "%s:%u",
				 lw_format_ipv4(lan[i].ext_addr, b, sizeof(b)), lan[i].ext_port);
			if (lan[i].opcode == PCP_OP_PEER)
				snprintf(pe, sizeof(pe), "%s:%u",
					 lw_format_ipv4(lan[i].peer_addr, c, sizeof(c)),
					 lan[i].peer_port);
			else
				snprintf(pe, sizeof(pe), "-");
			printf("  %-4s %-5s %-21s %-21s %-21s %lld s\n",
			       pcp_opcode_name(lan[i].opcode), lan[i].proto == 6 ? "tcp" : "udp",
			       in, ex, pe, (long long)(lan[i].expires_at - now));
		}
	}
	free(lan);
	b4store_close(st);
	return 0;
}
