// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"

const char *aftr_env_skip_reason(void)
{
	static char reason[160];
	static int known;

	if (known)
		return reason[0] ? reason : NULL;
	known = 1;
	if (geteuid() != 0) {
		snprintf(reason, sizeof(reason), "needs root (BPF_PROG_TEST_RUN, network namespaces)");
		return reason;
	}
	{
		/* an array map is the cheapest proof that bpf() is allowed */
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

		if (fd < 0) {
			snprintf(reason, sizeof(reason), "bpf() refused: %s", strerror(errno));
			return reason;
		}
		close(fd);
	}
	return NULL;
}

int aftr_env_sh(char *err, size_t errlen, const char *fmt, ...)
{
	char cmd[1024], line[256];
	size_t used = 0;
	va_list ap;
	FILE *p;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(err, errlen, "popen: %s", strerror(errno));
		return -1;
	}
	if (errlen)
		err[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		size_t n = strlen(line);

		if (used + n + 1 < errlen) {
			memcpy(err + used, line, n + 1);
			used += n;
		}
	}
	rc = pclose(p);
	if (rc != 0) {
		char out[512];

		snprintf(out, sizeof(out), "'%s' failed: %s", cmd, err);
		snprintf(err, errlen, "%s", out);
		return -1;
	}
	return 0;
}

int aftr_env_enter_netns(char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		snprintf(err, errlen, "unshare(CLONE_NEWNET|CLONE_NEWNS): %s", strerror(errno));
		return -errno;
	}
	/* keep our mounts (the bpffs below) out of the parent namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) {
		snprintf(err, errlen, "private bpffs: %s", strerror(errno));
		return -errno;
	}
	if (aftr_env_sh(err, errlen, "ip link set lo up && sysctl -qw net.ipv4.ip_forward=1 "
			"&& sysctl -qw net.ipv6.conf.all.forwarding=1"))
		return -EIO;
	return 0;
}

int aftr_env_open(struct aftr_env *e, const char *obj_path, char *err, size_t errlen)
{
	return aftr_env_open_sized(e, obj_path, 0, err, errlen);
}

int aftr_env_open_sized(struct aftr_env *e, const char *obj_path, uint32_t max_softwires, char *err,
			size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int ret;

	memset(e, 0, sizeof(*e));
	e->prog_fd = -1;
	e->obj = bpf_object__open_file(obj_path, NULL);
	if (!e->obj) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", obj_path, strerror(-ret));
		return ret;
	}
	bpf_object__for_each_map(map, e->obj)
		bpf_map__set_pin_path(map, NULL);
	ret = lw_aftr_obj_set_capacity(e->obj, max_softwires, err, errlen);
	if (ret) {
		bpf_object__close(e->obj);
		e->obj = NULL;
		return ret;
	}
	ret = bpf_object__load(e->obj);
	if (ret) {
		snprintf(err, errlen, "cannot load %s: %s", obj_path, strerror(-ret));
		bpf_object__close(e->obj);
		e->obj = NULL;
		return ret;
	}
	prog = bpf_object__find_program_by_name(e->obj, "lw4o6_aftr");
	if (!prog) {
		snprintf(err, errlen, "%s has no program lw4o6_aftr", obj_path);
		aftr_env_close(e);
		return -ENOENT;
	}
	e->prog_fd = bpf_program__fd(prog);
	return lw_aftr_maps_from_obj(e->obj, &e->maps, err, errlen);
}

void aftr_env_close(struct aftr_env *e)
{
	lw_aftr_maps_close(&e->maps); /* the writers' state; the object keeps the maps */
	if (e->obj)
		bpf_object__close(e->obj);
	e->obj = NULL;
}

static void fmt_mac(const uint8_t *m, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int aftr_env_add_side(const struct aftr_side_spec *s, char *err, size_t errlen)
{
	char mac[18], nh[18];
	unsigned ifindex;
	const char *fam = s->ipv6 ? "-6" : "-4";

	aftr_env_sh(err, errlen, "ip link del %s", s->name); /* absent is fine */
	if (aftr_env_sh(err, errlen, "ip link add %s type veth peer name %sp", s->name, s->name))
		return -EIO;
	if (s->mac) {
		fmt_mac(s->mac, mac);
		if (aftr_env_sh(err, errlen, "ip link set %s address %s", s->name, mac))
			return -EIO;
	}
	if (s->mtu && aftr_env_sh(err, errlen, "ip link set %s mtu %u && ip link set %sp mtu %u",
				  s->name, s->mtu, s->name, s->mtu))
		return -EIO;
	if (aftr_env_sh(err, errlen, "ip link set %s up && ip link set %sp up", s->name, s->name))
		return -EIO;
	if (s->addr && aftr_env_sh(err, errlen, "ip %s addr add %s dev %s%s", fam, s->addr, s->name,
				   s->ipv6 ? " nodad" : ""))
		return -EIO;
	if (s->gateway) {
		fmt_mac(s->peer_mac, nh);
		if (aftr_env_sh(err, errlen, "ip %s neigh replace %s lladdr %s dev %s nud permanent",
				fam, s->gateway, nh, s->name) ||
		    aftr_env_sh(err, errlen, "ip %s route replace default via %s dev %s%s", fam,
				s->gateway, s->name, s->ipv6 ? " onlink" : " onlink"))
			return -EIO;
	}
	ifindex = if_nametoindex(s->name);
	if (!ifindex) {
		snprintf(err, errlen, "%s vanished: %s", s->name, strerror(errno));
		return -ENODEV;
	}
	return (int)ifindex;
}

int aftr_env_run(const struct aftr_env *e, unsigned ingress_ifindex, const void *in, size_t inlen,
		 void *out, size_t outcap, size_t *outlen, uint32_t *action)
{
	struct xdp_md ctx_in = { .data_end = (__u32)inlen, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = in, .data_size_in = (__u32)inlen,
		    .data_out = out, .data_size_out = (__u32)outcap,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .repeat = 1);
	int ret = bpf_prog_test_run_opts(e->prog_fd, &opts);

	if (ret)
		return -errno;
	*outlen = opts.data_size_out;
	*action = opts.retval;
	return 0;
}
