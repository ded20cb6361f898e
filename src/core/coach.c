/*
 * coach.c: the message coach (see coach.h).
 *
 * The patterns are data (data/coach/<lang>.txt, read by the language
 * engine of core/lang.h, as the statement check reads data/language/):
 * this file names the kinds those files may use, in enum order, loads them
 * once, and turns the engine's matches into findings.  tests/coach/ is the
 * labelled set that measures precision and recall (docs/coach.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/coach.h"
#include "core/lang.h"
#include "i18n/i18n.h"

/* The kinds, in enum coach_pattern's order: the pattern files' and the API's names. */
static const char *const coach_kinds[_COACH_PATTERN_MAX] = {
	[COACH_CRITICISM] = "criticism",	 [COACH_CONTEMPT] = "contempt",
	[COACH_DEFENSIVENESS] = "defensiveness", [COACH_STONEWALLING] = "stonewalling",
	[COACH_CONTROLLING] = "controlling",
};

/* Loaded once at start-up, read-only afterwards (lang.h: thread-safe). */
static struct lang_engine *coach_engine;

int coach_load(const char *data_dir, char *errbuf, size_t errlen)
{
	struct lang_engine *e = NULL;
	char dir[4096];
	int r;

	if (!data_dir || (!errbuf && errlen))
		return -EINVAL;
	if (coach_engine)
		return -EALREADY;
	if (snprintf(dir, sizeof(dir), "%s/data/coach", data_dir) >= (int)sizeof(dir)) {
		snprintf(errbuf, errlen, "data directory path too long");
		return -ENAMETOOLONG;
	}
	r = lang_engine_new(coach_kinds, _COACH_PATTERN_MAX, &e);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot make the coach's language engine: %s",
			 strerror(-r));
		return r;
	}
	r = lang_engine_load(e, dir, errbuf, errlen);
	if (r < 0) {
		lang_engine_free(e);
		return r;
	}
	coach_engine = e;
	return 0;
}

void coach_unload(void)
{
	coach_engine = lang_engine_free(coach_engine);
}

int coach_check(const char *text, size_t len, const char *lang, struct coach_finding *out,
		size_t max, size_t *ret_n)
{
	struct lang_match m[COACH_FINDINGS_MAX];
	size_t n = 0, i;
	int r;

	if ((!text && len) || (!out && max) || !ret_n || len > COACH_TEXT_MAX)
		return -EINVAL;
	if (lang && *lang && strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0 &&
	    strcmp(lang, "ru") != 0)
		return -EINVAL;
	if (!coach_engine)
		return -ENOENT;
	if (max > COACH_FINDINGS_MAX)
		max = COACH_FINDINGS_MAX;
	r = lang_engine_match(coach_engine, text ? text : "", len, lang, m, max, &n);
	if (r < 0)
		return r;
	for (i = 0; out && i < n; i++)
		out[i] = (struct coach_finding){(enum coach_pattern)m[i].kind, m[i].start,
						m[i].end - m[i].start, m[i].cp_start, m[i].cp_end};
	*ret_n = n;
	return 0;
}

const char *coach_pattern_name(enum coach_pattern p)
{
	return (unsigned)p < _COACH_PATTERN_MAX ? coach_kinds[p] : NULL;
}

int coach_pattern_from_name(const char *name)
{
	int p;

	for (p = 0; name && p < _COACH_PATTERN_MAX; p++)
		if (!strcmp(name, coach_kinds[p]))
			return p;
	return -1;
}

const char *coach_hint(enum coach_pattern p)
{
	switch (p) {
	case COACH_CRITICISM:
		return _("“Always” and “never” can sound like a verdict on who your partner is. "
			 "Try: “I feel … when …, and I need …”.");
	case COACH_CONTEMPT:
		return _("Words that put your partner down can hurt more than the problem itself. "
			 "Try saying what you feel and what you need: “I feel … when …”.");
	case COACH_DEFENSIVENESS:
		return _("Defending yourself can leave your partner feeling unheard. Try taking "
			 "in one part, even a small one: “You're right that I …”.");
	case COACH_STONEWALLING:
		return _("Shutting the talk down can feel like a closed door. If it is too much "
			 "right now, try: “I need a pause; can we talk again at …?”");
	case COACH_CONTROLLING:
		return _("Telling your partner what they must do can feel like pressure. Try "
			 "asking: “Would you be willing to …?” or “I would like …”.");
	default:
		return _("You may want to read this part again.");
	}
}
