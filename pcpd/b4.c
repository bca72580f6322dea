// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* struct in6_pktinfo (RFC 3542) */
/* pcpd --role b4: the lwB4's PCP client inside the softwire (issue 5).
 *
 * One MAP (PCPC-5: client ::ffff:192.0.0.2, protocol 0, internal port 1,
 * PORT_SET 65535 first internal port 1) travels as IPv4/UDP 192.0.0.2:sport
 * -> 192.0.0.1:5351 inside IPv6 from tunnel-ipv6 to aftr-ipv6, through a raw
 * AF_INET6/IPPROTO_IPIP socket bound to tunnel-ipv6. That socket gets every
 * IPv4-in-IPv6 packet for the tunnel address; the inner UDP port tells
 * answers (our sport) from unsolicited ANNOUNCEs (5350). It also gets the
 * lwAFTR's multicast ANNOUNCE to ff02::1 (PCPS-17): a raw IPv6 socket bound
 * to a unicast address still matches multicast to groups it has not joined
 * while IPV6_MULTICAST_ALL is on (raw_v6_match, inet6_mc_check), which is
 * the default and is set explicitly below.
 *
 *   retransmission  RFC 6887 §8.1.1: IRT (irt-ms, 3 s), MRT 1024 s, ±10 %
 *   validation      PCPC-6: outer source aftr-ipv6, 192.0.0.1:5351, R,
 *                   opcode, nonce, protocol, internal port
 *   SUCCESS + set   stored durably, then added to the lwB4 pool (B4-PROV-5)
 *   SUCCESS, no set not usable (PCPC-7): keep retransmitting (back-off)
 *   error           wait the error's lifetime before retrying (PCPC-10)
 *   renewal         uniform random 1/2..5/8 of the lifetime (PCPC-8)
 *   changed grant   old set removed, its mappings flushed (B4-PROV-6, PCPC-11)
 *   NO_BINDING      event from the data plane (ICMPv6 1/5 from the lwAFTR):
 *                   drop the set, MAP again at once (B4-PROV-7)
 *   ANNOUNCE/epoch  re-request after a random delay (PCPC-9, §8.5, §14.1)
 *   housekeeping    lw_b4_expire() every expire-interval seconds */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "pcpd.h"
#include "b4.h"
#include "b4_config.h"
#include "b4store.h"
#include "b4_maps.h"
#include "inet_udp.h"
#include "pcp_msg.h"
#include "addr.h"
#include "errmsg.h"
#include "lw4o6/abi.h"

#define B4_CLIENT4 0xc0000002u  /* 192.0.0.2 */
#define B4_MRT_MS 1024000ull    /* RFC 6887 §8.1.1 */

struct b4d {
	struct b4_config cfg;
	struct lw_b4_maps maps;
	struct b4store *store;
	struct ring_buffer *rb;
	int fd;
	uint16_t sport;
	/* the grant (suggestion when !valid: the last one held) */
	struct b4_grant g;
	bool have_g;      /* g's nonce/address/set mean something */
	bool valid;       /* g is a current grant */
	bool installed;   /* g's set is in the pool */
	/* the exchange in progress */
	bool pending;
	uint64_t next_send_ms, rt_ms, first_sent_ms;
	unsigned tries;
	uint64_t renew_ms;        /* monotonic; 0 = none */
	uint64_t next_expire_ms;
	/* §8.5: the previous epoch and when it arrived */
	bool have_epoch;
	uint32_t prev_epoch;
	uint64_t prev_epoch_ms;
	/* recovery measurement */
	uint64_t lost_ms;
	const char *lost_why;
};

static uint64_t now_ms(void)
{
	return pcpd_now_ms();
}

static double rand01(void)
{
	return (double)random() / ((double)RAND_MAX + 1.0);
}

/* RFC 6887 §8.1.1: RAND is uniform in -0.1..+0.1 */
static uint64_t jitter(uint64_t ms)
{
	return (uint64_t)((double)ms * (0.9 + 0.2 * rand01()));
}

static const char *set_str(const struct b4_grant *g, char *buf, size_t len)
{
	char a[LW_IPV4_STRLEN];

	snprintf(buf, len, "%s ports %u-%u", lw_format_ipv4(g->ipv4, a, sizeof(a)), g->first,
		 g->first + g->size - 1);
	return buf;
}

