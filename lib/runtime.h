/* The runtime's own structure, told apart from the application's.
 *
 * Every Python instance refers to its class, every class to its MRO, every
 * function to its module's globals; every V8 object to its map and
 * prototype.  Through those references nearly every live object of a
 * real heap is in one giant strongly connected component with the
 * runtime, and the application's own cycles vanish inside it.  The
 * application's graph is the dump's graph without those references:
 * `scan` finds its cycles there, one component per cycle the program
 * made.  The rules, per format (cycletool(1), APPLICATION CYCLES):
 *
 * python   a reference is the runtime's when its source is alive and it
 *          is an instance's ".__class__"; a function's ".__globals__",
 *          ".__builtins__", ".__code__" or ".__module__"; a class's
 *          ".__mro__", ".__bases__" or ".__base__" or unlabelled reference
 *          to a module; a module's ".__dict__" or unlabelled reference
 *          (its state); a builtin function's ".__self__" to a module.
 * v8       a reference is the runtime's when its source is alive and its
 *          target is a V8 internal object ("(system)", "(compiled code)",
 *          "(object shape)": maps, shared function infos, native
 *          contexts, code), or it is a ".__proto__", ".constructor" or
 *          ".prototype" property, a context's ".previous" (the enclosing
 *          scope, as a Python function's globals), or an internal
 *          ".properties" or ".elements" (an object's backing stores, whose
 *          entries are the object's own references too), or any
 *          reference of node's module records ("Module", "BuiltinModule":
 *          their exports, parent, children, as a Python module's dict).
 * others   none: the application's graph is the whole graph.
 *
 * Garbage is never split: a garbage object's references all count, so
 * garbage components are exactly those of the whole graph (what the
 * cycle collector frees together).
 *
 * An alive cyclic component of the application's graph is the runtime's
 * when it holds nothing the program made: every member is a runtime
 * object (python: a class, module, function, code object, cell,
 * descriptor, builtin function, method, property, classmethod,
 * staticmethod, mappingproxy, weak reference, frame, lru_cache wrapper or
 * typing construct (_GenericAlias, TypeVar...), a function made by a call
 * ("<locals>" in its name: a closure) only in a component with a class
 * (else it is the program's data), or an instance
 * whose class is in the same component, as an enum's members are; v8:
 * "(system)", "(compiled code)", "(object shape)", "(closure)", "system /
 * Context"), or a plain container (python: dict, tuple, list, set,
 * frozenset; v8: "(array)") that a runtime member of the component
 * reaches through containers only (cells, frames, methods and weak
 * references count as the runtime's, but what they hold is the program's).
 * On v8, a component that holds a native or synthetic object (node's
 * embedder objects, "Node / TCP") or a closure of the engine's own
 * JavaScript (its script is
 * a "node:" module, or it has none: V8's builtins) and no closure of a
 * script of the program's is the runtime's whatever else it holds.  A
 * component made only of the program's closures, their contexts and
 * runtime objects is its code (a module's scope) when its shape (its
 * signature, cycle.h) is made once, and its data when more than once (300
 * timers' closures, each holding itself).
 */
#ifndef CT_RUNTIME_H
#define CT_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "reach.h"

struct ct_runtime {
	uint64_t *skip;        /* per edge, one bit: the runtime's reference (not in
				* the application's graph); NULL when the format has
				* no rule */
	uint8_t *kind;         /* per type string id: enum ct_runtime_kind, for
				* ct_runtime_component(); NULL when no rule */
	uint32_t n_kinds;
	uint32_t mro, cls;     /* python: the ".__mro__" and ".__class__" labels, or CT_NONE */
	uint32_t function;     /* python: the "function" type, or CT_NONE */
	uint32_t closure;      /* v8: the "(closure)" type, or CT_NONE */
	uint32_t synthetic;    /* v8: the "(synthetic)" type (node's embedder objects,
				* "Node / TCP"), or CT_NONE */
	uint32_t shared, script; /* v8: the ".shared" and ".script_or_debug_info" labels */
	uint8_t *sfi;          /* v8: per node, whose a shared function info's script
				* is (the program's or the engine's; 0 for nodes that
				* are no closure's), filled by ct_runtime_compute() */
	uint64_t n_skipped;    /* references left out */
	bool java;             /* hprof: a component of the JDK's classes only is the
				* runtime's */
};

/* Which edges of g are the runtime's, by the rule of g->format; r gives
 * which sources are alive.  Fills rt (caller's memory; release with
 * ct_runtime_finish()).  Returns 0 or CT_ENOMEM. */
int ct_runtime_compute(struct ct_runtime *rt, const struct ct_graph *g, const struct ct_reach *r,
		       struct ct_error *err);
void ct_runtime_finish(struct ct_runtime *rt);

static inline bool ct_runtime_skips(const uint64_t *skip, uint32_t e)
{
	return skip && (skip[e >> 6] >> (e & 63) & 1);
}

enum ct_runtime_verdict {
	CT_RUNTIME_APP,      /* the program's */
	CT_RUNTIME_RUNTIME,  /* made only of runtime objects (see above) */
	CT_RUNTIME_CODE,     /* v8: made only of the program's closures and their
			      * contexts (and runtime objects): the program's code,
			      * like a module's scope, when made once; the
			      * program's data when made more than once (the
			      * caller decides: ct_report groups by signature) */
};

/* Whose is the component members[0..n) (see above)?  comp[] gives each
 * node's component (the members' is the same).  scratch needs room for n
 * entries, mark for g->n_nodes bytes, all zero on entry and on return.
 * CT_RUNTIME_APP when rt has no rule. */
enum ct_runtime_verdict ct_runtime_component(const struct ct_runtime *rt,
					     const struct ct_graph *g, const uint32_t *comp,
					     const uint32_t *members, uint32_t n,
					     uint32_t *scratch, uint8_t *mark);

#endif
