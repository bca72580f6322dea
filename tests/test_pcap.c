/* SPDX-License-Identifier: GPL-2.0 */
/* pcap reader and writer: Snabb's captures, round trips, both byte orders,
 * and the errors a truncated or foreign file must produce. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pcap.h"

#define SNABB_DATA LW4O6_DATA_DIR "/snabb-lwaftr/tests/data"

/* A temporary file name, removed again by the test that made it. */
static void tmp_path(char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/lw4o6-test-pcap-XXXXXX");
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Copies the first len bytes of src to dst. */
static void copy_prefix(const char *src, const char *dst, size_t len)
{
	uint8_t buf[4096];
	FILE *f = fopen(src, "rb");

	assert_non_null(f);
	assert_true(len <= sizeof(buf));
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	write_file(dst, buf, len);
}

static void test_reads_snabb_tcp_frominet_bound(void **state)
{
	struct pcap_reader r;
	struct pcap_record rec;

	(void)state;
	assert_int_equal(pcap_reader_open(&r, SNABB_DATA "/tcp-frominet-bound.pcap"), 0);
	assert_false(r.nsec);
	assert_int_equal(r.linktype, 1);
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.caplen, 66);
	assert_int_equal(rec.origlen, 66);
	/* EtherType IPv4, IPv4 destination 178.79.150.233 (b2 4f 96 e9). */
	assert_int_equal(rec.data[12], 0x08);
	assert_int_equal(rec.data[13], 0x00);
	assert_int_equal(rec.data[30], 178);
	assert_int_equal(rec.data[31], 79);
	assert_int_equal(rec.data[32], 150);
	assert_int_equal(rec.data[33], 233);
	/* tcpdump prints the record at 16:31:28.176517 UTC (2014-08-28). */
	assert_int_equal(rec.ts_sec, 1409243488u);
	assert_int_equal(rec.ts_nsec, 176517000u);
	assert_int_equal(pcap_reader_next(&r, &rec), 0);
	assert_int_equal(r.n_records, 1);
	pcap_reader_close(&r);
}

static void test_reads_empty_snabb_pcap(void **state)
{
	struct pcap_reader r;
	struct pcap_record rec;

	(void)state;
	assert_int_equal(pcap_reader_open(&r, SNABB_DATA "/empty.pcap"), 0);
	assert_int_equal(pcap_reader_next(&r, &rec), 0);
	assert_int_equal(r.n_records, 0);
	pcap_reader_close(&r);
}

static void round_trip(unsigned int flags)
{
	static const uint8_t a[] = { 0xde, 0xad, 0xbe, 0xef };
	static uint8_t b[1514];
	struct pcap_writer w;
	struct pcap_reader r;
	struct pcap_record rec;
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7);
	tmp_path(path, sizeof(path));
	assert_int_equal(pcap_writer_create(&w, path, flags), 0);
	assert_int_equal(pcap_writer_add(&w, a, sizeof(a), 100, 123456789), 0);
	assert_int_equal(pcap_writer_add(&w, b, sizeof(b), 101, 999), 0);
	assert_int_equal(pcap_writer_add(&w, NULL, 0, 102, 0), 0);
	assert_int_equal(pcap_writer_close(&w), 0);

	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_int_equal(r.nsec, (flags & PCAP_WRITE_NSEC) != 0);
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.caplen, 4);
	assert_memory_equal(rec.data, a, sizeof(a));
	assert_int_equal(rec.ts_sec, 100);
	/* Microsecond files keep 123456 us of the 123456789 ns. */
	assert_int_equal(rec.ts_nsec, flags & PCAP_WRITE_NSEC ? 123456789u : 123456000u);
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.caplen, 1514);
	assert_int_equal(rec.origlen, 1514);
	assert_memory_equal(rec.data, b, sizeof(b));
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.caplen, 0);
	assert_int_equal(rec.ts_sec, 102);
	assert_int_equal(pcap_reader_next(&r, &rec), 0);
	pcap_reader_close(&r);
	unlink(path);
}

static void test_round_trip_microseconds(void **state)
{
	(void)state;
	round_trip(0);
}

static void test_round_trip_nanoseconds(void **state)
{
	(void)state;
	round_trip(PCAP_WRITE_NSEC);
}

