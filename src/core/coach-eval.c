/*
 * coach-eval.c: the message coach against the labelled set of
 * tests/coach/<lang>.tsv (docs/coach.md), the way lang-eval.c measures the
 * statement check.  Each line is the patterns a couples therapist would
 * flag, comma-separated ("-" for none), a tab, a sentence.  Every sentence
 * is checked the way the server checks a text sent without a language (all
 * three languages' patterns); per sentence, a pattern flagged and expected
 * is a true positive, flagged and not expected a false positive, expected
 * and not flagged a false negative.  Prints precision and recall per
 * language, and per pattern and language.
 *
 *   coach-eval [--min X] [--explain] [--set NAME] SOURCE_ROOT
 *
 * --set NAME reads tests/coach/NAME-<lang>.tsv instead.  --min X: exit 1
 * when any pattern's precision or recall in any language is below X (the
 * meson test "coach-eval" runs with 0.85).  --explain: print each sentence
 * the coach got wrong.  `make coach-eval` runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/coach.h"
#include "core/lang.h"

#define EVAL_LINE_MAX 2048

struct counts {
	unsigned tp, fp, fn;
};

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 1.0;
}

/* The patterns of a label ("-", "criticism", "a,b") as a bit set; -1 for an unknown name. */
static long label_patterns(char *label)
{
	long set = 0;
	char *save = NULL, *name;
	int p;

	if (!strcmp(label, "-"))
		return 0;
	for (name = strtok_r(label, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		p = coach_pattern_from_name(name);
		if (p < 0)
			return -1;
		set |= 1L << p;
	}
	return set;
}

/* Counts one file into kinds; returns the number of sentences, or -1. */
static long eval_file(const char *path, const char *lang, int explain,
		      struct counts kinds[_COACH_PATTERN_MAX])
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	char line[EVAL_LINE_MAX], *tab, *text;
	unsigned lineno = 0;
	long sentences = 0, want, got, bit;
	size_t n, k, len;
	FILE *in = fopen(path, "r"); /* raw-fd: an evaluation set under tests/coach */
	int p, r;

	if (!in) {
		fprintf(stderr, "coach-eval: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "coach-eval: %s:%u: no tab\n", path, lineno);
			fclose(in);
			return -1;
		}
		*tab = '\0';
		text = tab + 1;
		want = label_patterns(line);
		if (want < 0) {
			fprintf(stderr, "coach-eval: %s:%u: unknown pattern\n", path, lineno);
			fclose(in);
			return -1;
		}
		r = coach_check(text, strlen(text), NULL, f, COACH_FINDINGS_MAX, &n);
		if (r < 0) {
			fprintf(stderr, "coach-eval: %s:%u: check failed: %s\n", path, lineno,
				strerror(-r));
			fclose(in);
			return -1;
		}
		got = 0;
		for (k = 0; k < n; k++)
			got |= 1L << f[k].pattern;
		sentences++;
		for (p = 0; p < _COACH_PATTERN_MAX; p++) {
			bit = 1L << p;
			if ((want & bit) && (got & bit))
				kinds[p].tp++;
			else if (got & bit)
				kinds[p].fp++;
			else if (want & bit)
				kinds[p].fn++;
		}
		if (explain && want != got) {
			printf("  %s:%u want", lang, lineno);
			for (p = 0; p < _COACH_PATTERN_MAX; p++)
				if (want & (1L << p))
					printf(" %s", coach_pattern_name((enum coach_pattern)p));
			printf(" got");
			for (k = 0; k < n; k++)
				printf(" %s[%.*s]", coach_pattern_name(f[k].pattern), (int)f[k].len,
				       text + f[k].start);
			printf(": %s\n", text);
		}
	}
	fclose(in);
	return sentences;
}

int main(int argc, char **argv)
{
	struct counts kinds[LANG_LANGUAGES][_COACH_PATTERN_MAX];
	char path[4096], err[512] = "";
	const char *set = NULL;
	double min = 0;
	int explain = 0, i, p, below = 0, r;
	long sentences[LANG_LANGUAGES];

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--min") && i + 1 < argc - 1)
			min = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--explain"))
			explain = 1;
		else if (!strcmp(argv[i], "--set") && i + 1 < argc - 1)
			set = argv[++i];
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr,
			"usage: coach-eval [--min X] [--explain] [--set NAME] SOURCE_ROOT\n");
		return 2;
	}
	r = coach_load(argv[i], err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "coach-eval: %s\n", err);
		return 2;
	}
	memset(kinds, 0, sizeof(kinds));
	for (r = 0; r < LANG_LANGUAGES; r++) {
		snprintf(path, sizeof(path), "%s/tests/coach/%s%s%s.tsv", argv[i], set ? set : "",
			 set ? "-" : "", lang_codes[r]);
		sentences[r] = eval_file(path, lang_codes[r], explain, kinds[r]);
		if (sentences[r] < 0) {
			coach_unload();
			return 2;
		}
	}
	printf("lang sentences precision    recall\n");
	for (r = 0; r < LANG_LANGUAGES; r++) {
		struct counts all = {0, 0, 0};

		for (p = 0; p < _COACH_PATTERN_MAX; p++) {
			all.tp += kinds[r][p].tp;
			all.fp += kinds[r][p].fp;
			all.fn += kinds[r][p].fn;
		}
		printf("%-4s %9ld %9.2f %9.2f   (tp %u, fp %u, fn %u)\n", lang_codes[r],
		       sentences[r], ratio(all.tp, all.tp + all.fp), ratio(all.tp, all.tp + all.fn),
		       all.tp, all.fp, all.fn);
	}
	printf("\nper pattern (precision / recall):\n%-16s", "");
	for (r = 0; r < LANG_LANGUAGES; r++)
		printf("   %-11s", lang_codes[r]);
	printf("\n");
	for (p = 0; p < _COACH_PATTERN_MAX; p++) {
		printf("%-16s", coach_pattern_name((enum coach_pattern)p));
		for (r = 0; r < LANG_LANGUAGES; r++) {
			const struct counts *c = &kinds[r][p];
			double pr = ratio(c->tp, c->tp + c->fp), re = ratio(c->tp, c->tp + c->fn);

			printf("   %.2f / %.2f", pr, re);
			if (pr < min || re < min)
				below = 1;
		}
		printf("\n");
	}
	coach_unload();
	if (below)
		printf("\nbelow %.2f for at least one pattern in one language\n", min);
	return below;
}
