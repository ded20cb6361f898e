/*
 * pages.h: the HTML pages.  Each handler reads a validated struct kreq
 * (r->json holds the form fields declared for its route in the routing
 * table, or r->input_error says why they failed) and answers with a
 * rendered template, a 303 redirect (POST-redirect-GET), or an error page.
 * Handlers return 0 after filling the response, or a negative errno for
 * an unexpected failure (the HTTP layer answers 500).
 */
#ifndef KINTSUGI_WEB_PAGES_H
#define KINTSUGI_WEB_PAGES_H

#include "kreq.h"

/*
 * Words the check-in, card and summary pages share, in the request's
 * language: page_checkin_dim_label() names check-in dimension i
 * (CHECKIN_EMOTIONAL...), page_share_kind_label() an openness card's kind
 * k (enum share_kind).
 */
const char *page_checkin_dim_label(size_t i);
const char *page_share_kind_label(int k);

/* web_init() - load and pre-translate every template for every language,
 * and the static files, from data_dir.  0 or -errno with a reason. */
int web_init(const char *data_dir, char *errbuf, size_t errlen);
void web_fini(void);

/* The error page for status (404, 403, 400, 405, 413, 429, 500) in r->lang. */
int page_error(struct kreq *r, int status);
/* The 503 page for a storage fault (disk full, read-only, I/O error) in r->lang. */
int page_storage_error(struct kreq *r);
/* page_cookie_conflict() - 400: the request carried two session cookies (cookie tossing). */
int page_cookie_conflict(struct kreq *r);
/* GET /static/... and /favicon.ico from the in-memory table made at init. */
int page_static(struct kreq *r);

int page_landing(struct kreq *r);      /* GET  /             */
int page_privacy(struct kreq *r);      /* GET  /privacy      who sees what */
int page_program(struct kreq *r);      /* GET  /program, /program/step-N (pages-program.c) */
int page_find_help(struct kreq *r);    /* GET  /find-help (pages-program.c) */
int page_exit(struct kreq *r);	       /* GET  /exit         quick exit: neutral page */
int page_signup_form(struct kreq *r);  /* GET  /signup       */
int page_signup(struct kreq *r);       /* POST /signup       */
int page_signin_form(struct kreq *r);  /* GET  /signin       */
int page_signin(struct kreq *r);       /* POST /signin       */
int page_signout(struct kreq *r);      /* POST /signout      */
int page_recover_form(struct kreq *r); /* GET  /recover      */
int page_recover(struct kreq *r);      /* POST /recover      */
int page_home(struct kreq *r);	       /* GET  /home         */
int page_invite_form(struct kreq *r);  /* GET  /invite       */
int page_invite(struct kreq *r);       /* POST /invite       */

/* the care team (pages-care.c) */
int page_care(struct kreq *r);	       /* GET  /care                        */
int page_care_propose(struct kreq *r); /* POST /care/invites                */
int page_care_approve(struct kreq *r); /* POST /care/invites/{id}/approve   */
int page_care_cancel(struct kreq *r);  /* POST /care/invites/{id}/cancel    */
int page_care_end(struct kreq *r);     /* POST /care/{id}/end               */
/* page_care_home() - a therapist's home page */
int page_care_home(struct kreq *r, const char *display_name);
int page_join_form(struct kreq *r);		 /* GET  /join?invite= */
int page_join(struct kreq *r);			 /* POST /join         */
int page_journal_list(struct kreq *r);		 /* GET  /journal      ?before= */
int page_journal_new(struct kreq *r);		 /* GET  /journal/new  ?prompt=N|random */
int page_journal_create(struct kreq *r);	 /* POST /journal      */
int page_journal_show(struct kreq *r);		 /* GET  /journal/{id} view and edit */
int page_journal_update(struct kreq *r);	 /* POST /journal/{id} */
int page_journal_delete_confirm(struct kreq *r); /* GET /journal/{id}/delete */
int page_journal_delete(struct kreq *r);	 /* POST /journal/{id}/delete */
int page_settings(struct kreq *r);		 /* GET  /settings     */
int page_settings_language(struct kreq *r);	 /* POST /settings/language */
int page_settings_password(struct kreq *r);	 /* POST /settings/password */
int page_settings_recovery(struct kreq *r);	 /* POST /settings/recovery */
int page_settings_leave(struct kreq *r);	 /* POST /settings/leave */
int page_settings_delete(struct kreq *r);	 /* POST /settings/delete */
int page_export(struct kreq *r);		 /* GET  /export: what the download holds */
/* two-step sign-in (TOTP) */
int page_settings_totp_form(struct kreq *r);	      /* GET  /settings/totp */
int page_settings_totp(struct kreq *r);		      /* POST /settings/totp */
int page_settings_totp_confirm(struct kreq *r);	      /* POST /settings/totp/confirm */
int page_settings_totp_off(struct kreq *r);	      /* POST /settings/totp/off */
int page_settings_passkey_remove(struct kreq *r);     /* POST /settings/passkeys/remove */
int page_settings_passkey_signin_off(struct kreq *r); /* POST /settings/passkeys/signin-off */

