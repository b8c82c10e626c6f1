/* Python heap dumps: cycletool's own format and meliae's.
 *
 * Both are JSON lines, one object per line, with "address", "type",
 * "size" and "refs".  cycletool dumps add a header line
 * {"cycletool_dump": 1, ...}, a trailer {"cycletool_dump_end": 1,
 * "objects": N}, and per object "labels", "refcount", "gc", "finalizer",
 * "weak" and "name" (see cycletool-dump(5)).  Version 2 adds allocation
 * sites: records {"cycletool_site": N, "file": F, "line": L} that define
 * site N (numbered from 0, each before its first use) and per object
 * "site": N.  Version 3 lets an object say "idx": -1 or "idx": 1 instead
 * of "labels" when its labels are its referents' indices, from the last
 * to the first ("[n-1]" ... "[0]", a list or tuple) or from the first
 * ("[0]" ... "[n-1]").  Versions 1 and 2 load as before.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/mem.h"
#include "loader.h"

#define VALUE_MAX 100  /* bytes of a value kept for display */

struct cache_slot;

/* A header-only member ("pid", "seq", "time") is read on every line,
 * since "cycletool_dump" may come after it, but its error counts only if
 * the line turns out to be the header: on an object line it is ignored,
 * as every unknown member is. */
struct record {
	bool has_addr, has_type, has_size, has_refs, has_refcount, has_labels;
	bool header, trailer;
	bool has_site, site_def;      /* "site" of an object; a site record */
	uint64_t addr, size, refcount, version, objects;
	uint64_t site, site_line;     /* the object's site; a site record's line */
	uint64_t pid, seq;
	double time;
	int header_rc;                /* the first header member's error */
	struct ct_error header_err;
	uint32_t type, value, name;
	uint8_t flags;
	uint64_t *refs, *weak;
	uint32_t *labels;
	size_t nrefs, nweak, nlabels;
	size_t refs_cap, weak_cap, labels_cap;
	char *site_file;              /* a site record's "file" (NUL-terminated) */
	size_t site_file_len, site_file_cap;
	bool has_site_file, has_site_line;
	int idx;                      /* "idx": -1 or 1, 0 = absent */
	/* Kept from line to line: */
	uint64_t dump_version;        /* the header's, 0 before it (or meliae) */
	uint32_t *sites;              /* site number -> "file:line" string id */
	size_t n_sites, sites_cap;
	uint32_t *idx_ids;            /* i -> string id of "[i]", made as needed */
	size_t n_idx, idx_cap;
	struct cache_slot *cache;     /* CACHE_SLOTS, or NULL (no cache) */
	struct pending *pend;         /* parse_fast()'s strings, in order */
	size_t n_pend, pend_cap;
};

static int push_u64(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		uint64_t *p = realloc(*a, c * sizeof(*p));
		if (!p)
			return -1;
		*a = p;
		*cap = c;
	}
	(*a)[(*n)++] = v;
	return 0;
}

static int push_u32(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		uint32_t *p = realloc(*a, c * sizeof(*p));
		if (!p)
			return -1;
		*a = p;
		*cap = c;
	}
	(*a)[(*n)++] = v;
	return 0;
}

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Store a decoded string: interned, or appended when unique (values,
 * which seldom repeat, need no look-up).  Strings are NUL-terminated everywhere after
 * loading, so a NUL (from \u0000) becomes U+FFFD rather than cutting the
 * string short and merging distinct names. */
static int store_slow(struct ct_builder *b, const char *s, size_t n, bool unique, uint32_t *id,
		      struct ct_error *err)
{
	char *copy = NULL;

	if (memchr(s, '\0', n)) {
		size_t nul = 0;
		for (size_t i = 0; i < n; i++)
			nul += s[i] == '\0';
		copy = malloc(n + 2 * nul);
		if (!copy)
			return ct_error_nomem(err);
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i]) {
				copy[o++] = s[i];
			} else {
				memcpy(copy + o, "\xef\xbf\xbd", 3);
				o += 3;
			}
		}
		s = copy;
		n = o;
	}
	*id = unique ? ct_builder_append(b, s, n) : ct_builder_intern(b, s, n);
	free(copy);
	return *id == CT_NONE ? ct_error_nomem(err) : 0;
}

/* The interned strings a piece met last, by a cheap hash of their
 * bytes, so that a type or label seen before costs a compare instead of
 * a keyed hash, a UTF-8 check and a table probe.  Every hit is checked
 * against the arena, so a collision only costs a miss. */
#define CACHE_SLOTS 4096

struct cache_slot {
	uint64_t hash;
	uint32_t id, len;
};

static inline uint64_t cheap_hash(const char *s, size_t n)
{
	uint64_t a = 0, z = 0;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
	} else if (n) {
		memcpy(&a, s, n);
	}
	if (n > 16)
		return ct_hash_bytes(s, n);
	return ct_hash_u64(a ^ (z * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)n << 56));
}

/* Store a string that is the dump's own text, so has no escape and no
 * NUL (see store_slow()). */
static int store_plain(struct cache_slot *cache, struct ct_builder *b, const char *s, size_t n,
		       bool unique, uint32_t *id, struct ct_error *err)
{
	if (unique) {
		*id = ct_builder_append(b, s, n);
		return *id == CT_NONE ? ct_error_nomem(err) : 0;
	}
	if (!cache || n > UINT32_MAX)
		return store_slow(b, s, n, unique, id, err);
	uint64_t h = cheap_hash(s, n);
	struct cache_slot *c = &cache[h & (CACHE_SLOTS - 1)];
	if (c->hash == h && c->len == n && c->id &&
	    memcmp(ct_strings_get(&b->g.strings, c->id), s, n) == 0) {
		*id = c->id;
		return 0;
	}
	int rc = store_slow(b, s, n, false, id, err);
	if (!rc && *id && ct_strings_len(&b->g.strings, *id) == n) {
		c->hash = h;
		c->id = *id;
		c->len = (uint32_t)n;
	}
	return rc;
}

/* Store a decoded string (see store_slow()).  s came from j's text when
 * it lies inside it: then it has no escape, so no NUL. */
static int store(struct ct_json *j, struct cache_slot *cache, struct ct_builder *b, const char *s,
		 size_t n, bool unique, uint32_t *id, struct ct_error *err)
{
	if (j && s >= j->start && s + n <= j->end)
		return store_plain(cache, b, s, n, unique, id, err);
	return store_slow(b, s, n, unique, id, err);
}

static int parse_addr_array(struct ct_json *j, const char *what, uint64_t **a, size_t *n,
			    size_t *cap, struct ct_error *err)
{
	bool more;
	int rc = ct_json_begin(j, '[', ']', &more, err);

	*n = 0;
	while (!rc && more) {
		uint64_t v;
		if ((rc = ct_json_u64(j, &v, what, err)))
			return rc;
		if (push_u64(a, n, cap, v))
			return ct_error_nomem(err);
		rc = ct_json_next(j, ']', &more, err);
	}
	return rc;
}

