/* Fuzz target for one loader: load from memory, analyse, free.  Any
 * crash, sanitizer report or leak is a bug.  CT_FUZZ_FORMAT names the
 * loader ("v8", "refjson"); without it every input goes through the
 * probes, which is how the Python loaders (cycletool, meliae) are fuzzed.
 *
 * Built by meson once per loader as an ordinary program whose main()
 * replays every file of a corpus directory (the 'fuzz' test suite).  To
 * fuzz for real with libFuzzer (clang), from the top of the tree, e.g. for
 * the V8 loader:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -DCT_FUZZ_LIBFUZZER -DCT_FUZZ_FORMAT='"v8"' -I. -I/usr/include/graphviz \
 *     tests/fuzz/fuzz_loader.c $(find lib formats -maxdepth 1 -name '*.c') \
 *     -lcgraph -lgvc -o fuzz_v8
 *   mkdir -p /tmp/fuzz-out
 *   ./fuzz_v8 -max_total_time=120 -max_len=8192 /tmp/fuzz-out tests/fuzz/corpus/v8
 *
 * Add any input that crashes to tests/fuzz/corpus/<format>/.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/loader.h"
#include "lib/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_input in;
	struct ct_graph g;
	struct ct_report r;
	struct ct_error err = {0};
	/* Every other input also tolerates dangling references, so the
	 * analyses see graphs that the strict loader would refuse. */
	unsigned opts = size && (data[size - 1] & 1) ? CT_BUILD_ALLOW_DANGLING : 0;

	ct_input_init_mem(&in, (const char *)data, size);
#ifdef CT_FUZZ_FORMAT
	if (ct_load(&in, CT_FUZZ_FORMAT, opts, &g, &err) == 0) {
#else
	if (ct_load(&in, NULL, opts, &g, &err) == 0) {
#endif
		struct ct_report_opts ro = {.top = size % 3, .min_size = size % 2};
		if (ct_report_build(&r, &g, &ro, &err) == 0)
			ct_report_finish(&r);
		ct_graph_finish(&g);
	} else if (err.code == 0 || err.msg[0] == '\0') {
		/* A failure must say why. */
		fprintf(stderr, "load failed without a message\n");
		abort();
	}
	ct_input_finish(&in);
	return 0;
}

#ifndef CT_FUZZ_LIBFUZZER
static int replay(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = malloc(cap);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(fp);
	/* An exact-size copy, so that reading past the end is caught. */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0, count = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			bad |= replay(argv[i]);
			count++;
			continue;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad |= replay(path);
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	if (count == 0) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	return bad;
}
#endif
