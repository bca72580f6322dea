// SPDX-License-Identifier: GPL-2.0
/* Which XDP program is this pin root's: pinned beside the maps, compared by
 * id with what each interface runs. See instance.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "instance.h"
#include "cli.h"

/* The XDP program on an interface, in the one mode it runs in. */
struct xdp_slot {
	__u32 id;
	__u32 mode_flag; /* XDP_FLAGS_DRV_MODE, _SKB_MODE, _HW_MODE; 0 none */
};

static struct xdp_slot xdp_slot_of(unsigned ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct xdp_slot s = {};

	if (!ifindex || bpf_xdp_query((int)ifindex, 0, &q))
		return s;
	if (q.drv_prog_id) {
		s.id = q.drv_prog_id;
		s.mode_flag = XDP_FLAGS_DRV_MODE;
	} else if (q.skb_prog_id) {
		s.id = q.skb_prog_id;
		s.mode_flag = XDP_FLAGS_SKB_MODE;
	} else if (q.hw_prog_id) {
		s.id = q.hw_prog_id;
		s.mode_flag = XDP_FLAGS_HW_MODE;
	}
	return s;
}

static __u32 prog_id_of(int fd, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return 0;
	if (name)
		snprintf(name, len, "%s", info.name);
	return info.id;
}

void lw_instance_prog_pin_path(const char *prog_name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s_prog", lw_pin_root, prog_name);
}

void lw_attach_target_init(struct lw_attach_target *t, unsigned if1, const char *dev1, unsigned if2,
			   const char *dev2, __u32 xdp_flags, const char *prog_name)
{
	*t = (struct lw_attach_target){ .ifindex = { if1, if2 },
					.dev = { dev1, dev2 },
					.n = if1 == if2 ? 1 : 2,
					.xdp_flags = xdp_flags,
					.prog_name = prog_name };
}

int lw_instance_prog_fd(const char *prog_name)
{
	char path[PATH_MAX];
	int fd;

	lw_instance_prog_pin_path(prog_name, path, sizeof(path));
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static __u32 instance_prog_id(const char *prog_name)
{
	int fd = lw_instance_prog_fd(prog_name);
	__u32 id;

	if (fd < 0)
		return 0;
	id = prog_id_of(fd, NULL, 0);
	close(fd);
	return id;
}

/* Looks for "<prog_name>_prog" pins of program id under dir, depth levels
 * down: the pin root of another lw4o6 instance. */
static bool find_pin_of(const char *dir, const char *pin_name, __u32 id, int depth, char *root,
			size_t len)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[PATH_MAX];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && depth > 0) {
			found = find_pin_of(path, pin_name, id, depth - 1, root, len);
		} else if (!strcmp(de->d_name, pin_name) && (fd = bpf_obj_get(path)) >= 0) {
			found = prog_id_of(fd, NULL, 0) == id;
			close(fd);
			if (found)
				snprintf(root, len, "%s", dir);
		}
	}
	closedir(d);
	return found;
}

/* The pin root of the lw4o6 instance whose program id is, on any bpffs
 * mounted here; false when none says so. */
static bool pin_root_of(const char *prog_name, __u32 id, char *root, size_t len)
{
	char pin_name[NAME_MAX];
	struct mntent *m;
	bool found = false;
	FILE *f = setmntent("/proc/self/mounts", "r");

	if (!f)
		return false;
	snprintf(pin_name, sizeof(pin_name), "%s_prog", prog_name);
	while (!found && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "bpf"))
			found = find_pin_of(m->mnt_dir, pin_name, id, 3, root, len);
	endmntent(f);
	return found;
}

void lw_instance_detach_unpinned(unsigned if1, unsigned if2, const char *prog_name)
{
	unsigned ifs[] = { if1, if2 };

	for (int i = 0; i < (if1 == if2 ? 1 : 2); i++) {
		struct xdp_slot s = xdp_slot_of(ifs[i]);
		char root[PATH_MAX], dev[IF_NAMESIZE];
		int r;

		if (!s.id)
			continue;
		if (pin_root_of(prog_name, s.id, root, sizeof(root))) {
			fprintf(stderr,
				"lw4o6: warning: %s runs the %s (id %u) of the instance pinned "
				"under %s, not this one's: left alone\n",
				lw_ifname(ifs[i], dev), prog_name, s.id, root);
			continue;
		}
		r = lw_xdp_detach_named(ifs[i], prog_name);
		if (r < 0)
			fprintf(stderr, "lw4o6: warning: cannot detach from %s: %s\n",
				lw_ifname(ifs[i], dev), strerror(-r));
	}
}

