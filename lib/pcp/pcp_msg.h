/* SPDX-License-Identifier: GPL-2.0 */
/* PCP version 2 (RFC 6887) with the PORT_SET option (RFC 7753): the wire
 * constants, the parsed form of requests and responses, and the codec.
 *
 *   pcp_decode.c    header and opcode body of requests and responses
 *   pcp_options.c   the option walk (RFC 6887 §7.3) and per-option rules
 *   pcp_validate.c  pcp_server_validate(): the RFC answer to any datagram
 *   pcp_encode.c    requests, responses (success and error), ANNOUNCE
 *   pcp_describe.c  names and the one-line log form
 *
 * Everything here is pure: no I/O, no clock, no global state, and every
 * function accepts any bytes (the fuzz target fuzz/fuzz_pcp_decode.c holds
 * it to that). Multi-octet fields are big-endian on the wire and host order
 * in the structs; addresses stay 16-octet in6_addr, IPv4 as ::ffff:a.b.c.d
 * (RFC 6887 §5). */
#ifndef LW4O6_PCP_MSG_H
#define LW4O6_PCP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#define PCP_VERSION       2    /* RFC 6887 §7.1; 0 is NAT-PMP (RFC 6886) */
#define PCP_HEADER_LEN    24   /* §7.1, §7.2 */
#define PCP_MAX_LEN       1100 /* §7: largest message, in octets */
#define PCP_NONCE_LEN     12   /* §11.1 */
#define PCP_MAP_BODY_LEN  36   /* §11.1 */
#define PCP_PEER_BODY_LEN 56   /* §12.1 */
#define PCP_MAP_LEN       (PCP_HEADER_LEN + PCP_MAP_BODY_LEN)  /* 60 */
#define PCP_PEER_LEN      (PCP_HEADER_LEN + PCP_PEER_BODY_LEN) /* 80 */
#define PCP_R_BIT         0x80 /* second octet: 1 = response (§7.1) */
#define PCP_OPCODE_MASK   0x7f

/* Opcodes (§19.2). */
enum pcp_opcode {
	PCP_OP_ANNOUNCE = 0,
	PCP_OP_MAP = 1,
	PCP_OP_PEER = 2,
};

/* Options (§7.3, §13, §19.4; RFC 7753 §4). Codes below 128 are mandatory
 * to process: a server that does not know one answers UNSUPP_OPTION; codes
 * from 128 up may be ignored. */
enum pcp_option_code {
	PCP_OPT_THIRD_PARTY = 1,
	PCP_OPT_PREFER_FAILURE = 2,
	PCP_OPT_FILTER = 3,
	PCP_OPT_DESCRIPTION = 128, /* RFC 7220; not processed here */
	PCP_OPT_PREFIX64 = 129,    /* RFC 7225; not processed here */
	PCP_OPT_PORT_SET = 130,    /* RFC 7753 */
};
#define PCP_OPT_OPTIONAL_MIN  128
#define PCP_OPTION_HEADER_LEN 4 /* code, reserved, 16-bit length */
/* Option Length of each processed option: the data only, without the header
 * and without the padding to a multiple of 4 (§7.3). */
#define PCP_THIRD_PARTY_LEN    16   /* §13.1 */
#define PCP_PREFER_FAILURE_LEN 0    /* §13.2 */
#define PCP_FILTER_LEN         20   /* §13.3 */
#define PCP_PORT_SET_LEN       5    /* RFC 7753 §4: 12 octets on the wire */
#define PCP_PORT_SET_PARITY    0x01 /* the P bit; the other 7 bits are reserved */

/* Result codes (§7.4). */
enum pcp_result {
	PCP_RES_SUCCESS = 0,
	PCP_RES_UNSUPP_VERSION = 1,
	PCP_RES_NOT_AUTHORIZED = 2,
	PCP_RES_MALFORMED_REQUEST = 3,
	PCP_RES_UNSUPP_OPCODE = 4,
	PCP_RES_UNSUPP_OPTION = 5,
	PCP_RES_MALFORMED_OPTION = 6,
	PCP_RES_NETWORK_FAILURE = 7,
	PCP_RES_NO_RESOURCES = 8,
	PCP_RES_UNSUPP_PROTOCOL = 9,
	PCP_RES_USER_EX_QUOTA = 10,
	PCP_RES_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_RES_ADDRESS_MISMATCH = 12,
	PCP_RES_EXCESSIVE_REMOTE_PEERS = 13,
};

