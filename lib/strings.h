/* An arena of interned, NUL-terminated strings.
 *
 * Each distinct byte string is stored once and named by a 32-bit id.
 * Id 0 is always the empty string and means "none" wherever an id is
 * optional.  The arena owns every byte; pointers returned by
 * ct_strings_get() stay valid until the next ct_strings_intern() call
 * (the arena may move), ids stay valid until ct_strings_finish().
 */
#ifndef CT_STRINGS_H
#define CT_STRINGS_H

#include <stddef.h>
#include <stdint.h>

struct ct_strings_slot {
	uint32_t id_plus1;
	uint32_t tag;       /* low bits of the hash: growth needs no rehash */
};

struct ct_strings {
	char *bytes;        /* all strings, each followed by a NUL */
	size_t used, cap;
	uint64_t *off;      /* off[id] = start of string id in bytes */
	uint32_t count, off_cap;
	struct ct_strings_slot *slots;  /* open addressing; id_plus1 0 = empty */
	uint32_t nslots;    /* power of two */
	uint32_t interned;  /* strings in the table (appended ones are not) */
};

/* Zero-initialise; no allocation until the first intern. */
void ct_strings_init(struct ct_strings *s);
/* Release everything; s may be zeroed or NULL. */
void ct_strings_finish(struct ct_strings *s);

/* Intern len bytes at p (which need not be NUL-terminated and may contain
 * no NUL).  Every string in the arena is valid UTF-8: bytes that are not
 * part of a valid sequence are stored as U+FFFD (the rule of present.h),
 * so distinct ids are distinct texts, in JSON keys too.  Returns the id,
 * or UINT32_MAX when memory runs out. */
uint32_t ct_strings_intern(struct ct_strings *s, const char *p, size_t len);

/* Store len bytes at p (made valid UTF-8 as above) as a new string
 * without looking for an equal one (for values that are nearly all
 * distinct).  Returns the id, or
 * UINT32_MAX when memory runs out.  Such a string is never returned by
 * ct_strings_intern(). */
uint32_t ct_strings_append(struct ct_strings *s, const char *p, size_t len);

/* The id of the interned string equal to the NUL-terminated p, or
 * UINT32_MAX if there is none (nothing is added).  Appended strings are
 * not found. */
uint32_t ct_strings_find(const struct ct_strings *s, const char *p);

/* The string with this id (borrowed; see the note above). */
static inline const char *ct_strings_get(const struct ct_strings *s, uint32_t id)
{
	return id < s->count ? s->bytes + s->off[id] : "";
}

/* Length of the string with this id, in bytes. */
static inline size_t ct_strings_len(const struct ct_strings *s, uint32_t id)
{
	if (id >= s->count)
		return 0;
	uint64_t end = id + 1 < s->count ? s->off[id + 1] : s->used;
	return (size_t)(end - s->off[id] - 1);
}

/* 64-bit hash of a byte string, shared by every table in lib/. */
uint64_t ct_hash_bytes(const char *p, size_t len);

/* Mix a 64-bit integer into a well-spread hash. */
static inline uint64_t ct_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
