/* cycletool diff: growth across dumps of one process.
 *
 * Dumps are given oldest first and added one after another; of each only
 * its summary is kept (ct_diff_add()), so peak memory is about one dump's
 * graph and its analyses plus the summaries: per type a count, bytes and
 * retained bytes, per object an identity (16 bytes), per cyclic component
 * its signature and identity.  The last dump is analysed further while it
 * is loaded: its survivors (below) are clustered by retainer path.
 *
 * Identity (lib/diff_key.h): V8 node ids and type ("exact"); Python
 * addresses, type and a fingerprint that catches most reused addresses
 * ("address"); other formats the type, value and path from a root
 * ("structural", a heuristic).
 *
 * Survivors are memlab's and heapy's leak candidates: objects absent from
 * the first dump, present in the second and still present in the last
 * ((B \ A) ∩ C; with two dumps B \ A).  They are clustered by the shape
 * of their retainer path (lib/path.h's tree: from a user-level root when
 * one reaches them): the type of every object on it and the label of
 * every reference, indices written "[*]", a step repeated right after
 * itself ("Node .next → Node .next → Node") written once with "+".
 * A survivor that another survivor dominates belongs to that one's
 * cluster (the topmost survivor above it): what a leaked object holds is
 * part of its leak.  Topmost survivors of the runtime's kinds (code,
 * classes, functions, modules, V8's system objects, shapes and code), the
 * plain data they hold first, and what they dominate are folded into one
 * count.  With CT_DIFF_BY_SITE the topmost survivors are clustered by
 * their type and allocation site instead (Python dumps taken while
 * tracemalloc traced): "Handler allocated at app/server.py:41".
 */
#ifndef CT_DIFF_H
#define CT_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "diff_key.h"
#include "error.h"
#include "graph.h"
#include "strings.h"

/* One object's identity in a dump: key and fingerprint (diff_key.h) and
 * its type (an id in the diff's type table, the same across dumps). */
struct ct_diff_obj {
	uint64_t key;
	uint32_t type;
	uint32_t fp;
};

/* One cyclic component of a dump (scan's, on the application's graph). */
struct ct_diff_cyc {
	uint64_t key;       /* the least identity key of its members */
	uint32_t sig;       /* signature: string id in the diff's text */
	uint8_t garbage, runtime;
	uint16_t pad_;
};

struct ct_diff_dump {
	char *file;              /* owned copy */
	uint64_t objects, bytes;
	uint64_t pid, seq;       /* the dump's process and number (0 = unknown) */
	double time;             /* when it was taken (0 = unknown) */
	uint64_t *type_count;    /* per type id of the diff (n_types of the diff when
				  * added; later types count 0) */
	uint64_t *type_bytes;
	uint64_t *type_retained; /* retained by the type's objects, none counted twice
				  * (an object dominated by another of its type counts
				  * in that one's); in the first and the last dump
				  * only (0 in the others) */
	uint32_t n_types;        /* entries in each type_* array */
	struct ct_diff_obj *obj; /* sorted by (key, type, fp) */
	uint32_t n_obj;
	struct ct_diff_cyc *cyc; /* sorted by (sig, garbage, key) */
	uint32_t n_cyc;
};

/* One step of a survivor cluster's representative path. */
struct ct_diff_step {
	uint32_t type;           /* string id in the diff's text */
	uint32_t name;           /* its name (ct_present_name()), string id in the diff's
				  * text; 0 = none */
	uint32_t label;          /* the reference to the next step (0 = none, the last) */
	uint32_t pad_;
	uint64_t id;             /* the object's id in the last dump */
	uint64_t retained;       /* its retained bytes in the last dump */
	uint64_t omitted;        /* steps left out before this one (long paths keep
				  * CT_DIFF_PATH_HEAD first and CT_DIFF_PATH_TAIL
				  * last steps) */
};

#define CT_DIFF_PATH_HEAD 24
#define CT_DIFF_PATH_TAIL 24

struct ct_diff_type_count {
	uint32_t type;           /* id in the diff's type table */
	uint32_t pad_;
	uint64_t count, bytes;
};

/* Survivors with one retainer path shape. */
struct ct_diff_cluster {
	uint32_t signature;      /* string id in the diff's text: the path's shape */
	bool garbage;            /* unreachable in the last dump: no path */
	uint64_t roots;          /* its topmost survivors (no other survivor dominates
				  * them), whose retainer paths have its shape */
	uint64_t count, bytes;   /* every survivor they dominate included */
	uint64_t retained;       /* by its topmost survivors (so none twice) */
	uint32_t steps_off, steps_len;   /* the representative (the member that
					  * retains most): root first */
	uint32_t types_off, types_len;   /* count and bytes per type, most bytes
					  * first */
	uint32_t site;           /* by site: the topmost survivors' allocation site
				  * ("file:line", string id in the diff's text; 0 =
				  * none); 0 when clustered by path */
};

