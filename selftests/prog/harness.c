// SPDX-License-Identifier: GPL-2.0
/* The harness: builds frames from their descriptions, prepares the lab (a
 * private netns with an access and an internet side), fills the maps through
 * lib/aftr/aftr_maps.h, runs BPF_PROG_TEST_RUN and compares everything a
 * row expects: action, output frame (field by field, then every checksum
 * against the independent reference), counters, per-softwire counters and
 * ring-buffer events. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "aftr_maps.h"
#include "aftr_nexthop.h"
#include "nh_map.h"
#include "csum_ref.h"
#include "pcap.h"
#include "pkt.h"
#include "pktcmp.h"
#include "wire.h"
#include "prog.h"

int verbose;
const char *obj_path = "build/bpf/lw4o6_aftr_test.bpf.o";

static struct aftr_env env;
static bool env_open;
static struct lw_nh_map nh_map; /* the object's lw_nexthop, mapped */
bool harness_cache_pass;
static struct ring_buffer *rb;
static int acc_ifindex, inet_ifindex;
static struct pcap_writer dump_w;
static bool dumping;
static uint32_t case_no;

int harness_dump_open(const char *path, char *err, size_t errlen)
{
	if (pcap_writer_create(&dump_w, path, 0)) {
		snprintf(err, errlen, "%s", dump_w.err);
		return -1;
	}
	dumping = true;
	return 0;
}

int harness_dump_close(char *err, size_t errlen)
{
	if (!dumping)
		return 0;
	dumping = false;
	if (pcap_writer_close(&dump_w)) {
		snprintf(err, errlen, "%s", dump_w.err);
		return -1;
	}
	return 0;
}

/* ---- softwires ---------------------------------------------------------------- */

struct swdef {
	const char *ipv4;
	uint8_t psid_len;
	uint16_t psid;
	const char *b4, *br;
};

static const struct swdef swdefs[SW_COUNT] = {
	[SW_A] = { SHARED1, 6, 1, B4_A, BR1 },
	[SW_B] = { SHARED1, 6, 2, B4_B, BR1 },
	[SW_C] = { SHARED2, 6, 3, B4_C, BR2 },
	[SW_D] = { FULL3, 0, 0, B4_D, BR1 },
	[SW_E] = { SHARED1, 6, 0, B4_E, BR1 },
	[SW_F] = { SHARED2, 6, 5, B4_F, BR2 },
	[SW_G] = { SHARED2, 6, 6, B4_G, BR2 },
};

static const char *const sw_names[SW_COUNT] = { "?", "A", "B", "C", "D", "E", "F", "G" };

/* ---- frame builder ------------------------------------------------------------ */

/* Record Route: type 7, length 39, pointer 4 (no address recorded yet),
 * room for 9 addresses; then one End of Options byte. */
const uint8_t ip4_options[40] = { 7, 39, 4 };

static const char *l2_mac(uint8_t l2, bool src)
{
	switch (l2) {
	case L2_IN_ACC:
		return src ? ACC_PEER_MAC : ACC_MAC;
	case L2_IN_INET:
		return src ? INET_PEER_MAC : INET_MAC;
	case L2_OUT_ACC:
		return src ? ACC_MAC : ACC_PEER_MAC;
	case L2_OUT_INET:
		return src ? INET_MAC : INET_PEER_MAC;
	case L2_OUT_STATIC_ACC:
		return src ? STATIC6_MAC : STATIC6_NH_MAC;
	case L2_OUT_STATIC_INET:
		return src ? STATIC4_MAC : STATIC4_NH_MAC;
	case L2_OUT_CACHE_ACC:
		return src ? CACHE6_MAC : CACHE6_NH_MAC;
	case L2_OUT_CACHE_INET:
		return src ? CACHE4_MAC : CACHE4_NH_MAC;
	}
	return "00:00:00:00:00:00";
}

