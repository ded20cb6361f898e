/*
 * devices.h: a member's signed-in devices and their own sign-in history
 * (issue 13, "signed-in devices"; issue 11 part 1: the owner sees new
 * sign-ins and key changes), and the notice on home after a sign-in from
 * a new device.
 *
 * Everything here is the caller's own: the sessions, events and notices of
 * the session's member, never anyone else's, so that a partner (or a
 * therapist) learns nothing of another member's devices or of when they
 * were last seen.  A browser is kept as a short name made from the
 * User-Agent header ("Firefox/Android": a browser and a system, each from
 * a fixed list), never the header itself.
 *
 * Return values: 0, a positive DEVICES_* outcome, or a negative errno.
 */
#ifndef KINTSUGI_CORE_DEVICES_H
#define KINTSUGI_CORE_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"
#include "store/store.h"

enum devices_result {
	DEVICES_OK = 0,
	DEVICES_NOT_FOUND = 1,	/* 404: no such session (or notice) of the member */
	DEVICES_SIGNED_OUT = 2, /* the session ended was the caller's own */
};

#define DEVICES_HISTORY_MAX 200 /* events a history shows, newest first */
#define DEVICES_NOTICE_DAYS 14	/* a new-device notice shows this long, unless dismissed */
#define DEVICES_LABEL_MAX   96	/* a browser's label, translated, NUL included */

/*
 * devices_browser_from_ua() - the short name of the browser a User-Agent
 * header (len bytes, need not be NUL-terminated; NULL for none) names:
 * "Browser/System" with either part empty when it is not recognised, ""
 * when neither is.  Only names of the fixed lists are ever written.
 */
void devices_browser_from_ua(const char *ua, size_t len, char out[STORE_BROWSER_LEN + 1]);

/*
 * devices_browser_label() - a stored short name as a person reads it, in
 * the thread's language: "Firefox on Android", "Firefox", "A browser on
 * Android", or "Unknown browser" (also for anything that is not a short
 * name of the lists).  out gets at most len bytes (DEVICES_LABEL_MAX is
 * always enough).
 */
void devices_browser_label(const char *stored, char *out, size_t len);

/*
 * devices_audit() - an audit event of member_id (couple_id; either may be
 * NULL) from the request's browser (c->browser), started by session_id
 * (NULL: none), at now.  A failure is not the caller's: it is ignored, as
 * the audit trail has always been.
 */
void devices_audit(const struct core *c, const char *couple_id, const char *member_id,
		   const char *event, const char *session_id);

/*
 * devices_new_device() - session s was just started by a sign-in from a
 * browser that had not signed in to this account before (no device cookie
 * of it, throttle.h): the event that the member's history shows and that
 * puts the notice on their other sessions' home.
 */
void devices_new_device(const struct core *c, const struct session *s);

/* One of the member's live sessions. */
struct device_view {
	char id[STORE_ID_LEN + 1];
	char browser[STORE_BROWSER_LEN + 1]; /* the stored short name (devices_browser_label()) */
	char created_at[STORE_TIME_LEN + 1];
	char last_seen_at[STORE_TIME_LEN + 1];
	int current; /* the session of the request */
};

/*
 * devices_list() - s's member's live sessions (those session_resolve()
 * would take): s's own first, then the others newest first; *ret is
 * malloc'd (NULL when none; free()).
 */
int devices_list(const struct core *c, const struct session *s, struct device_view **ret,
		 size_t *ret_n);

/*
 * devices_end() - end the member's session id, and take the standing of
 * the browser it was started from (its next sign-in is a new device
 * again).  DEVICES_NOT_FOUND when the member has no such session (another
 * member's is no different from one that never was); DEVICES_SIGNED_OUT
 * when it was s itself (the caller clears the cookie).
 */
int devices_end(const struct core *c, const struct session *s, const char *id);

/* devices_end_others() - end every session of the member but s, and their browsers' standing. */
int devices_end_others(const struct core *c, const struct session *s);

/* An event of the member's own history. */
struct history_event {
	const char *kind; /* "signin", "signin_failed", "password_changed", "recovery_used",
			   * "recovery_key_changed", "new_device" (static) */
	char at[STORE_TIME_LEN + 1];
	char browser[STORE_BROWSER_LEN + 1]; /* the stored short name */
};

/*
 * devices_history() - s's member's own sign-ins, failed sign-ins (a wrong
 * password, code or recovery key for their login), password changes,
 * recoveries, new recovery keys and sign-ins from new devices, newest
 * first, at most DEVICES_HISTORY_MAX of the last STORE_AUDIT_DAYS days;
 * *ret is malloc'd (NULL when none; free()).
 */
int devices_history(const struct core *c, const struct session *s, struct history_event **ret,
		    size_t *ret_n);

/* The notice on home: a sign-in from a new device. */
struct device_notice {
	int64_t id; /* 0: nothing to show */
	char at[STORE_TIME_LEN + 1];
	char browser[STORE_BROWSER_LEN + 1];
};

/*
 * devices_notice() - the newest sign-in from a new device of the last
 * DEVICES_NOTICE_DAYS days that the member has not dismissed and that s
 * did not make itself (a session is not told about its own sign-in);
 * ret->id 0 when there is none.
 */
int devices_notice(const struct core *c, const struct session *s, struct device_notice *ret);

/*
 * devices_notice_dismiss() - the member dismissed notice id and every
 * older one.  DEVICES_NOT_FOUND (nothing changes) unless id is a notice
 * devices_notice() could show s now: nobody can dismiss a notice in
 * advance, nor one about their own sign-in.
 */
int devices_notice_dismiss(const struct core *c, const struct session *s, int64_t id);

#endif
