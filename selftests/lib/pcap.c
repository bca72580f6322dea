/* SPDX-License-Identifier: GPL-2.0 */
/* Classic pcap reader and writer. The format: a 24-byte file header (magic,
 * version 2.4, thiszone, sigfigs, snaplen, linktype), then per record a
 * 16-byte header (seconds, sub-seconds, captured length, original length)
 * and the captured bytes, all in the writer's byte order. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define FILE_HDR_LEN 24
#define REC_HDR_LEN 16

static int set_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

static uint32_t rd32(const struct pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swapped ? swap32(v) : v;
}

static uint16_t rd16(const struct pcap_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swapped ? swap16(v) : v;
}

/* fread that tells "clean end of file" (0) from "n bytes, then nothing"
 * (-EBADMSG, the caller names what was cut) and from an I/O error (-errno). */
static int read_exact(FILE *f, void *buf, size_t n, size_t *got)
{
	errno = 0;
	*got = fread(buf, 1, n, f);
	if (*got == n)
		return 1;
	if (ferror(f))
		return errno ? -errno : -EIO;
	return *got == 0 ? 0 : -EBADMSG;
}

int pcap_reader_open(struct pcap_reader *r, const char *path)
{
	uint8_t hdr[FILE_HDR_LEN];
	uint32_t magic;
	uint16_t major;
	size_t got;
	int ret;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = fopen(path, "rb");
	if (!r->f) {
		ret = -errno;
		return set_err(r->err, sizeof(r->err), ret, "%s: %s", path, strerror(-ret));
	}
	ret = read_exact(r->f, hdr, sizeof(hdr), &got);
	if (ret < 0 && ret != -EBADMSG) {
		set_err(r->err, sizeof(r->err), ret, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	if (ret <= 0) {
		ret = set_err(r->err, sizeof(r->err), -EBADMSG,
			      "%s: not a pcap file: %zu bytes, shorter than the 24-byte file header",
			      path, got);
		goto fail;
	}

	memcpy(&magic, hdr, 4);
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		r->swapped = false;
	} else if (swap32(magic) == MAGIC_USEC || swap32(magic) == MAGIC_NSEC) {
		r->swapped = true;
		magic = swap32(magic);
	} else {
		ret = set_err(r->err, sizeof(r->err), -EBADMSG,
			      "%s: not a pcap file: magic 0x%08x (pcapng and others are not supported)",
			      path, magic);
		goto fail;
	}
	r->nsec = magic == MAGIC_NSEC;

	major = rd16(r, hdr + 4);
	if (major != 2) {
		ret = set_err(r->err, sizeof(r->err), -ENOTSUP, "%s: pcap version %u.%u, expected 2.x",
			      path, major, rd16(r, hdr + 6));
		goto fail;
	}
	r->snaplen = rd32(r, hdr + 16);
	/* The upper bits of the link-type word may carry FCS information;
	 * the link type itself is the low 16 bits. */
	r->linktype = rd32(r, hdr + 20) & 0xffff;
	if (r->linktype != PCAP_LINKTYPE_ETHERNET) {
		ret = set_err(r->err, sizeof(r->err), -ENOTSUP,
			      "%s: link type %u, only 1 (Ethernet) is supported", path, r->linktype);
		goto fail;
	}
	r->buf = malloc(PCAP_MAX_RECORD);
	if (!r->buf) {
		ret = set_err(r->err, sizeof(r->err), -ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	return 0;

fail:
	fclose(r->f);
	r->f = NULL;
	return ret;
}

int pcap_reader_next(struct pcap_reader *r, struct pcap_record *rec)
{
	unsigned long recno = r->n_records + 1;
	uint8_t hdr[REC_HDR_LEN];
	uint32_t caplen, origlen, sub;
	size_t got;
	int ret;

	if (!r->f)
		return set_err(r->err, sizeof(r->err), -EBADF, "pcap reader is not open");
	ret = read_exact(r->f, hdr, sizeof(hdr), &got);
	if (ret == 0)
		return 0;
	if (ret == -EBADMSG)
		return set_err(r->err, sizeof(r->err), ret,
			       "%s: record %lu: header cut short (%zu of 16 bytes): file truncated",
			       r->path, recno, got);
	if (ret < 0)
		return set_err(r->err, sizeof(r->err), ret, "%s: record %lu: %s", r->path, recno,
			       strerror(-ret));

	caplen = rd32(r, hdr + 8);
	origlen = rd32(r, hdr + 12);
	if (caplen > PCAP_MAX_RECORD)
		return set_err(r->err, sizeof(r->err), -EBADMSG,
			       "%s: record %lu: captured length %u is garbage (limit %u)", r->path,
			       recno, caplen, PCAP_MAX_RECORD);
	if (origlen < caplen)
		return set_err(r->err, sizeof(r->err), -EBADMSG,
			       "%s: record %lu: captured length %u exceeds original length %u",
			       r->path, recno, caplen, origlen);

	ret = read_exact(r->f, r->buf, caplen, &got);
	if (caplen && ret <= 0) {
		if (ret == 0 || ret == -EBADMSG)
			return set_err(r->err, sizeof(r->err), -EBADMSG,
				       "%s: record %lu: data cut short (%zu of %u bytes): file truncated",
				       r->path, recno, got, caplen);
		return set_err(r->err, sizeof(r->err), ret, "%s: record %lu: %s", r->path, recno,
			       strerror(-ret));
	}

	sub = rd32(r, hdr + 4);
	rec->data = r->buf;
	rec->caplen = caplen;
	rec->origlen = origlen;
	rec->ts_sec = rd32(r, hdr);
	rec->ts_nsec = r->nsec ? sub : sub * 1000u;
	r->n_records++;
	return 1;
}

void pcap_reader_close(struct pcap_reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->buf);
	r->f = NULL;
	r->buf = NULL;
}

int pcap_writer_create(struct pcap_writer *w, const char *path, unsigned int flags)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr;
	int ret;

	memset(w, 0, sizeof(*w));
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->nsec = flags & PCAP_WRITE_NSEC;
	w->f = fopen(path, "wb");
	if (!w->f) {
		ret = -errno;
		return set_err(w->err, sizeof(w->err), ret, "%s: %s", path, strerror(-ret));
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = w->nsec ? MAGIC_NSEC : MAGIC_USEC;
	hdr.major = 2;
	hdr.minor = 4;
	hdr.snaplen = PCAP_MAX_RECORD;
	hdr.linktype = PCAP_LINKTYPE_ETHERNET;
	_Static_assert(sizeof(hdr) == FILE_HDR_LEN, "pcap file header layout");
	if (fwrite(&hdr, sizeof(hdr), 1, w->f) != 1) {
		ret = errno ? -errno : -EIO;
		fclose(w->f);
		w->f = NULL;
		return set_err(w->err, sizeof(w->err), ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

int pcap_writer_add(struct pcap_writer *w, const void *frame, uint32_t len, uint32_t ts_sec,
		    uint32_t ts_nsec)
{
	uint32_t rec[4];
	int ret;

	if (!w->f)
		return set_err(w->err, sizeof(w->err), -EBADF, "pcap writer is not open");
	if (len > PCAP_MAX_RECORD)
		return set_err(w->err, sizeof(w->err), -EMSGSIZE,
			       "%s: frame of %u bytes exceeds the snap length %u", w->path, len,
			       PCAP_MAX_RECORD);
	rec[0] = ts_sec;
	rec[1] = w->nsec ? ts_nsec : ts_nsec / 1000u;
	rec[2] = len;
	rec[3] = len;
	if (fwrite(rec, sizeof(rec), 1, w->f) != 1 || (len && fwrite(frame, len, 1, w->f) != 1)) {
		ret = errno ? -errno : -EIO;
		return set_err(w->err, sizeof(w->err), ret, "%s: record %lu: %s", w->path,
			       w->n_records + 1, strerror(-ret));
	}
	w->n_records++;
	return 0;
}

int pcap_writer_close(struct pcap_writer *w)
{
	int ret = 0;

	if (!w->f)
		return 0;
	if (fclose(w->f) != 0) {
		ret = errno ? -errno : -EIO;
		set_err(w->err, sizeof(w->err), ret, "%s: closing: %s", w->path, strerror(-ret));
	}
	w->f = NULL;
	return ret;
}
