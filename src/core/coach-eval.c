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
 * the coach got wrong.  `make coach-eval` runs it; src/core/eval-set.c does the
 * counting, as for the statement check.
 */
#include <stddef.h>

#include "core/coach.h"
#include "core/eval-set.h"

static const char *label_name(int label)
{
	return coach_pattern_name((enum coach_pattern)label);
}

static int check(const char *text, size_t len, struct eval_found *out, size_t max, size_t *n)
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	size_t k;
	int r;

	r = coach_check(text, len, NULL, f, COACH_FINDINGS_MAX, n);
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

static const struct eval_check coach = {
	.tool = "coach-eval",
	.dir = "tests/coach",
	.label_word = "pattern",
	.nlabels = _COACH_PATTERN_MAX,
	.gate_per_label = 1,
	.name = label_name,
	.load = coach_load,
	.unload = coach_unload,
	.check = check,
};

_Static_assert(_COACH_PATTERN_MAX <= EVAL_LABELS_MAX, "every label fits the counts");

int main(int argc, char **argv)
{
	return eval_main(&coach, argc, argv);
}
