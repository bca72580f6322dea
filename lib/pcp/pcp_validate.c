// SPDX-License-Identifier: GPL-2.0
/* What a PCP server answers to one datagram: RFC 6887 §8.2 (the request
 * checks), §7.3 (options), §11.3 (MAP), RFC 7753 §4.2 (PORT_SET), with the
 * project's one documented exception (PCPS-19).
 *
 * Decision table, checked top to bottom; the first row that matches wins.
 *
 *  #  condition                                        answer             source
 *  1  fewer than 2 octets                              drop               §8.2
 *  2  R bit set (it is a response)                     drop               §8.2
 *  3  version != 2                                     UNSUPP_VERSION     §8.2, §9 (reply says 2)
 *  4  fewer than 24 octets                             drop               §8.2
 *  5  more than 1100 octets                            MALFORMED_REQUEST  §8.2 (reply cut to 1100)
 *  6  length not a multiple of 4                       MALFORMED_REQUEST  §8.2
 *  7  opcode not ANNOUNCE, MAP or PEER                 UNSUPP_OPCODE      §8.2, §7.1
 *  8  shorter than 24 + the opcode body (36 / 56)      MALFORMED_REQUEST  §8.2
 *  9  PCP Client IP != the packet's source address     ADDRESS_MISMATCH   §8.2 (PCPS-3)
 * 10  options, in the order received (§7.3):
 *     a  option header or data runs past the end       MALFORMED_OPTION   §7.3
 *     b  unknown code < 128 (mandatory to process)     UNSUPP_OPTION      §7.3 (PCPS-5)
 *     c  unknown code >= 128                           skipped, left out of the reply
 *     d  known option with an opcode it is not for     MALFORMED_OPTION   §7.3, §13 (e.g. FILTER in PEER)
 *     e  known option with the wrong Option Length     MALFORMED_OPTION   §7.3 (THIRD_PARTY 16,
 *                                                                          PREFER_FAILURE 0, FILTER 20,
 *                                                                          PORT_SET 5)
 *     f  THIRD_PARTY, PREFER_FAILURE or PORT_SET twice MALFORMED_OPTION   §7.3, RFC 7753 §4 (PCPS-6)
 *     g  FILTER Prefix Length > 128, or 1..95 with an
 *        IPv4-mapped remote address                    MALFORMED_OPTION   §13.3
 *     h  lifetime != 0 and PORT_SET size 0             MALFORMED_OPTION   RFC 7753 §4.2 (PCPS-6)
 *     i  lifetime != 0 and PORT_SET with PREFER_FAILURE MALFORMED_OPTION  RFC 7753 §4.2 (PCPS-6)
 * 11  MAP, lifetime != 0, protocol 0, internal port != 0:
 *     a  internal port 1 and PORT_SET of size >= 2     valid (exception)  PCPS-19, design.md decision 2
 *     b  otherwise                                     MALFORMED_REQUEST  §11.3
 * 12  everything else                                  process            the caller decides
 *
 * Notes on the rows:
 *  - Row 3 before row 4: a 2..23-octet request of another version (NAT-PMP's
 *    2-octet request is version 0) gets UNSUPP_VERSION, as §8.2 orders it.
 *  - Row 7 before row 8: "too short for the opcode" needs a known opcode.
 *    Rows 7 and 9 are both header checks; UNSUPP_OPCODE comes first because
 *    an unknown opcode is never processed, whoever sent it.
 *  - Row 11a: RFC 7753 §5.2 asks for all ports of all protocols with
 *    protocol 0, internal port 1 and PORT_SET (size 65535, first internal
 *    port 1), which §11.3 would reject. lw4o6 hands out port sets that
 *    cover every port-aware protocol, so the server accepts exactly that
 *    shape. A PORT_SET of size 1 is "as if PORT_SET were absent" (RFC 7753
 *    §4.2), so it does not qualify.
 *  - §11.1 also allows internal port 0 with a non-zero lifetime ("all
 *    ports", of one protocol or of all): not malformed; whether to grant
 *    it is the allocator's policy. With lifetime 0 (delete), protocol 0 and
 *    any internal port are accepted (§11.3's rule is for non-zero
 *    lifetimes, and §11.1 says the port is then ignored).
 *  - THIRD_PARTY is reported in req->opts; pcp_third_party_check() applies
 *    the caller's policy and §13.1's own-address rule after row 12. With
 *    THIRD_PARTY disabled, a request that also has a later malformed
 *    option gets that option's MALFORMED_OPTION instead of UNSUPP_OPTION:
 *    either is a correct refusal, and it keeps policy out of the codec.
 *  - PORT_SET First Internal Port != MAP Internal Port breaks a client MUST
 *    (RFC 7753 §4) for which no server error is defined; it is accepted, and
 *    the server maps from the MAP Internal Port, which RFC 7753 §4.2 makes
 *    the bound of the internal range anyway. */
