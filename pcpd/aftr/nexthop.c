// SPDX-License-Identifier: GPL-2.0
/* pcpd --role aftr keeps the lwAFTR's next-hop cache (lw_nexthop, issue 11)
 * right: lib/net/nh_watch.c follows rtnetlink, this file says what the
 * lwAFTR wants (from its configuration map, read again at each judgement)
 * and where pcpd's log goes. Without pcpd the cache stays in FIB mode. */
#include <stdio.h>

#include "pcpd_aftr.h"
#include "aftr_nexthop.h"

static int nh_spec(void *ctx, struct lw_nh_spec *spec)
{
	struct pcpd *d = ctx;
	struct lw_aftr_config cfg;

	if (lw_aftr_config_read(&d->maps, &cfg))
		return -1;
	lw_aftr_nh_spec(&cfg, spec);
	return 0;
}

static void nh_log(void *ctx, bool warn, const char *msg)
{
	pcpd_log(warn ? LOG_WARN_ : LOG_INFO_, "%s", msg);
}

int pcpd_nh_start(struct pcpd *d, char *err, size_t errlen)
{
	const struct lw_nh_watch_ops ops = {
		.pin_path = d->nh_pin,
		.spec = nh_spec,
		.log = nh_log,
		.ctx = d,
	};

	lw_aftr_nh_pin_path(d->cfg.pin_root, d->nh_pin, sizeof(d->nh_pin));
	return lw_nh_watch_open(&d->nh, &ops, err, errlen);
}

int pcpd_nh_fd(const struct pcpd *d)
{
	return d->nh ? lw_nh_watch_fd(d->nh) : -1;
}

void pcpd_nh_readable(void *ctx)
{
	struct pcpd *d = ctx;

	lw_nh_watch_readable(d->nh);
}

void pcpd_nh_tick(struct pcpd *d)
{
	if (d->nh)
		lw_nh_watch_tick(d->nh);
}

void pcpd_nh_stop(struct pcpd *d)
{
	lw_nh_watch_close(d->nh);
	d->nh = NULL;
}
