// SPDX-License-Identifier: GPL-2.0
/* pcpd --role aftr follows its data plane (pcpd_aftr.h): `lw4o6 unload`,
 * a load after it (new maps: another meta map id), maps of another ABI,
 * and a program replaced over the same maps. bpffs sends no inotify event
 * for a pin made or removed through bpf(2), so the pins are polled: two
 * bpf_obj_get() every PCPD_DP_WATCH_MS. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pcpd_aftr.h"
#include "pinned_maps.h"

#define DP_SETTLE_MS 1000

static __u32 id_of(int fd, bool prog)
{
	struct bpf_prog_info pi = {};
	struct bpf_map_info mi = {};
	__u32 len = prog ? sizeof(pi) : sizeof(mi);

	if (bpf_obj_get_info_by_fd(fd, prog ? (void *)&pi : (void *)&mi, &len))
		return 0;
	return prog ? pi.id : mi.id;
}

/* The id of the map pinned at root/name; 0 when there is none. fd_out
 * (may be NULL) receives the descriptor, else it is closed. */
static __u32 pinned_map_id(const char *root, const char *name, int *fd_out)
{
	char path[PATH_MAX];
	__u32 id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	id = id_of(fd, false);
	if (fd_out && id)
		*fd_out = fd;
	else
		close(fd);
	return id;
}

/* The program `lw4o6 load aftr` pinned beside the maps (cli/instance.h); 0
 * when there is none (a load by xdp-loader, or unloaded). */
static __u32 prog_id(const struct pcpd *d)
{
	char path[PATH_MAX];
	__u32 id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s_prog", d->cfg.pin_root, LW_AFTR_PROG_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	id = id_of(fd, true);
	close(fd);
	return id;
}

void pcpd_dp_watch_init(struct pcpd *d)
{
	d->dp_meta_id = pinned_map_id(d->cfg.pin_root, LW_STR(LW_MAP_META), NULL);
	d->dp_prog_id = prog_id(d);
	d->dp_gone = false;
}

static void gone(struct pcpd *d, const char *why)
{
	if (!d->dp_gone)
		pcpd_log(LOG_WARN_,
			 "the lwAFTR under %s %s: MAP requests are answered NETWORK_FAILURE "
			 "until an lwAFTR is loaded there again",
			 d->cfg.pin_root, why);
	d->dp_gone = true;
	d->dp_meta_id = 0;
}

/* New maps: pcpd's descriptors and its ring buffer follow them, and what
 * pcpd holds goes back in. The old ring stays in the ring buffer (its
 * epoll descriptor is the loop's), silent: nothing produces into it. */
static void reopen(struct pcpd *d, __u32 meta_id)
{
	struct lw_aftr_maps maps;
	char err[512];
	size_t n;

	if (lw_aftr_maps_open_pinned(d->cfg.pin_root, &maps, err, sizeof(err))) {
		bool said = d->dp_gone;

		gone(d, "cannot be opened");
		if (!said)
			pcpd_log(LOG_WARN_, "%s", err);
		return;
	}
	if (d->rb && ring_buffer__add(d->rb, maps.events, pcpd_handle_event, d)) {
		pcpd_log(LOG_ERR_, "the new lw_events ring buffer: %s: data-plane events are lost",
			 strerror(errno));
	}
	lw_aftr_maps_close(&d->maps);
	d->maps = maps;
	d->dp_meta_id = meta_id;
	d->dp_prog_id = prog_id(d);
	d->dp_gone = false;
	n = pcpd_server_put_back(d);
	pcpd_log(LOG_WARN_,
		 "the lwAFTR under %s was loaded again (new maps, program id %u): maps reopened; "
		 "pools, BR addresses and %zu bindings put back",
		 d->cfg.pin_root, d->dp_prog_id, n);
}

void pcpd_dp_watch_tick(struct pcpd *d)
{
	struct lw_meta meta = {};
	uint64_t now = pcpd_now_ms();
	__u32 meta_id, pid;
	int fd = -1;

	if (now < d->next_dp_watch_ms)
		return;
	d->next_dp_watch_ms = now + PCPD_DP_WATCH_MS;
	meta_id = pinned_map_id(d->cfg.pin_root, LW_STR(LW_MAP_META), &fd);
	if (!meta_id) {
		gone(d, "was unloaded (its maps are no longer pinned)");
		return;
	}
	if (lw_map_entry0_read(fd, &meta) || !lw_meta_compatible(&meta, LW_ROLE_AFTR)) {
		char why[96];

		close(fd);
		snprintf(why, sizeof(why), "has maps of another build (ABI %u, pcpd's %u)",
			 meta.abi_version, LW_ABI_VERSION);
		gone(d, why);
		return;
	}
	close(fd);
	pid = prog_id(d);
	if (meta_id != d->dp_meta_id) {
		/* lw4o6 load pins the maps, installs its file, then pins the
		 * program: until then its installation may still undo ours. A
		 * loader that pins no program (xdp-loader, then lw4o6
		 * configure) gets DP_SETTLE_MS. */
		if (!d->dp_new_since_ms)
			d->dp_new_since_ms = now;
		if (!pid && now - d->dp_new_since_ms < DP_SETTLE_MS)
			return;
		d->dp_new_since_ms = 0;
		reopen(d, meta_id);
		return;
	}
	if (pid && pid != d->dp_prog_id)
		pcpd_log(LOG_INFO_,
			 "the lwAFTR under %s has a new program (id %u, was %u) on the same maps: "
			 "nothing to reopen",
			 d->cfg.pin_root, pid, d->dp_prog_id);
	d->dp_prog_id = pid;
}
