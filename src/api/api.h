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

struct json_writer;
struct account_signin;

/* api_error() - {"error":{"code","message"}} with status; message in r->lang. */
int api_error(struct kreq *r, int status, const char *code);
/* api_error_with() - the same with one more member, key: extra (stolen: decref'd here). */
int api_error_with(struct kreq *r, int status, const char *code, const char *key, json_t *extra);
/* api_error_say() - {"error":{code, message}} with status; message is already translated. */
int api_error_say(struct kreq *r, int status, const char *code, const char *message);
/* api_error_input() - 400 for a field problem. */
int api_error_input(struct kreq *r, const struct input_error *err);
/*
 * api_item_outcome() - the one mapping of an item outcome to an answer:
 * ITEM_NOTFOUND 404, ITEM_FORBIDDEN 403, ITEM_CONFLICT 409, ITEM_INVALID
 * 400 invalid_value naming field; a negative errno is returned as is.
 */
int api_item_outcome(struct kreq *r, int outcome, const char *field);
/* api_item_outcome_say() - the same with a sentence of the kind's own (translated) when not NULL.
 */
int api_item_outcome_say(struct kreq *r, int outcome, const char *field, const char *message);
/* api_reply() - answer status with a JSON value (stolen: decref'd here). */
int api_reply(struct kreq *r, int status, json_t *body);
/*
 * api_reply_writer() - answer status with what w wrote (api/json-out.h): the
 * text becomes the response body and w is left empty.  When w kept an error
 * or holds no complete value, that error (-ENOMEM, -EINVAL) is returned and
 * w's buffer is freed; either way w needs no release afterwards.
 */
int api_reply_writer(struct kreq *r, int status, struct json_writer *w);

int api_health(struct kreq *r);
int api_signup(struct kreq *r);
int api_login(struct kreq *r);
int api_logout(struct kreq *r);
int api_me_get(struct kreq *r);
int api_me_delete(struct kreq *r);
int api_me_put(struct kreq *r); /* PUT /api/v1/me: name, language, discreet, auto-lock */
int api_unlock(struct kreq *r); /* POST /api/v1/unlock: a locked session, the password again */
int api_couple_leave(struct kreq *r);
int api_invites(struct kreq *r);

/* the care team (api-care.c) */
int api_care_invite_create(struct kreq *r);  /* POST /api/v1/care/invites */
int api_care_invite_approve(struct kreq *r); /* POST /api/v1/care/invites/{id}/approve */
int api_care_invite_cancel(struct kreq *r);  /* POST /api/v1/care/invites/{id}/cancel */
int api_care_get(struct kreq *r);	     /* GET /api/v1/care */
int api_care_end(struct kreq *r);	     /* DELETE /api/v1/care/{id} */
int api_join(struct kreq *r);
int api_password(struct kreq *r);
int api_recovery_key(struct kreq *r); /* POST /api/v1/recovery-key */
int api_recover(struct kreq *r);
/* the second factor (api-account.c) */
int api_totp_begin(struct kreq *r);   /* POST /api/v1/totp */
int api_totp_confirm(struct kreq *r); /* POST /api/v1/totp/confirm */
int api_totp_delete(struct kreq *r);  /* DELETE /api/v1/totp */
/*
 * api_account_outcome() - an account_*() outcome as an answer: the password
 * rules and the re-check throttle (g, may be NULL), the rest api_outcome().
 */
struct account_guard;
int api_account_outcome(struct kreq *r, int outcome, const struct account_guard *g);
/*
 * api_signed_in_reply() - the answer to a sign-up, sign-in, join or
 * recovery that started a session: {member, couple, csrf_token[,
 * recovery_key]}, the cookie set, and a session the request came with
 * superseded (api-account.c).
 */
