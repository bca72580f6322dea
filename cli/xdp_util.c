// SPDX-License-Identifier: GPL-2.0
/* Plumbing both roles' commands share: the bpffs, attaching and detaching a
 * program by name in whichever XDP mode it runs, sysctls, names and ids. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Only /sys/fs/bpf, the standard place, gets a bpffs of ours when it has
 * none: anywhere else a mount would hide what the directory holds. */
int lw_ensure_bpffs(void)
{
	static const char std_root[] = "/sys/fs/bpf";
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", lw_pin_root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (on_bpffs(lw_pin_root) || on_bpffs(parent))
		return 0;
	if (!strncmp(lw_pin_root, std_root, sizeof(std_root) - 1) &&
	    lw_pin_root[sizeof(std_root) - 1] == '/' && !on_bpffs(std_root)) {
		if (mount("bpf", std_root, "bpf", 0, "mode=0700"))
			return lw_fail(
				"%s is not a bpf filesystem and mounting one there failed: %s",
				std_root, strerror(errno));
		fprintf(stderr, "lw4o6: %s was not a bpf filesystem: mounted one there\n",
			std_root);
		if (on_bpffs(parent))
			return 0;
	}
	return lw_fail("%s is not on a bpf filesystem: mount one first (mount -t bpf bpf %s) or "
		       "choose a --pin-root on one",
		       parent, parent);
}

int lw_xdp_detach_named(unsigned ifindex, const char *prog_name)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), id, mode_flag;
	int fd, ret = 0;

	if (!ifindex || bpf_xdp_query((int)ifindex, 0, &q))
		return 0;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		id = q.drv_prog_id;
		mode_flag = XDP_FLAGS_DRV_MODE;
		break;
	case XDP_ATTACHED_SKB:
		id = q.skb_prog_id;
		mode_flag = XDP_FLAGS_SKB_MODE;
		break;
	case XDP_ATTACHED_HW:
		id = q.hw_prog_id;
		mode_flag = XDP_FLAGS_HW_MODE;
		break;
	default: return 0;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && !strcmp(info.name, prog_name)) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = fd);

		ret = bpf_xdp_detach((int)ifindex, mode_flag | XDP_FLAGS_REPLACE, &xo) ? -errno : 1;
	}
	close(fd);
	return ret;
}

long lw_read_sysctl(const char *fmt, const char *dev)
{
	char path[PATH_MAX], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), fmt, dev);
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v;
}

bool lw_forwarding_off(void)
{
	return lw_read_sysctl("/proc/sys/net/ipv4/ip_forward", "") == 0 ||
	       lw_read_sysctl("/proc/sys/net/ipv6/conf/%s/forwarding", "all") == 0;
}

__u32 lw_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

const char *lw_ifname(unsigned ifindex, char *buf)
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %u", ifindex);
	return buf;
}

int lw_parse_onoff(const char *v, bool *on)
{
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes"))
		*on = true;
	else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no"))
		*on = false;
	else
		return -1;
	return 0;
}

__u32 lw_xdp_mode_flags(const char *mode)
{
	if (!strcmp(mode, "native"))
		return XDP_FLAGS_DRV_MODE;
	if (!strcmp(mode, "skb"))
		return XDP_FLAGS_SKB_MODE;
	lw_die_usage("--mode must be native or skb, not '%s'", mode);
}

__u32 lw_xdp_prog_id(unsigned ifindex)
{
	__u32 id = 0;

	if (ifindex)
		bpf_xdp_query_id((int)ifindex, 0, &id);
	return id;
}

int lw_fail_load(const char *role, int err)
{
	return lw_fail("cannot load the %s program: %s (run with -v for the verifier log)", role,
		       strerror(-err));
}
