/* SPDX-License-Identifier: GPL-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "errmsg.h"

/* Inputs are quoted back in messages; a runaway token (a missing quote can
 * swallow a whole file) must not push the useful part out of the buffer. */
#define Q "'%.64s'"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lw_parse_ipv4(const char *s, __be32 *out, char *err, size_t errlen)
{
	const char *p = s;
	uint32_t addr = 0;
	int octets = 0;

	if (!s || !*s)
		return lw_errf(err, errlen, "empty IPv4 address");
	for (;;) {
		const char *start = p;
		uint32_t v = 0;
		size_t digits;

		while (is_digit(*p)) {
			if (v <= 255)
				v = v * 10 + (uint32_t)(*p - '0');
			p++;
		}
		digits = (size_t)(p - start);
		if (digits == 0) {
			if (*p)
				return lw_errf(err, errlen,
					       Q
					       " is not an IPv4 address: unexpected character '%c'",
					       s, *p);
			return lw_errf(err, errlen,
				       Q " is not an IPv4 address: expected 4 dot-separated octets",
				       s);
		}
		/* inet_aton() would read 010 as octal 8; refuse rather than guess. */
		if (digits > 1 && *start == '0')
			return lw_errf(err, errlen,
				       Q " is not an IPv4 address: octet '%.*s' has a leading zero",
				       s, (int)digits, start);
		if (v > 255)
			return lw_errf(err, errlen, Q " is not an IPv4 address: octet '%.*s' > 255",
				       s, (int)(digits > 16 ? 16 : digits), start);
		addr = addr << 8 | v;
		if (++octets == 4)
			break;
		if (*p != '.')
			return lw_errf(err, errlen,
				       Q " is not an IPv4 address: expected 4 dot-separated octets",
				       s);
		p++;
	}
	if (*p == '/')
		return lw_errf(err, errlen,
			       Q " is not an IPv4 address: a prefix length is not allowed here", s);
	if (*p)
		return lw_errf(err, errlen, Q " is not an IPv4 address: trailing " Q, s, p);
	*out = htonl(addr);
	return 0;
}

/* inet_pton() only says yes or no; find out why, so that the operator is not
 * left staring at a 39-character address. */
static int explain_bad_ipv6(const char *s, char *err, size_t errlen)
{
	const char *p, *group;
	int double_colons = 0;

	if (!*s)
		return lw_errf(err, errlen, "empty IPv6 address");
	if (strchr(s, '/'))
		return lw_errf(err, errlen,
			       Q " is not an IPv6 address: a prefix length is not allowed here", s);
	if (strchr(s, '%'))
		return lw_errf(err, errlen,
			       Q " is not an IPv6 address: a zone index is not allowed here", s);
	if (!strchr(s, ':'))
		return lw_errf(err, errlen, Q " is not an IPv6 address: no ':'", s);
	for (p = s; *p; p++) {
		if (hex_value(*p) < 0 && *p != ':' && *p != '.')
			return lw_errf(err, errlen,
				       Q " is not an IPv6 address: unexpected character '%c'", s,
				       *p);
		if (p[0] == ':' && p[1] == ':')
			double_colons++;
	}
	if (strstr(s, ":::") || double_colons > 1)
		return lw_errf(err, errlen, Q " is not an IPv6 address: '::' may appear only once",
			       s);
	for (group = s; group; group = strchr(group, ':') ? strchr(group, ':') + 1 : NULL) {
		size_t n = strcspn(group, ":");

		if (n > 4 && !memchr(group, '.', n))
			return lw_errf(
				err, errlen,
				Q
				" is not an IPv6 address: group '%.*s' has more than 4 hex digits",
				s, (int)(n > 16 ? 16 : n), group);
	}
	return lw_errf(
		err, errlen,
		Q
		" is not an IPv6 address: expected 8 groups of 1-4 hex digits, or fewer with one '::'",
		s);
}

int lw_parse_ipv6(const char *s, struct in6_addr *out, char *err, size_t errlen)
{
	struct in6_addr a;

	if (!s)
		return lw_errf(err, errlen, "empty IPv6 address");
	if (inet_pton(AF_INET6, s, &a) != 1)
		return explain_bad_ipv6(s, err, errlen);
	*out = a;
	return 0;
}

/* 1 + the value of a hex digit, 0 for any other byte */
static const unsigned char hex1[256] = {
	['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* One to four hex digits at s[*i]; -1 when there are none or more than four. */
static int hex_group(const char *s, size_t len, size_t *i)
{
	size_t start = *i;
	unsigned h;
	int v = 0;

	while (*i < len && (h = hex1[(unsigned char)s[*i]])) {
		if (*i - start == 4)
			return -1;
		v = v << 4 | (int)(h - 1);
		(*i)++;
	}
	return *i == start ? -1 : v;
}

bool lw_ipv6_plain(const char *s, size_t len, struct in6_addr *out)
{
	int g[8], n = 0, gap = -1, v;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (!len || s[0] == ':') {
		return false;
	}
	while (i < len) {
		if (n == 8 || (v = hex_group(s, len, &i)) < 0)
			return false;
		g[n++] = v;
		if (i == len)
			break;
		if (s[i++] != ':' || i == len)
			return false;
		if (s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			i++;
		}
	}
	/* '::' stands for at least one group (as for inet_pton) */
	if (gap < 0 ? n != 8 : n > 7)
		return false;
	memset(out, 0, sizeof(*out));
	for (v = 0; v < n; v++) {
		int at = gap < 0 || v < gap ? v : 8 - n + v;

		out->s6_addr[2 * at] = (__u8)(g[v] >> 8);
		out->s6_addr[2 * at + 1] = (__u8)g[v];
	}
	return true;
}

int lw_parse_mac(const char *s, __u8 out[6], char *err, size_t errlen)
{
	__u8 mac[6];
	int i;

	if (!s || !*s)
		return lw_errf(err, errlen, "empty MAC address");
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_value(p[0]), lo = hi < 0 ? -1 : hex_value(p[1]);
		char sep = (hi < 0 || lo < 0) ? 0 : p[2];

		if (hi < 0 || lo < 0 || (i < 5 && sep != ':') || (i == 5 && sep != '\0'))
			return lw_errf(
				err, errlen,
				Q
				" is not a MAC address: expected six ':'-separated pairs of hex digits",
				s);
		mac[i] = (__u8)(hi << 4 | lo);
	}
	memcpy(out, mac, sizeof(mac));
	return 0;
}

int lw_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	for (p = s; *p; p++) {
		if (!is_digit(*p))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

const char *lw_format_ipv4(__be32 a, char *buf, size_t len)
{
	struct in_addr in = { .s_addr = a };

	if (!inet_ntop(AF_INET, &in, buf, (socklen_t)len) && len)
		buf[0] = '\0';
	return buf;
}

const char *lw_format_ipv6(const struct in6_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len) && len)
		buf[0] = '\0';
	return buf;
}

const char *lw_format_mac(const __u8 mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
