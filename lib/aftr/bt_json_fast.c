/* SPDX-License-Identifier: GPL-2.0 */
/* The usual shape of an RFC 8676 binding-entry, read straight from the text:
 *
 *   {"binding-ipv6info": "ADDR", "binding-ipv4-addr": "A.B.C.D",
 *    "port-set": {"psid-offset": N, "psid-len": N, "psid": N},
 *    "br-ipv6-addr": "ADDR"}
 *
 * members in any order, psid-offset optional, JSON white space anywhere.
 * json-c makes about ten objects of an entry; ten million entries through it
 * take most of a minute. Anything else (escapes, other types, numbers with
 * a sign, a fraction or an exponent, a prefix in binding-ipv6info, unknown or
 * repeated members, a value that breaks a rule) is left to json-c and
 * lw_bt_json_decode_entry, which say what is wrong: this path never writes a
 * message, so every message is what it was. */
#include <string.h>
#include "addr.h"
#include "bt_json_priv.h"

/* An entry longer than this (the export writes about 180 bytes) takes
 * json-c's path. */
#define ENTRY_WINDOW 4096
#define STR_MAX      64

struct scan {
	const char *p, *end;
};

/* What a key or an address can be made of: nothing that needs escaping,
 * nothing a JSON reader could read differently. */
static const unsigned char plain_byte[256] = {
	['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['.'] = 1, [':'] = 1, ['-'] = 1,
};

/* JSON's white space */
static const unsigned char ws_byte[256] = { [' '] = 1, ['\n'] = 1, ['\t'] = 1, ['\r'] = 1 };

/* The loops work on locals: through s the compiler would store s->p at
 * every byte. */
static void ws(struct scan *s)
{
	const char *p = s->p, *end = s->end;

	while (p < end && ws_byte[(unsigned char)*p])
		p++;
	s->p = p;
}

static bool punct(struct scan *s, char ch)
{
	ws(s);
	if (s->p < s->end && *s->p == ch) {
		s->p++;
		return true;
	}
	return false;
}

/* "plain bytes": *str and *len, in the window */
static bool plain_string(struct scan *s, const char **str, size_t *len)
{
	const char *start;

	const char *p, *end = s->end;

	if (!punct(s, '"'))
		return false;
	for (start = p = s->p; p < end && plain_byte[(unsigned char)*p]; p++)
		;
	s->p = p;
	if (p == end || *p != '"')
		return false;
	*str = start;
	*len = (size_t)(p - start);
	s->p++;
	return true;
}

/* The same, NUL-terminated into buf. */
static bool string(struct scan *s, char buf[STR_MAX], size_t *len)
{
	const char *str;

	if (!plain_string(s, &str, len) || *len >= STR_MAX)
		return false;
	memcpy(buf, str, *len);
	buf[*len] = '\0';
	return true;
}

/* A JSON number that is a plain non-negative integer up to max. */
static bool integer(struct scan *s, uint32_t max, uint32_t *out)
{
	const char *start;
	uint64_t v = 0;
	char c;

	ws(s);
	for (start = s->p; s->p < s->end && *s->p >= '0' && *s->p <= '9' && s->p - start < 6;
	     s->p++)
		v = v * 10 + (uint64_t)(*s->p - '0');
	if (s->p == start || s->p == s->end || (*start == '0' && s->p - start > 1) || v > max)
		return false;
	c = *s->p;
	if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != ',' && c != '}')
		return false;
	*out = (uint32_t)v;
	return true;
}

enum member {
	M_B4 = 1 << 0,
	M_IPV4 = 1 << 1,
	M_PORT_SET = 1 << 2,
	M_BR = 1 << 3,
	M_OFFSET = 1 << 4,
	M_LEN = 1 << 5,
	M_PSID = 1 << 6,
};

/* A switch on the length, so that each compare is of a known size (the
 * compiler inlines it): this runs seven times per entry. */