static int refuse_foreign(const char *dev, const char *prog_name, __u32 id)
{
	char name[BPF_OBJ_NAME_LEN] = "?", root[PATH_MAX];
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0) {
		prog_id_of(fd, name, sizeof(name));
		close(fd);
	}
	if (!strcmp(name, prog_name) && pin_root_of(prog_name, id, root, sizeof(root)))
		return lw_fail(
			"%s runs the XDP program %s (id %u) of the lw4o6 instance pinned under "
			"%s, not of this one (%s): unload it with 'lw4o6 --pin-root %s unload' "
			"or choose another interface",
			dev, name, id, root, lw_pin_root, root);
	if (!strcmp(name, prog_name))
		return lw_fail("%s runs the XDP program %s (id %u) of another lw4o6 instance (its "
			       "pins are not under %s): unload it there, or detach it with "
			       "'ip link set dev %s xdp off'",
			       dev, name, id, lw_pin_root, dev);
	return lw_fail("%s already has an XDP program: %s (id %u); detach it first (e.g. "
		       "'ip link set dev %s xdp off' or 'xdp-loader unload %s --all')",
		       dev, name, id, dev, dev);
}

static bool legacy_named(const struct lw_attach_target *t, unsigned ifindex)
{
	return ifindex && (t->legacy_ifindex[0] == ifindex || t->legacy_ifindex[1] == ifindex);
}

/* With no program pinned: the program named prog_name on an interface the
 * pinned configuration names is the one a build before program pins
 * attached for this pin root. Its id, or 0. */
static __u32 legacy_prog_id(const struct lw_attach_target *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct xdp_slot s = xdp_slot_of(t->ifindex[i]);
		char name[BPF_OBJ_NAME_LEN] = "", other[PATH_MAX];
		int fd;

		if (!s.id || !legacy_named(t, t->ifindex[i]))
			continue;
		fd = bpf_prog_get_fd_by_id(s.id);
		if (fd < 0)
			continue;
		prog_id_of(fd, name, sizeof(name));
		close(fd);
		if (!strcmp(name, t->prog_name) &&
		    !pin_root_of(t->prog_name, s.id, other, sizeof(other)))
			return s.id; /* (pinned elsewhere: another instance's) */
	}
	return 0;
}

/* This instance's program: the pinned one, else (pins of an older build)
 * the one its configuration's interfaces run. */
static __u32 own_prog_id(const struct lw_attach_target *t)
{
	__u32 id = instance_prog_id(t->prog_name);

	return id ? id : legacy_prog_id(t);
}

bool lw_instance_running(const struct lw_attach_target *t)
{
	return own_prog_id(t) != 0;
}

int lw_instance_check_target(const struct lw_attach_target *t)
{
	__u32 ours = own_prog_id(t);

	for (unsigned i = 0; i < t->n; i++) {
		struct xdp_slot s = xdp_slot_of(t->ifindex[i]);

		if (s.id && s.id != ours)
			return refuse_foreign(t->dev[i], t->prog_name, s.id);
	}
	return 0;
}

/* What one interface ran before the attach, to put it back. */
struct undo {
	struct xdp_slot before;
	bool changed;
};

static int replace_on(unsigned ifindex, int new_fd, __u32 flags, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = old_fd);

	return bpf_xdp_attach((int)ifindex, new_fd, flags | XDP_FLAGS_REPLACE, &o) ? -errno : 0;
}

static int detach_from(unsigned ifindex, __u32 mode_flag, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = old_fd);

	return bpf_xdp_attach((int)ifindex, -1, mode_flag | XDP_FLAGS_REPLACE, &o) ? -errno : 0;
}

static int attach_fresh(unsigned ifindex, int fd, __u32 flags)
{
	return bpf_xdp_attach((int)ifindex, fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL) ? -errno
											   : 0;
}

/* Puts ifindex back as u says: the old program in its old mode, or none. */
static void undo_one(unsigned ifindex, const struct undo *u, int new_fd, __u32 new_mode, int old_fd)
{
	if (!u->changed)
		return;
	if (u->before.id && u->before.mode_flag == new_mode) {
		replace_on(ifindex, old_fd, new_mode, new_fd);
		return;
	}
	detach_from(ifindex, new_mode, new_fd);
	if (u->before.id)
		attach_fresh(ifindex, old_fd, u->before.mode_flag);
}

static int attach_one(const struct lw_attach_target *t, unsigned i, int new_fd, int old_fd,
		      __u32 old_id, struct undo *u)
{
	__u32 mode = t->xdp_flags & (XDP_FLAGS_DRV_MODE | XDP_FLAGS_SKB_MODE | XDP_FLAGS_HW_MODE);
	unsigned ifindex = t->ifindex[i];
	int r;

	u->before = xdp_slot_of(ifindex);
	if (u->before.id && u->before.id != old_id) /* appeared since the check */
		return refuse_foreign(t->dev[i], t->prog_name, u->before.id);
	if (u->before.id && u->before.mode_flag == mode) {
		r = replace_on(ifindex, new_fd, t->xdp_flags, old_fd);
	} else {
		if (u->before.id) {
			fprintf(stderr,
				"lw4o6: warning: %s runs this instance's program in %s mode; "
				"changing to %s mode detaches it first: packets arriving in "
				"between pass to the kernel unprocessed\n",
				t->dev[i],
				u->before.mode_flag == XDP_FLAGS_SKB_MODE ? "skb" : "native",
				mode == XDP_FLAGS_SKB_MODE ? "skb" : "native");
			if ((r = detach_from(ifindex, u->before.mode_flag, old_fd)))
				return lw_fail("cannot detach this instance's program from %s: %s",
					       t->dev[i], strerror(-r));
		}
		r = attach_fresh(ifindex, new_fd, t->xdp_flags);
		if (r && u->before.id)
			attach_fresh(ifindex, old_fd, u->before.mode_flag);
	}
	if (r)
		return lw_fail("cannot attach to %s: %s%s", t->dev[i], strerror(-r),
			       r == -EOPNOTSUPP ? " (try --mode skb)" : "");
	u->changed = true;
	return 0;
}