static int build_l4(struct pkt *p, const struct l4s *l, char *err, size_t errlen)
{
	switch (l->kind) {
	case L4_NONE:
		return 0;
	case L4_TCP:
		pkt_tcp(p, &(struct pkt_tcp){ .sport = l->sport, .dport = l->dport, .seq = 0x01020304,
					      .ack = l->flags & PKT_TCP_ACK ? 0x0a0b0c0d : 0,
					      .flags = l->flags, .window = 8192 });
		break;
	case L4_UDP:
		pkt_udp(p, &(struct pkt_udp){ .sport = l->sport, .dport = l->dport });
		break;
	case L4_ICMP:
	case L4_ICMP6: {
		struct pkt_icmp ic = { .type = l->type, .code = l->code, .id = l->id, .seq = l->seq,
				       .mtu = l->mtu };

		if (l->kind == L4_ICMP)
			pkt_icmp4(p, &ic);
		else
			pkt_icmp6(p, &ic);
		if (l->quote) {
			static struct built q; /* not reentrant: quotes do not nest here */

			if (build_frame(l->quote, &q, err, errlen))
				return -1;
			pkt_quote(p, q.buf, q.len, 0);
		}
		break;
	}
	case L4_DATA:
		break;
	}
	if (l->payload)
		pkt_data_pattern(p, l->payload, 0x41);
	return 0;
}

/* The extension headers between the IPv6 header and what it carries. */
static void build_ext6(struct pkt *p, uint8_t ext)
{
	/* type 0, segments left 0, reserved: a routing header a node skips */
	static const uint8_t rh0[6] = { 0 };

	switch (ext) {
	case EXT_ENCAP_LIMIT:
		pkt_ipv6_encap_limit(p, 4);
		break;
	case EXT_FRAG:
		pkt_ipv6_frag(p, &(struct pkt_ip6_frag){ .offset = 0, .more = true, .id = 0x11223344 });
		break;
	case EXT_HOPOPTS:
		pkt_ipv6_ext(p, IPPROTO_HOPOPTS, NULL, 0);
		break;
	case EXT_DSTOPTS:
		pkt_ipv6_ext(p, IPPROTO_DSTOPTS, NULL, 0);
		break;
	case EXT_HOP_ROUTING:
		pkt_ipv6_ext(p, IPPROTO_HOPOPTS, NULL, 0);
		/* fall through */
	case EXT_ROUTING:
		pkt_ipv6_ext(p, IPPROTO_ROUTING, rh0, sizeof(rh0));
		break;
	case EXT_DSTOPTS5:
		for (int i = 0; i < 5; i++)
			pkt_ipv6_ext(p, IPPROTO_DSTOPTS, NULL, 0);
		break;
	}
}

int build_frame(const struct fspec *f, struct built *b, char *err, size_t errlen)
{
	struct pkt p;
	int len, v6_off = -1;

	memset(b, 0, sizeof(*b));
	b->v4_off = -1;
	pkt_init(&p, b->buf, sizeof(b->buf));
	if (f->l2) {
		struct pkt_eth e = { .vid = f->vid, .type = f->ethertype };

		mac(l2_mac(f->l2, true), e.src);
		mac(l2_mac(f->l2, false), e.dst);
		pkt_eth(&p, &e);
	}
	if (f->ip6) {
		const struct ip6s *i6 = f->ip6;

		v6_off = pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(i6->src), .dst = ip6(i6->dst),
							 .traffic_class = i6->tc, .flow_label = i6->flow,
							 .hop_limit = i6->hl, .next_header = i6->nh });
		build_ext6(&p, i6->ext);
	}
	if (f->ip4) {
		const struct ip4s *i4 = f->ip4;

		b->v4_off = pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(i4->src), .dst = ip4(i4->dst),
							    .tos = i4->tos, .ttl = i4->ttl,
							    .proto = i4->proto, .id = i4->id,
							    .df = i4->df, .mf = i4->mf,
							    .frag_offset = i4->frag,
							    .options = ip4_options,
							    .options_len = i4->optlen });
	}
	if (build_l4(&p, &f->l4, err, errlen))
		return -1;
	len = pkt_finish(&p);
	if (len < 0) {
		snprintf(err, errlen, "pkt builder: %s", strerror(-len));
		return -1;
	}
	b->len = (size_t)len;
	if (b->v4_off >= 0)
		b->v4_len = b->len - (size_t)b->v4_off;
	if (f->trailer) {
		for (unsigned i = 0; i < f->trailer && b->len < FRAME_MAX; i++)
			b->buf[b->len++] = 0xee;
	}
	while (b->len < f->pad_to && b->len < FRAME_MAX)
		b->buf[b->len++] = 0;

	switch (f->mangle) {
	case MG_NONE:
		break;
	case MG_TRUNC:
		if ((size_t)f->mangle_arg < b->len)
			b->len = (size_t)f->mangle_arg;
		break;
	case MG_IP4_IHL:
		b->buf[b->v4_off] = (uint8_t)(0x40 | (f->mangle_arg & 0x0f));
		break;
	case MG_IP4_TOTLEN_ADD:
		put_be16(b->buf + b->v4_off + 2,
			 (uint16_t)(get_be16(b->buf + b->v4_off + 2) + f->mangle_arg));
		break;
	case MG_IP6_PLEN_SUB:
		put_be16(b->buf + v6_off + 4, (uint16_t)(get_be16(b->buf + v6_off + 4) - f->mangle_arg));
		break;
	case MG_IP4_CSUM:
		put_be16(b->buf + b->v4_off + 10,
			 (uint16_t)(get_be16(b->buf + b->v4_off + 10) ^ f->mangle_arg));
		break;
	case MG_IP4_TOTLEN_CUT:
		pkt_ipv4_shorten(b->buf + b->v4_off, (unsigned)f->mangle_arg);
		break;
	case MG_TRUNC_IP6:
		if ((size_t)f->mangle_arg < b->len && v6_off >= 0) {
			b->len = (size_t)f->mangle_arg;
			put_be16(b->buf + v6_off + 4, (uint16_t)(b->len - (size_t)v6_off - 40));
		}
		break;
	case MG_ICMP_CSUM: {
		size_t icmp = (size_t)b->v4_off + (b->buf[b->v4_off] & 0x0f) * 4u;

		put_be16(b->buf + icmp + 2, (uint16_t)(get_be16(b->buf + icmp + 2) ^ f->mangle_arg));
		break;
	}
	}
	return 0;
}

