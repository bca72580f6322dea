// SPDX-License-Identifier: GPL-2.0
/* The lwB4 harness: a private netns with a LAN (IPv4) and a WAN (IPv6)
 * side so that bpf_fib_lookup() gives real answers, the object loaded with
 * its pin paths cleared, maps filled through lib/b4/b4_maps.h, then per
 * row: BPF_PROG_TEST_RUN of each step, field-by-field comparison (pktcmp)
 * and every checksum re-verified by the independent RFC 1071 reference
 * (csum_ref), counters, events, and the NAPT invariants. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "b4_maps.h"
#include "b4_nexthop.h"
#include "nh_map.h"
#include "csum_ref.h"
#include "pkt.h"
#include "pktcmp.h"
#include "wire.h"
#include "prog_b4.h"

int verbose;
const char *obj_path = "build/bpf/lw4o6_b4_test.bpf.o";

static struct bpf_object *obj;
static struct aftr_env env; /* prog_fd only, for aftr_env_run() */
static struct lw_b4_maps maps;
static struct ring_buffer *rb;
static int lan_ifindex, wan_ifindex;
static struct lw_nh_map nh_map; /* lw_b4_nexthop, mapped */

struct ev_list {
	struct lw_b4_event ev[8];
	size_t n;
};
static struct ev_list evs;

static int on_event(void *ctx, void *data, size_t size)
{
	struct ev_list *l = ctx;

	if (l->n < 8) {
		memset(&l->ev[l->n], 0, sizeof(l->ev[0]));
		memcpy(&l->ev[l->n], data, size < sizeof(l->ev[0]) ? size : sizeof(l->ev[0]));
	}
	l->n++;
	return 0;
}

/* ---- frames ----------------------------------------------------------------------- */

const uint8_t b4_ip4_options[40] = { 7, 39, 4 };

static const char *l2_mac(uint8_t l2, bool src)
{
	switch (l2) {
	case L2_IN_LAN:
		return src ? LAN_HOST_MAC : LAN_MAC;
	case L2_IN_WAN:
		return src ? WAN_PEER_MAC : WAN_MAC;
	case L2_OUT_LAN:
		return src ? LAN_MAC : LAN_HOST_MAC;
	case L2_OUT_WAN:
		return src ? WAN_MAC : WAN_PEER_MAC;
	case L2_OUT_WAN_CACHE:
		return src ? CACHE_MAC : CACHE_NH_MAC;
	}
	return "00:00:00:00:00:00";
}

struct built {
	uint8_t buf[4096];
	size_t len;
};