static int parse_labels(struct ct_json *j, struct ct_builder *b, struct record *r,
			struct ct_error *err)
{
	bool more;
	int rc = ct_json_begin(j, '[', ']', &more, err);

	r->nlabels = 0;
	r->has_labels = true;
	while (!rc && more) {
		uint32_t id = 0;
		enum ct_json_type t = ct_json_peek(j);
		if (t == CT_JSON_NULL) {
			if ((rc = ct_json_skip(j, err)))
				return rc;
		} else if (t == CT_JSON_STRING) {
			const char *s;
			size_t n;
			if ((rc = ct_json_string(j, &s, &n, err)) ||
			    (rc = store(j, r->cache, b, s, n, false, &id, err)))
				return rc;
		} else {
			return ct_json_fail(j, err, "\"labels\" entries must be strings or null");
		}
		if (push_u32(&r->labels, &r->nlabels, &r->labels_cap, id))
			return ct_error_nomem(err);
		rc = ct_json_next(j, ']', &more, err);
	}
	return rc;
}

/* "idx": -1 or 1. */
static int parse_idx(struct ct_json *j, int *idx, struct ct_error *err)
{
	const char *s;
	size_t n;
	int rc;

	if (ct_json_peek(j) != CT_JSON_NUMBER)
		return ct_json_fail(j, err, "\"idx\" must be -1 or 1");
	if ((rc = ct_json_number(j, &s, &n, err)))
		return rc;
	if (n == 1 && s[0] == '1')
		*idx = 1;
	else if (n == 2 && s[0] == '-' && s[1] == '1')
		*idx = -1;
	else
		return ct_json_fail(j, err, "\"idx\" must be -1 or 1");
	return 0;
}

/* The string id of "[i]", interned once per index. */
static int idx_label(struct ct_builder *b, struct record *r, size_t i, uint32_t *id,
		     struct ct_error *err)
{
	char text[32];
	int n;

	while (r->n_idx <= i) {
		n = snprintf(text, sizeof(text), "[%zu]", r->n_idx);
		uint32_t v = ct_builder_intern(b, text, (size_t)n);
		if (v == CT_NONE || push_u32(&r->idx_ids, &r->n_idx, &r->idx_cap, v))
			return ct_error_nomem(err);
	}
	*id = r->idx_ids[i];
	return 0;
}

static int parse_value(struct ct_json *j, struct ct_builder *b, uint32_t *id,
		       struct ct_error *err)
{
	const char *s;
	size_t n;
	int rc;

	switch (ct_json_peek(j)) {
	case CT_JSON_STRING:
		if ((rc = ct_json_string(j, &s, &n, err)))
			return rc;
		return store(j, NULL, b, s, utf8_cut(s, n, VALUE_MAX), true, id, err);
	case CT_JSON_NUMBER:
		if ((rc = ct_json_number(j, &s, &n, err)))
			return rc;
		return store(j, NULL, b, s, n < VALUE_MAX ? n : VALUE_MAX, true, id, err);
	case CT_JSON_TRUE:
		*id = 0;
		return (rc = ct_json_skip(j, err)) ? rc : store(NULL, NULL, b, "True", 4, false, id, err);
	case CT_JSON_FALSE:
		return (rc = ct_json_skip(j, err)) ? rc : store(NULL, NULL, b, "False", 5, false, id, err);
	case CT_JSON_NULL:
		return (rc = ct_json_skip(j, err)) ? rc : store(NULL, NULL, b, "None", 4, false, id, err);
	default:
		/* Lists or objects as values: kept out of the graph. */
		*id = 0;
		return ct_json_skip(j, err);
	}
}

/* The members we read, in about the order of their frequency. */
enum key {
	K_NONE,
	K_address,
	K_type,
	K_size,
	K_refs,
	K_labels,
	K_refcount,
	K_gc,
	K_value,
	K_name,
	K_finalizer,
	K_weak,
	K_idx,
	K_site,
	K_cycletool_site,
	K_file,
	K_line,
	K_cycletool_dump,
	K_cycletool_dump_end,
	K_objects,
	K_pid,
	K_seq,
	K_time,
};

/* Which member k (kn bytes) names: by first letter, then compares of
 * known length, which the compiler makes a load or two (every line has
 * about eight members). */
static enum key key_of(const char *k, size_t kn)
{
#define IS(name) (kn == sizeof(name) - 1 && memcmp(k, name, sizeof(name) - 1) == 0)
	if (kn == 0)
		return K_NONE;
	switch (k[0]) {
	case 'a':
		return IS("address") ? K_address : K_NONE;
	case 't':
		return IS("type") ? K_type : IS("time") ? K_time : K_NONE;
	case 's':
		return IS("size") ? K_size : IS("site") ? K_site : IS("seq") ? K_seq : K_NONE;
	case 'r':
		return IS("refs") ? K_refs : IS("refcount") ? K_refcount : K_NONE;
	case 'l':
		return IS("labels") ? K_labels : IS("line") ? K_line : K_NONE;
	case 'g':
		return IS("gc") ? K_gc : K_NONE;
	case 'v':
		return IS("value") ? K_value : K_NONE;
	case 'n':
		return IS("name") ? K_name : K_NONE;
	case 'f':
		return IS("finalizer") ? K_finalizer : IS("file") ? K_file : K_NONE;
	case 'w':
		return IS("weak") ? K_weak : K_NONE;
	case 'i':
		return IS("idx") ? K_idx : K_NONE;
	case 'c':
		return IS("cycletool_site") ? K_cycletool_site :
		       IS("cycletool_dump") ? K_cycletool_dump :
		       IS("cycletool_dump_end") ? K_cycletool_dump_end : K_NONE;
	case 'o':
		return IS("objects") ? K_objects : K_NONE;
	case 'p':
		return IS("pid") ? K_pid : K_NONE;
	default:
		return K_NONE;
	}
#undef IS
}

/* "pid", "seq" or "time" (by its first letter): keep the value, or the
 * first error and skip the value. */
static int parse_header_member(struct ct_json *j, struct record *r, char key,
			       struct ct_error *err)
{
	struct ct_error e = {0};
	uint64_t line, col;
	int rc;

