/*
 * eval-set.c: a language-engine check against its labelled sets (see
 * eval-set.h), for lang-eval.c and coach-eval.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval-set.h"
#include "core/lang.h"

#define EVAL_LINE_MAX 2048

struct counts {
	unsigned tp, fp, fn;
};

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 1.0;
}

/* The labels of a line ("-", "criticism", "a,b") as a bit set; -1 for an unknown name. */
static long label_set(const struct eval_check *c, char *label)
{
	long set = 0;
	char *save = NULL, *name;
	int p;

	if (!strcmp(label, "-"))
		return 0;
	for (name = strtok_r(label, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (p = 0; p < c->nlabels; p++)
			if (!strcmp(name, c->name(p)))
				break;
		if (p == c->nlabels)
			return -1;
		set |= 1L << p;
	}
	return set;
}

/* One sentence the check got wrong: what was wanted, what was found. */
static void explain_line(const struct eval_check *c, const char *lang, unsigned lineno, long want,
			 const struct eval_found *f, size_t n, const char *text)
{
	size_t k;
	int p;

	printf("  %s:%u want", lang, lineno);
	for (p = 0; p < c->nlabels; p++)
		if (want & (1L << p))
			printf(" %s", c->name(p));
	printf(" got");
	for (k = 0; k < n; k++)
		printf(" %s[%.*s]", c->name(f[k].label), (int)f[k].len, text + f[k].start);
	printf(": %s\n", text);
}

/* Counts one set into counts; returns the number of sentences, or -1 (said on stderr). */
static long eval_file(const struct eval_check *c, const char *path, const char *lang, int explain,
		      struct counts counts[EVAL_LABELS_MAX])
{
	struct eval_found f[EVAL_FINDINGS_MAX];
	char line[EVAL_LINE_MAX], *tab, *text;
	const char *why = NULL;
	unsigned lineno = 0;
	long sentences = 0, want, got, bit;
	size_t n, k, len;
	FILE *in = fopen(path, "r"); /* raw-fd: an evaluation set under tests/ */
	int p, r;

	if (!in) {
		fprintf(stderr, "%s: %s: %s\n", c->tool, path, strerror(errno));
		return -1;
	}
	while (!why && fgets(line, sizeof(line), in)) {
		lineno++;
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			why = "no tab";
			break;
		}
		*tab = '\0';
		text = tab + 1;
		want = label_set(c, line);
		if (want < 0) {
			why = "unknown label";
			break;
		}
		r = c->check(text, strlen(text), f, EVAL_FINDINGS_MAX, &n);
		if (r < 0) {
			why = strerror(-r);
			break;
		}
		got = 0;
		for (k = 0; k < n; k++)
			got |= 1L << f[k].label;
		sentences++;
		for (p = 0; p < c->nlabels; p++) {
			bit = 1L << p;
			if ((want & bit) && (got & bit))
				counts[p].tp++;
			else if (got & bit)
				counts[p].fp++;
			else if (want & bit)
				counts[p].fn++;
		}
		if (explain && want != got)
			explain_line(c, lang, lineno, want, f, n, text);
	}
	fclose(in);
	if (why) {
		fprintf(stderr, "%s: %s:%u: %s\n", c->tool, path, lineno, why);
		return -1;
	}
	return sentences;
}

/* Prints the figures; 1 when one under min falls where the tool gates, else 0. */
static int report(const struct eval_check *c, struct counts counts[][EVAL_LABELS_MAX],
		  const long *sentences, double min)
{
	int r, p, below = 0;

	printf("lang sentences precision    recall\n");
	for (r = 0; r < LANG_LANGUAGES; r++) {
		struct counts all = {0, 0, 0};
		double pr, re;

		for (p = 0; p < c->nlabels; p++) {
			all.tp += counts[r][p].tp;
			all.fp += counts[r][p].fp;
			all.fn += counts[r][p].fn;
		}
		pr = ratio(all.tp, all.tp + all.fp);
		re = ratio(all.tp, all.tp + all.fn);
		printf("%-4s %9ld %9.2f %9.2f   (tp %u, fp %u, fn %u)\n", lang_codes[r],
		       sentences[r], pr, re, all.tp, all.fp, all.fn);
		if (!c->gate_per_label && (pr < min || re < min))
			below = 1;
	}
	printf("\nper %s (precision / recall):\n%-20s", c->label_word, "");
	for (r = 0; r < LANG_LANGUAGES; r++)
		printf("   %-11s", lang_codes[r]);
	printf("\n");
	for (p = 0; p < c->nlabels; p++) {
		printf("%-20s", c->name(p));
		for (r = 0; r < LANG_LANGUAGES; r++) {
			const struct counts *k = &counts[r][p];
			double pr = ratio(k->tp, k->tp + k->fp), re = ratio(k->tp, k->tp + k->fn);

			printf("   %.2f / %.2f", pr, re);
			if (c->gate_per_label && (pr < min || re < min))
				below = 1;
		}
		printf("\n");
	}
	if (below)
		printf("\nbelow %.2f %s\n", min,
		       c->gate_per_label ? "for at least one label in one language"
					 : "in at least one language");
	return below;
}

int eval_main(const struct eval_check *c, int argc, char **argv)
{
	struct counts counts[LANG_LANGUAGES][EVAL_LABELS_MAX];
	long sentences[LANG_LANGUAGES];
	char path[4096], err[512] = "";
	const char *set = NULL;
	double min = 0;
	int explain = 0, i, r, below;

	if (c->nlabels > EVAL_LABELS_MAX)
		return 2;
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
		fprintf(stderr, "usage: %s [--min X] [--explain] [--set NAME] SOURCE_ROOT\n",
			c->tool);
		return 2;
	}
	r = c->load(argv[i], err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", c->tool, err);
		return 2;
	}
	memset(counts, 0, sizeof(counts));
	for (r = 0; r < LANG_LANGUAGES; r++) {
		snprintf(path, sizeof(path), "%s/%s/%s%s%s.tsv", argv[i], c->dir, set ? set : "",
			 set ? "-" : "", lang_codes[r]);
		sentences[r] = eval_file(c, path, lang_codes[r], explain, counts[r]);
		if (sentences[r] < 0) {
			c->unload();
			return 2;
		}
	}
	below = report(c, counts, sentences, min);
	c->unload();
	return below;
}
