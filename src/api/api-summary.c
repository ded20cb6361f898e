/*
 * api-summary.c: the session-prep summary as JSON (API.md, "Professional
 * help"): GET /api/v1/summary?from=&to=[&journal=<id>...][&member=<id>], the
 * twin of the printable /summary.  What the caller shared with the care
 * team in the range (core/summary.h says exactly what), and the journal
 * entries they pick with journal=, one id each, on this request only; the
 * couple's therapist names the partner (member=) whose summary they read:
 *
 *   {"summary": {member_id, from, to,
 *     items: [{kind, item: <as its kind's routes answer it>, answers: [{kind, item}]}],
 *     cards: [{id, kind, body, created_at}],
 *     checkins: [{id, period, scores: {emotional, ...}, trust, closeness, note, created_at}],
 *     trend: {checkins, trust: {first, last, average}, closeness: {...},
 *             dimensions: {emotional: average, ...}} (first, last, average null when none),
 *     journal: [{id, body, prompt, created_at}]}}
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/summary.h"

static void write_average(struct json_writer *w, size_t n, int tenths)
{
	json_t *v;

	if (n == 0) {
		json_writer_null(w);
		return;
	}
	v = json_real(tenths / 10.0);
	json_writer_value(w, v);
	json_decref(v);
}

static void write_level(struct json_writer *w, const char *key, size_t n, int first, int last,
			int avg10)
{
	json_writer_key(w, key);
	json_writer_begin_object(w);
	json_writer_key(w, "first");
	if (n)
		json_writer_integer(w, first);
	else
		json_writer_null(w);
	json_writer_key(w, "last");
	if (n)
		json_writer_integer(w, last);
	else
		json_writer_null(w);
	json_writer_key(w, "average");
	write_average(w, n, avg10);
	json_writer_end_object(w);
}

static void write_trend(struct json_writer *w, const struct summary_trend *t)
{
	size_t d;

	json_writer_key(w, "trend");
	json_writer_begin_object(w);
	json_writer_key(w, "checkins");
	json_writer_integer(w, (long long)t->n);
	write_level(w, "trust", t->n, t->trust_first, t->trust_last, t->trust_avg10);
	write_level(w, "closeness", t->n, t->closeness_first, t->closeness_last,
		    t->closeness_avg10);
	json_writer_key(w, "dimensions");
	json_writer_begin_object(w);
	for (d = 0; d < _CHECKIN_DIM_MAX; d++) {
		json_writer_key(w, checkin_dims[d]);
		write_average(w, t->n, t->dims_avg10[d]);
	}
	json_writer_end_object(w);
	json_writer_end_object(w);
}

static void write_items(struct json_writer *w, const struct summary *sm)
{
	size_t i, j;

	json_writer_key(w, "items");
	json_writer_begin_array(w);
	for (i = 0; i < sm->nitems; i++) {
		const struct summary_item *it = &sm->items[i];

		json_writer_begin_object(w);
		json_writer_key(w, "kind");
		json_writer_string(w, it->kind->name, strlen(it->kind->name));
		json_writer_key(w, "item");
		api_write_item(w, it->kind, &it->v);
		json_writer_key(w, "answers");
		json_writer_begin_array(w);
		for (j = 0; j < it->nanswers; j++) {
			json_writer_begin_object(w);
			json_writer_key(w, "kind");
			json_writer_string(w, it->answers[j].kind->name,
					   strlen(it->answers[j].kind->name));
			json_writer_key(w, "item");
			api_write_item(w, it->answers[j].kind, &it->answers[j].v);
			json_writer_end_object(w);
		}
		json_writer_end_array(w);
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
}

static void write_rest(struct json_writer *w, const struct summary *sm)
{
	size_t i, d;

	json_writer_key(w, "cards");
	json_writer_begin_array(w);
	for (i = 0; i < sm->ncards; i++) {
		const struct share *sh = &sm->cards[i];

		json_writer_begin_object(w);
		json_writer_key(w, "id");
		json_writer_string(w, sh->id, strlen(sh->id));
		json_writer_key(w, "kind");
		json_writer_string(w, share_kinds[sh->kind], strlen(share_kinds[sh->kind]));
		json_writer_key(w, "body");
		json_writer_string(w, sh->body, sh->body_len);
		json_writer_key(w, "created_at");
		json_writer_string(w, sh->created_at, strlen(sh->created_at));
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	json_writer_key(w, "checkins");
	json_writer_begin_array(w);
	for (i = 0; i < sm->ncheckins; i++) {
		const struct checkin *ci = &sm->checkins[i];

		json_writer_begin_object(w);
		json_writer_key(w, "id");
		json_writer_string(w, ci->id, strlen(ci->id));
		json_writer_key(w, "period");
		json_writer_string(w, ci->period, strlen(ci->period));
		json_writer_key(w, "scores");
		json_writer_begin_object(w);
		for (d = 0; d < _CHECKIN_DIM_MAX; d++) {
			json_writer_key(w, checkin_dims[d]);
			json_writer_integer(w, ci->scores[d]);
		}
		json_writer_end_object(w);
		json_writer_key(w, "trust");
		json_writer_integer(w, ci->trust);
		json_writer_key(w, "closeness");
		json_writer_integer(w, ci->closeness);
		json_writer_key(w, "note");
		if (ci->note)
			json_writer_string(w, ci->note, ci->note_len);
		else
			json_writer_null(w);
		json_writer_key(w, "created_at");
		json_writer_string(w, ci->created_at, strlen(ci->created_at));
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	write_trend(w, &sm->trend);
	json_writer_key(w, "journal");
	json_writer_begin_array(w);
	for (i = 0; i < sm->njournal; i++) {
		const struct journal_entry *e = &sm->journal[i];

		json_writer_begin_object(w);
		json_writer_key(w, "id");
		json_writer_string(w, e->id, strlen(e->id));
		json_writer_key(w, "body");
		json_writer_string(w, e->body, e->body_len);
		json_writer_key(w, "prompt");
		json_writer_string_or_null(w, e->prompt);
		json_writer_key(w, "created_at");
		json_writer_string(w, e->created_at, strlen(e->created_at));
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
}

/* 1 when s is an id: 32 lowercase hex characters. */
static int is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == STORE_ID_LEN;
}