/* ---- lab ------------------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size);

struct ev_list {
	struct lw_event ev[8];
	size_t n, dropped;
};
static struct ev_list evs;

static int open_env(char *err, size_t errlen)
{
	if (env_open) {
		ring_buffer__free(rb);
		rb = NULL;
		lw_nh_map_detach(&nh_map);
		aftr_env_close(&env);
		env_open = false;
	}
	if (aftr_env_open(&env, obj_path, err, errlen))
		return -1;
	env_open = true;
	if (lw_nh_map_attach(&nh_map, lw_aftr_nh_fd_from_obj(env.obj), err, errlen))
		return -1;
	rb = ring_buffer__new(env.maps.events, on_event, &evs, NULL);
	if (!rb) {
		snprintf(err, errlen, "ring_buffer__new: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int harness_init(char *err, size_t errlen)
{
	uint8_t acc_mac[6], acc_peer[6], inet_mac[6], inet_peer[6];
	struct aftr_side_spec acc = {
		.name = "acc", .mac = acc_mac, .peer_mac = acc_peer, .ipv6 = true,
		.addr = "2001:db8:a::1/64", .gateway = ACC_ROUTER,
	};
	struct aftr_side_spec inet = {
		.name = "inet", .mac = inet_mac, .peer_mac = inet_peer, .ipv6 = false,
		.addr = "10.0.0.1/24", .gateway = "10.0.0.2",
	};
	int ret;

	mac(ACC_MAC, acc_mac);
	mac(ACC_PEER_MAC, acc_peer);
	mac(INET_MAC, inet_mac);
	mac(INET_PEER_MAC, inet_peer);
	if (aftr_env_enter_netns(err, errlen))
		return -1;
	ret = aftr_env_add_side(&acc, err, errlen);
	if (ret < 0)
		return -1;
	acc_ifindex = ret;
	ret = aftr_env_add_side(&inet, err, errlen);
	if (ret < 0)
		return -1;
	inet_ifindex = ret;
	/* next hops without a neighbour entry (bpf_fib_lookup: NO_NEIGH), and a
	 * route with a smaller MTU (FRAG_NEEDED) */
	if (aftr_env_sh(err, errlen, "ip -6 route add %s/128 via 2001:db8:a::3 dev acc", B4_F) ||
	    aftr_env_sh(err, errlen, "ip -4 route add %s/32 via 10.0.0.3 dev inet", NONEIGH_HOST) ||
	    aftr_env_sh(err, errlen, "ip -6 route add %s/128 via %s dev acc mtu lock 1300", B4_G, ACC_ROUTER) ||
	    /* an IPv4 address of the router on the access side: its own
	     * traffic there is the kernel's (AFTR-GEN-2) */
	    aftr_env_sh(err, errlen, "ip -4 addr add %s/24 dev acc", ACC_OWN4))
		return -1;
	return open_env(err, errlen);
}

