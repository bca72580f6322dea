// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pinned_maps.h"
#include "errmsg.h"

static const __u32 key0;

static int *slot_fd(const struct lw_map_set *set, void *fds, size_t i)
{
	return (int *)((char *)fds + set->slots[i].off);
}

int lw_map_set_from_obj(const struct lw_map_set *set, struct bpf_object *obj, void *fds, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < set->n_slots; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, set->slots[i].name);

		if (!map)
			return lw_errf_code(
				-ENOENT, err, errlen,
				"BPF object has no map %s: not an %s object of this build",
				set->slots[i].name, set->role_name);
		*slot_fd(set, fds, i) = bpf_map__fd(map);
	}
	return 0;
}

void lw_map_set_close(const struct lw_map_set *set, void *fds)
{
	for (size_t i = 0; i < set->n_slots; i++) {
		int *fd = slot_fd(set, fds, i);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

static int open_pins(const struct lw_map_set *set, const char *root, void *fds, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < set->n_slots; i++)
		*slot_fd(set, fds, i) = -1;
	for (size_t i = 0; i < set->n_slots; i++) {
		char path[PATH_MAX];
		int fd, e;

		snprintf(path, sizeof(path), "%s/%s", root, set->slots[i].name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			*slot_fd(set, fds, i) = fd;
			continue;
		}
		e = errno;
		lw_map_set_close(set, fds);
		if (e == ENOENT)
			return lw_errf_code(-ENOENT, err, errlen, "%s not found: no %s is loaded",
					    path, set->role_name);
		return lw_errf_code(-e, err, errlen, "cannot open %s: %s", path, strerror(e));
	}
	return 0;
}

int lw_map_set_open_pinned(const struct lw_map_set *set, const char *root, void *fds,
			   struct lw_meta *meta, char *err, size_t errlen)
{
	struct lw_meta found = {};
	int r = open_pins(set, root, fds, err, errlen);

	if (r)
		return r;
	if (lw_map_entry0_read(*slot_fd(set, fds, 0), &found) ||
	    !lw_meta_compatible(&found, set->role)) {
		lw_map_set_close(set, fds);
		if (meta)
			*meta = found;
		return lw_errf_code(
			-ENOTSUP, err, errlen,
			"maps pinned under %s come from an incompatible build or role (ABI %u "
			"role %u, this build ABI %u role %u)",
			root, found.abi_version, found.role, LW_ABI_VERSION, set->role);
	}
	return 0;
}

int lw_map_entry0_read(int fd, void *val)
{
	return bpf_map_lookup_elem(fd, &key0, val) ? -errno : 0;
}

int lw_map_entry0_write(int fd, const void *val)
{
	return bpf_map_update_elem(fd, &key0, val, BPF_ANY) ? -errno : 0;
}

int lw_meta_write(int fd, enum lw_role role)
{
	struct lw_meta meta = { .abi_version = LW_ABI_VERSION, .role = role };

	return lw_map_entry0_write(fd, &meta);
}

int lw_pinned_meta_read(const char *root, const char *name, struct lw_meta *meta)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	r = lw_map_entry0_read(fd, meta);
	close(fd);
	return r;
}

bool lw_meta_compatible(const struct lw_meta *meta, enum lw_role role)
{
	return meta->abi_version == 0 ||
	       (meta->abi_version == LW_ABI_VERSION && meta->role == (__u32)role);
}