/* discreet mode and auto-lock (pages-lock.c; the settings form in pages-account.c) */
int page_settings_privacy(struct kreq *r); /* POST /settings/privacy */
int page_manifest(struct kreq *r);	   /* GET  /manifest.webmanifest ?d=1 */
int page_unlock(struct kreq *r);	   /* POST /unlock */
/*
 * page_locked() - the lock page, 401, for a request that came with a
 * locked session (http/server.c lets nothing else through): the password
 * form, whose success goes to next (a path of a page, or NULL for home),
 * and sign-out.  It shows nothing of the member's but the mode they chose.
 */
int page_locked(struct kreq *r, const char *next);
/*
 * page_next_ok() - whether next may follow an unlock: a path on this site
 * ("/" and lowercase letters, digits, '-', at most 256 bytes; no "//", no
 * query, no scheme), so that no link can send a member elsewhere.
 */
int page_next_ok(const char *next);

/* statements (pages-statement.c) */
int page_statements(struct kreq *r);	    /* GET  /statements */
int page_statement_new(struct kreq *r);	    /* GET  /statements/new */
int page_statement_create(struct kreq *r);  /* POST /statements */
int page_statement_show(struct kreq *r);    /* GET  /statements/{id} */
int page_statement_update(struct kreq *r);  /* POST /statements/{id} */
int page_statement_deliver(struct kreq *r); /* POST /statements/{id}/deliver */
int page_statement_respond(struct kreq *r); /* POST /statements/{id}/responses */

/* commitments (pages-commitment.c) */
int page_commitments(struct kreq *r);	    /* GET  /commitments */
int page_commitment_create(struct kreq *r); /* POST /commitments */
int page_commitment_review(struct kreq *r); /* POST /commitments/{id}/review */

/* the guided reflection (pages-reflect.c) */
int page_reflect(struct kreq *r); /* GET  /reflect */

/* check-ins and the couple's rhythm (pages-checkin.c) */
int page_checkin(struct kreq *r);	  /* GET  /checkin      ?period= */
int page_checkin_create(struct kreq *r);  /* POST /checkin      */
int page_checkin_update(struct kreq *r);  /* POST /checkin/{id} */
int page_checkins(struct kreq *r);	  /* GET  /checkins     ?to= history and rhythm */
int page_settings_rhythm(struct kreq *r); /* POST /settings/rhythm */

/* openness cards (pages-share.c) */
int page_shares(struct kreq *r);	/* GET  /shares       */
int page_shares_create(struct kreq *r); /* POST /shares       */
int page_shares_ack(struct kreq *r);	/* POST /shares/{id}/ack */

