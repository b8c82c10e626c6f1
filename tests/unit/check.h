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

/* A test graph: nodes 0..n-1 get addresses 16 * (v + 1); edges are given
 * in any order and added per source in the order given. */
struct tg_edge {
	uint32_t from, to;
	uint8_t kind;          /* enum ct_edge_kind */
	const char *label;     /* NULL = none */
};

struct tg_spec {
	uint32_t n;
	const char *const *types;   /* per node; NULL = all "T" */
	const uint64_t *sizes;      /* per node; NULL = all 8 */
	const uint8_t *flags;       /* per node; NULL = none */
	const uint64_t *refcounts;  /* per node; NULL = no counts */
	const char *const *values;  /* per node, NULL or a name; NULL = none */
	const struct tg_edge *edges;
	size_t n_edges;
};

static inline uint64_t tg_addr(uint32_t v)
{
	return 16 * ((uint64_t)v + 1);
}

static inline void tg_build(struct ct_graph *g, const struct tg_spec *sp)
{
	struct ct_builder b;
	struct ct_error err = {0};
	uint32_t n = sp->n;
	size_t *start = calloc((size_t)n + 1, sizeof(*start));
	size_t *order = malloc((sp->n_edges ? sp->n_edges : 1) * sizeof(*order));

	for (size_t e = 0; e < sp->n_edges; e++)
		start[sp->edges[e].from + 1]++;
	for (uint32_t v = 0; v < n; v++)
		start[v + 1] += start[v];
	for (size_t e = 0; e < sp->n_edges; e++)
		order[start[sp->edges[e].from]++] = e;
	for (uint32_t v = n; v > 0; v--)
		start[v] = start[v - 1];
	start[0] = 0;
	ct_builder_init(&b, "test");
	uint32_t deft = ct_builder_intern(&b, "T", 1);
	for (uint32_t v = 0; v < n; v++) {
		uint32_t t = sp->types ? ct_builder_intern(&b, sp->types[v], strlen(sp->types[v])) : deft;
		const char *name = sp->values ? sp->values[v] : NULL;
		uint32_t value = name ? ct_builder_intern(&b, name, strlen(name)) : 0;
		must(ct_builder_node(&b, tg_addr(v), t, sp->sizes ? sp->sizes[v] : 8,
				     sp->flags ? sp->flags[v] : 0, value, sp->refcounts != NULL,
				     sp->refcounts ? sp->refcounts[v] : 0, v + 1, &err), &err, "node");
		for (size_t k = start[v]; k < start[v + 1]; k++) {
			const struct tg_edge *e = &sp->edges[order[k]];
			uint32_t l = e->label ? ct_builder_intern(&b, e->label, strlen(e->label)) : 0;
			must(ct_builder_edge(&b, tg_addr(e->to), l, e->kind, &err), &err, "edge");
		}
	}
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
	free(start);
	free(order);
}

#endif
