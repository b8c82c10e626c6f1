/* $ref JSON: one object's graph as nested JSON with its cycles intact.
 *
 * The writer walks the graph from a root node, depth first with an
 * explicit stack, and writes as it walks: the first time a container is
 * met it is written out in full, every later meeting is a reference
 * object {"$ref": ...}.  Per node it remembers only how it was first
 * reached (parent, edge, key number and container kind: 17 bytes), and
 * rebuilds a reference path from that when one is needed.
 *
 * The document (cycletool(1), "$REF JSON"):
 *   - A node whose exported edges are labelled "[0]" .. "[n-1]" (each once)
 *     is an array; a "list" is written bare, any other array (a tuple, or
 *     any array with --address, with a value, or in the id style) as
 *     {"$type": T, ..., "$values": [...]}.
 *   - Leaf values of type str, int, float, bool and NoneType with no edges
 *     are JSON scalars, written every time they are met (JSON cannot share
 *     them); an int or float whose value is not a JSON number of the
 *     matching form is an object {"$type": "float", "$value": "inf"}.
 *   - Any other node is an object: "$id" (id style), "$type", "$address"
 *     (when asked), "$value" (when it has one), then one member per edge,
 *     whose key is spelled by ct_export_key().
 *   - A runtime object (ct_export_is_runtime()) below the root is not
 *     entered unless opts.follow_runtime: it is written as an object
 *     without members, {"$id" (id style), "$runtime": true, "$type": T,
 *     "$address" (when asked), "$value" (its name, when it has one)}, and
 *     is referenced like any object when met again.  The depth limit does
 *     not apply to it.
 *   - A container deeper than the depth limit is {"$cut": true, "$type": T}
 *     (and "$address" when asked); it is not marked as written, so a later,
 *     shallower meeting writes it in full.
 *   - Weak and shortcut edges are not exported.
 */
#ifndef CT_EXPORT_H
#define CT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "graph.h"

enum ct_ref_style {
	CT_REF_JSONPATH = 0, /* {"$ref": "$[\"children\"][0]"}  (Crockford's JSON.decycle) */
	CT_REF_POINTER,      /* {"$ref": "#/children/0"}  (RFC 6901 in a URI fragment) */
	CT_REF_ID,           /* "$id": "1" first, {"$ref": "1"} later  (Json.NET) */
};

struct ct_export_opts {
	enum ct_ref_style style;
	uint32_t depth;      /* containers nested deeper are cut; UINT32_MAX = no limit */
	bool address;        /* write "$address" on every container */
	bool follow_runtime; /* enter runtime objects too (ct_export_is_runtime()) */
};

/* Is node v one of the runtime's own objects rather than the program's
 * data, by the rules of the format that built g (g->format)?
 *   python, meliae: classes (type, and any object with a ".__mro__",
 *     ".__bases__" or ".__base__" reference: instances of a metaclass such
 *     as ABCMeta), modules, functions, code objects, builtin functions and
 *     methods, method/wrapper/getset/member descriptors, mappingproxy, and
 *     module namespaces (a dict with "__name__", "__spec__" and
 *     "__loader__" entries);
 *   v8: "(compiled code)", "(system)" (V8's hidden objects), "(object
 *     shape)", "(synthetic)" and "(closure)" (functions) nodes, as
 *     formats/v8.c names them;
 *   refjson: the nodes an export wrote with "$runtime": true (the loader
 *     flags them CT_NODE_NATIVE);
 *   any other format: none.
 * The export walk stops at them unless opts.follow_runtime. */
bool ct_export_is_runtime(const struct ct_graph *g, uint32_t v);

/* A growable byte buffer, always NUL-terminated once anything was put. */
struct ct_buf {
	char *p;
	size_t len, cap;
};

void ct_buf_init(struct ct_buf *b);
/* Release the bytes; b may be zeroed or NULL. */
void ct_buf_finish(struct ct_buf *b);
/* Append n bytes.  Returns 0 or CT_ENOMEM. */
int ct_buf_add(struct ct_buf *b, const char *p, size_t n);

/* The JSON key of an edge, appended to out (valid UTF-8: invalid bytes
 * become U+FFFD).  label is the edge label ("" or NULL for none); dup is
 * how many earlier edges of the same node carry the same label; dict is
 * true for a node of type "dict".  The spellings:
 *   ".name"      -> "name"   (not in a dict)
 *   "['key']"    -> "key"    (in a dict; the Python repr unquoted, only
 *                             when quoting it again gives the label back)
 *   any other label L -> "@L", or "@<dup>@L" for a repeat or an L that
 *                             starts with a digit
 *   no label     -> "@<dup>" ("@0", "@1", ...)
 * A plain key never starts with '$' or '@' (those are escaped), so every
 * key decodes back to its label with ct_export_label().  Returns 0 or
 * CT_ENOMEM. */
int ct_export_key(struct ct_buf *out, const char *label, uint32_t dup, bool dict);

/* The inverse of ct_export_key(): the label of a member key (n bytes at
 * key, not starting with '$'), appended to out; nothing is appended for
 * an unlabelled edge.  Returns 0 or CT_ENOMEM. */
int ct_export_label(struct ct_buf *out, const char *key, size_t n, bool dict);

/* An exporter: per-node state for one graph, reused across documents. */
struct ct_export {
	const struct ct_graph *g;   /* borrowed */
	struct ct_export_opts opts;
	uint32_t *seen;             /* per node: visit number (1-based), 0 = not written */
	uint32_t *parent, *edge, *dup;  /* per node: how it was first reached */
	uint8_t *kind;              /* per node: object, bare or wrapped array */
	uint32_t *visited;          /* nodes written in this document, in order */
	uint32_t n_visited, visited_cap;
	void *work;                 /* the walk's stacks and buffers */
};

/* Prepare to export from g (borrowed: must outlive x) into x (caller's
 * memory; release with ct_export_finish()).  opts may be NULL (jsonpath,
 * no depth limit, no addresses).  Returns 0 or CT_ENOMEM. */
int ct_export_init(struct ct_export *x, const struct ct_graph *g,
		   const struct ct_export_opts *opts, struct ct_error *err);
/* Release x; x may be zeroed or NULL. */
void ct_export_finish(struct ct_export *x);

/* Write the document rooted at node root to out (the caller's), followed
 * by a newline.  Returns 0, CT_ENOMEM, CT_EUSAGE (no such node) or CT_EIO
 * (writing failed; the caller still checks the stream at exit). */
int ct_export_write(struct ct_export *x, FILE *out, uint32_t root, struct ct_error *err);

#endif
