/* Unit test: lib/strings.c (the interning arena). */
#include "check.h"
#include "lib/strings.h"

static void test_basic(void)
{
	struct ct_strings s;

	ct_strings_init(&s);
	CHECK(ct_strings_get(&s, 0)[0] == '\0', "id 0 of an empty arena is \"\"");
	CHECK(ct_strings_intern(&s, "", 0) == 0, "the empty string is id 0");
	uint32_t a = ct_strings_intern(&s, "abc", 3);
	uint32_t b = ct_strings_intern(&s, "abcd", 4);
	uint32_t c = ct_strings_intern(&s, "ab", 2);
	CHECK(a == 1 && b == 2 && c == 3, "ids are handed out in order: %u %u %u", a, b, c);
	CHECK(ct_strings_intern(&s, "abc", 3) == a, "re-interning gives the same id");
	/* Not NUL-terminated input: only len bytes count. */
	CHECK(ct_strings_intern(&s, "abcdef", 3) == a, "a prefix of a longer buffer is 'abc'");
	CHECK(strcmp(ct_strings_get(&s, a), "abc") == 0, "get(a) = '%s'", ct_strings_get(&s, a));
	CHECK(strcmp(ct_strings_get(&s, b), "abcd") == 0, "get(b) = '%s'", ct_strings_get(&s, b));
	CHECK(ct_strings_len(&s, a) == 3 && ct_strings_len(&s, b) == 4 && ct_strings_len(&s, c) == 2,
	      "lengths %zu %zu %zu", ct_strings_len(&s, a), ct_strings_len(&s, b),
	      ct_strings_len(&s, c));
	CHECK(ct_strings_len(&s, 0) == 0, "len(0) = %zu", ct_strings_len(&s, 0));
	CHECK(ct_strings_len(&s, 999) == 0 && ct_strings_get(&s, 999)[0] == '\0',
	      "an unknown id reads as the empty string");
	/* Non-ASCII bytes are just bytes. */
	uint32_t u = ct_strings_intern(&s, "\xe2\x86\x92", 3);
	CHECK(u == 4 && ct_strings_len(&s, u) == 3, "utf-8 string id %u len %zu", u,
	      ct_strings_len(&s, u));
	ct_strings_finish(&s);
	CHECK(s.count == 0 && s.bytes == NULL, "finish zeroes the arena");
	ct_strings_finish(&s);   /* twice: zeroed is fine */
	ct_strings_finish(NULL);
}

static void test_growth(void)
{
	struct ct_strings s;
	enum { N = 300000 };
	char buf[64];

	ct_strings_init(&s);
	/* Many rehashes of the slot table and many reallocations of the
	 * arena; lengths vary so offsets are not regular. */
	for (uint32_t i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof(buf), "s%u-%.*s", i, (int)(i % 23), "xxxxxxxxxxxxxxxxxxxxxxx");
		uint32_t id = ct_strings_intern(&s, buf, (size_t)n);
		if (!CHECK(id == i + 1, "string %u got id %u", i, id))
			break;
	}
	CHECK(s.count == N + 1, "count %u", s.count);
	int bad = 0;
	for (uint32_t i = 0; i < N && bad < 5; i++) {
		int n = snprintf(buf, sizeof(buf), "s%u-%.*s", i, (int)(i % 23), "xxxxxxxxxxxxxxxxxxxxxxx");
		uint32_t id = ct_strings_intern(&s, buf, (size_t)n);
		bad += !CHECK(id == i + 1, "re-intern of %u gave %u (ids must stay stable)", i, id);
		bad += !CHECK(ct_strings_len(&s, i + 1) == (size_t)n &&
			      strcmp(ct_strings_get(&s, i + 1), buf) == 0,
			      "string %u reads back as '%s' (len %zu), want '%s'", i,
			      ct_strings_get(&s, i + 1), ct_strings_len(&s, i + 1), buf);
	}
	CHECK(s.count == N + 1, "re-interning added nothing: count %u", s.count);
	/* One long string after many short ones: the arena grows by more than 2x. */
	size_t big = 3u << 20;
	char *p = malloc(big);
	memset(p, 'q', big);
	uint32_t id = ct_strings_intern(&s, p, big);
	CHECK(id == N + 1 && ct_strings_len(&s, id) == big, "big string id %u len %zu", id,
	      ct_strings_len(&s, id));
	CHECK(ct_strings_intern(&s, p, big) == id, "big string interned once");
	CHECK(ct_strings_intern(&s, p, big - 1) == id + 1, "one byte shorter is another string");
	free(p);
	ct_strings_finish(&s);
}

