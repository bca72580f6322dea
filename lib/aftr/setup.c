/* SPDX-License-Identifier: GPL-2.0 */
/* The in-memory lwAFTR configuration shared by the importers and the
 * installers, and the consistency checks that must hold before any of it
 * reaches the maps. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "addr.h"
#include "errmsg.h"
#include "setup.h"

void lw_setup_init(struct lw_aftr_setup *s)
{
	memset(s, 0, sizeof(*s));
	s->cfg.flags = LW_CFG_DEFAULT_FLAGS;
	s->cfg.ipv4_mtu = 1500;
	s->cfg.ipv6_mtu = 1500;
	s->cfg.hop_limit = 64;
	s->cfg.echo_policy = LW_ECHO_IDENTIFIER;
	s->cfg.event_rate = 1000;
	s->cfg.event_burst = 100;
}

void lw_setup_free(struct lw_aftr_setup *s)
{
	size_t i;

	if (!s)
		return;
	free(s->softwires);
	free(s->br_addrs);
	for (i = 0; i < s->n_unsupported; i++)
		free(s->unsupported[i]);
	free(s->unsupported);
	/* Zeroed rather than re-initialised: a freed setup must not look like a
	 * valid empty configuration by accident; freeing twice is harmless. */
	memset(s, 0, sizeof(*s));
}

/* Grows *arr so that it holds at least want elements; doubling keeps a
 * million appends at about twenty reallocations. */
static int grow(void **arr, size_t *cap, size_t want, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (want <= *cap)
		return 0;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int lw_setup_br_index(struct lw_aftr_setup *s, const struct in6_addr *br)
{
	size_t i;
	int err;

	/* Tables list softwires of one BR together, so the last BR is the
	 * usual hit; the scan is bounded by LW_MAX_BR_ADDRS anyway. */
	if (s->n_br_addrs && !memcmp(&s->br_addrs[s->n_br_addrs - 1], br, sizeof(*br)))
		return (int)(s->n_br_addrs - 1);
	for (i = 0; i < s->n_br_addrs; i++)
		if (!memcmp(&s->br_addrs[i], br, sizeof(*br)))
			return (int)i;
	if (s->n_br_addrs >= LW_MAX_BR_ADDRS)
		return -E2BIG;
	err = grow((void **)&s->br_addrs, &s->cap_br_addrs, s->n_br_addrs + 1, sizeof(*br));
	if (err)
		return err;
	s->br_addrs[s->n_br_addrs] = *br;
	return (int)s->n_br_addrs++;
}

int lw_setup_add_softwire(struct lw_aftr_setup *s, const struct lw_softwire_entry *e)
{
	int err;

	err = grow((void **)&s->softwires, &s->cap_softwires, s->n_softwires + 1, sizeof(*e));
	if (err)
		return err;
	err = lw_setup_br_index(s, &e->br_ipv6);
	if (err < 0)
		return err;
	s->softwires[s->n_softwires++] = *e;
	return 0;
}

int lw_setup_add_unsupported(struct lw_aftr_setup *s, const char *what)
{
	char **arr, *copy;

	copy = strdup(what);
	if (!copy)
		return -ENOMEM;
	arr = realloc(s->unsupported, (s->n_unsupported + 1) * sizeof(*arr));
	if (!arr) {
		free(copy);
		return -ENOMEM;
	}
	arr[s->n_unsupported++] = copy;
	s->unsupported = arr;
	return 0;
}

/* ---- validation ---------------------------------------------------------- */

struct namer {
	lw_softwire_namer fn;
	const void *ctx;
};

/* Two names may be needed in one message, hence caller-provided buffers. */
static const char *entry_name(const struct namer *nm, size_t index, char *buf, size_t len)
{
	if (nm->fn)
		nm->fn(nm->ctx, index, buf, len);
	else
		snprintf(buf, len, "softwire #%zu", index);
	return buf;
}

static int check_port_set(const struct lw_softwire_entry *e, size_t i, const struct namer *nm,
			  char *err, size_t errlen)
{
	char name[256], ip[LW_IPV4_STRLEN];
	unsigned a = e->ps.psid_offset, k = e->ps.psid_len;

	if (a + k > 16)
		return lw_errf(err, errlen,
			       "%s: psid-offset %u + psid-len %u = %u exceeds 16 (ipv4 %s psid %u)",
			       entry_name(nm, i, name, sizeof(name)), a, k, a + k,
			       lw_format_ipv4(e->ipv4, ip, sizeof(ip)), e->psid);
	if (k < 16 && e->psid >= (1u << k))
		return lw_errf(err, errlen,
			       "%s: psid %u out of range for psid-len %u (0..%u) (ipv4 %s)",
			       entry_name(nm, i, name, sizeof(name)), e->psid, k, (1u << k) - 1,
			       lw_format_ipv4(e->ipv4, ip, sizeof(ip)));
	return 0;
}

static int cmp_in6(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct in6_addr));
}

