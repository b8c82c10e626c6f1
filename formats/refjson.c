/* $ref JSON, as `cycletool export` writes it (export.h, cycletool(1)):
 * one JSON document whose shared and cyclic objects are references,
 * in any of the three styles (JSONPath "$[...]", JSON Pointer "#/...",
 * or "$id"), mixed freely.
 *
 * The document is read whole and scanned once into a flat tree of items
 * (about 40 bytes each; numbers keep their exact text, which a cJSON DOM
 * would turn into doubles, and every item keeps its position for
 * messages).  Then:
 *   1. each object, array and scalar that is not a reference, a cut
 *      marker or a "$..." member value becomes a node, in document order;
 *      "$address" and "$id" are recorded (duplicates are errors);
 *   2. cut markers become stub nodes, or the node with their "$address";
 *      a "$runtime": true object (a runtime object the export did not
 *      enter) is a node without references, flagged CT_NODE_NATIVE so that
 *      ct_export_is_runtime() knows it again;
 *   3. references are resolved (paths may pass through other references;
 *      a circle of them is an error; forward "$id" references are fine);
 *   4. nodes and edges go to the builder: member keys become labels by
 *      ct_export_label(), array elements "[i]".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/export.h"
#include "../lib/json.h"
#include "../lib/present.h"
#include "loader.h"

#define VALUE_MAX 100  /* bytes of a value kept, as the Python loader does */

enum role {
	R_PLAIN = 0,   /* an ordinary value: object, array or scalar */
	R_META,        /* the value of a "$type", "$id", ... member */
	R_VALUES,      /* the "$values" array of a wrapped array */
	R_WRAPPED,     /* an object with "$values": the array node */
	R_CUT,         /* {"$cut": true, ...} */
	R_REF,         /* {"$ref": ...}, not resolved yet */
	R_REF_BUSY,    /* being resolved */
	R_REF_DONE,    /* resolved: node is the target */
};

struct item {
	uint64_t pos;          /* byte offset of the value */
	uint32_t parent, first, next, index;
	uint32_t key;          /* member name (string id in rd.strings), objects' children */
	uint32_t str;          /* string or number text (id in rd.strings) */
	uint32_t node;         /* graph node, or CT_NONE */
	uint8_t type;          /* enum ct_json_type */
	uint8_t role;
};

struct nrec {
	uint32_t item;
	uint32_t type, value;  /* builder string ids */
	uint64_t addr;
	bool has_addr, leaf;
	bool runtime;          /* "$runtime": true (flagged CT_NODE_NATIVE) */
};

struct rd {
	const char *text;
	size_t len;
	struct item *items;
	uint32_t n_items, items_cap;
	struct ct_strings strings;   /* keys (interned), values, $id strings */
	struct nrec *nodes;
	uint32_t n_nodes, nodes_cap;
	struct ct_addrmap addrs;     /* "$address" -> node */
	uint32_t *id_node;           /* $id string id -> node */
	uint32_t id_cap;
	uint32_t *slots;             /* (parent, key or index) -> item, for paths */
	uint32_t mask;
	struct ct_builder *b;
	struct ct_error *err;
	uint64_t line_off, line_no;  /* a cursor for offset -> line */
	struct ct_buf buf;
	uint64_t n_at_ids;           /* "$address" values spelled "@123" */
	uint64_t n_addresses;        /* the others */
	uint64_t max_token;          /* ct_input_max_token() */
};

/* ---- positions and messages ---- */

static void line_col(const struct rd *r, uint64_t off, uint64_t *line, uint64_t *col)
{
	uint64_t ln = 1, start = 0;

	if (off > r->len)
		off = r->len;
	for (const char *p = r->text, *end = r->text + off;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
		ln++;
		start = (uint64_t)(p - r->text) + 1;
	}
	*line = ln;
	*col = off - start + 1;
}

static int fail_at(struct rd *r, uint32_t it, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct rd *r, uint32_t it, const char *fmt, ...)
{
	va_list ap;
	uint64_t line, col;
	char msg[sizeof(r->err->msg)];

	line_col(r, r->items[it].pos, &line, &col);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ct_error_at(r->err, CT_EINPUT, line, col, "%s", msg);
}

