/*
 * spdylay_map.h - hash map from int32_t key to intrusive entries.
 *
 * The entry is embedded in the stored object, so insertion never
 * allocates (except when the bucket table grows).
 */
#ifndef SPDYLAY_MAP_H
#define SPDYLAY_MAP_H

#include <stdint.h>
#include <stddef.h>

typedef struct spdylay_map_entry {
  struct spdylay_map_entry *next;
  int32_t key;
} spdylay_map_entry;

typedef struct {
  spdylay_map_entry **table;
  /* number of buckets, a power of 2 */
  size_t tablelen;
  size_t size;
} spdylay_map;

int spdylay_map_init(spdylay_map *map);

/* Frees the table only; entries are owned by the caller. */
void spdylay_map_free(spdylay_map *map);

/* Inserts |entry| (key already set).  Returns 0, NOMEM, or
   SPDYLAY_ERR_INVALID_ARGUMENT if the key exists. */
int spdylay_map_insert(spdylay_map *map, spdylay_map_entry *entry);

spdylay_map_entry* spdylay_map_find(spdylay_map *map, int32_t key);

/* Removes and returns the entry with |key|, or NULL. */
spdylay_map_entry* spdylay_map_remove(spdylay_map *map, int32_t key);

size_t spdylay_map_size(spdylay_map *map);

/* Calls |func| for every entry; stops and returns the first nonzero
   return value.  |func| must not modify the map. */
int spdylay_map_each(spdylay_map *map,
                     int (*func)(spdylay_map_entry *entry, void *ptr),
                     void *ptr);

/* Like spdylay_map_each, but |func| may free the entry; the map is left
   empty afterwards. */
void spdylay_map_each_free(spdylay_map *map,
                           void (*func)(spdylay_map_entry *entry, void *ptr),
                           void *ptr);

#endif /* SPDYLAY_MAP_H */
