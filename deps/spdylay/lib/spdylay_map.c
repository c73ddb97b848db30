/*
 * spdylay_map.c - hash map from int32_t key to intrusive entries.
 */
#include "spdylay_map.h"

#include <stdlib.h>

#include "spdylay_int.h"

#define SPDYLAY_MAP_INITIAL_TABLE 32

static size_t hash(int32_t key, size_t tablelen)
{
  uint32_t h = (uint32_t)key;
  h ^= h >> 16;
  h *= 0x45d9f3bU;
  h ^= h >> 16;
  return h & (tablelen - 1);
}

int spdylay_map_init(spdylay_map *map)
{
  map->tablelen = SPDYLAY_MAP_INITIAL_TABLE;
  map->table = calloc(map->tablelen, sizeof(spdylay_map_entry*));
  if(map->table == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  map->size = 0;
  return 0;
}

void spdylay_map_free(spdylay_map *map)
{
  free(map->table);
  map->table = NULL;
  map->tablelen = map->size = 0;
}

static int resize(spdylay_map *map, size_t newlen)
{
  size_t i;
  spdylay_map_entry **nt = calloc(newlen, sizeof(spdylay_map_entry*));
  if(nt == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  for(i = 0; i < map->tablelen; ++i) {
    spdylay_map_entry *e = map->table[i];
    while(e) {
      spdylay_map_entry *next = e->next;
      size_t h = hash(e->key, newlen);
      e->next = nt[h];
      nt[h] = e;
      e = next;
    }
  }
  free(map->table);
  map->table = nt;
  map->tablelen = newlen;
  return 0;
}

int spdylay_map_insert(spdylay_map *map, spdylay_map_entry *entry)
{
  size_t h;
  int rv;
  if(spdylay_map_find(map, entry->key)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if((map->size + 1) * 4 > map->tablelen * 3) {
    rv = resize(map, map->tablelen * 2);
    if(rv != 0) {
      return rv;
    }
  }
  h = hash(entry->key, map->tablelen);
  entry->next = map->table[h];
  map->table[h] = entry;
  ++map->size;
  return 0;
}

spdylay_map_entry* spdylay_map_find(spdylay_map *map, int32_t key)
{
  spdylay_map_entry *e = map->table[hash(key, map->tablelen)];
  for(; e; e = e->next) {
    if(e->key == key) {
      return e;
    }
  }
  return NULL;
}

spdylay_map_entry* spdylay_map_remove(spdylay_map *map, int32_t key)
{
  spdylay_map_entry **pp = &map->table[hash(key, map->tablelen)];
  for(; *pp; pp = &(*pp)->next) {
    if((*pp)->key == key) {
      spdylay_map_entry *e = *pp;
      *pp = e->next;
      e->next = NULL;
      --map->size;
      return e;
    }
  }
  return NULL;
}

size_t spdylay_map_size(spdylay_map *map)
{
  return map->size;
}

int spdylay_map_each(spdylay_map *map,
                     int (*func)(spdylay_map_entry *entry, void *ptr),
                     void *ptr)
{
  size_t i;
  for(i = 0; i < map->tablelen; ++i) {
    spdylay_map_entry *e;
    for(e = map->table[i]; e; e = e->next) {
      int rv = func(e, ptr);
      if(rv != 0) {
        return rv;
      }
    }
  }
  return 0;
}

void spdylay_map_each_free(spdylay_map *map,
                           void (*func)(spdylay_map_entry *entry, void *ptr),
                           void *ptr)
{
  size_t i;
  for(i = 0; i < map->tablelen; ++i) {
    spdylay_map_entry *e = map->table[i];
    map->table[i] = NULL;
    while(e) {
      spdylay_map_entry *next = e->next;
      func(e, ptr);
      e = next;
    }
  }
  map->size = 0;
}