/* The line of offset off, for offsets that never go backwards. */
static uint64_t line_of(struct rd *r, uint64_t off)
{
	if (r->line_no == 0 || off < r->line_off) {
		uint64_t col;
		line_col(r, off, &r->line_no, &col);
		r->line_off = off - (col - 1);
	}
	for (const char *p = r->text + r->line_off, *end = r->text + off;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		r->line_no++;
	r->line_off = off;
	return r->line_no;
}

/* ---- strings ---- */

/* Store s (NULs become U+FFFD, as in the Python loader). */
static uint32_t store(struct ct_strings *s, const char *p, size_t n, bool intern)
{
	if (!memchr(p, '\0', n))
		return intern ? ct_strings_intern(s, p, n) : ct_strings_append(s, p, n);
	struct ct_buf b;
	uint32_t id = CT_NONE;
	int rc = 0;
	ct_buf_init(&b);
	for (size_t i = 0; !rc && i < n; i++)
		rc = p[i] ? ct_buf_add(&b, p + i, 1) : ct_buf_add(&b, "\xef\xbf\xbd", 3);
	if (!rc)
		id = intern ? ct_strings_intern(s, b.p, b.len) : ct_strings_append(s, b.p, b.len);
	ct_buf_finish(&b);
	return id;
}

static const char *str(const struct rd *r, uint32_t id)
{
	return ct_strings_get(&r->strings, id);
}

static size_t str_len(const struct rd *r, uint32_t id)
{
	return ct_strings_len(&r->strings, id);
}

/* Cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* ---- pass 0: the item tree ---- */

static int new_item(struct rd *r, uint32_t parent, uint32_t key, uint64_t pos, uint8_t type,
		    uint32_t *out)
{
	if (r->n_items == r->items_cap) {
		uint32_t cap = r->items_cap ? r->items_cap * 2 : 4096;
		if (r->items_cap >= CT_NONE / 2)
			return ct_error_set(r->err, CT_EINPUT, "too many values in the document");
		struct item *p = realloc(r->items, (size_t)cap * sizeof(*p));
		if (!p)
			return ct_error_nomem(r->err);
		r->items = p;
		r->items_cap = cap;
	}
	uint32_t i = r->n_items++;
	r->items[i] = (struct item){.pos = pos, .parent = parent, .first = CT_NONE,
				    .next = CT_NONE, .key = key, .node = CT_NONE, .type = type};
	*out = i;
	return 0;
}

struct open {
	uint32_t item, last, count;
};

static int parse(struct rd *r)
{
	struct ct_json j;
	struct open *st = NULL;
	size_t n_st = 0, cap = 0;
	uint32_t key = 0;
	bool need_value = true;
	const char *s;
	size_t n;
	int rc = 0;

	ct_json_init(&j);
	j.max_token = r->max_token;
	ct_json_reset(&j, r->text, r->len, 1);
	for (;;) {
		if (need_value) {
			enum ct_json_type t = ct_json_peek(&j);
			uint32_t parent = n_st ? st[n_st - 1].item : CT_NONE, it = 0;
			if (t == CT_JSON_END || t == CT_JSON_INVALID) {
				rc = ct_json_fail(&j, r->err, t == CT_JSON_END ? "unexpected end of input" :
						   "expected a JSON value");
				goto out;
			}
			if ((rc = new_item(r, parent, key, (uint64_t)(j.p - j.start), (uint8_t)t, &it)))
				goto out;
			if (n_st) {
				struct open *o = &st[n_st - 1];
				if (o->last == CT_NONE)
					r->items[o->item].first = it;
				else
					r->items[o->last].next = it;
				o->last = it;
				r->items[it].index = o->count++;
			}
			if (t == CT_JSON_OBJECT || t == CT_JSON_ARRAY) {
				char close = t == CT_JSON_OBJECT ? '}' : ']';
				bool more;
				if ((rc = ct_json_begin(&j, (char)t, close, &more, r->err)))
					goto out;
				if (more) {
					if (n_st == cap) {
						cap = cap ? cap * 2 : 64;
						struct open *p = realloc(st, cap * sizeof(*p));
						if (!p) {
							rc = ct_error_nomem(r->err);
							goto out;
						}
						st = p;
					}
					st[n_st++] = (struct open){.item = it, .last = CT_NONE};
					if (t == CT_JSON_OBJECT)
						goto member;
					continue;
				}
			} else if (t == CT_JSON_STRING || t == CT_JSON_NUMBER) {
				int e = t == CT_JSON_STRING ? ct_json_string(&j, &s, &n, r->err) :
					ct_json_number(&j, &s, &n, r->err);
				if (e) {
					rc = e;
					goto out;
				}
				if ((r->items[it].str = store(&r->strings, s, n, false)) == CT_NONE) {
					rc = ct_error_nomem(r->err);
					goto out;
				}
			} else {
				bool v;
				int e = t == CT_JSON_NULL ? ct_json_skip(&j, r->err) :
					ct_json_bool(&j, &v, "value", r->err);
				if (e) {
					rc = e;
					goto out;
				}
			}
		}
		/* After a value. */
		if (n_st == 0)
			break;
		uint8_t ptype = r->items[st[n_st - 1].item].type;
		bool more;
		if ((rc = ct_json_next(&j, ptype == CT_JSON_OBJECT ? '}' : ']', &more, r->err)))
			goto out;
		if (!more) {
			n_st--;
			need_value = false;
			continue;
		}
		need_value = true;
		key = 0;
		if (ptype != CT_JSON_OBJECT)
			continue;
member:
		if (ct_json_peek(&j) != CT_JSON_STRING) {
			rc = ct_json_fail(&j, r->err, "expected a member name");
			goto out;
		}
		if ((rc = ct_json_string(&j, &s, &n, r->err)) || (rc = ct_json_expect(&j, ':', r->err)))
			goto out;
		if ((key = store(&r->strings, s, n, true)) == CT_NONE) {
			rc = ct_error_nomem(r->err);
			goto out;
		}
		need_value = true;
	}
	rc = ct_json_done(&j, r->err);
out:
	free(st);
	ct_json_finish(&j);
	return rc;
}

/* ---- pass 1: nodes ---- */

static bool key_is(const struct rd *r, uint32_t k, const char *name)
{
	return str_len(r, k) == strlen(name) && memcmp(str(r, k), name, str_len(r, k)) == 0;
}

/* The text of a scalar item as a node value ("True", "None", ...). */
static const char *scalar_text(const struct rd *r, const struct item *it, size_t *n)
{
	const char *s;

	switch (it->type) {
	case CT_JSON_STRING:
	case CT_JSON_NUMBER:
		s = str(r, it->str);
		*n = utf8_cut(s, str_len(r, it->str), VALUE_MAX);
		return s;
	case CT_JSON_TRUE: *n = 4; return "True";
	case CT_JSON_FALSE: *n = 5; return "False";
	default: *n = 4; return "None";
	}
}

/* An "$address": an integer, or a string spelled as cycletool prints ids
 * ("0x7f3a…", "@123" for V8 node ids) or in decimal.  Counts the "@"
 * spellings, so that a graph exported from a V8 snapshot reads back
 * with its ids spelled as they were. */
static int parse_address(struct rd *r, uint32_t it, uint64_t *addr)
{
	const struct item *a = &r->items[it];
	const char *s = a->type == CT_JSON_STRING || a->type == CT_JSON_NUMBER ? str(r, a->str) : "";

	if (!ct_present_parse_id(s, addr))
		return fail_at(r, it, "\"$address\" must be an integer or an id string "
			       "(\"0x7f3a...\", \"@123\")");
	if (s[0] == '@')
		r->n_at_ids++;
	else
		r->n_addresses++;
	return 0;
}

static int new_node(struct rd *r, uint32_t it, uint32_t *out)
{
	*out = CT_NONE;  /* set on failure too: gcc -O3 cannot see the status is nonzero */
	if (r->n_nodes == r->nodes_cap) {
		uint32_t cap = r->nodes_cap ? r->nodes_cap * 2 : 1024;
		struct nrec *p = realloc(r->nodes, (size_t)cap * sizeof(*p));
		if (!p)
			return ct_error_nomem(r->err);
		r->nodes = p;
		r->nodes_cap = cap;
	}
	*out = r->n_nodes++;
	r->nodes[*out] = (struct nrec){.item = it};
	r->items[it].node = *out;
	return 0;
}

static uint32_t intern_b(struct rd *r, const char *s, size_t n)
{
	return ct_builder_intern(r->b, s, n);
}

static int set_address(struct rd *r, uint32_t node, uint32_t at, uint64_t addr)
{
	uint32_t old;

	if (ct_addrmap_put(&r->addrs, addr, node, &old))
		return ct_error_nomem(r->err);
	if (old != CT_NONE) {
		uint64_t line, col;
		line_col(r, r->items[r->nodes[old].item].pos, &line, &col);
		return fail_at(r, at, "duplicate \"$address\" 0x%" PRIx64 " (first at line %" PRIu64
			       ", column %" PRIu64 ")", addr, line, col);
	}
	r->nodes[node].addr = addr;
	r->nodes[node].has_addr = true;
	return 0;
}

/* Read the members of object o: set its role and those of its "$..."
 * members, and fill in node n's type, value, address and id. */
static int object_members(struct rd *r, uint32_t o)
{
	uint32_t type = CT_NONE, addr = CT_NONE, id = CT_NONE, value = CT_NONE, ref = CT_NONE;
	uint32_t cut = CT_NONE, values = CT_NONE, runtime = CT_NONE, others = 0;

	for (uint32_t c = r->items[o].first; c != CT_NONE; c = r->items[c].next) {
		struct item *it = &r->items[c];
		uint32_t *slot = key_is(r, it->key, "$ref") ? &ref : key_is(r, it->key, "$cut") ? &cut :
				 key_is(r, it->key, "$values") ? &values :
				 key_is(r, it->key, "$id") ? &id : key_is(r, it->key, "$type") ? &type :
				 key_is(r, it->key, "$address") ? &addr :
				 key_is(r, it->key, "$value") ? &value :
				 key_is(r, it->key, "$runtime") ? &runtime : NULL;
		if (!slot) {
			others++;
			continue;
		}
		if (*slot != CT_NONE)
			return fail_at(r, c, "member \"%s\" given twice", str(r, it->key));
		*slot = c;
		it->role = c == values ? R_VALUES : R_META;
	}
	struct item *oi = &r->items[o];
	if (ref != CT_NONE) {
		if (r->items[ref].type != CT_JSON_STRING)
			return fail_at(r, ref, "\"$ref\" must be a string");
		if (others || cut != CT_NONE || values != CT_NONE || id != CT_NONE || type != CT_NONE ||
		    addr != CT_NONE || value != CT_NONE || runtime != CT_NONE)
			return fail_at(r, o, "a \"$ref\" object must have no other members");
		if (o == 0)
			return fail_at(r, o, "the document itself is a reference");
		oi->role = R_REF;
		oi->str = ref;     /* the item holding the reference */
		return 0;
	}
	if (runtime != CT_NONE) {
		/* A runtime object the walk stopped at: a node without references. */
		if (r->items[runtime].type != CT_JSON_TRUE)
			return fail_at(r, runtime, "\"$runtime\" must be true");
		if (others || cut != CT_NONE || values != CT_NONE)
			return fail_at(r, o, "a \"$runtime\" object has no members but \"$id\", "
				       "\"$type\", \"$address\" and \"$value\"");
	}
	if (cut != CT_NONE) {
		if (r->items[cut].type != CT_JSON_TRUE)
			return fail_at(r, cut, "\"$cut\" must be true");
		if (others || values != CT_NONE || id != CT_NONE || value != CT_NONE)
			return fail_at(r, o, "a \"$cut\" marker has only \"$type\" and \"$address\"");
		oi->role = R_CUT;
	} else if (values != CT_NONE) {
		if (r->items[values].type != CT_JSON_ARRAY)
			return fail_at(r, values, "\"$values\" must be an array");
		if (others)
			return fail_at(r, o, "an object with \"$values\" has other members");
		oi->role = R_WRAPPED;
	}
	if (oi->role == R_CUT)
		return 0;   /* a node later, once every address is known */

	uint32_t n;
	int rc = new_node(r, o, &n);
	if (rc)
		return rc;
	struct nrec *nr = &r->nodes[n];
	nr->runtime = runtime != CT_NONE;
	const char *tname = oi->role == R_WRAPPED ? "list" : "object";
	if (type != CT_NONE) {
		if (r->items[type].type != CT_JSON_STRING)
			return fail_at(r, type, "\"$type\" must be a string");
		tname = str(r, r->items[type].str);
	}
	nr->type = intern_b(r, tname, strlen(tname));
	if (value != CT_NONE) {
		size_t len;
		const char *s;
		if (r->items[value].type == CT_JSON_OBJECT || r->items[value].type == CT_JSON_ARRAY)
			return fail_at(r, value, "\"$value\" must be a string, number, boolean or null");
		s = scalar_text(r, &r->items[value], &len);
		nr->value = ct_builder_append(r->b, s, len);
	}
	if (nr->type == CT_NONE || nr->value == CT_NONE)
		return ct_error_nomem(r->err);
	if (addr != CT_NONE) {
		uint64_t a;
		if ((rc = parse_address(r, addr, &a)) || (rc = set_address(r, n, addr, a)))
			return rc;
	}
	if (id != CT_NONE) {
		const struct item *ii = &r->items[id];
		if (ii->type != CT_JSON_STRING && ii->type != CT_JSON_NUMBER)
			return fail_at(r, id, "\"$id\" must be a string");
		/* Interning may move the arena the string lives in: copy it first. */
		r->buf.len = 0;
		if (ct_buf_add(&r->buf, str(r, ii->str), str_len(r, ii->str)))
			return ct_error_nomem(r->err);
		uint32_t sid = ct_strings_intern(&r->strings, r->buf.p, r->buf.len);
		if (sid == CT_NONE)
			return ct_error_nomem(r->err);
		if (sid >= r->id_cap) {
			uint32_t cap = r->id_cap ? r->id_cap : 1024;
			while (cap <= sid)
				cap *= 2;
			uint32_t *p = realloc(r->id_node, (size_t)cap * sizeof(*p));
			if (!p)
				return ct_error_nomem(r->err);
			for (uint32_t i = r->id_cap; i < cap; i++)
				p[i] = CT_NONE;
			r->id_node = p;
			r->id_cap = cap;
		}
		if (r->id_node[sid] != CT_NONE) {
			uint64_t line, col;
			line_col(r, r->items[r->nodes[r->id_node[sid]].item].pos, &line, &col);
			return fail_at(r, id, "duplicate \"$id\" \"%s\" (first at line %" PRIu64
				       ", column %" PRIu64 ")", str(r, ii->str), line, col);
		}
		r->id_node[sid] = n;
	}
	return 0;
}

/* The "$type" and "$address" of cut marker o. */
static int cut_node(struct rd *r, uint32_t o)
{
	uint32_t type = CT_NONE, addr = CT_NONE, n;
	uint64_t a = 0;
	int rc;

	for (uint32_t c = r->items[o].first; c != CT_NONE; c = r->items[c].next) {
		if (key_is(r, r->items[c].key, "$type"))
			type = c;
		else if (key_is(r, r->items[c].key, "$address"))
			addr = c;
	}
	if (addr != CT_NONE) {
		if ((rc = parse_address(r, addr, &a)))
			return rc;
		uint32_t old = ct_addrmap_get(&r->addrs, a);
		if (old != CT_NONE) {
			r->items[o].node = old;
			return 0;
		}
	}
	if ((rc = new_node(r, o, &n)))
		return rc;
	const char *tname = "object";
	if (type != CT_NONE) {
		if (r->items[type].type != CT_JSON_STRING)
			return fail_at(r, type, "\"$type\" must be a string");
		tname = str(r, r->items[type].str);
	}
	if ((r->nodes[n].type = intern_b(r, tname, strlen(tname))) == CT_NONE)
		return ct_error_nomem(r->err);
	return addr != CT_NONE ? set_address(r, n, addr, a) : 0;
}

static int make_nodes(struct rd *r)
{
	int rc;

	for (uint32_t i = 0; i < r->n_items; i++) {
		struct item *it = &r->items[i];
		if (it->role != R_PLAIN)
			continue;   /* meta values, "$values" arrays: set by their object */
		if (it->type == CT_JSON_OBJECT) {
			if ((rc = object_members(r, i)))
				return rc;
			continue;
		}
		uint32_t n;
		if ((rc = new_node(r, i, &n)))
			return rc;
		struct nrec *nr = &r->nodes[n];
		const char *t = it->type == CT_JSON_ARRAY ? "list" : it->type == CT_JSON_STRING ? "str" :
				it->type == CT_JSON_NUMBER ?
				(strpbrk(str(r, it->str), ".eE") ? "float" : "int") :
				it->type == CT_JSON_NULL ? "NoneType" : "bool";
		nr->type = intern_b(r, t, strlen(t));
		if (it->type != CT_JSON_ARRAY) {
			size_t len;
			const char *s = scalar_text(r, it, &len);
			nr->value = it->type == CT_JSON_STRING || it->type == CT_JSON_NUMBER ?
				    ct_builder_append(r->b, s, len) : intern_b(r, s, len);
			nr->leaf = true;
		}
		if (nr->type == CT_NONE || nr->value == CT_NONE)
			return ct_error_nomem(r->err);
	}
	for (uint32_t i = 0; i < r->n_items; i++)
		if (r->items[i].role == R_CUT && (rc = cut_node(r, i)))
			return rc;
	/* Nodes without "$address" get addresses above every given one. */
	uint64_t next = 1;
	for (uint32_t n = 0; n < r->n_nodes; n++)
		if (r->nodes[n].has_addr && r->nodes[n].addr >= next)
			next = r->nodes[n].addr + 1;
	for (uint32_t n = 0; n < r->n_nodes; n++) {
		if (r->nodes[n].has_addr)
			continue;
		if (next == 0)
			return ct_error_set(r->err, CT_EINPUT,
					    "\"$address\" values leave no room for objects without one");
		r->nodes[n].addr = next++;
	}
	return 0;
}

/* ---- pass 2: references ---- */

/* Keyed (strings.h): the keys are the input's. */
static uint64_t child_hash(uint32_t parent, const char *key, size_t n, uint32_t index)
{
	return ct_hash_keyed_u64((uint64_t)parent * 0x9e3779b97f4a7c15ULL ^
				 (key ? ct_hash_keyed_bytes(key, n) : index + 1ULL));
}

/* Index every member and element by (parent, key or index). */
static int index_children(struct rd *r)
{
	uint64_t want = 2 * (uint64_t)r->n_items;
	uint32_t size = 16;

	while (size < want && size < (1u << 31))
		size *= 2;
	r->slots = malloc((size_t)size * sizeof(*r->slots));
	if (!r->slots)
		return ct_error_nomem(r->err);
	r->mask = size - 1;
	memset(r->slots, 0xff, (size_t)size * sizeof(*r->slots));
	for (uint32_t i = 1; i < r->n_items; i++) {
		const struct item *it = &r->items[i];
		bool obj = r->items[it->parent].type == CT_JSON_OBJECT;
		uint32_t h = (uint32_t)(obj ? child_hash(it->parent, str(r, it->key), str_len(r, it->key), 0) :
					child_hash(it->parent, NULL, 0, it->index)) & r->mask;
		bool dup = false;
		for (; r->slots[h] != CT_NONE; h = (h + 1) & r->mask) {
			const struct item *o = &r->items[r->slots[h]];
			if (o->parent == it->parent && (obj ? o->key == it->key : o->index == it->index))
				dup = true;   /* a repeated key: the first one is named */
		}
		if (!dup)
			r->slots[h] = i;
	}
	return 0;
}

static uint32_t find_child(const struct rd *r, uint32_t parent, const char *key, size_t n,
			   uint32_t index)
{
	bool obj = r->items[parent].type == CT_JSON_OBJECT;
	uint32_t h = (uint32_t)(obj ? child_hash(parent, key, n, 0) :
				child_hash(parent, NULL, 0, index)) & r->mask;

	for (; r->slots[h] != CT_NONE; h = (h + 1) & r->mask) {
		const struct item *o = &r->items[r->slots[h]];
		if (o->parent != parent)
			continue;
		if (obj ? str_len(r, o->key) == n && memcmp(str(r, o->key), key, n) == 0 :
		    o->index == index)
			return r->slots[h];
	}
	return CT_NONE;
}

enum walk { W_DONE, W_NEED, W_ERROR };

/* Decode one step of a path at *p into r->buf (a key) or *index;
 * *is_index says which.  Returns 1 on a step, 0 at the end, -1 if
 * malformed. */
static int next_step(struct rd *r, bool pointer, const char **p, const char *end, bool *is_index,
		     uint32_t *index)
{
	const char *s = *p;

	r->buf.len = 0;
	if (s == end)
		return 0;
	if (pointer) {
		if (*s != '/')
			return -1;
		s++;
		const char *e = s;
		while (e < end && *e != '/')
			e++;
		for (const char *q = s; q < e; q++) {
			char c = *q;
			if (c == '~') {
				if (q + 1 == e || (q[1] != '0' && q[1] != '1'))
					return -1;
				c = q[1] == '0' ? '~' : '/';
				q++;
			}
			if (ct_buf_add(&r->buf, &c, 1))
				return -2;
		}
		*p = e;
	} else {
		if (*s != '[' || s + 1 == end)
			return -1;
		s++;
		if (*s == '"') {
			/* A JSON string up to the next unescaped quote, then ']'. */
			const char *e = s + 1;
			while (e < end && *e != '"')
				e += *e == '\\' ? 2 : 1;
			if (e >= end || e + 1 >= end || e[1] != ']')
				return -1;
			struct ct_json j;
			const char *k;
			size_t kn;
			struct ct_error ignore = {0};
			ct_json_init(&j);
			j.max_token = r->max_token;
			ct_json_reset(&j, s, (size_t)(e + 1 - s), 1);
			int rc = ct_json_string(&j, &k, &kn, &ignore);
			if (!rc && ct_buf_add(&r->buf, k, kn))
				rc = -2;
			ct_json_finish(&j);
			if (rc)
				return rc == -2 ? -2 : -1;
			*p = e + 2;
		} else {
			const char *e = s;
			while (e < end && *e >= '0' && *e <= '9')
				e++;
			if (e == s || e == end || *e != ']')
				return -1;
			if (ct_buf_add(&r->buf, s, (size_t)(e - s)))
				return -2;
			*p = e + 1;
		}
	}
	/* An array index is a canonical decimal. */
	const char *k = r->buf.p ? r->buf.p : "";
	size_t n = r->buf.len;
	*is_index = n > 0 && n <= 10 && (k[0] != '0' || n == 1) && strspn(k, "0123456789") == n;
	if (*is_index) {
		uint64_t v = strtoull(k, NULL, 10);
		*is_index = v < CT_NONE;
		*index = (uint32_t)v;
	}
	return 1;
}

/* Percent-decode a URI fragment into out. */
static bool pct_decode(struct ct_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return false;
			hi = s[i + 1] >= '0' && s[i + 1] <= '9' ? s[i + 1] - '0' :
			     (s[i + 1] | 32) >= 'a' && (s[i + 1] | 32) <= 'f' ? (s[i + 1] | 32) - 'a' + 10 : -1;
			lo = s[i + 2] >= '0' && s[i + 2] <= '9' ? s[i + 2] - '0' :
			     (s[i + 2] | 32) >= 'a' && (s[i + 2] | 32) <= 'f' ? (s[i + 2] | 32) - 'a' + 10 : -1;
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (ct_buf_add(out, &c, 1))
			return false;
	}
	return true;
}

