/* SPDX-License-Identifier: GPL-2.0 */
/* Shared plumbing of the lw4o6 subcommands. */
#ifndef LW4O6_CLI_H
#define LW4O6_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "lw4o6/stats.h"

/* Exit codes: 0 ok, 1 failure, 2 usage. */
#define LW_EXIT_OK    0
#define LW_EXIT_FAIL  1
#define LW_EXIT_USAGE 2

/* Room for an error message of the libraries (a path and a reason). */
#define LW_ERR_MAX 1024
/* event-rate, event-burst: per second */
#define LW_MAX_EVENT_RATE 10000000

extern int lw_verbose;
extern const char *lw_pin_root;

void lw_die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int lw_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lw_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* xdp_util.c: what both roles' commands share. */
/* The pin root's parent is on a bpffs; /sys/fs/bpf gets one if it has none,
 * any other place is refused. 0 or LW_EXIT_FAIL after saying why. */
int lw_ensure_bpffs(void);
int lw_xdp_detach_named(unsigned ifindex, const char *prog_name); /* 1 detached, 0 none, -errno */
__u32 lw_xdp_mode_flags(const char *mode);   /* --mode native|skb; dies on another */
__u32 lw_xdp_prog_id(unsigned ifindex);      /* of the XDP program there; 0 none */
int lw_fail_load(const char *role, int err); /* the program did not load: -err why */
long lw_read_sysctl(const char *fmt, const char *dev);
bool lw_forwarding_off(void);
__u32 lw_map_id(int fd);
const char *lw_ifname(unsigned ifindex, char *buf); /* buf of IF_NAMESIZE */
int lw_parse_onoff(const char *v, bool *on);

/* Prints s as a JSON string literal. */
void lw_json_str(FILE *f, const char *s);
/* A role's counters, n of them named by name(): as the JSON member
 * "traffic-stat":{"NAME-packets":N,"NAME-bytes":N,...}, or as a table. */
void lw_print_counters_json(const struct lw_counter *st, unsigned n, const char *(*name)(unsigned));
void lw_print_counters_table(const char *title, const struct lw_counter *st, unsigned n,
			     const char *(*name)(unsigned));

int cmd_load(int argc, char **argv);
int cmd_configure(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_softwire(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_pool(int argc, char **argv);

/* the lwB4 role (cmd_b4.c) */
int lw_pinned_role(void); /* enum lw_role of the pins under lw_pin_root */
int cmd_b4_load(int argc, char **argv);
int cmd_b4_unload(int argc, char **argv);
int cmd_b4_status(int argc, char **argv);
int cmd_b4_stats(int argc, char **argv);
int cmd_b4_set(int argc, char **argv);
int cmd_portset(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_expire(int argc, char **argv);

#endif
