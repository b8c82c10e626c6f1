/* Java heap dumps (HPROF), as written by HotSpot (jcmd PID GC.heap_dump,
 * jmap -dump, -XX:+HeapDumpOnOutOfMemoryError,
 * HotSpotDiagnosticMXBean.dumpHeap).
 *
 * A dump is a header, "JAVA PROFILE 1.0.1" or "1.0.2" and a NUL, the
 * identifier size (u4: 4 or 8) and a time stamp (u8), then records: a
 * tag (u1), a time offset (u4) and a length (u4), then the body.  Numbers
 * are big-endian.  Read here: UTF8 (a string by id: class, field names),
 * LOAD CLASS (a class object's id and name), HEAP DUMP and HEAP DUMP
 * SEGMENT (sub-records: GC roots, CLASS DUMP, INSTANCE DUMP, OBJECT ARRAY
 * DUMP, PRIMITIVE ARRAY DUMP) and HEAP DUMP END; other records are
 * skipped by their length.  Android's "JAVA PROFILE 1.0.3" adds root
 * kinds (interned string, finalizing, debugger, reference cleanup, VM
 * internal, JNI monitor: roots; "unreachable": not a root), HEAP DUMP
 * INFO (which heap follows: skipped) and PRIMITIVE ARRAY NODATA (an
 * array without its elements).
 *
 * One pass, streaming: the input is read through ct_input's window and
 * never held whole.  An instance's fields are bytes whose layout its
 * class dump (and those of its superclasses) gives; HotSpot writes every
 * class dump before the instances, so an instance is decoded as it is
 * read.  An instance whose class chain is not complete yet is kept
 * (its field bytes copied) and decoded at the end, so any order loads,
 * from a pipe too, at the cost of memory for those instances only.
 *
 * Memory: the graph's own arrays and little else.  The builder takes
 * targets by index (no address map, no 8-byte target or input position
 * kept per object or reference): while reading, an edge's dst holds a
 * 32-bit key of its target's id (the distance in 8-byte words from a base
 * near the first id; ids that have none, rare, are listed apart), and
 * once every object is in, resolve() indexes the node ids in a table of
 * 32-bit node numbers (about 5.5 bytes an object) and turns each key into
 * its node.  A reference to an id not in the dump is dropped and counted
 * (summary: dangling references), as VisualVM and MAT ignore them:
 * HotSpot's dumps have a few (to objects of the class data sharing
 * archive).  A string's text is found through its edge to its array, so
 * the loader keeps only the first bytes of each byte[] and char[] (16
 * bytes and at most 120 of text) until the end, and every table of its
 * own is freed before the graph is handed over.  An object array's
 * labels "[i]" past the first 4096 are stored without interning (a big
 * array has millions), so that the strings' hash table stays small.  On
 * a 1.02 GB HotSpot dump of 24.2M objects and 26.7M references the graph
 * takes 0.93 GB (21 bytes an object, its id in 32 bits, and 9 a
 * reference are lib/graph.h's layout; strings 0.15 GB), and loading
 * peaks at 1.21 GB (the table of node numbers, 0.13 GB, and the arrays'
 * first bytes, 0.15 GB, on top; export --depth 0's peak).
 *
 * What the graph gets:
 *   addr   the object id (the object's address at dump time)
 *   type   the Java class name: "java.util.HashMap$Node", "byte[]",
 *          "java.lang.Object[]", and "class java.util.HashMap" for class
 *          objects
 *   size   shallow size by VisualVM's heap library's rule (below)
 *   value  for java.lang.String: the text, up to 60 bytes of UTF-8
 *          (decoded from its byte[] by its coder, Latin-1 or UTF-16, or
 *          from its char[] before JDK 9)
 *   flags  CT_NODE_ROOT on every object a GC root record names (any
 *          kind); CT_NODE_WEAKREF on instances of java.lang.ref.Reference
 *          and its subclasses.  The graph says roots_given: what no root
 *          reaches is garbage (only a dump taken with -all, or live=false,
 *          holds any).
 *   edges  instance fields (".name"), through the whole superclass chain;
 *          object array elements ("[i]"); a class's static fields
 *          (".NAME"), constant pool entries ("[cp i]"), ".super",
 *          ".classLoader", ".signers" and ".protectionDomain".  Null
 *          references are left out.  java.lang.ref.Reference.referent is
 *          CT_EDGE_WEAK (as MAT and VisualVM treat it), and so are a
 *          class's .signers and .protectionDomain (VisualVM's heap
 *          library does not follow them: a ProtectionDomain that an
 *          application's class loader also caches is its to retain);
 *          the rest strong.
 *
 * Sizes, as org.graalvm.visualvm.lib.jfluid.heap computes them (ClassDump
 * getInstanceSize, ClassDumpSegment getArraySize, ObjectSizeSettings):
 * the header H is the identifier size plus the reference size R.  R is
 * guessed as VisualVM does (sizes() says how: 4-byte ids, java.lang.
 * Object's instance size, two field offsets in Class$Atomic's or
 * FutureTask's statics, the java.vm.compressedOopsMode property, else the
 * identifier size), so a dump with 8-byte ids from a JVM with compressed
 * references (the default below 32 GB of heap) gets R = 4 and H = 12.
 * When java.lang.Object's class dump gives a non-zero instance size, H is
 * that size and an instance's size is its class dump's instance size as
 * written; otherwise an instance is H plus the sizes of every field of
 * its class chain (a reference counts R), rounded up to 8.  An array is
 * H + 4 + length x element size (a reference: R), rounded up to 8.  The
 * guess needs the whole dump, so a node's size is a class index or a
 * length until the end (SZ_*).  A class object counts 0 bytes:
 * VisualVM's retained sizes never count class objects
 * (HprofHeap.computeRetainedSize adds instance and array sizes only),
 * although its ClassDumpInstance.getSize() says the size of a
 * java.lang.Class instance; with 0, a class's retained size (the usual
 * biggest retainer: statics) is the one VisualVM gives.
 *
 * Errors (truncated input, a record longer than the input, a sub-record
 * overrunning its segment, an unknown sub-record tag, a bad type code,
 * field bytes that do not fit the class layout, an instance of a class
 * never dumped) name the byte offset of the record at fault.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mem.h"
#include "../lib/utf8.h"
#include "loader.h"

#define CHUNK 4096          /* ids read at a time from an object array */
#define VALUE_MAX 60        /* bytes of a string's text kept */
#define PREFIX_MAX 120      /* bytes of a byte[]/char[] kept for that */
#define INDEX_CACHE 4096    /* "[i]" labels remembered for i below this */

enum {
	REC_UTF8 = 0x01,
	REC_LOAD_CLASS = 0x02,
	REC_HEAP_DUMP = 0x0c,
	REC_HEAP_DUMP_SEGMENT = 0x1c,
	REC_HEAP_DUMP_END = 0x2c,
};

enum {
	SUB_ROOT_UNKNOWN = 0xff,
	SUB_ROOT_JNI_GLOBAL = 0x01,
	SUB_ROOT_JNI_LOCAL = 0x02,
	SUB_ROOT_JAVA_FRAME = 0x03,
	SUB_ROOT_NATIVE_STACK = 0x04,
	SUB_ROOT_STICKY_CLASS = 0x05,
	SUB_ROOT_THREAD_BLOCK = 0x06,
	SUB_ROOT_MONITOR_USED = 0x07,
	SUB_ROOT_THREAD_OBJECT = 0x08,
	SUB_CLASS_DUMP = 0x20,
	SUB_INSTANCE_DUMP = 0x21,
	SUB_OBJECT_ARRAY_DUMP = 0x22,
	SUB_PRIMITIVE_ARRAY_DUMP = 0x23,
	/* Android (1.0.3) */
	SUB_ROOT_INTERNED_STRING = 0x89,
	SUB_ROOT_FINALIZING = 0x8a,
	SUB_ROOT_DEBUGGER = 0x8b,
	SUB_ROOT_REFERENCE_CLEANUP = 0x8c,
	SUB_ROOT_VM_INTERNAL = 0x8d,
	SUB_ROOT_JNI_MONITOR = 0x8e,
	SUB_UNREACHABLE = 0x90,
	SUB_PRIMITIVE_ARRAY_NODATA = 0xc3,
	SUB_HEAP_DUMP_INFO = 0xfe,
};

enum { T_OBJECT = 2, T_BOOLEAN = 4, T_CHAR = 5, T_FLOAT = 6, T_DOUBLE = 7, T_BYTE = 8,
       T_SHORT = 9, T_INT = 10, T_LONG = 11 };

struct field {
	uint32_t label;     /* ".name" in the graph's strings */
	uint32_t name;      /* index into utf8 table */
	uint8_t type;
};

struct slot {               /* a reference field of a class's layout */
	uint32_t off;       /* offset in the instance's field bytes */
	uint32_t label;
	uint8_t kind;
};

