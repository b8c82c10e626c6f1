/* Unit test: formats/python.c, where the header says where the dump came
 * from (pid, seq, time into struct ct_graph) and what bad values do. */
#include <inttypes.h>

#include "check.h"
#include "formats/loader.h"

#define OBJ "{\"address\": 16, \"type\": \"A\", \"size\": 8, \"refs\": [16]}\n"
#define END "{\"cycletool_dump_end\": 1, \"objects\": 1}\n"

static int load(const char *text, const char *format, struct ct_graph *g, struct ct_error *err)
{
	struct ct_input in;

	ct_input_init_mem(&in, text, strlen(text));
	int rc = ct_load(&in, format, 0, g, err);
	ct_input_finish(&in);
	return rc;
}

static void load_ok(const char *what, const char *text, const char *format, uint64_t pid,
		    uint64_t seq, double time)
{
	struct ct_graph g;
	struct ct_error err = {0};

	int rc = load(text, format, &g, &err);
	if (CHECK(rc == 0, "%s: rc %d '%s' at %" PRIu64 ":%" PRIu64, what, rc, err.msg, err.line,
		  err.column)) {
		CHECK(g.n_nodes == 1 && g.n_edges == 1, "%s: %" PRIu32 " nodes %" PRIu32 " edges",
		      what, g.n_nodes, g.n_edges);
		CHECK(g.pid == pid, "%s: pid %" PRIu64 " want %" PRIu64, what, g.pid, pid);
		CHECK(g.seq == seq, "%s: seq %" PRIu64 " want %" PRIu64, what, g.seq, seq);
		CHECK(g.time == time, "%s: time %.17g want %.17g", what, g.time, time);
	}
	ct_graph_finish(&g);
}

static void load_bad(const char *what, const char *text, uint64_t line, uint64_t col,
		     const char *msg)
{
	struct ct_graph g;
	struct ct_error err = {0};

	int rc = load(text, NULL, &g, &err);
	CHECK(rc == CT_EINPUT, "%s: rc %d, want CT_EINPUT", what, rc);
	CHECK(err.line == line && err.column == col, "%s: at %" PRIu64 ":%" PRIu64 " want %"
	      PRIu64 ":%" PRIu64 " (%s)", what, err.line, err.column, line, col, err.msg);
	CHECK(strstr(err.msg, msg) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, msg);
	CHECK(g.n_nodes == 0 && g.pid == 0 && g.seq == 0 && g.time == 0,
	      "%s: the graph is left zeroed", what);
	ct_graph_finish(&g);
}

/* Progress while a file is parsed in pieces: reported from the loader's
 * thread, in order, never past the file's size, up to its end. */
struct seen {
	uint64_t calls, last, total, max;
	bool backwards;
};

static void seen_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct seen *s = ctx;

	s->backwards |= done < s->last;
	s->calls++;
	s->last = done;
	s->total = total;
	if (done > s->max)
		s->max = done;
}

static void test_progress(void)
{
	uint32_t n = test_small() ? 150000 : 400000;   /* 9 or 24 MB */
	FILE *fp = tmpfile();
	if (!CHECK(fp != NULL, "tmpfile"))
		return;
	fprintf(fp, "{\"cycletool_dump\":3}\n");
	for (uint32_t i = 0; i < n; i++)
		fprintf(fp, "{\"address\":%" PRIu32 ",\"type\":\"A\",\"size\":8,\"refs\":[%" PRIu32
			"],\"labels\":[\".next\"]}\n", 16 * (i + 1), 16 * ((i + 1) % n + 1));
	fprintf(fp, "{\"cycletool_dump_end\":1,\"objects\":%" PRIu32 "}\n", n);
	fflush(fp);
	uint64_t size = (uint64_t)ftello(fp);
	for (unsigned threads = 1; threads <= 3; threads++) {
		struct ct_input in;
		struct ct_graph g;
		struct ct_error err = {0};
		struct seen s = {0};
		rewind(fp);
		ct_input_init_file(&in, fp, size);
		in.threads = threads;
		in.progress = seen_progress;
		in.progress_ctx = &s;
		int rc = ct_load(&in, NULL, 0, &g, &err);
		CHECK(rc == 0 && g.n_nodes == n, "%u threads: loads (%s)", threads, err.msg);
		/* One at the start, and more up to the end (how many the
		 * other threads add between the first piece's reports varies). */
		CHECK(s.calls >= 2, "%u threads: %" PRIu64 " reports for %" PRIu64 " MB", threads,
		      s.calls, size >> 20);
		CHECK(!s.backwards && s.total == size && s.max <= size && s.max + (8u << 20) > size,
		      "%u threads: reports in order up to the end (last %" PRIu64 ", most %" PRIu64
		      " of %" PRIu64 ")", threads, s.last, s.max, s.total);
		if (rc == 0)
			ct_graph_finish(&g);
		ct_input_finish(&in);
	}
	fclose(fp);
}

