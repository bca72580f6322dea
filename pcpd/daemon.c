// SPDX-License-Identifier: GPL-2.0
/* What both roles of pcpd share (daemon.h): logging, clocks, the ANNOUNCE
 * schedule, the database and pin-root locks. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "daemon.h"

static int log_level = LOG_INFO_;
static bool use_syslog;

void pcpd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		fprintf(stderr, "pcpd: %s: ", names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

void pcpd_log_to_syslog(void)
{
	openlog("pcpd", LOG_PID, LOG_DAEMON);
	use_syslog = true;
}

void pcpd_set_log_level(int level)
{
	log_level = level;
}

uint64_t pcpd_now(void)
{
	return (uint64_t)time(NULL);
}

uint64_t pcpd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t pcpd_now_ms(void)
{
	return pcpd_now_ns() / NSEC_PER_MSEC;
}

uint64_t pcpd_announce_delay_ms(unsigned round)
{
	static const uint64_t delay_ms[PCPD_ANNOUNCE_ROUNDS] = { 0, 1000, 2000 };

	return round < PCPD_ANNOUNCE_ROUNDS ? delay_ms[round] : 0;
}

/* Holds an exclusive lock on DATABASE.lock for the life of the process. */
int pcpd_lock_database(const char *database, char *err, size_t errlen)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", database);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "another pcpd already serves %s (%s is locked)", database,
			 path);
		close(fd);
		return -EBUSY;
	}
	return 0; /* the descriptor stays open: the lock lives as long as we do */
}

/* The pin root as a file name: '/' and '%' escaped, so that two pin roots
 * never share a lock. */
static void escape_path(const char *path, char *out, size_t len)
{
	size_t o = 0;

	for (; *path && o + 4 < len; path++) {
		if (*path == '/' || *path == '%')
			o += (size_t)snprintf(out + o, len - o, "%%%02x", (unsigned char)*path);
		else
			out[o++] = *path;
	}
	out[o] = '\0';
}

int pcpd_lock_pin_root(const char *pin_root, const char *role, char *err, size_t errlen)
{
	char real[PATH_MAX], name[NAME_MAX - 32], path[PATH_MAX];
	int fd;

	/* the same pin root however it is spelled, when it exists */
	if (!realpath(pin_root, real))
		snprintf(real, sizeof(real), "%s", pin_root);
	escape_path(real, name, sizeof(name));
	if (mkdir(PCPD_LOCK_DIR, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", PCPD_LOCK_DIR, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/pcpd-%s-%s.lock", PCPD_LOCK_DIR, role, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen,
			 "another pcpd --role %s already serves the data plane pinned under %s "
			 "(%s is locked)",
			 role, pin_root, path);
		close(fd);
		return -EBUSY;
	}
	return 0; /* the descriptor stays open: the lock lives as long as we do */
}
