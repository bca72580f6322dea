// SPDX-License-Identifier: GPL-2.0
/* Keeping a next-hop cache right (nh_watch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <bpf/bpf.h>

#include "nh_map.h"
#include "nh_netlink.h"
#include "nh_watch.h"

#define NS_PER_MS 1000000ull
/* Judged again at least this often (lost events, changes nobody reports,
 * such as an IPv6 MTU set through sysctl). */
#define RESYNC_MS 1000
/* A judgement that took longer than this (a full routing table) is not
 * repeated for every event: the entries stay with the FIB until the tick. */
#define SLOW_SYNC_MS 20
#define RENEW_MS     500
#define PIN_CHECK_MS 2000

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void verdict_fib(struct lw_nh_verdict *v, unsigned family, unsigned reason, const char *why)
{
	memset(v, 0, sizeof(*v));
	v->entry.mode = LW_NH_FIB;
	v->entry.reason = (__u8)reason;
	/* the operator's or the role's choice is no fall-back */
	snprintf(v->text, sizeof(v->text), "%s %s the FIB: %s",
		 family == LW_NH_IPV4 ? "IPv4" : "IPv6",
		 reason == LW_NH_WHY_OPERATOR ? "uses" : "falls back to", why);
}

/* Reads the kernel into st and judges every family of spec into v. */
static int judge_all(struct lw_nh_state *st, const struct lw_nh_spec *spec, struct lw_nh_verdict *v,
		     char *err, size_t errlen)
{
	int r = -EAGAIN;

	for (int i = 0; i < 3 && r == -EAGAIN; i++)
		r = lw_nh_read_kernel(st, err, errlen);
	for (unsigned f = 0; f < LW_NH_FAMILIES; f++) {
		if (r)
			verdict_fib(&v[f], f, LW_NH_WHY_KERNEL, err);
		else if (spec->skip[f])
			verdict_fib(&v[f], f, LW_NH_WHY_OPERATOR, spec->skip[f]);
		else if (!spec->want[f].family)
			verdict_fib(&v[f], f, LW_NH_WHY_NO_INTERFACE, "no interface for it");
		else
			lw_nh_classify(st, &spec->want[f], &v[f]);
	}
	return r;
}

static void publish_all(struct lw_nh_map *m, const struct lw_nh_verdict *v, uint64_t expires)
{
	for (unsigned f = 0; f < m->n && f < LW_NH_FAMILIES; f++) {
		struct lw_nh_entry e = v[f].entry;

		e.expires = e.mode == LW_NH_CACHED ? expires : 0;
		lw_nh_map_publish(m, f, &e);
	}
}

int lw_nh_sync_once(int map_fd, const struct lw_nh_spec *spec, unsigned lease_ms,
		    struct lw_nh_verdict *verdicts, char *err, size_t errlen)
{
	struct lw_nh_verdict v[LW_NH_FAMILIES];
	struct lw_nh_state st = { 0 };
	struct lw_nh_map m;
	int r = lw_nh_map_attach(&m, map_fd, err, errlen);

	if (r)
		return r;
	r = judge_all(&st, spec, v, err, errlen);
	publish_all(&m, v, lw_nh_lease(lease_ms));
	lw_nh_map_detach(&m);
	lw_nh_state_free(&st);
	if (verdicts)
		memcpy(verdicts, v, sizeof(v));
	return r;
}

/* ---- the watcher ------------------------------------------------------------------ */

struct lw_nh_watch {
	struct lw_nh_watch_ops ops;
	int ev_fd, map_fd;
	struct lw_nh_map map;
	struct lw_nh_state st;
	char said[LW_NH_FAMILIES][256]; /* what was logged last, per family */
	struct lw_nh_gw gw[LW_NH_FAMILIES];
	size_t n_gw;
	uint64_t last_sync, sync_cost, last_renew, last_pin_check;
	bool dirty, said_no_map;
};

static void say(struct lw_nh_watch *w, bool warn, const char *msg)
{
	if (w->ops.log)
		w->ops.log(w->ops.ctx, warn, msg);
}