/* The distinct BRs seen so far, sorted; at most LW_MAX_BR_ADDRS of them, so
 * each softwire costs one binary search over a few KiB, and none when it
 * names the BR of the softwire before it (tables list a BR's softwires
 * together). */
static int check_br_count(const struct lw_aftr_setup *s, const struct namer *nm, char *err,
			  size_t errlen)
{
	struct in6_addr *seen;
	size_t n = 0, i;
	int ret = 0;

	seen = malloc(LW_MAX_BR_ADDRS * sizeof(*seen));
	if (!seen)
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory validating BR addresses");
	for (i = 0; i < s->n_softwires && !ret; i++) {
		const struct in6_addr *br = &s->softwires[i].br_ipv6;
		size_t lo = 0, hi = n;

		if (i && !cmp_in6(br, &s->softwires[i - 1].br_ipv6))
			continue;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = cmp_in6(&seen[mid], br);

			if (c == 0) {
				lo = hi = SIZE_MAX;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == SIZE_MAX)
			continue;
		if (n == LW_MAX_BR_ADDRS) {
			char name[256], addr[LW_IPV6_STRLEN];

			ret = lw_errf(
				err, errlen,
				"%s: br-ipv6-addr %s is distinct BR address number %u; at most %u are supported",
				entry_name(nm, i, name, sizeof(name)),
				lw_format_ipv6(br, addr, sizeof(addr)), LW_MAX_BR_ADDRS + 1,
				LW_MAX_BR_ADDRS);
			break;
		}
		memmove(&seen[lo + 1], &seen[lo], (n - lo) * sizeof(*seen));
		seen[lo] = *br;
		n++;
	}
	free(seen);
	return ret;
}

/* (IPv4 in host order, PSID) in the top 48 bits, the port-set parameters in
 * the low 16: in the order of the top 48 bits the softwires of one address
 * are together, by PSID. */
static uint64_t sw_key(const struct lw_softwire_entry *e)
{
	return (uint64_t)ntohl(e->ipv4) << 32 | (uint64_t)e->psid << 16 |
	       (uint64_t)e->ps.psid_offset << 8 | e->ps.psid_len;
}

#define KEY_ADDR(k)     ((uint32_t)((k) >> 32))
#define KEY_SOFTWIRE(k) ((k) >> 16)
#define KEY_PORT_SET(k) ((k)&0xffff)

static bool same_port_set(const struct lw_psid_params *a, const struct lw_psid_params *b)
{
	return a->psid_offset == b->psid_offset && a->psid_len == b->psid_len;
}

/* The errors are rare, so they find the entries to name by a walk in input
 * order: the first softwire of the address is the reference, the first that
 * disagrees with it is the one the operator will look at. */
