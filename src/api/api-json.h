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
/* api_write_entry() - an entry as API.md gives it: {id, body, prompt, created_at, updated_at}. */
void api_write_entry(struct json_writer *w, const struct journal_entry *e);
/* Answers an ACCOUNT_* outcome; a negative errno is returned as is. */
int api_outcome(struct kreq *r, int outcome);

#endif
