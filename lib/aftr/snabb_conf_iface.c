/* SPDX-License-Identifier: GPL-2.0 */
/* The interface parts of a Snabb configuration: the shared policy blocks
 * softwire-config/{external,internal}-interface, and the per-queue addresses
 * under softwire-config/instance/queue. */
#include <stdio.h>
#include <string.h>
#include "snabb_conf_priv.h"

enum { EXT = 0, INT = 1 };

/* ---- softwire-config/{external,internal}-interface ---------------------- */

struct iface_policy {
	int side;          /* EXT or INT */
	const char *path;  /* for messages */
	const char *label; /* for unsupported[] */
	__u32 allow_flag, errors_flag;
	uint32_t mtu_min; /* the protocol minimum (LW_IPV4_MIN_MTU, LW_IPV6_MIN_MTU) */
	uint32_t packets, period;
};

static int set_flag(struct snabb_ctx *c, const struct lw_ynode *n, __u32 flag)
{
	bool on;
	int ret = snabb_leaf_bool(c, n, &on);

	if (ret)
		return ret;
	if (on)
		c->s->cfg.flags |= flag;
	else
		c->s->cfg.flags &= ~flag;
	return 0;
}

static int h_allow_incoming_icmp(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return set_flag(c, n, ((struct iface_policy *)arg)->allow_flag);
}

static int h_generate_icmp_errors(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return set_flag(c, n, ((struct iface_policy *)arg)->errors_flag);
}

static int h_hairpinning(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return set_flag(c, n, LW_CFG_HAIRPINNING);
}

static int h_mtu(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct iface_policy *p = arg;
	uint32_t mtu;
	int ret = snabb_leaf_u32(c, n, p->mtu_min, UINT16_MAX, &mtu);

	if (ret)
		return ret;
	if (p->side == EXT) {
		c->s->cfg.ipv4_mtu = (__u16)mtu;
		c->s->external.mtu = (__u16)mtu;
	} else {
		c->s->cfg.ipv6_mtu = (__u16)mtu;
		c->s->internal.mtu = (__u16)mtu;
	}
	return 0;
}

/* An XDP program receives whatever the driver hands it; there is no
 * receive-size limit to configure. Checked for range only. */
static int h_mru(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t v;

	return snabb_leaf_u32(c, n, 0, UINT16_MAX, &v);
}

static int h_filter(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	char what[96];

	snprintf(what, sizeof(what), "%s on %s", n->name, ((struct iface_policy *)arg)->label);
	return snabb_unsupported(c, what);
}

/* lw4o6 sends flow label 0 (the conformance suite expects it), so only a
 * non-zero label is something the configuration asks for and does not get. */
static int h_flow_label(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	char what[96];
	uint32_t label;
	int ret = snabb_leaf_u32(c, n, 0, 0xfffff, &label);

	if (ret || label == 0)
		return ret;
	snprintf(what, sizeof(what), "flow-label %u on %s", label,
		 ((struct iface_policy *)arg)->label);
	return snabb_unsupported(c, what);
}

/* Older placement of the access-side VLAN; the queue's vlan-tag wins. */
static int h_global_vlan_tag(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t vid;
	int ret = snabb_leaf_u32(c, n, 0, LW_VLAN_ID_MAX, &vid);

	if (ret)
		return ret;
	c->global_internal_vlan = (uint16_t)vid;
	c->has_global_internal_vlan = true;
	return 0;
}

static int h_packets(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return snabb_leaf_u32(c, n, 0, UINT32_MAX, &((struct iface_policy *)arg)->packets);
}

static int h_period(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return snabb_leaf_u32(c, n, 1, UINT32_MAX, &((struct iface_policy *)arg)->period);
}

static const struct snabb_member rate_members[] = {
	{ "packets", SNABB_LEAF, h_packets },
	{ "period", SNABB_LEAF, h_period },
};

static int h_error_rate_limiting(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct iface_policy *p = arg;
	char path[96];
	uint32_t rate;
	int ret;

	p->packets = SNABB_ERROR_RATE_PACKETS;
	p->period = SNABB_ERROR_RATE_PERIOD;
	snprintf(path, sizeof(path), "%s/error-rate-limiting", p->path);
	ret = snabb_walk(c, n, path, rate_members, SNABB_ARRAY_SIZE(rate_members), p);
	if (ret)
		return ret;
	/* A token bucket refilling at less than one token per second would
	 * never let an error out; Snabb's "packets 0" means the same. */
	rate = p->packets / p->period;
	c->rate[p->side] = rate ? rate : 1;
	c->has_rate[p->side] = true;
	return 0;
}

static int h_max_fragments(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t v;

	return snabb_leaf_u32(c, n, 1, UINT32_MAX, &v);
}