	ct_json_peek(j);
	line = j->line;
	col = ct_json_column(j);
	switch (key) {
	case 'p':
		rc = ct_json_u64(j, &r->pid, "pid", &e);
		break;
	case 's':
		rc = ct_json_u64(j, &r->seq, "seq", &e);
		break;
	default:
		rc = ct_json_double(j, &r->time, "time", &e);
		if (!rc && r->time < 0 && !r->header_rc) {
			/* Read, so nothing to skip. */
			r->header_rc = ct_error_at(&r->header_err, CT_EINPUT, line, col,
						   "\"time\" must not be negative");
		}
		break;
	}
	if (!rc)
		return 0;
	if (rc != CT_EINPUT) {   /* out of memory, a read error */
		if (err)
			*err = e;
		return rc;
	}
	if (!r->header_rc) {
		r->header_rc = rc;
		r->header_err = e;
	}
	/* A bad value is still JSON to step over (or the line is broken). */
	return ct_json_skip(j, err);
}

/* Forget the last line's members. */
static void record_clear(struct record *r)
{
	r->has_addr = r->has_type = r->has_size = r->has_refs = false;
	r->has_refcount = r->has_labels = r->header = r->trailer = false;
	r->has_site = r->site_def = r->has_site_file = r->has_site_line = false;
	r->flags = 0;
	r->value = r->name = 0;
	r->type = 0;
	r->nrefs = r->nweak = r->nlabels = 0;
	r->pid = r->seq = 0;
	r->time = 0;
	r->header_rc = 0;
	r->idx = 0;
}

/* Parse one line into r. */
static int parse_record(struct ct_json *j, struct ct_builder *b, struct record *r,
			struct ct_error *err)
{
	const char *k, *s;
	size_t kn, n;
	bool flag, more;
	int rc;

	record_clear(r);
	if (ct_json_peek(j) != CT_JSON_OBJECT)
		return ct_json_fail(j, err, "expected a JSON object ('{')");
	rc = ct_json_begin(j, '{', '}', &more, err);
	while (!rc && more) {
		if (ct_json_peek(j) != CT_JSON_STRING)
			return ct_json_fail(j, err, "expected a member name");
		if ((rc = ct_json_string(j, &k, &kn, err)) || (rc = ct_json_expect(j, ':', err)))
			return rc;
		/* k may live in the scratch buffer: compare before reading on. */
		enum key key = key_of(k, kn);
		if (key == K_address) {
			rc = ct_json_u64(j, &r->addr, "address", err);
			r->has_addr = true;
		} else if (key == K_type) {
			if (ct_json_peek(j) != CT_JSON_STRING)
				return ct_json_fail(j, err, "\"type\" must be a string");
			if (!(rc = ct_json_string(j, &s, &n, err)))
				rc = store(j, r->cache, b, s, n, false, &r->type, err);
			r->has_type = true;
		} else if (key == K_size) {
			rc = ct_json_u64(j, &r->size, "size", err);
			r->has_size = true;
		} else if (key == K_refs) {
			rc = parse_addr_array(j, "refs", &r->refs, &r->nrefs, &r->refs_cap, err);
			r->has_refs = true;
		} else if (key == K_weak) {
			rc = parse_addr_array(j, "weak", &r->weak, &r->nweak, &r->weak_cap, err);
		} else if (key == K_labels) {
			rc = parse_labels(j, b, r, err);
		} else if (key == K_refcount) {
			rc = ct_json_u64(j, &r->refcount, "refcount", err);
			r->has_refcount = true;
		} else if (key == K_value) {
			rc = parse_value(j, b, &r->value, err);
		} else if (key == K_name) {
			if (ct_json_peek(j) == CT_JSON_STRING) {
				if (!(rc = ct_json_string(j, &s, &n, err)))
					rc = store(j, r->cache, b, s, utf8_cut(s, n, VALUE_MAX), false, &r->name, err);
			} else {
				rc = ct_json_skip(j, err);
			}
		} else if (key == K_gc) {
			if (!(rc = ct_json_bool(j, &flag, "gc", err)) && !flag)
				r->flags |= CT_NODE_LEAF;
		} else if (key == K_finalizer) {
			if (!(rc = ct_json_bool(j, &flag, "finalizer", err)) && flag)
				r->flags |= CT_NODE_FINALIZER;
		} else if (key == K_cycletool_dump) {
			rc = ct_json_u64(j, &r->version, "cycletool_dump", err);
			r->header = true;
		} else if (r->dump_version >= 2 && key == K_site) {
			rc = ct_json_u64(j, &r->site, "site", err);
			r->has_site = true;
		} else if (r->dump_version >= 3 && key == K_idx) {
			if ((rc = parse_idx(j, &r->idx, err)))
				return rc;
		} else if (r->dump_version >= 2 && key == K_cycletool_site) {
			rc = ct_json_u64(j, &r->site, "cycletool_site", err);
			r->site_def = true;
		} else if (r->dump_version >= 2 && key == K_file) {
			if (ct_json_peek(j) != CT_JSON_STRING)
				return ct_json_fail(j, err, "\"file\" must be a string");
			if (!(rc = ct_json_string(j, &s, &n, err))) {
				if (n + 1 > r->site_file_cap) {
					char *p = realloc(r->site_file, n + 1);
					if (!p)
						return ct_error_nomem(err);
					r->site_file = p;
					r->site_file_cap = n + 1;
				}
				memcpy(r->site_file, s, n);
				r->site_file[n] = '\0';
				r->site_file_len = n;
				r->has_site_file = true;
			}
		} else if (r->dump_version >= 2 && key == K_line) {
			rc = ct_json_u64(j, &r->site_line, "line", err);
			r->has_site_line = true;
		} else if (key == K_cycletool_dump_end) {
			rc = ct_json_skip(j, err);
			r->trailer = true;
		} else if (key == K_objects) {
			rc = ct_json_u64(j, &r->objects, "objects", err);
		} else if (key == K_pid || key == K_seq || key == K_time) {
			rc = parse_header_member(j, r, k[0], err);
		} else {
			rc = ct_json_skip(j, err);
		}
		if (rc)
			return rc;
		rc = ct_json_next(j, '}', &more, err);
	}
	if (rc)
		return rc;
	if (r->header && r->header_rc) {
		if (err)
			*err = r->header_err;
		return r->header_rc;
	}
	return ct_json_done(j, err);
}

/* ---- The fast path ----
 *
 * parse_fast() reads a line as the dumper writes it: no white space, no
 * escapes, ASCII strings, integers that fit in 64 bits with room to
 * spare, the members of an object line, each once.  It does the work of
 * ct_json_peek(), memchr() for the line's end and parse_record() in one
 * pass over the bytes.  A line it does not take whole is left to those,
 * so every error is still found and reported by them; it stores nothing
 * until it has taken the line, and then stores its strings in the order
 * parse_record() would, so that string ids come out the same. */

enum pend_kind { P_TYPE, P_NAME, P_LABEL, P_NULL_LABEL, P_VALUE, P_TRUE, P_FALSE, P_NONE };

struct pending {
	const char *s;
	uint32_t n;
	uint8_t kind;
};