/* The arrays below are sized for the most a 1100-octet message can hold, so
 * that no message is ever cut short: FILTER is MAP-only and takes 24 octets
 * after the 60 of a MAP; the smallest option takes 4 octets after the
 * 24-octet header. */
#define PCP_MAX_FILTERS         ((PCP_MAX_LEN - PCP_MAP_LEN) / (PCP_OPTION_HEADER_LEN + PCP_FILTER_LEN))
#define PCP_MAX_UNKNOWN_OPTIONS ((PCP_MAX_LEN - PCP_HEADER_LEN) / PCP_OPTION_HEADER_LEN)

/* FILTER (§13.3): remote peers allowed to use a MAP mapping. */
struct pcp_filter {
	uint8_t prefix_len;        /* bits of the 128-bit field; IPv4 /p is 96 + p */
	uint16_t remote_peer_port; /* 0 = all ports */
	struct in6_addr remote_peer_addr;
};

/* PORT_SET (RFC 7753 §4). */
struct pcp_port_set {
	uint16_t size;                /* Port Set Size: ports asked for or granted */
	uint16_t first_internal_port; /* request: = MAP Internal Port; response: first mapped */
	bool parity;                  /* P: 1 = preserve parity */
};

/* An option this codec does not process (e.g. DESCRIPTION), kept so that a
 * caller can see it: where its header starts in the message, its code and
 * its Option Length. */
struct pcp_unknown_option {
	uint8_t code;
	uint16_t length;
	uint16_t offset;
};

struct pcp_options {
	bool has_third_party; /* THIRD_PARTY (§13.1): allowing it is the caller's policy */
	struct in6_addr third_party_addr;
	bool prefer_failure; /* PREFER_FAILURE (§13.2) */
	bool has_port_set;
	struct pcp_port_set port_set;
	uint16_t n_filters;
	struct pcp_filter filters[PCP_MAX_FILTERS];
	uint16_t n_unknown;
	struct pcp_unknown_option unknown[PCP_MAX_UNKNOWN_OPTIONS];
};

/* The opcode-specific body of MAP (§11.1) and PEER (§12.1); PEER is MAP's 36
 * octets plus the remote peer. ANNOUNCE has no body. */
struct pcp_body {
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;       /* IANA protocol number; 0 = all protocols */
	uint16_t internal_port; /* 0 = all ports */
	uint16_t external_port; /* suggested (request) / assigned (response) */
	struct in6_addr external_addr;
	uint16_t remote_peer_port;        /* PEER only */
	struct in6_addr remote_peer_addr; /* PEER only */
};

struct pcp_request {
	uint8_t version;
	uint8_t opcode;              /* without the R bit */
	uint32_t lifetime;           /* Requested Lifetime, seconds; 0 = delete */
	struct in6_addr client_addr; /* PCP Client's IP Address */
	struct pcp_body body;
	struct pcp_options opts;
	/* The request as received, up to PCP_MAX_LEN octets: an error response
	 * is a copy of it (§7.3, §8.2), even when it could not be parsed. */
	uint16_t raw_len;
	uint8_t raw[PCP_MAX_LEN];
};

struct pcp_response {
	uint8_t version;
	uint8_t opcode; /* without the R bit */
	uint8_t result;
	uint32_t lifetime; /* granted lifetime, or how long an error lasts (§7.2) */
	uint32_t epoch;    /* Epoch Time (§8.5) */
	bool has_body;     /* false: an error response too short for its opcode */
	struct pcp_body body;
	struct pcp_options opts;
};

