/* SPDX-License-Identifier: GPL-2.0 */
/* The binding table's writer (issue 11): what bind.c, bind_install.c and
 * aftr_maps.c share. A process that writes keeps a mirror of the address
 * records (l1, the l2 tables and record blocks in use), the allocators and
 * which chunks exist; it reads them again whenever another process wrote in
 * between (the generation in lw_bind_state). Writers hold flock() on the
 * pin root. */
#ifndef LW4O6_BIND_PRIV_H
#define LW4O6_BIND_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "aftr_maps.h"
#include "sw_slots.h"

#define BIND_FD_CACHE 64
/* Chunks created and not yet in lw_sw_chunks: published together, since
 * every update of a map-in-map waits for an RCU grace period (~10 ms here);
 * as many as half the descriptors the process may open allow. */
#define BIND_PENDING_MAX 4096

struct bind_fd {
	uint32_t chunk;
	int fd; /* -1: empty */
};

struct lw_bind {
	int lock_fd; /* the pin root, -1 without pins */
	int lock_depth;
	bool valid; /* the mirror is the maps' at generation gen */
	bool in_write;
	uint64_t gen;
	struct lw_bind_state st;
	uint32_t n_chunks, n_blocks, n_l2, max_softwires;
	uint32_t *l1;         /* LW_L1_ENTRIES */
	uint32_t **l2;        /* n_l2 tables of LW_ADDR_BLOCK, NULL unused */
	struct lw_addr **blk; /* n_blocks blocks of LW_ADDR_BLOCK, NULL unused */
	uint32_t *chunk_id;   /* n_chunks: the chunk's map id; empty_id = none */
	uint32_t *chunk_used; /* n_chunks: slots of allocated runs in it */
	uint32_t empty_id;
	struct lw_sw_slots slots;
	struct lw_ids blocks, l2s;
	int btf_fd; /* the object's BTF for chunks, -1: none */
	uint32_t btf_key, btf_value;
	struct bind_fd fdc[BIND_FD_CACHE];
	struct bind_fd pend[BIND_PENDING_MAX];
	size_t n_pend, pend_cap;
	struct lw_sw_chunk *rc, *wb; /* the chunk read last (rc_chunk), a buffer to patch */
	uint32_t rc_chunk;
	bool rc_ok;
};

/* Tests: called before every write of the binding table; a non-zero
 * return fails that write with it (fault injection, or a look at what the
 * data plane would see at that moment). */
extern int (*lw_bind_test_hook)(void *arg);
extern void *lw_bind_test_arg;
int bind_fault(void);

struct lw_bind *bind_new(const char *lock_dir);
void bind_free(struct lw_bind *b);

int bind_lock(const struct lw_aftr_maps *m);
void bind_unlock(const struct lw_aftr_maps *m);

/* Starts a change (locks, reads the maps again if needed, marks the
 * generation odd): 0 or -errno with err. bind_end() always follows, ok
 * saying whether the maps are as the mirror says (the generation then
 * goes even; otherwise it stays odd and the next writer repairs). */
int bind_begin(const struct lw_aftr_maps *m, char *err, size_t errlen);
/* The maps into b without a lock (a reader's snapshot: foreach). */
int bind_read_all(const struct lw_aftr_maps *m, struct lw_bind *b);
void bind_end(const struct lw_aftr_maps *m, bool ok);

/* A map write of the binding table (the fault hook counts them); a range
 * is at most LW_SW_CHUNK_SLOTS entries. */
int bind_update(int fd, const void *key, const void *val);
int bind_update_range(int fd, uint32_t first, uint32_t n, const void *vals);
/* n values of array map fd from index first (batched): 0 or -errno. An
 * absent entry (a map-in-map's) reads as zeroes. */
int bind_read_range(int fd, uint32_t first, uint32_t n, void *vals, size_t vsize);

/* One entry's own checks, before any map is read: an address other than
 * 0.0.0.0, psid-offset + psid-len <= 16, the PSID within psid-len. 0, or
 * -1 with the message in err. */
int bind_entry_check(const struct lw_softwire_entry *e, char *err, size_t errlen);
/* The chunk map of chunk c for writing, created (not yet published) when
 * it has none of its own: a descriptor the mirror keeps, or -errno. */
int bind_chunk_fd(const struct lw_aftr_maps *m, uint32_t c, bool create);
/* Puts the created chunks in lw_sw_chunks (one RCU wait for them all). */
int bind_publish_chunks(const struct lw_aftr_maps *m);
/* Points every chunk no run uses back at lw_sw_empty (its memory goes). */
int bind_reclaim_chunks(const struct lw_aftr_maps *m);
/* Recounts the softwires and clears slots no record accounts for (after a
 * writer died half-way). */
int bind_repair(const struct lw_aftr_maps *m);

