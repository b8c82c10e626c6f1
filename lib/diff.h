/* cycletool diff (issue 12), work in progress: what a comparison of dumps
 * of one process keeps of each dump, and the types table.
 *
 * Dumps are loaded one after another; of each only its summary is kept
 * (ct_diff_add()), so peak memory is about one dump's graph plus the
 * summaries: per type a count and bytes, per object an identity key.
 *
 * Identity: V8 node ids are stable within an isolate (never reused), so
 * an object of dump A is the object of dump B with the same id and type
 * ("exact").  Python addresses can be reused once an object is freed:
 * (address, type) is the key ("address"); a fingerprint to catch reuse
 * is still to come.  Formats without stable identity ($ref JSON) get no
 * object identity yet: new/deleted stay 0 and the header says so.
 */
#ifndef CT_DIFF_H
#define CT_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "strings.h"

enum ct_diff_identity {
	CT_DIFF_EXACT,       /* V8 node ids */
	CT_DIFF_ADDRESS,     /* Python addresses, with the type */
	CT_DIFF_NONE,        /* no stable identity: types table only */
};

/* One object's identity in a dump: its key and its type (an id in the
 * diff's own type table, the same across dumps). */
struct ct_diff_obj {
	uint64_t key;
	uint32_t type;
	uint32_t pad_;
};

struct ct_diff_dump {
	char *file;              /* owned copy */
	uint64_t objects, bytes;
	uint64_t *type_count;    /* per type id of the diff (n_types of the diff when
				  * added; later types count 0) */
	uint64_t *type_bytes;
	uint32_t n_types;        /* entries in type_count and type_bytes */
	struct ct_diff_obj *obj; /* sorted by (key, type) */
	uint32_t n_obj;
};

struct ct_diff {
	const char *format;      /* of the first dump (static string) */
	enum ct_diff_identity identity;
	struct ct_strings types; /* type names, shared by every dump */
	struct ct_diff_dump *dumps;
	uint32_t n_dumps, cap;
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
	uint64_t survivors;       /* memlab's and heapy's leak candidates: not in the
				   * first dump, in the second and in the last ((B \ A)
				   * ∩ C; with two dumps B \ A) */
	int64_t count_delta, bytes_delta;  /* last minus first */
	enum ct_diff_trend trend;
};

struct ct_diff_table {
	struct ct_diff_type *rows;   /* by bytes_delta, largest growth first */
	uint32_t n;
	uint64_t *cells;             /* 2 * n * n_dumps: counts then bytes per row */
};

void ct_diff_init(struct ct_diff *d);
void ct_diff_finish(struct ct_diff *d);

/* Summarise g (loaded from file) as the next dump.  The first dump sets
 * the format and identity; a dump of another format is CT_EUSAGE.
 * Returns 0, CT_EUSAGE or CT_ENOMEM. */
int ct_diff_add(struct ct_diff *d, const struct ct_graph *g, const char *file,
		struct ct_error *err);

/* The types table over every dump added (at least one).  Release with
 * ct_diff_table_finish().  Returns 0 or CT_ENOMEM. */
int ct_diff_types(const struct ct_diff *d, struct ct_diff_table *t, struct ct_error *err);
void ct_diff_table_finish(struct ct_diff_table *t);

/* "flat", "growing", "shrinking" or "mixed". */
const char *ct_diff_trend_name(enum ct_diff_trend t);

#endif
