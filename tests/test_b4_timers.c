/* SPDX-License-Identifier: GPL-2.0 */
/* lwB4 pure logic: port-set validity and the mapping timers that
 * lw_b4_expire() enforces (B4-NAT-5, B4-NAT-7, B4-NAT-8, B4-NAT-14), and
 * the lifetime of explicit (PCP) mappings (PCPC-12, RFC 6887 §15). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "b4_maps.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)

static void test_portset_valid(void **state)
{
	struct lw_b4_portset ok1 = { .first = 1024, .size = 1024 };
	struct lw_b4_portset ok2 = { .first = 0, .size = 65536 };
	struct lw_b4_portset ok3 = { .first = 2049, .size = 1 };
	struct lw_b4_portset not_pow2 = { .first = 1024, .size = 1000 };
	struct lw_b4_portset unaligned = { .first = 1000, .size = 1024 };
	struct lw_b4_portset empty = { .first = 0, .size = 0 };
	struct lw_b4_portset too_big = { .first = 0, .size = 131072 };

	assert_true(lw_b4_portset_valid(&ok1));
	assert_true(lw_b4_portset_valid(&ok2));
	assert_true(lw_b4_portset_valid(&ok3));
	assert_false(lw_b4_portset_valid(&not_pow2));
	assert_false(lw_b4_portset_valid(&unaligned));
	assert_false(lw_b4_portset_valid(&empty));
	assert_false(lw_b4_portset_valid(&too_big));
}

static void test_timeouts(void **state)
{
	struct lw_b4_config cfg;

	lw_b4_config_init(&cfg);
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 17, 0), S(300));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 1, 0), S(60));
	/* transitory until SYN seen both ways; established after */
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, LW_B4_TCP_SYN_OUT), S(240));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN),
			 S(7440));
	/* a half-close stays established; FIN both ways or RST: transitory
	 * (RFC 7857 §2.2: an RST keeps the state 4 min) */
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN |
						  LW_B4_TCP_FIN_OUT), S(7440));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN |
						  LW_B4_TCP_FIN_OUT | LW_B4_TCP_FIN_IN), S(240));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN |
						  LW_B4_TCP_RST), S(240));
	cfg.udp_timeout = 120;
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 17, 0), S(120));
}

/* B4-NAT-7/8 (RFC 5382 REQ-5, RFC 7857 §2, §2.2): every combination of
 * the state bits that matters → connection class → timeout class. */
static void test_tcp_state_table(void **state)
{
	enum { SO = LW_B4_TCP_SYN_OUT, SI = LW_B4_TCP_SYN_IN, FO = LW_B4_TCP_FIN_OUT,
	       FI = LW_B4_TCP_FIN_IN, R = LW_B4_TCP_RST };
	static const struct {
		uint8_t bits;
		enum lw_b4_tcp_class cls;
		uint32_t timeout; /* with the default timers */
	} t[] = {
		{ 0,                 LW_B4_TCP_OPENING,     240 },  /* mid-stream, no SYN seen */
		{ SO,                LW_B4_TCP_OPENING,     240 },  /* outbound SYN, no answer */
		{ SI,                LW_B4_TCP_OPENING,     240 },  /* inbound SYN only */
		{ SO | SI,           LW_B4_TCP_ESTABLISHED, 7440 }, /* SYN/ACK or simultaneous open */
		{ SO | SI | FO,      LW_B4_TCP_ESTABLISHED, 7440 }, /* half-closed by the LAN host */
		{ SO | SI | FI,      LW_B4_TCP_ESTABLISHED, 7440 }, /* half-closed by the remote */
		{ SO | SI | FO | FI, LW_B4_TCP_CLOSING,     240 },  /* FIN both ways */
		{ SO | FO | FI,      LW_B4_TCP_CLOSING,     240 },
		{ FO | FI,           LW_B4_TCP_CLOSING,     240 },
		{ SO | R,            LW_B4_TCP_RESET,       240 },  /* refused */
		{ SO | SI | R,       LW_B4_TCP_RESET,       240 },  /* reset while established */
		{ SO | SI | FO | R,  LW_B4_TCP_RESET,       240 },
		{ SO | SI | FO | FI | R, LW_B4_TCP_RESET,   240 },
		{ R,                 LW_B4_TCP_RESET,       240 },
	};
	struct lw_b4_config cfg;

	lw_b4_config_init(&cfg);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(lw_b4_tcp_classify(t[i].bits), t[i].cls);
		assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, t[i].bits), S(t[i].timeout));
	}
	/* the classes follow the configured timers, not the defaults */
	cfg.tcp_est_timeout = 9000;
	cfg.tcp_trans_timeout = 300;
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, SO | SI), S(9000));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, SO | SI | R), S(300));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 6, SO | SI | FO | FI), S(300));
	/* UDP and ICMP ignore the bits */
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 17, SO | SI), S(cfg.udp_timeout));
	assert_int_equal(lw_b4_session_timeout_ns(&cfg, 1, R), S(cfg.icmp_timeout));
}

