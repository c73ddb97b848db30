/*
 * spdylay_streamtab.h - the session's streams, looked up by stream ID.
 *
 * An open-addressing hash table of (stream ID, pointer) pairs: linear
 * probing over a power-of-two slot array kept at most half full, with
 * deleted pairs closed up by moving later pairs of the same probe run back
 * (no tombstones).  The table stores pointers only; the objects belong to
 * the caller.
 */
#ifndef SPDYLAY_STREAMTAB_H
#define SPDYLAY_STREAMTAB_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
  int32_t id;
  /* NULL marks a free slot */
  void *obj;
} spdylay_streamtab_slot;

typedef struct {
  spdylay_streamtab_slot *slots;
  /* number of slots minus one (the slot count is a power of two) */
  size_t mask;
  /* 32 - log2(number of slots): the hash keeps its top bits */
  unsigned shift;
  /* occupied slots */
  size_t used;
} spdylay_streamtab;

/* Makes |tab| an empty table.  Returns 0 or SPDYLAY_ERR_NOMEM. */
int spdylay_streamtab_init(spdylay_streamtab *tab);

/* Releases the slot array; the stored objects are not touched. */
void spdylay_streamtab_release(spdylay_streamtab *tab);

/*
 * Stores |obj| (non-NULL) under |id|.  Returns 0,
 * SPDYLAY_ERR_INVALID_ARGUMENT if |id| is already present or |obj| is
 * NULL, or SPDYLAY_ERR_NOMEM if the slot array could not grow (|tab| is
 * then unchanged).
 */
int spdylay_streamtab_put(spdylay_streamtab *tab, int32_t id, void *obj);

/* The object stored under |id|, or NULL. */
void* spdylay_streamtab_get(const spdylay_streamtab *tab, int32_t id);

/* Removes |id| and returns its object, or NULL if it was absent. */
void* spdylay_streamtab_drop(spdylay_streamtab *tab, int32_t id);

/* Number of stored objects. */
size_t spdylay_streamtab_count(const spdylay_streamtab *tab);

/*
 * Calls |visit|(obj, arg) for every stored object, in slot order, and
 * stops at the first nonzero result, which it returns (0 if every call
 * returned 0).  |visit| must not add or remove entries.
 */
int spdylay_streamtab_visit(const spdylay_streamtab *tab,
                            int (*visit)(void *obj, void *arg), void *arg);

/*
 * Empties |tab|, handing every object to |dispose|(obj, arg) (which may
 * free it).  The slot array is kept.
 */
void spdylay_streamtab_clear(spdylay_streamtab *tab,
                             void (*dispose)(void *obj, void *arg), void *arg);

#endif /* SPDYLAY_STREAMTAB_H */
