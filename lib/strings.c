#include "strings.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "utf8.h"

uint64_t ct_hash_bytes(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = ct_hash_u64(h ^ w);
	}
	uint64_t tail = 0;
	memcpy(&tail, p + i, len - i);
	return ct_hash_u64(h ^ tail ^ 0x9e3779b97f4a7c15ULL);
}

uint64_t ct_siphash(uint64_t k0, uint64_t k1, const void *p, size_t len, unsigned c, unsigned d)
{
	const unsigned char *b = p;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t i = 0;

	for (;; i += 8) {
		uint64_t m = 0;
		bool last = len - i < 8;
		if (last) {
			/* The final block: what is left, and the length's low byte on top. */
			for (size_t k = 0; k < len - i; k++)
				m |= (uint64_t)b[i + k] << (8 * k);
			m |= (uint64_t)(len & 0xff) << 56;
		} else {
			for (size_t k = 0; k < 8; k++)
				m |= (uint64_t)b[i + k] << (8 * k);
		}
		v3 ^= m;
		for (unsigned r = 0; r < c; r++)
			CT_SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
		if (last)
			break;
	}
	v2 ^= 0xff;
	for (unsigned r = 0; r < d; r++)
		CT_SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t ct_hash_key[2];

/* Draw the key before main() runs: every table that uses it lives after. */
__attribute__((constructor)) static void draw_key(void)
{
	uint64_t k[2] = {0, 0};
	size_t got = 0;

	while (got < sizeof(k)) {
		ssize_t n = getrandom((char *)k + got, sizeof(k) - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(k)) {
		/* No getrandom (an old kernel, a seccomp filter): the clock, the
		 * pid and where the stack and the library were mapped. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] ^= ct_hash_u64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
				    (uint64_t)(uintptr_t)&ts);
		k[1] ^= ct_hash_u64(((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&draw_key ^ k[0]);
	}
	ct_hash_key[0] = k[0];
	ct_hash_key[1] = k[1];
}

uint64_t ct_hash_keyed_bytes(const void *p, size_t len)
{
	return ct_siphash(ct_hash_key[0], ct_hash_key[1], p, len, 1, 3);
}

void ct_strings_init(struct ct_strings *s)
{
	memset(s, 0, sizeof(*s));
}

void ct_strings_finish(struct ct_strings *s)
{
	if (!s)
		return;
	ct_mem_free(s->bytes);
	ct_mem_free(s->off);
	ct_mem_free(s->slots);
	memset(s, 0, sizeof(*s));
}

static int grow_slots(struct ct_strings *s)
{
	uint32_t n = s->nslots ? s->nslots * 2 : 1024;
	struct ct_strings_slot *slots = ct_mem_zalloc(ct_mem_bytes(n, sizeof(*slots)));

	if (!slots)
		return 1;  /* no memory: the caller returns UINT32_MAX */
	/* The tag holds the hash bits the index needs (n <= 2^32). */
	for (uint32_t i = 0; i < s->nslots; i++) {
		if (!s->slots[i].id_plus1)
			continue;
		uint32_t j = s->slots[i].tag & (n - 1);
		while (slots[j].id_plus1)
			j = (j + 1) & (n - 1);
		slots[j] = s->slots[i];
	}
	ct_mem_free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

/* Room for len more bytes and n more strings in s, at once. */
static int room(struct ct_strings *s, size_t len, uint32_t n)
{
	if (s->used + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->used + len + 1)
			cap *= 2;
		char *b = ct_mem_realloc(s->bytes, cap);
		if (!b)
			return 1;
		s->bytes = b;
		s->cap = cap;
	}
	if ((uint64_t)s->count + n > s->off_cap) {
		uint64_t cap = s->off_cap ? s->off_cap : 256;
		while (cap < (uint64_t)s->count + n)
			cap *= 2;
		if (cap > UINT32_MAX)
			return 1;
		uint64_t *o = ct_mem_realloc(s->off, cap * sizeof(*o));
		if (!o)
			return 1;
		s->off = o;
		s->off_cap = (uint32_t)cap;
	}
	return 0;
}

static uint32_t append(struct ct_strings *s, const char *p, size_t len)
{
	if (s->count == UINT32_MAX - 1 || room(s, len, 1))
		return UINT32_MAX;
	s->off[s->count] = s->used;
	if (len)
		memcpy(s->bytes + s->used, p, len);
	s->bytes[s->used + len] = '\0';
	s->used += len + 1;
	return s->count++;
}

/* Is p valid UTF-8?  Eight ASCII bytes at a time, then sequence by sequence. */
static bool valid_utf8(const char *p, size_t len)
{
	const unsigned char *q = (const unsigned char *)p, *end = q + len;

	while (q < end) {
		if (end - q >= 8) {
			uint64_t w;
			memcpy(&w, q, 8);
			if (!(w & 0x8080808080808080ULL)) {
				q += 8;
				continue;
			}
		}
		unsigned cp;
		size_t k = ct_utf8_decode(q, end, &cp);
		if (!k)
			return false;
		q += k;
	}
	return true;
}

/* p with every byte that is not part of a valid UTF-8 sequence replaced
 * by U+FFFD, in memory the caller frees; NULL when memory runs out. */
static char *repair_utf8(const char *p, size_t len, size_t *out_len)
{
	const unsigned char *q = (const unsigned char *)p, *end = q + len;
	char *out = len <= SIZE_MAX / 3 ? malloc(3 * len) : NULL;
	size_t at = 0;

	if (!out)
		return NULL;
	while (q < end) {
		unsigned cp;
		size_t k = ct_utf8_decode(q, end, &cp);
		if (k) {
			memcpy(out + at, q, k);
			at += k;
			q += k;
		} else {
			memcpy(out + at, "\xef\xbf\xbd", 3);
			at += 3;
			q++;
		}
	}
	*out_len = at;
	return out;
}

typedef uint32_t store_fn(struct ct_strings *s, const char *p, size_t len);

/* Store p with store, made valid UTF-8 first if it is not; the empty
 * string (id 0) is made on first use. */
static uint32_t store_utf8(struct ct_strings *s, const char *p, size_t len, store_fn *store)
{
	if (s->count == 0 && append(s, "", 0) == UINT32_MAX)
		return UINT32_MAX;
	if (len == 0)
		return 0;
	if (valid_utf8(p, len))
		return store(s, p, len);
	size_t n;
	char *fixed = repair_utf8(p, len, &n);
	uint32_t id = fixed ? store(s, fixed, n) : UINT32_MAX;
	free(fixed);
	return id;
}

/* Intern p (valid UTF-8) whose keyed hash's low 32 bits are tag. */
static uint32_t intern_tagged(struct ct_strings *s, const char *p, size_t len, uint32_t tag)
{
	if ((uint64_t)(s->interned + 1) * 2 > s->nslots && grow_slots(s))
		return UINT32_MAX;
	uint32_t mask = s->nslots - 1;
	uint32_t i = tag & mask;
	for (; s->slots[i].id_plus1; i = (i + 1) & mask) {
		if (s->slots[i].tag != tag)
			continue;
		uint32_t id = s->slots[i].id_plus1 - 1;
		if (ct_strings_len(s, id) == len && memcmp(s->bytes + s->off[id], p, len) == 0)
			return id;
	}
	uint32_t id = append(s, p, len);
	if (id != UINT32_MAX) {
		s->slots[i].id_plus1 = id + 1;
		s->slots[i].tag = tag;
		s->interned++;
	}
	return id;
}

static uint32_t intern(struct ct_strings *s, const char *p, size_t len)
{
	return intern_tagged(s, p, len, (uint32_t)ct_hash_keyed_bytes(p, len));
}

uint32_t ct_strings_intern(struct ct_strings *s, const char *p, size_t len)
{
	return store_utf8(s, p, len, intern);
}

uint32_t ct_strings_append(struct ct_strings *s, const char *p, size_t len)
{
	return store_utf8(s, p, len, append);
}

uint32_t ct_strings_find(const struct ct_strings *s, const char *p)
{
	size_t len = strlen(p);

	if (len == 0)
		return s->count ? 0 : UINT32_MAX;
	if (!s->nslots)
		return UINT32_MAX;
	uint32_t tag = (uint32_t)ct_hash_keyed_bytes(p, len);
	uint32_t mask = s->nslots - 1;
	for (uint32_t i = tag & mask; s->slots[i].id_plus1; i = (i + 1) & mask) {
		uint32_t id = s->slots[i].id_plus1 - 1;
		if (s->slots[i].tag == tag && ct_strings_len(s, id) == len &&
		    memcmp(s->bytes + s->off[id], p, len) == 0)
			return id;
	}
	return UINT32_MAX;
}


int ct_strings_merge(struct ct_strings *dst, const struct ct_strings *src, uint32_t *remap)
{
	uint32_t n = src->count;
	uint64_t *tag = NULL;   /* per src id: tag + 1 << 32 when interned, else 0 */
	int rc = 1;

	if (n == 0)
		return 0;
	remap[0] = 0;
	if (dst->count == 0 && append(dst, "", 0) == UINT32_MAX)
		return 1;
	if (n == 1)
		return 0;
	if ((uint64_t)dst->count + n >= UINT32_MAX - 1 || room(dst, src->used, n))
		return 1;
	tag = ct_mem_zalloc(ct_mem_bytes(n, sizeof(*tag)));   /* huge pages: few faults */
	if (!tag)
		return 1;
	for (uint32_t i = 0; i < src->nslots; i++) {
		uint32_t id1 = src->slots[i].id_plus1;
		if (id1 && id1 - 1 < n)
			tag[id1 - 1] = (1ULL << 32) | src->slots[i].tag;
	}
	/* The ids in order; an appended string's bytes are only given their
	 * place, and copied after, a run of neighbours (in both arenas) at a
	 * time.  With the room made above nothing moves meanwhile. */
	size_t run_src = 0, run_dst = 0, run_len = 0;
	for (uint32_t id = 1; id < n; id++) {
		uint64_t start = src->off[id], end = id + 1 < n ? src->off[id + 1] : src->used;
		size_t len = (size_t)(end - start - 1);
		uint32_t v;
		if (len == 0) {
			v = 0;
		} else if (tag[id]) {
			v = intern_tagged(dst, src->bytes + start, len, (uint32_t)tag[id]);
			if (v == UINT32_MAX)
				goto out;
		} else {
			if (run_len && (run_src + run_len != start || run_dst + run_len != dst->used)) {
				memcpy(dst->bytes + run_dst, src->bytes + run_src, run_len);
				run_len = 0;
			}
			if (!run_len) {
				run_src = start;
				run_dst = dst->used;
			}
			run_len += len + 1;   /* with its NUL */
			v = dst->count++;
			dst->off[v] = dst->used;
			dst->used += len + 1;
		}
		remap[id] = v;
	}
	if (run_len)
		memcpy(dst->bytes + run_dst, src->bytes + run_src, run_len);
	rc = 0;
out:
	ct_mem_free(tag);
	return rc;
}
