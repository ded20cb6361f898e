/*
 * api.h: the JSON API of API.md.  Each handler reads r->json (already
 * checked against its route's field declarations) and answers JSON through
 * the same core calls as its page twin.  Errors go through api_error(),
 * the one place that turns an outcome into a status, a code and a message
 * in the member's language.
 */
#ifndef KINTSUGI_API_API_H
#define KINTSUGI_API_API_H

#include "kreq.h"

/* api_error() - {"error":{"code","message"}} with status; message in r->lang. */
int api_error(struct kreq *r, int status, const char *code);
/* api_error_input() - 400 for a field problem. */
int api_error_input(struct kreq *r, const struct input_error *err);
/* api_reply() - answer status with a JSON value (stolen: decref'd here). */
int api_reply(struct kreq *r, int status, json_t *body);

int api_health(struct kreq *r);
int api_signup(struct kreq *r);
int api_login(struct kreq *r);
int api_logout(struct kreq *r);
int api_me_get(struct kreq *r);
int api_me_delete(struct kreq *r);
int api_invites(struct kreq *r);
int api_join(struct kreq *r);
int api_password(struct kreq *r);
int api_recover(struct kreq *r);
int api_journal_list(struct kreq *r);
int api_journal_create(struct kreq *r);
int api_journal_get(struct kreq *r);
int api_journal_put(struct kreq *r);
int api_journal_delete(struct kreq *r);

#endif
