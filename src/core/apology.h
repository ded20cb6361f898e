/*
 * apology.h: the statement check of step 1.  Before a member delivers an
 * accountability statement, its words are read for four non-apology
 * patterns (PROGRAM.md, step 1): a conditional apology ("sorry if"), blame
 * shifted onto the partner ("sorry you feel", "you made me"), minimising
 * ("it was just"), and a "but" after an apology ("I'm sorry, but").
 *
 * The check is a pure function over a text and a language: no I/O, no
 * globals, no allocation the caller sees.  It folds case for ASCII, Latin-1
 * and Cyrillic (and Spanish accents, typographic apostrophes, ё/е), matches
 * whole words only, and reports where each finding sits in the text so the
 * exact words can be shown back.  A finding is a suggestion to reread, never
 * a verdict: the member decides.
 */
#ifndef KINTSUGI_CORE_APOLOGY_H
#define KINTSUGI_CORE_APOLOGY_H

#include <stddef.h>

enum apology_pattern {
	APOLOGY_CONDITIONAL,	   /* "sorry if", "lo siento si", "прости, если" */
	APOLOGY_BLAME_SHIFT,	   /* "sorry you feel", "me hiciste", "ты меня довёл" */
	APOLOGY_MINIMISING,	   /* "it was just", "no fue para tanto", "всего лишь" */
	APOLOGY_BUT_AFTER_APOLOGY, /* "I'm sorry, but", "perdón, pero", "прости, но" */
	_APOLOGY_PATTERN_MAX
};

/* One match: which pattern, and the bytes [start, start + len) of the text. */
struct apology_finding {
	enum apology_pattern pattern;
	size_t start; /* byte offset of the first matched word */
	size_t len;   /* bytes up to the end of the last matched word */
};

/* A text with more findings than this has bigger things to reread first. */
#define APOLOGY_FINDINGS_MAX 16
/* "sorry ... but": at most this many words between the two, in one sentence. */
#define APOLOGY_GAP_MAX 12
/* Longest text the check reads (bytes); statement parts are far shorter. */
#define APOLOGY_TEXT_MAX (256 * 1024)

/*
 * apology_check() - find non-apology patterns in text (len bytes of UTF-8,
 * need not be NUL-terminated; invalid bytes count as spaces).  lang "en",
 * "es" or "ru" checks that language's patterns; NULL or "" checks all three
 * (a statement may be written in any language, whatever the interface
 * says).  Findings are written to out (at most max of them), ordered by
 * where they start; two findings of the same pattern never overlap.
 * *ret_n receives their number.  Returns 0; -EINVAL for an unknown lang,
 * a NULL text with len > 0, NULL out with max > 0, NULL ret_n, or len over
 * APOLOGY_TEXT_MAX; -ENOMEM.  On failure *ret_n is not written.
 */
int apology_check(const char *text, size_t len, const char *lang, struct apology_finding *out,
		  size_t max, size_t *ret_n);

/* apology_pattern_name() - "conditional", "blame_shift", "minimising",
 * "but_after_apology"; NULL when p is out of range.  Static. */
const char *apology_pattern_name(enum apology_pattern p);

/* apology_suggestion() - a gentle sentence about pattern p in the thread's
 * language (never NULL; static or from the catalog: never free it). */
const char *apology_suggestion(enum apology_pattern p);

#endif