/* What the server granted, for a SUCCESS MAP or PEER response. */
struct pcp_map_answer {
	uint16_t external_port;        /* Assigned External Port = first port of the block */
	struct in6_addr external_addr; /* Assigned External IP Address */
	uint16_t port_set_size;        /* ports granted; 0 or 1 = one port, no PORT_SET */
	uint16_t first_internal_port;  /* PORT_SET First Internal Port */
	bool parity;                   /* PORT_SET P bit in the response */
};

/* What the server does with a datagram (see pcp_validate.c for the table). */
enum pcp_verdict {
	PCP_VERDICT_DROP = 0, /* silently dropped, no answer (§8.2) */
	PCP_VERDICT_ERROR,    /* answer with *result_code, a copy of the request */
	PCP_VERDICT_PROCESS,  /* a valid request: the caller decides and answers */
};

/* ---- decoding --------------------------------------------------------- */

/* Parses a request strictly, without the checks that need the packet's
 * source (ADDRESS_MISMATCH) or RFC 6887 §11.3's MAP rules: those are
 * pcp_server_validate()'s. Returns 0 for a well-formed version-2 request,
 * the positive result code a server would answer (UNSUPP_VERSION,
 * MALFORMED_REQUEST, UNSUPP_OPCODE, UNSUPP_OPTION, MALFORMED_OPTION), or
 * -EBADMSG when the datagram is not a request at all (fewer than 2 octets,
 * R set, or a version-2 message shorter than 24 octets). out->raw is filled
 * in every case but the last. */
int pcp_decode_request(const uint8_t *buf, size_t len, struct pcp_request *out);

/* Parses a response as a client must (PCPC-6, RFC 6887 §8.3): 24..1100
 * octets, a multiple of 4, R set. A success needs a known opcode, its whole
 * body and well-formed options: lengths and repeats are checked as in a
 * request, unknown options of any code are kept, not refused (§7.3: clients
 * ignore them), and option semantics (FILTER prefixes, PORT_SET size) are
 * left to the caller. An error response is a copy of the request (§7.3),
 * which may itself be broken: its header is always returned, its body and
 * options only when they parse (has_body false, or no options, otherwise).
 * Returns 0, -EBADMSG, or -EPROTONOSUPPORT for a version other than 2 (then
 * out->version, opcode and result are filled in when 4 octets exist, so
 * that a client can see UNSUPP_VERSION from an older server). */
int pcp_decode_response(const uint8_t *buf, size_t len, struct pcp_response *out);

/* ---- server validation ------------------------------------------------ */

/* The RFC 6887 §8.2 / §7.3 / §11.3 and RFC 7753 §4.2 answer to one
 * datagram, in the RFC's order; see the table in pcp_validate.c. On
 * PCP_VERDICT_ERROR, *result_code is set and pcp_encode_response(req,
 * *result_code, ...) builds the answer; on PCP_VERDICT_PROCESS, req is
 * parsed and *result_code is 0. packet_src is the datagram's source address
 * (IPv4-mapped for IPv4). A NULL argument gives PCP_VERDICT_DROP. */
enum pcp_verdict pcp_server_validate(const uint8_t *buf, size_t len,
				     const struct in6_addr *packet_src, struct pcp_request *req,
				     uint8_t *result_code);

/* THIRD_PARTY is the caller's policy (RFC 6887 §13.1, PCPS-18): call this
 * after PCP_VERDICT_PROCESS. Returns SUCCESS when the request has no
 * THIRD_PARTY or it is allowed and names another host; UNSUPP_OPTION when
 * it is not allowed; MALFORMED_REQUEST when it names packet_src itself. */
uint8_t pcp_third_party_check(const struct pcp_request *req, const struct in6_addr *packet_src,
			      bool allowed);

/* RFC 6887 §7.4: the RECOMMENDED Lifetime of a short-lifetime error (the
 * cause may pass) and of a long-lifetime one (the same request fails again). */
#define PCP_SHORT_ERROR_LIFETIME 30
#define PCP_LONG_ERROR_LIFETIME  1800

