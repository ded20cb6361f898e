/*
 * apology.c: the statement check (see apology.h).
 *
 * The patterns are data (data/language/<lang>.txt, read by the language
 * engine of core/lang.h): this file names the kinds those files may use,
 * in enum order, loads them once, and turns the engine's matches into
 * findings.  src/core/test-apology.c holds phrasings that must and must not
 * be flagged in each language; tests/language/ is the labelled set that
 * measures precision and recall (docs/language.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apology.h"
#include "core/lang.h"
#include "i18n/i18n.h"

/* The kinds, in enum apology_pattern's order: the pattern files' names. */
static const char *const apology_kinds[_APOLOGY_PATTERN_MAX] = {
	[APOLOGY_CONDITIONAL] = "conditional",
	[APOLOGY_BLAME_SHIFT] = "blame_shift",
	[APOLOGY_MINIMISING] = "minimising",
	[APOLOGY_BUT_AFTER_APOLOGY] = "but_after_apology",
	[APOLOGY_AGENTLESS] = "agentless",
	[APOLOGY_DEMAND] = "demand",
	[APOLOGY_ALREADY_APOLOGISED] = "already_apologised",
	[APOLOGY_COMPARISON] = "comparison",
	[APOLOGY_JUSTIFICATION] = "justification",
};

/* Loaded once at start-up, read-only afterwards (lang.h: thread-safe). */
static struct lang_engine *apology_engine;

int apology_load(const char *data_dir, char *errbuf, size_t errlen)
{
	struct lang_engine *e = NULL;
	char dir[4096];
	int r;

	if (!data_dir || (!errbuf && errlen))
		return -EINVAL;
	if (apology_engine)
		return -EALREADY;
	if (snprintf(dir, sizeof(dir), "%s/data/language", data_dir) >= (int)sizeof(dir)) {
		snprintf(errbuf, errlen, "data directory path too long");
		return -ENAMETOOLONG;
	}
	r = lang_engine_new(apology_kinds, _APOLOGY_PATTERN_MAX, &e);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot make the language engine: %s", strerror(-r));
		return r;
	}
	r = lang_engine_load(e, dir, errbuf, errlen);
	if (r < 0) {
		lang_engine_free(e);
		return r;
	}
	apology_engine = e;
	return 0;
}

void apology_unload(void)
{
	apology_engine = lang_engine_free(apology_engine);
}

int apology_check(const char *text, size_t len, const char *lang, struct apology_finding *out,
		  size_t max, size_t *ret_n)
{
	struct lang_match m[APOLOGY_FINDINGS_MAX];
	size_t n = 0, i;
	int r;

	if ((!text && len) || (!out && max) || !ret_n || len > APOLOGY_TEXT_MAX)
		return -EINVAL;
	if (lang && *lang && strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0 &&
	    strcmp(lang, "ru") != 0)
		return -EINVAL;
	if (!apology_engine)
		return -ENOENT;
	if (max > APOLOGY_FINDINGS_MAX)
		max = APOLOGY_FINDINGS_MAX;
	r = lang_engine_match(apology_engine, text, len, lang, m, max, &n);
	if (r < 0)
		return r;
	for (i = 0; out && i < n; i++)
		out[i] = (struct apology_finding){(enum apology_pattern)m[i].kind, m[i].start,
						  m[i].end - m[i].start};
	*ret_n = n;
	return 0;
}

const char *apology_pattern_name(enum apology_pattern p)
{
	return (unsigned)p < _APOLOGY_PATTERN_MAX ? apology_kinds[p] : NULL;
}

const char *apology_suggestion(enum apology_pattern p)
{
	switch (p) {
	case APOLOGY_CONDITIONAL:
		return _("An apology with “if” can sound unsure that anything happened. You "
			 "could name what you did and how it hurt, plainly.");
	case APOLOGY_BLAME_SHIFT:
		return _("These words can move some of the weight onto your partner. You could "
			 "speak only about your own choices here.");
	case APOLOGY_MINIMISING:
		return _("These words can make what happened sound small. You could let it "
			 "weigh what it weighed for your partner.");
	case APOLOGY_BUT_AFTER_APOLOGY:
		return _("A “but” after an apology can sound as if it takes the apology back. "
			 "You could end the apology first; your reasons belong in “why”.");
	case APOLOGY_AGENTLESS:
		return _("These words tell what happened without saying who did it. You could "
			 "say “I” and name what you did.");
	case APOLOGY_DEMAND:
		return _("These words ask your partner to heal on your timeline. You could leave "
			 "the pace of forgiving and forgetting to them.");
	case APOLOGY_ALREADY_APOLOGISED:
		return _("Saying you already apologised can sound like the hurt should be over. "
			 "You could apologise here as if for the first time.");
	case APOLOGY_COMPARISON:
		return _("Comparing with what others do, or with what could have been worse, can "
			 "shrink the hurt. You could speak only about what you did.");
	case APOLOGY_JUSTIFICATION:
		return _("These words can sound like a reason that excuses what you did. You "
			 "could say it was your choice; what you understand about why belongs "
			 "in “why”, without letting you off.");
	default:
		return _("You may want to read this part again.");
	}
}
