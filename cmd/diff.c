/* cycletool diff: growth across dumps of one process (lib/diff.h). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/diff.h"
#include "../lib/jsonw.h"
#include "../lib/present.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool diff [OPTION]... DUMP1 DUMP2 [DUMP3]...\n"
"Compare dumps of one process, oldest first, and say what grows: the\n"
"survivors (objects new since the first dump, present in the second and\n"
"still in the last) clustered by retainer path with their retained bytes;\n"
"per type the count, bytes and retained bytes in every dump, new, deleted\n"
"and the trend; and the cycles (scan's signatures) in every dump, garbage\n"
"and alive.  Objects are matched by V8 node id, by Python address, type\n"
"and fingerprint, or by path from a root in other formats.  Dumps are\n"
"loaded one after another and only their summaries kept.\n"
"\n"
"Output:\n"
"      --json             one JSON document (dumps, types, survivors, cycles)\n"
"      --ndjson           one survivor cluster per line\n"
"  -n, --top=N            rows of each table and clusters (default: 10 in\n"
"                         text, all in JSON; 0 = all)\n"
"      --by-site          cluster the survivors by type and allocation site\n"
"                         (\"Handler allocated at app.py:41\"), not by retainer\n"
"                         path: Python dumps taken while tracemalloc traced\n"
"\n"
"Checks:\n"
"      --fail-if=EXPR     exit 1 when EXPR holds (repeatable): NAME>VALUE,\n"
"                         NAME>=VALUE, NAME<VALUE, NAME<=VALUE or NAME=VALUE\n"
"                         with NAME survivors, retained (bytes the survivors\n"
"                         retain), growth (bytes, last minus first), objects\n"
"                         (count, last minus first), garbage-cycles (in the\n"
"                         last dump) or new-cycles; or garbage-cycles-growing,\n"
"                         cycles-growing.  Sizes take B, KB, MB, GB (powers of\n"
"                         1000) or KiB, MiB, GiB\n"
"      --strict           exit 2 when the dumps say they come from different\n"
"                         processes or are not oldest first (else a warning)\n"
INPUT_AND_HELP
"Exit status: 0 ok, 1 a --fail-if condition holds, 2 usage error (fewer\n"
"than two dumps, dumps of different formats), 3 input malformed or\n"
"unreadable, 4 out of memory or output not written.\n";

enum { OPT_JSON = 256, OPT_NDJSON, OPT_FAIL_IF, OPT_STRICT, OPT_BY_SITE };

static const struct option longopts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"ndjson", no_argument, NULL, OPT_NDJSON},
	{"top", required_argument, NULL, 'n'},
	{"fail-if", required_argument, NULL, OPT_FAIL_IF},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"by-site", no_argument, NULL, OPT_BY_SITE},
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* ---- --fail-if ---- */

enum cond_name {
	C_SURVIVORS, C_RETAINED, C_GROWTH, C_OBJECTS, C_GARBAGE_CYCLES, C_NEW_CYCLES,
	C_GARBAGE_GROWING, C_CYCLES_GROWING,
};

static const char *const cond_names[] = {
	"survivors", "retained", "growth", "objects", "garbage-cycles", "new-cycles",
	"garbage-cycles-growing", "cycles-growing",
};

enum cond_op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_TRUE };

struct cond {
	const char *text;
	enum cond_name name;
	enum cond_op op;
	int64_t value;
};

/* A size or count: digits and an optional unit. */
static bool parse_amount(const char *s, bool size, int64_t *out)
{
	static const struct { const char *unit; int64_t mul; } units[] = {
		{"B", 1}, {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000},
		{"KiB", 1024}, {"MiB", 1048576}, {"GiB", 1073741824},
		{"k", 1000}, {"K", 1000}, {"M", 1000000}, {"G", 1000000000},
	};
	bool neg = *s == '-';
	s += neg;
	if (*s < '0' || *s > '9')
		return false;
	int64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	int64_t mul = 1;
	if (*s) {
		size_t i, n = sizeof(units) / sizeof(units[0]);
		for (i = 0; i < n; i++)
			if (strcmp(s, units[i].unit) == 0)
				break;
		/* Byte units only for sizes; k/M/G for either. */
		if (i == n || (!size && units[i].unit[strlen(units[i].unit) - 1] == 'B'))
			return false;
		mul = units[i].mul;
	}
	if (v > INT64_MAX / mul)
		return false;
	*out = neg ? -v * mul : v * mul;
	return true;
}

