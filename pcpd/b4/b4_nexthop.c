// SPDX-License-Identifier: GPL-2.0
/* pcpd --role b4 keeps the lwB4's next-hop cache (lw_b4_nexthop, issue 11):
 * the way to the lwAFTR, followed from rtnetlink by lib/net/nh_watch.c.
 * Without pcpd the data plane asks the FIB. */
#include "b4_priv.h"
#include "b4_nexthop.h"

static int nh_spec(void *ctx, struct lw_nh_spec *spec)
{
	struct b4d *d = ctx;
	struct lw_b4_config cfg;

	if (lw_b4_config_read(&d->maps, &cfg))
		return -1;
	lw_b4_nh_spec(&cfg, spec);
	return 0;
}

static void nh_log(void *ctx, bool warn, const char *msg)
{
	pcpd_log(warn ? LOG_WARN_ : LOG_INFO_, "%s", msg);
}

void b4_nh_start(struct b4d *d)
{
	const struct lw_nh_watch_ops ops = {
		.pin_path = d->nh_pin,
		.spec = nh_spec,
		.log = nh_log,
		.ctx = d,
	};
	char err[256];

	lw_b4_nh_pin_path(d->cfg.pin_root, d->nh_pin, sizeof(d->nh_pin));
	/* without it every packet asks the FIB: slower, still right */
	if (lw_nh_watch_open(&d->nh, &ops, err, sizeof(err)))
		pcpd_log(LOG_WARN_, "next-hop cache not kept: %s", err);
}

int b4_nh_fd(const struct b4d *d)
{
	return d->nh ? lw_nh_watch_fd(d->nh) : -1;
}

void b4_nh_readable(void *ctx)
{
	struct b4d *d = ctx;

	lw_nh_watch_readable(d->nh);
}

void b4_nh_tick(struct b4d *d)
{
	if (d->nh)
		lw_nh_watch_tick(d->nh);
}

void b4_nh_stop(struct b4d *d)
{
	lw_nh_watch_close(d->nh);
	d->nh = NULL;
}