static void copy_text(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Logs the verdicts that differ from the last ones, and keeps the gateways
 * whose neighbour entries they rest on. */
static void note_verdicts(struct lw_nh_watch *w, const struct lw_nh_verdict *v)
{
	w->n_gw = 0;
	for (unsigned f = 0; f < LW_NH_FAMILIES; f++) {
		if (strcmp(w->said[f], v[f].text)) {
			copy_text(w->said[f], v[f].text, sizeof(w->said[f]));
			say(w,
			    v[f].entry.mode != LW_NH_CACHED &&
				    v[f].entry.reason != LW_NH_WHY_OPERATOR &&
				    v[f].entry.reason != LW_NH_WHY_NO_INTERFACE,
			    v[f].text);
		}
		if (v[f].has_gw) {
			struct lw_nh_gw *g = &w->gw[w->n_gw++];

			g->family = f == LW_NH_IPV4 ? AF_INET : AF_INET6;
			g->ifindex = v[f].gw_ifindex;
			memcpy(g->addr, v[f].gw, sizeof(g->addr));
		}
	}
}

static void sync_now(struct lw_nh_watch *w)
{
	struct lw_nh_verdict v[LW_NH_FAMILIES];
	struct lw_nh_spec spec;
	char err[256] = "";
	uint64_t t0 = mono_ns();

	w->dirty = false;
	w->last_sync = t0;
	if (!w->map.c)
		return;
	if (w->ops.spec(w->ops.ctx, &spec)) {
		for (unsigned f = 0; f < LW_NH_FAMILIES; f++)
			verdict_fib(&v[f], f, LW_NH_WHY_NO_INTERFACE,
				    "the data plane's configuration is unreadable");
	} else {
		judge_all(&w->st, &spec, v, err, sizeof(err));
	}
	publish_all(&w->map, v, lw_nh_lease(LW_NH_LEASE_MS));
	w->last_renew = mono_ns();
	w->sync_cost = w->last_renew - t0;
	note_verdicts(w, v);
}

/* Follows the pin: a data plane loaded again under the daemon may bring a
 * new map. */
static void check_pin(struct lw_nh_watch *w)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char err[256];
	int fd = bpf_obj_get(w->ops.pin_path);

	w->last_pin_check = mono_ns();
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || info.id == w->map.id) {
		if (fd < 0 && !w->said_no_map) {
			snprintf(err, sizeof(err),
				 "next-hop cache: no map at %.160s: the FIB decides",
				 w->ops.pin_path);
			say(w, true, err);
			w->said_no_map = true;
		}
		if (fd >= 0)
			close(fd);
		return;
	}
	if (w->map.c) {
		lw_nh_map_detach(&w->map);
		close(w->map_fd);
	}
	w->map_fd = -1;
	if (lw_nh_map_attach(&w->map, fd, err, sizeof(err))) {
		say(w, true, err);
		close(fd);
		return;
	}
	w->map_fd = fd;
	w->said_no_map = false;
	memset(w->said, 0, sizeof(w->said)); /* a new map hears everything again */
	sync_now(w);
}

int lw_nh_watch_open(struct lw_nh_watch **wp, const struct lw_nh_watch_ops *ops, char *err,
		     size_t errlen)
{
	struct lw_nh_watch *w = calloc(1, sizeof(*w));

	*wp = NULL;
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->ops = *ops;
	w->map_fd = -1;
	w->map.fd = -1;
	w->ev_fd = lw_nh_events_open(err, errlen);
	if (w->ev_fd < 0) {
		int r = w->ev_fd;

		free(w);
		return r;
	}
	check_pin(w);
	*wp = w;
	return 0;
}

int lw_nh_watch_fd(const struct lw_nh_watch *w)
{
	return w->ev_fd;
}

/* Drains the socket: whether anything in it may change a verdict. */
static bool drain(struct lw_nh_watch *w)
{
	static char buf[65536] __attribute__((aligned(8)));
	bool matters = false;

	for (;;) {
		ssize_t n = recv(w->ev_fd, buf, sizeof(buf), MSG_DONTWAIT);
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS: changes were lost, so anything may have changed */
			matters |= errno == ENOBUFS;
			if (errno == ENOBUFS)
				continue;
			return matters;
		}
		for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, (unsigned)left);
		     nh = NLMSG_NEXT(nh, left))
			matters |= lw_nh_event_matters(nh, w->gw, w->n_gw);
	}
}

void lw_nh_watch_readable(struct lw_nh_watch *w)
{
	if (!drain(w) || !w->map.c)
		return;
	/* until judged again, the FIB answers: never a stale next hop */
	for (unsigned f = 0; f < w->map.n; f++) {
		struct lw_nh_entry e;

		lw_nh_map_read(&w->map, f, &e);
		if (e.mode == LW_NH_CACHED)
			lw_nh_map_fall_back(&w->map, f, LW_NH_WHY_CHANGING);
	}
	if (w->sync_cost > SLOW_SYNC_MS * NS_PER_MS)
		w->dirty = true;
	else
		sync_now(w);
}

void lw_nh_watch_tick(struct lw_nh_watch *w)
{
	uint64_t now = mono_ns(), every = RESYNC_MS * NS_PER_MS;

	if (now - w->last_pin_check >= PIN_CHECK_MS * NS_PER_MS)
		check_pin(w);
	if (w->sync_cost * 20 > every)
		every = w->sync_cost * 20;
	if (w->dirty || now - w->last_sync >= every) {
		sync_now(w);
	} else if (w->map.c && now - w->last_renew >= RENEW_MS * NS_PER_MS) {
		uint64_t expires = lw_nh_lease(LW_NH_LEASE_MS);

		for (unsigned f = 0; f < w->map.n; f++)
			lw_nh_map_renew(&w->map, f, expires);
		w->last_renew = now;
	}
}

void lw_nh_watch_close(struct lw_nh_watch *w)
{
	if (!w)
		return;
	if (w->map.c) {
		for (unsigned f = 0; f < w->map.n; f++)
			lw_nh_map_fall_back(&w->map, f, LW_NH_WHY_STOPPED);
		say(w, false, "next-hop cache: left to the FIB (stopping)");
		lw_nh_map_detach(&w->map);
	}
	if (w->map_fd >= 0)
		close(w->map_fd);
	if (w->ev_fd >= 0)
		close(w->ev_fd);
	lw_nh_state_free(&w->st);
	free(w);
}
