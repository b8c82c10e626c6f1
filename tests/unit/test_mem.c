/* Unit test: lib/mem.c (big blocks, faulting in on the side, the reserve). */
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/mem.h"

#define MB ((size_t)1 << 20)

/* Are big blocks mapped (not under AddressSanitizer, where all is malloc)? */
static bool mapped_blocks(void)
{
	return ct_mem_block_bytes(4 * MB) > 4 * MB;
}

static size_t resident_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void pause_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char want)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != want)
			return false;
	return true;
}

/* Faulting in never changes memory, even while the owner writes it. */
static void test_prefault_keeps_contents(size_t n)
{
	uint32_t *a = ct_mem_alloc(n);
	if (!CHECK(a, "alloc %zu", n))
		return;
	size_t k = n / sizeof(*a);
	ct_mem_prefault(a, n);
	for (size_t i = 0; i < k; i++)   /* races with the worker */
		a[i] = (uint32_t)(i * 2654435761u);
	ct_mem_prefault(a, n);            /* again, over written pages */
	size_t bad = 0;
	for (size_t i = 0; i < k; i++)
		bad += a[i] != (uint32_t)(i * 2654435761u);
	CHECK(bad == 0, "%zu of %zu words changed by faulting in", bad, k);
	/* Grown (moved by mremap) while queued: the contents move along. */
	ct_mem_prefault(a, n);
	uint32_t *b = ct_mem_realloc(a, 3 * n);
	if (CHECK(b, "realloc to %zu", 3 * n)) {
		a = b;
		bad = 0;
		for (size_t i = 0; i < k; i++)
			bad += a[i] != (uint32_t)(i * 2654435761u);
		CHECK(bad == 0, "%zu words changed by a move while queued", bad);
	}
	ct_mem_free(a);
	ct_mem_prefault(NULL, n);         /* no-ops */
	void *small = ct_mem_alloc(100);
	ct_mem_prefault(small, 100);
	ct_mem_free(small);
}

/* A block freed while queued is taken off the queue: whatever is mapped
 * at its address next is not faulted in behind its owner's back. */
static void test_forget_on_free(size_t n, int rounds)
{
	for (int r = 0; r < rounds; r++) {
		void *a = ct_mem_alloc(n);
		if (!CHECK(a, "alloc"))
			return;
		ct_mem_prefault(a, n);
		ct_mem_free(a);
		size_t before = resident_bytes();
		unsigned char *b = ct_mem_zalloc(n);   /* often at the same address */
		if (!CHECK(b, "zalloc"))
			return;
		pause_ms(50);
		size_t after = resident_bytes();
		if (mapped_blocks())
			CHECK(after < before + n / 2,
			      "round %d: %zu MB faulted in of a block nobody touched", r,
			      (after - before) / MB);
		CHECK(all_bytes(b, n, 0), "a fresh zeroed block reads zero");
		ct_mem_free(b);
	}
}

/* More spans than the queue holds, freed in a scrambled order. */
static void test_many_spans(size_t n)
{
	enum { COUNT = 150 };
	unsigned char *blocks[COUNT];
	uint64_t seed = 7;

	for (int i = 0; i < COUNT; i++) {
		blocks[i] = ct_mem_alloc(n);
		if (!blocks[i])
			continue;
		ct_mem_prefault(blocks[i], n);
		memset(blocks[i], i & 0xff, n);
	}
	int bad = 0;
	for (int i = 0; i < COUNT; i++)
		bad += blocks[i] && !all_bytes(blocks[i], n, (unsigned char)(i & 0xff));
	CHECK(bad == 0, "%d of %d blocks changed", bad, COUNT);
	for (int i = COUNT - 1; i > 0; i--) {
		int j = (int)rng_below(&seed, (uint32_t)i + 1);
		unsigned char *t = blocks[i];
		blocks[i] = blocks[j];
		blocks[j] = t;
	}
	for (int i = 0; i < COUNT; i++)
		ct_mem_free(blocks[i]);
}

