/*
 * coach.h: the message coach of step 5 (issue 15).  Every text a partner
 * will read (statements, cards, replies, appreciations, agreements,
 * repairs, offers) is read for the four horsemen and pushy wording:
 * criticism ("you always", "you never"), contempt (insults, mockery),
 * defensiveness ("it's not my fault", "yes, but"), stonewalling
 * ("whatever", "I'm done") and controlling words ("you have to", "you owe
 * me"), each with a gentler I-statement hint beside the words.
 *
 * It is a second instance of the language engine (core/lang.h) with its
 * own kinds and its own pattern files, data/coach/<lang>.txt (the format of
 * docs/language.md; docs/coach.md).  A finding is a hint to reread, never
 * a verdict: nothing is ever blocked.
 */
#ifndef KINTSUGI_CORE_COACH_H
#define KINTSUGI_CORE_COACH_H

#include <stddef.h>

enum coach_pattern {
	COACH_CRITICISM,     /* "you always", "siempre tú", "ты вечно" */
	COACH_CONTEMPT,	     /* "you're pathetic", "eres patético", "ты жалкий" */
	COACH_DEFENSIVENESS, /* "it's not my fault", "no es mi culpa", "я не виноват" */
	COACH_STONEWALLING,  /* "whatever", "me da igual", "мне всё равно" */
	COACH_CONTROLLING,   /* "you have to", "me lo debes", "ты обязан" */
	_COACH_PATTERN_MAX
};

/* One finding: which pattern, and where it sits in the text. */
struct coach_finding {
	enum coach_pattern pattern;
	size_t start, len;	 /* bytes [start, start + len), first word to last */
	size_t cp_start, cp_end; /* the same span in Unicode code points */
};

/* A text with more findings than this has bigger things to reread first. */
#define COACH_FINDINGS_MAX 16
/* Longest text the coach reads (bytes); the texts written to a partner are shorter. */
#define COACH_TEXT_MAX (256 * 1024)
/* Longest text POST /api/v1/coach takes, in characters (a journal entry's). */
#define COACH_TEXT_MAX_CHARS 20000

/*
 * coach_load() - read the patterns of every language from
 * <data_dir>/data/coach/<lang>.txt.  Call once at start-up, before any
 * check; a missing or bad file fails with errbuf naming the file and the
 * line.  Returns 0, -EINVAL, -ENOMEM or an errno of reading; -EALREADY when
 * loaded already.
 */
int coach_load(const char *data_dir, char *errbuf, size_t errlen);

/* coach_unload() - release what coach_load() read; safe to call twice. */
void coach_unload(void);

/*
 * coach_check() - find the coach's patterns in text (len bytes of UTF-8,
 * need not be NUL-terminated; invalid bytes read as U+FFFD).  lang "en",
 * "es" or "ru" reads that language's patterns; NULL or "" all three.
 * Findings go to out (at most max), ordered by where they start; two
 * findings of one pattern never overlap.  *ret_n gets their number.
 * Thread-safe once coach_load() has run (-ENOENT before).  Returns 0;
 * -EINVAL for an unknown lang, a NULL text with len > 0, NULL out with
 * max > 0, NULL ret_n, or len over COACH_TEXT_MAX; -ENOMEM; -EIO.  On
 * failure *ret_n is not written.
 */
int coach_check(const char *text, size_t len, const char *lang, struct coach_finding *out,
		size_t max, size_t *ret_n);

/* coach_pattern_name() - "criticism", "contempt", "defensiveness",
 * "stonewalling", "controlling" (the kinds of data/coach/ and the API's
 * names); NULL when p is out of range.  Static. */
const char *coach_pattern_name(enum coach_pattern p);

/* coach_pattern_from_name() - the pattern named so, or -1. */
int coach_pattern_from_name(const char *name);

/* coach_hint() - a gentler way to say it, for pattern p, in the thread's
 * language (never NULL; static or from the catalog: never free it). */
const char *coach_hint(enum coach_pattern p);

#endif