static int build(const struct fr *f, struct built *b)
{
	struct pkt p;
	int len, l4off = -1, ip4off = -1, icmpoff = -1, ip6off = -1;

	memset(b, 0, sizeof(*b));
	pkt_init(&p, b->buf, sizeof(b->buf));
	if (f->l2) {
		struct pkt_eth e = { .type = f->l4 == L4_ARP ? ETH_P_ARP : 0 };

		mac(l2_mac(f->l2, true), e.src);
		mac(l2_mac(f->l2, false), e.dst);
		pkt_eth(&p, &e);
	}
	if (f->s6)
		ip6off = pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(f->s6), .dst = ip6(f->d6),
						 .traffic_class = f->tc, .hop_limit = f->hl });
	if (f->s4)
		ip4off = pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(f->s4), .dst = ip4(f->d4), .tos = f->tos,
						 .ttl = f->ttl, .id = 0x1234, .df = f->df,
						 .frag_offset = f->frag,
						 .options = b4_ip4_options, .options_len = f->optlen });
	switch (f->l4) {
	case L4_TCP:
		l4off = pkt_tcp(&p, &(struct pkt_tcp){ .sport = f->sport, .dport = f->dport,
						       .seq = 0x01020304, .ack = 0x0a0b0c0d,
						       .flags = f->flags ? f->flags : PKT_TCP_ACK,
						       .window = 8192, .mss = f->mss });
		break;
	case L4_UDP:
		l4off = pkt_udp(&p, &(struct pkt_udp){ .sport = f->sport, .dport = f->dport });
		break;
	case L4_ICMP:
		icmpoff = pkt_icmp4(&p, &(struct pkt_icmp){ .type = f->type, .code = f->code,
							     .id = f->sport, .seq = 7 });
		if (f->quote) {
			static struct built q4;

			if (build(f->quote, &q4))
				return -1;
			pkt_quote(&p, q4.buf, q4.len, PKT_ICMP4_ERROR_MAX);
		}
		break;
	case L4_ICMP6:
		pkt_icmp6(&p, &(struct pkt_icmp){ .type = f->type, .code = f->code, .id = 0x77, .seq = 1 });
		if (f->quote) {
			static struct built q;

			if (build(f->quote, &q))
				return -1;
			pkt_quote(&p, q.buf, q.len, 0);
		}
		break;
	case L4_ARP: {
		static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

		pkt_data(&p, arp, sizeof(arp));
		break;
	}
	}
	if (f->payload)
		pkt_data_pattern(&p, f->payload, 0x41);
	len = pkt_finish(&p);
	if (len < 0)
		return -1;
	b->len = (size_t)len;
	if (f->udp_zero && l4off >= 0)
		put_be16(b->buf + l4off + 6, 0);
	if (f->bad_icmp_csum && icmpoff >= 0)
		b->buf[icmpoff + 2] ^= 0x5a;
	if (f->bad_ip_csum && ip4off >= 0)
		b->buf[ip4off + 10] ^= 0x5a;
	if ((f->cut || f->trim) && ip4off >= 0) {
		pkt_ipv4_shorten(b->buf + ip4off, f->cut + f->trim);
		b->len -= f->trim;
		if (ip6off >= 0 && f->trim)
			put_be16(b->buf + ip6off + 4, (uint16_t)(get_be16(b->buf + ip6off + 4) - f->trim));
	}
	if (ip6off >= 0 && f->plen_past)
		put_be16(b->buf + ip6off + 4, (uint16_t)(get_be16(b->buf + ip6off + 4) + f->plen_past));
	if (f->pad6 && b->len + f->pad6 <= sizeof(b->buf))
		b->len += f->pad6; /* zeroed by the memset above */
	return 0;
}

/* ---- lab ------------------------------------------------------------------------- */