int api_signed_in_reply(struct kreq *r, int status, struct account_signin *in);
/* signed-in devices and the sign-in history (api-devices.c) */
int api_me_sessions(struct kreq *r);	   /* GET /api/v1/me/sessions */
int api_me_session_delete(struct kreq *r); /* DELETE /api/v1/me/sessions/{id} */
int api_me_activity(struct kreq *r);	   /* GET /api/v1/me/activity */
/* passkeys (api-passkey.c) */
int api_passkey_options(struct kreq *r);	/* POST /api/v1/passkeys/registration-options */
int api_passkey_add(struct kreq *r);		/* POST /api/v1/passkeys */
int api_passkey_list(struct kreq *r);		/* GET /api/v1/passkeys */
int api_passkey_delete(struct kreq *r);		/* DELETE /api/v1/passkeys/{id} */
int api_passkey_assertion(struct kreq *r);	/* POST /api/v1/passkeys/assertion-options */
int api_passkey_signin_options(struct kreq *r); /* POST /api/v1/passkeys/signin-options */
int api_passkey_signin(struct kreq *r);		/* POST /api/v1/passkeys/signin */
int api_passkey_signin_begin(struct kreq *r);	/* POST /api/v1/passkeys/{id}/signin-options */
int api_passkey_signin_on(struct kreq *r);	/* PUT /api/v1/passkeys/{id}/signin */
int api_passkey_signin_off(struct kreq *r);	/* DELETE /api/v1/passkeys/{id}/signin */
/*
 * api_passkey_request_options() - {publicKey: PublicKeyCredentialRequestOptions}
 * of a fresh "get" challenge of member_id into *ret (the caller frees it):
 * 0, 1 when the request came to an address that is not the server's (no
 * challenge is made), a positive PASSKEY_* outcome or a negative errno.
 * The sign-in page puts it in the page beside the code field.
 */
int api_passkey_request_options(struct kreq *r, const char *couple_id, const char *member_id,
				json_t **ret);
/*
 * api_second_factor_due() - the 401 second_factor_required of a sign-in or
 * a recovery for member_id, with {"passkey": {publicKey: ...}} beside the
 * error when they have a passkey (a fresh "get" challenge).
 */
int api_second_factor_due(struct kreq *r, const char *couple_id, const char *member_id);
int api_journal_list(struct kreq *r);
int api_journal_create(struct kreq *r);
int api_journal_get(struct kreq *r);
int api_journal_put(struct kreq *r);
int api_journal_delete(struct kreq *r);

/* statements (api-statement.c) */
int api_statements_list(struct kreq *r);   /* GET  /api/v1/statements */
int api_statement_create(struct kreq *r);  /* POST /api/v1/statements */
int api_statement_check(struct kreq *r);   /* POST /api/v1/statements/check */
int api_statement_get(struct kreq *r);	   /* GET  /api/v1/statements/{id} */
int api_statement_put(struct kreq *r);	   /* PUT  /api/v1/statements/{id} */
int api_statement_deliver(struct kreq *r); /* POST /api/v1/statements/{id}/deliver */
int api_statement_respond(struct kreq *r); /* POST /api/v1/statements/{id}/responses */

/* commitments (api-commitment.c) */
int api_commitments_list(struct kreq *r);  /* GET  /api/v1/commitments */
int api_commitment_create(struct kreq *r); /* POST /api/v1/commitments */
int api_commitment_get(struct kreq *r);	   /* GET  /api/v1/commitments/{id} */
int api_commitment_put(struct kreq *r);	   /* PUT  /api/v1/commitments/{id} (a review) */

/* check-ins and the couple's rhythm (api-checkin.c) */
int api_checkins_list(struct kreq *r);	 /* GET  /api/v1/checkins?from=&to= */
int api_checkins_create(struct kreq *r); /* POST /api/v1/checkins */
int api_checkins_get(struct kreq *r);	 /* GET  /api/v1/checkins/{id} */
int api_checkins_put(struct kreq *r);	 /* PUT  /api/v1/checkins/{id} */
int api_couple_get(struct kreq *r);	 /* GET  /api/v1/couple */
int api_couple_put(struct kreq *r);	 /* PUT  /api/v1/couple {rhythm} */

/* openness cards (api-share.c) */
int api_shares_list(struct kreq *r);   /* GET  /api/v1/shares */
int api_shares_create(struct kreq *r); /* POST /api/v1/shares */
int api_shares_get(struct kreq *r);    /* GET  /api/v1/shares/{id} */
int api_shares_ack(struct kreq *r);    /* POST /api/v1/shares/{id}/ack */

/* transparency offers (api-offer.c) */
int api_offers_list(struct kreq *r);   /* GET  /api/v1/offers */
int api_offers_create(struct kreq *r); /* POST /api/v1/offers */
int api_offers_get(struct kreq *r);    /* GET  /api/v1/offers/{id} */
int api_offers_end(struct kreq *r);    /* POST /api/v1/offers/{id}/end */

/* what helps me (api-helps.c) */
int api_helps_me_get(struct kreq *r); /* GET /api/v1/helps-me */
int api_helps_me_put(struct kreq *r); /* PUT /api/v1/helps-me */