/* The item a node stands for, seen as a place in the document. */
static uint32_t node_item(const struct rd *r, uint32_t node)
{
	return r->nodes[node].item;
}

/* Try to resolve reference item ref.  On W_NEED, *need is a reference
 * that must be resolved first. */
static enum walk walk(struct rd *r, uint32_t ref, uint32_t *need, struct ct_buf *frag)
{
	const struct item *ri = &r->items[r->items[ref].str];
	const char *s = str(r, ri->str);
	size_t n = str_len(r, ri->str);
	uint32_t node = CT_NONE;

	if (n == 0 || (s[0] != '$' && s[0] != '#')) {
		/* An "$id". */
		r->buf.len = 0;
		uint32_t sid = ct_buf_add(&r->buf, s, n) ? CT_NONE :
			       ct_strings_intern(&r->strings, r->buf.p ? r->buf.p : "", n);
		s = str(r, ri->str);   /* the arena may have moved */
		if (sid == CT_NONE) {
			ct_error_nomem(r->err);
			return W_ERROR;
		}
		node = sid < r->id_cap ? r->id_node[sid] : CT_NONE;
		if (node == CT_NONE) {
			fail_at(r, ref, "\"$ref\" \"%s\" names no \"$id\"", s);
			return W_ERROR;
		}
		r->items[ref].node = node;
		return W_DONE;
	}
	bool pointer = s[0] == '#';
	const char *p = s + 1, *end = s + n;
	if (pointer) {
		frag->len = 0;
		if (!pct_decode(frag, p, (size_t)(end - p))) {
			fail_at(r, ref, "\"$ref\" \"%s\" has a bad %%-escape", s);
			return W_ERROR;
		}
		p = frag->p ? frag->p : "";
		end = p + frag->len;
	}
	uint32_t cur = 0;
	for (;;) {
		/* Stand on a real value: follow references and "$values". */
		uint8_t role = r->items[cur].role;
		if (role == R_REF || role == R_REF_BUSY) {
			*need = cur;
			return W_NEED;
		}
		if (role == R_REF_DONE)
			cur = node_item(r, r->items[cur].node);
		bool is_index = false;
		uint32_t index = 0;
		int step = next_step(r, pointer, &p, end, &is_index, &index);
		if (step == -2) {
			ct_error_nomem(r->err);
			return W_ERROR;
		}
		if (step < 0) {
			fail_at(r, ref, "malformed \"$ref\" \"%s\"", s);
			return W_ERROR;
		}
		if (step == 0)
			break;
		const struct item *ci = &r->items[cur];
		if (ci->role == R_CUT) {
			fail_at(r, ref, "\"$ref\" \"%s\" passes through a cut object", s);
			return W_ERROR;
		}
		uint32_t next = CT_NONE;
		if (ci->type == CT_JSON_OBJECT)
			next = find_child(r, cur, r->buf.p ? r->buf.p : "", r->buf.len, 0);
		else if (ci->type == CT_JSON_ARRAY && is_index)
			next = find_child(r, cur, NULL, 0, index);
		if (next == CT_NONE || r->items[next].role == R_META) {
			fail_at(r, ref, "\"$ref\" \"%s\" does not resolve: nothing at step '%s'", s,
				r->buf.p ? r->buf.p : "");
			return W_ERROR;
		}
		cur = next;
	}
	if (r->items[cur].role == R_VALUES)
		cur = r->items[cur].parent;
	node = r->items[cur].node;
	if (node == CT_NONE) {
		fail_at(r, ref, "\"$ref\" \"%s\" does not name an object", s);
		return W_ERROR;
	}
	r->items[ref].node = node;
	return W_DONE;
}