static bool in_target(const struct lw_attach_target *t, unsigned ifindex)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->ifindex[i] == ifindex)
			return true;
	return false;
}

/* The old program where the new load does not go: it leaves. */
static void detach_elsewhere(const struct lw_attach_target *t, int old_fd, __u32 old_id)
{
	struct if_nameindex *ifs = if_nameindex();

	for (struct if_nameindex *p = ifs; p && p->if_index; p++) {
		struct xdp_slot s = xdp_slot_of(p->if_index);
		int r;

		if (s.id != old_id || in_target(t, p->if_index))
			continue;
		if ((r = detach_from(p->if_index, s.mode_flag, old_fd)))
			fprintf(stderr,
				"lw4o6: warning: cannot detach the old program from %s: %s\n",
				p->if_name, strerror(-r));
	}
	if (ifs)
		if_freenameindex(ifs);
}

/* The program pin names the new program: pinned aside, then renamed over
 * the old pin, so that there is always one. */
static int pin_prog(const char *prog_name, int fd)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];

	lw_instance_prog_pin_path(prog_name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s_new", path); /* bpffs: no dots */
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp))
		return -errno;
	if (rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

int lw_instance_attach(const struct lw_attach_target *t, int prog_fd)
{
	struct undo u[2] = {};
	int old_fd = lw_instance_prog_fd(t->prog_name), r = 0;
	__u32 old_id = old_fd >= 0 ? prog_id_of(old_fd, NULL, 0) : legacy_prog_id(t);
	unsigned i;

	if (old_fd < 0 && old_id)
		old_fd = bpf_prog_get_fd_by_id(old_id);

	for (i = 0; i < t->n && !r; i++)
		r = attach_one(t, i, prog_fd, old_fd, old_id, &u[i]);
	if (!r && (r = pin_prog(t->prog_name, prog_fd)))
		r = lw_fail("cannot pin the program under %s: %s", lw_pin_root, strerror(-r));
	if (r) {
		while (i-- > 0)
			undo_one(t->ifindex[i], &u[i], prog_fd,
				 t->xdp_flags & (XDP_FLAGS_DRV_MODE | XDP_FLAGS_SKB_MODE), old_fd);
	} else if (old_id && old_id != prog_id_of(prog_fd, NULL, 0)) {
		detach_elsewhere(t, old_fd, old_id);
	}
	if (old_fd >= 0)
		close(old_fd);
	return r ? LW_EXIT_FAIL : 0;
}

int lw_instance_detach(const char *prog_name)
{
	int fd = lw_instance_prog_fd(prog_name), n = 0;
	struct if_nameindex *ifs;
	__u32 id;

	if (fd < 0)
		return fd;
	id = prog_id_of(fd, NULL, 0);
	ifs = if_nameindex();
	for (struct if_nameindex *p = ifs; id && p && p->if_index; p++) {
		struct xdp_slot s = xdp_slot_of(p->if_index);
		int r;

		if (s.id != id)
			continue;
		if ((r = detach_from(p->if_index, s.mode_flag, fd)))
			fprintf(stderr, "lw4o6: warning: cannot detach from %s: %s\n", p->if_name,
				strerror(-r));
		else
			n++;
	}
	if (ifs)
		if_freenameindex(ifs);
	close(fd);
	return n;
}

int lw_pins_snapshot(struct lw_pin_snapshot *s)
{
	struct dirent *de;
	DIR *d = opendir(lw_pin_root);

	*s = (struct lw_pin_snapshot){ .existed = d != NULL };
	while (d && (de = readdir(d))) {
		char **names;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = realloc(s->names, (s->n + 1) * sizeof(*names));
		if (!names || !(names[s->n] = strdup(de->d_name))) {
			s->names = names ? names : s->names;
			closedir(d);
			lw_pins_snapshot_free(s);
			return -ENOMEM;
		}
		s->names = names;
		s->n++;
	}
	if (d)
		closedir(d);
	return 0;
}

static bool snapshot_has(const struct lw_pin_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return true;
	return false;
}

void lw_pins_restore(struct lw_pin_snapshot *s)
{
	struct dirent *de;
	DIR *d = opendir(lw_pin_root);

	while (d && (de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (snapshot_has(s, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", lw_pin_root, de->d_name);
		if (unlink(path))
			fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path,
				strerror(errno));
	}
	if (d)
		closedir(d);
	if (!s->existed && d && rmdir(lw_pin_root))
		fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", lw_pin_root,
			strerror(errno));
	lw_pins_snapshot_free(s);
}

void lw_pins_snapshot_free(struct lw_pin_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	*s = (struct lw_pin_snapshot){};
}
