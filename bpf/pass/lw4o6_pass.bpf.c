// SPDX-License-Identifier: GPL-2.0
/* The smallest XDP program: the baseline `make bench` measures against, and
 * the program on veth peers that receive redirected frames (a veth delivers
 * XDP-redirected frames only when its peer has an XDP program). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int lw4o6_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
