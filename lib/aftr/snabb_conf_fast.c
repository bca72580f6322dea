/* SPDX-License-Identifier: GPL-2.0 */
/* The usual shape of a Snabb softwire, read straight from the text:
 *
 *     softwire { ipv4 A; psid N; b4-ipv6 X; br-address X;
 *                port-set { psid-length N; [reserved-ports-bit-count N;] [shift N;] }
 *                [padding N;] }
 *
 * members in any order, bare words, blanks between them. A table of ten
 * million softwires is seventy million statements; reading each softwire
 * without making tree nodes for it is what keeps the import to seconds.
 * Anything else (comments, quotes, an unknown or repeated member, a value
 * that does not parse or breaks a rule) is left to the tree and the schema
 * walk (snabb_softwire_done), which say what is wrong with the same words
 * as for any other block: this path never writes a message. */
#include <errno.h>
#include <string.h>
#include "addr.h"
#include "snabb_conf_priv.h"

/* A softwire longer than this (it is about 170 bytes) takes the tree. */
#define SOFTWIRE_WINDOW 4096
#define VALUE_MAX       64

struct scan {
	const char *p, *end;
	uint32_t lines;
};

/* Bytes of a bare word this path accepts: what addresses and numbers are
 * made of, and member names. All of them are word bytes to the tokenizer,
 * and none of them starts a comment or a string. */
static const unsigned char word_byte[256] = {
	['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['.'] = 1,
	[':'] = 1,         ['-'] = 1,         ['_'] = 1,
};

/* 1: a blank, 2: a newline */
static const unsigned char blank_byte[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 2 };

/* The loops work on locals: through s the compiler would store s->p at
 * every byte. */
static void blanks(struct scan *s)
{
	const char *p = s->p, *end = s->end;
	uint32_t lines = 0;
	unsigned k;

	while (p < end && (k = blank_byte[(unsigned char)*p])) {
		lines += k >> 1;
		p++;
	}
	s->p = p;
	s->lines += lines;
}

static bool punct(struct scan *s, char ch)
{
	blanks(s);
	if (s->p < s->end && *s->p == ch) {
		s->p++;
		return true;
	}
	return false;
}

/* A word, ended by a byte that ends words for the tokenizer too. */
static bool word(struct scan *s, const char **w, size_t *len)
{
	const char *start, *p, *end = s->end;
	char c;

	blanks(s);
	for (start = p = s->p; p < end && word_byte[(unsigned char)*p]; p++)
		;
	s->p = p;
	if (p == start || p == end)
		return false;
	c = *p;
	if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';' && c != '{' && c != '}')
		return false;
	*w = start;
	*len = (size_t)(p - start);
	return true;
}

/* `VALUE;` after a leaf's name, NUL-terminated into buf. */
static bool leaf(struct scan *s, char buf[VALUE_MAX])
{
	const char *w;
	size_t len;

	if (!word(s, &w, &len) || len >= VALUE_MAX)
		return false;
	memcpy(buf, w, len);
	buf[len] = '\0';
	return punct(s, ';');
}

static bool leaf_u32(struct scan *s, uint32_t max, uint32_t *out)
{
	char buf[VALUE_MAX];

	return leaf(s, buf) && !lw_parse_u32(buf, 0, max, out);
}

enum member {
	M_IPV4 = 1 << 0,
	M_PSID = 1 << 1,
	M_B4 = 1 << 2,
	M_BR = 1 << 3,
	M_PORT_SET = 1 << 4,
	M_PADDING = 1 << 5,
	M_PSID_LEN = 1 << 6,
	M_OFFSET = 1 << 7,
	M_SHIFT = 1 << 8,
};

/* A switch on the length, so that each compare is of a known size (the
 * compiler inlines it): this runs seven times per softwire. */
static unsigned member_of(const char *w, size_t len)
{
#define IS(name) !memcmp(w, name, sizeof(name) - 1)
	switch (len) {
	case 4: return IS("ipv4") ? M_IPV4 : IS("psid") ? M_PSID : 0;
	case 5: return IS("shift") ? M_SHIFT : 0;
	case 7: return IS("b4-ipv6") ? M_B4 : IS("padding") ? M_PADDING : 0;
	case 8: return IS("port-set") ? M_PORT_SET : 0;
	case 10: return IS("br-address") ? M_BR : 0;
	case 11: return IS("psid-length") ? M_PSID_LEN : 0;
	case 24: return IS("reserved-ports-bit-count") ? M_OFFSET : 0;
	default: return 0;
	}
#undef IS
}

struct fast_build {
	struct lw_softwire_entry e;
	unsigned seen;
	uint32_t psid, psid_len, offset, shift;
};