/* RFC 7857 §2.2: an RST leaves the mapping for the transitory timer; it is
 * expired 240 s after the last packet, not before. */
static void test_rst_kept(void **state)
{
	struct lw_b4_config cfg;
	struct lw_b4_session s = { .last_out_ns = S(1000), .last_in_ns = S(1010),
				   .tcp_state = LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_RST };

	lw_b4_config_init(&cfg);
	assert_false(lw_b4_session_expired(&cfg, 6, &s, S(1010)));
	assert_false(lw_b4_session_expired(&cfg, 6, &s, S(1250)));
	assert_true(lw_b4_session_expired(&cfg, 6, &s, S(1250) + 1));
}

static void test_expired(void **state)
{
	struct lw_b4_config cfg;
	struct lw_b4_session s = { .last_out_ns = S(1000) };

	lw_b4_config_init(&cfg);
	assert_false(lw_b4_session_expired(&cfg, 17, &s, S(1300)));
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(1300) + 1));
	assert_false(lw_b4_session_expired(&cfg, 17, &s, S(10))); /* clock before last use */
	/* UDP: inbound does not refresh (RFC 7857 §7) */
	s.last_in_ns = S(1200);
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(1400)));
	/* TCP: inbound packets are connection state */
	s.tcp_state = LW_B4_TCP_SYN_OUT;
	assert_false(lw_b4_session_expired(&cfg, 6, &s, S(1400)));
	assert_true(lw_b4_session_expired(&cfg, 6, &s, S(1441)));
}

/* RFC 6887 §15 (PCPC-12): an explicit mapping lives until pcp_until_ns,
 * whatever its traffic: not before, even idle far past its idle timer, and
 * at that time even if used a moment ago. */
static void test_expired_explicit(void **state)
{
	struct lw_b4_config cfg;
	struct lw_b4_session s = { .last_out_ns = S(1000), .pcp_kind = LW_B4_PCP_MAP,
				   .pcp_until_ns = S(5000) };

	lw_b4_config_init(&cfg);
	/* UDP idle 300 s at 1300 s: a dynamic mapping would be gone */
	assert_false(lw_b4_session_expired(&cfg, 17, &s, S(1301)));
	assert_false(lw_b4_session_expired(&cfg, 17, &s, S(5000) - 1));
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(5000)));
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(9000)));
	/* used just before the end: still ends at until */
	s.last_out_ns = S(4999);
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(5000)));
	/* TCP, PEER: the same rule, state bits and inbound packets aside */
	s.pcp_kind = LW_B4_PCP_PEER;
	s.tcp_state = LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_RST;
	s.last_out_ns = S(100);
	s.last_in_ns = S(100);
	assert_false(lw_b4_session_expired(&cfg, 6, &s, S(4999)));
	assert_true(lw_b4_session_expired(&cfg, 6, &s, S(5000)));
	/* the clock before the mapping's last use changes nothing */
	s.last_out_ns = S(6000);
	assert_true(lw_b4_session_expired(&cfg, 6, &s, S(5500)));
	/* pcp_until_ns 0: dynamic, the idle timers again */
	s.pcp_until_ns = 0;
	s.pcp_kind = LW_B4_PCP_NONE;
	s.tcp_state = 0;
	s.last_out_ns = S(1000);
	s.last_in_ns = 0;
	assert_true(lw_b4_session_expired(&cfg, 17, &s, S(1301)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_portset_valid),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_tcp_state_table),
		cmocka_unit_test(test_rst_kept),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_expired_explicit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
