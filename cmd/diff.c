/* cycletool diff: growth across dumps of one process (issue 12, work in
 * progress: the types table). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/diff.h"
#include "../lib/jsonw.h"
#include "../lib/present.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool diff [OPTION]... DUMP1 DUMP2 [DUMP3]...\n"
"Compare dumps of one process, oldest first: per type, the count and bytes\n"
"in every dump, the objects new in the last dump and deleted since the\n"
"first (V8: by node id; Python: by address and type), and the trend,\n"
"largest growth in bytes first.  Dumps are loaded one after another and\n"
"only their summaries kept.\n"
"\n"
"Output:\n"
"      --json             one JSON document (identity, dumps, types)\n"
"  -n, --top=N            the N types that grew most (default 20; 0 = all)\n"
"\n"
"Input:\n"
INPUT_HELP
"\n"
"  -h, --help             show this help and exit\n"
"\n"
"Exit status: 0 ok, 2 usage error (fewer than two dumps, dumps of\n"
"different formats), 3 input malformed or unreadable, 4 out of memory or\n"
"output not written.\n";

enum { OPT_JSON = 256 };

static const struct option longopts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"top", required_argument, NULL, 'n'},
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

static const char *identity_name(enum ct_diff_identity id)
{
	return id == CT_DIFF_EXACT ? "exact" : id == CT_DIFF_ADDRESS ? "address" : "none";
}

static const char *identity_text(enum ct_diff_identity id)
{
	return id == CT_DIFF_EXACT ? "objects matched by V8 node id and type" :
	       id == CT_DIFF_ADDRESS ? "objects matched by address and type (an address "
				       "reused by a new object of the same type counts as "
				       "the same object)" :
	       "no object identity in this format: counts only";
}

static int write_text(const struct ct_diff *d, const struct ct_diff_table *t, uint32_t top)
{
	char b1[CT_PRESENT_BYTES_MAX];
	uint32_t nd = d->n_dumps;

	for (uint32_t k = 0; k < nd; k++) {
		ct_present_bytes(d->dumps[k].bytes, b1);
		printf("dump %" PRIu32 ": ", k + 1);
		ct_present_put(stdout, d->dumps[k].file, SIZE_MAX);
		printf(": %" PRIu64 " objects, %s\n", d->dumps[k].objects, b1);
	}
	printf("identity: %s\n\n", identity_text(d->identity));
	printf("%-30s  %10s  %10s  %8s  %8s  %9s  %-9s  %s\n", "TYPE", "COUNT +/-",
	       "BYTES +/-", "NEW", "DELETED", "SURVIVORS", "TREND", "COUNTS");
	for (uint32_t i = 0; i < t->n && (!top || i < top); i++) {
		const struct ct_diff_type *r = &t->rows[i];
		char name[CT_PRESENT_NAME_BYTES * 4 + 8];
		const char *tn = ct_strings_get(&d->types, r->type);
		ct_present_text(name, sizeof(name), tn, strlen(tn), CT_PRESENT_NAME_BYTES);
		uint64_t mag = r->bytes_delta < 0 ? (uint64_t)-(r->bytes_delta + 1) + 1 :
			       (uint64_t)r->bytes_delta;
		ct_present_bytes(mag, b1);
		printf("%-30s  %+10" PRId64 "  %c%9s  %8" PRIu64 "  %8" PRIu64 "  %9" PRIu64
		       "  %-9s  ", name, r->count_delta, r->bytes_delta < 0 ? '-' : '+', b1,
		       r->new_objects, r->deleted, r->survivors, ct_diff_trend_name(r->trend));
		for (uint32_t k = 0; k < nd; k++)
			printf("%s%" PRIu64, k ? " → " : "", r->counts[k]);
		putchar('\n');
	}
	return ferror(stdout) ? CT_EIO : 0;
}

static int write_json(const struct ct_diff *d, const struct ct_diff_table *t, uint32_t top,
		      struct ct_error *err)
{
	struct ct_jsonw w;
	uint32_t nd = d->n_dumps;

	ct_jsonw_init(&w, stdout);
	ct_jsonw_object(&w);
	ct_jsonw_kstring(&w, "format", d->format ? d->format : "");
	ct_jsonw_kstring(&w, "identity", identity_name(d->identity));
	ct_jsonw_key(&w, "dumps");
	ct_jsonw_array(&w);
	for (uint32_t k = 0; k < nd; k++) {
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "file", d->dumps[k].file);
		ct_jsonw_ku64(&w, "objects", d->dumps[k].objects);
		ct_jsonw_ku64(&w, "bytes", d->dumps[k].bytes);
		ct_jsonw_end(&w);
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
		ct_jsonw_key(&w, "counts");
		ct_jsonw_array(&w);
		for (uint32_t k = 0; k < nd; k++)
			ct_jsonw_u64(&w, r->counts[k]);
		ct_jsonw_end(&w);
		ct_jsonw_key(&w, "bytes");
		ct_jsonw_array(&w);
		for (uint32_t k = 0; k < nd; k++)
			ct_jsonw_u64(&w, r->bytes[k]);
		ct_jsonw_end(&w);
		ct_jsonw_ku64(&w, "new", r->new_objects);
		ct_jsonw_ku64(&w, "deleted", r->deleted);
		ct_jsonw_ku64(&w, "survivors", r->survivors);
		ct_jsonw_kstring(&w, "trend", ct_diff_trend_name(r->trend));
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	return ct_jsonw_finish(&w, err);
}

int cmd_diff(int argc, char **argv)
{
	struct common_opts common = COMMON_OPTS_INIT;
	bool json = false;
	unsigned long top = 20;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:hn:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case 'n':
			if (!parse_uint(optarg, UINT32_MAX, &top))
				return usage_error("diff", "--top needs a number, not '%s'", optarg);
			break;
		default:
			if ((status = common_option(c, "diff", usage, argv, &common)) != OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (argc - optind < 2)
		return usage_error("diff", "give two dumps or more, oldest first");

	struct ct_diff d;
	struct ct_diff_table t = {0};
	struct ct_error err = {0};
	status = 0;
	ct_diff_init(&d);
	for (int i = optind; i < argc && !status; i++) {
		struct ct_graph g;
		if ((status = load_graph(argv[i], common.format, common.load | CT_BUILD_NO_LABELS,
					 &g)))
			break;
		int rc = ct_diff_add(&d, &g, argv[i], &err);
		ct_graph_finish(&g);
		if (rc == CT_EUSAGE)
			status = usage_error("diff", "%s", err.msg);
		else if (rc)
			status = report_error(argv[i], &err);
	}
	if (!status && ct_diff_types(&d, &t, &err))
		status = report_error("diff", &err);
	if (!status) {
		int rc = json ? write_json(&d, &t, (uint32_t)top, &err) :
			 write_text(&d, &t, (uint32_t)top);
		if (rc)
			status = rc == CT_EIO ? EXIT_FAILURE_ : report_error("standard output", &err);
	}
	ct_diff_table_finish(&t);
	ct_diff_finish(&d);
	return status;
}