struct cls {
	uint64_t id, super;
	uint32_t name;          /* graph string: "java.util.HashMap" */
	uint32_t raw_size;      /* the class dump's instance size */
	uint32_t field0, nfields;
	uint32_t node;          /* the class object's node */
	/* layout, once the chain is complete */
	bool laid_out, is_string, is_ref;
	int64_t thread_name_off; /* java.lang.Thread's name field, or -1 */
	uint32_t tried_at;      /* n_cls + 1 when the chain was last found
				 * incomplete (checked again once more
				 * classes are dumped) */
	uint32_t slot0, nslots;
	uint64_t field_bytes;
	uint64_t size;
	int64_t value_off, coder_off; /* java.lang.String's, or -1 */
};

struct utf8 {
	uint64_t off;           /* into h->text */
	uint32_t len;
};

struct pending_string {     /* a java.lang.String; its array is found by
			     * its edge once targets are resolved */
	uint32_t node;
	uint8_t coder;
};

struct prefix {             /* the first bytes of a byte[] or char[] */
	uint64_t off;           /* into h->prefix */
	uint32_t node;          /* the array's node (ascending) */
	uint8_t len;            /* bytes kept */
	uint8_t type;           /* T_BYTE or T_CHAR */
};

struct wide {               /* an edge whose target id has no 32-bit key */
	uint64_t id;
	uint32_t edge;
};

struct root {               /* a GC root sub-record */
	uint64_t id;
	uint32_t serial;        /* its thread's serial number, when it has one */
	uint8_t tag;
};

struct thread {             /* a java.lang.Thread instance */
	uint64_t id;
	uint64_t name;          /* its name field: a String's id, or 0 */
};

struct hp {
	struct ct_input *in;
	struct ct_builder *b;
	struct ct_error *err;
	uint32_t idsize;
	uint64_t seg_left;      /* bytes left in the current heap dump record */
	bool in_seg;
	uint64_t objects;
	uint64_t over_at;       /* the first object past MAX_OBJECTS, or 0 */
	/* UTF8 records */
	struct ct_addrmap utf8_map;
	struct utf8 *utf8;
	uint32_t n_utf8, utf8_cap;
	char *text;
	uint64_t text_len, text_cap;
	/* LOAD CLASS: class id -> utf8 index */
	struct ct_addrmap load_map;
	/* classes */
	struct ct_addrmap cls_map;
	struct cls *cls;
	uint32_t n_cls, cls_cap;
	struct field *fields;
	uint32_t n_fields, fields_cap;
	struct slot *slots;
	uint32_t n_slots, slots_cap;
	bool new_size;          /* java.lang.Object's instance size is given */
	uint64_t header;        /* H */
	uint32_t oop;           /* the reference size, once known (sizes()) */
	uint64_t oop_offset[2][2];  /* oop_probe's statics */
	bool oop_seen[2][2];
	bool oops_mode;         /* a String "java.vm.compressedOopsMode" exists */
	/* object array classes: class id -> type name */
	struct ct_addrmap arr_type;
	/* roots and threads (named in root kinds) */
	struct root *roots;
	uint32_t n_roots, roots_cap;
	struct thread *threads;
	uint32_t n_threads, threads_cap;
	/* edge targets: a 32-bit key per edge in the builder's dst array
	 * until resolve() (key_base, key_shift), or KEY_WIDE and the id in
	 * wide[] */
	uint64_t key_base;
	unsigned key_shift;
	bool key_set;
	struct wide *wide;
	uint64_t n_wide, wide_cap;
	/* id -> node, once every node is in (resolve()): node indices in
	 * open addressing, compared through the graph's addr array */
	uint32_t *idx;
	uint64_t idx_mask;
	/* instances waiting for their class: [u64 offset][u64 id][u64 class]
	 * [u32 n] then n bytes, back to back */
	char *wait;
	uint64_t wait_len, wait_cap;
	/* strings' text */
	struct pending_string *strs;
	uint32_t n_strs, strs_cap;
	struct prefix *pre;
	uint32_t n_pre, pre_cap;
	char *prefix;
	uint64_t prefix_len, prefix_cap;
	/* scratch */
	unsigned char *buf;
	size_t buf_cap;
	char *tmp;
	size_t tmp_cap;
	uint32_t index_label[INDEX_CACHE];
	/* "[i]" labels for i from INDEX_CACHE on, by i - INDEX_CACHE (0 =
	 * not made yet): stored, not interned, so that the millions a big
	 * array has take no room in the strings' hash table */
	uint32_t *big_label;
	uint64_t big_label_cap;
	uint32_t prim_type[12];
};

static int fail(struct hp *h, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An input error at byte offset at. */
static int fail(struct hp *h, uint64_t at, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ct_error_set(h->err, CT_EINPUT, "%s at byte %" PRIu64, msg, at);
}

static uint64_t pos(const struct hp *h)
{
	return h->in->consumed;
}

/* Grow *p (elements of size sz) to hold need elements. */
static int grow(void *pp, uint64_t *cap, uint64_t need, size_t sz)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	uint64_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / sz)
		return CT_ENOMEM;
	void *q = realloc(*p, (size_t)(c * sz));
	if (!q)
		return CT_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int grow32(void *pp, uint32_t *cap, uint32_t need, size_t sz)
{
	uint64_t c = *cap;
	int rc = grow(pp, &c, need, sz);
	if (!rc)
		*cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	return rc;
}

/* Read exactly n bytes; what names the record for a truncation message,
 * whose start is at. */