static bool parse_cond(const char *s, struct cond *c)
{
	size_t n = strcspn(s, "<>=");
	c->text = s;
	for (size_t i = 0; i < sizeof(cond_names) / sizeof(cond_names[0]); i++) {
		if (strlen(cond_names[i]) != n || strncmp(s, cond_names[i], n) != 0)
			continue;
		c->name = (enum cond_name)i;
		const char *p = s + n;
		if (c->name >= C_GARBAGE_GROWING) {
			c->op = OP_TRUE;
			return *p == '\0';
		}
		if (p[0] == '>' && p[1] == '=') c->op = OP_GE, p += 2;
		else if (p[0] == '<' && p[1] == '=') c->op = OP_LE, p += 2;
		else if (p[0] == '>') c->op = OP_GT, p++;
		else if (p[0] == '<') c->op = OP_LT, p++;
		else if (p[0] == '=') c->op = OP_EQ, p++;
		else return false;
		bool size = c->name == C_RETAINED || c->name == C_GROWTH;
		return parse_amount(p, size, &c->value);
	}
	return false;
}

struct totals {
	int64_t v[C_CYCLES_GROWING + 1];
};

static void totals_of(const struct ct_diff *d, const struct ct_diff_cycles *cy, struct totals *t)
{
	uint32_t nd = d->n_dumps;
	const struct ct_diff_dump *f = &d->dumps[0], *l = &d->dumps[nd - 1];
	uint64_t news = 0;

	for (uint32_t i = 0; i < cy->n; i++)
		if (!cy->rows[i].runtime)
			news += cy->rows[i].new_cycles;
	t->v[C_SURVIVORS] = (int64_t)d->survivors;
	t->v[C_RETAINED] = (int64_t)(d->survivor_retained > INT64_MAX ? INT64_MAX :
				     d->survivor_retained);
	t->v[C_GROWTH] = (int64_t)l->bytes - (int64_t)f->bytes;
	t->v[C_OBJECTS] = (int64_t)l->objects - (int64_t)f->objects;
	t->v[C_GARBAGE_CYCLES] = (int64_t)cy->garbage_total[nd - 1];
	t->v[C_NEW_CYCLES] = (int64_t)news;
	t->v[C_GARBAGE_GROWING] = ct_diff_trend_of(cy->garbage_total, nd) == CT_TREND_GROWING;
	t->v[C_CYCLES_GROWING] = ct_diff_trend_of(cy->alive_total, nd) == CT_TREND_GROWING;
}

static bool cond_holds(const struct cond *c, const struct totals *t)
{
	int64_t x = t->v[c->name];
	switch (c->op) {
	case OP_GT: return x > c->value;
	case OP_GE: return x >= c->value;
	case OP_LT: return x < c->value;
	case OP_LE: return x <= c->value;
	case OP_EQ: return x == c->value;
	case OP_TRUE: break;
	}
	return x != 0;
}

/* ---- text ---- */

static const char *identity_name(enum ct_diff_identity id)
{
	return id == CT_DIFF_EXACT ? "exact" : id == CT_DIFF_ADDRESS ? "address" : "structural";
}

static const char *identity_text(enum ct_diff_identity id)
{
	return id == CT_DIFF_EXACT ? "objects matched by V8 node id, type and name (exact)" :
	       id == CT_DIFF_ADDRESS ? "objects matched by address and type, with a fingerprint "
				       "of immutable objects and instance attributes to catch "
				       "reused addresses" :
	       "no stable object identity in this format: objects matched by type, value "
	       "and path from a root (a heuristic)";
}

