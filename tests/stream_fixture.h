/* SPDX-License-Identifier: GPL-2.0 */
/* The importers read their input as a stream (issue 11): the same text
 * handed over in pieces of any size must give the same result, message for
 * message. The importers' tests parse every document of theirs once whole
 * and again in pieces of the sizes below, so that every token, entry and
 * error of those tests also meets a piece boundary. Include after <cmocka.h>
 * and "setup.h". */
#ifndef LW4O6_TESTS_STREAM_FIXTURE_H
#define LW4O6_TESTS_STREAM_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "text_stream.h"

typedef int (*stream_parse_fn)(struct lw_tstream *in, const char *name, struct lw_aftr_setup *out,
			       char *err, size_t errlen);

static const size_t stream_chunks[] = { 1, 2, 3, 7, 64, 4093 };

static void assert_same_setup(const struct lw_aftr_setup *a, const struct lw_aftr_setup *b)
{
	size_t i;

	assert_int_equal(a->n_softwires, b->n_softwires);
	if (a->n_softwires)
		assert_memory_equal(a->softwires, b->softwires,
				    a->n_softwires * sizeof(*a->softwires));
	assert_int_equal(a->n_br_addrs, b->n_br_addrs);
	if (a->n_br_addrs)
		assert_memory_equal(a->br_addrs, b->br_addrs, a->n_br_addrs * sizeof(*a->br_addrs));
	assert_memory_equal(&a->cfg, &b->cfg, sizeof(a->cfg));
	assert_memory_equal(&a->external, &b->external, sizeof(a->external));
	assert_memory_equal(&a->internal, &b->internal, sizeof(a->internal));
	assert_int_equal(a->n_unsupported, b->n_unsupported);
	for (i = 0; i < a->n_unsupported; i++)
		assert_string_equal(a->unsupported[i], b->unsupported[i]);
}

/* Parses len bytes of text whole into *s (the result the caller checks),
 * then in pieces, each of which must agree with it. */
static int parse_in_pieces(stream_parse_fn parse, const char *text, size_t len, const char *name,
			   struct lw_aftr_setup *s, char *err, size_t errlen)
{
	struct lw_tstream in;
	size_t i;
	int ret;

	lw_tstream_mem(&in, text, len, 0);
	ret = parse(&in, name, s, err, errlen);
	lw_tstream_close(&in);
	for (i = 0; i < sizeof(stream_chunks) / sizeof(stream_chunks[0]); i++) {
		struct lw_aftr_setup c;
		char *cerr = calloc(1, errlen ? errlen : 1);
		int r;

		assert_non_null(cerr);
		lw_tstream_mem(&in, text, len, stream_chunks[i]);
		r = parse(&in, name, &c, cerr, errlen);
		lw_tstream_close(&in);
		if (r != ret || (ret && errlen && strcmp(cerr, err)))
			fail_msg("in pieces of %zu bytes: %d \"%s\", whole: %d \"%s\"",
				 stream_chunks[i], r, cerr, ret, ret ? err : "");
		if (!ret)
			assert_same_setup(s, &c);
		lw_setup_free(&c);
		free(cerr);
	}
	return ret;
}

#endif
