/* SPDX-License-Identifier: GPL-2.0 */
/* Input for the importers, read in chunks: a window over the bytes of a file,
 * a pipe or a memory buffer, addressed by absolute offsets so that a position
 * stays valid when the window moves. A table of ten million softwires is
 * 1.7 GB of text; a reader holds a few MiB of it at a time, and read(2) puts
 * nothing of the file into the process's resident set (mmap(2) would: its
 * pages count in RSS).
 *
 * The reader says how far back it may still look (lw_tstream_keep); bytes
 * before that may be dropped whenever the window is refilled, which is also
 * when pointers into the window (lw_tstream_ptr) stop being valid. */
#ifndef LW4O6_TEXT_STREAM_H
#define LW4O6_TEXT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

struct lw_tstream {
	const char *win; /* bytes [base, base + len) of the input */
	size_t base, len;
	size_t keep;  /* bytes from this offset on stay in the window */
	bool eof;     /* nothing after base + len */
	int io_error; /* errno of a failed read; the input ends there */
	/* '\n' in [0, lines_at): counted as bytes leave the window, when
	 * count_lines is set (lw_tstream_line) */
	bool count_lines;
	size_t lines, lines_at;
	/* the source: fd >= 0, or mem (handed over in pieces of chunk bytes,
	 * or all at once without a copy when chunk is 0) */
	int fd;
	bool close_fd;
	const char *mem;
	size_t mem_len, mem_pos, chunk;
	char *buf; /* the window's storage (NULL when win is mem itself) */
	size_t cap;
};

/* Opens path ("-": standard input). Returns 0, or a negative errno with
 * "path: cannot open: reason" in err. */
int lw_tstream_open(struct lw_tstream *s, const char *path, char *err, size_t errlen);
/* Reads text[0, len). chunk > 0 hands it over chunk bytes at a time through a
 * window that starts that small, as a file arrives in read(2)-sized pieces:
 * the tests use it to put chunk boundaries inside tokens. */
void lw_tstream_mem(struct lw_tstream *s, const char *text, size_t len, size_t chunk);
void lw_tstream_close(struct lw_tstream *s);

/* Makes the byte at off readable (off >= keep). Returns false at the end of
 * the input (or when the window cannot grow: io_error is then ENOMEM). */
bool lw_tstream_fill(struct lw_tstream *s, size_t off);

/* The byte at off, or -1 at the end of the input. */
static inline int lw_tstream_at(struct lw_tstream *s, size_t off)
{
	if (off >= s->base && off - s->base < s->len)
		return (unsigned char)s->win[off - s->base];
	return lw_tstream_fill(s, off) ? (unsigned char)s->win[off - s->base] : -1;
}

/* Pointer to the byte at off, which must be in the window; valid until the
 * next fill. */
static inline const char *lw_tstream_ptr(const struct lw_tstream *s, size_t off)
{
	return s->win + (off - s->base);
}

/* One past the last byte in the window. */
static inline size_t lw_tstream_end(const struct lw_tstream *s)
{
	return s->base + s->len;
}

/* Tries to have want bytes from off in the window; returns how many are
 * (fewer only at the end of the input). */
size_t lw_tstream_ensure(struct lw_tstream *s, size_t off, size_t want);

static inline void lw_tstream_keep(struct lw_tstream *s, size_t off)
{
	s->keep = off;
}

/* 1-based line of off (off >= keep; needs count_lines, set before the first
 * read). */
unsigned lw_tstream_line(const struct lw_tstream *s, size_t off);

#endif
