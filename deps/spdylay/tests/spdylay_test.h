/*
 * spdylay_test.h - a tiny assertion harness for the C unit tests.
 *
 * Usage: write `static void test_xxx(void) { CHECK(...); }` functions and
 * list them in main() with RUN(test_xxx); finish with
 * `return TEST_SUMMARY();`.
 */
#ifndef SPDYLAY_TEST_H
#define SPDYLAY_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failures;
static int test_checks;
static const char *test_current = "";

#define CHECK(cond)                                                      \
  do {                                                                   \
    ++test_checks;                                                       \
    if(!(cond)) {                                                        \
      ++test_failures;                                                   \
      fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__,         \
              __LINE__, test_current, #cond);                            \
    }                                                                    \
  } while(0)

#define CHECK_EQ(a, b)                                                   \
  do {                                                                   \
    long long va_ = (long long)(a), vb_ = (long long)(b);                \
    ++test_checks;                                                       \
    if(va_ != vb_) {                                                     \
      ++test_failures;                                                   \
      fprintf(stderr, "%s:%d: %s: CHECK_EQ failed: %s == %s (%lld vs "   \
              "%lld)\n", __FILE__, __LINE__, test_current, #a, #b, va_,  \
              vb_);                                                      \
    }                                                                    \
  } while(0)

#define CHECK_STR(a, b)                                                  \
  do {                                                                   \
    const char *sa_ = (a), *sb_ = (b);                                   \
    ++test_checks;                                                       \
    if(sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0) {            \
      ++test_failures;                                                   \
      fprintf(stderr, "%s:%d: %s: CHECK_STR failed: \"%s\" vs \"%s\"\n", \
              __FILE__, __LINE__, test_current, sa_ ? sa_ : "(null)",    \
              sb_ ? sb_ : "(null)");                                     \
    }                                                                    \
  } while(0)

#define CHECK_MEM(a, b, n)                                               \
  do {                                                                   \
    ++test_checks;                                                       \
    if(memcmp((a), (b), (n)) != 0) {                                     \
      ++test_failures;                                                   \
      fprintf(stderr, "%s:%d: %s: CHECK_MEM failed: %s vs %s\n",         \
              __FILE__, __LINE__, test_current, #a, #b);                 \
    }                                                                    \
  } while(0)

#define RUN(fn)                                                          \
  do {                                                                   \
    int before_ = test_failures;                                         \
    test_current = #fn;                                                  \
    fn();                                                                \
    printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);  \
  } while(0)

#define TEST_SUMMARY()                                                   \
  (printf("%d checks, %d failures\n", test_checks, test_failures),       \
   test_failures ? 1 : 0)

/* Decodes hex (spaces ignored) into |out|; returns the byte count. */
static size_t test_unhex(unsigned char *out, const char *hex)
{
  size_t n = 0;
  int hi = -1;
  for(; *hex; ++hex) {
    int v;
    char c = *hex;
    if(c >= '0' && c <= '9') v = c - '0';
    else if(c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if(c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if(hi < 0) {
      hi = v;
    } else {
      out[n++] = (unsigned char)(hi << 4 | v);
      hi = -1;
    }
  }
  return n;
}

#endif /* SPDYLAY_TEST_H */
