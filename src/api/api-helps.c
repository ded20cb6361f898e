/*
 * api-helps.c: "what helps me when things get hard" (API.md, "Boundaries"):
 * GET and PUT /api/v1/helps-me.  Each partner has one text; the answer is
 * {helps_me: {mine, partner}}, each an item as the registry's kinds give
 * them, or null: the partner's is null unless they shared it.  A
 * therapist's answer adds care: [...], the partners' texts shared with
 * the care team.
 */
#include <errno.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/helps.h"

static void write_or_null(struct json_writer *w, const char *key, const struct item_view *it,
			  int has)
{
	json_writer_key(w, key);
	if (has)
		api_write_item(w, &helps_me_kind, it);
	else
		json_writer_null(w);
}

static int helps_reply(struct kreq *r, struct helps_me *h)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "helps_me");
	json_writer_begin_object(&w);
	write_or_null(&w, "mine", &h->mine, h->has_mine);
	write_or_null(&w, "partner", &h->partner, h->has_partner);
	if (!item_partner(r->session)) {
		json_writer_key(&w, "care");
		json_writer_begin_array(&w);
		for (size_t i = 0; i < h->ncare; i++)
			api_write_item(&w, &helps_me_kind, &h->care[i]);
		json_writer_end_array(&w);
	}
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	helps_me_clear(h);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/helps-me */
int api_helps_me_get(struct kreq *r)
{
	struct helps_me h;
	int e = helps_me_read(r->core, r->session, &h);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return helps_reply(r, &h);
}

/* PUT /api/v1/helps-me {body, shared_with} */
int api_helps_me_put(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct helps_me h;
	const char *field = NULL;
	unsigned shared = kreq_item_values(r, &helps_me_kind, &v, &scratch);
	int e;

	e = helps_me_write(r->core, r->session, v.v[HELPS_ME_F_BODY], v.len[HELPS_ME_F_BODY],
			   shared, &h, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return helps_reply(r, &h);
}