static bool pend(struct record *r, enum pend_kind kind, const char *s, size_t n)
{
	if (n > UINT32_MAX)
		return false;   /* the scanner's (with --max-token above 4 GB) */
	if (r->n_pend == r->pend_cap) {
		size_t cap = r->pend_cap ? r->pend_cap * 2 : 64;
		struct pending *p = realloc(r->pend, cap * sizeof(*p));
		if (!p)
			return false;
		r->pend = p;
		r->pend_cap = cap;
	}
	r->pend[r->n_pend++] = (struct pending){s, (uint32_t)n, (uint8_t)kind};
	return true;
}

/* The plain string whose text starts after the quote at p: the closing
 * quote, or NULL for anything else (an escape, a control or non-ASCII
 * byte, the end). */
static inline const char *fast_string(const char *p, const char *end)
{
	p = ct_json_plain_end(p, end);
	return p < end && *p == '"' ? p : NULL;
}

/* Whether the 8 bytes of w (first in the low byte) are all digits. */
static inline bool digits8(uint64_t w)
{
	const uint64_t f0 = 0xf0f0f0f0f0f0f0f0ULL;
	/* Each byte 0x30..0x39: its high nibble is 3, and adding 6 keeps it 3. */
	return ((w & f0) | (((w + 0x0606060606060606ULL) & f0) >> 4)) == 0x3333333333333333ULL;
}

/* The value of the 8 digits in w (the first, most significant, in the
 * low byte): pairs, then fours, then all eight, each step within lanes
 * twice as wide. */
static inline uint64_t value8(uint64_t w)
{
	w -= 0x3030303030303030ULL;
	w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffULL;
	w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffULL;
	return (w * 10000 + (w >> 32)) & 0xffffffffULL;
}

/* A non-negative integer of at most 19 digits (so it fits), without a
 * leading zero: where it ends, or NULL. */
static inline const char *fast_u64(const char *p, const char *end, uint64_t *v)
{
	const char *d = p;
	uint64_t x = 0, w;

	while (end - p >= 8 && (memcpy(&w, p, 8), digits8(w))) {
		x = x * 100000000 + value8(w);
		p += 8;
	}
	while (p < end && (unsigned char)(*p - '0') < 10)
		x = x * 10 + (uint64_t)(*p++ - '0');
	if (p == d || p - d > 19 || (*d == '0' && p - d > 1))
		return NULL;
	*v = x;
	return p;
}

static inline bool fast_word(const char *p, const char *end, const char *w, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, w, n) == 0;
}