static int get(struct hp *h, void *dst, size_t n, const char *what, uint64_t at)
{
	char *d = dst;
	if (h->in_seg) {
		if (n > h->seg_left)
			return fail(h, at, "%s overruns its heap dump record", what);
		h->seg_left -= n;
	}
	while (n > 0) {
		long got = ct_input_read(h->in, d, n, h->err);
		if (got < 0)
			return h->err && h->err->code ? h->err->code : CT_EINPUT;
		if (got == 0)
			return fail(h, at, "truncated %s", what);
		d += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Skip n bytes. */
static int skip(struct hp *h, uint64_t n, const char *what, uint64_t at)
{
	char tmp[4096];
	while (n > 0) {
		size_t k = n < sizeof(tmp) ? (size_t)n : sizeof(tmp);
		int rc = get(h, tmp, k, what, at);
		if (rc)
			return rc;
		n -= k;
	}
	return 0;
}

static uint64_t be(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int id(struct hp *h, uint64_t *v, const char *what, uint64_t at)
{
	unsigned char b[8];
	int rc = get(h, b, h->idsize, what, at);
	if (!rc)
		*v = be(b, h->idsize);
	return rc;
}

static int u4(struct hp *h, uint32_t *v, const char *what, uint64_t at)
{
	unsigned char b[4];
	int rc = get(h, b, 4, what, at);
	if (!rc)
		*v = (uint32_t)be(b, 4);
	return rc;
}

static int u2(struct hp *h, uint32_t *v, const char *what, uint64_t at)
{
	unsigned char b[2];
	int rc = get(h, b, 2, what, at);
	if (!rc)
		*v = (uint32_t)be(b, 2);
	return rc;
}

static int u1(struct hp *h, uint32_t *v, const char *what, uint64_t at)
{
	unsigned char b[1];
	int rc = get(h, b, 1, what, at);
	if (!rc)
		*v = b[0];
	return rc;
}

/* Size of a value of basic type t, or 0 if t is not a type. */
static unsigned type_size(const struct hp *h, unsigned t)
{
	switch (t) {
	case T_OBJECT: return h->idsize;
	case T_BOOLEAN: case T_BYTE: return 1;
	case T_CHAR: case T_SHORT: return 2;
	case T_FLOAT: case T_INT: return 4;
	case T_DOUBLE: case T_LONG: return 8;
	default: return 0;
	}
}

static const char *const prim_name[12] = {
	[T_BOOLEAN] = "boolean", [T_CHAR] = "char", [T_FLOAT] = "float",
	[T_DOUBLE] = "double", [T_BYTE] = "byte", [T_SHORT] = "short",
	[T_INT] = "int", [T_LONG] = "long",
};

static uint64_t align8(uint64_t n)
{
	return n > UINT64_MAX - 7 ? UINT64_MAX : (n + 7) & ~(uint64_t)7;
}

static int need_tmp(struct hp *h, size_t n)
{
	uint64_t cap = h->tmp_cap;
	int rc = grow(&h->tmp, &cap, n, 1);
	if (rc)
		return ct_error_nomem(h->err);
	h->tmp_cap = (size_t)cap;
	return 0;
}

/* Append s (n bytes of modified UTF-8 or anything) to h->tmp at *at as
 * valid UTF-8: bad sequences and NULs become U+FFFD. */
static int put_utf8(struct hp *h, size_t *at, const char *s, size_t n)
{
	if (need_tmp(h, *at + n * 3 + 4))
		return CT_ENOMEM;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned cp;
		size_t k = ct_utf8_decode(p, end, &cp);
		if (k == 0 || cp == 0) {
			memcpy(h->tmp + *at, "\xef\xbf\xbd", 3);
			*at += 3;
			p += k ? k : 1;
			continue;
		}
		memcpy(h->tmp + *at, p, k);
		*at += k;
		p += k;
	}
	return 0;
}

static int put_str(struct hp *h, size_t *at, const char *s)
{
	size_t n = strlen(s);
	if (need_tmp(h, *at + n + 1))
		return CT_ENOMEM;
	memcpy(h->tmp + *at, s, n);
	*at += n;
	return 0;
}

static int intern_tmp(struct hp *h, size_t n, uint32_t *out)
{
	*out = ct_builder_intern(h->b, h->tmp, n);
	return *out == CT_NONE ? ct_error_nomem(h->err) : 0;
}

/* The UTF8 record with this id, or an error. */
static int utf8_get(struct hp *h, uint64_t sid, const struct utf8 **u, const char *what,
		    uint64_t at)
{
	uint32_t i = ct_addrmap_get(&h->utf8_map, sid);
	if (i == CT_NONE)
		return fail(h, at, "%s names string 0x%" PRIx64 ", which no UTF8 record defines",
			    what, sid);
	*u = &h->utf8[i];
	return 0;
}

/* A JVM class name ("java/util/HashMap$Node", "[Ljava/lang/Object;",
 * "[[I") written the Java way into h->tmp from *at. */
static int java_name(struct hp *h, size_t *at, const char *s, size_t n)
{
	size_t dims = 0;
	while (dims < n && s[dims] == '[')
		dims++;
	const char *base = s + dims;
	size_t blen = n - dims;
	int rc;
	if (dims > 0 && blen == 1) {
		static const char codes[] = "ZCFDBSIJ";
		static const unsigned types[] = {T_BOOLEAN, T_CHAR, T_FLOAT, T_DOUBLE,
						 T_BYTE, T_SHORT, T_INT, T_LONG};
		const char *c = memchr(codes, base[0], 8);
		rc = c ? put_str(h, at, prim_name[types[c - codes]]) : put_utf8(h, at, base, 1);
	} else {
		if (dims > 0 && blen >= 2 && base[0] == 'L' && base[blen - 1] == ';') {
			base++;
			blen -= 2;
		}
		size_t start = *at;
		rc = put_utf8(h, at, base, blen);
		for (size_t i = start; !rc && i < *at; i++)
			if (h->tmp[i] == '/')
				h->tmp[i] = '.';
	}
	for (size_t i = 0; !rc && i < dims; i++)
		rc = put_str(h, at, "[]");
	return rc;
}

/* The Java name of the class object id (from its LOAD CLASS record). */
static int class_name(struct hp *h, uint64_t cid, const char *prefix, uint32_t *out,
		      const char *what, uint64_t at)
{
	uint32_t u = ct_addrmap_get(&h->load_map, cid);
	size_t n = 0;
	int rc;
	if (u == CT_NONE)
		return fail(h, at, "%s of class 0x%" PRIx64 ", which no LOAD CLASS record names",
			    what, cid);
	const struct utf8 *s = &h->utf8[u];
	if ((rc = put_str(h, &n, prefix)) || (rc = java_name(h, &n, h->text + s->off, s->len)))
		return rc;
	return intern_tmp(h, n, out);
}

static bool name_is(const struct hp *h, uint32_t name, const char *s)
{
	return strcmp(ct_graph_str(&h->b->g, name), s) == 0;
}

static int label_index(struct hp *h, uint64_t i, uint32_t *out)
{
	if (h->b->no_labels) {
		*out = 0;
		return 0;
	}
	if (i < INDEX_CACHE && h->index_label[i]) {
		*out = h->index_label[i];
		return 0;
	}
	uint64_t k = i - INDEX_CACHE;
	if (i >= INDEX_CACHE && k < h->big_label_cap && h->big_label[k]) {
		*out = h->big_label[k];
		return 0;
	}
	if (i >= INDEX_CACHE && k >= h->big_label_cap) {
		uint64_t cap = h->big_label_cap ? h->big_label_cap : INDEX_CACHE;
		while (cap <= k)
			cap *= 2;
		uint32_t *p = cap <= SIZE_MAX / sizeof(*p) ? realloc(h->big_label, cap * sizeof(*p))
							   : NULL;
		if (!p)
			return ct_error_nomem(h->err);
		memset(p + h->big_label_cap, 0, (cap - h->big_label_cap) * sizeof(*p));
		h->big_label = p;
		h->big_label_cap = cap;
	}
	char s[32];
	int n = snprintf(s, sizeof(s), "[%" PRIu64 "]", i);
	/* the only place "[i]" is made: one id per text either way */
	*out = i < INDEX_CACHE ? ct_builder_intern(h->b, s, (size_t)n)
			       : ct_builder_append(h->b, s, (size_t)n);
	if (*out == CT_NONE)
		return ct_error_nomem(h->err);
	if (i < INDEX_CACHE)
		h->index_label[i] = *out;
	else
		h->big_label[k] = *out;
	return 0;
}

static int label_str(struct hp *h, const char *s, uint32_t *out)
{
	*out = ct_builder_intern(h->b, s, strlen(s));
	return *out == CT_NONE ? ct_error_nomem(h->err) : 0;
}

/* ".name" for the UTF8 string sid. */
static int label_field(struct hp *h, uint64_t sid, uint32_t *out, const char *what, uint64_t at)
{
	const struct utf8 *u = NULL;
	size_t n = 0;
	int rc;
	if ((rc = utf8_get(h, sid, &u, what, at)) || (rc = put_str(h, &n, ".")) ||
	    (rc = put_utf8(h, &n, h->text + u->off, u->len)))
		return rc;
	return intern_tmp(h, n, out);
}

/* Until sizes() knows the reference size, a node's size is one of these
 * in its low 2 bits, with the class index, the array's length or its
 * bytes above (up to 37 bits: the builder keeps the few past 32 bits in
 * the graph's overflow list, ct_graph_size()). */
enum { SZ_INSTANCE = 0, SZ_REFS = 1, SZ_BYTES = 2, SZ_NONE = 3 };

/* Objects a graph can hold (32-bit node numbers).  heap_dump() counts
 * the objects past it without loading them, and load() refuses the dump
 * with their number. */
#ifndef CT_HPROF_MAX_OBJECTS   /* lower only to check the refusal by hand */
#define MAX_OBJECTS ((uint64_t)UINT32_MAX - 1)
#else
#define MAX_OBJECTS ((uint64_t)CT_HPROF_MAX_OBJECTS)
#endif

static int count_object(struct hp *h, uint64_t at)
{
	if (++h->objects > MAX_OBJECTS)
		return fail(h, at, "too many objects: %" PRIu64 " (at most %" PRIu64 ")",
			    h->objects, MAX_OBJECTS);
	return 0;
}

static int node(struct hp *h, uint64_t addr, uint32_t type, uint64_t size, uint8_t flags)
{
	return ct_builder_node(h->b, addr, type, size, flags, 0, false, 0, 0, h->err);
}

/* The 32-bit key of object id v, or KEY_WIDE.  Ids are addresses: with
 * 8-byte ids, aligned to 8 and within 16 GB either side of the first id
 * seen (a heap below 32 GB, as compressed references need, always is),
 * the key is the distance from a base in 8-byte words. */
#define KEY_WIDE UINT32_MAX
#define KEY_SPAN (16ULL << 30)

static uint32_t key_of(struct hp *h, uint64_t v)
{
	if (!h->key_set) {
		h->key_set = true;
		h->key_shift = h->idsize == 8 ? 3 : 0;
		h->key_base = h->idsize == 8 && v > KEY_SPAN ? (v - KEY_SPAN) & ~(uint64_t)7 : 0;
	}
	if (v < h->key_base)
		return KEY_WIDE;
	uint64_t d = v - h->key_base;
	if (d & (((uint64_t)1 << h->key_shift) - 1) || d >> h->key_shift >= KEY_WIDE)
		return KEY_WIDE;
	return (uint32_t)(d >> h->key_shift);
}

static uint64_t id_of_key(const struct hp *h, uint32_t k)
{
	return h->key_base + ((uint64_t)k << h->key_shift);
}

/* An edge from the last node to object id target (none when 0): its key
 * goes in the builder's dst array now, the node index by resolve(). */
static int edge(struct hp *h, uint64_t target, uint32_t label, uint8_t kind)
{
	if (target == 0)
		return 0;
	uint32_t k = key_of(h, target);
	if (k == KEY_WIDE) {
		if (grow(&h->wide, &h->wide_cap, h->n_wide + 1, sizeof(*h->wide)))
			return ct_error_nomem(h->err);
		h->wide[h->n_wide++] = (struct wide){target, (uint32_t)h->b->n_edges};
	}
	return ct_builder_edge_index(h->b, k, h->b->no_labels ? 0 : label, kind, h->err);
}

/* ---- records ---- */

static int rec_utf8(struct hp *h, uint64_t len, uint64_t at)
{
	uint64_t sid;
	int rc;
	if (len < h->idsize)
		return fail(h, at, "UTF8 record shorter than an identifier");
	if ((rc = id(h, &sid, "UTF8 record", at)))
		return rc;
	uint64_t n = len - h->idsize;
	if (n > UINT32_MAX)
		return fail(h, at, "UTF8 record of %" PRIu64 " bytes", n);
	if (grow32(&h->utf8, &h->utf8_cap, h->n_utf8 + 1, sizeof(*h->utf8)))
		return ct_error_nomem(h->err);
	/* in pieces: a lying length from a pipe fails at the end of the
	 * input, not by asking for 4 GB */
	for (uint64_t done = 0; done < n; ) {
		uint64_t k = n - done < 65536 ? n - done : 65536;
		if (grow(&h->text, &h->text_cap, h->text_len + done + k, 1))
			return ct_error_nomem(h->err);
		if ((rc = get(h, h->text + h->text_len + done, (size_t)k, "UTF8 record", at)))
			return rc;
		done += k;
	}
	uint32_t old;
	if (ct_addrmap_put(&h->utf8_map, sid, h->n_utf8, &old))
		return ct_error_nomem(h->err);
	if (old != CT_NONE) {
		/* a later definition wins */
		h->utf8[old] = (struct utf8){h->text_len, (uint32_t)n};
	} else {
		h->utf8[h->n_utf8++] = (struct utf8){h->text_len, (uint32_t)n};
	}
	h->text_len += n;
	return 0;
}

static int rec_load_class(struct hp *h, uint64_t len, uint64_t at)
{
	uint32_t serial, stack;
	uint64_t cid, sid;
	int rc;
	if (len != 8 + 2 * (uint64_t)h->idsize)
		return fail(h, at, "LOAD CLASS record of %" PRIu64 " bytes (want %u)", len,
			    8 + 2 * h->idsize);
	if ((rc = u4(h, &serial, "LOAD CLASS", at)) || (rc = id(h, &cid, "LOAD CLASS", at)) ||
	    (rc = u4(h, &stack, "LOAD CLASS", at)) || (rc = id(h, &sid, "LOAD CLASS", at)))
		return rc;
	uint32_t u = ct_addrmap_get(&h->utf8_map, sid);
	if (u == CT_NONE)
		return fail(h, at, "LOAD CLASS names string 0x%" PRIx64
			    ", which no earlier UTF8 record defines", sid);
	uint32_t old;
	if (ct_addrmap_put(&h->load_map, cid, u, &old))
		return ct_error_nomem(h->err);
	return 0;
}

/* Lay out class c if its chain is complete: 0 with c->laid_out set or
 * not, or an error. */
static int lay_out(struct hp *h, uint32_t ci, uint64_t at)
{
	struct cls *c = &h->cls[ci];
	if (c->laid_out || c->tried_at == h->n_cls + 1)
		return 0;
	/* the chain must be complete */
	uint32_t depth = 0;
	for (uint64_t sid = c->super; sid; ) {
		uint32_t si = ct_addrmap_get(&h->cls_map, sid);
		if (si == CT_NONE) {
			c->tried_at = h->n_cls + 1;
			return 0;
		}
		if (++depth > h->n_cls)
			return fail(h, at, "the superclass chain of class 0x%" PRIx64 " loops",
				    c->id);
		sid = h->cls[si].super;
	}
	uint32_t slot0 = h->n_slots;
	uint64_t off = 0;
	bool is_ref = false;
	c->value_off = c->coder_off = c->thread_name_off = -1;
	c->is_string = name_is(h, c->name, "java.lang.String");
	for (uint32_t k = ci; ; ) {
		struct cls *d = &h->cls[k];
		bool reference = name_is(h, d->name, "java.lang.ref.Reference");
		bool thread = name_is(h, d->name, "java.lang.Thread");
		is_ref |= reference;
		for (uint32_t f = 0; f < d->nfields; f++) {
			const struct field *fd = &h->fields[d->field0 + f];
			if (fd->type == T_OBJECT) {
				/* each class's layout repeats its superclasses'
				 * references: bound what deep chains cost */
				if (h->n_slots >= 64 * (uint64_t)h->n_fields + (1u << 20))
					return fail(h, at, "class layouts of more than %" PRIu32
						    " references (superclass chains too deep)",
						    h->n_slots);
				if (grow32(&h->slots, &h->slots_cap, h->n_slots + 1, sizeof(*h->slots)))
					return ct_error_nomem(h->err);
				const struct utf8 *u = &h->utf8[fd->name];
				bool referent = reference && u->len == 8 &&
						memcmp(h->text + u->off, "referent", 8) == 0;
				h->slots[h->n_slots++] = (struct slot){
					(uint32_t)off, fd->label,
					referent ? CT_EDGE_WEAK : CT_EDGE_STRONG};
				if (k == ci && c->is_string && u->len == 5 &&
				    memcmp(h->text + u->off, "value", 5) == 0)
					c->value_off = (int64_t)off;
				if (thread && u->len == 4 && memcmp(h->text + u->off, "name", 4) == 0)
					c->thread_name_off = (int64_t)off;
			}
			if (k == ci && c->is_string && fd->type == T_BYTE) {
				const struct utf8 *u = &h->utf8[fd->name];
				if (u->len == 5 && memcmp(h->text + u->off, "coder", 5) == 0)
					c->coder_off = (int64_t)off;
			}
			off += type_size(h, fd->type);
		}
		if (!d->super)
			break;
		k = ct_addrmap_get(&h->cls_map, d->super);
	}
	c->slot0 = slot0;
	c->nslots = h->n_slots - slot0;
	c->field_bytes = off;
	c->is_ref = is_ref;
	c->laid_out = true;
	return 0;
}

/* Keep the first bytes of the array just added (the last node). */
static int add_prefix(struct hp *h, uint8_t type, const unsigned char *p, size_t n)
{
	if (n > PREFIX_MAX)
		n = PREFIX_MAX;
	if (grow(&h->prefix, &h->prefix_cap, h->prefix_len + n, 1) ||
	    grow32(&h->pre, &h->pre_cap, h->n_pre + 1, sizeof(*h->pre)))
		return ct_error_nomem(h->err);
	memcpy(h->prefix + h->prefix_len, p, n);
	h->pre[h->n_pre++] = (struct prefix){h->prefix_len, h->b->g.n_nodes - 1, (uint8_t)n, type};
	h->prefix_len += n;
	return 0;
}

/* Add the node and edges of an instance whose class is laid out. */
static int instance(struct hp *h, uint64_t oid, uint32_t ci, const unsigned char *bytes,
		    uint64_t n, uint64_t at)
{
	const struct cls *c = &h->cls[ci];
	int rc;
	if (n != c->field_bytes)
		return fail(h, at, "INSTANCE DUMP of 0x%" PRIx64 " has %" PRIu64
			    " bytes of fields, its class layout says %" PRIu64, oid, n, c->field_bytes);
	if ((rc = node(h, oid, c->name, (uint64_t)ci << 2 | SZ_INSTANCE,
		       c->is_ref ? CT_NODE_WEAKREF : 0)))
		return rc;
	for (uint32_t s = 0; s < c->nslots; s++) {
		const struct slot *sl = &h->slots[c->slot0 + s];
		if ((rc = edge(h, be(bytes + sl->off, h->idsize), sl->label, sl->kind)))
			return rc;
	}
	if (c->is_string && c->value_off >= 0 && be(bytes + c->value_off, h->idsize)) {
		uint8_t coder = c->coder_off >= 0 ? bytes[c->coder_off] : 0;
		if (grow32(&h->strs, &h->strs_cap, h->n_strs + 1, sizeof(*h->strs)))
			return ct_error_nomem(h->err);
		h->strs[h->n_strs++] = (struct pending_string){h->b->g.n_nodes - 1, coder};
	}
	if (c->thread_name_off >= 0) {
		if (grow32(&h->threads, &h->threads_cap, h->n_threads + 1, sizeof(*h->threads)))
			return ct_error_nomem(h->err);
		h->threads[h->n_threads++] = (struct thread){
			oid, be(bytes + c->thread_name_off, h->idsize)};
	}
	return 0;
}

static int need_buf(struct hp *h, size_t n)
{
	uint64_t cap = h->buf_cap;
	if (grow(&h->buf, &cap, n, 1))
		return ct_error_nomem(h->err);
	h->buf_cap = (size_t)cap;
	return 0;
}

static int sub_instance(struct hp *h, uint64_t at)
{
	uint64_t oid, cid;
	uint32_t stack, n;
	int rc;
	if ((rc = id(h, &oid, "INSTANCE DUMP", at)) || (rc = u4(h, &stack, "INSTANCE DUMP", at)) ||
	    (rc = id(h, &cid, "INSTANCE DUMP", at)) || (rc = u4(h, &n, "INSTANCE DUMP", at)))
		return rc;
	if (n > h->seg_left)
		return fail(h, at, "INSTANCE DUMP overruns its heap dump record");
	if ((rc = need_buf(h, n ? n : 1)) || (rc = get(h, h->buf, n, "INSTANCE DUMP", at)) ||
	    (rc = count_object(h, at)))
		return rc;
	uint32_t ci = ct_addrmap_get(&h->cls_map, cid);
	if (ci != CT_NONE && (rc = lay_out(h, ci, at)))
		return rc;
	if (ci != CT_NONE && h->cls[ci].laid_out)
		return instance(h, oid, ci, h->buf, n, at);
	/* keep it for the end */
	uint64_t rec = 28 + (uint64_t)n;
	if (grow(&h->wait, &h->wait_cap, h->wait_len + rec, 1))
		return ct_error_nomem(h->err);
	char *w = h->wait + h->wait_len;
	memcpy(w, &at, 8);
	memcpy(w + 8, &oid, 8);
	memcpy(w + 16, &cid, 8);
	memcpy(w + 24, &n, 4);
	memcpy(w + 28, h->buf, n);
	h->wait_len += rec;
	return 0;
}

static int sub_object_array(struct hp *h, uint64_t at)
{
	uint64_t oid, cid;
	uint32_t stack, n;
	uint32_t type;
	int rc;
	if ((rc = id(h, &oid, "OBJECT ARRAY DUMP", at)) ||
	    (rc = u4(h, &stack, "OBJECT ARRAY DUMP", at)) ||
	    (rc = u4(h, &n, "OBJECT ARRAY DUMP", at)) ||
	    (rc = id(h, &cid, "OBJECT ARRAY DUMP", at)))
		return rc;
	if ((uint64_t)n * h->idsize > h->seg_left)
		return fail(h, at, "OBJECT ARRAY DUMP of %" PRIu32
			    " elements overruns its heap dump record", n);
	if ((rc = count_object(h, at)))
		return rc;
	type = ct_addrmap_get(&h->arr_type, cid);
	if (type == CT_NONE) {
		uint32_t old;
		if ((rc = class_name(h, cid, "", &type, "OBJECT ARRAY DUMP", at)))
			return rc;
		if (ct_addrmap_put(&h->arr_type, cid, type, &old))
			return ct_error_nomem(h->err);
	}
	/* an array's class name is "[L...;": type is "....[]" already */
	uint64_t size = (uint64_t)n << 2 | SZ_REFS;
	if ((rc = node(h, oid, type, size, 0)) || (rc = need_buf(h, CHUNK * 8)))
		return rc;
	for (uint32_t i = 0; i < n; ) {
		uint32_t k = n - i < CHUNK ? n - i : CHUNK;
		if ((rc = get(h, h->buf, (size_t)k * h->idsize, "OBJECT ARRAY DUMP", at)))
			return rc;
		for (uint32_t j = 0; j < k; j++, i++) {
			uint64_t t = be(h->buf + (size_t)j * h->idsize, h->idsize);
			uint32_t label;
			if (!t)
				continue;
			if ((rc = label_index(h, i, &label)) || (rc = edge(h, t, label, CT_EDGE_STRONG)))
				return rc;
		}
	}
	return 0;
}

static int sub_primitive_array(struct hp *h, uint64_t at, bool nodata)
{
	uint64_t oid;
	uint32_t stack, n, t;
	int rc;
	if ((rc = id(h, &oid, "PRIMITIVE ARRAY DUMP", at)) ||
	    (rc = u4(h, &stack, "PRIMITIVE ARRAY DUMP", at)) ||
	    (rc = u4(h, &n, "PRIMITIVE ARRAY DUMP", at)) ||
	    (rc = u1(h, &t, "PRIMITIVE ARRAY DUMP", at)))
		return rc;
	unsigned es = type_size(h, t);
	if (es == 0 || t == T_OBJECT)
		return fail(h, at, "PRIMITIVE ARRAY DUMP of unknown element type %" PRIu32, t);
	uint64_t bytes = (uint64_t)n * es;
	if (!nodata && bytes > h->seg_left)
		return fail(h, at, "PRIMITIVE ARRAY DUMP of %" PRIu32
			    " elements overruns its heap dump record", n);
	if ((rc = count_object(h, at)))
		return rc;
	if (!h->prim_type[t]) {
		char s[16];
		snprintf(s, sizeof(s), "%s[]", prim_name[t]);
		if ((rc = label_str(h, s, &h->prim_type[t])))
			return rc;
	}
	if ((rc = node(h, oid, h->prim_type[t], bytes << 2 | SZ_BYTES, 0)))
		return rc;
	if (nodata)
		return 0;
	uint64_t keep = 0;
	if (t == T_BYTE || t == T_CHAR) {
		keep = bytes < PREFIX_MAX ? bytes : PREFIX_MAX;
		if ((rc = need_buf(h, PREFIX_MAX)) ||
		    (rc = get(h, h->buf, (size_t)keep, "PRIMITIVE ARRAY DUMP", at)) ||
		    (rc = add_prefix(h, (uint8_t)t, h->buf, (size_t)keep)))
			return rc;
	}
	return skip(h, bytes - keep, "PRIMITIVE ARRAY DUMP", at);
}

/* A value of basic type t: *v its bits (an id when t is an object);
 * *ref the id, or 0 when t is not an object. */
static int value(struct hp *h, unsigned t, uint64_t *v, uint64_t *ref, const char *what,
		 uint64_t at)
{
	unsigned char b[8];
	unsigned n = type_size(h, t);
	int rc;
	if (n == 0)
		return fail(h, at, "%s: unknown basic type %u", what, t);
	if ((rc = get(h, b, n, what, at)))
		return rc;
	*v = be(b, n);
	*ref = t == T_OBJECT ? *v : 0;
	return 0;
}

/* The static long fields VisualVM's heap library guesses the reference
 * size from (ObjectSizeSettings.guessOopSize): two field offsets of one
 * class, 4 or 8 apart. */
static const struct {
	const char *cls, *first, *second;
} oop_probe[2] = {
	{"java.lang.Class$Atomic", "annotationDataOffset", "annotationTypeOffset"},
	{"java.util.concurrent.FutureTask", "runnerOffset", "waitersOffset"},
};

static int sub_class(struct hp *h, uint64_t at)
{
	static const char *W = "CLASS DUMP";
	uint64_t cid, super, loader, signers, domain, r1, r2, v, ref;
	uint32_t stack, isize, count, idx, t;
	uint32_t type, label;
	int rc;
	if ((rc = id(h, &cid, W, at)) || (rc = u4(h, &stack, W, at)) ||
	    (rc = id(h, &super, W, at)) || (rc = id(h, &loader, W, at)) ||
	    (rc = id(h, &signers, W, at)) || (rc = id(h, &domain, W, at)) ||
	    (rc = id(h, &r1, W, at)) || (rc = id(h, &r2, W, at)) || (rc = u4(h, &isize, W, at)))
		return rc;
	if ((rc = count_object(h, at)))
		return rc;
	if (grow32(&h->cls, &h->cls_cap, h->n_cls + 1, sizeof(*h->cls)))
		return ct_error_nomem(h->err);
	uint32_t old;
	if (ct_addrmap_put(&h->cls_map, cid, h->n_cls, &old))
		return ct_error_nomem(h->err);
	if (old != CT_NONE)
		return fail(h, at, "second CLASS DUMP of class 0x%" PRIx64, cid);
	struct cls *c = &h->cls[h->n_cls];
	memset(c, 0, sizeof(*c));
	c->id = cid;
	c->super = super;
	c->raw_size = isize;
	c->node = h->b->g.n_nodes;
	if ((rc = class_name(h, cid, "", &c->name, W, at)) ||
	    (rc = class_name(h, cid, "class ", &type, W, at)))
		return rc;
	uint32_t ci = h->n_cls++;
	if (name_is(h, c->name, "java.lang.Object") && isize > 0 && !super) {
		h->new_size = true;
		h->header = isize;
	}
	/* a class object counts no bytes: see the top of the file */
	if ((rc = node(h, cid, type, SZ_NONE, 0)))
		return rc;
	/* constant pool */
	if ((rc = u2(h, &count, W, at)))
		return rc;
	for (uint32_t i = 0; i < count; i++) {
		if ((rc = u2(h, &idx, W, at)) || (rc = u1(h, &t, W, at)) ||
		    (rc = value(h, t, &v, &ref, W, at)))
			return rc;
		if (ref) {
			char s[32];
			snprintf(s, sizeof(s), "[cp %" PRIu32 "]", idx);
			if ((rc = label_str(h, s, &label)) || (rc = edge(h, v, label, CT_EDGE_STRONG)))
				return rc;
		}
	}
	/* statics */
	if ((rc = u2(h, &count, W, at)))
		return rc;
	int probe = -1;
	for (int i = 0; i < 2; i++)
		if (name_is(h, h->cls[ci].name, oop_probe[i].cls))
			probe = i;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t sid;
		if ((rc = id(h, &sid, W, at)) || (rc = u1(h, &t, W, at)) ||
		    (rc = value(h, t, &v, &ref, W, at)))
			return rc;
		if (ref) {
			if ((rc = label_field(h, sid, &label, W, at)) ||
			    (rc = edge(h, ref, label, CT_EDGE_STRONG)))
				return rc;
		}
		uint32_t ui = probe >= 0 && t == T_LONG ? ct_addrmap_get(&h->utf8_map, sid) : CT_NONE;
		if (ui != CT_NONE) {
			const struct utf8 *u = &h->utf8[ui];
			for (int k = 0; k < 2; k++) {
				const char *f = k ? oop_probe[probe].second : oop_probe[probe].first;
				if (u->len == strlen(f) && memcmp(h->text + u->off, f, u->len) == 0) {
					h->oop_offset[probe][k] = v;
					h->oop_seen[probe][k] = true;
				}
			}
		}
	}
	static const char *const names[] = {".super", ".classLoader", ".signers",
					    ".protectionDomain"};
	uint64_t refs[] = {super, loader, signers, domain};
	for (int i = 0; i < 4; i++) {
		if (!refs[i])
			continue;
		/* VisualVM's heap library does not know a class's signers
		 * and protection domain (its dominators do not follow them):
		 * weak here, so that retained sizes agree */
		if ((rc = label_str(h, names[i], &label)) ||
		    (rc = edge(h, refs[i], label, i >= 2 ? CT_EDGE_WEAK : CT_EDGE_STRONG)))
			return rc;
	}
	/* instance fields */
	if ((rc = u2(h, &count, W, at)))
		return rc;
	c = &h->cls[ci];
	c->field0 = h->n_fields;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t sid;
		const struct utf8 *u = NULL;
		if ((rc = id(h, &sid, W, at)) || (rc = u1(h, &t, W, at)))
			return rc;
		if (type_size(h, t) == 0)
			return fail(h, at, "CLASS DUMP: field of unknown basic type %" PRIu32, t);
		if ((rc = utf8_get(h, sid, &u, W, at)) || (rc = label_field(h, sid, &label, W, at)))
			return rc;
		if (grow32(&h->fields, &h->fields_cap, h->n_fields + 1, sizeof(*h->fields)))
			return ct_error_nomem(h->err);
		h->fields[h->n_fields++] = (struct field){label,
			ct_addrmap_get(&h->utf8_map, sid), (uint8_t)t};
	}
	h->cls[ci].nfields = count;
	return 0;
}