void harness_fini(void)
{
	lw_nh_map_detach(&nh_map);
	if (rb)
		ring_buffer__free(rb);
	rb = NULL;
	if (env_open)
		aftr_env_close(&env);
	env_open = false;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct ev_list *l = ctx;

	if (l->n < sizeof(l->ev) / sizeof(l->ev[0])) {
		memset(&l->ev[l->n], 0, sizeof(l->ev[0]));
		memcpy(&l->ev[l->n], data, size < sizeof(l->ev[0]) ? size : sizeof(l->ev[0]));
		l->n++;
	} else {
		l->dropped++;
	}
	return 0;
}

/* The lab's interfaces as the setup wants them, changed only when they
 * differ from what the last case left. */
static int apply_links(const struct setup *s, char *err, size_t errlen)
{
	static unsigned inet_mtu = 1500;
	static bool acc_fwd_off;
	unsigned mtu = s->inet_link_mtu ? s->inet_link_mtu : 1500;

	if (mtu != inet_mtu) {
		if (aftr_env_sh(err, errlen, "ip link set inet mtu %u && ip link set inetp mtu %u", mtu, mtu))
			return -1;
		inet_mtu = mtu;
	}
	if (s->acc_ipv6_fwd_off != acc_fwd_off) {
		if (aftr_env_sh(err, errlen, "sysctl -qw net.ipv6.conf.acc.forwarding=%d", !s->acc_ipv6_fwd_off))
			return -1;
		acc_fwd_off = s->acc_ipv6_fwd_off;
	}
	return 0;
}

/* "A/N" into a next-hop prefix of family. */
static int nh_prefix(struct lw_nh_prefix *p, int family, const char *text)
{
	char a[64];
	uint8_t addr[16] = { 0 };
	const char *slash = strchr(text, '/');

	if (!slash || (size_t)(slash - text) >= sizeof(a))
		return -1;
	memcpy(a, text, (size_t)(slash - text));
	a[slash - text] = '\0';
	if (inet_pton(family, a, addr) != 1)
		return -1;
	lw_nh_prefix_make(p, (uint8_t)family, addr, (unsigned)atoi(slash + 1));
	return 0;
}

/* The hand-written entry of one family. */
static int nh_fake(const struct nhx *x, unsigned fam, struct lw_nh_entry *e)
{
	bool v4 = fam == LW_NH_IPV4;
	const char *route = v4 ? x->route4 : x->route6, *except = v4 ? x->except4 : x->except6;
	int family = v4 ? AF_INET : AF_INET6;

	memset(e, 0, sizeof(*e));
	e->mode = x->mode;
	e->ifindex = (__u32)(v4 ? inet_ifindex : acc_ifindex);
	e->expires = x->expired ? 1 : lw_nh_lease(60000);
	mac(v4 ? CACHE4_MAC : CACHE6_MAC, e->smac);
	mac(v4 ? CACHE4_NH_MAC : CACHE6_NH_MAC, e->dmac);
	e->mtu = x->mtu ? x->mtu : 1500;
	if (nh_prefix(&e->route, family, route ? route : v4 ? "0.0.0.0/0" : "::/0"))
		return -1;
	if (except) {
		e->n_except = 1;
		if (nh_prefix(&e->except[0], family, except))
			return -1;
	}
	return 0;
}

/* The next-hop cache as the case wants it: filled from the lab, written by
 * hand, or empty (FIB mode). */
static int apply_nexthop(const struct setup *s, const struct lw_aftr_config *cfg, char *err,
			 size_t errlen)
{
	struct lw_nh_entry e;

	if (s->nh_sync || (harness_cache_pass && !s->nh)) {
		if (lw_aftr_nh_sync_once(nh_map.fd, cfg, 60000, NULL, err, errlen))
			return -1;
		return 0;
	}
	for (unsigned f = 0; f < LW_NH_FAMILIES; f++) {
		memset(&e, 0, sizeof(e));
		if (s->nh && nh_fake(s->nh, f, &e)) {
			snprintf(err, errlen, "case defect: a next-hop prefix does not parse");
			return -1;
		}
		if (lw_nh_map_publish(&nh_map, f, &e) < 0) {
			snprintf(err, errlen, "next-hop map: cannot publish");
			return -1;
		}
	}
	return 0;
}