static void to_portset(const struct b4_grant *g, struct lw_b4_portset *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->ipv4 = g->ipv4;
	ps->first = g->first;
	ps->size = g->size;
}

static int maps_open(struct b4d *d, char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } pins[] = {
		{ LW_STR(LW_MAP_B4_META), offsetof(struct lw_b4_maps, meta) },
		{ LW_STR(LW_MAP_B4_CFG), offsetof(struct lw_b4_maps, cfg) },
		{ LW_STR(LW_MAP_B4_POOL), offsetof(struct lw_b4_maps, pool) },
		{ LW_STR(LW_MAP_B4_OUT), offsetof(struct lw_b4_maps, out) },
		{ LW_STR(LW_MAP_B4_IN), offsetof(struct lw_b4_maps, in) },
		{ LW_STR(LW_MAP_B4_STATS), offsetof(struct lw_b4_maps, stats) },
		{ LW_STR(LW_MAP_B4_EVENTS), offsetof(struct lw_b4_maps, events) },
		{ LW_STR(LW_MAP_B4_RATELIM), offsetof(struct lw_b4_maps, ratelim) },
		{ LW_STR(LW_MAP_B4_USAGE), offsetof(struct lw_b4_maps, usage) },
	};
	_Static_assert(sizeof(struct lw_b4_maps) == sizeof(pins) / sizeof(pins[0]) * sizeof(int),
		       "one pin per map fd");
	struct lw_meta meta = {};
	__u32 key = 0;

	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		char path[600];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", d->cfg.pin_root, pins[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return lw_errf_code(-errno, err, errlen, "%s: %s (is the lwB4 loaded with "
					    "'lw4o6 load b4 --pin-root %s'?)", path, strerror(errno),
					    d->cfg.pin_root);
		*(int *)((char *)&d->maps + pins[i].off) = fd;
	}
	if (bpf_map_lookup_elem(d->maps.meta, &key, &meta) ||
	    (meta.abi_version && (meta.abi_version != LW_ABI_VERSION || meta.role != LW_ROLE_B4)))
		return lw_errf_code(-ENOTSUP, err, errlen, "maps under %s: ABI %u role %u, this build "
				    "ABI %u role %u", d->cfg.pin_root, meta.abi_version, meta.role,
				    LW_ABI_VERSION, LW_ROLE_B4);
	return 0;
}

