#include "mem.h"

#include <pthread.h>
#include <stdbool.h>
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
#define BIG ((size_t)1 << 19)       /* from here on, map directly */
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

size_t ct_mem_block_bytes(size_t n)
{
	return USE_MMAP && n >= BIG && n <= SIZE_MAX - 2 * HUGE_PAGE ? round_map(n) : n;
}

/* ---- faulting pages in on the side ----
 *
 * One worker thread takes the queued spans in order and faults them in, a
 * chunk at a time, with MADV_POPULATE_WRITE, which never changes what is
 * in memory and so may race with the owner's writes.  Memory about to be
 * unmapped or moved is first taken off the queue, waiting for the chunk
 * in hand if it lies there, so that no later mapping at the same address
 * is faulted in by mistake.  The thread ends when the queue is empty; the
 * next span queued starts another.  All else here runs on the caller's
 * thread only (cycletool's analyses are single-threaded). */

#define QUEUE 64
#define CHUNK ((size_t)8 << 20)

struct span {
	char *p, *end;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t done;          /* the chunk in hand was finished */
	struct span q[QUEUE];
	unsigned first, len;
	bool running;
	struct span busy;             /* the chunk in hand */
} pf = {.lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static void *prefault_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pf.lock);
	while (pf.len) {
		struct span *s = &pf.q[pf.first];
		size_t n = (size_t)(s->end - s->p) < CHUNK ? (size_t)(s->end - s->p) : CHUNK;
		pf.busy = (struct span){s->p, s->p + n};
		s->p += n;
		if (s->p == s->end) {
			pf.first = (pf.first + 1) % QUEUE;
			pf.len--;
		}
		pthread_mutex_unlock(&pf.lock);
#ifdef MADV_POPULATE_WRITE
		madvise(pf.busy.p, n, MADV_POPULATE_WRITE);  /* a hint: errors are harmless */
#endif
		pthread_mutex_lock(&pf.lock);
		pf.busy = (struct span){NULL, NULL};
		pthread_cond_broadcast(&pf.done);
	}
	pf.running = false;
	pthread_mutex_unlock(&pf.lock);
	return NULL;
}

/* Queue [p, end) (whole pages) for the worker. */
static void prefault_span(char *p, char *end)
{
	if (!USE_MMAP || end <= p)
		return;
	pthread_mutex_lock(&pf.lock);
	if (pf.len < QUEUE) {
		pf.q[(pf.first + pf.len++) % QUEUE] = (struct span){p, end};
		if (!pf.running) {
			pthread_attr_t a;
			pthread_t t;
			pf.running = pthread_attr_init(&a) == 0 &&
				     pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0 &&
				     pthread_create(&t, &a, prefault_worker, NULL) == 0;
			pthread_attr_destroy(&a);
			if (!pf.running)
				pf.len = 0;   /* no thread: the owner faults its own pages */
		}
	}
	pthread_mutex_unlock(&pf.lock);
}

/* Take [p, end) off the queue before it is unmapped or moved. */
static void prefault_forget(char *p, char *end)
{
	pthread_mutex_lock(&pf.lock);
	if (pf.running) {
		struct span keep[2 * QUEUE];
		unsigned k = 0;
		for (unsigned i = 0; i < pf.len; i++) {
			struct span s = pf.q[(pf.first + i) % QUEUE];
			if (s.end <= p || end <= s.p) {
				keep[k++] = s;
				continue;
			}
			if (s.p < p)
				keep[k++] = (struct span){s.p, p};
			if (end < s.end)
				keep[k++] = (struct span){end, s.end};
		}
		/* A span split in two may not fit: the part left out is only
		 * faulted in by its owner instead. */
		pf.first = 0;
		pf.len = k < QUEUE ? k : QUEUE;
		memcpy(pf.q, keep, pf.len * sizeof(*keep));
		while (pf.busy.p && pf.busy.p < end && p < pf.busy.end)
			pthread_cond_wait(&pf.done, &pf.lock);
	}
	pthread_mutex_unlock(&pf.lock);
}

void ct_mem_prefault(void *p, size_t n)
{
	if (!p || !head(p)->mapped)
		return;
	if (n > head(p)->size)
		n = head(p)->size;
	/* Whole pages past the first, which holds the header (touched). */
	prefault_span((char *)head(p) + HUGE_PAGE, (char *)p + n);
}

/* ---- the reserve ---- */

static struct {
	char *next, *end;   /* not yet taken: [next, end) */
} reserve;

static void *map(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(m, len, MADV_HUGEPAGE);
#endif
	return m;
}

void ct_mem_reserve(size_t bytes)
{
	if (!USE_MMAP || reserve.next || bytes < BIG || bytes > SIZE_MAX / 2)
		return;
	size_t len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	/* Aligned to a huge page, so that blocks taken are too. */
	char *m = map(len + HUGE_PAGE);
	if (!m)
		return;
	char *a = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (a + len < m + len + HUGE_PAGE)
		munmap(a + len, (size_t)(m + len + HUGE_PAGE - (a + len)));
	reserve.next = a;
	reserve.end = a + len;
	prefault_span(a, a + len);
}

void ct_mem_reserve_end(void)
{
	if (!reserve.next)
		return;
	if (reserve.end > reserve.next) {
		prefault_forget(reserve.next, reserve.end);
		munmap(reserve.next, (size_t)(reserve.end - reserve.next));
	}
	reserve.next = reserve.end = NULL;
}

/* ---- blocks ---- */

static void *alloc(size_t n, int zero, bool take)
{
	struct header *h;

	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	if (USE_MMAP && n >= BIG) {
		size_t len = round_map(n);
		if (take && len <= (size_t)(reserve.end - reserve.next)) {
			h = (struct header *)reserve.next;  /* never written: zero */
			reserve.next += len;
		} else if (!(h = map(len))) {
			return NULL;
		}
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
	return alloc(n, 0, false);
}

void *ct_mem_zalloc(size_t n)
{
	return alloc(n, 1, false);
}

void *ct_mem_take(size_t n)
{
	return alloc(n, 1, true);
}

void *ct_mem_realloc(void *p, size_t n)
{
	if (!p)
		return alloc(n, 0, false);
	struct header *h = head(p);
	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	if (h->mapped && n >= BIG) {
		size_t len = round_map(n);
		if (len != h->mapped) {
			prefault_forget((char *)h, (char *)h + h->mapped);
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
	void *q = alloc(n, 0, false);
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
	if (h->mapped) {
		prefault_forget((char *)h, (char *)h + h->mapped);
		munmap(h, h->mapped);
	} else {
		free(h);
	}
}

void ct_mem_run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n)
{
	char *job = jobs;
	pthread_t *tid = n > 1 ? malloc((n - 1) * sizeof(*tid)) : NULL;
	bool *started = n > 1 ? calloc(n - 1, sizeof(*started)) : NULL;

	for (unsigned k = 1; tid && started && k < n; k++)
		started[k - 1] = pthread_create(&tid[k - 1], NULL, fn, job + k * size) == 0;
	if (n)
		fn(job);
	for (unsigned k = 1; k < n; k++) {
		if (started && started[k - 1])
			pthread_join(tid[k - 1], NULL);
		else
			fn(job + k * size);
	}
	free(tid);
	free(started);
}