static void test_reserve(size_t n)
{
	size_t one = ct_mem_block_bytes(n), two = ct_mem_block_bytes(2 * n);
	CHECK(one >= n && two >= 2 * n, "block bytes %zu %zu", one, two);

	/* Without a reserve, take() is zalloc(). */
	unsigned char *z = ct_mem_take(n);
	if (CHECK(z, "take without a reserve"))
		CHECK(all_bytes(z, n, 0), "taken memory is zero");
	ct_mem_free(z);

	ct_mem_reserve(one + two + one);
	ct_mem_reserve(100 * n);              /* one at a time: ignored */
	unsigned char *a = ct_mem_take(n), *b = ct_mem_take(2 * n), *c = ct_mem_take(n);
	unsigned char *d = ct_mem_take(n);   /* past the reserve: fresh */
	unsigned char *e = ct_mem_alloc(n);  /* alloc never takes */
	if (!CHECK(a && b && c && d && e, "takes"))
		goto out;
	CHECK(((uintptr_t)a | (uintptr_t)b | (uintptr_t)c | (uintptr_t)d) % 64 == 0,
	      "64-byte aligned");
	if (mapped_blocks()) {
		CHECK(b == a + one && c == b + two, "taken in order from one reserve: %p %p %p",
		      (void *)a, (void *)b, (void *)c);
		CHECK(d < a || d >= c + one, "a take past the reserve is not inside it");
	}
	CHECK(all_bytes(a, n, 0) && all_bytes(b, 2 * n, 0) && all_bytes(c, n, 0) &&
	      all_bytes(d, n, 0), "taken blocks read zero");
	memset(a, 1, n);
	memset(b, 2, 2 * n);
	memset(c, 3, n);
	CHECK(all_bytes(a, n, 1) && all_bytes(b, 2 * n, 2) && all_bytes(c, n, 3),
	      "taken blocks do not overlap");
	/* A taken block grows (moves out of the reserve) and shrinks. */
	unsigned char *b2 = ct_mem_realloc(b, 5 * n);
	if (CHECK(b2, "realloc a taken block")) {
		b = b2;
		CHECK(all_bytes(b, 2 * n, 2) && all_bytes(a, n, 1) && all_bytes(c, n, 3),
		      "contents survive growing out of the reserve");
		b2 = ct_mem_realloc(b, n);
		if (CHECK(b2, "shrink"))
			b = b2;
		CHECK(all_bytes(b, n, 2), "contents survive shrinking");
	}
	ct_mem_reserve_end();
	ct_mem_reserve_end();                 /* twice is fine */
	CHECK(all_bytes(a, n, 1) && all_bytes(c, n, 3), "ending the reserve keeps taken blocks");
out:
	ct_mem_free(a);
	ct_mem_free(b);
	ct_mem_free(c);
	ct_mem_free(d);
	ct_mem_free(e);

	/* A reserve ended unused gives its memory back. */
	size_t before = resident_bytes();
	ct_mem_reserve(8 * n);
	ct_mem_reserve_end();
	pause_ms(20);
	if (mapped_blocks())
		CHECK(resident_bytes() < before + 4 * n, "an ended reserve is unmapped");
	/* Small reserves and takes go through malloc. */
	ct_mem_reserve(1000);
	unsigned char *s = ct_mem_take(1000);
	if (CHECK(s, "small take"))
		CHECK(all_bytes(s, 1000, 0), "small take is zero");
	ct_mem_free(s);
	ct_mem_reserve_end();
}

int main(void)
{
	bool small = test_small();
	size_t n = (small ? 2 : 32) * MB;

	test_prefault_keeps_contents(small ? 4 * MB : 256 * MB);
	test_forget_on_free(small ? 8 * MB : 256 * MB, small ? 2 : 10);
	test_many_spans(small ? MB + 4096 : 3 * MB);
	test_reserve(n);
	return check_status("test_mem");
}
