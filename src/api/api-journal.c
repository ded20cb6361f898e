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
#include "core/journal.h"

static int api_entry_reply(struct kreq *r, int status, struct journal_entry *e)
{
	json_t *entry = api_json_entry(e);
	json_t *o = entry ? json_pack("{s:o}", "entry", entry) : NULL;

	journal_entry_clear(e);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
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

static int is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 32;
}

static int api_bad_query(struct kreq *r, const char *field)
{
	struct input_error err = {.code = INPUT_INVALID_VALUE};

	snprintf(err.field, sizeof(err.field), "%s", field);
	return api_error_input(r, &err);
}

int api_journal_list(struct kreq *r)
{
	struct journal_entry *list = NULL;
	const char *before = kreq_query(r, "before");
	size_t n = 0, i, limit;
	json_t *entries, *o;
	int e;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, "limit") != 0 &&
		    strcmp(r->query[i].name, "before") != 0)
			return api_bad_query(r, r->query[i].name);
	if (parse_limit(kreq_query(r, "limit"), &limit) < 0)
		return api_bad_query(r, "limit");
	if (before && !is_id(before))
		return api_bad_query(r, "before");
	e = journal_list(r->core, r->session, before, limit, &list, &n);
	if (e == JOURNAL_BAD_BEFORE)
		return api_bad_query(r, "before");
	if (e != 0)
		return e < 0 ? e : -EIO;
	entries = json_array();
	for (i = 0; entries && i < n; i++) {
		json_t *one = api_json_entry(&list[i]);
		if (!one || json_array_append_new(entries, one) < 0) {
			json_decref(entries);
			entries = NULL;
		}
	}
	journal_list_free(list, n);
	o = entries ? json_pack("{s:o}", "entries", entries) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
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
