/* Allocation of the big arrays (per node, per edge, the string arena).
 *
 * Blocks of half a megabyte or more are mapped directly, with transparent
 * huge pages requested, and grow with mremap(), which moves page tables
 * instead of copying.  On a virtual machine a page fault costs
 * microseconds, so a graph of a few hundred megabytes loads markedly
 * faster this way (a byte per node of a million nodes is such a block:
 * scan of a 143 MB dump took 1,000 fewer faults and 7% less time with
 * half a megabyte than with a megabyte, for 3% more peak memory).
 * Smaller blocks come from malloc().  Under AddressSanitizer everything
 * comes from malloc() so that its checks still see every block.
 *
 * A block from these functions must be released with ct_mem_free() and
 * resized with ct_mem_realloc(), never with free()/realloc().
 */
#ifndef CT_MEM_H
#define CT_MEM_H

#include <stddef.h>

/* n bytes, uninitialised; NULL when memory runs out. */
void *ct_mem_alloc(size_t n);
/* n bytes, zeroed. */
void *ct_mem_zalloc(size_t n);
/* Resize p (NULL: allocate) to n bytes, keeping the contents; on failure
 * NULL is returned and p is untouched. */
void *ct_mem_realloc(void *p, size_t n);
/* Release p; NULL is fine. */
void ct_mem_free(void *p);

/* Fault in the first n bytes of block p on another thread, ahead of the
 * caller writing them: on a virtual machine a page fault can cost more
 * than the work that fills the page.  A hint: a no-op for blocks from
 * malloc(), and the memory reads as before either way.  Only for bytes
 * the caller will write, as faulted pages count as used. */
void ct_mem_prefault(void *p, size_t n);

/* Run fn on each of the n jobs (an array of n elements of size bytes),
 * every job but the first on a thread of its own and the first on the
 * calling thread, and return when all have ended.  A job whose thread
 * cannot be started runs on the calling thread instead, so every job
 * runs exactly once whatever the system allows. */
void ct_mem_run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n);

/* For a caller that knows early how much it will allocate later (top,
 * once a snapshot declares its size, knows the dominator tree's working
 * memory): map that much now and fault it in on another thread while
 * other work goes on.  ct_mem_take() then carves blocks from it, in
 * order, while it has room; ct_mem_reserve_end() unmaps what is left.
 * One reserve at a time; a second call while one is open does nothing. */
void ct_mem_reserve(size_t bytes);
void ct_mem_reserve_end(void);
/* n bytes, zeroed: from the reserve when it has room, else as
 * ct_mem_zalloc().  Released with ct_mem_free() like any block. */
void *ct_mem_take(size_t n);
/* The bytes a block of n bytes takes from the reserve. */
size_t ct_mem_block_bytes(size_t n);

/* count * size, or SIZE_MAX when that overflows (so the allocation fails). */
static inline size_t ct_mem_bytes(size_t count, size_t size)
{
	return size && count > (size_t)-1 / size ? (size_t)-1 : count * size;
}

#endif