int main(void)
{
	test_progress();
	/* What the dumper writes. */
	load_ok("header", "{\"cycletool_dump\":1,\"python\":\"3.11.7\",\"implementation\":"
		"\"cpython\",\"pid\":4242,\"seq\":2,\"argv\":[\"app.py\"],"
		"\"time\":1764720000.123456}\n" OBJ END, NULL, 4242, 2, 1764720000.123456);
	/* Any order, "cycletool_dump" last; an integral time. */
	load_ok("header, keys in another order",
		"{\"time\": 1764720000, \"seq\": 1, \"pid\": 7, \"cycletool_dump\": 1}\n" OBJ END,
		NULL, 7, 1, 1764720000.0);
	load_ok("header, exponent time", "{\"cycletool_dump\": 1, \"time\": 1.5e9}\n" OBJ END, NULL,
		0, 0, 1.5e9);
	/* Older dumps and meliae's: unknown (0). */
	load_ok("header without pid, seq, time",
		"{\"cycletool_dump\": 1, \"python\": \"3.11\"}\n" OBJ END, NULL, 0, 0, 0);
	load_ok("meliae, no header", OBJ, NULL, 0, 0, 0);
	load_ok("meliae with --format", OBJ, "meliae", 0, 0, 0);
	/* On an object line these keys are not ours: ignored, whatever they hold. */
	load_ok("pid, seq and time on an object line",
		"{\"cycletool_dump\": 1, \"pid\": 5}\n"
		"{\"address\": 16, \"pid\": \"x\", \"seq\": -1, \"time\": \"now\", \"type\": \"A\", "
		"\"size\": 8, \"refs\": [16]}\n" END, NULL, 5, 0, 0);
	load_ok("meliae object with pid", "{\"address\": 16, \"pid\": -3, \"type\": \"A\", "
		"\"size\": 8, \"refs\": [16]}\n", NULL, 0, 0, 0);

	/* Bad values in the header, at the value's column. */
	load_bad("negative pid", "{\"cycletool_dump\": 1, \"pid\": -1}\n" OBJ END, 1, 30,
		 "\"pid\" must not be negative");
	load_bad("float seq", "{\"cycletool_dump\": 1, \"seq\": 1.0}\n" OBJ END, 1, 30,
		 "\"seq\" must be an integer");
	load_bad("string time", "{\"cycletool_dump\": 1, \"time\": \"1764720000\"}\n" OBJ END,
		 1, 31, "\"time\" must be a number");
	load_bad("negative time", "{\"cycletool_dump\": 1, \"time\": -1.5}\n" OBJ END, 1, 31,
		 "\"time\" must not be negative");
	load_bad("huge time", "{\"cycletool_dump\": 1, \"time\": 1e400}\n" OBJ END, 1, 31,
		 "\"time\" is too large");
	load_bad("pid too large", "{\"cycletool_dump\": 1, \"pid\": 18446744073709551616}\n"
		 OBJ END, 1, 30, "\"pid\" is too large");
	/* Before "cycletool_dump": still the header's, still an error. */
	load_bad("bad seq before the version", "{\"seq\": \"2\", \"cycletool_dump\": 1}\n" OBJ END,
		 1, 9, "\"seq\" must be an integer");
	/* The first bad value is the one reported. */
	load_bad("two bad values", "{\"cycletool_dump\": 1, \"pid\": 1.5, \"time\": null}\n"
		 OBJ END, 1, 30, "\"pid\"");
	/* A value that is not JSON at all is a syntax error, header or not. */
	load_bad("broken value on an object line", "{\"cycletool_dump\": 1}\n"
		 "{\"address\": 16, \"pid\": [1,}\n" END, 2, 27, "expected a value");

	return check_status("test_python_load");
}
