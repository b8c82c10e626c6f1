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

/* Store every string of src in dst as it was stored in src (interned or
 * appended), in src's id order: the strings of text parsed in pieces,
 * each piece into its own arena, end up with the ids they would have had
 * from one arena reading the pieces in order.  remap (src->count entries,
 * the caller's) gets each src id's id in dst.  Returns 0, or 1 when
 * memory runs out (dst then holds some of src's strings). */
int ct_strings_merge(struct ct_strings *dst, const struct ct_strings *src, uint32_t *remap);

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

/* Unkeyed hashes: fingerprints that must come out the same in every run
 * (diff clusters, matches and sorts by them).  They are invertible, so
 * input can be chosen to collide: never index a table keyed by input data
 * with them; use the keyed hashes below. */
uint64_t ct_hash_bytes(const char *p, size_t len);

/* Mix a 64-bit integer into a well-spread hash (unkeyed, see above). */
static inline uint64_t ct_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* SipHash-c-d (Aumasson and Bernstein, 2012) of len bytes at p under the
 * 128-bit key (k0, k1): c rounds per 8-byte block, d to finish. */
uint64_t ct_siphash(uint64_t k0, uint64_t k1, const void *p, size_t len, unsigned c, unsigned d);

/* Keyed hashes, for every hash table keyed by input data (addresses,
 * strings, $ref keys): SipHash-1-3 under a key drawn from getrandom()
 * when the program starts, so input cannot be chosen to collide.  They
 * differ from run to run: no output may depend on them (iterate tables
 * in insertion order, sort by the data, not the hash). */
extern uint64_t ct_hash_key[2];
uint64_t ct_hash_keyed_bytes(const void *p, size_t len);

#define CT_SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define CT_SIP_ROUND(v0, v1, v2, v3) \
	do { \
		v0 += v1; v1 = CT_SIP_ROTL(v1, 13); v1 ^= v0; v0 = CT_SIP_ROTL(v0, 32); \
		v2 += v3; v3 = CT_SIP_ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = CT_SIP_ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = CT_SIP_ROTL(v1, 17); v1 ^= v2; v2 = CT_SIP_ROTL(v2, 32); \
	} while (0)

/* ct_hash_keyed_bytes() of the 8 little-endian bytes of x, inline for
 * the address map's every lookup. */
static inline uint64_t ct_hash_keyed_u64(uint64_t x)
{
	uint64_t v0 = ct_hash_key[0] ^ 0x736f6d6570736575ULL, v1 = ct_hash_key[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = ct_hash_key[0] ^ 0x6c7967656e657261ULL, v3 = ct_hash_key[1] ^ 0x7465646279746573ULL;
	const uint64_t last = 8ULL << 56;

	v3 ^= x;
	CT_SIP_ROUND(v0, v1, v2, v3);
	v0 ^= x;
	v3 ^= last;
	CT_SIP_ROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	CT_SIP_ROUND(v0, v1, v2, v3);
	CT_SIP_ROUND(v0, v1, v2, v3);
	CT_SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
