/*
 * pages-coach.c: the message coach's hints on a page (issue 15), for the
 * page of a text the member wrote to the partner: without JavaScript, the
 * hints appear after sending, beside the words (templates/coach_hints);
 * with it, static/js/coach.js shows the same ones while typing.
 */
#include <errno.h>
#include <string.h>

#include "core/coach.h"
#include "web/pages.h"
#include "web/render.h"

int page_coach_hints(json_t *o, const char *text, size_t len)
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	json_t *list, *h;
	size_t n = 0, i;
	int r;

	if (!o)
		return -EINVAL;
	if (!text || !len)
		return 0;
	if (len > COACH_TEXT_MAX)
		len = COACH_TEXT_MAX;
	r = coach_check(text, len, NULL, f, COACH_FINDINGS_MAX, &n);
	if (r < 0 || n == 0)
		return r < 0 ? r : 0;
	list = json_object_get(o, "coach_hints"); /* a second text of the same page appends */
	if (!list) {
		list = json_array();
		if (!list || json_object_set_new(o, "coach_hints", list) < 0)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		h = json_object();
		if (!h || json_array_append_new(list, h) < 0)
			return -ENOMEM;
		if (json_object_set_new(h, "match", json_stringn(text + f[i].start, f[i].len)) < 0)
			return -ENOMEM;
		web_set(h, "hint", coach_hint(f[i].pattern));
	}
	web_set_bool(o, "has_coach_hints", 1);
	return 0;
}