/* Whether chunk c has a value of its own (not lw_sw_empty). */
bool bind_own_chunk(const struct lw_bind *b, uint32_t c);
/* Whether value v at slot s is a softwire its address's record (in the
 * mirror) accounts for. */
bool bind_slot_accounted(const struct lw_bind *b, uint32_t s, const struct lw_softwire *v);

/* addr's record in the mirror (NULL: none). */
const struct lw_addr *bind_rec(const struct lw_bind *b, __be32 addr);
/* Sets (rec valid) or removes (rec NULL) the records of n addresses sorted
 * ascending, publishing bottom-up: records, then a new block's l2 entry,
 * then a new l2 table's l1 entry; an emptied block leaves its l2 entry
 * first. 0 or -errno (-ENOSPC: no block or l2 table left). */
int bind_set_records(const struct lw_aftr_maps *m, const __be32 *addr, const struct lw_addr *recs,
		     size_t n);
/* Whether set_records can place n new addresses (sorted) in blocks. */
int bind_room_for(const struct lw_bind *b, const __be32 *addr, size_t n, char *err, size_t errlen);

/* Chunk c's value (zeroes when it has none of its own), and a new value
 * for it (created, not yet published, when it has none): 0 or -errno. A
 * chunk is written whole: its softwires' counters lose what the data plane
 * adds between the read and the write (microseconds). */
int bind_chunk_read(const struct lw_aftr_maps *m, uint32_t c, struct lw_sw_chunk *v);
int bind_chunk_write(const struct lw_aftr_maps *m, uint32_t c, const struct lw_sw_chunk *v);
/* Writes n values at their slots (ascending), creating chunks as needed and
 * publishing them before it returns. */
int bind_write_slots(const struct lw_aftr_maps *m, const uint32_t *slot,
		     const struct lw_softwire *val, size_t n);
/* What a rewrite changed, to put back (the old values of the slots). */
struct bind_undo {
	uint32_t *slot;
	struct lw_softwire *old;
	size_t n, cap;
};
int bind_undo_add(struct bind_undo *u, uint32_t slot, const struct lw_softwire *old);
/* Puts every recorded slot back (through bind_rewrite_slots). */
int bind_undo_apply(const struct lw_aftr_maps *m, struct bind_undo *u);
void bind_undo_free(struct bind_undo *u);

/* Chunk c to want where its records are live (issue 12): slots that name
 * the same binding (B4, IPv4, PSID, BR index, origin) are left alone and a
 * chunk with nothing to change is not written; a slot that stays the same
 * softwire keeps its counters (want's are ignored). A slot whose B4 changes
 * is never readable as valid with a B4 half written: its ipv4 goes 0
 * first, then the rest is written, then its ipv4 (three writes of the
 * chunk at most; one when only BR indexes or origins change). undo (may be
 * NULL) gets the old value of each slot changed. 0 or -errno. */
int bind_rewrite_chunk(const struct lw_aftr_maps *m, uint32_t c, const struct lw_sw_chunk *want,
		       struct bind_undo *undo);
/* The same for n slots (ascending) given their new values. */
int bind_rewrite_slots(const struct lw_aftr_maps *m, const uint32_t *slot,
		       const struct lw_softwire *val, size_t n, struct bind_undo *undo);
/* Slot s's value (a chunk of its own, else zeroes): 0 or -errno. */
int bind_read_slot(const struct lw_aftr_maps *m, uint32_t s, struct lw_softwire *val);
/* Whether any slot of the run holds a softwire: 1, 0 or -errno. */
int bind_run_live(const struct lw_aftr_maps *m, uint32_t base, unsigned order);

/* A run for an address: allocated (-ENOSPC: see bind_compact), or given
 * back: its slots zeroed where its chunk stays, the chunks nobody uses then
 * released. */
int bind_run_alloc(const struct lw_aftr_maps *m, unsigned order, uint32_t *base);
int bind_runs_free(const struct lw_aftr_maps *m, const struct lw_sw_run *runs, size_t n);
/* Gives back part of a run that was never written (the allocator's books
 * only): 0 or -ENOMEM. */
int bind_run_unused(const struct lw_aftr_maps *m, uint32_t base, unsigned order);
/* The allocator anew from the records plus extra (runs taken and not yet
 * recorded): coalesces what frees left fragmented. */
int bind_compact(const struct lw_aftr_maps *m, const struct lw_sw_run *extra, size_t n_extra);

/* aftr_maps.c: the BR addresses and the configuration's copy of them,
 * called with the lock held. */
int lw_aftr_br_index_locked(const struct lw_aftr_maps *m, const struct in6_addr *br, __u32 *index,
			    bool *added, char *err, size_t errlen);
int lw_aftr_br_remove_locked(const struct lw_aftr_maps *m, __u32 index);
int lw_aftr_br_count(const struct lw_aftr_maps *m, size_t *n);
int lw_aftr_config_sync_locked(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg);

#endif