static int sub_root(struct hp *h, unsigned tag, uint64_t at)
{
	uint64_t oid;
	unsigned extra;
	int rc;
	bool root = true;
	switch (tag) {
	case SUB_ROOT_UNKNOWN: case SUB_ROOT_STICKY_CLASS: case SUB_ROOT_MONITOR_USED:
	case SUB_ROOT_INTERNED_STRING: case SUB_ROOT_FINALIZING: case SUB_ROOT_DEBUGGER:
	case SUB_ROOT_REFERENCE_CLEANUP: case SUB_ROOT_VM_INTERNAL:
		extra = 0;
		break;
	case SUB_UNREACHABLE:
		extra = 0;
		root = false;
		break;
	case SUB_HEAP_DUMP_INFO:   /* u4 heap type, then the heap's name id */
		extra = 4;
		root = false;
		break;
	case SUB_ROOT_JNI_GLOBAL:
		extra = h->idsize;
		break;
	case SUB_ROOT_NATIVE_STACK: case SUB_ROOT_THREAD_BLOCK:
		extra = 4;
		break;
	case SUB_ROOT_JNI_LOCAL: case SUB_ROOT_JAVA_FRAME: case SUB_ROOT_THREAD_OBJECT:
	case SUB_ROOT_JNI_MONITOR:
		extra = 8;
		break;
	default:
		return fail(h, at, "unknown heap dump sub-record tag 0x%02x", tag);
	}
	if (tag == SUB_HEAP_DUMP_INFO)
		return skip(h, extra + h->idsize, "HEAP DUMP INFO", at);
	if ((rc = id(h, &oid, "GC root", at)))
		return rc;
	/* the thread's serial number: JNI global's extra is an id, the
	 * others' begins with it */
	uint32_t serial = 0;
	if (extra >= 4 && tag != SUB_ROOT_JNI_GLOBAL) {
		if ((rc = u4(h, &serial, "GC root", at)))
			return rc;
		extra -= 4;
	}
	if ((rc = skip(h, extra, "GC root", at)))
		return rc;
	if (!root || !oid)
		return 0;
	if (grow32(&h->roots, &h->roots_cap, h->n_roots + 1, sizeof(*h->roots)))
		return ct_error_nomem(h->err);
	h->roots[h->n_roots++] = (struct root){oid, serial, (uint8_t)tag};
	return 0;
}