/* the conflict plan and time-outs (api-conflict.c) */
int api_conflict_plan_get(struct kreq *r);    /* GET  /api/v1/conflict-plan */
int api_conflict_plan_put(struct kreq *r);    /* PUT  /api/v1/conflict-plan */
int api_conflict_plan_accept(struct kreq *r); /* POST /api/v1/conflict-plan/accept */
int api_timeouts_create(struct kreq *r);      /* POST /api/v1/timeouts */
int api_timeouts_current(struct kreq *r);     /* GET  /api/v1/timeouts */

/* the chores rota (api-chores.c) */
int api_chores_list(struct kreq *r);   /* GET    /api/v1/chores?week= */
int api_chores_create(struct kreq *r); /* POST   /api/v1/chores */
int api_chores_delete(struct kreq *r); /* DELETE /api/v1/chores/{id} */

/* agreements (api-agreements.c) */
int api_agreements_list(struct kreq *r);    /* GET  /api/v1/agreements */
int api_agreements_create(struct kreq *r);  /* POST /api/v1/agreements */
int api_agreements_get(struct kreq *r);	    /* GET  /api/v1/agreements/{id} */
int api_agreements_accept(struct kreq *r);  /* POST /api/v1/agreements/{id}/accept */
int api_agreements_revise(struct kreq *r);  /* POST /api/v1/agreements/{id}/revise */
int api_agreements_decline(struct kreq *r); /* POST /api/v1/agreements/{id}/decline */
int api_agreements_retire(struct kreq *r);  /* POST /api/v1/agreements/{id}/retire */

/* date nights (api-dates.c) */
int api_dates_list(struct kreq *r);   /* GET  /api/v1/dates */
int api_dates_create(struct kreq *r); /* POST /api/v1/dates */
int api_dates_put(struct kreq *r);    /* PUT  /api/v1/dates/{id} */

/* homework (api-homework.c) */
int api_homework_list(struct kreq *r);	 /* GET  /api/v1/homework */
int api_homework_create(struct kreq *r); /* POST /api/v1/homework */
int api_homework_put(struct kreq *r);	 /* PUT  /api/v1/homework/{id} */
/* appreciations, the trigger plan and "I'm triggered" (api-kindness.c) */
int api_appreciations_list(struct kreq *r);   /* GET  /api/v1/appreciations */
int api_appreciations_create(struct kreq *r); /* POST /api/v1/appreciations */
int api_appreciation_thanks(struct kreq *r);  /* POST /api/v1/appreciations/{id}/thanks */
int api_trigger_plan_get(struct kreq *r);     /* GET  /api/v1/trigger-plan */
int api_trigger_plan_put(struct kreq *r);     /* PUT  /api/v1/trigger-plan */
int api_triggered_list(struct kreq *r);	      /* GET  /api/v1/triggered */
int api_triggered_create(struct kreq *r);     /* POST /api/v1/triggered */
int api_triggered_answer(struct kreq *r);     /* POST /api/v1/triggered/{id}/answer */
/* the session-prep summary (api-summary.c) */
int api_summary(struct kreq *r); /* GET /api/v1/summary */

/* breaches and their repair (api-breaches.c) */
int api_breaches_list(struct kreq *r);	      /* GET  /api/v1/breaches */
int api_breaches_create(struct kreq *r);      /* POST /api/v1/breaches */
int api_breach_feelings(struct kreq *r);      /* GET  /api/v1/breaches/feelings */
int api_breach_get(struct kreq *r);	      /* GET  /api/v1/breaches/{id} */
int api_breach_repair_create(struct kreq *r); /* POST /api/v1/breaches/{id}/repair */
int api_breach_repair_change(struct kreq *r); /* PUT  /api/v1/breaches/{id}/repair */
int api_breach_repaired(struct kreq *r);      /* POST /api/v1/breaches/{id}/repaired */

/* shared activities (api-activity.c) */
int api_activities_list(struct kreq *r);   /* GET  /api/v1/activities */
int api_activities_create(struct kreq *r); /* POST /api/v1/activities */
int api_activities_get(struct kreq *r);	   /* GET  /api/v1/activities/{id} */
int api_activities_put(struct kreq *r);	   /* PUT  /api/v1/activities/{id} */

