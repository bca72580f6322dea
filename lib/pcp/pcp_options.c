// SPDX-License-Identifier: GPL-2.0
/* The PCP option walk (RFC 6887 §7.3) and the rules of each option this
 * codec processes (§13.1-§13.3, RFC 7753 §4).
 *
 * Every option is a 4-octet header (code, reserved, Option Length) and
 * Option Length octets of data, then zero padding to a multiple of 4; the
 * length does not count the padding. The walk therefore steps by
 * 4 + length rounded up to 4. (Wireshark 4.0's dissector forgets to reset
 * its padding after an option whose length is not a multiple of 4, and
 * minimalist-pcproxy ignores padding altogether; pcp.md §3 and §4,
 * shared/pcp-vectors/ws_padding_bug.pcap.) The padding's contents are not
 * checked: the RFC asks senders for zeros but says nothing about
 * receivers, and refusing a request over them would help nobody. */
#include <string.h>
#include "pcp_msg_priv.h"

#define OPCODE_BIT(op) (1u << (op))

/* What RFC 6887 §13 (and RFC 7753 §4 for PORT_SET) says of each option this
 * codec processes: the opcodes it is valid for, whether it may appear more
 * than once, and its exact Option Length. */
struct option_rule {
	uint8_t code;
	uint8_t opcodes;
	bool repeatable;
	uint16_t length;
};

static const struct option_rule option_rules[] = {
	{ PCP_OPT_THIRD_PARTY, OPCODE_BIT(PCP_OP_MAP) | OPCODE_BIT(PCP_OP_PEER), false,
	  PCP_THIRD_PARTY_LEN },
	{ PCP_OPT_PREFER_FAILURE, OPCODE_BIT(PCP_OP_MAP), false, PCP_PREFER_FAILURE_LEN },
	{ PCP_OPT_FILTER, OPCODE_BIT(PCP_OP_MAP), true, PCP_FILTER_LEN },
	{ PCP_OPT_PORT_SET, OPCODE_BIT(PCP_OP_MAP), false, PCP_PORT_SET_LEN },
};

static const struct option_rule *find_rule(uint8_t code)
{
	size_t i;

	for (i = 0; i < sizeof(option_rules) / sizeof(option_rules[0]); i++)
		if (option_rules[i].code == code)
			return &option_rules[i];
	return NULL;
}

static bool seen_before(const struct pcp_options *opts, uint8_t code)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY: return opts->has_third_party;
	case PCP_OPT_PREFER_FAILURE: return opts->prefer_failure;
	case PCP_OPT_PORT_SET: return opts->has_port_set;
	default: return false;
	}
}

/* §13.3: Prefix Length counts bits of the 128-bit field, so an IPv4 prefix
 * /p is 96 + p. 0 is accepted for either family (no address relevant).
 * libpcp writes the bare IPv4 length (24 for a /24, pcp.md §5.2): that is
 * the MALFORMED_OPTION case, in a request. */
static bool filter_prefix_ok(const struct pcp_filter *f)
{
	if (f->prefix_len > 128)
		return false;
	if (f->prefix_len != 0 && f->prefix_len < 96 &&
	    pcp_addr_is_ipv4_mapped(&f->remote_peer_addr))
		return false;
	return true;
}

/* Stores one processed option. Returns 0 or MALFORMED_OPTION. */
static int take_option(const uint8_t *data, uint8_t code, uint32_t lifetime, bool is_request,
		       struct pcp_options *opts)
{
	struct pcp_filter *f;