/* transparency offers (pages-offer.c) */
int page_offers(struct kreq *r);		/* GET  /offers       */
int page_offers_create(struct kreq *r);		/* POST /offers       */
int page_offers_end(struct kreq *r);		/* POST /offers/{id}/end */
int page_helps_me(struct kreq *r);		/* GET  /helps-me     */
int page_helps_me_save(struct kreq *r);		/* POST /helps-me     */
int page_conflict_plan(struct kreq *r);		/* GET  /conflict-plan */
int page_conflict_plan_propose(struct kreq *r); /* POST /conflict-plan */
int page_conflict_plan_accept(struct kreq *r);	/* POST /conflict-plan/accept */
int page_timeouts_create(struct kreq *r);	/* POST /timeouts     */
int page_chores(struct kreq *r);		/* GET  /chores       */
int page_chores_create(struct kreq *r);		/* POST /chores       */
int page_chores_delete(struct kreq *r);		/* POST /chores/{id}/delete */
int page_agreements(struct kreq *r);		/* GET  /agreements */
int page_agreements_create(struct kreq *r);	/* POST /agreements */
int page_agreements_guide(struct kreq *r);	/* GET  /agreements/guide */
int page_agreement(struct kreq *r);		/* GET  /agreements/{id} */
int page_agreements_accept(struct kreq *r);	/* POST /agreements/{id}/accept */
int page_agreements_revise(struct kreq *r);	/* POST /agreements/{id}/revise */
int page_agreements_decline(struct kreq *r);	/* POST /agreements/{id}/decline */
int page_agreements_retire(struct kreq *r);	/* POST /agreements/{id}/retire */
int page_dates(struct kreq *r);			/* GET  /dates        */
int page_dates_create(struct kreq *r);		/* POST /dates        */
int page_dates_answer(struct kreq *r);		/* POST /dates/{id}   */
/* homework (pages-homework.c) and the session-prep summary (pages-summary.c) */
int page_homework(struct kreq *r);	  /* GET  /homework      */
int page_homework_create(struct kreq *r); /* POST /homework      */
int page_homework_mark(struct kreq *r);	  /* POST /homework/{id} */
int page_summary(struct kreq *r);	  /* GET  /summary       */
/* appreciations, the trigger plan and "I'm triggered" (pages-kindness.c) */
int page_appreciations(struct kreq *r);	       /* GET  /appreciations */
int page_appreciations_create(struct kreq *r); /* POST /appreciations */
int page_appreciation_thanks(struct kreq *r);  /* POST /appreciations/{id}/thanks */
int page_triggered(struct kreq *r);	       /* GET  /triggered */
int page_triggered_create(struct kreq *r);     /* POST /triggered */
int page_triggered_answer(struct kreq *r);     /* POST /triggered/{id}/answer */
int page_trigger_plan_save(struct kreq *r);    /* POST /trigger-plan */
/* signed-in devices and the sign-in history (pages-devices.c) */
int page_devices(struct kreq *r);	     /* GET  /settings/devices */
int page_devices_end_others(struct kreq *r); /* POST /settings/devices/others */
int page_device_end(struct kreq *r);	     /* POST /settings/devices/{id}/end */
int page_device_notice(struct kreq *r);	     /* POST /settings/devices/notice */
int page_history(struct kreq *r);	     /* GET  /settings/history */
/*
 * page_device_notice_data() - data.new_device {when, at, browser, id} when
 * home has a sign-in from a new device to tell of (devices_notice()); 0 or
 * a negative errno.
 */
int page_device_notice_data(struct kreq *r, json_t *data);
/*
 * page_timeout_data() - data.timeout {text, ends_at, mine} when the couple
 * is on a break now (home and /conflict-plan); 0 or a negative errno.
 */
int page_timeout_data(struct kreq *r, json_t *data);

/* breaches and their repair (pages-breaches.c) */
int page_breaches(struct kreq *r);	  /* GET  /breaches     */
int page_breaches_create(struct kreq *r); /* POST /breaches     */
int page_breach(struct kreq *r);	  /* GET  /breaches/{id} */
int page_breach_repair(struct kreq *r);	  /* POST /breaches/{id}/repair */
int page_breach_repaired(struct kreq *r); /* POST /breaches/{id}/repaired */

