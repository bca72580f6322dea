/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the pcp_*.c files: the parsing stages that
 * pcp_decode_request() and pcp_server_validate() run in the RFC's order
 * (field access is lib/net's net_bytes.h). Not for other users. */
#ifndef LW4O6_PCP_MSG_PRIV_H
#define LW4O6_PCP_MSG_PRIV_H

#include "net_bytes.h"
#include "pcp_msg.h"

/* Returned by pcp_check_request_header() for a datagram that gets no answer. */
#define PCP_CHECK_DROP (-1)

/* Option data is padded with zeros to a multiple of 4 (§7.3). */
static inline size_t pcp_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Opcode body length, or -1 for an opcode this codec does not support. */
int pcp_body_len(uint8_t opcode);

/* §8.2 up to the opcode: PCP_CHECK_DROP, 0, or UNSUPP_VERSION,
 * MALFORMED_REQUEST, UNSUPP_OPCODE. */
int pcp_check_request_header(const uint8_t *buf, size_t len);

/* Reads the common header fields at buf[0..7] (version, opcode, and
 * lifetime for requests) and the opcode body at buf[24..] into body; the
 * caller has checked that the body fits. */
void pcp_read_body(const uint8_t *buf, uint8_t opcode, struct pcp_body *body);

/* Walks the options of a message of len octets from offset start (§7.3).
 * For a request (is_request), returns 0 or the result code of the first
 * option that fails, in the order received: MALFORMED_OPTION,
 * UNSUPP_OPTION. For a response, returns 0 or MALFORMED_OPTION, keeps
 * unknown options of every code and does not check which opcode an option
 * belongs to. lifetime is the request's: RFC 7753 §4.2's PORT_SET rules
 * apply to non-zero lifetimes only. */
int pcp_parse_options(const uint8_t *buf, size_t len, size_t start, uint8_t opcode,
		      uint32_t lifetime, bool is_request, struct pcp_options *opts);

/* Shared first steps of pcp_decode_request() and pcp_server_validate():
 * zeroes out, keeps the raw copy, checks the header and reads the fixed
 * part. Returns what pcp_check_request_header() returned. */
int pcp_begin_request(const uint8_t *buf, size_t len, struct pcp_request *out);

#endif
