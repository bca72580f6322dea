// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "percpu_counters.h"

int lw_percpu_counters_read(int fd, unsigned n, struct lw_counter *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lw_counter *percpu;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 i = 0; i < n; i++) {
		out[i].packets = out[i].bytes = 0;
		if (bpf_map_lookup_elem(fd, &i, percpu)) {
			int e = -errno;

			free(percpu);
			return e;
		}
		for (int c = 0; c < ncpu; c++) {
			out[i].packets += percpu[c].packets;
			out[i].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return 0;
}

int lw_percpu_counters_reset(int fd, unsigned n)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lw_counter *zero;
	int ret = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; i < n && !ret; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			ret = -errno;
	free(zero);
	return ret;
}
