/*
 * api-coach.c: the message coach over HTTP (API.md, "Patience and
 * kindness"; core/coach.h).  POST /api/v1/coach reads a text being written
 * and answers its findings, for the live hints beside a textarea; nothing
 * is stored.  The other two helpers put the same findings, as
 * `coach_flags`, on the answers of the texts a partner reads, for their
 * author alone: the coach is a mirror for the one who writes, never a
 * judgement shown to the one who reads.
 *
 * A finding is {pattern, start, end, hint} (and `field` and `match` in
 * coach_flags): start and end count code points, so a page can mark the
 * words in any script; hint is in the member's language.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/coach.h"

/* One finding as a new JSON object; field and the matched words only when field is not NULL. */
static json_t *finding_json(const char *text, const struct coach_finding *f, const char *field)
{
	json_t *o = json_pack("{s:s,s:I,s:I,s:s}", "pattern", coach_pattern_name(f->pattern),
			      "start", (json_int_t)f->cp_start, "end", (json_int_t)f->cp_end,
			      "hint", coach_hint(f->pattern));

	if (o && field &&
	    (json_object_set_new(o, "field", json_string(field)) < 0 ||
	     json_object_set_new(o, "match", json_stringn(text + f->start, f->len)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Appends the findings of text to arr; 0 or a negative errno. */
static int append_findings(json_t *arr, const char *text, size_t len, const char *lang,
			   const char *field)
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	size_t n = 0, i;
	json_t *o;
	int r;

	if (len > COACH_TEXT_MAX)
		len = COACH_TEXT_MAX; /* the coach reads the start of a longer text */
	r = coach_check(text, len, lang, f, COACH_FINDINGS_MAX, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		o = finding_json(text, &f[i], field);
		if (!o || json_array_append_new(arr, o) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* POST /api/v1/coach {text, language?}: 200 {findings}. */
int api_coach(struct kreq *r)
{
	const char *text = kreq_str(r, "text"), *lang = kreq_str(r, "language");
	json_t *arr = json_array();
	int e;

	if (!arr)
		return -ENOMEM;
	e = append_findings(arr, text ? text : "", text ? strlen(text) : 0, lang, NULL);
	if (e < 0) {
		json_decref(arr);
		return e;
	}
	return api_reply_one(r, 200, "findings", arr);
}

int api_coach_flags(json_t *obj, const char *field, const char *lang)
{
	json_t *v = json_object_get(obj, field), *arr = json_object_get(obj, "coach_flags");

	if (!arr) {
		arr = json_array();
		if (!arr || json_object_set_new(obj, "coach_flags", arr) < 0)
			return -ENOMEM;
	}
	if (!json_is_string(v))
		return 0; /* absent or null: nothing to read */
	return append_findings(arr, json_string_value(v), json_string_length(v), lang, field);
}

json_t *api_coach_own(json_t *o, int mine, const char *field)
{
	if (o && mine && api_coach_flags(o, field, NULL) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int api_coach_write(struct json_writer *w, const char *field, const char *text, size_t len)
{
	struct coach_finding f[COACH_FINDINGS_MAX];
	size_t n = 0, i;
	int r;

	if (!text || !len)
		return 0;
	if (len > COACH_TEXT_MAX)
		len = COACH_TEXT_MAX;
	r = coach_check(text, len, NULL, f, COACH_FINDINGS_MAX, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		const char *pattern = coach_pattern_name(f[i].pattern),
			   *hint = coach_hint(f[i].pattern);

		json_writer_begin_object(w);
		json_writer_key(w, "field");
		json_writer_string(w, field, strlen(field));
		json_writer_key(w, "pattern");
		json_writer_string(w, pattern, strlen(pattern));
		json_writer_key(w, "start");
		json_writer_integer(w, (long long)f[i].cp_start);
		json_writer_key(w, "end");
		json_writer_integer(w, (long long)f[i].cp_end);
		json_writer_key(w, "match");
		json_writer_string(w, text + f[i].start, f[i].len);
		json_writer_key(w, "hint");
		json_writer_string(w, hint, strlen(hint));
		json_writer_end_object(w);
	}
	return 0;
}