	switch (code) {
	case PCP_OPT_THIRD_PARTY:
		opts->has_third_party = true;
		memcpy(opts->third_party_addr.s6_addr, data, 16);
		return 0;
	case PCP_OPT_PREFER_FAILURE:
		/* RFC 7753 §4.2: PREFER_FAILURE MUST NOT accompany PORT_SET;
		 * the server says MALFORMED_OPTION (non-zero lifetime). */
		if (is_request && lifetime != 0 && opts->has_port_set)
			return PCP_RES_MALFORMED_OPTION;
		opts->prefer_failure = true;
		return 0;
	case PCP_OPT_FILTER:
		if (opts->n_filters >= PCP_MAX_FILTERS)
			return PCP_RES_MALFORMED_OPTION; /* only a non-MAP response gets here */
		f = &opts->filters[opts->n_filters];
		/* data[0] is reserved: ignored when received */
		f->prefix_len = data[1];
		f->remote_peer_port = sp_get16(data + 2);
		memcpy(f->remote_peer_addr.s6_addr, data + 4, 16);
		if (is_request && !filter_prefix_ok(f))
			return PCP_RES_MALFORMED_OPTION;
		opts->n_filters++;
		return 0;
	case PCP_OPT_PORT_SET:
		opts->has_port_set = true;
		opts->port_set.size = sp_get16(data);
		opts->port_set.first_internal_port = sp_get16(data + 2);
		/* 7 reserved bits: ignored when received (RFC 7753 §4) */
		opts->port_set.parity = (data[4] & PCP_PORT_SET_PARITY) != 0;
		if (is_request && lifetime != 0 &&
		    (opts->port_set.size == 0 || opts->prefer_failure))
			return PCP_RES_MALFORMED_OPTION; /* RFC 7753 §4.2 */
		return 0;
	default: return PCP_RES_MALFORMED_OPTION;
	}
}

int pcp_parse_options(const uint8_t *buf, size_t len, size_t start, uint8_t opcode,
		      uint32_t lifetime, bool is_request, struct pcp_options *opts)
{
	size_t off = start;

	memset(opts, 0, sizeof(*opts));
	/* §7.3: options are processed in the order they appear, and the
	 * first one that fails decides the answer. */
	while (off < len) {
		const struct option_rule *rule;
		uint8_t code;
		size_t olen, next;
		int rc;

		if (len - off < PCP_OPTION_HEADER_LEN)
			return PCP_RES_MALFORMED_OPTION;
		code = buf[off];
		olen = sp_get16(buf + off + 2);
		/* An option longer than what is left of the datagram is
		 * MALFORMED_OPTION rather than MALFORMED_REQUEST (§7.3). */
		if (olen > len - off - PCP_OPTION_HEADER_LEN)
			return PCP_RES_MALFORMED_OPTION;
		next = off + PCP_OPTION_HEADER_LEN + pcp_pad4(olen);
		if (next > len)
			return PCP_RES_MALFORMED_OPTION; /* padding cut: the message is not a multiple of 4 */
		rule = find_rule(code);
		if (!rule) {
			if (is_request && code < PCP_OPT_OPTIONAL_MIN)
				return PCP_RES_UNSUPP_OPTION;
			/* Optional to process: skipped, and left out of a
			 * success response; only remembered here. */
			if (opts->n_unknown >= PCP_MAX_UNKNOWN_OPTIONS)
				return PCP_RES_MALFORMED_OPTION; /* cannot happen within 1100 octets */
			opts->unknown[opts->n_unknown].code = code;
			opts->unknown[opts->n_unknown].length = (uint16_t)olen;
			opts->unknown[opts->n_unknown].offset = (uint16_t)off;
			opts->n_unknown++;
			off = next;
			continue;
		}
		/* §7.3 and §13: an option sent with an opcode it is not
		 * defined for, with the wrong length, or more often than it
		 * may appear, is malformed. */
		if (is_request && (opcode > PCP_OP_PEER || !(rule->opcodes & OPCODE_BIT(opcode))))
			return PCP_RES_MALFORMED_OPTION;
		if (olen != rule->length)
			return PCP_RES_MALFORMED_OPTION;
		if (!rule->repeatable && seen_before(opts, code))
			return PCP_RES_MALFORMED_OPTION;
		rc = take_option(buf + off + PCP_OPTION_HEADER_LEN, code, lifetime, is_request,
				 opts);
		if (rc)
			return rc;
		off = next;
	}
	return 0;
}