static int h_max_packets(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t v;

	return snabb_leaf_u32(c, n, 0, UINT32_MAX, &v);
}

static const struct snabb_member reassembly_members[] = {
	{ "max-fragments-per-packet", SNABB_LEAF, h_max_fragments },
	{ "max-packets", SNABB_LEAF, h_max_packets },
};

/* Snabb's reassembly buffer sizes; lw4o6's reassembly limits are its own.
 * Checked for range only. */
static int h_reassembly(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/reassembly", ((struct iface_policy *)arg)->path);
	return snabb_walk(c, n, path, reassembly_members, SNABB_ARRAY_SIZE(reassembly_members),
			  arg);
}

static const struct snabb_member external_members[] = {
	{ "allow-incoming-icmp", SNABB_LEAF, h_allow_incoming_icmp },
	{ "generate-icmp-errors", SNABB_LEAF, h_generate_icmp_errors },
	{ "mtu", SNABB_LEAF, h_mtu },
	{ "mru", SNABB_LEAF, h_mru },
	{ "error-rate-limiting", SNABB_BLOCK, h_error_rate_limiting },
	{ "reassembly", SNABB_BLOCK, h_reassembly },
	{ "ingress-filter", SNABB_LEAF, h_filter },
	{ "egress-filter", SNABB_LEAF, h_filter },
};

static const struct snabb_member internal_members[] = {
	{ "allow-incoming-icmp", SNABB_LEAF, h_allow_incoming_icmp },
	{ "generate-icmp-errors", SNABB_LEAF, h_generate_icmp_errors },
	{ "hairpinning", SNABB_LEAF, h_hairpinning },
	{ "mtu", SNABB_LEAF, h_mtu },
	{ "mru", SNABB_LEAF, h_mru },
	{ "flow-label", SNABB_LEAF, h_flow_label },
	{ "vlan-tag", SNABB_LEAF, h_global_vlan_tag },
	{ "error-rate-limiting", SNABB_BLOCK, h_error_rate_limiting },
	{ "reassembly", SNABB_BLOCK, h_reassembly },
	{ "ingress-filter", SNABB_LEAF, h_filter },
	{ "egress-filter", SNABB_LEAF, h_filter },
};

int snabb_external_interface(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct iface_policy p = {
		.side = EXT,
		.path = "softwire-config/external-interface",
		.label = "external-interface",
		.allow_flag = LW_CFG_ALLOW_ICMPV4_IN,
		.errors_flag = LW_CFG_ICMPV4_ERRORS,
		.mtu_min = LW_IPV4_MIN_MTU,
	};

	return snabb_walk(c, n, p.path, external_members, SNABB_ARRAY_SIZE(external_members), &p);
}

int snabb_internal_interface(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct iface_policy p = {
		.side = INT,
		.path = "softwire-config/internal-interface",
		.label = "internal-interface",
		.allow_flag = LW_CFG_ALLOW_ICMPV6_IN,
		.errors_flag = LW_CFG_ICMPV6_ERRORS,
		.mtu_min = LW_IPV6_MIN_MTU,
	};

	return snabb_walk(c, n, p.path, internal_members, SNABB_ARRAY_SIZE(internal_members), &p);
}

/* ---- softwire-config/instance/queue -------------------------------------- */

struct queue_iface {
	int side;
	const char *path;
	struct lw_side side_cfg;
	bool present, has_vlan;
	uint32_t line, next_hop_line;
};

static int h_q_ip(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;

	if (q->side == EXT) {
		q->side_cfg.has_ip4 = true;
		return snabb_leaf_ipv4(c, n, &q->side_cfg.ip4);
	}
	q->side_cfg.has_ip6 = true;
	return snabb_leaf_ipv6(c, n, &q->side_cfg.ip6);
}

static int h_q_mac(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;

	q->side_cfg.has_mac = true;
	return snabb_leaf_mac(c, n, q->side_cfg.mac);
}

static int h_q_vlan_tag(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;
	uint32_t vid;
	int ret = snabb_leaf_u32(c, n, 0, LW_VLAN_ID_MAX, &vid);

	if (ret)
		return ret;
	q->side_cfg.vlan = (__u16)vid;
	q->has_vlan = true;
	return 0;
}

static int h_nh_mac(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;

	q->side_cfg.has_next_hop_mac = true;
	return snabb_leaf_mac(c, n, q->side_cfg.next_hop_mac);
}

static int h_nh_ip(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;

	if (q->side == EXT) {
		q->side_cfg.has_next_hop_ip4 = true;
		return snabb_leaf_ipv4(c, n, &q->side_cfg.next_hop_ip4);
	}
	q->side_cfg.has_next_hop_ip6 = true;
	return snabb_leaf_ipv6(c, n, &q->side_cfg.next_hop_ip6);
}