/* shared activities (pages-activity.c) */
int page_activities(struct kreq *r);	    /* GET  /activities   */
int page_activities_create(struct kreq *r); /* POST /activities   */
int page_activities_update(struct kreq *r); /* POST /activities/{id} */

/* the home page (pages.c) */
/*
 * page_home_step2() - the home page's part for steps 1 to 3, added to its
 * data: step1_status, step2_status (+ step2_detail), step3_status, next {text, url,
 * button} (none when the reader is alone: the invitation says it), and the
 * trust and closeness chart (chart_svg, chart_rows, chart_partner).  paired
 * says both partners have joined.  0 or a negative errno.
 */
int page_home_step2(struct kreq *r, json_t *data, int paired);

/* help signals and help requests (pages-help.c), step 4 */
int page_help(struct kreq *r);	       /* GET  /help */
int page_help_request(struct kreq *r); /* POST /help/requests */
int page_help_dismiss(struct kreq *r); /* POST /help/dismiss */
/*
 * page_home_step4() - the home page's part for step 4, added to its data:
 * step4_status (where the couple stands), step4_text, step4_url,
 * step4_button (the one next action), step4_signal (a signal stands).
 * 0 or a negative errno.
 */
int page_home_step4(struct kreq *r, json_t *data);
/*
 * page_home_step5() - the home page's part for step 5 (pages-patience.c),
 * added to its data: step5_status (the pace, the rituals), step5_text,
 * step5_url, step5_button (the one next action), step5_alert (the
 * partner's "I'm triggered" waits for an answer) and step5_remember (an
 * older appreciation: body, mine, date).  0 or a negative errno.
 */
int page_home_step5(struct kreq *r, json_t *data);

/* the private safety check (pages-safety.c) */
int page_safety(struct kreq *r);	/* GET  /safety ?welcome=1 ?all=1 */
int page_safety_answer(struct kreq *r); /* POST /safety */
/*
 * page_safety_gate() - run by the server before a page route's handler
 * (pattern: the route's) for a signed-in member: when the page is a couple
 * exercise and the member's latest safety check showed a concern, it
 * answers instead (the help, or a redirect home for a form) and returns 1;
 * else it answers nothing and returns 0.  A negative errno on failure.
 */
int page_safety_gate(struct kreq *r, const char *pattern);
/*
 * page_safety_concern() - for home: when the member's latest check showed
 * a concern, data gets concern = true and the help (as /safety shows it),
 * and 1 is returned; else 0 and data is untouched; or a negative errno.
 */
int page_safety_concern(struct kreq *r, json_t *data);

/* the listening exercise (pages-listening.c) */
int page_listening(struct kreq *r);	   /* GET  /listening        */
int page_listening_start(struct kreq *r);  /* POST /listening        */
int page_listening_show(struct kreq *r);   /* GET  /listening/{id}   */
int page_listening_answer(struct kreq *r); /* POST /listening/{id}   */

/* the kinds that are all data (pages-item.c): the kind is the one the path names */
int page_items(struct kreq *r);	      /* GET  /{plural} */
int page_item_create(struct kreq *r); /* POST /{plural} */
int page_item_edit(struct kreq *r);   /* GET  /{plural}/{id} */
int page_item_update(struct kreq *r); /* POST /{plural}/{id} */
int page_item_delete(struct kreq *r); /* POST /{plural}/{id}/delete */

/*
 * page_coach_hints() - the message coach's hints on len bytes of text into
 * o, for the page of a text its author wrote to the partner: coach_hints
 * [{match, hint}] (appended to when o has it: a page's second text) and
 * has_coach_hints (nothing when there are none), as
 * templates/coach_hints.mustache shows them.  0, or a negative errno.
 */
int page_coach_hints(json_t *o, const char *text, size_t len);
/* the pace ladder (pages-pace.c) */
int page_pace(struct kreq *r);	      /* GET  /pace */
int page_pace_save(struct kreq *r);   /* POST /pace */
int page_pace_pause(struct kreq *r);  /* POST /pace/pause */
int page_pace_resume(struct kreq *r); /* POST /pace/resume */

#endif