int harness_init(char *err, size_t errlen)
{
	uint8_t lan_mac[6], lan_host[6], wan_mac[6], wan_peer[6];
	struct aftr_side_spec lan = { .name = "lan", .mac = lan_mac, .peer_mac = lan_host,
				      .addr = LAN4 "/24" };
	struct aftr_side_spec wan = { .name = "wan", .mac = wan_mac, .peer_mac = wan_peer,
				      .ipv6 = true, .addr = TUN6 "/64", .gateway = "2001:db8:b4::fe" };
	struct bpf_program *prog;
	struct bpf_map *map;
	int ret;

	mac(LAN_MAC, lan_mac);
	mac(LAN_HOST_MAC, lan_host);
	mac(WAN_MAC, wan_mac);
	mac(WAN_PEER_MAC, wan_peer);
	if (aftr_env_enter_netns(err, errlen))
		return -1;
	if ((ret = aftr_env_add_side(&lan, err, errlen)) < 0)
		return -1;
	lan_ifindex = ret;
	if ((ret = aftr_env_add_side(&wan, err, errlen)) < 0)
		return -1;
	wan_ifindex = ret;
	if (aftr_env_sh(err, errlen, "ip neigh replace %s lladdr %s dev lan nud permanent && "
			"ip neigh replace %s lladdr %s dev lan nud permanent",
			HOST1, LAN_HOST_MAC, HOST2, LAN_HOST_MAC))
		return -1;
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		snprintf(err, errlen, "cannot open %s: %s", obj_path, strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	if ((ret = bpf_object__load(obj))) {
		snprintf(err, errlen, "cannot load %s: %s", obj_path, strerror(-ret));
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, LW_B4_PROG_NAME);
	if (!prog) {
		snprintf(err, errlen, "%s has no program " LW_B4_PROG_NAME, obj_path);
		return -1;
	}
	env.prog_fd = bpf_program__fd(prog);
	if (lw_b4_maps_from_obj(obj, &maps, err, errlen) ||
	    lw_nh_map_attach(&nh_map, bpf_object__find_map_fd_by_name(obj, "lw_b4_nexthop"), err,
			     errlen))
		return -1;
	rb = ring_buffer__new(maps.events, on_event, &evs, NULL);
	if (!rb) {
		snprintf(err, errlen, "ring_buffer__new: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void harness_fini(void)
{
	lw_nh_map_detach(&nh_map);
	if (rb)
		ring_buffer__free(rb);
	if (obj)
		bpf_object__close(obj);
	rb = NULL;
	obj = NULL;
}

static const struct lw_b4_portset default_pool = { .first = 1024, .size = 1024 };

/* The next-hop cache as the setup wants it; the IPv4 entry is never used. */
static int apply_nexthop(uint8_t nh, const struct lw_b4_config *cfg, char *err, size_t errlen)
{
	struct lw_nh_entry e = { 0 }, none = { 0 };
	uint8_t any[16] = { 0 };

	if (nh == NH_SYNC)
		return lw_b4_nh_sync_once(nh_map.fd, cfg, 60000, NULL, err, errlen) ? -1 : 0;
	if (nh != NH_NONE) {
		e.mode = LW_NH_CACHED;
		e.ifindex = (__u32)wan_ifindex;
		e.expires = nh == NH_FAKE_EXPIRED ? 1 : lw_nh_lease(60000);
		e.mtu = nh == NH_FAKE_MTU1300 ? 1300 : 1500;
		mac(CACHE_MAC, e.smac);
		mac(CACHE_NH_MAC, e.dmac);
		lw_nh_prefix_make(&e.route, AF_INET6, any, 0);
	}
	if (lw_nh_map_publish(&nh_map, LW_NH_IPV6, &e) < 0 ||
	    lw_nh_map_publish(&nh_map, LW_NH_IPV4, &none) < 0) {
		snprintf(err, errlen, "next-hop map: cannot publish");
		return -1;
	}
	return 0;
}

int harness_nh_entry(struct lw_nh_entry *e)
{
	lw_nh_map_read(&nh_map, LW_NH_IPV6, e);
	return nh_map.c ? 0 : -1;
}

static int apply_setup(const struct setup *s, char *err, size_t errlen)
{
	static const struct setup defaults;
	static bool lan_ipv6_fwd_off;
	struct lw_token_bucket tb = { 0 };
	struct lw_b4_config cfg;
	__u32 key = 0;
	int ret;

	if (!s)
		s = &defaults;
	if (s->lan_ipv6_fwd_off != lan_ipv6_fwd_off) {
		if (aftr_env_sh(err, errlen, "sysctl -qw net.ipv6.conf.lan.forwarding=%d", !s->lan_ipv6_fwd_off))
			return -1;
		lan_ipv6_fwd_off = s->lan_ipv6_fwd_off;
	}
	lw_b4_config_init(&cfg);
	cfg.flags = (cfg.flags & ~s->flags_off) | s->flags_on;
	cfg.tunnel_addr = ip6(TUN6);
	cfg.aftr_addr = ip6(AFTR6);
	cfg.lan_ifindex = (__u32)lan_ifindex;
	cfg.wan_ifindex = (__u32)wan_ifindex;
	cfg.lan_addr = ip4(LAN4);
	cfg.lan_prefixlen = 24;
	if (s->mtu)
		cfg.ipv6_mtu = s->mtu;
	cfg.pool_warn_pct = s->warn_pct;
	if ((ret = lw_b4_config_write(&maps, &cfg)) || (ret = lw_b4_flush_all(&maps, NULL)) ||
	    (ret = lw_b4_pool_clear(&maps)) || (ret = lw_b4_stats_reset(&maps))) {
		snprintf(err, errlen, "config / flush / stats: %s", strerror(-ret));
		return -1;
	}
	if (apply_nexthop(s->nh, &cfg, err, errlen))
		return -1;
	for (key = 0; key < LW_EVENT_BUCKETS; key++) {
		if (bpf_map_update_elem(maps.ratelim, &key, &tb, BPF_ANY)) {
			snprintf(err, errlen, "token bucket %u: %s", key, strerror(errno));
			return -1;
		}
	}
	if (!s->pool[0].size) {
		struct lw_b4_portset ps = default_pool;

		ps.ipv4 = ip4(PUB);
		if ((ret = lw_b4_pool_add(&maps, &ps))) {
			snprintf(err, errlen, "lw_b4_pool_add: %s", strerror(-ret));
			return -1;
		}
	}
	for (int i = 0; i < 2 && s->pool[i].size; i++) {
		if ((ret = lw_b4_pool_add(&maps, &s->pool[i]))) {
			snprintf(err, errlen, "lw_b4_pool_add: %s", strerror(-ret));
			return -1;
		}
	}
	ring_buffer__consume(rb);
	evs.n = 0;
	return 0;
}

/* ---- checks ---------------------------------------------------------------------- */

static const char *act_name(uint32_t a)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };

	return a < 5 ? n[a] : "action ?";
}

static void dump(const char *what, const uint8_t *f, size_t len)
{
	char buf[512];

	printf("    %-8s %4zu  %s\n", what, len, pktcmp_describe(f, len, buf, sizeof(buf)));
}

static uint8_t fr_proto(const struct fr *f)
{
	return f->l4 == L4_TCP ? 6 : f->l4 == L4_UDP ? 17 : 1;
}

static bool in_pool(__be32 addr, uint16_t port)
{
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	size_t n;

	if (lw_b4_pool_list(&maps, sets, LW_B4_POOL_MAX, &n))
		return false;
	for (size_t i = 0; i < n && i < LW_B4_POOL_MAX; i++)
		if (sets[i].ipv4 == addr && port >= sets[i].first && port - sets[i].first < sets[i].size)
			return true;
	return false;
}

/* The step's TCP_STATE_CHECK (B4-NAT-7/8); 0 when it holds. */
static int tcp_state_check(const struct step *st, const struct fr *fin, const struct fr *fout,
			   char *why, size_t whylen)
{
	const char *addr = st->side == SIDE_LAN ? fin->s4 : fout->d4;
	uint16_t port = st->side == SIDE_LAN ? fin->sport : fout->dport;
	struct lw_b4_session_row row;
	uint8_t bits = st->tcp_state & 0xff;

	if (lw_b4_mapping_get(&maps, IPPROTO_TCP, ip4(addr), htons(port), &row))
		return snprintf(why, whylen, "no TCP mapping of %s:%u", addr, port), 1;
	if (row.s.tcp_state != bits)
		return snprintf(why, whylen, "B4-NAT-8 tcp state bits (expected 0x%02x got 0x%02x)", bits,
				row.s.tcp_state), 1;
	if (lw_b4_tcp_classify(row.s.tcp_state) != st->tcp_class)
		return snprintf(why, whylen, "B4-NAT-7 tcp class (expected %u got %u)", st->tcp_class,
				lw_b4_tcp_classify(row.s.tcp_state)), 1;
	return 0;
}

/* The external port of the mapping of {proto, addr, port}, 0 if none. */
static uint16_t mapped_port(uint8_t proto, const char *addr, uint16_t port)
{
	struct lw_b4_session_row row;

	if (lw_b4_mapping_get(&maps, proto, ip4(addr), htons(port), &row))
		return 0;
	return ntohs(row.s.ext_port);
}

struct inv {
	size_t n;
	uint8_t *seen; /* one bit per session position: a mapping there */
	char *why;
	size_t whylen;
};

/* The position the external endpoint of a mapping of proto must have:
 * that of its port in the set holding it; -1 when no held set does. */
static long ext_position(uint8_t proto, __be32 addr, uint16_t port)
{
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	int pi = lw_b4_proto_index(proto);
	size_t n;

	if (pi < 0 || lw_b4_pool_list(&maps, sets, LW_B4_POOL_MAX, &n))
		return -1;
	for (size_t i = 0; i < n && i < LW_B4_POOL_MAX; i++)
		if (sets[i].ipv4 == addr && port >= sets[i].first && port - sets[i].first < sets[i].size)
			return (long)lw_b4_sess_pos(pi, &sets[i], port);
	return -1;
}

static int inv_row(const struct lw_b4_session_row *row, void *arg)
{
	struct inv *v = arg;
	uint16_t ext = ntohs(row->s.ext_port);

	v->n++;
	if (!in_pool(row->s.ext_addr, ext)) {
		snprintf(v->why, v->whylen, "B4-NAT-1: mapping to external port %u outside the pool", ext);
		return 1;
	}
	/* the slot of a mapping is its external endpoint's: two mappings on
	 * one external port would need one slot (B4-NAT-3) */
	if (ext_position(row->key.proto, row->s.ext_addr, ext) != (long)row->pos || !row->s.live) {
		snprintf(v->why, v->whylen,
			 "B4-NAT-3: mapping of external port %u in slot %u, not its port's (or not live)",
			 ext, row->pos);
		return 1;
	}
	v->seen[row->pos / 8] |= (uint8_t)(1u << (row->pos % 8));
	return 0;
}

/* Every lw_b4_out entry names a distinct mapping of its own internal
 * endpoint and carries that mapping's external endpoint; *n: how many. */
static int check_index(struct inv *v, size_t *n)
{
	struct lw_b4_out_key k, next;
	struct lw_b4_out_val ov;
	struct lw_b4_sess ses;
	uint8_t *named = calloc(LW_B4_SESS_SLOTS / 8, 1);
	void *prev = NULL;
	int bad = 0;

	*n = 0;
	while (!bad && named && bpf_map_get_next_key(maps.out, prev, &next) == 0) {
		__u32 pos;

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(maps.out, &k, &ov))
			continue;
		pos = (__u32)lw_b4_proto_index(k.proto) * LW_B4_POOL_PORTS + ov.pos;
		(*n)++;
		bad = lw_b4_proto_index(k.proto) < 0 || pos >= LW_B4_SESS_SLOTS ||
		      bpf_map_lookup_elem(maps.sess, &pos, &ses) || ses.int_addr != k.addr ||
		      ses.int_port != k.port || ses.ext_addr != ov.ext_addr ||
		      ses.ext_port != ov.ext_port || !(v->seen[pos / 8] & (1u << (pos % 8))) ||
		      (named[pos / 8] & (1u << (pos % 8)));
		if (!bad)
			named[pos / 8] |= (uint8_t)(1u << (pos % 8));
		else
			snprintf(v->why, v->whylen,
				 "B4-NAT-2/3: index entry of internal port %u names slot %u, which is "
				 "not its mapping (or another entry's)", ntohs(k.port), pos);
	}
	free(named);
	return bad || !named;
}

static int check_invariants(int want, char *why, size_t whylen)
{
	struct inv v = { .why = why, .whylen = whylen, .seen = calloc(LW_B4_SESS_SLOTS / 8, 1) };
	size_t n_index = 0;
	int bad;

	if (!v.seen)
		return snprintf(why, whylen, "out of memory"), 1;
	bad = lw_b4_session_foreach(&maps, inv_row, &v) || check_index(&v, &n_index);
	free(v.seen);
	if (bad)
		return 1;
	/* every mapping has its own index entry (EIM, B4-NAT-2), and each entry
	 * names a distinct mapping: equal counts mean none is missing */
	if (n_index != v.n) {
		snprintf(why, whylen, "B4-NAT-2: %zu mappings but %zu index entries", v.n, n_index);
		return 1;
	}
	{
		uint64_t used = 0;
		int ret = lw_b4_usage_read(&maps, &used);

		if (ret || used != v.n) {
			snprintf(why, whylen, "B4-NAT-17 usage counters: %llu ports mapped for %zu mappings (%s)",
				 (unsigned long long)used, v.n, ret ? strerror(-ret) : "ok");
			return 1;
		}
	}
	if (want >= 0 && v.n != (size_t)want) {
		snprintf(why, whylen, "mappings (expected %d got %zu)", want, v.n);
		return 1;
	}
	return 0;
}

/* Every mapping, for the rule that an ICMP error changes none (B4-NAT-13/16). */
struct snap {
	struct lw_b4_session_row rows[16];
	size_t n;
};

static int snap_row(const struct lw_b4_session_row *row, void *arg)
{
	struct snap *sn = arg;

	if (sn->n < 16)
		sn->rows[sn->n] = *row;
	sn->n++;
	return 0;
}

static int snapshot(struct snap *sn)
{
	memset(sn, 0, sizeof(*sn));
	return lw_b4_session_foreach(&maps, snap_row, sn);
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n || a->n > 16)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;

		for (size_t j = 0; j < b->n && !found; j++)
			found = !memcmp(&a->rows[i], &b->rows[j], sizeof(a->rows[i]));
		if (!found)
			return false;
	}
	return true;
}

