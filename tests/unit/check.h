/* Tiny helpers shared by the unit tests: checks that count failures
 * instead of aborting, and a builder shorthand for small graphs. */
#ifndef CT_TEST_CHECK_H
#define CT_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/graph.h"

static int check_failures;

static inline bool check_at(bool ok, const char *file, int line, const char *expr,
			    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline bool check_at(bool ok, const char *file, int line, const char *expr,
			    const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	check_failures++;
	fprintf(stderr, "%s:%d: FAILED: %s: ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* CHECK(cond, fmt, ...): report (and count) a failure; never returns early. */
#define CHECK(cond, ...) check_at((cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* Exit status for main(). */
static inline int check_status(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

/* A deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)((rng_next(s) >> 32) % n) : 0;
}

/* Are we running under valgrind (or asked to go easy)?  Heavy tests
 * shrink their sizes when CT_TEST_SMALL is set or valgrind is loaded. */
static inline bool test_small(void)
{
	const char *ld = getenv("LD_PRELOAD");
	return getenv("CT_TEST_SMALL") || (ld && strstr(ld, "valgrind"));
}

/* Abort the test run when the library reports something unexpected
 * during setup (not what the test is about). */
static inline void must(int rc, const struct ct_error *err, const char *what)
{
	if (rc) {
		fprintf(stderr, "setup failed: %s: code %d: %s (line %llu)\n", what, rc,
			err ? err->msg : "?", err ? (unsigned long long)err->line : 0ULL);
		exit(2);
	}
}

#endif