static void put_signed_bytes(int64_t v, char *buf)
{
	char b[CT_PRESENT_BYTES_MAX];
	uint64_t mag = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	ct_present_bytes(mag, b);
	snprintf(buf, CT_PRESENT_BYTES_MAX + 2, "%c%s", v < 0 ? '-' : '+', b);
}

static void put_counts(const uint64_t *c, uint32_t nd)
{
	/* Long series: the first two, "…", the last two. */
	for (uint32_t k = 0; k < nd; k++) {
		if (nd > 6 && k == 2) {
			fputs(" \xe2\x86\x92 \xe2\x80\xa6", stdout);
			k = nd - 3;
			continue;
		}
		printf("%s%" PRIu64, k ? " \xe2\x86\x92 " : "", c[k]);
	}
}

static void put_name(const char *s, size_t max)
{
	ct_present_put(stdout, s, max);
}

static void put_path(const struct ct_diff *d, const struct ct_diff_cluster *c)
{
	char b[CT_PRESENT_BYTES_MAX], id[CT_PRESENT_ID_MAX];

	/* Long paths as chains are cut: the first steps, "… (N more)", the
	 * last ones (the steps kept include those the analysis left out). */
	uint64_t more = 0;
	bool cut = c->steps_len > CT_PRESENT_CHAIN_STEPS;
	for (uint32_t i = 0; i < c->steps_len; i++) {
		const struct ct_diff_step *s = &d->steps[c->steps_off + i];
		more += s->omitted;
		if (cut && i >= CT_PRESENT_CHAIN_HEAD && i < c->steps_len - CT_PRESENT_CHAIN_TAIL) {
			more++;
			continue;
		}
		if (more) {
			printf(" \xe2\x80\xa6 (%" PRIu64 " more) \xe2\x86\x92", more);
			more = 0;
		}
		if (i)
			fputs(" ", stdout);
		put_name(ct_strings_get(&d->text, s->type), CT_PRESENT_NAME_BYTES);
		if (s->name) {
			fputs(" ", stdout);
			put_name(ct_strings_get(&d->text, s->name), CT_PRESENT_NAME_BYTES);
		}
		ct_present_bytes(s->retained, b);
		if (i + 1 == c->steps_len) {
			struct ct_graph g = {.numeric_ids = d->numeric_ids};
			ct_present_addr(&g, s->id, id);
			printf(" %s (%s)", id, b);
		} else {
			printf(" (%s) ", b);
			put_name(ct_strings_get(&d->text, s->label), CT_PRESENT_NAME_BYTES);
			fputs(" \xe2\x86\x92", stdout);
		}
	}
}