/* An array of addresses into a, or NULL. */
static const char *fast_addrs(const char *p, const char *end, uint64_t **a, size_t *n,
			      size_t *cap)
{
	*n = 0;
	if (p >= end || *p++ != '[')
		return NULL;
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		uint64_t v;
		if (!(p = fast_u64(p, end, &v)) || p >= end || push_u64(a, n, cap, v))
			return NULL;
		if (*p == ']')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* An array of labels (strings or null) into r's pending strings, or NULL. */
static const char *fast_labels(const char *p, const char *end, struct record *r)
{
	if (p >= end || *p++ != '[')
		return NULL;
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		if (p < end && *p == '"') {
			const char *q = fast_string(p + 1, end);
			if (!q || !pend(r, P_LABEL, p + 1, (size_t)(q - p - 1)))
				return NULL;
			p = q + 1;
		} else if (fast_word(p, end, "null", 4)) {
			if (!pend(r, P_NULL_LABEL, NULL, 0))
				return NULL;
			p += 4;
		} else {
			return NULL;
		}
		if (p >= end)
			return NULL;
		if (*p == ']')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* A scalar of any kind (a member we do not read, or "value"): where it
 * ends, its kind in *kind and text in [*s, end), or NULL. */
static const char *fast_scalar(const char *p, const char *end, enum pend_kind *kind,
			       const char **s)
{
	const char *q;

	*s = p;
	if (p >= end)
		return NULL;
	if (*p == '"') {
		*s = p + 1;
		*kind = P_VALUE;
		return (q = fast_string(p + 1, end)) ? q + 1 : NULL;
	}
	if (*p == '-' || (unsigned char)(*p - '0') < 10) {
		*kind = P_VALUE;
		return ct_json_scan_number(p, end, &q) ? NULL : q;
	}
	if (fast_word(p, end, "true", 4)) {
		*kind = P_TRUE;
		return p + 4;
	}
	if (fast_word(p, end, "false", 5)) {
		*kind = P_FALSE;
		return p + 5;
	}
	if (fast_word(p, end, "null", 4)) {
		*kind = P_NONE;
		return p + 4;
	}
	return NULL;
}

/* Store the pending strings of a line taken. */
static int fast_store(struct ct_builder *b, struct record *r, struct ct_error *err)
{
	static const char *const word[] = {[P_TRUE] = "True", [P_FALSE] = "False", [P_NONE] = "None"};
	int rc = 0;

	for (size_t i = 0; !rc && i < r->n_pend; i++) {
		const struct pending *q = &r->pend[i];
		uint32_t id = 0;
		switch ((enum pend_kind)q->kind) {
		case P_TYPE:
			rc = store_plain(r->cache, b, q->s, q->n, false, &r->type, err);
			break;
		case P_NAME:
			rc = store_plain(r->cache, b, q->s, utf8_cut(q->s, q->n, VALUE_MAX), false,
					 &r->name, err);
			break;
		case P_LABEL:
			rc = store_plain(r->cache, b, q->s, q->n, false, &id, err);
			/* fall through */
		case P_NULL_LABEL:
			if (!rc && push_u32(&r->labels, &r->nlabels, &r->labels_cap, id))
				rc = ct_error_nomem(err);
			break;
		case P_VALUE:
			rc = store_plain(NULL, b, q->s, utf8_cut(q->s, q->n, VALUE_MAX), true, &r->value,
					 err);
			break;
		case P_TRUE:
		case P_FALSE:
		case P_NONE:
			rc = store_slow(b, word[q->kind], strlen(word[q->kind]), false, &r->value, err);
			break;
		}
	}
	return rc;
}

/* Take the line at p (before end) into r if it is plain enough: returns
 * where the next line starts, or NULL with *rc 0 (not taken: nothing
 * was stored, r is to be filled again) or not 0 (out of memory). */
static const char *parse_fast(const char *p, const char *end, struct ct_builder *b,
			      struct record *r, uint64_t max_token, int *rc, struct ct_error *err)
{
	const char *line = p, *q, *s;
	uint32_t seen = 0;
	enum pend_kind kind;
	bool flag;

	*rc = 0;
	record_clear(r);
	r->n_pend = 0;
	if ((uint64_t)(end - p) > max_token && (uint64_t)(end - p) - max_token > 2)
		end = p + max_token + 2;   /* a longer line is not taken: no memory for it */
	if (p >= end || *p++ != '{')
		return NULL;
	for (;;) {
		if (p >= end || *p != '"' || !(q = fast_string(p + 1, end)))
			return NULL;
		enum key key = key_of(p + 1, (size_t)(q - p - 1));
		p = q + 1;
		if (p >= end || *p++ != ':' || p >= end)
			return NULL;
		if (key != K_NONE && (seen & (1u << key)))
			return NULL;   /* said twice */
		seen |= 1u << key;
		switch (key) {
		case K_address:
			p = fast_u64(p, end, &r->addr);
			r->has_addr = true;
			break;
		case K_size:
			p = fast_u64(p, end, &r->size);
			r->has_size = true;
			break;
		case K_refcount:
			p = fast_u64(p, end, &r->refcount);
			r->has_refcount = true;
			break;
		case K_site:
			if (r->dump_version < 2)
				return NULL;
			p = fast_u64(p, end, &r->site);
			r->has_site = true;
			break;
		case K_type:
		case K_name:
			if (*p != '"' || !(q = fast_string(p + 1, end)) ||
			    !pend(r, key == K_type ? P_TYPE : P_NAME, p + 1, (size_t)(q - p - 1)))
				return NULL;
			r->has_type |= key == K_type;
			p = q + 1;
			break;
		case K_refs:
			p = fast_addrs(p, end, &r->refs, &r->nrefs, &r->refs_cap);
			r->has_refs = true;
			break;
		case K_weak:
			p = fast_addrs(p, end, &r->weak, &r->nweak, &r->weak_cap);
			break;
		case K_labels:
			p = fast_labels(p, end, r);
			r->has_labels = true;
			break;
		case K_value:
			if ((q = fast_scalar(p, end, &kind, &s)) &&
			    !pend(r, kind, s, (size_t)(q - s) - (*p == '"')))
				return NULL;
			p = q;
			break;
		case K_gc:
		case K_finalizer:
			if ((flag = fast_word(p, end, "true", 4)))
				p += 4;
			else if (fast_word(p, end, "false", 5))
				p += 5;
			else
				return NULL;
			if (key == K_gc && !flag)
				r->flags |= CT_NODE_LEAF;
			if (key == K_finalizer && flag)
				r->flags |= CT_NODE_FINALIZER;
			break;
		case K_idx:
			if (r->dump_version < 3)
				return NULL;
			r->idx = *p == '1' ? 1 : fast_word(p, end, "-1", 2) ? -1 : 0;
			if (!r->idx)
				return NULL;
			p += r->idx > 0 ? 1 : 2;
			if (p < end && (unsigned char)(*p - '0') < 10)
				return NULL;
			break;
		case K_NONE:
			p = fast_scalar(p, end, &kind, &s);
			break;
		default:
			return NULL;   /* header, trailer and site records */
		}
		if (!p || p >= end)
			return NULL;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return NULL;
	}
	p++;
	if ((uint64_t)(p - line) > max_token)
		return NULL;
	if (p < end && *p == '\r' && end - p > 1 && p[1] == '\n')
		p++;
	if (p < end && *p++ != '\n')
		return NULL;
	*rc = fast_store(b, r, err);
	return *rc ? NULL : p;
}

/* A site record: site r->site is "file:line" (files are cut to
 * VALUE_MAX bytes from the start, keeping their end, which names them). */
struct chunk;
static int chunk_site(struct chunk *c, uint64_t num, uint32_t id);

static int add_site(struct ct_builder *b, struct record *r, struct chunk *c, uint64_t line,
		    struct ct_error *err)
{
	char num[24];
	uint32_t id;
	int rc;

	if (!r->has_site_file || !r->has_site_line)
		return ct_error_at(err, CT_EINPUT, line, 0, "site record has no \"%s\" member",
				   r->has_site_file ? "line" : "file");
	if (!c && r->site != r->n_sites)
		return ct_error_at(err, CT_EINPUT, line, 0,
				   "site record %" PRIu64 " out of order (expected %zu)",
				   r->site, r->n_sites);
	size_t fl = r->site_file_len, skip = 0;
	if (fl > VALUE_MAX) {
		skip = fl - VALUE_MAX;
		while (skip < fl && ((unsigned char)r->site_file[skip] & 0xc0) == 0x80)
			skip++;
	}
	int nl = snprintf(num, sizeof(num), ":%" PRIu64, r->site_line);
	size_t tl = fl - skip + (size_t)nl;
	if (tl + 1 > r->site_file_cap) {
		char *p = realloc(r->site_file, tl + 1);
		if (!p)
			return ct_error_nomem(err);
		r->site_file = p;
		r->site_file_cap = tl + 1;
	}
	memmove(r->site_file, r->site_file + skip, fl - skip);
	memcpy(r->site_file + fl - skip, num, (size_t)nl + 1);
	if ((rc = store(NULL, NULL, b, r->site_file, tl, false, &id, err)))
		return rc;
	if (c)
		return chunk_site(c, r->site, id) ? ct_error_nomem(err) : 0;
	if (push_u32(&r->sites, &r->n_sites, &r->sites_cap, id))
		return ct_error_nomem(err);
	return 0;
}

static uint64_t *chunk_site_need(struct chunk *c, uint64_t *defined);

static int add_record(struct ct_builder *b, struct record *r, struct chunk *c, uint64_t line,
		      struct ct_error *err)
{
	static const char *const required[] = {"address", "type", "size", "refs"};
	bool have[] = {r->has_addr, r->has_type, r->has_size, r->has_refs};
	int rc;

	for (size_t i = 0; i < 4; i++)
		if (!have[i])
			return ct_error_at(err, CT_EINPUT, line, 0,
					   "object has no \"%s\" member", required[i]);
	if (r->idx && r->has_labels)
		return ct_error_at(err, CT_EINPUT, line, 0,
				   "object has both \"idx\" and \"labels\"");
	if (r->idx) {
		r->nlabels = 0;
		r->has_labels = true;
		for (size_t i = 0; i < r->nrefs; i++) {
			uint32_t id = 0;
			if ((rc = idx_label(b, r, r->idx > 0 ? i : r->nrefs - 1 - i, &id, err)))
				return rc;
			if (push_u32(&r->labels, &r->nlabels, &r->labels_cap, id))
				return ct_error_nomem(err);
		}
	}
	if (r->has_labels && r->nlabels != r->nrefs)
		return ct_error_at(err, CT_EINPUT, line, 0,
				   "\"labels\" has %zu entries but \"refs\" has %zu",
				   r->nlabels, r->nrefs);
	if (r->nweak)
		r->flags |= CT_NODE_WEAKREF;
	uint32_t site = 0;
	if (r->has_site && c) {
		/* Checked once the sites before the chunk are known; until then
		 * the node holds the site's number + 1. */
		uint64_t defined, *need = chunk_site_need(c, &defined);
		if (r->site >= UINT32_MAX - 1)
			return ct_error_at(err, CT_EINPUT, line, 0, "\"site\" %" PRIu64 " too large",
					   r->site);
		if (r->site + 1 > defined && r->site + 1 - defined > *need)
			*need = r->site + 1 - defined;
		site = (uint32_t)r->site + 1;
	} else if (r->has_site) {
		if (r->site >= r->n_sites)
			return ct_error_at(err, CT_EINPUT, line, 0,
					   "\"site\" %" PRIu64 " has no site record before it", r->site);
		site = r->sites[r->site];
	}
	rc = ct_builder_node(b, r->addr, r->type, r->size, r->flags,
			     r->value ? r->value : r->name, r->has_refcount, r->refcount,
			     line, err);
	if (!rc && r->has_site)
		rc = ct_builder_site(b, site, err);
	for (size_t i = 0; !rc && i < r->nrefs; i++)
		rc = ct_builder_edge(b, r->refs[i], r->has_labels ? r->labels[i] : 0,
				     CT_EDGE_STRONG, err);
	for (size_t i = 0; !rc && i < r->nweak; i++)
		rc = ct_builder_edge(b, r->weak[i], 0, CT_EDGE_WEAK, err);
	if (rc && err && !err->line)
		err->line = line;
	return rc;
}

static int load_serial(struct ct_input *in, struct ct_builder *b, bool ours, struct ct_error *err)
{
	struct ct_json j;
	struct record r;
	const char *line;
	size_t len;
	uint64_t objects = 0;
	bool seen_trailer = false;
	int rc = 0, more;

	ct_json_init(&j);
	j.max_token = ct_input_max_token(in);
	memset(&r, 0, sizeof(r));
	r.cache = calloc(CACHE_SLOTS, sizeof(*r.cache));   /* none: slower, no harm */
	/* Our lines average well over 100 bytes and two references. */
	if (in->total && in->total / 100 < CT_NONE / 4 &&
	    ct_builder_reserve(b, (uint32_t)(in->total / 100), (uint32_t)(in->total / 50))) {
		rc = ct_error_nomem(err);
		goto out;
	}
	while ((more = ct_input_line(in, &line, &len, err)) == 1) {
		uint64_t ln = in->line;
		if (!seen_trailer && parse_fast(line, line + len, b, &r, j.max_token, &rc, err)) {
			if ((rc = add_record(b, &r, NULL, ln, err)))
				goto out;
			objects++;
			continue;
		}
		if (rc)
			goto out;
		ct_json_reset(&j, line, len, ln);
		if (ct_json_peek(&j) == CT_JSON_END)
			continue; /* blank line */
		if (seen_trailer) {
			rc = ct_error_at(err, CT_EINPUT, ln, 1, "data after the end record");
			goto out;
		}
		if ((rc = parse_record(&j, b, &r, err)))
			goto out;
		if (r.header) {
			if (ln != 1 || objects) {
				rc = ct_error_at(err, CT_EINPUT, ln, 1, "header record not on the first line");
				goto out;
			}
			if (r.version < 1 || r.version > 3) {
				rc = ct_error_at(err, CT_EINPUT, ln, 1,
						 "unsupported dump version %" PRIu64
						 " (this cycletool reads 1 to 3)", r.version);
				goto out;
			}
			r.dump_version = r.version;
			b->g.pid = r.pid;
			b->g.seq = r.seq;
			b->g.time = r.time;
			continue;
		}
		if (r.trailer) {
			if (r.objects != objects) {
				rc = ct_error_at(err, CT_EINPUT, ln, 1,
						 "end record says %" PRIu64 " objects but %" PRIu64 " were read",
						 r.objects, objects);
				goto out;
			}
			seen_trailer = true;
			continue;
		}
		if (r.site_def) {
			if ((rc = add_site(b, &r, NULL, ln, err)))
				goto out;
			continue;
		}
		if ((rc = add_record(b, &r, NULL, ln, err)))
			goto out;
		objects++;
	}
	if (more < 0) {
		rc = err ? err->code : CT_EINPUT;
		goto out;
	}
	if (objects == 0) {
		rc = ct_error_at(err, CT_EINPUT, in->line, 0, "no objects in the dump");
		goto out;
	}
	if (ours && !seen_trailer)
		rc = ct_error_at(err, CT_EINPUT, in->line, 0,
				 "truncated dump: no end record after %" PRIu64 " objects", objects);
out:
	ct_json_finish(&j);
	free(r.refs);
	free(r.weak);
	free(r.labels);
	free(r.site_file);
	free(r.sites);
	free(r.idx_ids);
	free(r.cache);
	free(r.pend);
	return rc;
}

/* ---- Parsing in parallel ----
 *
 * When the whole input is in memory (a regular file, mapped, or memory
 * input), its lines after the header are cut into one piece per thread
 * at line boundaries, each piece parsed into its own builder and string
 * arena, and the pieces appended in order to the loader's builder, their
 * strings stored in order (ct_strings_merge()): the graph comes out
 * exactly as one pass would make it, string ids included.  What links
 * lines (site numbers, the end record) is checked when the pieces are
 * put together.  On any error the input is loaded again in one pass,
 * which reports it with its line and column as it always has. */

#define PIECE_MIN (4u << 20)  /* bytes per thread worth starting one for */
#define THREADS_MAX 64

struct chunk {
	const char *p, *end;          /* its lines */
	struct ct_builder *b;         /* the loader's for the first piece, else &own */
	struct ct_builder own;
	struct record r;
	struct ct_json j;
	uint64_t first_line;          /* of its first line: the true one for the
				       * first piece, 1 for the others (fixed when merged) */
	uint64_t max_token;
	uint64_t lines, records, objects;
	bool trailer;                 /* an end record, and nothing after it */
	uint64_t trailer_objects;     /* what it said */
	uint64_t *site_num;           /* the site records, in order: number, string id */
	uint32_t *site_id;
	size_t n_sites, sites_cap;
	uint64_t site_need;           /* site records that must come before the piece */
	int rc;                       /* not 0: load in one pass instead */
	bool mapped;                  /* the text is a file mapping of the input's */
	uint64_t *done;               /* bytes of every piece parsed so far (shared,
				       * added to atomically) */
	struct ct_input *in;          /* the first piece's (on the caller's thread):
				       * reports progress; NULL for the others */
	uint64_t offset;              /* where the pieces start in the input */
};

static int chunk_site(struct chunk *c, uint64_t num, uint32_t id)
{
	if (c->n_sites == c->sites_cap) {
		size_t cap = c->sites_cap ? c->sites_cap * 2 : 64;
		uint64_t *n = realloc(c->site_num, cap * sizeof(*n));
		if (n)
			c->site_num = n;
		uint32_t *i = realloc(c->site_id, cap * sizeof(*i));
		if (i)
			c->site_id = i;
		if (!n || !i)
			return -1;
		c->sites_cap = cap;
	}
	c->site_num[c->n_sites] = num;
	c->site_id[c->n_sites++] = id;
	return 0;
}

static uint64_t *chunk_site_need(struct chunk *c, uint64_t *defined)
{
	*defined = c->n_sites;
	return &c->site_need;
}

#define WINDOW (4u << 20)   /* of a mapped piece, in memory at a time */

/* Whole pages of [from, to) (rounded inwards, so that a page another
 * piece shares is kept): read in at once (populate) or given back. */
static void pages(const char *from, const char *to, bool populate)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t m = (uintptr_t)(ps > 0 ? ps - 1 : 4095);
	uintptr_t a = populate ? (uintptr_t)from & ~m : ((uintptr_t)from + m) & ~m;
	uintptr_t z = populate ? (uintptr_t)to : (uintptr_t)to & ~m;

	if (z <= a)
		return;
	if (!populate)
		madvise((void *)a, (size_t)(z - a), MADV_DONTNEED);
#ifdef MADV_POPULATE_READ
	else
		madvise((void *)a, (size_t)(z - a), MADV_POPULATE_READ);  /* a hint */
#endif
}

static int reserve_for(struct ct_builder *b, size_t bytes)
{
	/* Our lines average well over 100 bytes and two references. */
	if (bytes / 100 >= CT_NONE / 4)
		return 0;
	return ct_builder_reserve(b, (uint32_t)(bytes / 100), (uint32_t)(bytes / 50));
}

static void *parse_chunk(void *arg)
{
	struct chunk *c = arg;
	const char *p = c->p, *ready = c->p, *kept = c->p;
	struct ct_error err = {0};

	c->r.cache = calloc(CACHE_SLOTS, sizeof(*c->r.cache));   /* none: slower, no harm */
	/* Reserved here, on the piece's thread: the first page of each
	 * array is written, and a huge page is cleared, when it is made. */
	if (reserve_for(c->b, (size_t)(c->end - c->p))) {
		c->rc = CT_ENOMEM;
		return NULL;
	}
	while (p < c->end) {
		if (p >= ready) {
			/* A mapped piece is read a window at a time, and the
			 * pages behind given back (read again from the file if
			 * a pass must follow), so that the file's pages take
			 * little memory.  Progress is counted a window at a
			 * time too. */
			ready = (size_t)(c->end - p) > WINDOW ? p + WINDOW : c->end;
			if (c->mapped) {
				pages(p, ready, true);
				pages(kept, p, false);
			}
			uint64_t all = __atomic_add_fetch(c->done, (uint64_t)(p - kept),
							  __ATOMIC_RELAXED);
			if (c->in)
				ct_input_progress(c->in, c->offset + all);
			kept = p;
		}
		uint64_t ln = c->first_line + c->lines++;
		int rc = 0;
		const char *next = c->trailer ? NULL : parse_fast(p, c->end, c->b, &c->r,
								  c->max_token, &rc, &err);
		if (next) {
			p = next;
			c->records++;
			goto object;
		}
		if (rc)
			goto fail;
		const char *line = p, *nl = memchr(p, '\n', (size_t)(c->end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(c->end - p);
		p += nl ? n + 1 : n;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > c->max_token)
			goto fail;
		ct_json_reset(&c->j, line, n, ln);
		if (ct_json_peek(&c->j) == CT_JSON_END)
			continue;
		c->records++;
		if (c->trailer || parse_record(&c->j, c->b, &c->r, &err) || c->r.header)
			goto fail;
		if (c->r.trailer) {
			c->trailer = true;
			c->trailer_objects = c->r.objects;
			continue;
		}
		if (c->r.site_def) {
			if (add_site(c->b, &c->r, c, ln, &err))
				goto fail;
			continue;
		}
object:
		if (add_record(c->b, &c->r, c, ln, &err))
			goto fail;
		c->objects++;
	}
	__atomic_add_fetch(c->done, (uint64_t)(c->end - kept), __ATOMIC_RELAXED);
	if (c->mapped)
		pages(kept, c->end, false);
	return NULL;
fail:
	c->rc = err.code ? err.code : CT_EINPUT;
	return NULL;
}

static void chunk_finish(struct chunk *c)
{
	ct_json_finish(&c->j);
	free(c->r.refs);
	free(c->r.weak);
	free(c->r.labels);
	free(c->r.site_file);
	free(c->r.sites);
	free(c->r.idx_ids);
	free(c->r.cache);
	free(c->r.pend);
	free(c->site_num);
	free(c->site_id);
	if (c->b == &c->own)
		ct_builder_finish(&c->own);
}

static unsigned thread_count(const struct ct_input *in, size_t bytes)
{
	if (in->threads)
		return in->threads < THREADS_MAX ? in->threads : THREADS_MAX;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = bytes / PIECE_MIN;
	if (cpus < 1)
		cpus = 1;
	if (t > (size_t)cpus)
		t = (size_t)cpus;
	if (t > THREADS_MAX)
		t = THREADS_MAX;
	return t ? (unsigned)t : 1;
}

/* A piece's copy into the loader's builder, on its own thread. */
struct copy_job {
	struct ct_builder *b;
	struct chunk *c;
	uint32_t *remap;
	uint32_t n0, e0;
	unsigned parts;
};

static void *copy_piece(void *arg)
{
	struct copy_job *w = arg;

	ct_builder_copy_in(w->b, w->c->b, w->remap, w->c->first_line - 1, w->n0, w->e0, w->parts);
	return NULL;
}

/* Put the parsed pieces together into c[0].b.  Returns 0, or -1 when
 * the input must be loaded in one pass (an error is there to report). */
static int merge_chunks(struct chunk *c, unsigned nt, bool ours)
{
	struct ct_builder *b = c[0].b;
	uint32_t *sites = NULL;
	uint32_t *remap[THREADS_MAX] = {NULL};
	struct copy_job job[2 * THREADS_MAX];
	unsigned nj = 0;
	const struct ct_builder *part[THREADS_MAX];
	uint64_t objects = 0, n_sites = 0, line = c[0].first_line, nodes = 0, edges = 0;
	bool trailer = false;
	int rc = -1;

	for (unsigned k = 0; k < nt; k++) {
		if (c[k].rc || (trailer && c[k].records))
			return -1;
		c[k].first_line = line;
		line += c[k].lines;
		if (c[k].site_need > n_sites)
			return -1;
		for (size_t i = 0; i < c[k].n_sites; i++)
			if (c[k].site_num[i] != n_sites++)
				return -1;
		objects += c[k].objects;
		if (c[k].trailer) {
			if (c[k].trailer_objects != objects)
				return -1;
			trailer = true;
		}
		if (k > 0)
			part[k - 1] = c[k].b;
	}
	if (objects == 0 || (ours && !trailer))
		return -1;
	sites = malloc((n_sites ? n_sites : 1) * sizeof(*sites));
	if (!sites)
		goto out;
	n_sites = 0;
	for (size_t i = 0; i < c[0].n_sites; i++)
		sites[n_sites++] = c[0].site_id[i];
	/* The strings, in order (one thread: ids are given in order). */
	for (unsigned k = 1; k < nt; k++) {
		struct ct_strings *s = &c[k].b->g.strings;
		remap[k] = ct_mem_alloc(ct_mem_bytes(s->count ? s->count : 1, sizeof(*remap[k])));
		if (!remap[k] || ct_strings_merge(&b->g.strings, s, remap[k]))
			goto out;
		for (size_t i = 0; i < c[k].n_sites; i++)
			sites[n_sites++] = remap[k][c[k].site_id[i]];
	}
	/* The nodes and edges: each piece on its own thread. */
	if (ct_builder_make_room(b, part, nt - 1, NULL))
		goto out;
	nodes = b->g.n_nodes;
	edges = b->n_edges;
	for (unsigned k = 1; k < nt; k++) {
		/* Nodes and edges apart: two jobs a piece. */
		job[nj++] = (struct copy_job){b, &c[k], remap[k], (uint32_t)nodes, (uint32_t)edges,
					      CT_COPY_NODES};
		job[nj++] = (struct copy_job){b, &c[k], remap[k], (uint32_t)nodes, (uint32_t)edges,
					      CT_COPY_EDGES};
		nodes += c[k].b->g.n_nodes;
		edges += c[k].b->n_edges;
	}
	ct_mem_run_jobs(copy_piece, job, sizeof(job[0]), nj);
	for (unsigned k = 1; k < nt; k++)
		ct_builder_finish(c[k].b);   /* their memory is not needed any more */
	b->g.n_nodes = (uint32_t)nodes;
	b->n_edges = edges;
	if (b->g.site)
		for (uint32_t v = 0; v < b->g.n_nodes; v++)
			if (b->g.site[v])
				b->g.site[v] = sites[b->g.site[v] - 1];
	rc = 0;
out:
	for (unsigned k = 0; k < nt; k++)
		ct_mem_free(remap[k]);
	free(sites);
	return rc;
}

static void reset_builder(struct ct_builder *b)
{
	const char *format = b->g.format;
	bool no_labels = b->no_labels, dominators = b->dominators;

	ct_builder_finish(b);
	ct_builder_init(b, format);
	b->no_labels = no_labels;
	b->dominators = dominators;
}

/* Load the mapped input [text, text + len) in parallel into b.  Returns
 * 0, or -1 with b reset when it must be loaded in one pass. */
static int load_parallel(struct ct_input *in, struct ct_builder *b, const char *text, size_t len,
			 bool ours)
{
	const char *end = text + len, *q = text;
	struct chunk *c = NULL;
	uint64_t first_line = 1, version = 0, done = 0;
	unsigned nt;
	int rc = -1;

	c = calloc(THREADS_MAX, sizeof(*c));
	if (!c)
		goto out;
	for (unsigned k = 0; k < THREADS_MAX; k++) {
		ct_json_init(&c[k].j);
		c[k].j.max_token = c[k].max_token = ct_input_max_token(in);
		c[k].b = &c[k].own;
	}
	c[0].b = b;
	/* The header: it says how to read the rest. */
	{
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		if (n > 0 && text[n - 1] == '\r')
			n--;
		if (n > c[0].max_token)
			goto out;
		ct_json_reset(&c[0].j, text, n, 1);
		if (ct_json_peek(&c[0].j) != CT_JSON_END &&
		    parse_record(&c[0].j, b, &c[0].r, NULL) == 0 && c[0].r.header) {
			if (c[0].r.version < 1 || c[0].r.version > 3)
				goto out;
			version = c[0].r.version;
			b->g.pid = c[0].r.pid;
			b->g.seq = c[0].r.seq;
			b->g.time = c[0].r.time;
			q = nl ? nl + 1 : end;
			first_line = 2;
		} else {
			reset_builder(b);   /* what it stored is stored again below */
		}
	}
	nt = thread_count(in, (size_t)(end - q));
	uint64_t offset = (uint64_t)(q - text) + in->consumed;   /* of the pieces, in the input */
	for (unsigned k = 0; k < nt; k++) {
		c[k].done = &done;
		c[k].in = k ? NULL : in;
		c[k].offset = offset;
		const char *e = k + 1 == nt ? end : q + (size_t)(end - q) / (nt - k);
		if (e < end) {
			const char *nl = memchr(e, '\n', (size_t)(end - e));
			e = nl ? nl + 1 : end;
		}
		c[k].p = q;
		c[k].end = e;
		c[k].first_line = k ? 1 : first_line;
		c[k].r.dump_version = version;
		c[k].mapped = in->map != NULL;
		q = e;
	}
	ct_mem_run_jobs(parse_chunk, c, sizeof(c[0]), nt);
	ct_input_progress(in, offset + done);   /* the pieces that ended last */
	rc = merge_chunks(c, nt, ours);
	b->threads = nt;
out:
	if (c)
		for (unsigned k = 0; k < THREADS_MAX; k++)
			chunk_finish(&c[k]);
	free(c);
	if (rc)
		reset_builder(b);
	return rc;
}

static int load(struct ct_input *in, struct ct_builder *b, bool ours, struct ct_error *err)
{
	const char *text;
	size_t len;

	if (ct_input_map(in, &text, &len) && load_parallel(in, b, text, len, ours) == 0)
		return 0;
	return load_serial(in, b, ours, err);
}

static int load_python(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, true, err);
}

static int load_meliae(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, false, err);
}

/* The first line of head (up to the probe window). */
static size_t first_line(const char *head, size_t len)
{
	const char *nl = memchr(head, '\n', len);
	return nl ? (size_t)(nl - head) : len;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static int probe_python(const char *head, size_t len)
{
	const char *p = skip_ws(head, head + len);
	size_t n = first_line(p, len - (size_t)(p - head));

	return n && *p == '{' && has(p, n, "\"cycletool_dump\"") ? 100 : 0;
}

static int probe_meliae(const char *head, size_t len)
{
	const char *p = skip_ws(head, head + len);
	size_t n = first_line(p, len - (size_t)(p - head));

	if (!n || *p != '{' || has(p, n, "\"cycletool_dump\""))
		return 0;
	return has(p, n, "\"address\"") && has(p, n, "\"type\"") ? 60 : 0;
}

const struct ct_loader ct_loader_python = {
	.name = "python",
	.description = "cycletool Python dump (JSON lines, see cycletool-dump(5))",
	.probe = probe_python,
	.load = load_python,
};

const struct ct_loader ct_loader_meliae = {
	.name = "meliae",
	.description = "meliae Python dump (JSON lines without header)",
	.probe = probe_meliae,
	.load = load_meliae,
};
