/*
 * fuzz-mustache.c: libFuzzer target for the mustache compiler and renderer.
 *
 * Each input is compiled as a template and, when it compiles, rendered over
 * a small fixed context that has every kind of value (strings needing
 * escapes, numbers, booleans, null, nested objects, lists, an empty list).
 * Every partial name resolves to the template itself, so recursive
 * inclusion exercises the depth cap, and loops in loops the step and output
 * caps.  The
 * corpus in fuzz/corpus/mustache/ replays through this entry point as an
 * ordinary test.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_context[] =
	"{\"a\": \"x&<>\\\"'`=\", \"n\": 42, \"r\": 1.21, \"t\": true, \"f\": false,"
	" \"z\": null, \"e\": [], \"s\": \"\","
	" \"b\": {\"c\": {\"d\": \"deep\"}, \"l\": [1, 2.5, \"s\", null, true, {\"a\": 7}]},"
	" \"l\": [{\"n\": 1, \"a\": \"one\"}, {\"n\": 2}, [3, [4]]]}";

/*
 * Every partial is the template being fuzzed, up to FUZZ_PARTIAL_CALLS
 * lookups per input: deep linear recursion still reaches the 64-level cap,
 * while exponential inclusion ("{{>a}}{{>a}}") stops early instead of
 * filling the 16 MiB output cap on every run, which would slow the fuzzer
 * a hundredfold.  test-mustache.c covers those caps.
 */
#define FUZZ_PARTIAL_CALLS 256

struct fuzz_partials {
	const struct mustache *t; /* the template being fuzzed */
	unsigned calls;		  /* lookups so far */
};

static const struct mustache *fuzz_partial(void *ud, const char *name)
{
	struct fuzz_partials *fp = ud;

	(void)name;
	if (fp->calls >= FUZZ_PARTIAL_CALLS)
		return NULL;
	fp->calls++;
	return fp->t;
}

/*
 * LLVMFuzzerTestOneInput() - compile data as a template and render it.
 * Always returns 0; a crash, a leak or a sanitizer report is the finding.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	struct fuzz_partials fp = {0};
	struct mustache *t;
	char err[128], *out = NULL;
	size_t len = 0;

	if (!ctx) {
		/* Built once and kept: still reachable at exit, so not a leak. */
		ctx = json_loads(fuzz_context, 0, NULL);
		if (!ctx)
			abort();
	}
	t = mustache_compile((const char *)data, size, err, sizeof(err));
	if (!t) {
		/* A refusal must say where. */
		if (strncmp(err, "line ", 5))
			abort();
		return 0;
	}
	fp.t = t;
	if (mustache_render(t, ctx, fuzz_partial, &fp, &out, &len) == 0) {
		if (!out || out[len] != '\0')
			abort();
		free(out);
	}
	mustache_free(t);
	return 0;
}