static const struct snabb_member next_hop_members[] = {
	{ "mac", SNABB_LEAF, h_nh_mac },
	{ "ip", SNABB_LEAF, h_nh_ip },
};

static int h_q_next_hop(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q = arg;
	char path[96];
	int ret;

	snprintf(path, sizeof(path), "%s/next-hop", q->path);
	q->next_hop_line = n->line;
	ret = snabb_walk(c, n, path, next_hop_members, SNABB_ARRAY_SIZE(next_hop_members), q);
	if (ret)
		return ret;
	/* A YANG choice: a static MAC or an address to resolve, not both. */
	if (q->side_cfg.has_next_hop_mac &&
	    (q->side_cfg.has_next_hop_ip4 || q->side_cfg.has_next_hop_ip6))
		return snabb_error(c, n->line,
				   "next-hop has both 'mac' and 'ip'; give one of them");
	if (!q->side_cfg.has_next_hop_mac && !q->side_cfg.has_next_hop_ip4 &&
	    !q->side_cfg.has_next_hop_ip6)
		return snabb_error(c, n->line, "next-hop needs 'mac' or 'ip'");
	return 0;
}

static const struct snabb_member queue_iface_members[] = {
	{ "ip", SNABB_LEAF, h_q_ip },
	{ "mac", SNABB_LEAF, h_q_mac },
	{ "next-hop", SNABB_BLOCK, h_q_next_hop },
	{ "vlan-tag", SNABB_LEAF, h_q_vlan_tag },
};

static int h_queue_iface(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct queue_iface *q =
		&((struct queue_iface *)arg)[strcmp(n->name, "external-interface") ? INT : EXT];
	const char *missing;
	int ret;

	q->present = true;
	q->line = n->line;
	ret = snabb_walk(c, n, q->path, queue_iface_members, SNABB_ARRAY_SIZE(queue_iface_members),
			 q);
	if (ret)
		return ret;
	missing = !(q->side_cfg.has_ip4 || q->side_cfg.has_ip6) ? "ip"
		  : !q->side_cfg.has_mac                        ? "mac"
		  : !q->next_hop_line                           ? "next-hop"
								: NULL;
	if (missing)
		return snabb_error(c, n->line, "%s has no '%s' (mandatory)", n->name, missing);
	return 0;
}

static int h_queue_id(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t id;

	return snabb_leaf_u32(c, n, 0, UINT8_MAX, &id);
}

static const struct snabb_member queue_members[] = {
	{ "id", SNABB_LEAF, h_queue_id },
	{ "external-interface", SNABB_BLOCK, h_queue_iface },
	{ "internal-interface", SNABB_BLOCK, h_queue_iface },
};

struct instance_build {
	bool use; /* the first instance: the one that is installed */
	unsigned n_queues;
};

/* lw4o6 is one XDP program per interface, with no per-queue state, so only
 * the first instance's first queue supplies addresses; the other instances
 * and queues are still checked against the schema (a typo anywhere is an
 * error) and then ignored. */
static int h_queue(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct instance_build *inst = arg;
	struct queue_iface q[2] = {
		{ .side = EXT, .path = "softwire-config/instance/queue/external-interface" },
		{ .side = INT, .path = "softwire-config/instance/queue/internal-interface" },
	};
	bool use = inst->use && inst->n_queues++ == 0;
	int ret, i;

	ret = snabb_walk(c, n, "softwire-config/instance/queue", queue_members,
			 SNABB_ARRAY_SIZE(queue_members), q);
	if (ret)
		return ret;
	for (i = EXT; i <= INT; i++)
		if (!q[i].present)
			return snabb_error(c, n->line, "queue has no '%s' block (mandatory)",
					   i == EXT ? "external-interface" : "internal-interface");
	if (!use)
		return 0;
	for (i = EXT; i <= INT; i++) {
		struct lw_side *dst = i == EXT ? &c->s->external : &c->s->internal;

		q[i].side_cfg.mtu = dst->mtu; /* set by the shared block, not here */
		*dst = q[i].side_cfg;
		c->queue_vlan[i] = q[i].has_vlan;
	}
	return 0;
}

static const struct snabb_member instance_members[] = {
	{ "device", SNABB_LEAF, NULL },
	{ "external-device", SNABB_LEAF, NULL },
	{ "queue", SNABB_LIST, h_queue },
};

int snabb_instance(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct instance_build inst = { .use = c->n_instances++ == 0 };

	return snabb_walk(c, n, "softwire-config/instance", instance_members,
			  SNABB_ARRAY_SIZE(instance_members), &inst);
}
