// SPDX-License-Identifier: GPL-2.0
/* The checker's own reading of frames. Written from the RFCs, not from
 * bpf/common/parse.h: where the programs and this file disagree about what a
 * packet says, one of them is wrong, and the fuzzer is there to find out
 * which. Everything is bounded by what the packet itself declares (the IPv4
 * Total Length, the IPv6 Payload Length), not by the frame's end. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "csum_ref.h"
#include "wire.h"
#include "mutate.h"

#define TPID_8021Q  0x8100
#define TPID_8021AD 0x88a8
#define MAX_TAGS 4

void view_l2(const uint8_t *f, size_t len, struct l2view *v)
{
	size_t type_at = 12;
	uint16_t type;

	memset(v, 0, sizeof(*v));
	if (len < 14)
		return;
	type = get_be16(f + type_at);
	v->on_side = true;
	while (type == TPID_8021Q || type == TPID_8021AD) {
		/* a tag puts the frame on a VLAN of the link, except one
		 * 802.1Q priority tag (VID 0), which is the untagged link */
		if (v->tags > 0 || type != TPID_8021Q || (get_be16(f + type_at + 2) & 0x0fff))
			v->on_side = false;
		if (++v->tags > MAX_TAGS || type_at + 6 > len)
			return;
		type_at += 4;
		type = get_be16(f + type_at);
	}
	v->type = type;
	v->l3 = type_at + 2;
	v->ok = true;
}

void view_v4(const uint8_t *h, size_t avail, struct v4view *v)
{
	memset(v, 0, sizeof(*v));
	v->h = h;
	v->avail = avail;
	if (avail < 20 || h[0] >> 4 != 4)
		return;
	v->present = true;
	v->ihl = (h[0] & 0x0fu) * 4;
	v->tos = h[1];
	v->tot = get_be16(h + 2);
	v->frag = get_be16(h + 6) & 0x3fff;
	v->ttl = h[8];
	v->proto = h[9];
	memcpy(&v->src, h + 12, 4);
	memcpy(&v->dst, h + 16, 4);
	v->sane = v->ihl >= 20 && v->ihl <= v->tot && v->tot <= avail;
	v->hdr_csum_ok = v->ihl >= 20 && v->ihl <= avail && ref_csum(h, v->ihl) == 0;
}

bool v4_acceptable(const struct v4view *v)
{
	return v->present && v->sane && v->hdr_csum_ok;
}

/* The quoted packet of an ICMP error: q, qlen bytes of it inside the
 * error's Total Length. */
static void view_quote(const uint8_t *q, size_t qlen, struct flow *fl)
{
	unsigned qihl;

	if (qlen < 20) {
		fl->port_cut = true; /* the port would be in the quote */
		return;
	}
	if (q[0] >> 4 != 4 || (q[0] & 0x0f) < 5)
		return; /* not an IPv4 packet: no port to find */
	fl->q_ok = true;
	qihl = (q[0] & 0x0fu) * 4;
	fl->qproto = q[9];
	memcpy(&fl->qsrc, q + 12, 4);
	memcpy(&fl->qdst, q + 16, 4);
	if (get_be16(q + 6) & 0x1fff) {
		fl->q_later_fragment = true; /* mid-datagram bytes, no header */
		return;
	}
	if (fl->qproto == IPPROTO_TCP || fl->qproto == IPPROTO_UDP) {
		if (qihl + 4 > qlen) {
			fl->port_cut = true;
			return;
		}
		fl->has_port = true;
		fl->sport = get_be16(q + qihl);
		fl->dport = get_be16(q + qihl + 2);
	} else if (fl->qproto == IPPROTO_ICMP) {
		if (qihl + 6 > qlen) {
			fl->port_cut = true;
			return;
		}
		if (q[qihl] == 0 || q[qihl] == 8) {
			fl->has_port = true;
			fl->sport = fl->dport = get_be16(q + qihl + 4);
		}
	}
}

void view_flow(const struct v4view *v, struct flow *fl)
{
	const uint8_t *l4;
	size_t seg;

	memset(fl, 0, sizeof(*fl));
	fl->kind = FLOW_OTHER;
	if (!v->present || !v->sane) {
		fl->port_cut = v->present;
		return;
	}
	if (v->frag & 0x1fff)
		return; /* a later fragment has no transport header */
	l4 = v->h + v->ihl;
	seg = v->tot - v->ihl;
	switch (v->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		fl->kind = FLOW_PORTS;
		if (seg < 4) {
			fl->port_cut = true;
			return;
		}
		fl->has_port = true;
		fl->sport = get_be16(l4);
		fl->dport = get_be16(l4 + 2);
		return;
	case IPPROTO_ICMP:
		if (seg < 1) {
			fl->port_cut = true;
			return;
		}
		fl->icmp_type = l4[0];
		if (l4[0] == 0 || l4[0] == 8) {
			fl->kind = FLOW_ECHO;
			if (seg < 6) {
				fl->port_cut = true;
				return;
			}
			fl->has_port = true;
			fl->sport = fl->dport = get_be16(l4 + 4);
		} else if (l4[0] == 3 || l4[0] == 11 || l4[0] == 12) {
			fl->kind = FLOW_ERROR;
			view_quote(l4 + 8, seg > 8 ? seg - 8 : 0, fl);
		}
		return;
	}
}

