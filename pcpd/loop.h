/* SPDX-License-Identifier: GPL-2.0 */
/* The event loop both roles of pcpd run: descriptors with the callback that
 * drains each, the data plane's ring buffer of events, the timers of the
 * role, and the signals, read through a signalfd so that no handler
 * interrupts a request half done: SIGTERM and SIGINT stop the loop, SIGHUP
 * is logged and ignored (the configuration is read at start).
 *
 * One turn: before_wait(), epoll_wait() for at most timeout_ms(), the
 * callbacks of the readable descriptors, after_wake(). A stopping signal
 * ends the loop at the end of its turn. */
#ifndef LW4O6_PCPD_LOOP_H
#define LW4O6_PCPD_LOOP_H

#include <stddef.h>

#define PCPD_LOOP_MAX_FDS 3

struct ring_buffer;

/* Entries with fd < 0 or no callback are left out. */
struct pcpd_loop_fd {
	int fd;
	void (*readable)(void *ctx); /* reads until the descriptor would block */
	void *ctx;
};

struct pcpd_loop_role {
	struct pcpd_loop_fd fds[PCPD_LOOP_MAX_FDS];
	struct ring_buffer *events;     /* consumed when readable */
	void (*before_wait)(void *ctx); /* NULL: none */
	int (*timeout_ms)(void *ctx);   /* how long the wait may be */
	void (*after_wake)(void *ctx);  /* NULL: none */
	void *ctx;                      /* of the three above */
	const char *hup_note;           /* logged on SIGHUP */
	const char *stop_note;          /* follows "signal N: stopping" */
};

/* Blocks SIGTERM, SIGINT and SIGHUP and runs the loop until SIGTERM or
 * SIGINT: 0, or a negative errno when it could not start. */
int pcpd_loop_run(const struct pcpd_loop_role *role);

#endif