static void write_survivors_text(const struct ct_diff *d, uint32_t top)
{
	char b1[CT_PRESENT_BYTES_MAX], b2[CT_PRESENT_BYTES_MAX];
	uint32_t nd = d->n_dumps;

	ct_present_bytes(d->survivor_bytes, b1);
	ct_present_bytes(d->survivor_retained, b2);
	if (nd > 2)
		printf("Survivors (new since dump 1, alive in dump 2 and still in dump %" PRIu32
		       "): %" PRIu64 " objects, %s, retaining %s", nd, d->survivors, b1, b2);
	else
		printf("Survivors (new since dump 1, alive in dump 2): %" PRIu64
		       " objects, %s, retaining %s", d->survivors, b1, b2);
	printf("; %" PRIu32 " %s%s\n", d->n_clusters,
	       d->by_site ? "allocation site" : "retainer path", d->n_clusters == 1 ? "" : "s");
	for (uint32_t i = 0; i < d->n_clusters && (!top || i < top); i++) {
		const struct ct_diff_cluster *c = &d->clusters[i];
		ct_present_bytes(c->retained, b1);
		ct_present_bytes(c->bytes, b2);
		const struct ct_diff_step *last = &d->steps[c->steps_off + c->steps_len - 1];
		printf("  %2" PRIu32 ". ", i + 1);
		put_name(ct_strings_get(&d->text, last->type), CT_PRESENT_NAME_BYTES);
		printf(" \xc3\x97%" PRIu64 " retaining %s (%" PRIu64 " object%s, %s: ", c->roots,
		       b1, c->count, c->count == 1 ? "" : "s", b2);
		for (uint32_t j = 0; j < c->types_len && j < 4; j++) {
			const struct ct_diff_type_count *tc = &d->ctypes[c->types_off + j];
			printf("%s", j ? ", " : "");
			put_name(ct_strings_get(&d->types, tc->type), CT_PRESENT_NAME_BYTES);
			printf(" \xc3\x97%" PRIu64, tc->count);
		}
		if (c->types_len > 4)
			printf(", %" PRIu32 " more types", c->types_len - 4);
		fputs(")\n      ", stdout);
		ct_present_put_steps(stdout, ct_strings_get(&d->text, c->signature),
				     CT_PRESENT_SIGNATURE_BYTES);
		fputs("\n      e.g. ", stdout);
		if (c->garbage)
			fputs("(garbage, no path) ", stdout);
		put_path(d, c);
		putchar('\n');
	}
	if (top && d->n_clusters > top)
		printf("  ... %" PRIu32 " more (-n 0 lists all)\n", d->n_clusters - top);
	if (d->noise) {
		ct_present_bytes(d->noise_bytes, b1);
		printf("  runtime: %" PRIu64 " objects (%s) of code, classes, functions, modules "
		       "and what they hold\n", d->noise, b1);
	}
}

static void write_types_text(const struct ct_diff *d, const struct ct_diff_table *t,
			     uint32_t top)
{
	char b1[CT_PRESENT_BYTES_MAX + 2], b2[CT_PRESENT_BYTES_MAX + 2];
	uint32_t nd = d->n_dumps, shown = 0;

	printf("\nTypes, largest growth first (%" PRIu32 " types):\n", t->n);
	printf("  %-30s  %9s  %11s  %11s  %8s  %8s  %9s  %-9s  %s\n", "TYPE", "COUNT +/-",
	       "BYTES +/-", "RETAINED +/-", "NEW", "DELETED", "SURVIVORS", "TREND", "COUNTS");
	for (uint32_t i = 0; i < t->n && (!top || shown < top); i++) {
		const struct ct_diff_type *r = &t->rows[i];
		char name[CT_PRESENT_NAME_BYTES * 4 + 8];
		const char *tn = ct_strings_get(&d->types, r->type);
		if (r->trend == CT_TREND_FLAT && r->new_objects == 0 && r->deleted == 0)
			continue;
		shown++;
		ct_present_text(name, sizeof(name), tn, strlen(tn), CT_PRESENT_NAME_BYTES);
		put_signed_bytes(r->bytes_delta, b1);
		put_signed_bytes(r->retained_delta, b2);
		printf("  %-30s  %+9" PRId64 "  %11s  %11s  %8" PRIu64 "  %8" PRIu64 "  %9" PRIu64
		       "  %-9s  ", name, r->count_delta, b1, b2, r->new_objects, r->deleted,
		       r->survivors, ct_diff_trend_name(r->trend));
		put_counts(r->counts, nd);
		putchar('\n');
	}
	if (!shown)
		printf("  (no type changed)\n");
}

