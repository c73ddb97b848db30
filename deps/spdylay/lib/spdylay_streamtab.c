/*
 * spdylay_streamtab.c - open-addressing table of streams (see
 * spdylay_streamtab.h).
 */
#include "spdylay_streamtab.h"

#include <stdlib.h>

#include "spdylay_int.h"

/* slots of a new table: 2^STREAMTAB_FIRST_BITS */
#define STREAMTAB_FIRST_BITS 4
#define STREAMTAB_FIRST_SIZE (1u << STREAMTAB_FIRST_BITS)

/* Home slot of |id|: Fibonacci hashing (multiply by 2^32 / golden ratio,
   keep the top bits) puts the consecutive odd or even IDs of one
   endpoint far apart, so that probe runs stay short. */
static size_t home_slot(const spdylay_streamtab *tab, int32_t id)
{
  return (size_t)(((uint32_t)id * 0x9e3779b1u) >> tab->shift);
}

/* Slot holding |id|, or the free slot that ends its probe run. */
static size_t probe(const spdylay_streamtab *tab, int32_t id)
{
  size_t i = home_slot(tab, id);
  while(tab->slots[i].obj != NULL && tab->slots[i].id != id) {
    i = (i + 1) & tab->mask;
  }
  return i;
}

int spdylay_streamtab_init(spdylay_streamtab *tab)
{
  tab->slots = calloc(STREAMTAB_FIRST_SIZE, sizeof(spdylay_streamtab_slot));
  if(tab->slots == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  tab->mask = STREAMTAB_FIRST_SIZE - 1;
  tab->shift = 32 - STREAMTAB_FIRST_BITS;
  tab->used = 0;
  return 0;
}

void spdylay_streamtab_release(spdylay_streamtab *tab)
{
  free(tab->slots);
  tab->slots = NULL;
  tab->mask = 0;
  tab->shift = 0;
  tab->used = 0;
}

/* Moves every pair into a slot array twice as large. */
static int grow(spdylay_streamtab *tab)
{
  spdylay_streamtab old = *tab;
  size_t nslots = (old.mask + 1) * 2, i;
  tab->slots = calloc(nslots, sizeof(spdylay_streamtab_slot));
  if(tab->slots == NULL) {
    *tab = old;
    return SPDYLAY_ERR_NOMEM;
  }
  tab->mask = nslots - 1;
  --tab->shift;
  for(i = 0; i <= old.mask; ++i) {
    if(old.slots[i].obj != NULL) {
      tab->slots[probe(tab, old.slots[i].id)] = old.slots[i];
    }
  }
  free(old.slots);
  return 0;
}

int spdylay_streamtab_put(spdylay_streamtab *tab, int32_t id, void *obj)
{
  size_t at;
  if(obj == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  at = probe(tab, id);
  if(tab->slots[at].obj != NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if((tab->used + 1) * 2 > tab->mask + 1) {
    int rv = grow(tab);
    if(rv != 0) {
      return rv;
    }
    at = probe(tab, id);
  }
  tab->slots[at].id = id;
  tab->slots[at].obj = obj;
  ++tab->used;
  return 0;
}

void* spdylay_streamtab_get(const spdylay_streamtab *tab, int32_t id)
{
  return tab->slots[probe(tab, id)].obj;
}

void* spdylay_streamtab_drop(spdylay_streamtab *tab, int32_t id)
{
  size_t hole = probe(tab, id), i;
  void *obj = tab->slots[hole].obj;
  if(obj == NULL) {
    return NULL;
  }
  /* Close the hole: walk the rest of the probe run and move back every
     pair whose home slot does not lie (cyclically) after the hole. */
  i = hole;
  for(;;) {
    size_t home;
    i = (i + 1) & tab->mask;
    if(tab->slots[i].obj == NULL) {
      break;
    }
    home = home_slot(tab, tab->slots[i].id);
    if(((i - home) & tab->mask) >= ((i - hole) & tab->mask)) {
      tab->slots[hole] = tab->slots[i];
      hole = i;
    }
  }
  tab->slots[hole].obj = NULL;
  tab->slots[hole].id = 0;
  --tab->used;
  return obj;
}

size_t spdylay_streamtab_count(const spdylay_streamtab *tab)
{
  return tab->used;
}

int spdylay_streamtab_visit(const spdylay_streamtab *tab,
                            int (*visit)(void *obj, void *arg), void *arg)
{
  size_t i;
  for(i = 0; i <= tab->mask; ++i) {
    if(tab->slots[i].obj != NULL) {
      int rv = visit(tab->slots[i].obj, arg);
      if(rv != 0) {
        return rv;
      }
    }
  }
  return 0;
}

void spdylay_streamtab_clear(spdylay_streamtab *tab,
                             void (*dispose)(void *obj, void *arg), void *arg)
{
  size_t i;
  for(i = 0; i <= tab->mask; ++i) {
    void *obj = tab->slots[i].obj;
    if(obj != NULL) {
      tab->slots[i].obj = NULL;
      tab->slots[i].id = 0;
      dispose(obj, arg);
    }
  }
  tab->used = 0;
}
