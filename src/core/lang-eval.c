/*
 * lang-eval.c: the statement check against the labelled set of
 * tests/language/<lang>.tsv (docs/language.md).  Each line is the kinds a
 * couples therapist would flag ("-" for none), a tab, a sentence.  Every
 * sentence is checked the way the server checks statements (with all three
 * languages' patterns); per sentence, a kind flagged and expected is a true
 * positive, flagged and not expected a false positive, expected and not
 * flagged a false negative.  Prints precision and recall per language and
 * per kind.
 *
 *   lang-eval [--min X] [--explain] [--set NAME] SOURCE_ROOT
 *
 * --set holdout reads tests/language/holdout-<lang>.tsv instead: sentences
 * written after the patterns and never used to tune them.
 * --min X: exit 1 when any language's precision or recall is below X (the
 * meson test "language-eval" runs with 0.85).  --explain: print each
 * sentence the check got wrong.  `make language-eval` runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apology.h"
#include "core/lang.h"

#define EVAL_LINE_MAX 2048

struct counts {
	unsigned tp, fp, fn;
};

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 1.0;
}

/* The kinds of a label ("-", "conditional", "a,b") as a bit set; -1 for an unknown name. */
static long label_kinds(char *label)
{
	long set = 0;
	char *save = NULL, *name;
	int p;

	if (!strcmp(label, "-"))
		return 0;
	for (name = strtok_r(label, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (p = 0; p < _APOLOGY_PATTERN_MAX; p++)
			if (!strcmp(name, apology_pattern_name((enum apology_pattern)p)))
				break;
		if (p == _APOLOGY_PATTERN_MAX)
			return -1;
		set |= 1L << p;
	}
	return set;
}

static int eval_file(const char *path, const char *lang, double min, int explain,
		     struct counts kinds[_APOLOGY_PATTERN_MAX])
{
	struct apology_finding f[APOLOGY_FINDINGS_MAX];
	struct counts all = {0, 0, 0};
	char line[EVAL_LINE_MAX], *tab, *text;
	unsigned lineno = 0, sentences = 0;
	long want, got, bit;
	size_t n, k, len;
	FILE *in = fopen(path, "r"); /* raw-fd: an evaluation set under tests/language */
	int p, r, ok;

	if (!in) {
		fprintf(stderr, "lang-eval: %s: %s\n", path, strerror(errno));
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
			fprintf(stderr, "lang-eval: %s:%u: no tab\n", path, lineno);
			fclose(in);
			return -1;
		}
		*tab = '\0';
		text = tab + 1;
		want = label_kinds(line);
		if (want < 0) {
			fprintf(stderr, "lang-eval: %s:%u: unknown kind\n", path, lineno);
			fclose(in);
			return -1;
		}
		r = apology_check(text, strlen(text), NULL, f, APOLOGY_FINDINGS_MAX, &n);
		if (r < 0) {
			fprintf(stderr, "lang-eval: %s:%u: check failed: %s\n", path, lineno,
				strerror(-r));
			fclose(in);
			return -1;
		}
		got = 0;
		for (k = 0; k < n; k++)
			got |= 1L << f[k].pattern;
		sentences++;
		for (p = 0; p < _APOLOGY_PATTERN_MAX; p++) {
			bit = 1L << p;
			if ((want & bit) && (got & bit))
				kinds[p].tp++, all.tp++;
			else if (got & bit)
				kinds[p].fp++, all.fp++;
			else if (want & bit)
				kinds[p].fn++, all.fn++;
		}
		if (explain && want != got) {
			printf("  %s:%u want", lang, lineno);
			for (p = 0; p < _APOLOGY_PATTERN_MAX; p++)
				if (want & (1L << p))
					printf(" %s",
					       apology_pattern_name((enum apology_pattern)p));
			printf(" got");
			for (k = 0; k < n; k++)
				printf(" %s[%.*s]", apology_pattern_name(f[k].pattern),
				       (int)f[k].len, text + f[k].start);
			printf(": %s\n", text);
		}
	}
	fclose(in);
	printf("%-4s %9u %9.2f %9.2f   (tp %u, fp %u, fn %u)\n", lang, sentences,
	       ratio(all.tp, all.tp + all.fp), ratio(all.tp, all.tp + all.fn), all.tp, all.fp,
	       all.fn);
	ok = ratio(all.tp, all.tp + all.fp) >= min && ratio(all.tp, all.tp + all.fn) >= min;
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct counts kinds[LANG_LANGUAGES][_APOLOGY_PATTERN_MAX];
	char path[4096], err[512] = "";
	const char *set = NULL;
	double min = 0;
	int explain = 0, i, p, below = 0, r;

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
			"usage: lang-eval [--min X] [--explain] [--set NAME] SOURCE_ROOT\n");
		return 2;
	}
	r = apology_load(argv[i], err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "lang-eval: %s\n", err);
		return 2;
	}
	memset(kinds, 0, sizeof(kinds));
	printf("lang sentences precision    recall\n");
	for (r = 0; r < LANG_LANGUAGES; r++) {
		snprintf(path, sizeof(path), "%s/tests/language/%s%s%s.tsv", argv[i],
			 set ? set : "", set ? "-" : "", lang_codes[r]);
		p = eval_file(path, lang_codes[r], min, explain, kinds[r]);
		if (p < 0) {
			apology_unload();
			return 2;
		}
		below |= p;
	}
	printf("\nper kind (precision / recall):\n%-20s", "");
	for (r = 0; r < LANG_LANGUAGES; r++)
		printf("   %-11s", lang_codes[r]);
	printf("\n");
	for (p = 0; p < _APOLOGY_PATTERN_MAX; p++) {
		printf("%-20s", apology_pattern_name((enum apology_pattern)p));
		for (r = 0; r < LANG_LANGUAGES; r++) {
			const struct counts *c = &kinds[r][p];

			printf("   %.2f / %.2f", ratio(c->tp, c->tp + c->fp),
			       ratio(c->tp, c->tp + c->fn));
		}
		printf("\n");
	}
	apology_unload();
	if (below)
		printf("\nbelow %.2f in at least one language\n", min);
	return below;
}
