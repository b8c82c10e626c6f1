/* Object identity across dumps of one process, for cycletool diff.
 *
 * For each node of one dump's graph ct_diff_keys() computes a key and a
 * fingerprint.  An object of one dump is the object of another when
 * their type names are equal (the caller compares those), their keys are
 * equal and their fingerprints are equal.  Keys and fingerprints are
 * hashes of texts (never of string ids), so they agree between graphs
 * loaded one after another in one run of the program.  A fingerprint of
 * 0 means "none" (any computed one is non-zero).
 *
 * How keys are made depends on what the format's ids promise:
 *
 *   exact       V8 node ids are stable and never reused within an
 *               isolate: the key is the id, the fingerprint a hash of the
 *               node's name (an id met again under another name is
 *               another object).  A name that changes while the object
 *               lives (a DOM node's "Detached ..." description) makes it
 *               look new.
 *   address     Python and meliae addresses are reused once an object is
 *               freed: the key is the address and the fingerprint catches
 *               a new object of the same type at the old address, where
 *               it can:
 *                 - immutable types (str, bytes, int, float, complex,
 *                   tuple, frozenset, code, range, slice, and Python 2's
 *                   unicode and long as meliae names them): a hash of the
 *                   self size, the number of references, the referents'
 *                   type names in order and the value text;
 *                 - instances (an object with a ".__class__" reference):
 *                   a hash of the set of its attribute labels (".name",
 *                   other than ".__class__" and ".__dict__"), in any
 *                   order.  An attribute added (or deleted) between two
 *                   dumps makes the object look new; an instance whose
 *                   attributes live in a materialised __dict__ has the
 *                   empty set (its dict's keys are not looked at);
 *                 - everything else (list, dict, set, type, function,
 *                   the singletons None, True, False, Ellipsis, ...):
 *                   0, since containers change size and contents while
 *                   they live.
 *               A graph loaded without labels finds no instances.
 *   structural  formats without stable ids ($ref JSON and the others):
 *               the key is a hash of the object's shortest path from a
 *               root (ct_reach: r->parent, r->parent_edge): the root's
 *               type name and value text, then the label texts of the
 *               edges down to the object, index labels ("[3]") as they
 *               are, so a position in a document is an identity as in a
 *               JSON.decycle $ref path.  An unlabelled edge counts by its
 *               position among its source's references.  Of several
 *               shortest paths the one breadth-first search met first
 *               counts (edge order, then node order of the roots).
 *               Objects no root reaches are keyed by type name, value
 *               text, self size and number of references.  Keys repeat
 *               within a dump (same path, same type): the caller pairs
 *               them as a multiset.  The fingerprint is a hash of the
 *               value text and self size.
 */
#ifndef CT_DIFF_KEY_H
#define CT_DIFF_KEY_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "reach.h"

enum ct_diff_identity {
	CT_DIFF_EXACT,       /* V8: node ids, stable and never reused in an isolate */
	CT_DIFF_ADDRESS,     /* Python, meliae: addresses (reused once freed) + fingerprint */
	CT_DIFF_STRUCTURAL,  /* no stable identity ($ref JSON and others): type, value and
			      * path from a root */
};

/* The identity g's format gives: "v8" exact; "python", "meliae" address;
 * anything else (or no format) structural. */
enum ct_diff_identity ct_diff_identity_of(const struct ct_graph *g);

/* Fill key[v] and fp[v] for every node v of g (arrays of g->n_nodes
 * entries, the caller's; nothing else is kept).  r is g's reachability
 * (ct_reach_compute()); only CT_DIFF_STRUCTURAL reads it (root, parent,
 * parent_edge, dist), and the others accept NULL.  Two objects of two
 * dumps are the same object when their type names are equal (the caller
 * compares those), key equal and fp equal.  Keys repeat within a dump
 * only for CT_DIFF_STRUCTURAL (then the caller pairs them as a
 * multiset).  Time and memory are linear in nodes, edges and strings.
 * Returns 0, CT_ENOMEM, or CT_EUSAGE for CT_DIFF_STRUCTURAL without r. */
int ct_diff_keys(const struct ct_graph *g, const struct ct_reach *r, enum ct_diff_identity id,
		 uint64_t *key, uint32_t *fp, struct ct_error *err);

#endif