static void test_reads_big_endian_files(void **state)
{
	/* Written out by hand in big-endian order: magic, version 2.4, zone 0,
	 * sigfigs 0, snaplen 65535, link type 1; one record at 7 s + 5 units,
	 * 3 bytes. The same file with the nanosecond magic a1 b2 3c 4d. */
	uint8_t file[] = {
		0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x40, 0xaa, 0xbb, 0xcc,
	};
	struct pcap_reader r;
	struct pcap_record rec;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	write_file(path, file, sizeof(file));
	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_true(r.swapped == (*(const uint8_t *)&(uint16_t){ 1 } == 1));
	assert_int_equal(r.snaplen, 65535);
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.caplen, 3);
	assert_int_equal(rec.origlen, 64);
	assert_int_equal(rec.ts_sec, 7);
	assert_int_equal(rec.ts_nsec, 5000);
	assert_int_equal(rec.data[0], 0xaa);
	assert_int_equal(rec.data[2], 0xcc);
	pcap_reader_close(&r);

	file[2] = 0x3c;
	file[3] = 0x4d;
	write_file(path, file, sizeof(file));
	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_true(r.nsec);
	assert_int_equal(pcap_reader_next(&r, &rec), 1);
	assert_int_equal(rec.ts_nsec, 5);
	pcap_reader_close(&r);
	unlink(path);
}

static void test_truncated_record_data_is_an_error(void **state)
{
	struct pcap_reader r;
	struct pcap_record rec;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	/* 24 + 16 + 66 bytes in the original; keep 24 + 16 + 50. */
	copy_prefix(SNABB_DATA "/tcp-frominet-bound.pcap", path, 90);
	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_int_equal(pcap_reader_next(&r, &rec), -EBADMSG);
	assert_non_null(strstr(r.err, "record 1: data cut short (50 of 66 bytes)"));
	pcap_reader_close(&r);
	unlink(path);
}

static void test_truncated_record_header_is_an_error(void **state)
{
	struct pcap_reader r;
	struct pcap_record rec;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	copy_prefix(SNABB_DATA "/tcp-frominet-bound.pcap", path, 24 + 8);
	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_int_equal(pcap_reader_next(&r, &rec), -EBADMSG);
	assert_non_null(strstr(r.err, "record 1: header cut short (8 of 16 bytes)"));
	pcap_reader_close(&r);
	unlink(path);
}

static void test_short_and_garbage_files_are_not_pcap(void **state)
{
	static const char text[] = "this is a text file, not a capture";
	struct pcap_reader r;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	copy_prefix(SNABB_DATA "/tcp-frominet-bound.pcap", path, 10);
	assert_int_equal(pcap_reader_open(&r, path), -EBADMSG);
	assert_non_null(strstr(r.err, "shorter than the 24-byte file header"));
	assert_null(r.f);

	write_file(path, text, sizeof(text));
	assert_int_equal(pcap_reader_open(&r, path), -EBADMSG);
	assert_non_null(strstr(r.err, "not a pcap file: magic 0x"));
	assert_null(r.f);
	unlink(path);
}

static void test_garbage_record_length_is_an_error(void **state)
{
	static const uint8_t file[] = {
		0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f,
	};
	struct pcap_reader r;
	struct pcap_record rec;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	write_file(path, file, sizeof(file));
	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_int_equal(pcap_reader_next(&r, &rec), -EBADMSG);
	assert_non_null(strstr(r.err, "captured length 2147483647 is garbage"));
	pcap_reader_close(&r);
	unlink(path);
}

static void test_other_link_types_are_refused(void **state)
{
	/* Little-endian, link type 113 (Linux cooked capture). */
	static const uint8_t file[] = {
		0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0x00, 0x00, 0x71, 0x00, 0x00, 0x00,
	};
	struct pcap_reader r;
	char path[64];

	(void)state;
	tmp_path(path, sizeof(path));
	write_file(path, file, sizeof(file));
	assert_int_equal(pcap_reader_open(&r, path), -ENOTSUP);
	assert_non_null(strstr(r.err, "link type 113"));
	unlink(path);
}

static void test_missing_file_reports_errno(void **state)
{
	struct pcap_reader r;

	(void)state;
	assert_int_equal(pcap_reader_open(&r, "/nonexistent/lw4o6.pcap"), -ENOENT);
	assert_non_null(strstr(r.err, "/nonexistent/lw4o6.pcap"));
	pcap_reader_close(&r); /* harmless after a failed open */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_snabb_tcp_frominet_bound),
		cmocka_unit_test(test_reads_empty_snabb_pcap),
		cmocka_unit_test(test_round_trip_microseconds),
		cmocka_unit_test(test_round_trip_nanoseconds),
		cmocka_unit_test(test_reads_big_endian_files),
		cmocka_unit_test(test_truncated_record_data_is_an_error),
		cmocka_unit_test(test_truncated_record_header_is_an_error),
		cmocka_unit_test(test_short_and_garbage_files_are_not_pcap),
		cmocka_unit_test(test_garbage_record_length_is_an_error),
		cmocka_unit_test(test_other_link_types_are_refused),
		cmocka_unit_test(test_missing_file_reports_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