/* Skip an object's sub-record (its tag read), counting it: past the
 * limit of objects, the rest of the dump is only counted. */
static int count_sub(struct hp *h, unsigned tag, uint64_t at)
{
	static const char *W = "heap dump sub-record";
	uint32_t n, t, count, k;
	uint64_t v, ref;
	int rc;
	h->objects++;
	switch (tag) {
	case SUB_CLASS_DUMP:
		if ((rc = skip(h, 7 * (uint64_t)h->idsize + 8, W, at)) || (rc = u2(h, &count, W, at)))
			return rc;
		for (uint32_t i = 0; i < count; i++)   /* constant pool */
			if ((rc = u2(h, &k, W, at)) || (rc = u1(h, &t, W, at)) ||
			    (rc = value(h, t, &v, &ref, W, at)))
				return rc;
		if ((rc = u2(h, &count, W, at)))
			return rc;
		for (uint32_t i = 0; i < count; i++)   /* statics */
			if ((rc = skip(h, h->idsize, W, at)) || (rc = u1(h, &t, W, at)) ||
			    (rc = value(h, t, &v, &ref, W, at)))
				return rc;
		if ((rc = u2(h, &count, W, at)))
			return rc;
		return skip(h, (uint64_t)count * (h->idsize + 1), W, at);   /* fields */
	case SUB_INSTANCE_DUMP:
		if ((rc = skip(h, 2 * (uint64_t)h->idsize + 4, W, at)) || (rc = u4(h, &n, W, at)))
			return rc;
		return skip(h, n, W, at);
	case SUB_OBJECT_ARRAY_DUMP:
		if ((rc = skip(h, h->idsize + 4, W, at)) || (rc = u4(h, &n, W, at)))
			return rc;
		return skip(h, h->idsize + (uint64_t)n * h->idsize, W, at);
	default:   /* primitive arrays, with or without their elements */
		if ((rc = skip(h, h->idsize + 4, W, at)) || (rc = u4(h, &n, W, at)) ||
		    (rc = u1(h, &t, W, at)))
			return rc;
		if (type_size(h, t) == 0 || t == T_OBJECT)
			return fail(h, at, "PRIMITIVE ARRAY DUMP of unknown element type %" PRIu32, t);
		return tag == SUB_PRIMITIVE_ARRAY_NODATA ? 0
			: skip(h, (uint64_t)n * type_size(h, t), W, at);
	}
}