struct ct_diff {
	const char *format;      /* of the first dump (static string) */
	enum ct_diff_identity identity;
	bool numeric_ids;        /* ids are V8's "@N" */
	struct ct_strings types; /* type names, shared by every dump */
	struct ct_strings text;  /* signatures, labels */
	struct ct_diff_dump *dumps;
	uint32_t n_dumps, cap;
	/* Survivors, set by the last dump added with CT_DIFF_LAST: */
	bool has_survivors;
	bool by_site;            /* clustered by allocation site (CT_DIFF_BY_SITE) */
	uint64_t survivors, survivor_bytes;
	uint64_t survivor_retained;   /* none counted twice */
	uint64_t noise, noise_bytes;  /* the runtime's, folded */
	struct ct_diff_cluster *clusters;  /* by retained, most first */
	uint32_t n_clusters;
	struct ct_diff_step *steps;
	uint32_t n_steps;
	struct ct_diff_type_count *ctypes;
	uint32_t n_ctypes;
};

enum ct_diff_trend {
	CT_TREND_FLAT,        /* the same count in every dump */
	CT_TREND_GROWING,     /* more in every step */
	CT_TREND_SHRINKING,   /* fewer in every step */
	CT_TREND_MIXED,       /* up and down (a sawtooth), or up and flat */
};

/* A row of the types table. */
struct ct_diff_type {
	uint32_t type;            /* id in diff->types */
	const uint64_t *counts;   /* n_dumps entries (owned by the table) */
	const uint64_t *bytes;
	uint64_t new_objects;     /* in the last dump, not in the first (identity) */
	uint64_t deleted;         /* in the first dump, not in the last */
	uint64_t survivors;       /* see above */
	int64_t count_delta, bytes_delta;  /* last minus first */
	int64_t retained_delta;   /* type_retained, last minus first */
	enum ct_diff_trend trend;
};

struct ct_diff_table {
	struct ct_diff_type *rows;   /* by bytes_delta, largest growth first */
	uint32_t n;
	uint64_t *cells;             /* 2 * n * n_dumps: counts then bytes per row */
};

/* A row of the cycles table: components of one signature and state. */
struct ct_diff_cycle {
	uint32_t sig;             /* string id in diff->text */
	bool garbage, runtime;    /* runtime: the runtime's in some dump */
	const uint64_t *counts;   /* n_dumps entries */
	uint64_t new_cycles;      /* in the last dump, not in the first */
	uint64_t persisted;       /* in the first and the last */
	uint64_t freed;           /* in the first, not in the last */
	enum ct_diff_trend trend;
};

struct ct_diff_cycles {
	struct ct_diff_cycle *rows;  /* garbage first, then alive; runtime last; by
				      * growth then count within */
	uint32_t n;
	uint64_t *cells;
	uint64_t *garbage_total, *alive_total;  /* per dump, the runtime's left out */
	uint64_t garbage_persisted;  /* garbage components in the first and last dump */
};

void ct_diff_init(struct ct_diff *d);
void ct_diff_finish(struct ct_diff *d);

enum ct_diff_add_flag {
	CT_DIFF_LAST = 1 << 0,   /* the last dump: find and cluster the survivors */
	CT_DIFF_BY_SITE = 1 << 1, /* with CT_DIFF_LAST: cluster them by type and
				   * allocation site (the dump must have sites,
				   * else CT_EUSAGE) */
};

/* Summarise g (loaded from file) as the next dump; flags as above.  The
 * first dump sets the format and identity; a dump of another format is
 * CT_EUSAGE.  g is only read.  Returns 0, CT_EUSAGE or CT_ENOMEM. */
int ct_diff_add(struct ct_diff *d, const struct ct_graph *g, const char *file, unsigned flags,
		struct ct_error *err);

/* The types table over every dump added (at least one).  Release with
 * ct_diff_table_finish().  Returns 0 or CT_ENOMEM. */
int ct_diff_types(const struct ct_diff *d, struct ct_diff_table *t, struct ct_error *err);
void ct_diff_table_finish(struct ct_diff_table *t);

/* The cycles table.  Release with ct_diff_cycles_finish().  Returns 0 or
 * CT_ENOMEM. */
int ct_diff_cycles(const struct ct_diff *d, struct ct_diff_cycles *c, struct ct_error *err);
void ct_diff_cycles_finish(struct ct_diff_cycles *c);

/* "flat", "growing", "shrinking" or "mixed". */
const char *ct_diff_trend_name(enum ct_diff_trend t);

/* The trend of n counts. */
enum ct_diff_trend ct_diff_trend_of(const uint64_t *counts, uint32_t n);

#endif
