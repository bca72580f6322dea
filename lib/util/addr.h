/* SPDX-License-Identifier: GPL-2.0 */
/* Strict text <-> binary conversion of the addresses and numbers that appear
 * in configuration files. Parsers never accept a prefix of the input: trailing
 * junk, signs, spaces and ambiguous forms (leading zeros) are errors, because a
 * typo in a binding table silently becoming a different address is worse than
 * a refused file. */
#ifndef LW4O6_ADDR_H
#define LW4O6_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>

#define LW_IPV4_STRLEN 16 /* "255.255.255.255" + NUL */
#define LW_IPV6_STRLEN 46 /* INET6_ADDRSTRLEN */
#define LW_MAC_STRLEN  18 /* "xx:xx:xx:xx:xx:xx" + NUL */

/* Each parser returns 0, or -EINVAL with a message such as
 * "'10.0.0.256' is not an IPv4 address: octet 256 > 255" in err (which the
 * caller prefixes with file, line and field name). err may be NULL. */
int lw_parse_ipv4(const char *s, __be32 *out, char *err, size_t errlen);
int lw_parse_ipv6(const char *s, struct in6_addr *out, char *err, size_t errlen);
int lw_parse_mac(const char *s, __u8 out[6], char *err, size_t errlen);

/* The common form of an IPv6 address (hex groups, at most one '::', no
 * dotted quad), len bytes at s, no terminator needed: true with *out exactly
 * as inet_pton would read it, false for anything else, which lw_parse_ipv6
 * then judges. For the importers, which read millions. */
bool lw_ipv6_plain(const char *s, size_t len, struct in6_addr *out);

/* Strict decimal: digits only, no sign, no leading zero unless the number is
 * 0. Returns 0, -EINVAL when s is not a decimal number (or does not fit 32
 * bits) and -ERANGE when it is outside [min, max]. *out is written only on
 * success. */
int lw_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Formatters write into buf (at least the matching LW_*_STRLEN bytes) and
 * return it, so that they can be used directly as printf arguments. */
const char *lw_format_ipv4(__be32 a, char *buf, size_t len);
const char *lw_format_ipv6(const struct in6_addr *a, char *buf, size_t len);
const char *lw_format_mac(const __u8 mac[6], char *buf, size_t len);

#endif
