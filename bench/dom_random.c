/* Time and memory of ct_dom_compute() on a random graph.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -I. bench/dom_random.c build/libcycletool.a \
 *      -o build/dom_random && build/dom_random 10000000 30000000
 *
 * Nodes get random self sizes and out-degrees (each edge to a uniformly
 * random node, one in ten weak); 1000 random nodes are the roots.  Prints
 * the wall and CPU time of the dominator computation and its peak memory (the
 * growth of the peak resident set over the loaded graph's).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/dom.h"

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static double now(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000000;
	uint64_t m = argc > 2 ? strtoull(argv[2], NULL, 10) : 30000000;
	uint64_t seed = 42;
	struct ct_builder b;
	struct ct_graph g;
	struct ct_dom d;
	struct ct_error err = {0};

	ct_builder_init(&b, "bench");
	ct_builder_reserve(&b, n, (uint32_t)m);
	uint32_t t = ct_builder_intern(&b, "T", 1);
	uint64_t left = m;
	for (uint32_t v = 0; v < n; v++) {
		if (ct_builder_node(&b, 16 * ((uint64_t)v + 1), t, 16 + rng(&seed) % 100, 0, 0,
				    false, 0, v + 1, &err))
			goto fail;
		uint64_t k = left / (n - v);
		k = (k * 2 * (rng(&seed) % 1000)) / 1000;   /* mean about m / n */
		if (k > left || v + 1 == n)
			k = left;
		left -= k;
		for (uint64_t i = 0; i < k; i++)
			if (ct_builder_edge(&b, 16 * (rng(&seed) % n + 1), 0,
					    rng(&seed) % 10 ? CT_EDGE_STRONG : CT_EDGE_WEAK, &err))
				goto fail;
	}
	if (ct_builder_build(&b, 0, &g, &err))
		goto fail;
	uint8_t *root = calloc(n, 1);
	for (int i = 0; i < 1000; i++)
		root[rng(&seed) % n] = 1;

	FILE *cr = fopen("/proc/self/clear_refs", "w");
	if (cr) {
		fputs("5", cr);          /* reset the peak resident set */
		fclose(cr);
	}
	long before = status_kb("VmRSS:");
	double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	if (ct_dom_compute(&g, root, &d, &err))
		goto fail;
	double t1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	long peak = status_kb("VmHWM:"), after = status_kb("VmRSS:");
	printf("%" PRIu32 " nodes, %" PRIu32 " edges: %" PRIu32 " reached, dominators and "
	       "retained sizes in %.2f s (%.2f s CPU), peak +%ld MB, result %ld MB\n", g.n_nodes, g.n_edges,
	       d.n_reached, t1 - t0, c1 - c0, (peak - before) / 1024, (after - before) / 1024);
	ct_dom_finish(&d);
	ct_graph_finish(&g);
	free(root);
	return 0;
fail:
	fprintf(stderr, "dom_random: %s\n", err.msg);
	return 1;
}
