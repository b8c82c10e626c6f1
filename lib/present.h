/* Presentation: how every writer names an object.
 *
 * One module decides how an object's id is spelled, how byte counts,
 * types, names and edge labels read, how a chain of references is
 * joined with arrows, and where long text is cut.  The text, JSON,
 * NDJSON, DOT, text-tree and $ref writers all call it, so that an id
 * copied from any output is accepted as it is by `path`, `export --root`
 * and `render --object` (ct_present_parse_id()).
 *
 * Ids (cycletool(1), "OBJECT IDS"): one spelling per format, the same in
 * text and in JSON (where it is a string):
 *   "0x7f3a5c1e40"   an address (Python, meliae, $ref JSON): lowercase
 *                    hex, no padding
 *   "@123"           a V8 node id (what DevTools shows)
 * Accepted back: either spelling, and a plain decimal number.
 *
 * Text for people (ct_present_text()): control characters become '?',
 * bytes that are not valid UTF-8 become U+FFFD, and text past a limit is
 * cut on a character boundary and ends in "…".  JSON strings follow the
 * same UTF-8 rule (jsonw.h) but are never cut.
 */
#ifndef CT_PRESENT_H
#define CT_PRESENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "graph.h"
#include "reach.h"

#define CT_PRESENT_ID_MAX 24     /* bytes of an id, with its NUL */
#define CT_PRESENT_BYTES_MAX 16  /* bytes of a byte count ("1023.9 KiB"), with its NUL */
#define CT_PRESENT_NAME_BYTES 60 /* a name or value is cut after this many bytes */
/* A node's text: type, name, quotes, each cut; with room for U+FFFD. */
#define CT_PRESENT_NODE_MAX (4 * (2 * CT_PRESENT_NAME_BYTES + 8))
/* Chains longer than this many steps are shown as their first
 * CT_PRESENT_CHAIN_HEAD steps, "… N more …", and the last
 * CT_PRESENT_CHAIN_TAIL. */
#define CT_PRESENT_CHAIN_STEPS 16
#define CT_PRESENT_CHAIN_HEAD 10
#define CT_PRESENT_CHAIN_TAIL 4

#define CT_PRESENT_ARROW " \xe2\x86\x92 "  /* " → " */

/* The id of node v into buf. */
void ct_present_id(const struct ct_graph *g, uint32_t v, char buf[CT_PRESENT_ID_MAX]);
/* The id of the object at address (or V8 id) addr into buf. */
void ct_present_addr(const struct ct_graph *g, uint64_t addr, char buf[CT_PRESENT_ID_MAX]);

/* An id as any command prints it ("0x7f3a…", "@123") or as a decimal
 * number, into *id.  No white space, sign or second prefix is allowed;
 * false if s is not one of these forms or does not fit in 64 bits. */
bool ct_present_parse_id(const char *s, uint64_t *id);

/* A byte count for people: "512 B", "1.5 KiB", "3.2 GiB". */
void ct_present_bytes(uint64_t bytes, char buf[CT_PRESENT_BYTES_MAX]);

/* The name a person knows node v by: its short value (a string's text,
 * a function's or module's name), unless that only repeats its type (V8
 * objects are named by their constructor); NULL if none.  Borrowed from
 * the graph. */
const char *ct_present_name(const struct ct_graph *g, uint32_t v);

/* Are values of this type text, shown in quotes ('abc')? */
bool ct_present_quoted(const char *type);

/* The n bytes at s made safe for a terminal (see above) and cut after
 * max bytes of s, into buf (size cap, at least 8); the result is always
 * NUL-terminated.  Returns its length. */
size_t ct_present_text(char *buf, size_t cap, const char *s, size_t n, size_t max);

/* Like ct_present_text() but to a stream, any length: s made safe and
 * cut after max bytes (SIZE_MAX: never).  The caller checks the stream. */
void ct_present_put(FILE *out, const char *s, size_t max);

/* A group's signature in a text table is cut after this many bytes (JSON
 * has it whole). */
#define CT_PRESENT_SIGNATURE_BYTES 240

/* A signature or other text of steps joined by " → ", to a stream, made
 * safe as ct_present_put() does.  When longer than max bytes it is cut
 * in the middle at step boundaries, keeping its first CT_PRESENT_CHAIN_HEAD
 * steps at most and as many last steps as fit ("A .x → B … → Y .z → Z"):
 * a path's end says what it holds. */
void ct_present_put_steps(FILE *out, const char *s, size_t max);

/* How reachability was decided, for JSON: "refcount", "roots" or
 * "estimated"; and the note text adds when it was estimated (no reference
 * counts in the dump), " (estimated: ...)", or "". */
const char *ct_present_reachability(enum ct_reach_mode mode);
const char *ct_present_estimated_note(enum ct_reach_mode mode);

/* Node v as a chain shows it: "TreeNode", "str('abc')", "module(app)",
 * and a V8 synthetic node by its name alone: "(GC roots)".  Into buf (at
 * least CT_PRESENT_NODE_MAX bytes). */
void ct_present_node(const struct ct_graph *g, uint32_t v, char *buf, size_t cap);

/* Edge e's label made safe and cut, into buf (at least
 * CT_PRESENT_NODE_MAX bytes); "" when it has none. */
void ct_present_label(const struct ct_graph *g, uint32_t e, char *buf, size_t cap);

/* A chain of len nodes, nodes[i] joined to nodes[i + 1] by edges[i]:
 * "module(app) .registry → dict ['a'] → Handler".  With close, the chain
 * is a cycle and ends back at the first node's type.  Long chains are
 * cut in the middle (CT_PRESENT_CHAIN_STEPS).  Written to out; the caller
 * checks the stream. */
void ct_present_chain(FILE *out, const struct ct_graph *g, const uint32_t *nodes,
		      const uint32_t *edges, uint32_t len, bool close);
/* The same for a chain already cut by its maker: omitted more nodes were
 * left out after nodes[CT_PRESENT_CHAIN_HEAD - 1] (nodes then holds at
 * least CT_PRESENT_CHAIN_HEAD + CT_PRESENT_CHAIN_TAIL), and are counted
 * in the "… N more" the cut shows. */
void ct_present_chain_cut(FILE *out, const struct ct_graph *g, const uint32_t *nodes,
			  const uint32_t *edges, uint32_t len, uint32_t omitted, bool close);

#endif