/* GET /api/v1/summary?from=YYYY-MM-DD&to=YYYY-MM-DD[&journal=<id>...][&member=<id>] */
int api_summary(struct kreq *r)
{
	static const char *const bad_field[] = {NULL, "from", "to", "journal", "member"};
	struct input_error err = {.code = INPUT_INVALID_VALUE};
	const char *journal[SUMMARY_JOURNAL_MAX + 1];
	struct json_writer w;
	struct summary sm;
	size_t i, nj = 0;
	int e;

	for (i = 0; i < r->nquery; i++) {
		const char *name = r->query[i].name;

		if (strcmp(name, "journal") == 0) {
			if (!is_id(r->query[i].value) || nj >= SUMMARY_JOURNAL_MAX) {
				snprintf(err.field, sizeof(err.field), "journal");
				return api_error_input(r, &err);
			}
			journal[nj++] = r->query[i].value;
		} else if (strcmp(name, "from") != 0 && strcmp(name, "to") != 0 &&
			   strcmp(name, "member") != 0) {
			err.code = INPUT_UNKNOWN_FIELD;
			snprintf(err.field, sizeof(err.field), "%s", name);
			return api_error_input(r, &err);
		}
	}
	e = summary_build(r->core, r->session, kreq_query(r, "member"), kreq_query(r, "from"),
			  kreq_query(r, "to"), journal, nj, &sm);
	if (e > 0 && e < _SUMMARY_RESULT_MAX) {
		snprintf(err.field, sizeof(err.field), "%s", bad_field[e]);
		return api_error_input(r, &err);
	}
	if (e != 0)
		return e > 0 ? -EIO : e;
	json_writer_init(&w, 4096);
	json_writer_begin_object(&w);
	json_writer_key(&w, "summary");
	json_writer_begin_object(&w);
	json_writer_key(&w, "member_id");
	json_writer_string(&w, sm.member_id, strlen(sm.member_id));
	json_writer_key(&w, "from");
	json_writer_string(&w, sm.from, strlen(sm.from));
	json_writer_key(&w, "to");
	json_writer_string(&w, sm.to, strlen(sm.to));
	write_items(&w, &sm);
	write_rest(&w, &sm);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	summary_clear(&sm);
	return api_reply_writer(r, 200, &w);
}
