/*
 * api-chores.c: the chores rota (API.md, "Boundaries"): GET and POST
 * /api/v1/chores, DELETE /api/v1/chores/{id}.  A chore is the registry's
 * item {id, author_id, mine, title, first_partner, starts_on, shared_with,
 * version, created_at, updated_at} with assigned_to and next_to: who does
 * it in the week asked for (?week=, a Monday; this week without it) and in
 * the week after, as member ids, null before it starts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/chores.h"
#include "i18n/i18n.h"

static void write_id_or_null(struct json_writer *w, const char *key, const char *id)
{
	json_writer_key(w, key);
	if (id[0])
		json_writer_string(w, id, strlen(id));
	else
		json_writer_null(w);
}

static void write_chore(struct json_writer *w, const struct chore *ch)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, &chore_kind, &ch->v);
	write_id_or_null(w, "assigned_to", ch->assigned_to);
	write_id_or_null(w, "next_to", ch->next_to);
	json_writer_end_object(w);
}

/* GET /api/v1/chores?week=YYYY-MM-DD */
int api_chores_list(struct kreq *r)
{
	struct input_error err = {.code = INPUT_INVALID_VALUE};
	struct chore *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, "week") != 0) {
			snprintf(err.field, sizeof(err.field), "%s", r->query[i].name);
			return api_error_input(r, &err);
		}
	e = chores_list(r->core, r->session, kreq_query(r, "week"), &list, &n);
	if (e == -EINVAL) { /* not a Monday, or not a date */
		snprintf(err.field, sizeof(err.field), "week");
		return api_error_input(r, &err);
	}
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 512);
	json_writer_begin_object(&w);
	json_writer_key(&w, "chores");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_chore(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	chores_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/chores {title, first_partner, starts_on} */
int api_chores_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct chore ch;
	struct json_writer w;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &chore_kind, &v, &scratch);
	e = chore_add(r->core, r->session, &v, &ch, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	json_writer_init(&w, 768);
	json_writer_begin_object(&w);
	json_writer_key(&w, "chore");
	write_chore(&w, &ch);
	json_writer_end_object(&w);
	item_view_clear(&ch.v);
	return api_reply_writer(r, 201, &w);
}

/* DELETE /api/v1/chores/{id} */
int api_chores_delete(struct kreq *r)
{
	int e = chore_remove(r->core, r->session, r->params[0]);

	if (e != 0)
		return api_item_outcome_say(r, e, NULL,
					    e == ITEM_FORBIDDEN
						    ? _("Only the partner who added a chore can "
							"remove it.")
						    : NULL);
	return api_reply(r, 204, NULL);
}
