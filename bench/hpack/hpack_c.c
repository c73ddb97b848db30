/*
 * bench/hpack: nghttp2's HPACK codec driven directly from C, over the same
 * stories the JS benchmark uses. Reads the corpus file written by index.js
 * (binary: u32 nstories, then per story u32 ncases, per case u32 nfields,
 * per field u32 namelen, name, u32 valuelen, value) and prints one JSON line
 * with header fields per second of CPU time for deflate and for inflate.
 *
 * Usage: hpack_c CORPUS_FILE SECONDS_PER_ROUND ROUNDS [deflate|inflate]
 * (with a mode, only that half is timed: bench/hpack/profile.js samples it).
 */
#include <nghttp2/nghttp2.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  size_t nfields;
  nghttp2_nv *nva;
  uint8_t *wire;
  size_t wirelen;
} bench_case;

typedef struct {
  size_t ncases;
  bench_case *cases;
} bench_story;

static uint8_t *data;
static size_t datalen, pos;

static uint32_t rd32(void) {
  uint32_t v;
  if (pos + 4 > datalen) { fprintf(stderr, "corpus truncated\n"); exit(1); }
  memcpy(&v, data + pos, 4);
  pos += 4;
  return v;
}

/* CPU time of the process, in seconds: a shared machine's other work does
 * not count against the codec. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t deflate_all(bench_story *stories, size_t n, uint8_t *out, size_t outlen, int keep) {
  size_t fields = 0;
  for (size_t s = 0; s < n; ++s) {
    nghttp2_hd_deflater *d;
    if (nghttp2_hd_deflate_new(&d, 4096) != 0) exit(1);
    for (size_t c = 0; c < stories[s].ncases; ++c) {
      bench_case *bc = &stories[s].cases[c];
      ssize_t r = nghttp2_hd_deflate_hd(d, out, outlen, bc->nva, bc->nfields);
      if (r < 0) { fprintf(stderr, "deflate: %s\n", nghttp2_strerror((int)r)); exit(1); }
      if (keep) {
        bc->wire = malloc((size_t)r + 1);
        memcpy(bc->wire, out, (size_t)r);
        bc->wirelen = (size_t)r;
      }
      fields += bc->nfields;
    }
    nghttp2_hd_deflate_del(d);
  }
  return fields;
}

static size_t inflate_all(bench_story *stories, size_t n) {
  size_t fields = 0;
  for (size_t s = 0; s < n; ++s) {
    nghttp2_hd_inflater *inf;
    if (nghttp2_hd_inflate_new(&inf) != 0) exit(1);
    for (size_t c = 0; c < stories[s].ncases; ++c) {
      bench_case *bc = &stories[s].cases[c];
      const uint8_t *p = bc->wire;
      size_t left = bc->wirelen;
      for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t r = nghttp2_hd_inflate_hd2(inf, &nv, &flags, p, left, 1);
        if (r < 0) { fprintf(stderr, "inflate: %s\n", nghttp2_strerror((int)r)); exit(1); }
        p += r;
        left -= (size_t)r;
        if (flags & NGHTTP2_HD_INFLATE_EMIT) ++fields;
        if (flags & NGHTTP2_HD_INFLATE_FINAL) { nghttp2_hd_inflate_end_headers(inf); break; }
        if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) break;
      }
    }
    nghttp2_hd_inflate_del(inf);
  }
  return fields;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s CORPUS SECONDS ROUNDS [deflate|inflate]\n", argv[0]); return 2; }
  double secs = atof(argv[2]);
  int rounds = atoi(argv[3]);
  int do_deflate = argc < 5 || strcmp(argv[4], "deflate") == 0;
  int do_inflate = argc < 5 || strcmp(argv[4], "inflate") == 0;
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END);
  datalen = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc(datalen);
  if (fread(data, 1, datalen, f) != datalen) { perror("read"); return 1; }
  fclose(f);

  size_t nstories = rd32();
  bench_story *stories = calloc(nstories, sizeof(*stories));
  for (size_t s = 0; s < nstories; ++s) {
    stories[s].ncases = rd32();
    stories[s].cases = calloc(stories[s].ncases, sizeof(bench_case));
    for (size_t c = 0; c < stories[s].ncases; ++c) {
      bench_case *bc = &stories[s].cases[c];
      bc->nfields = rd32();
      bc->nva = calloc(bc->nfields + 1, sizeof(nghttp2_nv));
      for (size_t i = 0; i < bc->nfields; ++i) {
        nghttp2_nv *nv = &bc->nva[i];
        nv->namelen = rd32();
        nv->name = data + pos;
        pos += nv->namelen;
        nv->valuelen = rd32();
        nv->value = data + pos;
        pos += nv->valuelen;
        nv->flags = NGHTTP2_NV_FLAG_NONE;
      }
    }
  }
  size_t outlen = 1 << 20;
  uint8_t *out = malloc(outlen);
  deflate_all(stories, nstories, out, outlen, 1);

  double best_d = 0, best_i = 0;
  for (int r = 0; r < rounds; ++r) {
    size_t fields = 0;
    double t0, t;
    if (do_deflate) {
      t0 = now();
      do { fields += deflate_all(stories, nstories, out, outlen, 0); } while ((t = now()) - t0 < secs);
      if (fields / (t - t0) > best_d) best_d = fields / (t - t0);
    }
    if (do_inflate) {
      fields = 0;
      t0 = now();
      do { fields += inflate_all(stories, nstories); } while ((t = now()) - t0 < secs);
      if (fields / (t - t0) > best_i) best_i = fields / (t - t0);
    }
  }
  printf("{\"deflate\": %.0f, \"inflate\": %.0f}\n", best_d, best_i);
  return 0;
}
