#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define USE_MMAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define USE_MMAP 0
#endif
#endif
#ifndef USE_MMAP
#define USE_MMAP 1
#endif

#define HEADER 64                   /* keeps the payload 64-byte aligned */
#define BIG ((size_t)1 << 20)       /* from here on, map directly */
#define HUGE_PAGE ((size_t)2 << 20)

struct header {
	size_t mapped;   /* bytes mapped including the header; 0 = from malloc */
	size_t size;     /* bytes asked for */
};

static struct header *head(void *p)
{
	return (struct header *)((char *)p - HEADER);
}

static size_t round_map(size_t n)
{
	return (n + HEADER + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

static void *alloc(size_t n, int zero)
{
	struct header *h;

	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	if (USE_MMAP && n >= BIG) {
		size_t len = round_map(n);
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(m, len, MADV_HUGEPAGE);
#endif
		h = m;
		h->mapped = len;  /* fresh mappings are already zero */
	} else {
		h = zero ? calloc(1, n + HEADER) : malloc(n + HEADER);
		if (!h)
			return NULL;
		h->mapped = 0;
	}
	h->size = n;
	return (char *)h + HEADER;
}

void *ct_mem_alloc(size_t n)
{
	return alloc(n, 0);
}

void *ct_mem_zalloc(size_t n)
{
	return alloc(n, 1);
}

void *ct_mem_realloc(void *p, size_t n)
{
	if (!p)
		return alloc(n, 0);
	struct header *h = head(p);
	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	if (h->mapped && n >= BIG) {
		size_t len = round_map(n);
		if (len != h->mapped) {
			void *m = mremap(h, h->mapped, len, MREMAP_MAYMOVE);
			if (m == MAP_FAILED)
				return NULL;
			h = m;
#ifdef MADV_HUGEPAGE
			madvise(m, len, MADV_HUGEPAGE);
#endif
			h->mapped = len;
		}
		h->size = n;
		return (char *)h + HEADER;
	}
	if (!h->mapped && (!USE_MMAP || n < BIG)) {
		h = realloc(h, n + HEADER);
		if (!h)
			return NULL;
		h->size = n;
		return (char *)h + HEADER;
	}
	/* Crossing between malloc and mmap: copy. */
	void *q = alloc(n, 0);
	if (!q)
		return NULL;
	memcpy(q, p, h->size < n ? h->size : n);
	ct_mem_free(p);
	return q;
}

void ct_mem_free(void *p)
{
	if (!p)
		return;
	struct header *h = head(p);
	if (h->mapped)
		munmap(h, h->mapped);
	else
		free(h);
}