static void write_cycles_text(const struct ct_diff *d, const struct ct_diff_cycles *cy,
			      uint32_t top)
{
	uint32_t nd = d->n_dumps, shown = 0, runtime = 0;

	printf("\nCycles (scan's signatures; the runtime's left out): garbage ");
	put_counts(cy->garbage_total, nd);
	printf(" (%s), alive ", ct_diff_trend_name(ct_diff_trend_of(cy->garbage_total, nd)));
	put_counts(cy->alive_total, nd);
	printf(" (%s)\n", ct_diff_trend_name(ct_diff_trend_of(cy->alive_total, nd)));
	for (uint32_t i = 0; i < cy->n; i++) {
		const struct ct_diff_cycle *c = &cy->rows[i];
		if (c->runtime) {
			runtime++;
			continue;
		}
		if (c->trend == CT_TREND_FLAT && !c->new_cycles && !c->freed)
			continue;
		if (top && shown == top)
			continue;
		if (!shown++)
			printf("  %-7s  %6s  %9s  %6s  %-9s  %-16s  %s\n", "STATE", "NEW",
			       "PERSISTED", "FREED", "TREND", "COUNTS", "SIGNATURE");
		printf("  %-7s  %6" PRIu64 "  %9" PRIu64 "  %6" PRIu64 "  %-9s  ",
		       c->garbage ? "garbage" : "alive", c->new_cycles, c->persisted, c->freed,
		       ct_diff_trend_name(c->trend));
		put_counts(c->counts, nd);
		fputs("  ", stdout);
		ct_present_put_steps(stdout, ct_strings_get(&d->text, c->sig),
				     CT_PRESENT_SIGNATURE_BYTES);
		putchar('\n');
	}
	if (!shown)
		printf("  (no cycle signature changed)\n");
	if (cy->garbage_persisted && d->identity == CT_DIFF_ADDRESS)
		printf("note: %" PRIu64 " garbage cycle%s in the first dump %s still in the last: "
		       "the cycle collector did not run between the dumps (gc.disable(), or "
		       "too few allocations to trigger it)\n", cy->garbage_persisted,
		       cy->garbage_persisted == 1 ? " is" : "s are",
		       cy->garbage_persisted == 1 ? "and" : "and");
}

static int write_text(const struct ct_diff *d, const struct ct_diff_table *t,
		      const struct ct_diff_cycles *cy, uint32_t top)
{
	char b1[CT_PRESENT_BYTES_MAX];
	uint32_t nd = d->n_dumps;

	printf("cycletool diff: %" PRIu32 " %s dumps", nd, d->format ? d->format : "");
	if (d->dumps[0].pid)
		printf(" of process %" PRIu64, d->dumps[0].pid);
	printf(", oldest first\n");
	for (uint32_t k = 0; k < nd; k++) {
		const struct ct_diff_dump *x = &d->dumps[k];
		ct_present_bytes(x->bytes, b1);
		printf("  %" PRIu32 ". ", k + 1);
		put_name(x->file, SIZE_MAX);
		printf(": %" PRIu64 " objects, %s", x->objects, b1);
		if (x->seq)
			printf(", dump %" PRIu64, x->seq);
		if (x->time > 0 && k > 0 && d->dumps[0].time > 0)
			printf(", %+.1f s", x->time - d->dumps[0].time);
		putchar('\n');
	}
	printf("identity: %s\n\n", identity_text(d->identity));
	write_survivors_text(d, top);
	write_types_text(d, t, top);
	write_cycles_text(d, cy, top);
	return ferror(stdout) ? CT_EIO : 0;
}

/* ---- JSON ---- */

