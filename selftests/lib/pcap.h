/* SPDX-License-Identifier: GPL-2.0 */
/* Classic libpcap files without libpcap: enough to read Snabb's test captures
 * and to dump what the data plane produced for Wireshark.
 *
 * Read: magic 0xa1b2c3d4 (microsecond) or 0xa1b23c4d (nanosecond) timestamps,
 * in either byte order, version 2.x, link type 1 (Ethernet).
 * Write: microsecond or nanosecond, host byte order, link type 1.
 *
 * Errors are negative errno values with a sentence in ->err naming the file
 * and, for records, the record number (1-based, as Wireshark counts):
 *   -errno from the OS   the file could not be opened, read or written
 *   -EBADMSG             not a pcap file, or a header or record cut short
 *   -ENOTSUP             a pcap file, but not a kind this reader handles */
#ifndef LW4O6_TEST_PCAP_H
#define LW4O6_TEST_PCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAP_LINKTYPE_ETHERNET 1
/* Records larger than this are treated as garbage rather than allocated. */
#define PCAP_MAX_RECORD (256 * 1024)

struct pcap_record {
	const uint8_t *data; /* valid until the next pcap_reader_next() */
	uint32_t caplen;     /* bytes in data */
	uint32_t origlen;    /* length on the wire; more than caplen if cut */
	uint32_t ts_sec;
	uint32_t ts_nsec;    /* converted to nanoseconds for both formats */
};

struct pcap_reader {
	FILE *f;
	bool swapped;        /* file written in the other byte order */
	bool nsec;           /* nanosecond timestamps */
	uint32_t snaplen;
	uint32_t linktype;
	unsigned long n_records; /* records returned so far */
	uint8_t *buf;
	char path[128];      /* for messages; cut if longer */
	char err[384];
};

struct pcap_writer {
	FILE *f;
	bool nsec;
	unsigned long n_records;
	char path[128];
	char err[384];
};

/* Opens path and checks the file header. On failure nothing stays open. */
int pcap_reader_open(struct pcap_reader *r, const char *path);
/* Reads the next record: 1 and *rec filled, 0 at a clean end of file, or a
 * negative errno (a record cut short, or a record length that is garbage). */
int pcap_reader_next(struct pcap_reader *r, struct pcap_record *rec);
void pcap_reader_close(struct pcap_reader *r);

enum {
	PCAP_WRITE_NSEC = 1 << 0, /* nanosecond timestamps (magic 0xa1b23c4d) */
};

/* Creates (truncates) path and writes the file header; flags PCAP_WRITE_*. */
int pcap_writer_create(struct pcap_writer *w, const char *path, unsigned int flags);
/* Appends one frame. ts_sec/ts_nsec may be zero: tests rarely care. */
int pcap_writer_add(struct pcap_writer *w, const void *frame, uint32_t len, uint32_t ts_sec,
		    uint32_t ts_nsec);
/* Flushes and closes; reports a write error that fclose() surfaced. */
int pcap_writer_close(struct pcap_writer *w);

#endif