/* help signals and help requests (api-help.c), step 4 */
int api_help_signals(struct kreq *r);	      /* GET  /api/v1/help-signals */
int api_help_dismiss(struct kreq *r);	      /* POST /api/v1/help-signals/{code}/dismiss */
int api_help_requests_list(struct kreq *r);   /* GET  /api/v1/help-requests */
int api_help_requests_create(struct kreq *r); /* POST /api/v1/help-requests */
int api_help_dismissals_list(struct kreq *r); /* the export's part: the caller's dismissals */
/* api_help_code_of() - the code named in a path ".../help-signals/<code>/...", or NULL. */
const char *api_help_code_of(const char *path);

/* the private safety check (api-safety.c) */
int api_safety_get(struct kreq *r);  /* GET  /api/v1/safety-check */
int api_safety_post(struct kreq *r); /* POST /api/v1/safety-check */
/*
 * api_safety_gate() - run by the server before an API route's handler
 * (pattern: the route's): when the route is a couple exercise and the
 * member's latest safety check showed a concern, it answers 403 `paused`
 * and returns 1; 0 to go on; a negative errno on failure.
 */
int api_safety_gate(struct kreq *r, const char *pattern);

/* the listening exercise (api-listening.c) */
int api_listening_list(struct kreq *r);	  /* GET  /api/v1/listening */
int api_listening_create(struct kreq *r); /* POST /api/v1/listening */
int api_listening_put(struct kreq *r);	  /* PUT  /api/v1/listening/{id} */

/* the kinds that are all data (api-item.c): the kind is the one the path names */
int api_item_list(struct kreq *r);   /* GET    /api/v1/{plural} */
int api_item_create(struct kreq *r); /* POST   /api/v1/{plural} */
int api_item_get(struct kreq *r);    /* GET    /api/v1/{plural}/{id} */
int api_item_put(struct kreq *r);    /* PUT    /api/v1/{plural}/{id} */
int api_item_delete(struct kreq *r); /* DELETE /api/v1/{plural}/{id} */

/*
 * The export (api-export.c, export-html.c): everything the caller can read.
 * api_export_document() - the export as a JSON value (a new reference into
 * *ret): {kintsugi_export, exported_at, member, couple, items}, each part
 * of items the answer of the API route that lists it, read as the caller;
 * a therapist's holds their account alone.  0, or a negative errno (a part
 * that cannot be read fails it whole).
 */
int api_export_document(struct kreq *r, json_t **ret);
/* api_export_filename() - r->attachment = "kintsugi-export-<day of doc>.<ext>". */
void api_export_filename(struct kreq *r, const json_t *doc, const char *ext);
/* api_export_holds() - 1 when the export holds the items of the registry kind named kind. */
int api_export_holds(const char *kind);
/* api_export_title() - the heading of the export's part name, translated; NULL for none. */
const char *api_export_title(const char *name);
int api_export(struct kreq *r);	     /* GET /api/v1/export */
int api_export_html(struct kreq *r); /* GET /export/html: the readable copy, a file */

/* the message coach (api-coach.c, core/coach.h) */
int api_coach(struct kreq *r); /* POST /api/v1/coach {text, language?}: 200 {findings} */
/*
 * api_coach_flags() - the coach's findings on the string obj[field] (absent
 * or null: none) appended to obj's "coach_flags" array, made when missing:
 * [{field, pattern, start, end, match, hint}], start and end in code
 * points.  lang "en", "es", "ru", or NULL for all three.  Call it for each
 * text field of an answer that the partner reads, for its author alone.
 * 0, or a negative errno.
 */
int api_coach_flags(json_t *obj, const char *field, const char *lang);
/* api_coach_own() - o with api_coach_flags(o, field, NULL) when mine; o is
 * stolen: NULL (o released) when o is NULL or memory runs out. */
json_t *api_coach_own(json_t *o, int mine, const char *field);
/*
 * api_coach_write() - the same findings for len bytes of text, as objects
 * written into an array w has open (api/json-out.h).  0, or a negative errno.
 */
int api_coach_write(struct json_writer *w, const char *field, const char *text, size_t len);
/* the pace ladder (api-pace.c) */
int api_pace_get(struct kreq *r);    /* GET  /api/v1/pace */
int api_pace_put(struct kreq *r);    /* PUT  /api/v1/pace/{key} */
int api_pace_pause(struct kreq *r);  /* POST /api/v1/pace/pause */
int api_pace_resume(struct kreq *r); /* POST /api/v1/pace/resume */
int api_pace_mine(struct kreq *r);   /* the export's part: the caller's own answers */

#endif
