/* What `scan` reports: the cyclic strongly connected components of a
 * graph's application graph (runtime.h; the whole graph with full_graph),
 * each with its garbage/alive state, representative cycle, root path and
 * type histogram, grouped by signature, state and whether the runtime
 * made it.  Plain data built from the analyses; the writers (write.h)
 * turn it into text or JSON.
 */
#ifndef CT_REPORT_H
#define CT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "reach.h"
#include "runtime.h"
#include "scc.h"
#include "strings.h"

enum ct_report_only {
	CT_ONLY_ALL = 0,
	CT_ONLY_GARBAGE,
	CT_ONLY_ALIVE,
};

struct ct_report_opts {
	enum ct_report_only only;
	const char *type;      /* keep components with a member of this type; NULL = all */
	uint32_t min_size;     /* keep components of at least this many objects */
	uint32_t top;          /* keep the first top groups (in report order); 0 = all */
	bool full_graph;       /* components over every strong reference, not the
				* application's graph (runtime.h) */
};

struct ct_type_count {
	uint32_t type;         /* string id in the graph */
	uint32_t count;
};

struct ct_report_scc {
	uint32_t id;           /* 1-based rank among all cyclic components by bytes */
	uint32_t comp;         /* component number in report->scc */
	uint32_t size;         /* objects */
	uint64_t bytes;
	bool garbage;
	bool finalizers;
	bool runtime;          /* alive, and made only of runtime objects (runtime.h) */
	bool code;             /* made only of the program's closures (runtime.h's
				* CT_RUNTIME_CODE): the runtime's when made once */
	uint32_t group;        /* index into report->groups */
	uint32_t cycle_off, cycle_len;  /* steps in cyc_nodes/cyc_edges */
	uint32_t path_end;     /* the member nearest a root, where the root path
				* ends (CT_NONE if garbage); see ct_report_path() */
	uint32_t path_len;     /* nodes on the root path; 0 if garbage */
	uint32_t path_anchor;  /* its node CT_REPORT_PATH_HEAD steps from the root,
				* when it is longer than that; else CT_NONE */
	uint32_t types_off, types_len;  /* entries in types, most frequent first */
};

/* Components of one signature and one state (garbage or alive). */
struct ct_report_group {
	uint32_t signature;    /* string id in report->strings */
	uint32_t count;        /* components */
	uint32_t n_garbage;    /* of which garbage: 0 or count */
	uint64_t objects, bytes;
	bool finalizers;
	bool runtime;          /* its components are the runtime's */
	uint32_t first;        /* index into sccs of its largest component */
	uint32_t min_size, max_size;
};

struct ct_report_summary {
	uint64_t objects, references, dangling;
	uint64_t tracked, roots, garbage_objects, garbage_bytes, overcounted;
	uint64_t cyclic_sccs, garbage_sccs, cyclic_objects, cyclic_bytes;
	uint64_t runtime_sccs, runtime_objects, runtime_bytes;  /* of the cyclic ones */
	uint64_t runtime_references;  /* left out of the application's graph */
	bool full_graph;              /* components over every strong reference */
	enum ct_reach_mode reachability;
};

struct ct_report {
	const struct ct_graph *g;     /* borrowed: must outlive the report */
	struct ct_scc scc;
	struct ct_reach reach;
	struct ct_runtime runtime;    /* the edges scc was computed without */
	struct ct_report_summary summary;  /* whole dump, before any filter */
	struct ct_report_scc *sccs;   /* selected components, by id */
	uint32_t n_sccs;
	struct ct_report_group *groups;  /* garbage groups, then the application's alive
					  * ones, then the runtime's; by bytes within each */
	uint32_t n_groups;
	uint32_t *cyc_nodes, *cyc_edges;
	struct ct_type_count *types;
	struct ct_strings strings;    /* signatures */
};

/* Analyse g and build the report into r (caller's memory; release with
 * ct_report_finish()).  g is borrowed and must outlive r.  opts may be
 * NULL (everything).  Returns 0 or CT_ENOMEM. */
int ct_report_build(struct ct_report *r, const struct ct_graph *g,
		    const struct ct_report_opts *opts, struct ct_error *err);
/* Release the report; r may be zeroed or NULL. */
void ct_report_finish(struct ct_report *r);

/* Root paths are not stored per component (a chain of N one-object
 * cycles would make N paths of up to N steps): they all share the
 * breadth-first tree of reach.parent, and a writer takes the part it
 * prints.  A path's first nodes are found from path_anchor, its last by
 * walking up from path_end, each in time proportional to what is taken. */
#define CT_REPORT_PATH_HEAD 32

/* The root path of component e (root first, e's member last) into
 * nodes[] and edges[] (edges[i] leaves nodes[i] along the path, CT_NONE
 * after the member), both with room for head + tail entries: the whole
 * path when it has at most head + tail nodes, else its first head nodes
 * (head <= CT_REPORT_PATH_HEAD) and its last tail nodes.  *omitted (may
 * be NULL) gets the number of nodes left out after the first head.
 * Returns the number of nodes written; 0 when e is garbage. */
uint32_t ct_report_path(const struct ct_report *r, const struct ct_report_scc *e, uint32_t head,
			uint32_t tail, uint32_t *nodes, uint32_t *edges, uint32_t *omitted);

static inline const char *ct_report_signature(const struct ct_report *r,
					      const struct ct_report_group *grp)
{
	return ct_strings_get(&r->strings, grp->signature);
}

#endif