static int heap_dump(struct hp *h, uint64_t len)
{
	int rc = 0;
	h->in_seg = true;
	h->seg_left = len;
	while (!rc && h->seg_left > 0) {
		uint64_t at = pos(h);
		uint32_t tag;
		if ((rc = u1(h, &tag, "heap dump sub-record", at)))
			break;
		bool object = tag == SUB_CLASS_DUMP || tag == SUB_INSTANCE_DUMP ||
			      tag == SUB_OBJECT_ARRAY_DUMP || tag == SUB_PRIMITIVE_ARRAY_DUMP ||
			      tag == SUB_PRIMITIVE_ARRAY_NODATA;
		if (object && h->objects >= MAX_OBJECTS) {
			if (!h->over_at)
				h->over_at = at;
			rc = count_sub(h, tag, at);
			continue;
		}
		switch (tag) {
		case SUB_CLASS_DUMP: rc = sub_class(h, at); break;
		case SUB_INSTANCE_DUMP: rc = sub_instance(h, at); break;
		case SUB_OBJECT_ARRAY_DUMP: rc = sub_object_array(h, at); break;
		case SUB_PRIMITIVE_ARRAY_DUMP: rc = sub_primitive_array(h, at, false); break;
		case SUB_PRIMITIVE_ARRAY_NODATA: rc = sub_primitive_array(h, at, true); break;
		default: rc = sub_root(h, tag, at); break;
		}
	}
	h->in_seg = false;
	return rc;
}

/* ---- the end ---- */

/* Decode a string's kept bytes into h->tmp: at most VALUE_MAX bytes of
 * UTF-8.  Returns the length. */
static size_t decode(struct hp *h, const struct prefix *p, uint8_t coder)
{
	const unsigned char *s = (const unsigned char *)h->prefix + p->off;
	size_t n = 0;
	bool utf16 = p->type == T_CHAR || coder == 1;
	bool big = p->type == T_CHAR;  /* char[] is written big-endian; a
					* UTF-16 byte[] holds the JVM's (little-endian) order */
	for (uint32_t i = 0; i < p->len; ) {
		unsigned cp;
		if (utf16) {
			if (i + 2 > p->len)
				break;
			cp = big ? (unsigned)s[i] << 8 | s[i + 1] : (unsigned)s[i + 1] << 8 | s[i];
			i += 2;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 2 <= p->len) {
				unsigned lo = big ? (unsigned)s[i] << 8 | s[i + 1]
						  : (unsigned)s[i + 1] << 8 | s[i];
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 2;
				}
			}
			if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
				cp = 0xfffd;
		} else {
			cp = s[i++];
			if (cp == 0)
				cp = 0xfffd;
		}
		char u[4];
		size_t k;
		if (cp < 0x80) {
			u[0] = (char)cp;
			k = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			k = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			k = 3;
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			k = 4;
		}
		if (n + k > VALUE_MAX)
			break;
		memcpy(h->tmp + n, u, k);
		n += k;
	}
	return n;
}