static unsigned member_of(const char *k, size_t len)
{
#define IS(name) !memcmp(k, name, sizeof(name) - 1)
	switch (len) {
	case 4: return IS("psid") ? M_PSID : 0;
	case 8: return IS("port-set") ? M_PORT_SET : IS("psid-len") ? M_LEN : 0;
	case 11: return IS("psid-offset") ? M_OFFSET : 0;
	case 12: return IS("br-ipv6-addr") ? M_BR : 0;
	case 16: return IS("binding-ipv6info") ? M_B4 : 0;
	case 17: return IS("binding-ipv4-addr") ? M_IPV4 : 0;
	default: return 0;
	}
#undef IS
}

/* "key": */
static unsigned key(struct scan *s, unsigned allowed, unsigned *seen)
{
	const char *k;
	size_t len;
	unsigned m;

	if (!plain_string(s, &k, &len) || !punct(s, ':'))
		return 0;
	m = member_of(k, len);
	if (!(m & allowed) || (*seen & m))
		return 0;
	*seen |= m;
	return m;
}

/* decode_port_set's rules, without the messages. */
static bool port_set(struct scan *s, struct lw_softwire_entry *e)
{
	uint32_t v[3] = { 0, 0, 0 }; /* offset, len, psid */
	unsigned seen = 0, m;

	if (!punct(s, '{'))
		return false;
	do {
		m = key(s, M_OFFSET | M_LEN | M_PSID, &seen);
		if (!m || !integer(s, m == M_PSID ? UINT16_MAX : LW_PORT_BITS,
				   &v[m == M_OFFSET ? 0
				      : m == M_LEN  ? 1
						    : 2]))
			return false;
	} while (punct(s, ','));
	if (!punct(s, '}') || (seen & (M_LEN | M_PSID)) != (M_LEN | M_PSID) ||
	    v[0] + v[1] > LW_PORT_BITS || (v[1] < LW_PORT_BITS && v[2] >= (1u << v[1])))
		return false;
	e->ps.psid_offset = (__u8)v[0];
	e->ps.psid_len = (__u8)v[1];
	e->psid = (__u16)v[2];
	return true;
}

/* The common form read directly, any other through lw_parse_ipv6. */
static bool ipv6(const char *buf, size_t len, struct in6_addr *out)
{
	return lw_ipv6_plain(buf, len, out) || !lw_parse_ipv6(buf, out, NULL, 0);
}

static bool br_address(struct scan *s, struct lw_bt_fast *f, struct in6_addr *out)
{
	char buf[STR_MAX];
	size_t len;

	if (!string(s, buf, &len))
		return false;
	if (len != f->br_len || memcmp(buf, f->br_text, len)) {
		if (len >= sizeof(f->br_text) || !ipv6(buf, len, &f->br))
			return false;
		memcpy(f->br_text, buf, len);
		f->br_len = len;
	}
	*out = f->br;
	return true;
}

static bool one_member(struct scan *s, struct lw_bt_fast *f, struct lw_softwire_entry *e,
		       unsigned m)
{
	char buf[STR_MAX];
	size_t len;

	switch (m) {
	case M_B4: return string(s, buf, &len) && ipv6(buf, len, &e->b4_ipv6);
	case M_IPV4: return string(s, buf, &len) && !lw_parse_ipv4(buf, &e->ipv4, NULL, 0);
	case M_PORT_SET: return port_set(s, e);
	case M_BR: return br_address(s, f, &e->br_ipv6);
	default: return false;
	}
}

int lw_bt_json_fast_entry(struct lw_jcur *c, struct lw_bt_fast *f, struct lw_softwire_entry *e)
{
	const unsigned all = M_B4 | M_IPV4 | M_PORT_SET | M_BR;
	size_t avail = lw_tstream_ensure(c->in, c->pos, ENTRY_WINDOW);
	const char *start = lw_tstream_ptr(c->in, c->pos);
	struct scan s = { start, start + avail };
	unsigned seen = 0, m;

	memset(e, 0, sizeof(*e));
	if (!punct(&s, '{'))
		return 0;
	do {
		m = key(&s, all, &seen);
		if (!m || !one_member(&s, f, e, m))
			return 0;
	} while (punct(&s, ','));
	if (!punct(&s, '}') || seen != all)
		return 0;
	c->pos += (size_t)(s.p - start);
	return 1;
}
