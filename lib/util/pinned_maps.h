/* SPDX-License-Identifier: GPL-2.0 */
/* A role's maps as data: each map's name (its pin under the pin root and
 * its name in the BPF object) and where its descriptor lives in the role's
 * struct of descriptors (ints only). One opener, closer and ABI check serve
 * every role (aftr_maps.c, b4_maps.c). */
#ifndef LW4O6_PINNED_MAPS_H
#define LW4O6_PINNED_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "lw4o6/abi.h"

struct lw_map_slot {
	const char *name;
	size_t off; /* of the descriptor in the role's struct */
};
#define LW_MAP_SLOT(type, field, name)      \
	{                                   \
		name, offsetof(type, field) \
	}

struct lw_map_set {
	const char *role_name;           /* in messages: "lwAFTR", "lwB4" */
	enum lw_role role;               /* what the meta map says of maps of this build */
	const struct lw_map_slot *slots; /* slots[0]: the meta map (struct lw_meta at key 0) */
	size_t n_slots;
};

/* Descriptors of a loaded object's maps (the object keeps them): 0 or
 * -ENOENT "BPF object has no map NAME: not an ROLE object of this build". */
int lw_map_set_from_obj(const struct lw_map_set *set, struct bpf_object *obj, void *fds, char *err,
			size_t errlen);

/* The maps pinned under root, checked against this build's ABI and the
 * role. 0, or (every descriptor -1, the message in err):
 *   -ENOENT   "PATH not found: no ROLE is loaded" (the caller may add a hint)
 *   -ENOTSUP  "maps pinned under ROOT come from an incompatible build or role
 *             (...)", *meta (may be NULL) receives what the pins say
 *   -errno    "cannot open PATH: why" */
int lw_map_set_open_pinned(const struct lw_map_set *set, const char *root, void *fds,
			   struct lw_meta *meta, char *err, size_t errlen);

/* Closes every descriptor >= 0 and leaves them all -1. */
void lw_map_set_close(const struct lw_map_set *set, void *fds);

/* Entry 0 of a single-entry array map (a role's configuration, its meta
 * entry). 0 or -errno. */
int lw_map_entry0_read(int fd, void *val);
int lw_map_entry0_write(int fd, const void *val);

/* The meta map's entry: this build's ABI and the role. 0 or -errno. */
int lw_meta_write(int fd, enum lw_role role);
/* The entry of the meta map pinned at root/name. 0 or -errno. */
int lw_pinned_meta_read(const char *root, const char *name, struct lw_meta *meta);
/* Whether maps whose meta entry says meta serve this build in role. ABI 0:
 * loaded by another loader (xdp-loader -p) and not configured yet. */
bool lw_meta_compatible(const struct lw_meta *meta, enum lw_role role);

#endif