static void test_hash(void)
{
	const char *x = "hello world, twelve+ bytes";
	CHECK(ct_hash_bytes(x, strlen(x)) == ct_hash_bytes(x, strlen(x)), "hash is deterministic");
	CHECK(ct_hash_bytes(x, 5) != ct_hash_bytes(x, 6), "hash depends on length");
	CHECK(ct_hash_bytes("a", 1) != ct_hash_bytes("b", 1), "hash depends on content");
	/* Same bytes at different alignments hash alike. */
	char buf[40];
	memcpy(buf + 3, x, 20);
	CHECK(ct_hash_bytes(buf + 3, 20) == ct_hash_bytes(x, 20), "hash is alignment-free");
	(void)ct_hash_bytes(x, 0);
}

/* Every string stored is valid UTF-8: invalid bytes become U+FFFD, so two
 * byte strings that differ only in invalid bytes are one text (one JSON key). */
static void test_utf8(void)
{
	struct ct_strings s;

	ct_strings_init(&s);
	uint32_t a = ct_strings_intern(&s, "A\xff", 2), b = ct_strings_intern(&s, "A\xfe", 2);
	uint32_t c = ct_strings_intern(&s, "A\xef\xbf\xbd", 4);
	CHECK(a == b && b == c, "one id for one text: %u %u %u", a, b, c);
	CHECK(strcmp(ct_strings_get(&s, a), "A\xef\xbf\xbd") == 0, "U+FFFD stored");
	/* A surrogate, an overlong, a truncated sequence, a stray continuation. */
	uint32_t d = ct_strings_intern(&s, "\xed\xa0\x80|\xc0\xaf|\xe2\x82|\x80", 11);
	CHECK(strcmp(ct_strings_get(&s, d), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd") == 0,
	      "each invalid byte is one U+FFFD: %s", ct_strings_get(&s, d));
	/* Valid text is stored as given, appended strings follow the rule too. */
	const char *ok = "caf\xc3\xa9 \xf0\x9f\x98\x80 0123456789abcdef";
	uint32_t e = ct_strings_intern(&s, ok, strlen(ok));
	CHECK(strcmp(ct_strings_get(&s, e), ok) == 0, "valid text unchanged");
	uint32_t f = ct_strings_append(&s, "x\x80", 2);
	CHECK(f != a && strcmp(ct_strings_get(&s, f), "x\xef\xbf\xbd") == 0, "append repairs");
	CHECK(ct_strings_len(&s, f) == 4, "length of the repaired text");
	ct_strings_finish(&s);
}

/* SipHash against the reference vectors of its paper (2-4), and the
 * keyed hashes against it: the inline u64 form is the bytes form. */
static void test_siphash(void)
{
	unsigned char msg[64];
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;

	for (int i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	CHECK(ct_siphash(k0, k1, msg, 15, 2, 4) == 0xa129ca6149be45e5ULL, "siphash-2-4 15 bytes");
	CHECK(ct_siphash(k0, k1, msg, 0, 2, 4) == 0x726fdb47dd0e0e31ULL, "siphash-2-4 empty");
	CHECK(ct_siphash(k0, k1, msg, 8, 2, 4) == 0x93f5f5799a932462ULL, "siphash-2-4 8 bytes");
	CHECK(ct_hash_key[0] || ct_hash_key[1], "a key was drawn");
	uint64_t seen = 0;
	for (uint64_t x = 0; x < 1000; x++) {
		unsigned char le[8];
		uint64_t a = x * 0x10001000ULL + 0x7f0000000000ULL;
		for (int k = 0; k < 8; k++)
			le[k] = (unsigned char)(a >> (8 * k));
		uint64_t h = ct_hash_keyed_u64(a);
		if (!CHECK(h == ct_hash_keyed_bytes(le, 8) &&
			   h == ct_siphash(ct_hash_key[0], ct_hash_key[1], le, 8, 1, 3),
			   "keyed u64 of %#llx is siphash-1-3 of its bytes", (unsigned long long)a))
			break;
		seen |= h;
	}
	CHECK(seen == UINT64_MAX, "keyed hashes set every bit");
}

/* The operations of test_merge: string k of a made-up input, interned
 * (names and labels that repeat) or appended (values), or empty. */
static void merge_op(uint32_t k, char *buf, size_t *len, bool *interned)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (k + 1);
	seed ^= seed >> 29;
	*interned = seed % 3 != 0;
	if (seed % 17 == 0) {
		*len = 0;
		return;
	}
	/* Interned strings repeat (40 of them); appended ones repeat too
	 * (appending never finds an equal one), and are of any length up
	 * to a few hundred bytes. */
	unsigned v = *interned ? (unsigned)(seed >> 8) % 40 : (unsigned)(seed >> 8) % 5000;
	size_t n = (size_t)snprintf(buf, 64, "%s%u", *interned ? "name" : "value-", v);
	size_t pad = *interned ? 0 : (seed >> 20) % 300;
	memset(buf + n, 'x', pad);
	*len = n + pad;
}

static uint32_t merge_store(struct ct_strings *s, uint32_t k)
{
	char buf[512];
	size_t len;
	bool interned;

	merge_op(k, buf, &len, &interned);
	return interned ? ct_strings_intern(s, buf, len) : ct_strings_append(s, buf, len);
}

/* ct_strings_merge(): strings stored in pieces, each in its own arena,
 * then merged in order, give the arena one pass gives, id for id. */
static void test_merge(void)
{
	enum { N = 20000 };
	struct ct_strings one;
	uint32_t want[N];

	ct_strings_init(&one);
	for (uint32_t k = 0; k < N; k++)
		want[k] = merge_store(&one, k);
	const uint32_t cuts[][3] = {{0, N, N}, {1, 2, N}, {N / 3, 2 * N / 3, N}, {N - 1, N, N},
				     {5000, 5000, 19000}};
	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct ct_strings piece[3];
		uint32_t *remap[3] = {NULL}, got[N], from = 0;
		int bad = 0;
		for (int i = 0; i < 3; i++) {
			ct_strings_init(&piece[i]);
			uint32_t to = i < 2 ? cuts[c][i] : N;
			uint32_t *local = malloc((to - from + 1) * sizeof(*local));
			for (uint32_t k = from; k < to; k++)
				local[k - from] = merge_store(&piece[i], k);
			remap[i] = malloc(((size_t)piece[i].count + 1) * sizeof(*remap[i]));
			if (i == 0) {
				for (uint32_t k = from; k < to; k++)
					got[k] = local[k - from];
			} else {
				CHECK(ct_strings_merge(&piece[0], &piece[i], remap[i]) == 0,
				      "cut %zu: merge of piece %d", c, i);
				for (uint32_t k = from; k < to; k++)
					got[k] = remap[i][local[k - from]];
			}
			free(local);
			from = to;
		}
		CHECK(piece[0].count == one.count, "cut %zu: %u strings, one pass %u", c,
		      piece[0].count, one.count);
		for (uint32_t k = 0; k < N && bad < 5; k++)
			bad += !CHECK(got[k] == want[k], "cut %zu: string %u has id %u, one pass %u", c, k,
				      got[k], want[k]);
		for (uint32_t id = 0; id < one.count && id < piece[0].count && bad < 5; id++)
			bad += !CHECK(ct_strings_len(&piece[0], id) == ct_strings_len(&one, id) &&
				      strcmp(ct_strings_get(&piece[0], id), ct_strings_get(&one, id)) == 0,
				      "cut %zu: id %u is '%s', one pass '%s'", c, id,
				      ct_strings_get(&piece[0], id), ct_strings_get(&one, id));
		CHECK(ct_strings_intern(&piece[0], "name7", 5) == ct_strings_intern(&one, "name7", 5),
		      "cut %zu: interning after the merge finds the same id", c);
		for (int i = 0; i < 3; i++) {
			ct_strings_finish(&piece[i]);
			free(remap[i]);
		}
	}
	ct_strings_finish(&one);
}

int main(void)
{
	test_merge();
	test_siphash();
	test_utf8();
	test_basic();
	test_growth();
	test_hash();
	return check_status("test_strings");
}
