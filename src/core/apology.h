/*
 * apology.h: the statement check of step 1.  Before a member delivers an
 * accountability statement, its words are read for non-apology patterns
 * (PROGRAM.md, step 1, and issue 16): a conditional apology ("sorry if"),
 * blame shifted onto the partner ("sorry you feel", "you made me"),
 * minimising ("it was just"), a "but" after an apology, agentless wording
 * ("mistakes were made"), demanding forgiveness or forgetting ("you need to
 * get over it"), "I already said sorry", comparison ("others do far
 * worse") and justification that excuses ("I had no choice").
 *
 * The words are read by the language engine (core/lang.h) with the
 * patterns of data/language/<lang>.txt, loaded once by apology_load().  A
 * finding is a suggestion to reread, never a verdict: the member decides.
 */
#ifndef KINTSUGI_CORE_APOLOGY_H
#define KINTSUGI_CORE_APOLOGY_H

#include <stddef.h>

enum apology_pattern {
	APOLOGY_CONDITIONAL,	   /* "sorry if", "lo siento si", "прости, если" */
	APOLOGY_BLAME_SHIFT,	   /* "sorry you feel", "me hiciste", "ты меня довёл" */
	APOLOGY_MINIMISING,	   /* "it was just", "no fue para tanto", "всего лишь" */
	APOLOGY_BUT_AFTER_APOLOGY, /* "I'm sorry, but", "perdón, pero", "прости, но" */
	APOLOGY_AGENTLESS, /* "mistakes were made", "se cometieron errores", "так получилось" */
	APOLOGY_DEMAND, /* "you need to get over it", "tienes que superarlo", "забудь" */
	APOLOGY_ALREADY_APOLOGISED, /* "I already said sorry", "ya te pedí perdón", "я уже
				       извинился" */
	APOLOGY_COMPARISON, /* "others do far worse", "al menos no", "все так делают" */
	APOLOGY_JUSTIFICATION, /* "I had no choice", "estaba borracho", "у меня не было выбора" */
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
 * apology_load() - read the patterns of every language from
 * <data_dir>/data/language/<lang>.txt (core/lang.h, docs/language.md).
 * Call once at start-up, before any check; a missing or bad file fails
 * with errbuf naming the file and the line.  Returns 0, -EINVAL, -ENOMEM
 * or an errno of reading; -EALREADY when loaded already.
 */
int apology_load(const char *data_dir, char *errbuf, size_t errlen);

/* apology_unload() - release what apology_load() read; safe to call twice. */
void apology_unload(void);

/*
 * apology_check() - find non-apology patterns in text (len bytes of UTF-8,
 * need not be NUL-terminated; invalid bytes count as spaces).  Thread-safe
 * once apology_load() has run (-ENOENT before).  lang "en",
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
 * "but_after_apology", "agentless", "demand", "already_apologised",
 * "comparison", "justification" (the names of data/language/ files and of
 * the API's flags); NULL when p is out of range.  Static. */
const char *apology_pattern_name(enum apology_pattern p);

/* apology_suggestion() - a gentle sentence about pattern p in the thread's
 * language (never NULL; static or from the catalog: never free it). */
const char *apology_suggestion(enum apology_pattern p);

#endif