/* The node of object id v, or CT_NONE (after resolve()). */
static uint32_t node_of(const struct hp *h, uint64_t v)
{
	const struct ct_graph *g = &h->b->g;
	for (uint64_t j = ct_hash_u64(v) & h->idx_mask;; j = (j + 1) & h->idx_mask) {
		uint32_t i = h->idx[j];
		if (i == CT_NONE || ct_graph_addr(g, i) == v)
			return i;
	}
}

/* Index the nodes by id, and turn every edge's key into its target's
 * node; references to ids not in the dump are dropped and counted (as
 * VisualVM and MAT do: HotSpot's dumps have a few, to objects of the
 * class data sharing archive). */
static int resolve(struct hp *h)
{
	struct ct_graph *g = &h->b->g;
	uint32_t n = g->n_nodes, m = (uint32_t)h->b->n_edges;
	uint64_t cap = 16;
	while (cap < (uint64_t)n + n / 3 + 1)
		cap *= 2;
	h->idx = ct_mem_alloc(ct_mem_bytes(cap, sizeof(*h->idx)));
	if (!h->idx)
		return ct_error_nomem(h->err);
	memset(h->idx, 0xff, cap * sizeof(*h->idx));
	h->idx_mask = cap - 1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = ct_graph_addr(g, i);
		uint64_t j = ct_hash_u64(v) & h->idx_mask;
		for (; h->idx[j] != CT_NONE; j = (j + 1) & h->idx_mask)
			if (ct_graph_addr(g, h->idx[j]) == v)
				return ct_error_set(h->err, CT_EINPUT, "two objects with id 0x%" PRIx64
						    " (objects %" PRIu32 " and %" PRIu32 " of the dump)",
						    v, h->idx[j] + 1, i + 1);
		h->idx[j] = i;
	}
	if (!g->out_off)
		return 0;
	g->out_off[n] = m;
	uint64_t wi = 0;
	uint32_t w = 0;
	for (uint32_t v = 0; v < n; v++) {
		uint32_t from = g->out_off[v], to = g->out_off[v + 1];
		g->out_off[v] = w;
		for (uint32_t e = from; e < to; e++) {
			enum { AHEAD = 16 };
			if (e + AHEAD < m && g->dst[e + AHEAD] != KEY_WIDE)
				__builtin_prefetch(&h->idx[ct_hash_u64(id_of_key(h, g->dst[e + AHEAD])) &
							   h->idx_mask]);
			uint64_t id = g->dst[e] == KEY_WIDE && wi < h->n_wide && h->wide[wi].edge == e
				      ? h->wide[wi++].id : id_of_key(h, g->dst[e]);
			uint32_t t = node_of(h, id);
			if (t == CT_NONE) {
				g->dangling++;
				continue;
			}
			g->dst[w] = t;
			if (g->label)
				g->label[w] = g->label[e];
			g->kind[w] = g->kind[e];
			w++;
		}
	}
	g->out_off[n] = w;
	h->b->n_edges = w;
	free(h->wide);
	h->wide = NULL;
	return 0;
}

/* The prefix kept for node v (an array), or NULL. */
static const struct prefix *prefix_of(const struct hp *h, uint32_t v)
{
	uint32_t lo = 0, hi = h->n_pre;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (h->pre[mid].node < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n_pre && h->pre[lo].node == v ? &h->pre[lo] : NULL;
}

/* The text of the string with id sid ("" when unknown): valid until the
 * graph's strings grow. */
static const char *string_text(const struct hp *h, uint64_t sid)
{
	uint32_t v = sid ? node_of(h, sid) : CT_NONE;
	const struct ct_graph *g = &h->b->g;
	uint32_t value = v != CT_NONE ? ct_graph_value(g, v) : 0;
	return value ? ct_graph_str(g, value) : "";
}

/* What kind of root r is, as text in h->tmp: "JNI global", "thread main
 * stack frame" (cycletool(1), HPROF).  tobj lists the THREAD OBJECT
 * roots (n_tobj of them: indices into h->roots). */
static int root_text(struct hp *h, const struct root *r, const uint32_t *tobj, uint32_t n_tobj,
		     uint32_t *out)
{
	const char *what, *thread = NULL;
	switch (r->tag) {
	case SUB_ROOT_JNI_GLOBAL: what = "JNI global"; break;
	case SUB_ROOT_JNI_LOCAL: what = "JNI local"; thread = ""; break;
	case SUB_ROOT_JAVA_FRAME: what = "stack frame"; thread = ""; break;
	case SUB_ROOT_NATIVE_STACK: what = "native stack"; thread = ""; break;
	case SUB_ROOT_STICKY_CLASS: what = "system class"; break;
	case SUB_ROOT_THREAD_BLOCK: what = "block"; thread = ""; break;
	case SUB_ROOT_MONITOR_USED: what = "busy monitor"; break;
	case SUB_ROOT_THREAD_OBJECT: what = ""; thread = ""; break;
	case SUB_ROOT_INTERNED_STRING: what = "interned string"; break;
	case SUB_ROOT_FINALIZING: what = "finalizing"; break;
	case SUB_ROOT_DEBUGGER: what = "debugger"; break;
	case SUB_ROOT_REFERENCE_CLEANUP: what = "reference cleanup"; break;
	case SUB_ROOT_VM_INTERNAL: what = "VM internal"; break;
	case SUB_ROOT_JNI_MONITOR: what = "JNI monitor"; thread = ""; break;
	default: what = "unknown"; break;
	}
	size_t n = 0;
	int rc;
	if (thread) {
		/* the thread: its THREAD OBJECT root has the same serial */
		uint64_t tid = r->tag == SUB_ROOT_THREAD_OBJECT ? r->id : 0;
		for (uint32_t i = 0; !tid && i < n_tobj; i++)
			if (h->roots[tobj[i]].serial == r->serial)
				tid = h->roots[tobj[i]].id;
		for (uint32_t i = 0; tid && i < h->n_threads; i++)
			if (h->threads[i].id == tid)
				thread = string_text(h, h->threads[i].name);
		char num[32];
		if (!thread[0]) {
			snprintf(num, sizeof(num), "#%" PRIu32, r->serial);
			thread = num;
		}
		if ((rc = put_str(h, &n, "thread ")) || (rc = put_str(h, &n, thread)) ||
		    (what[0] && ((rc = put_str(h, &n, " ")))))
			return rc;
	}
	if ((rc = put_str(h, &n, what)))
		return rc;
	return intern_tmp(h, n, out);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Flag the roots, and give the graph each one's kind (the first root
 * sub-record naming it). */
static int mark_roots(struct hp *h)
{
	struct ct_graph *g = &h->b->g;
	uint64_t *order = malloc((h->n_roots ? h->n_roots : 1) * sizeof(*order));
	uint32_t *tobj = malloc((h->n_roots ? h->n_roots : 1) * sizeof(*tobj));
	uint32_t n = 0, n_tobj = 0;
	int rc = 0;
	if (!order || !tobj) {
		free(order);
		free(tobj);
		return ct_error_nomem(h->err);
	}
	for (uint32_t i = 0; i < h->n_roots; i++) {
		if (h->roots[i].tag == SUB_ROOT_THREAD_OBJECT)
			tobj[n_tobj++] = i;
		uint32_t v = node_of(h, h->roots[i].id);
		if (v != CT_NONE) {
			g->flags[v] |= CT_NODE_ROOT;
			order[n++] = (uint64_t)v << 32 | i;
		}
	}
	qsort(order, n, sizeof(*order), cmp_u64);
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || order[i] >> 32 != order[k - 1] >> 32)
			order[k++] = order[i];
	g->root_note_node = ct_mem_alloc((k ? k : 1) * sizeof(uint32_t));
	g->root_note = ct_mem_alloc((k ? k : 1) * sizeof(uint32_t));
	if (!g->root_note_node || !g->root_note) {
		rc = ct_error_nomem(h->err);
		goto out;
	}
	for (uint32_t i = 0; i < k; i++) {
		g->root_note_node[i] = (uint32_t)(order[i] >> 32);
		if ((rc = root_text(h, &h->roots[(uint32_t)order[i]], tobj, n_tobj,
				    &g->root_note[i])))
			goto out;
	}
	g->n_root_notes = k;
out:
	free(order);
	free(tobj);
	return rc;
}

/* The reference size and the header H, as VisualVM's heap library
 * guesses them (ObjectSizeSettings): with 4-byte ids, 4; when
 * java.lang.Object's class dump gives an instance size, that is H and
 * the reference size is H minus the id size; else the distance between
 * two field offsets a class keeps in static longs (Class$Atomic's
 * annotationDataOffset and annotationTypeOffset, else FutureTask's
 * runnerOffset and waitersOffset) when it is 4 or 8; else 4 when the
 * system property java.vm.compressedOopsMode is set (here: a String of
 * that text exists); else the id size.  Then every node's size, from
 * what the loader put there (SZ_*).  Returns 0 or an error code. */