int harness_nh_entry(unsigned fam, struct lw_nh_entry *e)
{
	lw_nh_map_read(&nh_map, fam, e);
	return nh_map.c ? 0 : -1;
}

/* Whether the case's table holds softwire i (swdefs). */
static bool installed(const struct setup *s, int i)
{
	if (s->one_br && strcmp(swdefs[i].br, BR1))
		return false;
	return !((s->blocks == BLK_UNIFORM || s->blocks == BLK_HIDE) && i == SW_D);
}

/* The header (lw_addr_blocks) of the block holding v4, and its index. */
static int block_head(const char *v4, uint32_t *blk, struct lw_addr_block *h)
{
	uint32_t a = ntohl(ip4(v4)), k = a >> 16, t = 0;

	if (bpf_map_lookup_elem(env.maps.addr_l1, &k, &t) || !(t & LW_L1_L2_MASK))
		return -1;
	k = ((t & LW_L1_L2_MASK) - 1) * LW_ADDR_BLOCK + ((a >> 8) & 0xff);
	if (bpf_map_lookup_elem(env.maps.addr_l2, &k, blk) || !*blk)
		return -1;
	(*blk)--;
	return bpf_map_lookup_elem(env.maps.addr_blocks, blk, h) ? -1 : 0;
}

/* An empty table: a case's softwires then start with zero counters, which
 * a replace keeps for a softwire it leaves as it was (issue 12). */
static int no_softwires(const struct lw_aftr_config *cfg, char *err, size_t errlen)
{
	struct lw_aftr_setup none;
	int r;

	lw_setup_init(&none);
	none.cfg = *cfg;
	r = lw_aftr_install(&env.maps, &none, 1, err, errlen);
	lw_setup_free(&none);
	return r;
}

/* A header written by hand outlives the case in the maps (the writers
 * know nothing of it): the next case starts from a fresh object. */
static bool blocks_tampered;

