// SPDX-License-Identifier: GPL-2.0
/* The event loop of both roles (loop.h). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "loop.h"

#define LOOP_EVENTS_PER_WAIT 8

struct loop {
	int ep, sfd;
	struct pcpd_loop_fd events; /* the ring buffer, as a descriptor */
};

static int watch(const struct loop *l, const struct pcpd_loop_fd *f)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = (void *)f };

	if (!f->readable || f->fd < 0)
		return 0; /* an unused entry, or a socket the role does without */
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, f->fd, &ev) ? -errno : 0;
}

static void consume_events(void *rb)
{
	ring_buffer__consume(rb);
}

/* The signalfd (data.ptr NULL), the role's descriptors, its events. */
static int loop_open(struct loop *l, const struct pcpd_loop_role *role)
{
	struct epoll_event sig = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t mask;
	int r = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	l->sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->sfd < 0 || l->ep < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->sfd, &sig))
		return -errno;
	l->events.fd = ring_buffer__epoll_fd(role->events);
	l->events.readable = consume_events;
	l->events.ctx = role->events;
	for (size_t i = 0; i < PCPD_LOOP_MAX_FDS && !r; i++)
		r = watch(l, &role->fds[i]);
	return r ? r : watch(l, &l->events);
}

static void loop_close(struct loop *l)
{
	if (l->ep >= 0)
		close(l->ep);
	if (l->sfd >= 0)
		close(l->sfd);
}

/* One signal from the signalfd: whether it stops the loop. */
static bool signal_stops(const struct loop *l, const struct pcpd_loop_role *role)
{
	struct signalfd_siginfo si;

	if (read(l->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return false;
	if (si.ssi_signo == SIGHUP) {
		pcpd_log(LOG_INFO_, "%s", role->hup_note);
		return false;
	}
	pcpd_log(LOG_INFO_, "signal %u: stopping%s", si.ssi_signo, role->stop_note);
	return true;
}

int pcpd_loop_run(const struct pcpd_loop_role *role)
{
	struct epoll_event evs[LOOP_EVENTS_PER_WAIT];
	struct loop l;
	bool stop = false;
	int r = loop_open(&l, role);

	while (!r && !stop) {
		int n;

		if (role->before_wait)
			role->before_wait(role->ctx);
		n = epoll_wait(l.ep, evs, LOOP_EVENTS_PER_WAIT, role->timeout_ms(role->ctx));
		for (int i = 0; i < n; i++) {
			const struct pcpd_loop_fd *f = evs[i].data.ptr;

			if (f)
				f->readable(f->ctx);
			else if (signal_stops(&l, role))
				stop = true;
		}
		if (role->after_wake)
			role->after_wake(role->ctx);
	}
	loop_close(&l);
	return r;
}
