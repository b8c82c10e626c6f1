/* Allocation of the big arrays (per node, per edge, the string arena).
 *
 * Blocks of a megabyte or more are mapped directly, with transparent huge
 * pages requested, and grow with mremap(), which moves page tables instead
 * of copying.  On a virtual machine a page fault costs microseconds, so a
 * graph of a few hundred megabytes loads markedly faster this way.
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

/* count * size, or SIZE_MAX when that overflows (so the allocation fails). */
static inline size_t ct_mem_bytes(size_t count, size_t size)
{
	return size && count > (size_t)-1 / size ? (size_t)-1 : count * size;
}

#endif
