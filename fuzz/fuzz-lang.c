/*
 * fuzz-lang.c: libFuzzer target for the language engine (core/lang.h).
 *
 * The first byte chooses what the rest is.  Even: a pattern file, given to
 * lang_engine_add() (it is accepted or refused with a message, never
 * crashes), and, when accepted, matched against a fixed text.  Odd: a
 * text, matched with the shipped patterns of data/language/ (loaded once,
 * from the source tree).  Every match must lie inside its text, in both
 * bytes and code points, start before it ends, and come in start order.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "core/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {"conditional",	  "blame_shift", "minimising",
				    "but_after_apology",  "agentless",	 "demand",
				    "already_apologised", "comparison",	 "justification"};

static void check(struct lang_engine *e, const char *text, size_t len)
{
	struct lang_match m[16];
	size_t n = 0, i;
	int r;

	r = lang_engine_match(e, text, len, NULL, m, 16, &n);
	if (r == -ENOMEM)
		return;
	if (r != 0 || n > 16)
		abort();
	for (i = 0; i < n; i++) {
		if (m[i].start >= m[i].end || m[i].end > len || m[i].kind >= 9)
			abort();
		/* a malformed byte is one code point (U+FFFD): at most one per byte */
		if (m[i].cp_start >= m[i].cp_end || m[i].cp_end > m[i].end ||
		    m[i].cp_end - m[i].cp_start > m[i].end - m[i].start)
			abort();
		if (i > 0 && m[i - 1].start > m[i].start)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lang_engine *shipped;
	static const char sample[] =
		"I'm sorry if you felt hurt, but it was just a kiss. "
		"Lo siento, pero no fue para tanto. Прости, если я тебя обидел.";
	struct lang_engine *e = NULL;
	char err[256];

	if (size == 0)
		return 0;
	if (data[0] % 2 == 0) {
		if (lang_engine_new(kinds, 9, &e) != 0)
			return 0;
		if (lang_engine_add(e, "en", (const char *)data + 1, size - 1, "fuzz", err,
				    sizeof(err)) == 0)
			check(e, sample, sizeof(sample) - 1);
		lang_engine_free(e);
		return 0;
	}
	if (!shipped) {
		if (lang_engine_new(kinds, 9, &shipped) != 0 ||
		    lang_engine_load(shipped, KINTSUGI_SOURCE_ROOT "/data/language", err,
				     sizeof(err)) != 0)
			abort();
	}
	check(shipped, (const char *)data + 1, size - 1);
	return 0;
}