static int resolve_refs(struct rd *r)
{
	uint32_t *stack = NULL;
	size_t n = 0, cap = 0;
	struct ct_buf frag;
	int rc = 0;
	bool paths = false;

	for (uint32_t i = 0; i < r->n_items && !paths; i++)
		if (r->items[i].role == R_REF) {
			const char *s = str(r, r->items[r->items[i].str].str);
			paths = s[0] == '$' || s[0] == '#';
		}
	if (paths && (rc = index_children(r)))
		return rc;
	ct_buf_init(&frag);
	for (uint32_t i = 0; i < r->n_items && !rc; i++) {
		if (r->items[i].role != R_REF)
			continue;
		r->items[i].role = R_REF_BUSY;
		n = 0;
		uint32_t top = i;
		for (;;) {
			uint32_t need;
			enum walk w = walk(r, top, &need, &frag);
			if (w == W_ERROR) {
				rc = r->err ? r->err->code : CT_EINPUT;
				break;
			}
			if (w == W_DONE) {
				r->items[top].role = R_REF_DONE;
				if (n == 0)
					break;
				top = stack[--n];
				continue;
			}
			if (r->items[need].role == R_REF_BUSY) {
				rc = fail_at(r, top, "\"$ref\" \"%s\" leads through a circle of references",
					     str(r, r->items[r->items[top].str].str));
				break;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				uint32_t *q = realloc(stack, cap * sizeof(*q));
				if (!q) {
					rc = ct_error_nomem(r->err);
					break;
				}
				stack = q;
			}
			stack[n++] = top;
			top = need;
			r->items[top].role = R_REF_BUSY;
		}
	}
	ct_buf_finish(&frag);
	free(stack);
	return rc;
}