/* The Lifetime of an error response by the class §7.4 gives its result
 * (PCPS-4, PCPS-15): short for NETWORK_FAILURE, NO_RESOURCES, USER_EX_QUOTA
 * and CANNOT_PROVIDE_EXTERNAL, long for every other code. NOT_AUTHORIZED
 * for another client's mapping carries that mapping's remaining life
 * instead (§11.3, PCPS-13): the caller's. */
uint32_t pcp_error_lifetime(uint8_t result);

/* ---- encoding ---------------------------------------------------------- */
/* Each returns the message length (a multiple of 4, at most PCP_MAX_LEN),
 * -ENOSPC when cap is too small, -EMSGSIZE when the message would exceed
 * 1100 octets, or -EINVAL for arguments no correct caller passes. */

/* A request from req's opcode (ANNOUNCE, MAP or PEER), lifetime, client
 * address, body and processed options (THIRD_PARTY, PREFER_FAILURE, FILTER,
 * PORT_SET, in that order: PORT_SET last keeps Wireshark's decode right,
 * pcp.md §4). Unknown options and req->raw are not used. */
int pcp_encode_request(const struct pcp_request *req, uint8_t *out, size_t cap);

/* The answer to req.
 * - result != SUCCESS: a copy of the request as received (req->raw, at most
 *   1100 octets, zero-padded to a multiple of 4 and to 24), with version 2,
 *   R, the result code, lifetime, epoch and zeroed reserved fields written
 *   into the header (RFC 6887 §7.3, §8.2, §9). ans is not used. When
 *   req->raw is empty (a request built by hand), the request is encoded
 *   from its fields first.
 * - SUCCESS: a fresh message. MAP and PEER copy nonce, protocol, internal
 *   port (and the remote peer) and take the assigned port and address from
 *   ans (required). Options: THIRD_PARTY, PREFER_FAILURE and FILTER when the
 *   request had them (mandatory options were all processed, or the answer
 *   would be an error); PORT_SET only when ans grants more than one port
 *   (RFC 7753 §4.2, PCPS-8); unknown optional options are left out (§7.3).
 *   Granting a set the request did not ask for, or more ports than asked,
 *   is -EINVAL (RFC 7753 §4.2 MUST NOT). */
int pcp_encode_response(const struct pcp_request *req, uint8_t result, uint32_t lifetime,
			uint32_t epoch, const struct pcp_map_answer *ans, uint8_t *out, size_t cap);

/* An unsolicited ANNOUNCE response (RFC 6887 §14.1.3): 24 octets, opcode 0
 * with R, SUCCESS, lifetime 0, the given epoch. */
int pcp_encode_announce(uint32_t epoch, uint8_t *out, size_t cap);

/* ---- names and logs ---------------------------------------------------- */

/* "SUCCESS" ... "EXCESSIVE_REMOTE_PEERS"; "UNKNOWN_RESULT" otherwise. */
const char *pcp_result_name(uint8_t result);
/* "ANNOUNCE", "MAP", "PEER"; "UNKNOWN_OPCODE" otherwise. */
const char *pcp_opcode_name(uint8_t opcode);

/* One line (no newline) describing any datagram, for logs, e.g.
 *   MAP request lifetime=3600 client=192.0.0.2 nonce=0102030405060708090a0b0c
 *     proto=0 int=1 ext=0.0.0.0:0 PORT_SET=65535/1/P0
 * (on one line). Writes at most cap octets including the NUL and returns
 * out. */
const char *pcp_describe(const uint8_t *buf, size_t len, char *out, size_t cap);

/* ---- addresses (RFC 6887 §5) ------------------------------------------- */

/* ::ffff:a.b.c.d from an IPv4 address in network byte order. */
static inline void pcp_addr_from_ipv4(struct in6_addr *out, uint32_t ipv4_be)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &ipv4_be, 4);
}

/* §5: all of the first 96 bits are checked, not only the ffff. */
static inline bool pcp_addr_is_ipv4_mapped(const struct in6_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->s6_addr, prefix, sizeof(prefix)) == 0;
}

#endif
