/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR object loaded for BPF_PROG_TEST_RUN, inside a private network
 * namespace whose interfaces, routes and neighbours give bpf_fib_lookup()
 * real answers. Used by the selftests, the conformance runner and the bench,
 * so that all three run the program exactly as it is built. */
#ifndef LW4O6_TEST_AFTR_ENV_H
#define LW4O6_TEST_AFTR_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "aftr_maps.h"

struct aftr_env {
	struct bpf_object *obj;
	int prog_fd;
	struct lw_aftr_maps maps;
};

/* Why this machine cannot run BPF tests (not root, bpf() denied, no
 * unshare), or NULL when it can. The answer is cached. */
const char *aftr_env_skip_reason(void);

/* Moves the calling process into a new network namespace (and mount
 * namespace, with a private bpffs) and turns on forwarding there. */
int aftr_env_enter_netns(char *err, size_t errlen);

/* Opens and loads the object with every pin path cleared. */
int aftr_env_open(struct aftr_env *e, const char *obj_path, char *err, size_t errlen);
/* The same with the binding table sized for max_softwires softwires (0 =
 * the object's default; lw_aftr_obj_set_capacity). */
int aftr_env_open_sized(struct aftr_env *e, const char *obj_path, uint32_t max_softwires, char *err,
			size_t errlen);
void aftr_env_close(struct aftr_env *e);

/* One side of the lab: a veth pair "<name>" (ours) / "<name>p" (peer). */
struct aftr_side_spec {
	const char *name;        /* e.g. "inet" */
	const uint8_t *mac;      /* our MAC, NULL = kernel's */
	const uint8_t *peer_mac; /* next hop MAC (a permanent neighbour) */
	unsigned mtu;            /* 0 = default */
	bool ipv6;               /* IPv6 default route, else IPv4 */
	const char *addr;        /* our address with prefix, e.g. "10.10.10.10/24" */
	const char *gateway;     /* next hop address, e.g. "10.10.10.1" */
};

/* Creates the veth pair, addresses, the default route via the gateway with a
 * permanent neighbour entry; returns our ifindex (>0) or -errno. Replaces an
 * earlier interface of the same name. */
int aftr_env_add_side(const struct aftr_side_spec *s, char *err, size_t errlen);

/* One BPF_PROG_TEST_RUN: the frame in, the action and the frame out. */
int aftr_env_run(const struct aftr_env *e, unsigned ingress_ifindex, const void *in, size_t inlen,
		 void *out, size_t outcap, size_t *outlen, uint32_t *action);

/* Runs a shell command (for ip(8)); -1 with its output in err on failure. */
int aftr_env_sh(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