static void json_cluster(struct ct_jsonw *w, const struct ct_diff *d, const struct ct_diff_cluster *c)
{
	char id[CT_PRESENT_ID_MAX];
	struct ct_graph g = {.numeric_ids = d->numeric_ids};

	ct_jsonw_object(w);
	ct_jsonw_kstring(w, "signature", ct_strings_get(&d->text, c->signature));
	ct_jsonw_ku64(w, "count", c->count);
	ct_jsonw_ku64(w, "roots", c->roots);
	ct_jsonw_ku64(w, "bytes", c->bytes);
	ct_jsonw_ku64(w, "retained", c->retained);
	ct_jsonw_kbool(w, "garbage", c->garbage);
	if (d->by_site) {
		ct_jsonw_key(w, "site");
		if (c->site)
			ct_jsonw_string(w, ct_strings_get(&d->text, c->site));
		else
			ct_jsonw_null(w);
	}
	ct_jsonw_key(w, "types");
	ct_jsonw_object(w);
	for (uint32_t j = 0; j < c->types_len; j++) {
		const struct ct_diff_type_count *tc = &d->ctypes[c->types_off + j];
		ct_jsonw_ku64(w, ct_strings_get(&d->types, tc->type), tc->count);
	}
	ct_jsonw_end(w);
	ct_jsonw_key(w, "path");
	ct_jsonw_array(w);
	for (uint32_t i = 0; i < c->steps_len; i++) {
		const struct ct_diff_step *s = &d->steps[c->steps_off + i];
		if (s->omitted) {
			ct_jsonw_object(w);
			ct_jsonw_ku64(w, "omitted", s->omitted);
			ct_jsonw_end(w);
		}
		ct_jsonw_object(w);
		ct_present_addr(&g, s->id, id);
		ct_jsonw_kstring(w, "id", id);
		ct_jsonw_kstring(w, "type", ct_strings_get(&d->text, s->type));
		if (s->name)
			ct_jsonw_kstring(w, "name", ct_strings_get(&d->text, s->name));
		ct_jsonw_ku64(w, "retained", s->retained);
		if (i + 1 < c->steps_len)
			ct_jsonw_kstring(w, "label", ct_strings_get(&d->text, s->label));
		ct_jsonw_end(w);
	}
	ct_jsonw_end(w);
	ct_jsonw_end(w);
}

static void json_u64s(struct ct_jsonw *w, const char *key, const uint64_t *v, uint32_t n)
{
	ct_jsonw_key(w, key);
	ct_jsonw_array(w);
	for (uint32_t k = 0; k < n; k++)
		ct_jsonw_u64(w, v[k]);
	ct_jsonw_end(w);
}

static int write_json(const struct ct_diff *d, const struct ct_diff_table *t,
		      const struct ct_diff_cycles *cy, const struct cond *conds, uint32_t n_conds,
		      const struct totals *tot, uint32_t top, struct ct_error *err)
{
	struct ct_jsonw w;
	uint32_t nd = d->n_dumps;

	ct_jsonw_init(&w, stdout);
	ct_jsonw_object(&w);
	ct_jsonw_kstring(&w, "format", d->format ? d->format : "");
	ct_jsonw_kstring(&w, "identity", identity_name(d->identity));
	ct_jsonw_kstring(&w, "clustered_by", d->by_site ? "site" : "path");
	ct_jsonw_key(&w, "dumps");
	ct_jsonw_array(&w);
	for (uint32_t k = 0; k < nd; k++) {
		const struct ct_diff_dump *x = &d->dumps[k];
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "file", x->file);
		ct_jsonw_ku64(&w, "objects", x->objects);
		ct_jsonw_ku64(&w, "bytes", x->bytes);
		if (x->pid)
			ct_jsonw_ku64(&w, "pid", x->pid);
		if (x->seq)
			ct_jsonw_ku64(&w, "seq", x->seq);
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "summary");
	ct_jsonw_object(&w);
	ct_jsonw_ku64(&w, "survivors", d->survivors);
	ct_jsonw_ku64(&w, "survivor_bytes", d->survivor_bytes);
	ct_jsonw_ku64(&w, "retained", d->survivor_retained);
	ct_jsonw_ku64(&w, "runtime_survivors", d->noise);
	ct_jsonw_ku64(&w, "runtime_survivor_bytes", d->noise_bytes);
	ct_jsonw_ki64(&w, "growth", tot->v[C_GROWTH]);
	ct_jsonw_ki64(&w, "objects", tot->v[C_OBJECTS]);
	json_u64s(&w, "garbage_cycles", cy->garbage_total, nd);
	json_u64s(&w, "alive_cycles", cy->alive_total, nd);
	ct_jsonw_ku64(&w, "garbage_cycles_persisted", cy->garbage_persisted);
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "survivors");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < d->n_clusters && (!top || i < top) && !w.failed; i++) {
		ct_jsonw_newline(&w);
		json_cluster(&w, d, &d->clusters[i]);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "types");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < t->n && (!top || i < top) && !w.failed; i++) {
		const struct ct_diff_type *r = &t->rows[i];
		ct_jsonw_newline(&w);
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "type", ct_strings_get(&d->types, r->type));
		json_u64s(&w, "counts", r->counts, nd);
		json_u64s(&w, "bytes", r->bytes, nd);
		ct_jsonw_ki64(&w, "count_delta", r->count_delta);
		ct_jsonw_ki64(&w, "bytes_delta", r->bytes_delta);
		ct_jsonw_ki64(&w, "retained_delta", r->retained_delta);
		ct_jsonw_ku64(&w, "new", r->new_objects);
		ct_jsonw_ku64(&w, "deleted", r->deleted);
		ct_jsonw_ku64(&w, "survivors", r->survivors);
		ct_jsonw_kstring(&w, "trend", ct_diff_trend_name(r->trend));
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "cycles");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < cy->n && (!top || i < top) && !w.failed; i++) {
		const struct ct_diff_cycle *c = &cy->rows[i];
		ct_jsonw_newline(&w);
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "signature", ct_strings_get(&d->text, c->sig));
		ct_jsonw_kbool(&w, "garbage", c->garbage);
		ct_jsonw_kbool(&w, "runtime", c->runtime);
		json_u64s(&w, "counts", c->counts, nd);
		ct_jsonw_ku64(&w, "new", c->new_cycles);
		ct_jsonw_ku64(&w, "persisted", c->persisted);
		ct_jsonw_ku64(&w, "freed", c->freed);
		ct_jsonw_kstring(&w, "trend", ct_diff_trend_name(c->trend));
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	if (n_conds) {
		ct_jsonw_newline(&w);
		ct_jsonw_key(&w, "fail_if");
		ct_jsonw_array(&w);
		for (uint32_t i = 0; i < n_conds; i++) {
			ct_jsonw_object(&w);
			ct_jsonw_kstring(&w, "condition", conds[i].text);
			ct_jsonw_ki64(&w, "value", tot->v[conds[i].name]);
			ct_jsonw_kbool(&w, "holds", cond_holds(&conds[i], tot));
			ct_jsonw_end(&w);
		}
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	return ct_jsonw_finish(&w, err);
}

