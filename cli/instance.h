/* SPDX-License-Identifier: GPL-2.0 */
/* An instance is a pin root: its maps and the XDP program it attached,
 * pinned beside them as <pin root>/<program name>_prog. The program pin is
 * how load, unload and status tell this instance's program from another
 * pin root's program of the same name, or from any other XDP program. */
#ifndef LW4O6_CLI_INSTANCE_H
#define LW4O6_CLI_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The interfaces a load attaches to (one or two: the same twice on a stick). */
struct lw_attach_target {
	unsigned ifindex[2];
	const char *dev[2];
	unsigned n;
	__u32 xdp_flags; /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	const char *prog_name;
	/* Pins of a build before program pins: the interfaces their
	 * configuration names, whose program named prog_name is taken for
	 * this instance's (0: none). */
	unsigned legacy_ifindex[2];
};

void lw_attach_target_init(struct lw_attach_target *t, unsigned if1, const char *dev1, unsigned if2,
			   const char *dev2, __u32 xdp_flags, const char *prog_name);

/* <pin root>/<prog_name>_prog */
void lw_instance_prog_pin_path(const char *prog_name, char *buf, size_t len);

/* The program this pin root's instance attached: a descriptor, or -errno
 * (-ENOENT: none pinned, e.g. pins of a build before program pins). */
int lw_instance_prog_fd(const char *prog_name);

/* Whether this instance's program (pinned, or the legacy one of t) exists:
 * a load over it attaches before it installs its configuration. */
bool lw_instance_running(const struct lw_attach_target *t);

/* Before anything is loaded: each interface of t carries no XDP program or
 * this instance's. 0, or LW_EXIT_FAIL after naming the other program (and
 * the pin root of another lw4o6 instance when one under a bpffs pins it). */
int lw_instance_check_target(const struct lw_attach_target *t);

/* Attaches prog_fd to t, replacing this instance's program atomically where
 * it runs in the same mode (XDP_FLAGS_REPLACE); a mode change detaches first
 * (a gap, warned about). Then detaches this instance's old program from
 * interfaces outside t and pins prog_fd as the instance's program. On a
 * failure every interface is left as it was. 0 or LW_EXIT_FAIL. */
int lw_instance_attach(const struct lw_attach_target *t, int prog_fd);

/* Detaches this instance's program from every interface of this network
 * namespace that runs it, whatever the maps say (their ABI may be another
 * build's). The number detached, or -ENOENT when no program is pinned (the
 * caller falls back to detaching by name). */
int lw_instance_detach(const char *prog_name);
/* Pins with no program pin (configure, unload --keep-maps, a build before
 * program pins): detaches the program named prog_name from the interfaces
 * the configuration names, unless another pin root pins it (then it is
 * that instance's and stays, with a warning). */
void lw_instance_detach_unpinned(unsigned if1, unsigned if2, const char *prog_name);

/* What a pin root held before a load, so that a failed load removes what
 * it pinned (and the directory if it made it). */
struct lw_pin_snapshot {
	bool existed;
	char **names;
	size_t n;
};

int lw_pins_snapshot(struct lw_pin_snapshot *s);
/* Removes every pin that was not in s (and the pin root if it did not
 * exist), then frees s. */
void lw_pins_restore(struct lw_pin_snapshot *s);
void lw_pins_snapshot_free(struct lw_pin_snapshot *s);

#endif