static bool port_set(struct scan *s, struct fast_build *b)
{
	const char *w;
	size_t len;
	unsigned m;

	if (!punct(s, '{'))
		return false;
	while (!punct(s, '}')) {
		if (!word(s, &w, &len))
			return false;
		m = member_of(w, len);
		if (!(m & (M_PSID_LEN | M_OFFSET | M_SHIFT)) || (b->seen & m))
			return false;
		b->seen |= m;
		if (!leaf_u32(s, LW_PORT_BITS,
			      m == M_PSID_LEN ? &b->psid_len
			      : m == M_OFFSET ? &b->offset
					      : &b->shift))
			return false;
	}
	return true;
}

/* An address: the common form read in place, any other through
 * lw_parse_ipv6. */
static bool ipv6_word(const char *w, size_t len, struct in6_addr *out)
{
	char buf[VALUE_MAX];

	if (lw_ipv6_plain(w, len, out))
		return true;
	if (len >= VALUE_MAX)
		return false;
	memcpy(buf, w, len);
	buf[len] = '\0';
	return !lw_parse_ipv6(buf, out, NULL, 0);
}

static bool leaf_ipv6(struct scan *s, struct in6_addr *out)
{
	const char *w;
	size_t len;

	return word(s, &w, &len) && ipv6_word(w, len, out) && punct(s, ';');
}

static bool br_address(struct snabb_ctx *c, struct scan *s, struct in6_addr *out)
{
	const char *w;
	size_t len;

	if (!word(s, &w, &len))
		return false;
	if (len != c->br_len || memcmp(w, c->br_text, len)) {
		if (len >= sizeof(c->br_text) || !ipv6_word(w, len, &c->br))
			return false;
		memcpy(c->br_text, w, len);
		c->br_len = len;
	}
	*out = c->br;
	return punct(s, ';');
}

static bool one_member(struct snabb_ctx *c, struct scan *s, struct fast_build *b, unsigned m)
{
	char buf[VALUE_MAX];
	uint32_t pad;

	switch (m) {
	case M_IPV4: return leaf(s, buf) && !lw_parse_ipv4(buf, &b->e.ipv4, NULL, 0);
	case M_PSID: return leaf_u32(s, UINT16_MAX, &b->psid);
	case M_B4: return leaf_ipv6(s, &b->e.b4_ipv6);
	case M_BR: return br_address(c, s, &b->e.br_ipv6);
	case M_PADDING: return leaf_u32(s, UINT16_MAX, &pad);
	case M_PORT_SET: return port_set(s, b);
	default: return false;
	}
}

/* snabb_conf_bt.c's check_softwire, without the messages. */
static bool complete(const struct fast_build *b)
{
	const unsigned need = M_IPV4 | M_PSID | M_B4 | M_BR | M_PORT_SET | M_PSID_LEN;

	if ((b->seen & need) != need || b->psid_len + b->offset > LW_PORT_BITS)
		return false;
	if ((b->seen & M_SHIFT) && b->shift != LW_PORT_BITS - b->psid_len - b->offset)
		return false;
	return b->psid_len >= LW_PORT_BITS || b->psid < (1u << b->psid_len);
}

int snabb_softwire_fast(struct snabb_ctx *c, struct lw_ylex *lx, uint32_t line)
{
	struct fast_build b = { 0 };
	const char *w, *start;
	size_t avail, len;
	struct scan s;
	unsigned m;
	int ret;

	if (c->deferred)
		return 0;
	start = lw_ylex_peek(lx, SOFTWIRE_WINDOW, &avail);
	s.p = start;
	s.end = start + avail;
	s.lines = 0;
	while (!punct(&s, '}')) {
		if (!word(&s, &w, &len))
			return 0;
		m = member_of(w, len);
		if (!(m & (M_IPV4 | M_PSID | M_B4 | M_BR | M_PORT_SET | M_PADDING)) || (b.seen & m))
			return 0;
		b.seen |= m;
		if (!one_member(c, &s, &b, m))
			return 0;
	}
	if (!complete(&b))
		return 0;
	b.e.psid = (__u16)b.psid;
	b.e.ps.psid_len = (__u8)b.psid_len;
	b.e.ps.psid_offset = (__u8)b.offset;
	ret = snabb_remember_line(c, c->s->n_softwires, line);
	if (ret)
		return ret;
	ret = lw_setup_add_softwire(c->s, &b.e);
	if (ret == -E2BIG)
		return 0; /* the tree's way says which BR was one too many */
	if (ret)
		return snabb_nomem(c);
	lw_ylex_advance(lx, (size_t)(s.p - start), s.lines);
	return 1;
}
