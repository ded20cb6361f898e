/*
 * api-journal.c: the journal routes of API.md.  Always the caller's own
 * entries: core answers JOURNAL_NOTFOUND alike for a missing entry and
 * for someone else's, and so do we.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/journal.h"
#include "vault/vault.h"

/*
 * First buffer for an answer: an entry's id, times, keys and punctuation
 * take about 130 bytes, its text the rest; the writer doubles when a page
 * holds longer entries.
 */
#define API_JOURNAL_ENTRY_GUESS 384

/* {"entry":{...}}, written straight from e, whose text is then wiped and freed. */
static int api_entry_reply(struct kreq *r, int status, struct journal_entry *e)
{
	struct json_writer w;

	json_writer_init(&w, API_JOURNAL_ENTRY_GUESS + e->body_len);
	json_writer_begin_object(&w);
	json_writer_key(&w, "entry");
	api_write_entry(&w, e);
	json_writer_end_object(&w);
	journal_entry_clear(e);
	return api_reply_writer(r, status, &w);
}

/* journal_list_each() callback: one element of "entries". */
static int api_journal_write_one(void *ctx, const struct journal_entry *e)
{
	struct json_writer *w = ctx;

	api_write_entry(w, e);
	return json_writer_error(w);
}

/* Parses ?limit= strictly: digits only, 1..LIMIT_JOURNAL_PAGE_MAX. */
static int parse_limit(const char *s, size_t *ret)
{
	size_t v = 0;

	if (!s) {
		*ret = LIMIT_JOURNAL_PAGE_DEFAULT;
		return 0;
	}
	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (size_t)(*s - '0');
	}
	if (v < 1 || v > LIMIT_JOURNAL_PAGE_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int api_bad_query(struct kreq *r, const char *field)
{
	struct input_error err = {.code = INPUT_INVALID_VALUE};

	snprintf(err.field, sizeof(err.field), "%s", field);
	return api_error_input(r, &err);
}

/*
 * GET /api/v1/journal: {"entries":[...]}, written as the entries are opened
 * (the hot path of the benchmark, docs/performance.md): no jansson tree and
 * no copy of an entry's text besides the answer itself.
 */
int api_journal_list(struct kreq *r)
{
	const char *before = kreq_query(r, "before");
	struct json_writer w;
	size_t i, limit;
	int e;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, "limit") != 0 &&
		    strcmp(r->query[i].name, "before") != 0)
			return api_bad_query(r, r->query[i].name);
	if (parse_limit(kreq_query(r, "limit"), &limit) < 0)
		return api_bad_query(r, "limit");
	if (before && !vault_id_valid(before, strlen(before)))
		return api_bad_query(r, "before");
	json_writer_init(&w, limit * API_JOURNAL_ENTRY_GUESS);
	json_writer_begin_object(&w);
	json_writer_key(&w, "entries");
	json_writer_begin_array(&w);
	e = journal_list_each(r->core, r->session, before, limit, api_journal_write_one, &w);
	if (e != 0) {
		json_writer_release(&w);
		if (e == JOURNAL_BAD_BEFORE)
			return api_bad_query(r, "before");
		return e < 0 ? e : -EIO;
	}
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

int api_journal_create(struct kreq *r)
{
	struct journal_entry entry;
	const char *body = kreq_str(r, "body");
	int e = journal_add(r->core, r->session, body, strlen(body), kreq_str(r, "prompt"), &entry);

	if (e != 0)
		return e < 0 ? e : -EIO;
	return api_entry_reply(r, 201, &entry);
}

int api_journal_get(struct kreq *r)
{
	struct journal_entry entry;
	int e = journal_read(r->core, r->session, r->params[0], &entry);

	if (e == JOURNAL_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return api_entry_reply(r, 200, &entry);
}

int api_journal_put(struct kreq *r)
{
	struct journal_entry entry;
	const char *body = kreq_str(r, "body");
	int e = journal_change(r->core, r->session, r->params[0], body, strlen(body), &entry);

	if (e == JOURNAL_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return api_entry_reply(r, 200, &entry);
}

int api_journal_delete(struct kreq *r)
{
	int e = journal_remove(r->core, r->session, r->params[0]);

	if (e == JOURNAL_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return api_reply(r, 204, NULL);
}