static void maps_close(struct b4d *d)
{
	int *fds = (int *)&d->maps;

	for (size_t i = 0; i < sizeof(d->maps) / sizeof(int); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- the pool ------------------------------------------------------------ */

static bool pool_has(struct b4d *d, const struct lw_b4_portset *ps)
{
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	size_t n = 0;

	if (lw_b4_pool_list(&d->maps, sets, LW_B4_POOL_MAX, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (sets[i].ipv4 == ps->ipv4 && sets[i].first == ps->first && sets[i].size == ps->size)
			return true;
	return false;
}

static int install(struct b4d *d)
{
	struct lw_b4_portset ps;
	char s[80];
	int r;

	to_portset(&d->g, &ps);
	r = lw_b4_pool_add(&d->maps, &ps);
	if (r == -EEXIST && pool_has(d, &ps))
		r = 0;
	if (r) {
		pcpd_log(LOG_ERR_, "cannot add %s to the lwB4 pool: %s", set_str(&d->g, s, sizeof(s)),
			 strerror(-r));
		return r;
	}
	d->installed = true;
	return 0;
}

/* B4-PROV-6: the set leaves the pool and its mappings go with it */
static void uninstall(struct b4d *d, const char *why)
{
	struct lw_b4_portset ps;
	size_t flushed = 0;
	char s[80];
	int r;

	if (!d->installed)
		return;
	to_portset(&d->g, &ps);
	r = lw_b4_pool_del(&d->maps, &ps, &flushed);
	if (r && r != -ENOENT)
		pcpd_log(LOG_WARN_, "cannot remove %s from the pool: %s", set_str(&d->g, s, sizeof(s)),
			 strerror(-r));
	else
		pcpd_log(LOG_INFO_, "removed %s (%s), %zu mappings flushed",
			 set_str(&d->g, s, sizeof(s)), why, flushed);
	d->installed = false;
}

/* ---- requests ------------------------------------------------------------ */

static int send_map(struct b4d *d)
{
	static struct pcp_request req;
	uint8_t msg[PCP_MAX_LEN], pkt[1500];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = d->cfg.aftr };
	char desc[512];
	int n, plen;

	memset(&req, 0, sizeof(req));
	req.version = PCP_VERSION;
	req.opcode = PCP_OP_MAP;
	req.lifetime = d->cfg.lifetime;
	pcp_addr_from_ipv4(&req.client_addr, htonl(B4_CLIENT4));
	memcpy(req.body.nonce, d->g.nonce, PCP_NONCE_LEN);
	req.body.protocol = 0;
	req.body.internal_port = 1;
	if (d->have_g && d->g.ipv4) {  /* suggest what we hold or held */
		pcp_addr_from_ipv4(&req.body.external_addr, d->g.ipv4);
		req.body.external_port = (uint16_t)d->g.first;
	}
	req.opts.has_port_set = true;
	req.opts.port_set.size = 65535;
	req.opts.port_set.first_internal_port = 1;
	n = pcp_encode_request(&req, msg, sizeof(msg));
	if (n < 0)
		return n;
	plen = inet_udp_build(htonl(B4_CLIENT4), htonl(PCP_TUNNEL_SERVER_ADDR), d->sport, PCP_SERVER_PORT,
			      msg, (size_t)n, pkt, sizeof(pkt));
	if (plen < 0)
		return plen;
	if (sendto(d->fd, pkt, (size_t)plen, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		pcpd_log(LOG_WARN_, "send MAP: %s", strerror(errno));
	pcpd_log(LOG_DEBUG_, "sent (try %u): %s", d->tries + 1, pcp_describe(msg, (size_t)n, desc,
								     sizeof(desc)));
	return 0;
}

/* a new exchange after delay_ms; the nonce stays (same mapping) */
static void start_request(struct b4d *d, uint64_t delay_ms, const char *why)
{
	uint64_t at = now_ms() + delay_ms;

	if (d->pending && d->next_send_ms <= at && d->tries == 0)
		return;
	pcpd_log(LOG_INFO_, "requesting a port set (%s)%s", why, delay_ms ? " after a delay" : "");
	d->pending = true;
	d->tries = 0;
	d->next_send_ms = at;
	d->renew_ms = 0;
}

static void send_tick(struct b4d *d)
{
	uint64_t now = now_ms();

	if (!d->pending || now < d->next_send_ms)
		return;
	send_map(d);
	if (!d->tries) {
		d->first_sent_ms = now;
		d->rt_ms = jitter(d->cfg.irt_ms);
	} else {
		d->rt_ms = jitter(2 * d->rt_ms < B4_MRT_MS ? 2 * d->rt_ms : B4_MRT_MS);
	}
	d->tries++;
	d->next_send_ms = now + d->rt_ms;
}

/* ---- answers ------------------------------------------------------------- */

/* RFC 6887 §8.5: true when the server's epoch is inconsistent with ours */
static bool epoch_lost(struct b4d *d, uint32_t epoch)
{
	uint64_t now = now_ms();
	bool lost = false;

	if (d->have_epoch) {
		int64_t c = (int64_t)(now - d->prev_epoch_ms) / 1000;
		int64_t s = (int64_t)epoch - (int64_t)d->prev_epoch;

		if (s < -1 || c + 2 < s - s / 16 || s + 2 < c - c / 16)
			lost = true;
	}
	d->have_epoch = true;
	d->prev_epoch = epoch;
	d->prev_epoch_ms = now;
	return lost;
}

static void recovered(struct b4d *d)
{
	if (d->lost_ms) {
		pcpd_log(LOG_INFO_, "recovered from %s in %llu ms", d->lost_why,
			 (unsigned long long)(now_ms() - d->lost_ms));
		d->lost_ms = 0;
	}
}

static void lost(struct b4d *d, const char *why)
{
	if (!d->lost_ms) {
		d->lost_ms = now_ms();
		d->lost_why = why;
	}
}

static void handle_map_response(struct b4d *d, const struct pcp_response *r)
{
	struct b4_grant ng;
	char s1[80], s2[80], err[512];
	bool changed;

	if (r->result != PCP_RES_SUCCESS) {
		/* PCPC-10: not before the error's lifetime (at least IRT) */
		uint64_t wait = (uint64_t)r->lifetime * 1000;

		if (wait < d->cfg.irt_ms)
			wait = d->cfg.irt_ms;
		pcpd_log(LOG_WARN_, "MAP refused: %s, lifetime %u s: retrying in %llu ms",
			 pcp_result_name(r->result), r->lifetime, (unsigned long long)wait);
		d->tries = 0;
		d->next_send_ms = now_ms() + wait;
		return;
	}
	if (!r->opts.has_port_set || r->opts.port_set.size < 2 ||
	    !pcp_addr_is_ipv4_mapped(&r->body.external_addr) || r->lifetime == 0) {
		/* PCPC-7: one port is no lwB4 grant; the retransmission
		 * schedule goes on, which is the back-off */
		pcpd_log(LOG_WARN_, "SUCCESS without a usable PORT_SET (port %u, %u s): not a grant, "
			 "asking again in %llu ms", r->body.external_port, r->lifetime,
			 (unsigned long long)(d->next_send_ms - now_ms()));
		return;
	}
	memset(&ng, 0, sizeof(ng));
	memcpy(ng.nonce, d->g.nonce, PCP_NONCE_LEN);
	memcpy(&ng.ipv4, &r->body.external_addr.s6_addr[12], 4);
	ng.first = r->body.external_port;
	ng.size = r->opts.port_set.size;
	ng.expires_at = (int64_t)pcpd_now() + r->lifetime;
	{
		struct lw_b4_portset ps;

		to_portset(&ng, &ps);
		if (!lw_b4_portset_valid(&ps)) {
			pcpd_log(LOG_WARN_, "granted %s is not a valid port set (size a power of two, "
				 "aligned): ignored", set_str(&ng, s1, sizeof(s1)));
			return;
		}
	}
	changed = d->have_g && d->valid && (ng.ipv4 != d->g.ipv4 || ng.first != d->g.first ||
					    ng.size != d->g.size);
	if (changed || (d->installed && !d->valid))
		uninstall(d, "the grant changed");
	else if (d->installed && (ng.ipv4 != d->g.ipv4 || ng.first != d->g.first || ng.size != d->g.size))
		uninstall(d, "the grant changed");
	if (changed)
		pcpd_log(LOG_INFO_, "grant changed: %s -> %s", set_str(&d->g, s1, sizeof(s1)),
			 set_str(&ng, s2, sizeof(s2)));
	/* durable first, then in the data plane (B4-PROV-5) */
	if (b4store_put(d->store, &ng, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "store: %s", err);
	d->g = ng;
	d->have_g = d->valid = true;
	d->pending = false;
	if (!d->installed && install(d)) {
		/* keep asking: the grant is useless without the pool */
		start_request(d, d->cfg.irt_ms, "pool add failed");
		return;
	}
	/* PCPC-8: renew at a uniform random 1/2..5/8 of the lifetime */
	d->renew_ms = now_ms() + (uint64_t)((double)r->lifetime * 1000.0 * (0.5 + 0.125 * rand01()));
	pcpd_log(LOG_INFO_, "granted %s for %u s (epoch %u, %u tries); renewing in %llu s",
		 set_str(&ng, s1, sizeof(s1)), r->lifetime, r->epoch, d->tries,
		 (unsigned long long)((d->renew_ms - now_ms()) / 1000));
	recovered(d);
}

static void handle_message(struct b4d *d, const uint8_t *m, size_t len, bool to_client_port)
{
	struct pcp_response r;
	char desc[512];

	if (len < 4 || !(m[1] & PCP_R_BIT))
		return;
	if (pcp_decode_response(m, len, &r)) {
		pcpd_log(LOG_DEBUG_, "ignored an invalid response: %s",
			 pcp_describe(m, len, desc, sizeof(desc)));
		return;
	}
	pcpd_log(LOG_DEBUG_, "received: %s", pcp_describe(m, len, desc, sizeof(desc)));
	if (to_client_port) {
		/* RFC 6887 §14.1.3: an unsolicited ANNOUNCE */
		if (r.opcode != PCP_OP_ANNOUNCE || r.result != PCP_RES_SUCCESS)
			return;
		epoch_lost(d, r.epoch);
		pcpd_log(LOG_INFO_, "ANNOUNCE (epoch %u): the server lost its state", r.epoch);
		lost(d, "ANNOUNCE");
		start_request(d, (uint64_t)(rand01() * d->cfg.reannounce_delay_ms), "ANNOUNCE");
		return;
	}
	/* PCPC-6: our exchange, opcode, nonce, protocol, internal port */
	if (!d->pending || r.opcode != PCP_OP_MAP || !r.has_body ||
	    memcmp(r.body.nonce, d->g.nonce, PCP_NONCE_LEN) || r.body.protocol != 0 ||
	    r.body.internal_port != 1) {
		pcpd_log(LOG_DEBUG_, "ignored a response that is not to our request");
		return;
	}
	if (epoch_lost(d, r.epoch) && d->valid) {
		pcpd_log(LOG_INFO_, "epoch discontinuity (now %u): re-requesting", r.epoch);
		handle_map_response(d, &r);
		lost(d, "epoch discontinuity");
		start_request(d, (uint64_t)(rand01() * d->cfg.reannounce_delay_ms), "epoch");
		return;
	}
	handle_map_response(d, &r);
}

static void handle_readable(struct b4d *d)
{
	for (int burst = 0; burst < 64; burst++) {
		uint8_t buf[2048];
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		struct inet_udp u;
		const char *why = NULL;
		ssize_t n = recvfrom(d->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (memcmp(&from.sin6_addr, &d->cfg.aftr, sizeof(d->cfg.aftr)))
			continue; /* PCPC-6: only from the lwAFTR */
		if (inet_udp_parse(buf, (size_t)n, &u, &why) || u.src != htonl(PCP_TUNNEL_SERVER_ADDR) ||
		    u.sport != PCP_SERVER_PORT)
			continue;
		if (u.dport == PCP_CLIENT_PORT &&
		    (u.dst == htonl(B4_CLIENT4) || u.dst == htonl(PCP_MULTICAST_ALL_HOSTS)))
			handle_message(d, u.payload, u.len, true);
		else if (u.dport == d->sport && u.dst == htonl(B4_CLIENT4))
			handle_message(d, u.payload, u.len, false);
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
		/* B4-PROV-7: the lwAFTR has no binding for a set we use */
		if (!d->installed || e->ps_size == 0 || e->ps_ipv4 != d->g.ipv4 ||
		    e->ps_first != d->g.first || e->ps_size != d->g.size)
			break;
		pcpd_log(LOG_INFO_, "the lwAFTR has no binding for %s ports %u-%u (ICMPv6 1/5)",
			 lw_format_ipv4(e->ps_ipv4, a, sizeof(a)), e->ps_first,
			 e->ps_first + e->ps_size - 1);
		lost(d, "NO_BINDING");
		uninstall(d, "no binding at the lwAFTR");
		d->valid = false;
		start_request(d, 0, "no binding");
		break;
	case LW_B4_EV_POOL_EXHAUSTED:
		pcpd_log(LOG_DEBUG_, "pool exhausted event");
		break;
	case LW_B4_EV_POOL_THRESHOLD:
		pcpd_log(LOG_INFO_, "pool usage threshold: %u of %u ports mapped", e->ps_first,
			 e->ps_size);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- timers -------------------------------------------------------------- */

static void tick(struct b4d *d)
{
	uint64_t now = now_ms();
	char err[256];

	if (d->renew_ms && now >= d->renew_ms)
		start_request(d, 0, "renewal");
	if (d->valid && (int64_t)pcpd_now() >= d->g.expires_at) {
		pcpd_log(LOG_WARN_, "the grant expired without a renewal");
		uninstall(d, "expired");
		d->valid = false;
		if (b4store_delete(d->store, err, sizeof(err)))
			pcpd_log(LOG_ERR_, "store: %s", err);
		if (!d->pending)
			start_request(d, 0, "expired");
	}
	send_tick(d);
	if (now >= d->next_expire_ms) {
		size_t n = 0;

		if (lw_b4_expire(&d->maps, 0, &n) == 0 && n)
			pcpd_log(LOG_DEBUG_, "%zu idle mappings expired", n);
		d->next_expire_ms = now + (uint64_t)d->cfg.expire_interval * 1000;
	}
}

static int next_timeout(const struct b4d *d)
{
	uint64_t now = now_ms(), t = now + 1000;

	if (d->pending && d->next_send_ms < t)
		t = d->next_send_ms;
	if (d->renew_ms && d->renew_ms < t)
		t = d->renew_ms;
	return t <= now ? 0 : (int)(t - now);
}

/* ---- start and loop ------------------------------------------------------ */

static int start(struct b4d *d, char *err, size_t errlen)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = d->cfg.tunnel };
	uint32_t seed;
	uint16_t r;
	int ret;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	srandom(seed);
	if ((ret = maps_open(d, err, errlen)))
		return ret;
	if ((ret = b4store_open(d->cfg.database, &d->store, err, errlen)))
		return ret;
	d->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (d->fd < 0)
		return lw_errf_code(-errno, err, errlen, "raw IPv6 (protocol 4) socket: %s",
				    strerror(errno));
	if (bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return lw_errf_code(-errno, err, errlen, "bind tunnel-ipv6: %s", strerror(errno));
	{
		int on = 1; /* the multicast ANNOUNCE to ff02::1, see above */

		if (setsockopt(d->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &on, sizeof(on)))
			pcpd_log(LOG_WARN_, "IPV6_MULTICAST_ALL: %s (multicast ANNOUNCE may be missed)",
				 strerror(errno));
	}
	do {
		r = (uint16_t)random();
	} while (r < 1024 || r == PCP_SERVER_PORT || r == PCP_CLIENT_PORT);
	d->sport = r;
	d->rb = ring_buffer__new(d->maps.events, handle_event, d, NULL);
	if (!d->rb)
		return lw_errf_code(-EIO, err, errlen, "ring buffer on the lwB4 events: %s",
				    strerror(errno));
	ret = b4store_get(d->store, &d->g, err, errlen);
	if (ret == 0) {
		char s[80];

		d->have_g = true;
		if (d->g.expires_at > (int64_t)pcpd_now()) {
			d->valid = true;
			pcpd_log(LOG_INFO_, "stored grant %s, %lld s left: renewing",
				 set_str(&d->g, s, sizeof(s)), (long long)(d->g.expires_at - (int64_t)pcpd_now()));
			install(d);
		} else {
			struct lw_b4_portset ps;

			pcpd_log(LOG_INFO_, "stored grant %s expired: asking for it again",
				 set_str(&d->g, s, sizeof(s)));
			to_portset(&d->g, &ps);
			if (pool_has(d, &ps)) {
				d->installed = true;
				uninstall(d, "expired while stopped");
			}
		}
	} else if (ret == -ENOENT) {
		if (getrandom(d->g.nonce, PCP_NONCE_LEN, 0) != PCP_NONCE_LEN)
			return lw_errf_code(-EIO, err, errlen, "getrandom: %s", strerror(errno));
	} else {
		return ret;
	}
	start_request(d, 0, d->valid ? "renewal at start" : "start");
	return 0;
}

static int loop(struct b4d *d)
{
	struct epoll_event ev, evs[8];
	sigset_t mask;
	int ep, sfd;
	bool stop = false;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->fd, &ev);
	ev.data.u32 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(d->rb), &ev);
	ev.data.u32 = 3;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	while (!stop) {
		int n;

		tick(d);
		n = epoll_wait(ep, evs, 8, next_timeout(d));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 == 1) {
				handle_readable(d);
			} else if (evs[i].data.u32 == 2) {
				ring_buffer__consume(d->rb);
			} else {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					pcpd_log(LOG_INFO_, "SIGHUP ignored: restart pcpd to change the "
						 "configuration (the grant is kept)");
					continue;
				}
				pcpd_log(LOG_INFO_, "signal %u: stopping (the grant stays installed)",
					 si.ssi_signo);
				stop = true;
			}
		}
	}
	close(ep);
	close(sfd);
	return 0;
}

int pcpd_b4_main(const char *config, int log_delta)
{
	static struct b4d d;
	char err[1024] = "";
	int ret;

	memset(&d.maps, 0xff, sizeof(d.maps));
	d.fd = -1;
	if (b4_config_load(config, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	pcpd_set_log_level(d.cfg.log_level + log_delta);
	ret = start(&d, err, sizeof(err));
	if (!ret) {
		pcpd_log(LOG_INFO_, "lwB4 PCP client: tunnel %s", config);
		ret = loop(&d);
	} else {
		pcpd_log(LOG_ERR_, "%s", err[0] ? err : strerror(-ret));
	}
	ring_buffer__free(d.rb);
	if (d.fd >= 0)
		close(d.fd);
	b4store_close(d.store);
	maps_close(&d);
	return ret ? 1 : 0;
}