static int sizes(struct hp *h)
{
	struct ct_graph *g = &h->b->g;
	uint32_t oop = h->idsize;
	if (h->idsize == 8 && h->new_size) {
		oop = h->header > 8 ? (uint32_t)(h->header - 8) : 8;
	} else if (h->idsize == 8) {
		int guess = 0;
		for (int i = 0; i < 2 && !guess; i++) {
			int64_t d = (int64_t)(h->oop_offset[i][1] - h->oop_offset[i][0]);
			if (h->oop_seen[i][0] && h->oop_seen[i][1] && (d == 4 || d == 8))
				guess = (int)d;
		}
		oop = guess ? (uint32_t)guess : h->oops_mode ? 4 : 8;
	}
	h->oop = oop;
	if (!h->new_size)
		h->header = h->idsize + oop;
	for (uint32_t i = 0; i < h->n_cls; i++) {
		struct cls *c = &h->cls[i];
		if (c->laid_out)
			c->size = h->new_size ? c->raw_size
				  : align8(h->header + c->field_bytes -
					   (uint64_t)c->nslots * (h->idsize - oop));
	}
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint64_t s = ct_graph_size(g, v), k = s >> 2;
		switch (s & 3) {
		case SZ_INSTANCE: s = k < h->n_cls ? h->cls[k].size : 0; break;
		case SZ_REFS: s = align8(h->header + 4 + k * oop); break;
		case SZ_BYTES: s = align8(h->header + 4 + k); break;
		default: s = 0; break;
		}
		if (ct_graph_set_size(g, v, s))
			return ct_error_nomem(h->err);
	}
	return 0;
}

static int finish(struct hp *h)
{
	struct ct_graph *g = &h->b->g;
	int rc;
	/* instances that came before their class */
	for (uint64_t o = 0; o < h->wait_len; ) {
		uint64_t at, oid, cid;
		uint32_t n;
		memcpy(&at, h->wait + o, 8);
		memcpy(&oid, h->wait + o + 8, 8);
		memcpy(&cid, h->wait + o + 16, 8);
		memcpy(&n, h->wait + o + 24, 4);
		uint32_t ci = ct_addrmap_get(&h->cls_map, cid);
		if (ci != CT_NONE && (rc = lay_out(h, ci, at)))
			return rc;
		if (ci == CT_NONE || !h->cls[ci].laid_out)
			return fail(h, at, "INSTANCE DUMP of 0x%" PRIx64 " of class 0x%" PRIx64
				    ", whose class chain has no CLASS DUMP", oid, cid);
		if ((rc = instance(h, oid, ci, (unsigned char *)h->wait + o + 28, n, at)))
			return rc;
		o += 28 + (uint64_t)n;
	}
	free(h->wait);
	h->wait = NULL;
	if ((rc = resolve(h)))
		return rc;
	/* strings' text: from the array a String refers to */
	if ((rc = need_tmp(h, VALUE_MAX + 4)))
		return rc;
	for (uint32_t i = 0; i < h->n_strs; i++) {
		const struct pending_string *s = &h->strs[i];
		for (uint32_t e = g->out_off[s->node]; e < g->out_off[s->node + 1]; e++) {
			const struct prefix *p = prefix_of(h, g->dst[e]);
			if (!p)
				continue;
			size_t n = decode(h, p, s->coder);
			static const char mode[] = "java.vm.compressedOopsMode";
			if (n == sizeof(mode) - 1 && memcmp(h->tmp, mode, n) == 0)
				h->oops_mode = true;
			uint32_t v = ct_builder_append(h->b, h->tmp, n);
			if (v == CT_NONE)
				return ct_error_nomem(h->err);
			g->value[s->node] = v;
			break;
		}
	}
	if ((rc = sizes(h)) || (rc = mark_roots(h)))
		return rc;
	g->roots_given = true;
	return 0;
}

static int load(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	struct hp h = {.in = in, .b = b, .err = err};
	unsigned char head[32];
	int rc;

	ct_addrmap_init(&h.utf8_map);
	ct_addrmap_init(&h.load_map);
	ct_addrmap_init(&h.cls_map);
	ct_addrmap_init(&h.arr_type);
	/* targets by node index (resolve()): no address map, no per-node
	 * position, no 8-byte target per edge in the builder */
	b->by_index = true;

	/* header: the version and its NUL, id size, time stamp */
	size_t hl = 0;
	for (;;) {
		long got = ct_input_read(in, (char *)head + hl, 1, err);
		if (got < 0) {
			rc = err && err->code ? err->code : CT_EINPUT;
			goto out;
		}
		if (got == 0) {
			rc = fail(&h, 0, "not an HPROF heap dump: truncated header");
			goto out;
		}
		if (head[hl] == 0)
			break;
		if (++hl == 24) {
			rc = fail(&h, 0, "not an HPROF heap dump: no NUL-terminated version");
			goto out;
		}
	}
	if (strcmp((char *)head, "JAVA PROFILE 1.0.1") && strcmp((char *)head, "JAVA PROFILE 1.0.2") &&
	    strcmp((char *)head, "JAVA PROFILE 1.0.3")) {
		bool text = hl > 0;
		for (size_t i = 0; i < hl; i++)
			text &= head[i] >= 0x20 && head[i] < 0x7f;
		rc = text ? fail(&h, 0, "unknown HPROF version '%s' (want JAVA PROFILE 1.0.1, "
				 "1.0.2 or 1.0.3)", (char *)head)
			  : fail(&h, 0, "not an HPROF heap dump");
		goto out;
	}
	uint64_t at = pos(&h);
	if ((rc = get(&h, head, 12, "header", at)))
		goto out;
	h.idsize = (uint32_t)be(head, 4);
	if (h.idsize != 4 && h.idsize != 8) {
		rc = fail(&h, at, "identifier size %" PRIu32 " (want 4 or 8)", h.idsize);
		goto out;
	}
	h.header = 2 * (uint64_t)h.idsize;
	bool dumped = false, open_segments = false;
	for (;;) {
		const char *p;
		size_t n;
		if ((rc = ct_input_peek(in, 1, &p, &n, err)))
			goto out;
		if (n == 0) {
			if (!dumped)
				rc = fail(&h, pos(&h), "no HEAP DUMP record before the end of the input");
			else if (open_segments)
				rc = fail(&h, pos(&h), "truncated: no HEAP DUMP END record after the "
					  "HEAP DUMP SEGMENT records");
			if (rc)
				goto out;
			break;
		}
		at = pos(&h);
		if ((rc = get(&h, head, 9, "record header", at)))
			goto out;
		unsigned tag = head[0];
		uint64_t len = be(head + 5, 4);
		if (in->total && len > in->total - pos(&h)) {
			rc = fail(&h, at, "record of %" PRIu64 " bytes longer than the file", len);
			goto out;
		}
		switch (tag) {
		case REC_UTF8: rc = rec_utf8(&h, len, at); break;
		case REC_LOAD_CLASS: rc = rec_load_class(&h, len, at); break;
		case REC_HEAP_DUMP: case REC_HEAP_DUMP_SEGMENT:
			dumped = true;
			open_segments = tag == REC_HEAP_DUMP_SEGMENT;
			rc = heap_dump(&h, len);
			break;
		case REC_HEAP_DUMP_END:
			open_segments = false;
			rc = skip(&h, len, "record", at);
			break;
		default: rc = skip(&h, len, "record", at); break;
		}
		if (rc)
			goto out;
	}
	if (h.over_at) {
		rc = fail(&h, h.over_at, "too many objects: %" PRIu64 " (a graph holds at most %"
			  PRIu64 "); the first one too many is", h.objects, MAX_OBJECTS);
		goto out;
	}
	rc = finish(&h);
out:
	ct_addrmap_finish(&h.utf8_map);
	ct_addrmap_finish(&h.load_map);
	ct_addrmap_finish(&h.cls_map);
	ct_addrmap_finish(&h.arr_type);
	free(h.roots);
	free(h.threads);
	free(h.wide);
	ct_mem_free(h.idx);
	free(h.utf8);
	free(h.text);
	free(h.cls);
	free(h.fields);
	free(h.slots);
	free(h.wait);
	free(h.strs);
	free(h.pre);
	free(h.prefix);
	free(h.buf);
	free(h.tmp);
	free(h.big_label);
	return rc;
}

static int probe(const char *head, size_t len)
{
	static const char sig[] = "JAVA PROFILE ";
	if (len >= sizeof(sig) - 1 && memcmp(head, sig, sizeof(sig) - 1) == 0)
		return 100;
	return 0;
}

const struct ct_loader ct_loader_hprof = {
	.name = "hprof",
	.description = "Java heap dump (HPROF 1.0.1/1.0.2, Android 1.0.3: jcmd GC.heap_dump, "
		       "jmap -dump)",
	.probe = probe,
	.load = load,
};
