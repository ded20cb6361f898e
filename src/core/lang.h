/*
 * lang.h: a small language engine for the texts members write to each
 * other (the statement check today, the message coach later).
 *
 * Words are found by the Unicode word-break rules (ICU, UAX #29), folded
 * (Unicode case folding, then ё read as е, Latin accents and typographic
 * apostrophes folded) and stemmed by Snowball (libstemmer) for English,
 * Spanish and Russian.  Patterns are sequences of stems and word classes
 * with small gaps, and words that must not follow within N words ("[not<=N]
 * word"), kept as data: one file per language, each pattern under
 * a kind the file names (docs/language.md describes the format).  Two kinds
 * are the engine's own: "negation" patterns open a negation scope and
 * "quotation" patterns (reported speech: "I told you that") a quotation
 * scope, up to the end of the clause; a match that starts in either scope,
 * or inside quotation marks, is not reported ("It wasn't just a kiss").
 *
 * An engine is built once at start-up and read-only afterwards: any number
 * of threads may match with it at once (the Snowball stemmers, which are
 * not thread-safe, are lent out one set per call from a locked pool).
 */
#ifndef KINTSUGI_CORE_LANG_H
#define KINTSUGI_CORE_LANG_H

#include <stddef.h>

/* The languages an engine reads, in this order (files <dir>/<code>.txt). */
#define LANG_LANGUAGES 3
extern const char *const lang_codes[LANG_LANGUAGES];

#define LANG_KINDS_MAX	   32		/* kinds one caller names */
#define LANG_PATTERNS_MAX  1024		/* patterns in one file */
#define LANG_TOKENS_MAX	   16		/* tokens in one pattern */
#define LANG_GAP_MAX	   12		/* words one [gap<=N] may skip */
#define LANG_CLASS_ITEMS   96		/* words in one class */
#define LANG_LINE_MAX	   512		/* bytes in one line of a pattern file */
#define LANG_FILE_MAX	   (256 * 1024) /* bytes of one pattern file */
#define LANG_TEXT_MAX	   (256 * 1024) /* bytes of one text matched */
#define LANG_NEGATION_SPAN 5		/* words a negation reaches, within its clause */

struct lang_engine;

/* One match: the kind (an index into the caller's kinds), where it sits. */
struct lang_match {
	unsigned kind;
	size_t start, end;	 /* bytes: [start, end) from the first word to the last */
	size_t cp_start, cp_end; /* the same span in Unicode code points */
	unsigned line;		 /* the pattern's line in its file */
	unsigned lang;		 /* the index of its language in lang_codes */
};

/*
 * lang_engine_new() - an empty engine whose pattern files may use the kinds
 * named in kinds (nkinds of them, at most LANG_KINDS_MAX; the strings must
 * outlive the engine), besides "negation" and "quotation".  Returns 0 and
 * *ret (free with lang_engine_free()), -EINVAL or -ENOMEM.
 */
int lang_engine_new(const char *const *kinds, size_t nkinds, struct lang_engine **ret);

/*
 * lang_engine_add() - parse one language's pattern file (text, len bytes)
 * into e.  name is how errors name the file.  On a bad line returns -EINVAL
 * with "name:line: why" in errbuf, and e keeps no part of that file.
 * -ENOMEM; -EEXIST when that language was added already.  Not thread-safe:
 * start-up only.
 */
int lang_engine_add(struct lang_engine *e, const char *lang, const char *text, size_t len,
		    const char *name, char *errbuf, size_t errlen);

/*
 * lang_engine_load() - lang_engine_add() every language from
 * <dir>/<code>.txt.  A missing, unreadable or bad file fails with errbuf
 * naming it (and the line at fault).
 */
int lang_engine_load(struct lang_engine *e, const char *dir, char *errbuf, size_t errlen);

/* lang_engine_free() - release e and all it holds; NULL is fine.  Returns NULL. */
struct lang_engine *lang_engine_free(struct lang_engine *e);

/*
 * lang_engine_match() - find the patterns of lang ("en", "es", "ru"; NULL
 * or "" for every language added) in text (len bytes of UTF-8, need not be
 * NUL-terminated; invalid bytes read as U+FFFD).  Matches go to out (at
 * most max), ordered by where they start; two matches of one kind never
 * overlap.  *ret_n gets their number.  Returns 0; -EINVAL for a bad
 * argument, an unknown lang or len over LANG_TEXT_MAX; -ENOMEM; -EIO when
 * ICU or Snowball fail.  *ret_n is not written on failure.  Thread-safe.
 */
int lang_engine_match(struct lang_engine *e, const char *text, size_t len, const char *lang,
		      struct lang_match *out, size_t max, size_t *ret_n);

#endif