/* ---- pass 3: the graph ---- */

static uint64_t target(const struct rd *r, uint32_t c)
{
	return r->nodes[r->items[c].node].addr;
}

static int emit(struct rd *r)
{
	struct ct_builder *b = r->b;
	uint32_t dict_type = intern_b(r, "dict", 4);
	int rc;
	char lab[24];

	if (dict_type == CT_NONE)
		return ct_error_nomem(r->err);
	for (uint32_t n = 0; n < r->n_nodes; n++) {
		const struct nrec *nr = &r->nodes[n];
		const struct item *it = &r->items[nr->item];
		/* The document's top value is what holds the rest: the root. */
		uint8_t flags = (nr->leaf ? CT_NODE_LEAF : 0) | (n == 0 ? CT_NODE_ROOT : 0) |
				(nr->runtime ? CT_NODE_NATIVE : 0);
		if ((rc = ct_builder_node(b, nr->addr, nr->type, 0, flags, nr->value, false, 0,
					  line_of(r, it->pos), r->err)))
			return rc;
		if (it->role == R_CUT || (it->type != CT_JSON_OBJECT && it->type != CT_JSON_ARRAY))
			continue;
		uint32_t c = it->first;
		bool array = it->type == CT_JSON_ARRAY;
		if (it->role == R_WRAPPED) {
			for (; r->items[c].role != R_VALUES; c = r->items[c].next)
				;
			c = r->items[c].first;
			array = true;
		}
		bool dict = nr->type == dict_type;
		for (; c != CT_NONE; c = r->items[c].next) {
			const struct item *ci = &r->items[c];
			uint32_t label;
			if (ci->role == R_META)
				continue;
			if (array) {
				int w = snprintf(lab, sizeof(lab), "[%" PRIu32 "]", ci->index);
				label = intern_b(r, lab, (size_t)w);
			} else {
				r->buf.len = 0;
				if (ct_export_label(&r->buf, str(r, ci->key), str_len(r, ci->key), dict))
					return ct_error_nomem(r->err);
				label = intern_b(r, r->buf.p ? r->buf.p : "", r->buf.len);
			}
			if (label == CT_NONE)
				return ct_error_nomem(r->err);
			if ((rc = ct_builder_edge(b, target(r, c), label, CT_EDGE_STRONG, r->err)))
				return rc;
		}
	}
	b->g.roots_given = true;
	b->g.numeric_ids = r->n_at_ids && !r->n_addresses;
	return 0;
}