void view_v6(const uint8_t *h, size_t avail, struct v6view *v)
{
	size_t off = 40, hlen;
	uint8_t nh;

	memset(v, 0, sizeof(*v));
	v->h = h;
	v->avail = avail;
	if (avail < 40 || h[0] >> 4 != 6)
		return;
	v->present = true;
	v->end = 40 + (size_t)get_be16(h + 4);
	v->whole = v->end <= avail;
	if (!v->whole)
		v->end = avail;
	nh = h[6];
	for (int i = 0; i < 64; i++) {
		if (nh == IPPROTO_IPIP) {
			v->ipip_anywhere = v->ipip = true;
			v->inner = off;
			break;
		}
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_FRAGMENT)
			break;
		if (off + 8 > v->end) {
			v->cut = true;
			break;
		}
		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			v->via_fragment = true;
		} else {
			hlen = ((size_t)h[off + 1] + 1) * 8;
			if (nh == IPPROTO_ROUTING && h[off + 3] != 0)
				v->via_routing = true;
		}
		if (off + hlen > v->end) {
			v->cut = true;
			break;
		}
		nh = h[off];
		off += hlen;
	}
	v->last_nh = nh;
}

enum csum_state v4_l4_csum(const struct v4view *v)
{
	const uint8_t *l4 = v->h + v->ihl;
	size_t seg, ulen;
	uint32_t acc;

	if (!v->present || !v->sane || v->frag)
		return CS_NA;
	seg = v->tot - v->ihl;
	switch (v->proto) {
	case IPPROTO_TCP:
		if (seg < 18)
			return CS_NA;
		acc = ref_pseudo_ipv4(v->src, v->dst, IPPROTO_TCP, (uint16_t)seg);
		return ref_fold(ref_sum_partial(l4, seg, acc)) == 0xffff ? CS_OK : CS_BAD;
	case IPPROTO_UDP:
		if (seg < 8)
			return CS_NA;
		ulen = get_be16(l4 + 4);
		if (ulen < 8 || ulen > seg || get_be16(l4 + 6) == 0)
			return CS_NA;
		acc = ref_pseudo_ipv4(v->src, v->dst, IPPROTO_UDP, (uint16_t)ulen);
		return ref_fold(ref_sum_partial(l4, ulen, acc)) == 0xffff ? CS_OK : CS_BAD;
	case IPPROTO_ICMP:
		if (seg < 4)
			return CS_NA;
		return ref_fold(ref_sum_partial(l4, seg, 0)) == 0xffff ? CS_OK : CS_BAD;
	}
	return CS_NA;
}

const char *l4_cut_hint(const struct v4view *v, char *buf, size_t len)
{
	size_t seg = v->tot - v->ihl, trail = v->avail - v->tot;
	const uint8_t *l4 = v->h + v->ihl;

	buf[0] = '\0';
	if (v->proto == IPPROTO_TCP && seg >= 13 && (size_t)(l4[12] >> 4) * 4 > seg)
		snprintf(buf, len, " (TCP header of %u bytes, %zu in the Total Length; %zu trail)",
			 (l4[12] >> 4) * 4, seg, trail);
	else if (v->proto == IPPROTO_ICMP && seg >= 1 && (l4[0] == 3 || l4[0] == 11 || l4[0] == 12))
		snprintf(buf, len, " (an ICMP error, its quote cut at %zu bytes; %zu bytes trail)",
			 seg > 8 ? seg - 8 : 0, trail);
	else if (trail)
		snprintf(buf, len, " (%zu bytes of segment, %zu bytes trail)", seg, trail);
	return buf;
}

bool ip6_eq(const uint8_t *a, const struct in6_addr *b)
{
	return memcmp(a, b, 16) == 0;
}

const char *fmt4(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = a };

	return inet_ntop(AF_INET, &in, buf, 16);
}

void hexdump(FILE *out, const char *what, const uint8_t *p, size_t len)
{
	fprintf(out, "    %s (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%s%02x", i % 32 ? (i % 4 ? "" : " ") : "\n      ", p[i]);
	fprintf(out, "\n");
}

void verdict_set(struct verdict *v, int cls, const char *fmt, ...)
{
	va_list ap;

	for (int i = 0; i < v->n; i++)
		if (v->cls[i] == cls)
			return; /* the first finding of a class describes it */
	if (v->n == VERDICT_MAX)
		return;
	v->cls[v->n] = cls;
	va_start(ap, fmt);
	vsnprintf(v->detail[v->n], sizeof(v->detail[0]), fmt, ap);
	va_end(ap);
	v->n++;
}

void mf_log(struct mframe *f, const char *fmt, ...)
{
	size_t used = strlen(f->log);
	va_list ap;

	if (used + 2 >= sizeof(f->log))
		return;
	if (used)
		f->log[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(f->log + used, sizeof(f->log) - used, fmt, ap);
	va_end(ap);
}