static int apply_blocks(const struct setup *s, char *err, size_t errlen)
{
	struct lw_addr_block h;
	struct lw_addr rec;
	uint32_t blk, k;

	if (s->blocks == BLK_AS_WRITTEN)
		return 0;
	if (block_head(SHARED1, &blk, &h)) {
		snprintf(err, errlen, "no record block for %s", SHARED1);
		return -1;
	}
	switch (s->blocks) {
	case BLK_UNIFORM:
	case BLK_HIDE:
		if (!(h.head.flags & LW_BLOCK_UNIFORM) || h.head.psid_len != 6) {
			snprintf(err, errlen, "the writer left %s's /24 without a uniform header",
				 SHARED1);
			return -1;
		}
		if (s->blocks == BLK_HIDE)
			h.present[0] &= ~(1ull << (ntohl(ip4(SHARED1)) & 63));
		break;
	case BLK_STALE:
		k = blk * LW_ADDR_BLOCK + (ntohl(ip4(SHARED1)) & 0xff);
		if (bpf_map_lookup_elem(env.maps.addr_recs, &k, &rec)) {
			snprintf(err, errlen, "no record for %s", SHARED1);
			return -1;
		}
		memset(&h, 0xff, sizeof(h));
		h.head = rec;
		h.head.sw_base = rec.sw_base - (1u << 6) + 4096;
		h.head.psid_len = 6;
		h.head.psid_offset = 0;
		h.head.flags = LW_BLOCK_UNIFORM;
		h.head.reserved = 0;
		break;
	}
	blocks_tampered = s->blocks != BLK_UNIFORM;
	if (bpf_map_update_elem(env.maps.addr_blocks, &blk, &h, BPF_ANY)) {
		snprintf(err, errlen, "cannot write the block header: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int apply_setup(const struct setup *s, char *err, size_t errlen)
{
	static const struct setup defaults;
	struct lw_aftr_setup st;
	int ret;

	if (!s)
		s = &defaults;
	if ((s->fresh || blocks_tampered) && open_env(err, errlen))
		return -1;
	blocks_tampered = false;
	if (apply_links(s, err, errlen))
		return -1;
	lw_setup_init(&st);
	st.cfg.flags = (LW_CFG_DEFAULT_FLAGS & ~s->flags_off) | s->flags_on;
	st.cfg.ipv4_ifindex = (__u32)(s->stick ? acc_ifindex : inet_ifindex);
	st.cfg.ipv6_ifindex = (__u32)acc_ifindex;
	st.cfg.ipv4_vlan = s->v4vlan;
	st.cfg.ipv6_vlan = s->v6vlan;
	st.cfg.ipv4_mtu = s->v4mtu ? s->v4mtu : 1500;
	st.cfg.ipv6_mtu = s->v6mtu ? s->v6mtu : 1500;
	st.cfg.hop_limit = s->hop_limit ? s->hop_limit : 64;
	st.cfg.echo_policy = s->echo;
	st.cfg.event_rate = s->rate ? s->rate : 1000;
	st.cfg.event_burst = s->burst ? s->burst : 100;
	for (int i = SW_A; i < SW_COUNT; i++) {
		if (!installed(s, i))
			continue;
		struct lw_softwire_entry e = {
			.ipv4 = ip4(swdefs[i].ipv4),
			.ps = { .psid_offset = 0, .psid_len = swdefs[i].psid_len },
			.psid = swdefs[i].psid,
			.b4_ipv6 = ip6(swdefs[i].b4),
			.br_ipv6 = ip6(swdefs[i].br),
		};

		if ((ret = lw_setup_add_softwire(&st, &e))) {
			snprintf(err, errlen, "lw_setup_add_softwire: %s", strerror(-ret));
			lw_setup_free(&st);
			return -1;
		}
	}
	if (s->static_nh) {
		st.external.has_mac = st.external.has_next_hop_mac = true;
		mac(STATIC4_MAC, st.external.mac);
		mac(STATIC4_NH_MAC, st.external.next_hop_mac);
		st.internal.has_mac = st.internal.has_next_hop_mac = true;
		mac(STATIC6_MAC, st.internal.mac);
		mac(STATIC6_NH_MAC, st.internal.next_hop_mac);
		if (lw_setup_static_nexthops(&st) != 2) {
			snprintf(err, errlen, "lw_setup_static_nexthops did not switch both sides");
			lw_setup_free(&st);
			return -1;
		}
	}
	if (lw_setup_validate(&st, err, errlen) || no_softwires(&st.cfg, err, errlen) ||
	    lw_aftr_install(&env.maps, &st, 1, err, errlen) ||
	    apply_blocks(s, err, errlen) || apply_nexthop(s, &st.cfg, err, errlen)) {
		lw_setup_free(&st);
		return -1;
	}
	lw_setup_free(&st);
	if ((ret = lw_aftr_pool_add(&env.maps, ip4("198.51.100.0"), 24)) ||
	    (ret = lw_aftr_stats_reset(&env.maps))) {
		snprintf(err, errlen, "pool / stats reset: %s", strerror(-ret));
		return -1;
	}
	/* leftovers of an earlier case are not this case's events */
	ring_buffer__consume(rb);
	evs.n = evs.dropped = 0;
	return 0;
}

/* ---- checks -------------------------------------------------------------------------- */

static const char *act_name(uint32_t a)
{
	static char buf[32];

	switch (a) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	snprintf(buf, sizeof(buf), "action %u", a);
	return buf;
}

static const char *ev_name(unsigned t)
{
	static const char *const n[] = {
		[LW_EV_DECAP_NO_BINDING] = "LW_EV_DECAP_NO_BINDING",
		[LW_EV_ENCAP_NO_BINDING] = "LW_EV_ENCAP_NO_BINDING",
		[LW_EV_TTL_EXPIRED] = "LW_EV_TTL_EXPIRED",
		[LW_EV_TOO_BIG_DF] = "LW_EV_TOO_BIG_DF",
		[LW_EV_FRAG_NEEDED] = "LW_EV_FRAG_NEEDED",
		[LW_EV_ICMPV6_ERROR] = "LW_EV_ICMPV6_ERROR",
		[LW_EV_FRAGMENT] = "LW_EV_FRAGMENT",
	};

	return t < sizeof(n) / sizeof(n[0]) && n[t] ? n[t] : "unknown event";
}

static void dump(const char *what, const uint8_t *f, size_t len)
{
	char buf[512];

	printf("    %-8s %4zu  %s\n", what, len, pktcmp_describe(f, len, buf, sizeof(buf)));
}

static uint64_t per_packet_bytes(uint8_t kind, const struct built *in, const struct built *out)
{
	switch (kind) {
	case BY_IN:
		return in->len;
	case BY_OUT:
		return out ? out->len : 0;
	case BY_V4:
		return in->v4_len;
	default:
		return 0;
	}
}

struct sw_seen {
	uint64_t dp, db, ep, eb;
	bool found;
};

static int sw_row(const struct lw_softwire_row *row, void *arg)
{
	struct sw_seen *seen = arg;

	for (int i = SW_A; i < SW_COUNT; i++) {
		if (row->entry.ipv4 == ip4(swdefs[i].ipv4) && row->entry.psid == swdefs[i].psid) {
			seen[i].dp = row->counters.decap_packets;
			seen[i].db = row->counters.decap_bytes;
			seen[i].ep = row->counters.encap_packets;
			seen[i].eb = row->counters.encap_bytes;
			seen[i].found = true;
		}
	}
	return 0;
}

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

int harness_run(const struct tcase *c, char *why, size_t whylen)
{
	static struct built in, exp;
	static uint8_t out[FRAME_MAX];
	struct lw_counter stats[LW_STAT_MAX];
	uint64_t want_p[LW_STAT_MAX] = { 0 }, want_b[LW_STAT_MAX] = { 0 };
	struct sw_seen seen[SW_COUNT];
	const struct built *expp = NULL;
	char err[512];
	unsigned runs = c->repeat ? c->repeat : 1;
	unsigned ifindex = c->side == SIDE_ACC ? (unsigned)acc_ifindex : (unsigned)inet_ifindex;
	size_t n_ev = 0;
	bool events_listed = false;

	case_no++;
	if (c->special)
		return c->special(c, why, whylen);
	if (apply_setup(c->setup, err, sizeof(err)))
		FAIL("setup: %s", err);
	if (build_frame(&c->in, &in, err, sizeof(err)))
		FAIL("input frame: %s", err);
	if (c->out) {
		if (build_frame(c->out, &exp, err, sizeof(err)))
			FAIL("expected frame: %s", err);
		expp = &exp;
	} else if (c->act == XDP_PASS) {
		exp = in; /* passed to the kernel untouched */
		expp = &exp;
	} else if (c->act == XDP_REDIRECT) {
		FAIL("case defect: XDP_REDIRECT without an expected frame");
	}
	if (verbose) {
		dump("in", in.buf, in.len);
		if (expp)
			dump("expected", expp->buf, expp->len);
	}

	for (unsigned r = 0; r < runs; r++) {
		size_t outlen = 0;
		uint32_t action = 0;
		struct pktcmp_diff d;
		int ret, nd;

		ret = aftr_env_run(&env, ifindex, in.buf, in.len, out, sizeof(out), &outlen, &action);
		if (ret)
			FAIL("BPF_PROG_TEST_RUN: %s", strerror(-ret));
		ring_buffer__consume(rb);
		if (verbose && r == 0)
			dump(act_name(action), out, outlen);
		if (dumping && r == 0) {
			pcap_writer_add(&dump_w, in.buf, (uint32_t)in.len, case_no, 0);
			if (expp)
				pcap_writer_add(&dump_w, expp->buf, (uint32_t)expp->len, case_no, 1);
			if (action != XDP_DROP)
				pcap_writer_add(&dump_w, out, (uint32_t)outlen, case_no, 2);
		}
		if (action != c->act)
			FAIL("action (expected %s got %s)", act_name(c->act), act_name(action));
		if (!expp || c->act == XDP_DROP)
			continue;
		nd = pktcmp(out, outlen, expp->buf, expp->len, 0, &d, 1);
		if (nd < 0)
			FAIL("pktcmp: %s", strerror(-nd));
		if (nd > 0)
			FAIL("output %s (expected %s got %s)", d.field, d.expected, d.actual);
		if (ref_verify_frame(out, outlen, err, sizeof(err)))
			FAIL("output checksum: %s", err);
	}

	/* counters: exactly the listed ones change */
	for (int i = 0; i < MAX_CTR && c->ctr[i].packets; i++) {
		const struct ctr *k = &c->ctr[i];

		want_p[k->stat] += k->packets;
		want_b[k->stat] += k->packets * per_packet_bytes(k->bytes, &in, expp);
		if (k->stat == LW_STAT_EVENT_SENT)
			events_listed = true;
	}
	for (int i = 0; i < MAX_EVX && c->ev[i].type; i++)
		n_ev++;
	if (!events_listed)
		want_p[LW_STAT_EVENT_SENT] += n_ev;
	if (lw_aftr_stats_read(&env.maps, stats))
		FAIL("lw_aftr_stats_read: %s", strerror(errno));
	for (unsigned s = 0; s < LW_STAT_MAX; s++)
		if (stats[s].packets != want_p[s] || stats[s].bytes != want_b[s])
			FAIL("counter %s (expected %llu pkt %llu B got %llu pkt %llu B)", lw_stat_name(s),
			     (unsigned long long)want_p[s], (unsigned long long)want_b[s],
			     (unsigned long long)stats[s].packets, (unsigned long long)stats[s].bytes);

	/* per-softwire counters */
	memset(seen, 0, sizeof(seen));
	lw_aftr_softwire_foreach(&env.maps, sw_row, seen);
	for (int i = SW_A; i < SW_COUNT; i++) {
		uint64_t dp = 0, ep = 0;

		if (c->setup && !installed(c->setup, i)) {
			if (seen[i].found)
				FAIL("softwire %s is installed, the case's table has none",
				     sw_names[i]);
			continue;
		}
		if (!seen[i].found)
			FAIL("softwire %s vanished from the binding table", sw_names[i]);
		for (int j = 0; j < MAX_SWX && c->sw[j].sw; j++)
			if (c->sw[j].sw == i) {
				dp = c->sw[j].decap;
				ep = c->sw[j].encap;
			}
		if (seen[i].dp != dp || seen[i].db != dp * in.v4_len)
			FAIL("softwire %s decap counters (expected %llu pkt %llu B got %llu pkt %llu B)",
			     sw_names[i], (unsigned long long)dp, (unsigned long long)(dp * in.v4_len),
			     (unsigned long long)seen[i].dp, (unsigned long long)seen[i].db);
		if (seen[i].ep != ep || seen[i].eb != ep * in.v4_len)
			FAIL("softwire %s encap counters (expected %llu pkt %llu B got %llu pkt %llu B)",
			     sw_names[i], (unsigned long long)ep, (unsigned long long)(ep * in.v4_len),
			     (unsigned long long)seen[i].ep, (unsigned long long)seen[i].eb);
	}

	/* ring-buffer events */
	if (evs.n + evs.dropped != n_ev) {
		if (evs.n > n_ev)
			FAIL("events (expected %zu got %zu, first extra: %s)", n_ev, evs.n + evs.dropped,
			     ev_name(evs.ev[n_ev].type));
		FAIL("events (expected %zu%s%s got %zu)", n_ev, n_ev ? ", first " : "",
		     n_ev ? ev_name(c->ev[evs.n].type) : "", evs.n + evs.dropped);
	}
	for (size_t i = 0; i < n_ev; i++) {
		const struct evx *x = &c->ev[i];
		const struct lw_event *e = &evs.ev[i];
		size_t pkt_len = in.len - x->l3off;
		size_t cap = pkt_len < LW_EVENT_MAX_CAPTURE ? pkt_len : LW_EVENT_MAX_CAPTURE;

		if (verbose)
			printf("    event    %s dir %u mtu %u ifindex %u pkt_len %u cap_len %u proto 0x%04x\n",
			       ev_name(e->type), e->dir, e->mtu, e->ifindex, e->pkt_len, e->cap_len,
			       e->l3_proto);
		if (e->type != x->type)
			FAIL("event %zu type (expected %s got %s)", i, ev_name(x->type), ev_name(e->type));
		if (e->dir != x->dir)
			FAIL("event %zu dir (expected %u got %u)", i, x->dir, e->dir);
		if (e->mtu != x->mtu)
			FAIL("event %zu mtu (expected %u got %u)", i, x->mtu, e->mtu);
		if (e->ifindex != ifindex)
			FAIL("event %zu ifindex (expected %u got %u)", i, ifindex, e->ifindex);
		if (e->l3_proto != x->l3_proto)
			FAIL("event %zu l3_proto (expected 0x%04x got 0x%04x)", i, x->l3_proto, e->l3_proto);
		if (e->pkt_len != pkt_len)
			FAIL("event %zu pkt_len (expected %zu got %u)", i, pkt_len, e->pkt_len);
		if (e->cap_len != cap)
			FAIL("event %zu cap_len (expected %zu got %u)", i, cap, e->cap_len);
		for (size_t b = 0; b < cap; b++)
			if (e->pkt[b] != in.buf[x->l3off + b])
				FAIL("event %zu captured byte %zu (expected 0x%02x = input byte %zu, got 0x%02x)",
				     i, b, in.buf[x->l3off + b], x->l3off + b, e->pkt[b]);
	}
	return 0;
}
