// SPDX-License-Identifier: GPL-2.0
/* What `lw4o6 status` says of a next-hop cache (include/lw4o6/nexthop.h),
 * for both roles: the operator's setting and, per family, whether packets
 * take the cache or the FIB, and why. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "lw4o6/nexthop.h"
#include "nh_classify.h"
#include "nh_map.h"
#include "cli.h"
#include "nh_status.h"

struct nh_view {
	struct lw_nh_entry e;
	bool live;     /* cached and within its lease */
	long lease_ms; /* left; negative: over */
};

static void view(int fd, unsigned fam, uint64_t now, unsigned hz, struct nh_view *v)
{
	memset(v, 0, sizeof(*v));
	if (fd < 0 || lw_nh_map_lookup(fd, fam, &v->e))
		return;
	if (hz)
		v->lease_ms = (long)((int64_t)(v->e.expires - now) * 1000 / (int64_t)hz);
	v->live = v->e.mode == LW_NH_CACHED && hz && v->e.expires > now;
}

static const char *words(const struct nh_view *v)
{
	if (v->e.mode == LW_NH_CACHED && !v->live)
		return "lease over (no daemon renews it)";
	return lw_nh_reason_name(v->e.reason);
}

static void print_json(const struct nh_view *v, unsigned fam)
{
	char gw[INET6_ADDRSTRLEN] = "", dev[IF_NAMESIZE];
	int family = fam == LW_NH_IPV4 ? AF_INET : AF_INET6;

	printf("\"%s\":{\"mode\":\"%s\",\"reason\":", fam == LW_NH_IPV4 ? "ipv4" : "ipv6",
	       v->live ? "cached" : "fib");
	lw_json_str(stdout, words(v));
	if (v->live) {
		inet_ntop(family, v->e.gateway, gw, sizeof(gw));
		printf(",\"via\":\"%s\",\"dev\":", gw);
		lw_json_str(stdout, lw_ifname(v->e.ifindex, dev));
		printf(",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"mtu\":%u,\"exceptions\":%u,"
		       "\"lease-ms\":%ld",
		       v->e.dmac[0], v->e.dmac[1], v->e.dmac[2], v->e.dmac[3], v->e.dmac[4],
		       v->e.dmac[5], v->e.mtu, v->e.n_except, v->lease_ms);
	}
	printf(",\"updates\":%u}", v->e.seq);
}

static void print_text(const struct nh_view *v, unsigned fam)
{
	char gw[INET6_ADDRSTRLEN] = "", dev[IF_NAMESIZE];
	int family = fam == LW_NH_IPV4 ? AF_INET : AF_INET6;

	printf("  %-13s ", fam == LW_NH_IPV4 ? "IPv4" : "IPv6");
	if (!v->live) {
		printf("FIB (%s)\n", words(v));
		return;
	}
	inet_ntop(family, v->e.gateway, gw, sizeof(gw));
	printf("cached: via %s dev %s (%02x:%02x:%02x:%02x:%02x:%02x), mtu %u, %u exceptions, "
	       "lease %.1f s\n",
	       gw, lw_ifname(v->e.ifindex, dev), v->e.dmac[0], v->e.dmac[1], v->e.dmac[2],
	       v->e.dmac[3], v->e.dmac[4], v->e.dmac[5], v->e.mtu, v->e.n_except,
	       v->lease_ms / 1000.0);
}

void lw_nh_print_status(const char *pin_path, const char *setting, const unsigned *fams, unsigned n,
			bool json)
{
	int fd = bpf_obj_get(pin_path);
	uint64_t now = 0;
	unsigned hz = 0;

	if (lw_nh_jiffies(&now, &hz))
		hz = 0;
	if (json)
		printf("\"nexthop\":{\"setting\":\"%s\"", setting);
	else
		printf("next hop        %s%s\n", setting,
		       fd < 0 ? " (no next-hop map: an older data plane)" : "");
	for (unsigned i = 0; i < n; i++) {
		struct nh_view v;

		view(fd, fams[i], now, hz, &v);
		if (json) {
			printf(",");
			print_json(&v, fams[i]);
		} else {
			print_text(&v, fams[i]);
		}
	}
	if (json)
		printf("},");
	if (fd >= 0)
		close(fd);
}

void lw_nh_after_load(const char *pin_path, int fd)
{
	int own = -1;

	if (fd < 0 && pin_path)
		fd = own = bpf_obj_get(pin_path);
	if (fd >= 0 && lw_nh_fall_back_all(fd, LW_NH_WHY_CHANGING))
		fprintf(stderr, "lw4o6: warning: cannot reset the next-hop cache\n");
	if (own >= 0)
		close(own);
}
