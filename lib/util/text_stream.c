/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "errmsg.h"
#include "text_stream.h"

/* The window of a file: large reads, few system calls; it grows only when a
 * reader keeps more than this (one token never does). */
#define FILE_WINDOW (1u << 20)

int lw_tstream_open(struct lw_tstream *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
		return 0;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;

		return lw_errf_code(-e, err, errlen, "%s: cannot open: %s", path, strerror(e));
	}
	s->close_fd = true;
	/* read once, front to back: the kernel may read ahead and drop behind */
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

void lw_tstream_mem(struct lw_tstream *s, const char *text, size_t len, size_t chunk)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->mem = text;
	s->mem_len = len;
	s->chunk = chunk;
	if (!chunk) {
		s->win = text;
		s->len = len;
		s->mem_pos = len;
		s->eof = true;
	}
}

void lw_tstream_close(struct lw_tstream *s)
{
	free(s->buf);
	if (s->close_fd)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static size_t count_newlines(const char *p, size_t n)
{
	const char *end = p + n;
	size_t k = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		k++;
		p++;
	}
	return k;
}

/* Drops the bytes before keep, counting their lines first. */
static void drop_kept_behind(struct lw_tstream *s)
{
	size_t d = s->keep > s->base ? s->keep - s->base : 0;

	if (d > s->len)
		d = s->len;
	if (!d)
		return;
	if (s->count_lines && s->lines_at < s->base + d) {
		s->lines +=
			count_newlines(s->win + (s->lines_at - s->base), s->base + d - s->lines_at);
		s->lines_at = s->base + d;
	}
	memmove(s->buf, s->buf + d, s->len - d);
	s->len -= d;
	s->base += d;
}

static ssize_t source_read(struct lw_tstream *s, char *dst, size_t n)
{
	ssize_t r;

	if (s->fd < 0) {
		size_t k = s->mem_len - s->mem_pos;

		if (k > s->chunk)
			k = s->chunk;
		if (k > n)
			k = n;
		memcpy(dst, s->mem + s->mem_pos, k);
		s->mem_pos += k;
		return (ssize_t)k;
	}
	do
		r = read(s->fd, dst, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static bool stop(struct lw_tstream *s, int e)
{
	s->io_error = e;
	s->eof = true;
	return false;
}

bool lw_tstream_fill(struct lw_tstream *s, size_t off)
{
	while (off < s->base || off - s->base >= s->len) {
		ssize_t r;

		if (s->eof || off < s->base)
			return false;
		if (!s->buf) {
			s->cap = s->chunk ? s->chunk : FILE_WINDOW;
			s->buf = malloc(s->cap);
			if (!s->buf)
				return stop(s, ENOMEM);
			s->win = s->buf;
		}
		drop_kept_behind(s);
		if (s->len == s->cap) {
			char *bigger = s->cap > ((size_t)-1) / 2 ? NULL
								 : realloc(s->buf, s->cap * 2);

			if (!bigger)
				return stop(s, ENOMEM);
			s->buf = bigger;
			s->win = bigger;
			s->cap *= 2;
		}
		r = source_read(s, s->buf + s->len, s->cap - s->len);
		if (r < 0)
			return stop(s, errno);
		if (r == 0) {
			s->eof = true;
			return false;
		}
		s->len += (size_t)r;
	}
	return true;
}

size_t lw_tstream_ensure(struct lw_tstream *s, size_t off, size_t want)
{
	size_t end;

	if (!want)
		return 0;
	if (off < s->base || off + want - 1 - s->base >= s->len)
		lw_tstream_fill(s, off + want - 1);
	end = lw_tstream_end(s);
	if (off < s->base || off >= end)
		return 0;
	return end - off < want ? end - off : want;
}

unsigned lw_tstream_line(const struct lw_tstream *s, size_t off)
{
	size_t end = lw_tstream_end(s);

	if (off < s->lines_at || s->lines_at < s->base)
		return (unsigned)s->lines + 1;
	if (off > end)
		off = end;
	return (unsigned)(s->lines +
			  count_newlines(s->win + (s->lines_at - s->base), off - s->lines_at)) +
	       1;
}
