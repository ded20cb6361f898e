/*
 * api-item.c: the JSON routes of every kind that is all data (core/item.h,
 * record.c): list, create, read, change and remove, for whichever kind the
 * path names ("/api/v1/limits/..." is the kind whose plural is "limits").
 * The routing table makes five routes per kind from the registry; the
 * body was checked against the kind's fields before the handler runs.
 *
 * An item is {id, author_id, mine, <its fields>, shared_with, version,
 * created_at, updated_at}: a string, a choice or a date as a string (null
 * when absent), a number as a number, a yes or no as a boolean (false
 * when absent), a set of choices as an array ([] when none); the members
 * of a group "checklist.fees" (field.h) inside the object "checklist".  Another
 * couple's item, or one not shared with the caller, answers exactly like a
 * random id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/item.h"

static void write_shared(struct json_writer *w, unsigned bits)
{
	json_writer_begin_array(w);
	if (bits & ACCESS_SHARE_PARTNER)
		json_writer_string(w, "partner", 7);
	if (bits & ACCESS_SHARE_CARE)
		json_writer_string(w, "care", 4);
	json_writer_end_array(w);
}

/* A FIELD_ENUM_SET's comma-joined choices as an array. */
static void write_set(struct json_writer *w, const char *v, size_t len)
{
	size_t at = 0;

	json_writer_begin_array(w);
	while (at < len) {
		const char *comma = memchr(v + at, ',', len - at);
		size_t piece = comma ? (size_t)(comma - (v + at)) : len - at;

		json_writer_string(w, v + at, piece);
		at += piece + 1;
	}
	json_writer_end_array(w);
}

static void write_value(struct json_writer *w, const struct field *f, const char *v, size_t len)
{
	if (!v && f->type == FIELD_ENUM_SET) {
		json_writer_begin_array(w); /* none chosen */
		json_writer_end_array(w);
		return;
	}
	if (!v && f->type == FIELD_BOOL) {
		json_writer_bool(w, 0); /* a box not ticked */
		return;
	}
	if (!v) {
		json_writer_null(w);
		return;
	}
	switch (f->type) {
	case FIELD_ENUM_SET:
		write_set(w, v, len);
		break;
	case FIELD_INT:
		json_writer_integer(w, strtoll(v, NULL, 10));
		break;
	case FIELD_BOOL:
		json_writer_bool(w, v[0] == '1');
		break;
	default:
		json_writer_string(w, v, len);
	}
}

void api_write_item_keys(struct json_writer *w, const struct item_kind *k,
			 const struct item_view *it)
{
	size_t i;

	json_writer_key(w, "id");
	json_writer_string(w, it->id, strlen(it->id));
	json_writer_key(w, "author_id");
	json_writer_string(w, it->author_id, strlen(it->author_id));
	json_writer_key(w, "mine");
	json_writer_bool(w, it->mine);
	for (i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const char *dot = strchr(f->name, '.');
		size_t g = dot ? (size_t)(dot - f->name) : 0;

		/* "group.member" (field.h): members in one object, declared together */
		if (g && (i == 0 || strncmp(k->fields[i - 1].name, f->name, g + 1) != 0)) {
			json_writer_key_len(w, f->name, g);
			json_writer_begin_object(w);
		}
		json_writer_key(w, g ? f->name + g + 1 : f->name);
		if (f->type == FIELD_SHARED)
			write_shared(w, it->shared_with);
		else
			write_value(w, f, it->values[i], it->lens[i]);
		if (g &&
		    (i + 1 == k->nfields || strncmp(k->fields[i + 1].name, f->name, g + 1) != 0))
			json_writer_end_object(w);
	}
	if (it->status) {
		json_writer_key(w, "status");
		json_writer_string(w, it->status, strlen(it->status));
	}
	json_writer_key(w, "version");
	json_writer_integer(w, (long long)it->version);
	json_writer_key(w, "created_at");
	json_writer_string(w, it->created_at, strlen(it->created_at));
	json_writer_key(w, "updated_at");
	json_writer_string(w, it->updated_at, strlen(it->updated_at));
	/* the message coach's hints on the texts the partner reads, for their author alone */
	if (it->mine && (it->shared_with & ACCESS_SHARE_PARTNER)) {
		json_writer_key(w, "coach_flags");
		json_writer_begin_array(w);
		for (i = 0; i < k->nfields; i++)
			if (k->fields[i].type == FIELD_STRING && it->values[i] &&
			    api_coach_write(w, k->fields[i].name, it->values[i], it->lens[i]) < 0)
				break; /* the hints are a help: an item still answers without them
					*/
		json_writer_end_array(w);
	}
}

void api_write_item(struct json_writer *w, const struct item_kind *k, const struct item_view *it)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, k, it);
	json_writer_end_object(w);
}

/* {"<name>": item} with status. */
static int reply_item(struct kreq *r, int status, const struct item_kind *k,
		      const struct item_view *it)
{
	struct json_writer w;

	json_writer_init(&w, 512);
	json_writer_begin_object(&w);
	json_writer_key(&w, k->name);
	api_write_item(&w, k, it);
	json_writer_end_object(&w);
	return api_reply_writer(r, status, &w);
}

/* The kind the path names: a route of the registry always names one. */
static const struct item_kind *kind_of(const struct kreq *r)
{
	return item_kind_at(r->path);
}

/* GET /api/v1/{plural} */
int api_item_list(struct kreq *r)
{
	const struct item_kind *k = kind_of(r);
	struct item_view *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (!k)
		return api_error(r, 404, "not_found");
	if (step1_no_query(r))
		return 0;
	e = item_views(r->core, r->session, k, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 384);
	json_writer_begin_object(&w);
	json_writer_key(&w, k->plural);
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		api_write_item(&w, k, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	item_views_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* A new item (id NULL: 201) or a change of the item id (200), from the body. */
static int write_one(struct kreq *r, const char *id)
{
	const struct item_kind *k = kind_of(r);
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct item_view it;
	const char *field = NULL;
	unsigned shared;
	int e;

	if (!k)
		return api_error(r, 404, "not_found");
	shared = kreq_item_values(r, k, &v, &scratch);
	e = id ? item_change(r->core, r->session, k, id, &v, shared, &it, &field)
	       : item_create(r->core, r->session, k, &v, shared, &it, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	e = reply_item(r, id ? 200 : 201, k, &it);
	item_view_clear(&it);
	return e;
}

/* POST /api/v1/{plural} */
int api_item_create(struct kreq *r)
{
	return write_one(r, NULL);
}

/* GET /api/v1/{plural}/{id} */
int api_item_get(struct kreq *r)
{
	const struct item_kind *k = kind_of(r);
	struct item_view it;
	int e;

	if (!k)
		return api_error(r, 404, "not_found");
	e = item_read(r->core, r->session, k, r->params[0], &it);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	e = reply_item(r, 200, k, &it);
	item_view_clear(&it);
	return e;
}

/* PUT /api/v1/{plural}/{id}: every field, as at creation */
int api_item_put(struct kreq *r)
{
	return write_one(r, r->params[0]);
}

/* DELETE /api/v1/{plural}/{id} */
int api_item_delete(struct kreq *r)
{
	const struct item_kind *k = kind_of(r);
	int e;

	if (!k)
		return api_error(r, 404, "not_found");
	e = item_remove(r->core, r->session, k, r->params[0]);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return api_reply(r, 204, NULL);
}