static bool is_icmp4_error(const struct fr *f)
{
	return f->l4 == L4_ICMP && (f->type == 3 || f->type == 11 || f->type == 12);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int do_before(uint8_t what, char *why, size_t whylen)
{
	struct lw_b4_portset ps = default_pool;
	size_t n = 0;
	int ret = 0;

	ps.ipv4 = ip4(PUB);
	switch (what) {
	case BEFORE_POOL_DEL:
		ret = lw_b4_pool_del(&maps, &ps, &n);
		if (!ret && n == 0)
			ret = -ENOENT;
		break;
	case BEFORE_EXPIRE_EARLY:
		ret = lw_b4_expire(&maps, mono_ns() + 10000000000ull, &n);
		if (!ret && n != 0)
			ret = -EEXIST;
		break;
	case BEFORE_EXPIRE_LATE:
		ret = lw_b4_expire(&maps, mono_ns() + 301000000000ull, &n);
		if (!ret && n == 0)
			ret = -ENOENT;
		break;
	}
	if (ret)
		snprintf(why, whylen, "step action %u: %s (%zu mappings)", what, strerror(-ret), n);
	return ret;
}

static int do_pcp(const struct pcp_req *r, char *why, size_t whylen)
{
	__be32 ga = 0;
	__be16 gp = 0;
	uint16_t want = r->got_port ? r->got_port : r->ext_port;
	int ret = lw_b4_explicit_set(&maps, r->proto, ip4(r->int_addr), htons(r->int_port),
				     ip4(r->ext_addr), htons(r->ext_port), r->kind,
				     r->peer ? ip4(r->peer) : 0, mono_ns() + 3600000000000ull, &ga, &gp);

	if (ret)
		return snprintf(why, whylen, "lw_b4_explicit_set %s:%u: %s", r->int_addr, r->int_port,
				strerror(-ret)), -1;
	if (ga != ip4(r->ext_addr) || ntohs(gp) != want)
		return snprintf(why, whylen, "lw_b4_explicit_set %s:%u: external port (expected %u got %u)",
				r->int_addr, r->int_port, want, ntohs(gp)), -1;
	return 0;
}

/* ref_verify_frame leaves quotes alone; the quote of an ICMPv4 error we
 * translated (whole, in these rows) must have a valid IPv4 header checksum
 * and, where the quote holds all of it, a valid L4 checksum: the NAPT's
 * quoted-checksum updates checked by the reference (RFC 5508 REQ-4a/5a). */
static int quote_check(const uint8_t *f, size_t len, char *why, size_t whylen)
{
	size_t off = 14, ihl;
	struct ref_l4_result r;

	if (len >= off + 40 && f[12] == 0x86 && f[13] == 0xdd)
		off += 40;
	if (len < off + 20 || (f[off] >> 4) != 4)
		return snprintf(why, whylen, "no IPv4 packet"), -1;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	off += ihl + 8;
	if (len < off + 20)
		return snprintf(why, whylen, "no quote"), -1;
	if (!ref_ipv4_header_ok(f + off, len - off))
		return snprintf(why, whylen, "quoted ipv4 header checksum"), -1;
	if (ref_l4_check_ipv4(f + off, len - off, &r) == REF_L4_BAD)
		return snprintf(why, whylen, "quoted L4 checksum 0x%04x expected 0x%04x", r.found, r.want), -1;
	return 0;
}

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

int harness_run(const struct tcase *c, char *why, size_t whylen)
{
	static struct built in, exp;
	static uint8_t out[4096];
	static struct snap before, after;
	struct lw_counter stats[LW_B4_STAT_MAX];
	uint64_t want[LW_B4_STAT_MAX] = { 0 };
	char err[512];
	size_t n_ev = 0;

	if (c->special)
		return c->special(c, why, whylen);
	if (apply_setup(c->setup, err, sizeof(err)))
		FAIL("setup: %s", err);
	for (int i = 0; i < MAX_STEPS && c->st[i].side; i++) {
		const struct step *st = &c->st[i];
		struct fr fin = st->in, fout;
		unsigned ifindex = st->side == SIDE_LAN ? (unsigned)lan_ifindex : (unsigned)wan_ifindex;
		size_t outlen = 0;
		uint32_t action = 0;
		struct pktcmp_diff d;
		int nd;

		if (st->before && do_before(st->before, why, whylen))
			return 1;
		if (st->pcp && do_pcp(st->pcp, why, whylen))
			return 1;
		if (st->out)
			fout = *st->out;
		if (st->dyn && st->side == SIDE_LAN) {
			/* run first, then read the NAPT's choice */
		} else if (st->dyn) {
			uint16_t p = mapped_port(fr_proto(&fout), fout.d4,
						 fout.l4 == L4_ICMP ? fout.sport : fout.dport);

			if (!p)
				FAIL("step %d: no mapping for %s:%u", i + 1, fout.d4, fout.dport);
			if (fin.l4 == L4_ICMP)
				fin.sport = p;
			else
				fin.dport = p;
		}
		if (build(&fin, &in))
			FAIL("step %d: input frame", i + 1);
		if (is_icmp4_error(&fin) && snapshot(&before))
			FAIL("step %d: reading the mappings", i + 1);
		if (aftr_env_run(&env, ifindex, in.buf, in.len, out, sizeof(out), &outlen, &action))
			FAIL("step %d: BPF_PROG_TEST_RUN: %s", i + 1, strerror(errno));
		if (is_icmp4_error(&fin) && (snapshot(&after) || !snap_same(&before, &after)))
			FAIL("step %d: B4-NAT-13/16 an ICMP error changed, refreshed or removed a mapping", i + 1);
		ring_buffer__consume(rb);
		if (st->dyn && st->side == SIDE_LAN) {
			uint16_t p = mapped_port(fr_proto(&fin), fin.s4, fin.sport);

			if (!p)
				FAIL("step %d: no mapping created for %s:%u", i + 1, fin.s4, fin.sport);
			if (!in_pool(ip4(st->out->s4), p))
				FAIL("step %d: B4-NAT-1 external port %u outside the pool", i + 1, p);
			fout.sport = p;
		}
		if (st->out && build(&fout, &exp))
			FAIL("step %d: expected frame", i + 1);
		if (verbose) {
			dump("in", in.buf, in.len);
			if (st->out)
				dump("expected", exp.buf, exp.len);
			dump(act_name(action), out, outlen);
		}
		if (action != st->act)
			FAIL("step %d: action (expected %s got %s)", i + 1, act_name(st->act), act_name(action));
		if (st->tcp_state && tcp_state_check(st, &fin, &fout, err, sizeof(err)))
			FAIL("step %d: %s", i + 1, err);
		if (st->act == XDP_DROP)
			continue;
		if (!st->out) {
			if (outlen != in.len || memcmp(out, in.buf, in.len))
				FAIL("step %d: passed frame was modified", i + 1);
			continue;
		}
		nd = pktcmp(out, outlen, exp.buf, exp.len, 0, &d, 1);
		if (nd < 0)
			FAIL("pktcmp: %s", strerror(-nd));
		if (nd > 0)
			FAIL("step %d: output %s (expected %s got %s)", i + 1, d.field, d.expected, d.actual);
		if (ref_verify_frame(out, outlen, err, sizeof(err)))
			FAIL("step %d: output checksum: %s", i + 1, err);
		if (st->out->l4 == L4_ICMP && st->out->quote && quote_check(out, outlen, err, sizeof(err)))
			FAIL("step %d: quoted packet: %s", i + 1, err);
	}

	for (int i = 0; i < MAX_CTR && c->ctr[i].packets; i++)
		want[c->ctr[i].stat] += c->ctr[i].packets;
	for (int i = 0; i < MAX_EVX && c->ev[i].type; i++)
		n_ev++;
	want[LW_B4_STAT_EVENT_SENT] += n_ev;
	if (lw_b4_stats_read(&maps, stats))
		FAIL("lw_b4_stats_read: %s", strerror(errno));
	for (unsigned s = 0; s < LW_B4_STAT_MAX; s++)
		if (stats[s].packets != want[s])
			FAIL("counter %s (expected %llu got %llu)", lw_b4_stat_name(s),
			     (unsigned long long)want[s], (unsigned long long)stats[s].packets);
	if (evs.n != n_ev)
		FAIL("events (expected %zu got %zu)", n_ev, evs.n);
	for (size_t i = 0; i < n_ev; i++) {
		const struct evx *x = &c->ev[i];
		const struct lw_b4_event *e = &evs.ev[i];

		if (e->type != x->type || e->mtu != x->mtu)
			FAIL("event %zu (expected type %u mtu %u got type %u mtu %u)", i, x->type, x->mtu,
			     e->type, e->mtu);
		if (e->ps_first != x->ps_first || e->ps_size != x->ps_size)
			FAIL("event %zu port set (expected %u/%u got %u/%u)", i, x->ps_first, x->ps_size,
			     e->ps_first, e->ps_size);
		if (e->cap_len == 0 || e->cap_len > e->pkt_len)
			FAIL("event %zu captured %u of %u bytes", i, e->cap_len, e->pkt_len);
	}
	return check_invariants(c->mappings, why, whylen);
}

/* ---- verifier budget ---------------------------------------------------------------- */

#define VERIFIER_BUDGET 250000u
#define LOG_SIZE (1u << 20)

int verifier_check(const struct tcase *c, char *why, size_t whylen)
{
	struct bpf_object *o;
	struct bpf_program *prog;
	struct bpf_map *map;
	unsigned long insns = 0;
	const char *p;
	char *log = calloc(1, LOG_SIZE);
	int ret = 1;

	if (!log)
		FAIL("out of memory");
	o = bpf_object__open_file(obj_path, NULL);
	if (!o) {
		snprintf(why, whylen, "cannot open %s: %s", obj_path, strerror(errno));
		free(log);
		return 1;
	}
	bpf_object__for_each_map(map, o)
		bpf_map__set_pin_path(map, NULL);
	prog = bpf_object__find_program_by_name(o, LW_B4_PROG_NAME);
	if (!prog) {
		snprintf(why, whylen, "no program " LW_B4_PROG_NAME);
		goto out;
	}
	bpf_program__set_log_level(prog, 4);
	bpf_program__set_log_buf(prog, log, LOG_SIZE);
	if (bpf_object__load(o)) {
		snprintf(why, whylen, "load failed; log: %.300s", log);
		goto out;
	}
	p = strstr(log, "processed ");
	if (!p || sscanf(p, "processed %lu insns", &insns) != 1) {
		snprintf(why, whylen, "no \"processed N insns\" in the verifier log");
		goto out;
	}
	printf("# verifier: " LW_B4_PROG_NAME " processed %lu insns (budget %u, limit 1000000)\n",
	       insns, VERIFIER_BUDGET);
	if (insns > VERIFIER_BUDGET) {
		snprintf(why, whylen, "processed instructions (expected <= %u got %lu)", VERIFIER_BUDGET,
			 insns);
		goto out;
	}
	ret = 0;
out:
	bpf_object__close(o);
	free(log);
	return ret;
}

/* ---- for race.c and punt.c ------------------------------------------------------------------ */

int harness_setup(const struct setup *s, char *err, size_t errlen)
{
	return apply_setup(s, err, errlen);
}

int harness_build(const struct fr *f, uint8_t *buf, size_t cap, size_t *len)
{
	static struct built b;

	if (build(f, &b) || b.len > cap)
		return -1;
	memcpy(buf, b.buf, b.len);
	*len = b.len;
	return 0;
}

int harness_prog_fd(void)
{
	return env.prog_fd;
}

int harness_ifindex(uint8_t side)
{
	return side == SIDE_LAN ? lan_ifindex : wan_ifindex;
}

const struct lw_b4_maps *harness_maps(void)
{
	return &maps;
}

int harness_invariants(int want, char *why, size_t whylen)
{
	return check_invariants(want, why, whylen);
}

size_t harness_events(const struct lw_b4_event **ev)
{
	ring_buffer__consume(rb);
	*ev = evs.ev;
	return evs.n;
}

void harness_drain_events(void)
{
	ring_buffer__consume(rb);
	evs.n = 0;
}