/* The strings of the text read so far, followed as it grows: stops the
 * read once one is longer than the token limit, with no more than the
 * limit of it in memory. */
struct long_strings {
	size_t at;          /* bytes looked at */
	size_t start;       /* offset of the open string's quote */
	bool in, esc;
};

static bool long_string(struct long_strings *ls, const char *text, size_t len, uint64_t max)
{
	for (; ls->at < len; ls->at++) {
		char c = text[ls->at];
		if (!ls->in) {
			const char *q = memchr(text + ls->at, '"', len - ls->at);
			if (!q) {
				ls->at = len;
				break;
			}
			ls->at = (size_t)(q - text);
			ls->in = true;
			ls->start = ls->at;
		} else if (ls->esc) {
			ls->esc = false;
		} else if (c == '\\') {
			ls->esc = true;
		} else if (c == '"') {
			ls->in = false;
		}
	}
	return ls->in && len - ls->start - 1 > max;
}

static int load_refjson(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	struct long_strings ls = {0};
	struct rd r;
	char *text = NULL;
	size_t len = 0, cap = in->total && in->total < SIZE_MAX / 2 ? (size_t)in->total + 1 : 1 << 20;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	ct_strings_init(&r.strings);
	ct_addrmap_init(&r.addrs);
	ct_buf_init(&r.buf);
	r.b = b;
	r.err = err;
	r.max_token = ct_input_max_token(in);
	for (;;) {
		if (!text || len == cap) {
			size_t c = text ? cap * 2 : cap;
			char *p = realloc(text, c);
			if (!p) {
				rc = ct_error_nomem(err);
				goto out;
			}
			text = p;
			cap = c;
		}
		long got = ct_input_read(in, text + len, cap - len, err);
		if (got < 0) {
			rc = err ? err->code : CT_EINPUT;
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (long_string(&ls, text, len, r.max_token)) {
			r.text = text;
			r.len = len;
			uint64_t line, col;
			line_col(&r, ls.start, &line, &col);
			rc = ct_error_at(err, CT_EINPUT, line, col,
					 "string longer than the limit of %" PRIu64
					 " bytes (--max-token raises it)", r.max_token);
			goto out;
		}
	}
	r.text = text ? text : "";
	r.len = len;
	if (len >= 3 && memcmp(r.text, "\xef\xbb\xbf", 3) == 0) {
		r.text += 3;   /* a byte-order mark */
		r.len -= 3;
	}
	if ((rc = parse(&r)) || (rc = make_nodes(&r)) || (rc = resolve_refs(&r)))
		goto out;
	if (ct_builder_reserve(b, r.n_nodes, r.n_items)) {
		rc = ct_error_nomem(err);
		goto out;
	}
	rc = emit(&r);
out:
	free(text);
	free(r.items);
	free(r.nodes);
	free(r.id_node);
	free(r.slots);
	ct_strings_finish(&r.strings);
	ct_addrmap_finish(&r.addrs);
	ct_buf_finish(&r.buf);
	return rc;
}

static bool has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static int probe_refjson(const char *head, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == len || (head[i] != '{' && head[i] != '['))
		return 0;
	if (has(head + i, len - i, "\"$type\"") || has(head + i, len - i, "\"$ref\"") ||
	    has(head + i, len - i, "\"$id\""))
		return 90;
	/* A bare list at the top (of scalars only, else "$type" would show). */
	return head[i] == '[' ? 10 : 0;
}

const struct ct_loader ct_loader_refjson = {
	.name = "refjson",
	.description = "$ref JSON as `cycletool export` writes it (any reference style)",
	.probe = probe_refjson,
	.load = load_refjson,
};
