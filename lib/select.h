/* What `render` draws: a selection of nodes from a report's graph.
 *
 * A selection is plain data: the nodes to draw (in clusters, one per
 * cycle group or SCC, plus root paths and neighbourhoods outside them),
 * the nodes that were meant to be drawn but were cut by the node cap
 * (so that edges to them can be marked instead of silently dropped), and,
 * on request, the same selection collapsed to one node per type.
 */
#ifndef CT_SELECT_H
#define CT_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "report.h"

enum ct_select_mode {
	CT_SELECT_GROUPS,     /* the largest groups' representatives, garbage
			       * groups first (default) */
	CT_SELECT_SCC,        /* one SCC by id */
	CT_SELECT_SIGNATURE,  /* the representative of the group with a signature */
	CT_SELECT_OBJECT,     /* the neighbourhood of one object */
};

struct ct_select_opts {
	enum ct_select_mode mode;
	uint32_t scc_id;          /* CT_SELECT_SCC: an id as scan prints it */
	const char *signature;    /* CT_SELECT_SIGNATURE */
	uint64_t object;          /* CT_SELECT_OBJECT: its address or id */
	uint32_t depth;           /* CT_SELECT_OBJECT: how many references away */
	bool backrefs;            /* CT_SELECT_OBJECT: also referrers */
	uint32_t groups;          /* CT_SELECT_GROUPS: how many groups (0 = 5) */
	bool runtime;             /* CT_SELECT_GROUPS: the runtime's groups too */
	bool path;                /* add the root path of alive SCCs */
	uint32_t max_nodes;       /* cap on drawn nodes (0 = CT_SELECT_MAX_NODES) */
};

#define CT_SELECT_MAX_NODES 300
/* With several clusters, none grows past this many nodes (beyond its
 * representative cycle and path). */
#define CT_SELECT_CLUSTER_NODES 60

/* Why a node is drawn. */
enum ct_sel_role {
	CT_SEL_MEMBER = 0,   /* member of its cluster's SCC */
	CT_SEL_PATH = 1,     /* on a root path (--path) */
	CT_SEL_FOCUS = 2,    /* the object asked for (CT_SELECT_OBJECT) */
	CT_SEL_NEAR = 3,     /* in its neighbourhood */
};

struct ct_sel_cluster {
	uint32_t scc;         /* index into report->sccs */
	uint32_t group;       /* index into report->groups */
	uint32_t drawn;       /* members drawn */
};

struct ct_selection {
	const struct ct_report *r;  /* borrowed */
	uint32_t n;                 /* nodes drawn */
	uint32_t *nodes;            /* graph nodes, in order of selection */
	uint32_t *cluster;          /* per drawn node: cluster index or CT_NONE */
	uint8_t *role;              /* per drawn node: enum ct_sel_role */
	uint32_t *cut_out;          /* per drawn node: edges to cut nodes */
	uint32_t *cut_in;           /* per drawn node: edges from cut nodes (backrefs) */
	uint32_t *pos;              /* per graph node: index in nodes[] or CT_NONE */
	uint8_t *scope;             /* per graph node: 1 meant to be drawn */
	struct ct_sel_cluster *clusters;
	uint32_t n_clusters;
	uint32_t n_cut;             /* nodes meant to be drawn but cut by the cap */
	uint32_t groups_left_out;   /* CT_SELECT_GROUPS: groups not drawn for the cap */
	uint32_t max_nodes;         /* the cap that applied */
	bool backrefs;              /* edges into the scope count as cut too */
};

/* Select from r (borrowed; must outlive sel) into sel (caller's memory,
 * released with ct_selection_finish()).  An SCC id, signature or object
 * that does not exist is CT_EUSAGE with a message; no memory CT_ENOMEM. */
int ct_select(struct ct_selection *sel, const struct ct_report *r,
	      const struct ct_select_opts *o, struct ct_error *err);
void ct_selection_finish(struct ct_selection *sel);

/* One node per type of the drawn nodes, and the edges between types. */
struct ct_type_node {
	uint32_t type;        /* string id in the graph */
	uint32_t count;
	uint64_t bytes;
	uint32_t garbage;     /* how many of them are garbage */
};

struct ct_type_edge {
	uint32_t from, to;    /* indices into types */
	uint32_t count;
	uint32_t label;       /* the most frequent label (string id), 0 if none */
	bool weak;            /* all of them weak */
};

struct ct_by_type {
	struct ct_type_node *types;
	uint32_t n_types;
	struct ct_type_edge *edges;
	uint32_t n_edges;
};

/* Collapse the drawn nodes of sel by type into bt (caller's memory,
 * released with ct_by_type_finish()).  Returns 0 or CT_ENOMEM. */
int ct_by_type_build(struct ct_by_type *bt, const struct ct_selection *sel,
		     struct ct_error *err);
void ct_by_type_finish(struct ct_by_type *bt);

#endif
