/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's configuration file: one "key value" statement per line,
 * '#' starts a comment. Every error names the file, the line and the word.
 *
 *   pin-root DIR           the lwB4's maps (lw4o6 --pin-root DIR load b4)
 *   database FILE          SQLite file of the grants received
 *   aftr-ipv6 ADDR         the lwAFTR (BR) the PCP server sits behind (required)
 *   tunnel-ipv6 ADDR       our softwire endpoint (required)
 *   lifetime S             requested lifetime, 1..86400 (default 7200)
 *   irt-ms MS              initial retransmission time, 10..60000 (default 3000)
 *   reannounce-delay-ms MS upper bound of the random delay before re-requesting
 *                          after an ANNOUNCE or an epoch jump, 0..60000 (1000)
 *   expire-interval S      NAPT housekeeping period, 1..3600 (default 5)
 *   max-sets N             port sets held at once, 1..8 (default 4)
 *   grow-percent P         ask for another set when this share of the pool's
 *                          ports is mapped, 1..100 (default 80); also the
 *                          lwB4's pool-warn threshold
 *   release-percent P      give an idle extra set back only when usage of the
 *                          remaining sets stays below P %, 0..99, below
 *                          grow-percent (default 50; 0 = never give back)
 *   release-idle S         ... and the set has had no mapping for S seconds,
 *                          1..86400 (default 600)
 *   lan-address A          serve PCP to the LAN on A:5351 (PCPC-12); without
 *                          it there is no LAN server
 *   lan-interface IF       where the LAN ANNOUNCE (224.0.0.1:5350) leaves;
 *                          default: the interface that holds lan-address
 *   lan-min-lifetime S     bounds of the lifetimes granted to LAN hosts,
 *   lan-max-lifetime S     RFC 6887 §15 (defaults 120 and 7200)
 *   icmp-rate N            ICMPv4 errors to LAN hosts (3/4 too big, 11/0 TTL
 *                          expired) per second, a bucket as deep as one
 *                          second's worth, 0..100000 (default 100; 0 = none)
 *   log-level error|warning|info|debug */
#ifndef LW4O6_B4_CONFIG_H
#define LW4O6_B4_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>

struct b4_config {
	char pin_root[256];
	char database[256];
	struct in6_addr aftr;
	struct in6_addr tunnel;
	bool has_aftr, has_tunnel;
	uint32_t lifetime;
	uint32_t irt_ms;
	uint32_t reannounce_delay_ms;
	uint32_t expire_interval;
	uint32_t max_sets;
	uint32_t grow_pct, release_pct, release_idle_s;
	bool has_lan;
	__be32 lan_addr;
	char lan_ifname[16];
	uint32_t lan_min_lifetime, lan_max_lifetime;
	uint32_t icmp_rate; /* errors to LAN hosts per second */
	int log_level;      /* 0 error, 1 warning, 2 info, 3 debug */
};

void b4_config_defaults(struct b4_config *c);
/* Returns 0 or -EINVAL/-ENOMEM with e.g. "b4.conf:3: lifetime: 0 is outside 1..86400". */
int b4_config_parse(const char *text, const char *name, struct b4_config *c, char *err,
		    size_t errlen);
int b4_config_load(const char *path, struct b4_config *c, char *err, size_t errlen);

#endif