static int report_port_set(const struct lw_aftr_setup *s, __be32 ipv4, const struct namer *nm,
			   char *err, size_t errlen)
{
	char n1[256], n2[256], ip[LW_IPV4_STRLEN];
	size_t ref = SIZE_MAX, bad = SIZE_MAX, i;
	const struct lw_psid_params *pb, *pr;

	for (i = 0; i < s->n_softwires && bad == SIZE_MAX; i++) {
		if (s->softwires[i].ipv4 != ipv4)
			continue;
		if (ref == SIZE_MAX)
			ref = i;
		else if (!same_port_set(&s->softwires[i].ps, &s->softwires[ref].ps))
			bad = i;
	}
	pb = &s->softwires[bad].ps;
	pr = &s->softwires[ref].ps;
	return lw_errf(
		err, errlen,
		"%s: ipv4 %s has psid-offset %u psid-len %u, but %s gives the same address psid-offset %u psid-len %u; every softwire of one IPv4 address must use the same port-set parameters (RFC 7597 section 5.1)",
		entry_name(nm, bad, n1, sizeof(n1)), lw_format_ipv4(ipv4, ip, sizeof(ip)),
		pb->psid_offset, pb->psid_len, entry_name(nm, ref, n2, sizeof(n2)), pr->psid_offset,
		pr->psid_len);
}

/* Names the second softwire (ipv4, psid) and the first. */
static int report_duplicate(const struct lw_aftr_setup *s, __be32 ipv4, uint16_t psid,
			    const struct namer *nm, char *err, size_t errlen)
{
	char n1[256], n2[256], ip[LW_IPV4_STRLEN];
	size_t first = SIZE_MAX, i;

	for (i = 0; i < s->n_softwires; i++) {
		if (s->softwires[i].ipv4 != ipv4 || s->softwires[i].psid != psid)
			continue;
		if (first != SIZE_MAX)
			break;
		first = i;
	}
	return lw_errf(err, errlen, "%s: duplicate softwire ipv4 %s psid %u (already at %s)",
		       entry_name(nm, i, n1, sizeof(n1)), lw_format_ipv4(ipv4, ip, sizeof(ip)),
		       psid, entry_name(nm, first, n2, sizeof(n2)));
}

static uint64_t key_at(const struct lw_aftr_setup *s, const uint64_t *keys, size_t i)
{
	return keys ? keys[i] : sw_key(&s->softwires[i]);
}

/* Over the softwires in key order (keys, or the table itself when it is in
 * that order already): per address, in ascending order, the port-set
 * parameters must agree (PSID-4), then no PSID may repeat. */
static int check_addresses(const struct lw_aftr_setup *s, const uint64_t *keys,
			   const struct namer *nm, char *err, size_t errlen)
{
	size_t n = s->n_softwires, lo, i;

	for (lo = 0; lo < n; lo = i) {
		uint64_t first = key_at(s, keys, lo), prev = first, k = 0, dup = UINT64_MAX;
		bool mixed = false;

		for (i = lo + 1; i < n && KEY_ADDR(k = key_at(s, keys, i)) == KEY_ADDR(first);
		     prev = k, i++) {
			mixed |= KEY_PORT_SET(k) != KEY_PORT_SET(first);
			if (dup == UINT64_MAX && KEY_SOFTWIRE(k) == KEY_SOFTWIRE(prev))
				dup = KEY_SOFTWIRE(k);
		}
		if (mixed)
			return report_port_set(s, htonl(KEY_ADDR(first)), nm, err, errlen);
		if (dup != UINT64_MAX)
			return report_duplicate(s, htonl((uint32_t)(dup >> 16)), (uint16_t)dup, nm,
						err, errlen);
	}
	return 0;
}

/* Stable LSD radix sort on the top 48 bits, 16 at a time; a pass whose
 * digit is the same in every key (the top of the addresses, usually) is
 * skipped. Scratch: a second array and 512 KiB of counts. */
