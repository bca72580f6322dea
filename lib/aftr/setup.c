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
#include "file_read.h"

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
 * each softwire costs one binary search over a few KiB. */
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

struct sw_key {
	uint32_t ipv4; /* host order, so that equal addresses sort together */
	uint32_t idx;
	uint16_t psid;
};

static int cmp_key(const void *pa, const void *pb)
{
	const struct sw_key *a = pa, *b = pb;

	if (a->ipv4 != b->ipv4)
		return a->ipv4 < b->ipv4 ? -1 : 1;
	if (a->psid != b->psid)
		return a->psid < b->psid ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_port_set(const struct lw_psid_params *a, const struct lw_psid_params *b)
{
	return a->psid_offset == b->psid_offset && a->psid_len == b->psid_len;
}

/* keys[lo..hi) are the softwires of one IPv4 address, sorted by (psid, idx). */
static int check_one_address(const struct lw_aftr_setup *s, const struct sw_key *keys, size_t lo,
			     size_t hi, const struct namer *nm, char *err, size_t errlen)
{
	char n1[256], n2[256], ip[LW_IPV4_STRLEN];
	size_t ref = keys[lo].idx, bad = SIZE_MAX, j;

	/* Judge against the first softwire in input order, and report the
	 * first one that disagrees: that is the one the operator will look at. */
	for (j = lo; j < hi; j++)
		if (keys[j].idx < ref)
			ref = keys[j].idx;
	for (j = lo; j < hi; j++)
		if (!same_port_set(&s->softwires[keys[j].idx].ps, &s->softwires[ref].ps) &&
		    keys[j].idx < bad)
			bad = keys[j].idx;
	if (bad != SIZE_MAX) {
		const struct lw_psid_params *pb = &s->softwires[bad].ps,
					    *pr = &s->softwires[ref].ps;

		return lw_errf(
			err, errlen,
			"%s: ipv4 %s has psid-offset %u psid-len %u, but %s gives the same address psid-offset %u psid-len %u; every softwire of one IPv4 address must use the same port-set parameters (RFC 7597 section 5.1)",
			entry_name(nm, bad, n1, sizeof(n1)),
			lw_format_ipv4(s->softwires[bad].ipv4, ip, sizeof(ip)), pb->psid_offset,
			pb->psid_len, entry_name(nm, ref, n2, sizeof(n2)), pr->psid_offset,
			pr->psid_len);
	}
	for (j = lo; j + 1 < hi; j++)
		if (keys[j].psid == keys[j + 1].psid)
			return lw_errf(err, errlen,
				       "%s: duplicate softwire ipv4 %s psid %u (already at %s)",
				       entry_name(nm, keys[j + 1].idx, n1, sizeof(n1)),
				       lw_format_ipv4(s->softwires[keys[j].idx].ipv4, ip,
						      sizeof(ip)),
				       keys[j].psid, entry_name(nm, keys[j].idx, n2, sizeof(n2)));
	return 0;
}

static int check_keys(const struct lw_aftr_setup *s, const struct namer *nm, char *err,
		      size_t errlen)
{
	struct sw_key *keys;
	size_t n = s->n_softwires, i, lo;
	int ret = 0;

	if (n < 2)
		return 0;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory validating %zu softwires",
				    n);
	for (i = 0; i < n; i++) {
		keys[i].ipv4 = ntohl(s->softwires[i].ipv4);
		keys[i].psid = s->softwires[i].psid;
		keys[i].idx = (uint32_t)i;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (lo = 0; lo < n && !ret; lo = i) {
		for (i = lo + 1; i < n && keys[i].ipv4 == keys[lo].ipv4; i++)
			;
		ret = check_one_address(s, keys, lo, i, nm, err, errlen);
	}
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
	char *text;
	size_t len;
	int ret = lw_read_file(path, &text, &len, err, errlen);

	if (ret) {
		lw_setup_init(out);
		lw_setup_free(out);
		return ret;
	}
	ret = parse(text, len, name, out, err, errlen);
	free(text);
	return ret;
}
