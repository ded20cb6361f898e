/*
 * bench/language: the statement check's time over a 2,000-character
 * statement (a benchmark, not a test; docs/language.md records the figure).
 *
 * For each language, two texts of 2,000 characters (code points) made of
 * the sentences of tests/language/<lang>.tsv: the sincere ones only (no
 * finding, so every word is read: the slowest case), and all of them in
 * the file's order (findings stop at APOLOGY_FINDINGS_MAX, as in the
 * server).  Each is checked the way the server checks a statement part
 * (apology_check() with all three languages' patterns) ITERATIONS times
 * after a warm-up; the median of BENCH_ROUNDS rounds is printed in
 * microseconds of CPU time per check (the thread's CPU clock: less
 * sensitive than wall time to other load on the machine).  The budget is
 * 200 µs.  The message coach (core/coach.h, docs/coach.md) is timed the
 * same way over the same texts: the words people write when hurting.
 *
 *   bench/language SOURCE_ROOT [ITERATIONS]     (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/apology.h"
#include "core/coach.h"
#include "core/lang.h"

#define BENCH_CHARS  2000
#define BENCH_ROUNDS 5

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Code points in s[0..n). */
static size_t code_points(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * The sentences of path (only the sincere ones when sincere is set) joined
 * into text (cap bytes), the last one cut so that the text holds exactly
 * BENCH_CHARS code points.  Returns its length in bytes, 0 when too short.
 */
static size_t statement_from(const char *path, int sincere, char *text, size_t cap)
{
	char line[2048], *s;
	size_t len = 0, chars = 0, i;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (chars < BENCH_CHARS && fgets(line, sizeof(line), f)) {
		s = strchr(line, '\t');
		if (line[0] == '#' || !s || (sincere && line[0] != '-'))
			continue;
		s++;
		s[strcspn(s, "\r\n")] = '\0';
		for (i = 0; s[i] && len + 5 < cap; i++) {
			if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == BENCH_CHARS)
				break;
			text[len++] = s[i];
		}
		if (chars < BENCH_CHARS && len + 1 < cap) {
			text[len++] = ' ';
			chars++;
		}
	}
	fclose(f);
	return chars >= BENCH_CHARS ? len : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The coach's median µs per check of text, as above; -1 when a check fails. */
static double coach_time(const char *text, size_t len, long iterations, size_t *ret_n)
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	double rounds[BENCH_ROUNDS], t0;
	long i;
	int k;

	for (i = 0; i < 200; i++) /* warm-up */
		coach_check(text, len, NULL, f, COACH_FINDINGS_MAX, ret_n);
	for (k = 0; k < BENCH_ROUNDS; k++) {
		t0 = now_us();
		for (i = 0; i < iterations; i++)
			if (coach_check(text, len, NULL, f, COACH_FINDINGS_MAX, ret_n) < 0)
				return -1;
		rounds[k] = (now_us() - t0) / (double)iterations;
	}
	qsort(rounds, BENCH_ROUNDS, sizeof(rounds[0]), cmp_double);
	return rounds[BENCH_ROUNDS / 2];
}

int main(int argc, char **argv)
{
	static char text[16384];
	struct apology_finding f[APOLOGY_FINDINGS_MAX];
	char path[4096], err[512] = "";
	double rounds[BENCH_ROUNDS], t0;
	long iterations = argc > 2 ? atol(argv[2]) : 2000;
	size_t len, n = 0;
	int li, r, k;
	long i;

	if (argc < 2 || iterations <= 0) {
		fprintf(stderr, "usage: bench/language SOURCE_ROOT [ITERATIONS]\n");
		return 2;
	}
	if (apology_load(argv[1], err, sizeof(err)) < 0 ||
	    coach_load(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "bench/language: %s\n", err);
		apology_unload();
		return 1;
	}
	printf("statement check over %d characters, all three languages' patterns, median of %d "
	       "rounds of %ld (CPU time):\n",
	       BENCH_CHARS, BENCH_ROUNDS, iterations);
	for (li = 0; li < LANG_LANGUAGES * 2; li++) {
		int sincere = li % 2 == 0;

		snprintf(path, sizeof(path), "%s/tests/language/%s.tsv", argv[1],
			 lang_codes[li / 2]);
		len = statement_from(path, sincere, text, sizeof(text));
		if (len == 0) {
			fprintf(stderr, "bench/language: %s is too short\n", path);
			coach_unload();
			apology_unload();
			return 1;
		}
		for (i = 0; i < 200; i++) /* warm-up */
			apology_check(text, len, NULL, f, APOLOGY_FINDINGS_MAX, &n);
		for (k = 0; k < BENCH_ROUNDS; k++) {
			t0 = now_us();
			for (i = 0; i < iterations; i++) {
				r = apology_check(text, len, NULL, f, APOLOGY_FINDINGS_MAX, &n);
				if (r < 0) {
					fprintf(stderr, "bench/language: check failed\n");
					coach_unload();
					apology_unload();
					return 1;
				}
			}
			rounds[k] = (now_us() - t0) / (double)iterations;
		}
		qsort(rounds, BENCH_ROUNDS, sizeof(rounds[0]), cmp_double);
		printf("  %s, %-8s %zu characters, %5zu bytes, %2zu findings: %6.1f µs per check\n",
		       lang_codes[li / 2], sincere ? "sincere:" : "mixed:", code_points(text, len),
		       len, n, rounds[BENCH_ROUNDS / 2]);
		rounds[0] = coach_time(text, len, iterations, &n);
		if (rounds[0] < 0) {
			fprintf(stderr, "bench/language: the coach failed\n");
			coach_unload();
			apology_unload();
			return 1;
		}
		printf("  %s, %-8s the message coach,           %2zu findings: %6.1f µs per "
		       "check\n",
		       lang_codes[li / 2], sincere ? "sincere:" : "mixed:", n, rounds[0]);
	}
	coach_unload();
	apology_unload();
	return 0;
}