static int write_ndjson(const struct ct_diff *d, uint32_t top, struct ct_error *err)
{
	struct ct_jsonw w;

	ct_jsonw_init(&w, stdout);
	for (uint32_t i = 0; i < d->n_clusters && (!top || i < top) && !w.failed; i++) {
		json_cluster(&w, d, &d->clusters[i]);
		ct_jsonw_newline(&w);
	}
	return ct_jsonw_finish(&w, err);
}

/* Does the dump just added say it comes from the first dump's process,
 * after the one before it?  Warns (or with strict fails) when it does
 * not: once about processes and once about order in one run (*said). */
static int check_origin(const struct ct_diff *d, bool strict, unsigned *said)
{
	const struct ct_diff_dump *a = &d->dumps[0];
	uint32_t k = d->n_dumps - 1;
	const struct ct_diff_dump *b = &d->dumps[k], *p = &d->dumps[k ? k - 1 : 0];
	const char *w = strict ? "" : "warning: ";
	int bad = 0;

	if (k == 0)
		return 0;
	if (a->pid && b->pid && a->pid != b->pid) {
		if (!(*said & 1))
			say("%s'%s' is from process %" PRIu64 ", '%s' from process %" PRIu64
			    ": diff compares dumps of one process", w, b->file, b->pid, a->file,
			    a->pid);
		*said |= 1;
		bad = 1;
	} else if ((p->seq && b->seq && b->seq <= p->seq) ||
		   (p->time > 0 && b->time > 0 && b->time < p->time && !(p->seq && b->seq))) {
		if (!(*said & 2)) {
			if (p->seq && b->seq)
				say("%s'%s' is dump %" PRIu64 " of its process and '%s' dump %" PRIu64
				    ": give the dumps oldest first", w, b->file, b->seq, p->file,
				    p->seq);
			else
				say("%s'%s' was taken before '%s': give the dumps oldest first", w,
				    b->file, p->file);
		}
		*said |= 2;
		bad = 1;
	}
	return bad && strict ? EXIT_USAGE : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct common_opts common = COMMON_OPTS_INIT;
	bool json = false, ndjson = false, strict = false, top_set = false, by_site = false;
	unsigned long top = 10;
	struct cond *conds = NULL;
	uint32_t n_conds = 0;
	int c, status;

	optind = 1;
	opterr = 0;
	conds = calloc((size_t)argc + 1, sizeof(*conds));
	if (!conds) {
		say("out of memory");
		return EXIT_FAILURE_;
	}
	while ((c = getopt_long(argc, argv, ":f:hn:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_NDJSON:
			ndjson = true;
			break;
		case OPT_STRICT:
			strict = true;
			break;
		case OPT_BY_SITE:
			by_site = true;
			break;
		case OPT_FAIL_IF:
			if (!parse_cond(optarg, &conds[n_conds])) {
				free(conds);
				return usage_error("diff", "--fail-if: cannot read '%s' (e.g. "
						   "survivors>1000, retained>5MB, "
						   "garbage-cycles-growing)", optarg);
			}
			n_conds++;
			break;
		case 'n':
			if (!parse_uint(optarg, UINT32_MAX, &top)) {
				free(conds);
				return usage_error("diff", "--top needs a number, not '%s'", optarg);
			}
			top_set = true;
			break;
		default:
			if ((status = common_option(c, "diff", usage, argv, &common)) != OPTION_TAKEN) {
				free(conds);
				return status;
			}
			break;
		}
	}
	if (json && ndjson) {
		free(conds);
		return usage_error("diff", "--json and --ndjson exclude each other");
	}
	if (argc - optind < 2) {
		free(conds);
		return usage_error("diff", "give two dumps or more, oldest first");
	}
	if ((json || ndjson) && !top_set)
		top = 0;

	struct ct_diff d;
	struct ct_diff_table t = {0};
	struct ct_diff_cycles cy = {0};
	struct ct_error err = {0};
	bool progress = isatty(STDERR_FILENO);
	unsigned said = 0;
	status = 0;
	ct_diff_init(&d);
	for (int i = optind; i < argc && !status; i++) {
		struct ct_graph g;
		if (progress)
			fprintf(stderr, "cycletool diff: dump %d of %d: %s\033[K\r", i - optind + 1,
				argc - optind, argv[i]);
		if ((status = load_graph(argv[i], &common, 0, &g)))
			break;
		int rc = ct_diff_add(&d, &g, argv[i], i == argc - 1 ? CT_DIFF_LAST |
				     (by_site ? CT_DIFF_BY_SITE : 0) : 0, &err);
		ct_graph_finish(&g);
		if (rc == CT_EUSAGE)
			status = usage_error("diff", "%s", err.msg);
		else if (rc)
			status = report_error(argv[i], &err);
		else
			status = check_origin(&d, strict, &said);
	}
	if (progress)
		fputs("\033[K", stderr);
	if (!status && (ct_diff_types(&d, &t, &err) || ct_diff_cycles(&d, &cy, &err)))
		status = report_error("diff", &err);
	if (!status) {
		struct totals tot;
		totals_of(&d, &cy, &tot);
		int rc = json ? write_json(&d, &t, &cy, conds, n_conds, &tot, (uint32_t)top, &err) :
			 ndjson ? write_ndjson(&d, (uint32_t)top, &err) :
			 write_text(&d, &t, &cy, (uint32_t)top);
		if (rc)
			status = rc == CT_EIO ? EXIT_FAILURE_ : report_error("standard output", &err);
		for (uint32_t i = 0; !status && i < n_conds; i++) {
			if (cond_holds(&conds[i], &tot)) {
				say("diff: --fail-if %s holds (%" PRId64 ")", conds[i].text,
				    tot.v[conds[i].name]);
				status = EXIT_CONDITION;
			}
		}
	}
	ct_diff_cycles_finish(&cy);
	ct_diff_table_finish(&t);
	ct_diff_finish(&d);
	free(conds);
	return status;
}