static int sort_keys(uint64_t **keys, size_t n)
{
	const size_t buckets = 1u << 16;
	uint64_t *a = *keys, *b = malloc(n * sizeof(*b)), *t;
	size_t *count = malloc(buckets * sizeof(*count)), i, sum;
	unsigned shift;

	if (!b || !count) {
		free(b);
		free(count);
		return -ENOMEM;
	}
	for (shift = 16; shift < 64; shift += 16) {
		memset(count, 0, buckets * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xffff]++;
		if (count[(a[0] >> shift) & 0xffff] == n)
			continue;
		for (i = 0, sum = 0; i < buckets; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[count[(a[i] >> shift) & 0xffff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	free(b);
	free(count);
	*keys = a;
	return 0;
}

static bool in_key_order(const struct lw_aftr_setup *s)
{
	for (size_t i = 1; i < s->n_softwires; i++)
		if (KEY_SOFTWIRE(sw_key(&s->softwires[i])) <
		    KEY_SOFTWIRE(sw_key(&s->softwires[i - 1])))
			return false;
	return true;
}

/* Tables written address by address, PSID by PSID (Snabb's generator,
 * sorted exports) are checked in place; others through a sorted copy of
 * their keys, 8 bytes a softwire plus as much for the sort. */
static int check_keys(const struct lw_aftr_setup *s, const struct namer *nm, char *err,
		      size_t errlen)
{
	size_t n = s->n_softwires, i;
	uint64_t *keys;
	int ret;

	if (n < 2)
		return 0;
	if (in_key_order(s))
		return check_addresses(s, NULL, nm, err, errlen);
	keys = malloc(n * sizeof(*keys));
	for (i = 0; keys && i < n; i++)
		keys[i] = sw_key(&s->softwires[i]);
	if (!keys || sort_keys(&keys, n)) {
		free(keys);
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory validating %zu softwires",
				    n);
	}
	ret = check_addresses(s, keys, nm, err, errlen);
	free(keys);
	return ret;
}

int lw_setup_validate_named(const struct lw_aftr_setup *s, lw_softwire_namer namer, const void *ctx,
			    char *err, size_t errlen)
{
	struct namer nm = { namer, ctx };
	size_t i;
	int ret;

	if (s->n_softwires > UINT32_MAX)
		return lw_errf_code(-E2BIG, err, errlen, "%zu softwires: at most %u are supported",
				    s->n_softwires, UINT32_MAX);
	for (i = 0; i < s->n_softwires; i++) {
		ret = check_port_set(&s->softwires[i], i, &nm, err, errlen);
		if (ret)
			return ret;
	}
	ret = check_br_count(s, &nm, err, errlen);
	if (ret)
		return ret;
	return check_keys(s, &nm, err, errlen);
}

int lw_setup_validate(const struct lw_aftr_setup *s, char *err, size_t errlen)
{
	return lw_setup_validate_named(s, NULL, NULL, err, errlen);
}

int lw_setup_static_nexthops(struct lw_aftr_setup *s)
{
	int n = 0;

	if (s->external.has_mac && s->external.has_next_hop_mac) {
		memcpy(s->cfg.ipv4_src_mac, s->external.mac, 6);
		memcpy(s->cfg.ipv4_nh_mac, s->external.next_hop_mac, 6);
		s->cfg.flags |= LW_CFG_STATIC_NH4;
		n++;
	}
	if (s->internal.has_mac && s->internal.has_next_hop_mac) {
		memcpy(s->cfg.ipv6_src_mac, s->internal.mac, 6);
		memcpy(s->cfg.ipv6_nh_mac, s->internal.next_hop_mac, 6);
		s->cfg.flags |= LW_CFG_STATIC_NH6;
		n++;
	}
	return n;
}

int lw_setup_load_file(const char *path, const char *name, lw_setup_parse_fn parse,
		       struct lw_aftr_setup *out, char *err, size_t errlen)
{
	struct lw_tstream in;
	int ret = lw_tstream_open(&in, path, err, errlen);

	if (ret) {
		lw_setup_init(out);
		lw_setup_free(out);
		return ret;
	}
	ret = parse(&in, name, out, err, errlen);
	lw_tstream_close(&in);
	return ret;
}
