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
 * sentence the check got wrong.  `make language-eval` runs it; src/core/eval-set.c does
 * the counting, as for the coach.
 */
#include <stddef.h>

#include "core/apology.h"
#include "core/eval-set.h"

static const char *label_name(int label)
{
	return apology_pattern_name((enum apology_pattern)label);
}

static int check(const char *text, size_t len, struct eval_found *out, size_t max, size_t *n)
{
	struct apology_finding f[APOLOGY_FINDINGS_MAX];
	size_t k;
	int r;

	r = apology_check(text, len, NULL, f, APOLOGY_FINDINGS_MAX, n);
	if (r < 0)
		return r;
	if (*n > max)
		*n = max;
	for (k = 0; k < *n; k++) {
		out[k].label = (int)f[k].pattern;
		out[k].start = f[k].start;
		out[k].len = f[k].len;
	}
	return 0;
}

static const struct eval_check statement = {
	.tool = "lang-eval",
	.dir = "tests/language",
	.label_word = "kind",
	.nlabels = _APOLOGY_PATTERN_MAX,
	.gate_per_label = 0,
	.name = label_name,
	.load = apology_load,
	.unload = apology_unload,
	.check = check,
};

_Static_assert(_APOLOGY_PATTERN_MAX <= EVAL_LABELS_MAX, "every label fits the counts");

int main(int argc, char **argv)
{
	return eval_main(&statement, argc, argv);
}
