/*
 * api-json.h: private helpers of the API handlers (src/api/ only).
 */
#ifndef KINTSUGI_API_JSON_H
#define KINTSUGI_API_JSON_H

#include <jansson.h>

#include "core/account.h"
#include "core/journal.h"
#include "kreq.h"

struct json_writer;

/* New references, or NULL on allocation failure. */
json_t *api_json_member(const struct member_view *v);
json_t *api_json_couple(const struct member_view *v);
struct item_kind;
struct item_view;
/*
 * api_write_item() - an item of a kind of the registry as the API gives it
 * (src/api/api-item.c): {id, author_id, mine, <its fields>, shared_with,
 * status (when the kind has one), version, created_at, updated_at}.
 */
void api_write_item(struct json_writer *w, const struct item_kind *k, const struct item_view *it);
/* api_write_item_keys() - the same keys into an object the caller opened (and closes). */
void api_write_item_keys(struct json_writer *w, const struct item_kind *k,
			 const struct item_view *it);
struct timeout;
/*
 * api_write_timeout() - a break as GET /api/v1/timeouts gives it (api-conflict.c):
 * {id, author_id, mine, minutes, started_at, ends_at}.
 */
void api_write_timeout(struct json_writer *w, const struct timeout *t);
/* api_write_entry() - an entry as API.md gives it: {id, body, prompt, created_at, updated_at}. */
void api_write_entry(struct json_writer *w, const struct journal_entry *e);
/* Answers an ACCOUNT_* outcome; a negative errno is returned as is. */
int api_outcome(struct kreq *r, int outcome);

/*
 * Shared by the handlers of statements, commitments, check-ins, cards,
 * offers and activities (api-statement.c to api-activity.c).  The ones that
 * answer fill r's response through api_reply() and return its result: 0,
 * or a negative errno.
 */
/*
 * step1_outcome() - a STATEMENT_* or COMMITMENT_* outcome as an answer: 404
 * for one the caller may not see, 409 for a delivered statement, 400 for an
 * incomplete one, 403 for its author's own response.  A negative errno is
 * returned as is; any other outcome as -EINVAL, unanswered.
 */
int step1_outcome(struct kreq *r, int outcome);
/* step1_no_query() - 1 after answering 400 when r has any query parameter, else 0. */
int step1_no_query(struct kreq *r);
/*
 * text_or_null() - a new JSON string of the len bytes at s, or JSON null
 * when s is NULL (or len is 0 and empty_is_null).  NULL when memory runs
 * out or the bytes are not UTF-8.
 */
json_t *text_or_null(const char *s, size_t len, int empty_is_null);
/* shared_json() - a new shared_with array for ACCESS_SHARE_* bits; NULL when memory runs out. */
json_t *shared_json(unsigned bits);
/* time_or_null() - a new JSON string of s, or JSON null when s is NULL or "". */
json_t *time_or_null(const char *s);

/* One value of a kind as API.md gives it: a new reference, or NULL when memory runs out. */
typedef json_t *(*api_json_fn)(const void *one);
/* api_reply_one() - answer status with {key: one}; one is stolen (NULL: memory ran out). */
int api_reply_one(struct kreq *r, int status, const char *key, json_t *one);
/* api_reply_list() - answer 200 with {key: [json(each of the n elements of size bytes)]}. */
int api_reply_list(struct kreq *r, const char *key, const void *list, size_t n, size_t size,
		   api_json_fn json);

#endif