#include <string.h>
#include "pcp_msg_priv.h"

static enum pcp_verdict answer(uint8_t *result_code, uint8_t rc)
{
	*result_code = rc;
	return PCP_VERDICT_ERROR;
}

/* Row 11. */
static uint8_t check_map_request(const struct pcp_request *req)
{
	const struct pcp_body *b = &req->body;

	if (req->opcode != PCP_OP_MAP || req->lifetime == 0)
		return PCP_RES_SUCCESS;
	if (b->protocol != 0 || b->internal_port == 0)
		return PCP_RES_SUCCESS;
	if (b->internal_port == 1 && req->opts.has_port_set && req->opts.port_set.size >= 2)
		return PCP_RES_SUCCESS; /* PCPS-19 */
	return PCP_RES_MALFORMED_REQUEST;
}

enum pcp_verdict pcp_server_validate(const uint8_t *buf, size_t len,
				     const struct in6_addr *packet_src, struct pcp_request *req,
				     uint8_t *result_code)
{
	int rc;

	if (!buf || !packet_src || !req || !result_code)
		return PCP_VERDICT_DROP;
	*result_code = PCP_RES_SUCCESS;
	rc = pcp_begin_request(buf, len, req); /* rows 1-8 */
	if (rc == PCP_CHECK_DROP)
		return PCP_VERDICT_DROP;
	if (rc != 0)
		return answer(result_code, (uint8_t)rc);
	if (memcmp(&req->client_addr, packet_src, sizeof(req->client_addr)) != 0)
		return answer(result_code, PCP_RES_ADDRESS_MISMATCH); /* row 9 */
	rc = pcp_parse_options(buf, len, PCP_HEADER_LEN + (size_t)pcp_body_len(req->opcode),
			       req->opcode, req->lifetime, true, &req->opts); /* row 10 */
	if (rc != 0)
		return answer(result_code, (uint8_t)rc);
	rc = check_map_request(req);
	if (rc != 0)
		return answer(result_code, (uint8_t)rc);
	return PCP_VERDICT_PROCESS;
}

/* RFC 6887 §13.1: a server that does not allow THIRD_PARTY answers
 * UNSUPP_OPTION; one that does, and finds the packet's own source address
 * in it, answers MALFORMED_REQUEST. */
uint8_t pcp_third_party_check(const struct pcp_request *req, const struct in6_addr *packet_src,
			      bool allowed)
{
	if (!req || !req->opts.has_third_party)
		return PCP_RES_SUCCESS;
	if (!allowed)
		return PCP_RES_UNSUPP_OPTION;
	if (packet_src && memcmp(&req->opts.third_party_addr, packet_src, sizeof(*packet_src)) == 0)
		return PCP_RES_MALFORMED_REQUEST;
	return PCP_RES_SUCCESS;
}

uint32_t pcp_error_lifetime(uint8_t result)
{
	switch (result) {
	case PCP_RES_NETWORK_FAILURE:
	case PCP_RES_NO_RESOURCES:
	case PCP_RES_USER_EX_QUOTA:
	/* §7.4 leaves it to the cause; ours (a suggested port in use, an
	 * external address not there yet) pass */
	case PCP_RES_CANNOT_PROVIDE_EXTERNAL: return PCP_SHORT_ERROR_LIFETIME;
	default: return PCP_LONG_ERROR_LIFETIME;
	}
}
