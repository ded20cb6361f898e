/*
 * eval-set.h: a check of the language engine (the statement check, the
 * message coach) measured against its labelled sets, written once for the
 * two tools that do it (lang-eval.c, coach-eval.c).  Each line of a set is
 * the labels a couples therapist would give, comma-separated ("-" for
 * none), a tab, a sentence; "#" lines are comments.  Every sentence is
 * checked with all three languages' patterns, the way the server checks a
 * text sent without a language; per sentence and label, flagged and
 * expected is a true positive, flagged and not expected a false positive,
 * expected and not flagged a false negative.
 *
 *   TOOL [--min X] [--explain] [--set NAME] SOURCE_ROOT
 *
 * reads SOURCE_ROOT/<dir>/<lang>.tsv (--set NAME: <dir>/NAME-<lang>.tsv),
 * prints precision and recall per language and per label and language;
 * --explain prints each sentence the check got wrong.  --min X: exit 1
 * when a figure falls below X (each language's, or each label's in each
 * language, as the tool says).  Exit 2 on a bad set or bad arguments.
 */
#ifndef KINTSUGI_CORE_EVAL_SET_H
#define KINTSUGI_CORE_EVAL_SET_H

#include <stddef.h>

#define EVAL_LABELS_MAX	  16 /* labels of one check */
#define EVAL_FINDINGS_MAX 16 /* findings of one sentence */

/* One finding of a check: its label and the bytes it covers. */
struct eval_found {
	int label;
	size_t start, len;
};

/* What a tool measures. */
struct eval_check {
	const char *tool;	/* "lang-eval": how messages name it */
	const char *dir;	/* the sets' folder under the source root: "tests/language" */
	const char *label_word; /* "kind", "pattern": the heading of the per-label table */
	int nlabels;		/* at most EVAL_LABELS_MAX */
	int gate_per_label; /* --min applies to each label in each language (else to each language)
			     */
	const char *(*name)(int label);
	/* load(root, errbuf, errlen): 0 or a negative errno; unload(): release it */
	int (*load)(const char *root, char *errbuf, size_t errlen);
	void (*unload)(void);
	/* check(text, len, out, max, &n): the findings of text, 0 or a negative errno */
	int (*check)(const char *text, size_t len, struct eval_found *out, size_t max, size_t *n);
};

/* eval_main() - the tool's main(): parse argv, measure, print; the exit status. */
int eval_main(const struct eval_check *c, int argc, char **argv);

#endif
