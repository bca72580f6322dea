/* SPDX-License-Identifier: GPL-2.0 */
/* One RFC 8676 binding-entry, from a json-c object to a softwire. */
#include <errno.h>
#include <string.h>
#include "addr.h"
#include "bt_json_priv.h"
#include "errmsg.h"

#define IPV6_BITS 128

static const char *type_of(json_object *v)
{
	return json_type_to_name(json_object_get_type(v));
}

static int get_string(json_object *v, size_t idx, const char *field, const char **out, char *err,
		      size_t errlen)
{
	if (!json_object_is_type(v, json_type_string))
		return lw_errf(err, errlen, "binding-entry[%zu]: %s must be a string, not %s", idx,
			       field, type_of(v));
	*out = json_object_get_string(v);
	return 0;
}

static int get_uint(json_object *v, size_t idx, const char *field, uint32_t max, uint32_t *out,
		    char *err, size_t errlen)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return lw_errf(err, errlen, "binding-entry[%zu]: %s must be an integer, not %s",
			       idx, field, type_of(v));
	x = json_object_get_int64(v);
	if (x < 0 || x > (int64_t)max)
		return lw_errf(err, errlen, "binding-entry[%zu]: %s %lld out of range 0..%u", idx,
			       field, (long long)x, max);
	*out = (uint32_t)x;
	return 0;
}

/* binding-ipv6info is a union of an address and a prefix. A /128 prefix is
 * an address; a shorter one means "derive the B4 address per RFC 7596 from
 * the prefix", which the data plane does not do (it matches one address). */
static int decode_b4(json_object *v, size_t idx, struct in6_addr *out, char *err, size_t errlen)
{
	const char *s, *slash;
	char addr[LW_IPV6_STRLEN], msg[256];
	uint32_t plen;
	int ret = get_string(v, idx, "binding-ipv6info", &s, err, errlen);

	if (ret)
		return ret;
	slash = strchr(s, '/');
	if (slash) {
		if (lw_parse_u32(slash + 1, 0, IPV6_BITS, &plen))
			return lw_errf(
				err, errlen,
				"binding-entry[%zu]: binding-ipv6info '%.64s': prefix length '%.8s' is not 0..128",
				idx, s, slash + 1);
		if (plen != IPV6_BITS)
			return lw_errf(
				err, errlen,
				"binding-entry[%zu]: binding-ipv6info '%.64s': prefix binding-ipv6info not supported yet (only addresses or /128)",
				idx, s);
		if ((size_t)(slash - s) >= sizeof(addr))
			return lw_errf(
				err, errlen,
				"binding-entry[%zu]: binding-ipv6info '%.64s' is not an IPv6 address",
				idx, s);
		memcpy(addr, s, (size_t)(slash - s));
		addr[slash - s] = '\0';
		s = addr;
	}
	if (lw_parse_ipv6(s, out, msg, sizeof(msg)))
		return lw_errf(err, errlen, "binding-entry[%zu]: binding-ipv6info %s", idx, msg);
	return 0;
}

static int decode_port_set(json_object *ps, size_t idx, struct lw_softwire_entry *e, char *err,
			   size_t errlen)
{
	uint32_t offset = 0, len = 0, psid = 0;
	bool has_len = false, has_psid = false;
	int ret = 0;

	if (!json_object_is_type(ps, json_type_object))
		return lw_errf(err, errlen,
			       "binding-entry[%zu]: port-set must be an object, not %s", idx,
			       type_of(ps));
	json_object_object_foreach(ps, key, val)
	{
		if (!strcmp(key, "psid-offset")) {
			ret = get_uint(val, idx, "port-set/psid-offset", LW_PORT_BITS, &offset, err,
				       errlen);
		} else if (!strcmp(key, "psid-len")) {
			ret = get_uint(val, idx, "port-set/psid-len", LW_PORT_BITS, &len, err,
				       errlen);
			has_len = true;
		} else if (!strcmp(key, "psid")) {
			ret = get_uint(val, idx, "port-set/psid", UINT16_MAX, &psid, err, errlen);
			has_psid = true;
		} else {
			ret = lw_errf(err, errlen,
				      "binding-entry[%zu]: unknown field 'port-set/%.64s'", idx,
				      key);
		}
		if (ret)
			return ret;
	}
	if (!has_len || !has_psid)
		return lw_errf(err, errlen, "binding-entry[%zu]: missing 'port-set/%s'", idx,
			       has_len ? "psid" : "psid-len");
	if (offset + len > LW_PORT_BITS)
		return lw_errf(
			err, errlen,
			"binding-entry[%zu]: port-set psid-offset %u + psid-len %u exceeds 16", idx,
			offset, len);
	if (len < LW_PORT_BITS && psid >= (1u << len))
		return lw_errf(
			err, errlen,
			"binding-entry[%zu]: port-set/psid %u out of range for psid-len %u (0..%u)",
			idx, psid, len, (1u << len) - 1);
	e->ps.psid_offset = (__u8)offset;
	e->ps.psid_len = (__u8)len;
	e->psid = (__u16)psid;
	return 0;
}

int lw_bt_json_decode_entry(json_object *o, size_t idx, struct lw_softwire_entry *e, char *err,
			    size_t errlen)
{
	bool has_b4 = false, has_v4 = false, has_ps = false, has_br = false;
	const char *s;
	char msg[256];
	int ret = 0;

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(o, json_type_object))
		return lw_errf(err, errlen, "binding-entry[%zu] must be an object, not %s", idx,
			       type_of(o));
	json_object_object_foreach(o, key, val)
	{
		if (!strcmp(key, "binding-ipv6info")) {
			ret = decode_b4(val, idx, &e->b4_ipv6, err, errlen);
			has_b4 = true;
		} else if (!strcmp(key, "binding-ipv4-addr")) {
			ret = get_string(val, idx, key, &s, err, errlen);
			if (!ret && lw_parse_ipv4(s, &e->ipv4, msg, sizeof(msg)))
				ret = lw_errf(err, errlen,
					      "binding-entry[%zu]: binding-ipv4-addr %s", idx, msg);
			has_v4 = true;
		} else if (!strcmp(key, "port-set")) {
			ret = decode_port_set(val, idx, e, err, errlen);
			has_ps = true;
		} else if (!strcmp(key, "br-ipv6-addr")) {
			ret = get_string(val, idx, key, &s, err, errlen);
			if (!ret && lw_parse_ipv6(s, &e->br_ipv6, msg, sizeof(msg)))
				ret = lw_errf(err, errlen, "binding-entry[%zu]: br-ipv6-addr %s",
					      idx, msg);
			has_br = true;
		} else {
			/* Entries are flat and fully known: anything else is a typo
			 * that would otherwise silently lose a field. */
			ret = lw_errf(err, errlen, "binding-entry[%zu]: unknown field '%.64s'", idx,
				      key);
		}
		if (ret)
			return ret;
	}
	if (!has_b4 || !has_v4 || !has_ps || !has_br)
		return lw_errf(err, errlen, "binding-entry[%zu]: missing '%s'", idx,
			       !has_b4   ? "binding-ipv6info"
			       : !has_v4 ? "binding-ipv4-addr"
			       : !has_ps ? "port-set"
					 : "br-ipv6-addr");
	return 0;
}
