/*
 * routes.c: kintsugi's routing table and its matcher.
 *
 * Pages and their API twins sit side by side; the field declarations are
 * shared where the contract is the same.  docs/api.md is checked against
 * this table by src/http/test-routes.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/item.h"
#include "core/passkey.h"
#include "core/commitment.h" /* step 1: field limits */
#include "core/statement.h"  /* step 1: field limits */
#include "core/activity.h"   /* step 2: field limits */
#include "core/checkin.h"    /* step 2: field limits */
#include "core/agreements.h" /* step 3: its fields */
#include "core/breaches.h"   /* step 3: its fields */
#include "core/chores.h"     /* step 3: its fields */
#include "core/conflict.h"   /* step 3: its fields */
#include "core/dates.h"	     /* step 3: its fields */
#include "core/help.h"	     /* step 4: its fields */
#include "core/helps.h"	     /* step 3: its fields */
#include "core/coach.h"	     /* step 5: the coach's text limit */
#include "core/homework.h"   /* step 4: its fields */
#include "core/kindness.h"   /* step 5: its fields */
#include "core/listening.h"  /* step 5: its fields */
#include "core/offer.h"	     /* step 2: field limits */
#include "core/pace.h"	     /* step 5: the rungs and choices */
#include "core/share.h"	     /* step 2: field limits */
#include "core/care.h"
#include "http/routes.h"
#include "web/pages.h"
#include "vault/vault.h"

#define FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))
#define NOFIELDS  NULL, 0

static const char *const languages[] = {"en", "es", "ru", NULL};
static const char *const invite_roles[] = {"partner", NULL};

#define F_LOGIN                                                                                    \
	{                                                                                          \
		"login", FIELD_STRING, 1, LIMIT_LOGIN_MIN, LIMIT_LOGIN_MAX, NULL                   \
	}
#define F_PASSWORD(name)                                                                           \
	{                                                                                          \
		name, FIELD_SECRET, 1, LIMIT_PASSWORD_MIN, LIMIT_PASSWORD_MAX, NULL                \
	}
#define F_ANY_PASSWORD(name)                                                                       \
	{                                                                                          \
		name, FIELD_SECRET, 1, 1, LIMIT_PASSWORD_MAX, NULL                                 \
	}
#define F_DISPLAY_NAME                                                                             \
	{                                                                                          \
		"display_name", FIELD_STRING, 1, LIMIT_DISPLAY_NAME_MIN, LIMIT_DISPLAY_NAME_MAX,   \
			NULL                                                                       \
	}
#define F_LANGUAGE                                                                                 \
	{                                                                                          \
		"language", FIELD_ENUM, 1, 0, 0, languages                                         \
	}
#define F_JOURNAL_BODY                                                                             \
	{                                                                                          \
		"body", FIELD_STRING, 1, 1, LIMIT_JOURNAL_BODY_MAX, NULL                           \
	}

static const struct field signup_fields[] = {F_LOGIN, F_PASSWORD("password"), F_DISPLAY_NAME,
					     F_LANGUAGE};
/* a second-factor code: 6 digits or a recovery code, as typed (spaces, dashes) */
#define F_CODE(name, required)                                                                     \
	{                                                                                          \
		name, FIELD_SECRET, required, required, LIMIT_CODE_MAX, NULL                       \
	}
/* a passkey's answer: PublicKeyCredential.toJSON() as a string (passkey.h) */
#define F_PASSKEY(name, required)                                                                  \
	{                                                                                          \
		name, FIELD_SECRET, required, required, LIMIT_PASSKEY_JSON_MAX, NULL               \
	}
static const struct field login_fields[] = {
	{"login", FIELD_STRING, 1, 1, LIMIT_LOGIN_MAX, NULL},
	F_ANY_PASSWORD("password"),
	F_CODE("totp", 0),
	F_PASSKEY("passkey", 0),
};
static const struct field invite_fields[] = {{"role", FIELD_ENUM, 1, 0, 0, invite_roles}};
static const struct field care_invite_fields[] = {
	{"note", FIELD_STRING, 0, 0, CARE_NOTE_MAX, NULL},
};
static const struct field join_fields[] = {
	{"token", FIELD_STRING, 1, 1, 200, NULL},
	F_LOGIN,
	F_PASSWORD("password"),
	F_DISPLAY_NAME,
	F_LANGUAGE,
};
static const struct field join_form_fields[] = {
	{"invite", FIELD_STRING, 1, 1, 200, NULL},
	F_LOGIN,
	F_PASSWORD("password"),
	F_DISPLAY_NAME,
	F_LANGUAGE,
};
static const struct field password_fields[] = {F_ANY_PASSWORD("old_password"),
					       F_PASSWORD("new_password"), F_CODE("totp", 0),
					       F_PASSKEY("passkey", 0)};
static const struct field recover_fields[] = {
	{"login", FIELD_STRING, 1, 1, LIMIT_LOGIN_MAX, NULL},
	{"recovery_key", FIELD_STRING, 1, 1, 100, NULL},
	F_PASSWORD("new_password"),
	F_CODE("totp", 0),
	F_PASSKEY("passkey", 0),
};
static const struct field confirm_fields[] = {F_ANY_PASSWORD("password")};
/* the current recovery key, as /recover takes it, or a code: one of them (the handler checks) */
static const struct field recovery_key_fields[] = {{"recovery_key", FIELD_STRING, 0, 0, 100, NULL},
						   F_CODE("totp", 0),
						   F_PASSKEY("passkey", 0)};
static const struct field totp_confirm_fields[] = {F_CODE("code", 1)};
/* a code, or a passkey's answer in its place (the handler takes either) */
static const struct field totp_off_fields[] = {F_ANY_PASSWORD("password"), F_CODE("code", 0),
					       F_PASSKEY("passkey", 0)};
static const struct field passkey_add_fields[] = {
	{"name", FIELD_STRING, 1, 1, PASSKEY_NAME_MAX, NULL},
	F_PASSKEY("credential", 1),
};
static const struct field passkey_signin_fields[] = {F_PASSKEY("credential", 1)};
static const struct field passkey_signin_off_form_fields[] = {
	{"passkey_id", FIELD_STRING, 1, 1, VAULT_ID_HEX, NULL}};
static const struct field passkey_off_fields[] = {F_ANY_PASSWORD("password"), F_CODE("totp", 0),
						  F_PASSKEY("passkey", 0)};
/* the settings page's form: which passkey, named in the body (no path per passkey) */
static const struct field passkey_off_form_fields[] = {
	{"passkey_id", FIELD_STRING, 1, 1, VAULT_ID_HEX, NULL},
	F_ANY_PASSWORD("password"),
	F_CODE("totp", 0),
	F_PASSKEY("passkey", 0),
};
static const struct field journal_new_fields[] = {
	F_JOURNAL_BODY,
	{"prompt", FIELD_STRING, 0, 0, LIMIT_JOURNAL_PROMPT_MAX, NULL},
};
static const struct field journal_put_fields[] = {F_JOURNAL_BODY};
static const struct field language_fields[] = {F_LANGUAGE};
/* the new-device notice on home that the member dismisses (its event's id) */
static const struct field notice_fields[] = {{"notice", FIELD_INT, 1, 1, INT32_MAX, NULL}};
/* discreet mode and auto-lock: the minutes are checked against their list in core */
#define F_AUTOLOCK(required)                                                                       \
	{                                                                                          \
		"autolock_minutes", FIELD_INT, required, 0, 60, NULL                               \
	}
static const struct field me_put_fields[] = {
	{"display_name", FIELD_STRING, 0, LIMIT_DISPLAY_NAME_MIN, LIMIT_DISPLAY_NAME_MAX, NULL},
	{"language", FIELD_ENUM, 0, 0, 0, languages},
	{"discreet", FIELD_BOOL, 0, 0, 0, NULL},
	F_AUTOLOCK(0),
};
/* a checkbox sends nothing when it is off */
static const struct field privacy_fields[] = {{"discreet", FIELD_BOOL, 0, 0, 0, NULL},
					      F_AUTOLOCK(1)};
/* next is a hint: one that is not a page path of ours means home (page_next_ok()) */
static const struct field unlock_form_fields[] = {F_ANY_PASSWORD("password"),
						  {"next", FIELD_STRING, 0, 0, 2048, NULL}};

/* ---- step 1: statements and commitments ---- */
static const char *const commitment_statuses[] = {"kept", "slipped", "renewed", NULL};
/* a draft may have empty parts: every part is an optional string */
#define F_STATEMENT_PART(name)                                                                     \
	{                                                                                          \
		name, FIELD_STRING, 0, 0, STATEMENT_PART_MAX_CHARS, NULL                           \
	}
static const struct field statement_fields[] = {
	F_STATEMENT_PART("what_i_did"), F_STATEMENT_PART("impact"),
	F_STATEMENT_PART("why"),	F_STATEMENT_PART("regret"),
	F_STATEMENT_PART("repair"),	F_STATEMENT_PART("forgiveness_request"),
};
static const struct field statement_response_fields[] = {
	{"read", FIELD_BOOL, 1, 0, 0, NULL},
	{"landed", FIELD_STRING, 0, 0, STATEMENT_RESPONSE_MAX_CHARS, NULL},
	{"still_need", FIELD_STRING, 0, 0, STATEMENT_RESPONSE_MAX_CHARS, NULL},
};
static const struct field commitment_fields[] = {
	{"text", FIELD_STRING, 1, 1, COMMITMENT_TEXT_MAX_CHARS, NULL},
	{"review_every_days", FIELD_INT, 1, COMMITMENT_EVERY_MIN, COMMITMENT_EVERY_MAX, NULL},
};
static const struct field commitment_review_fields[] = {
	{"status", FIELD_ENUM, 1, 0, 0, commitment_statuses},
	{"note", FIELD_STRING, 0, 0, COMMITMENT_NOTE_MAX_CHARS, NULL},
};
/* ---- end of step 1 ---- */

/* ---- step 3: the form of a breach, whose unchecked boxes are not sent ---- */
static const struct field breach_form_fields[] = {
	{"agreement_id", FIELD_ID, 0, 0, 0, NULL},
	{"description", FIELD_STRING, 1, 1, BREACH_TEXT_MAX, NULL},
	{"self_report", FIELD_BOOL, 0, 0, 0, NULL},
	{"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
};

/* ---- step 3: the conflict plan's accept and a time-out ---- */
static const struct field plan_accept_fields[] = {{"version", FIELD_INT, 0, 1, INT32_MAX, NULL}};
static const struct field agreement_accept_fields[] = {
	{"version", FIELD_INT, 1, 1, INT32_MAX, NULL},
};
static const struct field timeout_fields[] = {
	{"minutes", FIELD_INT, 0, CONFLICT_BREAK_MIN, CONFLICT_BREAK_MAX, NULL},
};

/* ---- step 2: transparency and openness ---- */
#define F_SHARED_WITH                                                                              \
	{                                                                                          \
		"shared_with", FIELD_SHARED, 1, 0, 0, NULL                                         \
	}
#define F_CHECKIN_SCORES                                                                           \
	{                                                                                          \
		"scores", FIELD_INT_MAP, 1, CHECKIN_SCORE_MIN, CHECKIN_SCORE_MAX, checkin_dims     \
	}
#define F_CHECKIN_LEVEL(name)                                                                      \
	{                                                                                          \
		name, FIELD_INT, 1, CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX, NULL                     \
	}
#define F_CHECKIN_NOTE                                                                             \
	{                                                                                          \
		"note", FIELD_STRING, 0, 0, CHECKIN_NOTE_MAX, NULL                                 \
	}
static const struct field checkin_fields[] = {
	{"period", FIELD_DATE, 1, 0, 0, NULL}, F_CHECKIN_SCORES, F_CHECKIN_LEVEL("trust"),
	F_CHECKIN_LEVEL("closeness"),	       F_CHECKIN_NOTE,	 F_SHARED_WITH,
};
/* a change keeps the period: it may be sent again, and must then be the same */
static const struct field checkin_put_fields[] = {
	{"period", FIELD_DATE, 0, 0, 0, NULL}, F_CHECKIN_SCORES, F_CHECKIN_LEVEL("trust"),
	F_CHECKIN_LEVEL("closeness"),	       F_CHECKIN_NOTE,	 F_SHARED_WITH,
};
static const struct field rhythm_fields[] = {{"rhythm", FIELD_ENUM, 1, 0, 0, checkin_rhythms}};
static const struct field share_fields[] = {
	{"kind", FIELD_ENUM, 1, 0, 0, share_kinds},
	{"body", FIELD_STRING, 1, 1, SHARE_BODY_MAX, NULL},
	F_SHARED_WITH,
};
static const struct field share_ack_fields[] = {
	{"reply", FIELD_STRING, 0, 0, SHARE_REPLY_MAX, NULL},
};
static const struct field offer_fields[] = {
	{"text", FIELD_STRING, 1, 1, OFFER_TEXT_MAX, NULL},
	{"until", FIELD_DATE, 1, 0, 0, NULL},
};
static const struct field activity_fields[] = {
	{"kind", FIELD_ENUM, 1, 0, 0, activity_kinds},
	{"title", FIELD_STRING, 1, 1, ACTIVITY_TITLE_MAX, NULL},
	{"planned_for", FIELD_DATE, 1, 0, 0, NULL},
};
static const struct field activity_put_fields[] = {
	{"done", FIELD_BOOL, 1, 0, 0, NULL},
	{"felt", FIELD_STRING, 0, 0, ACTIVITY_FELT_MAX, NULL},
};
/* ---- end of step 2 ---- */

/* ---- the private safety check: four answers, each yes or no, all required ---- */
#define F_SAFETY(name)                                                                             \
	{                                                                                          \
		name, FIELD_BOOL, 1, 0, 0, NULL                                                    \
	}
static const struct field safety_fields[] = {F_SAFETY("afraid"), F_SAFETY("threatened"),
					     F_SAFETY("hurt"), F_SAFETY("forced")};

/* ---- step 5: the message coach reads a text being written; language: whose patterns ---- */
static const struct field coach_fields[] = {
	{"text", FIELD_STRING, 1, 0, COACH_TEXT_MAX_CHARS, NULL},
	{"language", FIELD_ENUM, 0, 0, 0, languages},
};

/* ---- step 4: a help request, and the help page's dismiss form (which signal) ---- */
static const struct field help_dismiss_form_fields[] = {
	{"signal", FIELD_ENUM, 1, 0, 0, help_codes},
};

/* One dismiss route per code: an unknown code is no route (404). */
#define HELP_DISMISS_ROUTE(code)                                                                   \
	{                                                                                          \
		KMETHOD_POST, "/api/v1/help-signals/" code "/dismiss", api_help_dismiss,           \
			ROUTE_PARTNER, 1, ROUTE_API, NOFIELDS,                                     \
			"Set the " code " signal aside, for the caller only, until its cause "     \
			"changes: 204; 404 when the caller has no such signal now."                \
	}

/* ---- step 5: the pace ladder: one rung's answer ---- */
static const struct field pace_put_fields[] = {
	{"choice", FIELD_ENUM, 1, 0, 0, pace_choice_keys},
};

static const struct route fixed_routes[] = {
	/* health and static files */
	{KMETHOD_GET, "/healthz", api_health, ROUTE_ANYONE, 0, ROUTE_API, NOFIELDS,
	 "Liveness: {\"status\":\"ok\"}, touches no private data."},
	{KMETHOD_GET, "/favicon.ico", page_static, ROUTE_ANYONE, 0, ROUTE_STATIC, NOFIELDS,
	 "The icon."},
	{KMETHOD_GET, "/static/*", page_static, ROUTE_ANYONE, 0, ROUTE_STATIC, NOFIELDS,
	 "Stylesheet, scripts and images; public and cacheable."},
	{KMETHOD_GET, "/manifest.webmanifest", page_manifest, ROUTE_ANYONE, 0, ROUTE_STATIC,
	 NOFIELDS, "The web app manifest; ?d=1 the neutral one of discreet mode."},

	/* API: accounts and pairing */
	{KMETHOD_POST, "/api/v1/signup", api_signup, ROUTE_ANYONE, 0, ROUTE_API,
	 FIELDS(signup_fields), "Create a couple with this member as its first partner."},
	{KMETHOD_POST, "/api/v1/login", api_login, ROUTE_ANYONE, 0, ROUTE_API, FIELDS(login_fields),
	 "Sign in; a fresh session cookie."},
	{KMETHOD_POST, "/api/v1/logout", api_logout, ROUTE_MEMBER, 1, ROUTE_API, NOFIELDS,
	 "Sign out; the session ends server-side."},
	{KMETHOD_GET, "/api/v1/me", api_me_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The member, their couple and the CSRF token."},
	{KMETHOD_DELETE, "/api/v1/me", api_me_delete, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(confirm_fields), "Delete the account: keys and rows are destroyed."},
	{KMETHOD_PUT, "/api/v1/me", api_me_put, ROUTE_MEMBER, 1, ROUTE_API, FIELDS(me_put_fields),
	 "Change the name, the language, discreet mode and the auto-lock time."},
	{KMETHOD_POST, "/api/v1/unlock", api_unlock, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(confirm_fields), "Unlock a session that auto-lock locked, with the password."},
	{KMETHOD_POST, "/api/v1/couple/leave", api_couple_leave, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(confirm_fields), "Leave the couple alone: a couple and a couple key of one's own."},
	{KMETHOD_POST, "/api/v1/invites", api_invites, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(invite_fields), "A one-time partner invite link."},
	{KMETHOD_POST, "/api/v1/care/invites", api_care_invite_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(care_invite_fields),
	 "Propose inviting a therapist; no link until the other partner approves."},
	{KMETHOD_POST, "/api/v1/care/invites/{id}/approve", api_care_invite_approve, ROUTE_PARTNER,
	 1, ROUTE_API, NOFIELDS, "Approve the other partner's proposal: the link, shown once."},
	{KMETHOD_POST, "/api/v1/care/invites/{id}/cancel", api_care_invite_cancel, ROUTE_PARTNER, 1,
	 ROUTE_API, NOFIELDS, "Cancel a care invite before it is used."},
	{KMETHOD_GET, "/api/v1/care", api_care_get, ROUTE_PARTNER, 0, ROUTE_API, NOFIELDS,
	 "The couple's therapists with active access, and the open care invites."},
	{KMETHOD_DELETE, "/api/v1/care/{id}", api_care_end, ROUTE_PARTNER, 1, ROUTE_API, NOFIELDS,
	 "End a therapist's access at once; the care key changes."},
	{KMETHOD_POST, "/api/v1/join", api_join, ROUTE_ANYONE, 0, ROUTE_API, FIELDS(join_fields),
	 "Join a couple with an invite token."},
	{KMETHOD_POST, "/api/v1/password", api_password, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(password_fields), "Change the password; other sessions end."},
	{KMETHOD_POST, "/api/v1/recover", api_recover, ROUTE_ANYONE, 0, ROUTE_API,
	 FIELDS(recover_fields), "Set a new password with the recovery key."},
	{KMETHOD_POST, "/api/v1/recovery-key", api_recovery_key, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(recovery_key_fields),
	 "A new recovery key, given the current one or a second-factor code; other sessions end."},
	{KMETHOD_POST, "/api/v1/totp", api_totp_begin, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(confirm_fields), "Set up TOTP: a secret to add to an app; on once confirmed."},
	{KMETHOD_POST, "/api/v1/totp/confirm", api_totp_confirm, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(totp_confirm_fields),
	 "Turn TOTP on with a first code; recovery codes, shown once; other sessions end."},
	{KMETHOD_DELETE, "/api/v1/totp", api_totp_delete, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(totp_off_fields), "Turn TOTP off, given the password and a code."},
	{KMETHOD_POST, "/api/v1/passkeys/registration-options", api_passkey_options, ROUTE_MEMBER,
	 1, ROUTE_API, FIELDS(confirm_fields),
	 "Options to create a passkey (WebAuthn), after the password; needs TOTP on."},
	{KMETHOD_POST, "/api/v1/passkeys", api_passkey_add, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(passkey_add_fields),
	 "Add a passkey: its registration and a name; other sessions end."},
	{KMETHOD_GET, "/api/v1/passkeys", api_passkey_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The member's passkeys: names, when added, when last used."},
	{KMETHOD_DELETE, "/api/v1/passkeys/{id}", api_passkey_delete, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(passkey_off_fields), "Remove a passkey, given the password and a second factor."},
	{KMETHOD_POST, "/api/v1/passkeys/assertion-options", api_passkey_assertion, ROUTE_MEMBER, 1,
	 ROUTE_API, NOFIELDS, "Options to answer a check behind the session with a passkey."},
	{KMETHOD_POST, "/api/v1/passkeys/signin-options", api_passkey_signin_options, ROUTE_ANYONE,
	 0, ROUTE_API, NOFIELDS,
	 "Options to sign in with a passkey alone: user verification and the PRF; no account "
	 "named."},
	{KMETHOD_POST, "/api/v1/passkeys/signin", api_passkey_signin, ROUTE_ANYONE, 0, ROUTE_API,
	 FIELDS(passkey_signin_fields),
	 "Sign in with a passkey alone (one whose sign-in is on), no password: as /login."},
	{KMETHOD_POST, "/api/v1/passkeys/{id}/signin-options", api_passkey_signin_begin,
	 ROUTE_MEMBER, 1, ROUTE_API, NOFIELDS,
	 "Options for that passkey to answer, with the user verified and the PRF, to sign in "
	 "alone."},
	{KMETHOD_PUT, "/api/v1/passkeys/{id}/signin", api_passkey_signin_on, ROUTE_MEMBER, 1,
	 ROUTE_API, FIELDS(passkey_signin_fields),
	 "Let that passkey sign in alone, given its own answer with the PRF's output."},
	{KMETHOD_DELETE, "/api/v1/passkeys/{id}/signin", api_passkey_signin_off, ROUTE_MEMBER, 1,
	 ROUTE_API, NOFIELDS, "That passkey no longer signs in alone (it stays a second step)."},
	/* API: the caller's own signed-in devices and sign-in history */
	{KMETHOD_GET, "/api/v1/me/sessions", api_me_sessions, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The caller's signed-in devices: browser, since when, last used, which is this one."},
	{KMETHOD_DELETE, "/api/v1/me/sessions/{id}", api_me_session_delete, ROUTE_MEMBER, 1,
	 ROUTE_API, NOFIELDS, "Sign one of the caller's devices out (this one: sign out)."},
	{KMETHOD_GET, "/api/v1/me/activity", api_me_activity, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The caller's own sign-ins, failed sign-ins and key changes, newest first."},

	/* API: the export */
	{KMETHOD_GET, "/api/v1/export", api_export, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "Everything the caller can read, as one JSON file (a download)."},

	/* API: journal */
	{KMETHOD_GET, "/api/v1/journal", api_journal_list, ROUTE_PARTNER, 0, ROUTE_API, NOFIELDS,
	 "The caller's journal, newest first; ?limit=1..100&before=ID."},
	{KMETHOD_POST, "/api/v1/journal", api_journal_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(journal_new_fields), "Write an entry."},
	{KMETHOD_GET, "/api/v1/journal/{id}", api_journal_get, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "Read one entry."},
	{KMETHOD_PUT, "/api/v1/journal/{id}", api_journal_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(journal_put_fields), "Change an entry."},
	{KMETHOD_DELETE, "/api/v1/journal/{id}", api_journal_delete, ROUTE_PARTNER, 1, ROUTE_API,
	 NOFIELDS, "Delete an entry."},

	/* ---- step 1: statements and commitments (API) ---- */
	{KMETHOD_GET, "/api/v1/statements", api_statements_list, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "The caller's statements and the partner's delivered ones, newest first."},
	{KMETHOD_POST, "/api/v1/statements", api_statement_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(statement_fields), "Write a statement: a private draft, with the check's flags."},
	{KMETHOD_POST, "/api/v1/statements/check", api_statement_check, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(statement_fields),
	 "Check a statement's parts as they are written; nothing is saved."},
	{KMETHOD_GET, "/api/v1/statements/{id}", api_statement_get, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "Read one statement the caller may see, with its responses."},
	{KMETHOD_PUT, "/api/v1/statements/{id}", api_statement_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(statement_fields), "Replace the parts of the caller's draft."},
	{KMETHOD_POST, "/api/v1/statements/{id}/deliver", api_statement_deliver, ROUTE_PARTNER, 1,
	 ROUTE_API, NOFIELDS, "Deliver a draft to the partner; it never changes again."},
	{KMETHOD_POST, "/api/v1/statements/{id}/responses", api_statement_respond, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(statement_response_fields),
	 "The receiving partner responds to a delivered statement."},
	{KMETHOD_GET, "/api/v1/commitments", api_commitments_list, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "The caller's commitments, newest first, with their reviews."},
	{KMETHOD_POST, "/api/v1/commitments", api_commitment_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(commitment_fields), "Make a commitment, reviewed every N days."},
	{KMETHOD_GET, "/api/v1/commitments/{id}", api_commitment_get, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "Read one of the caller's commitments."},
	{KMETHOD_PUT, "/api/v1/commitments/{id}", api_commitment_put, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(commitment_review_fields), "Review a commitment: kept, slipped or renewed."},
	/* ---- end of step 1 ---- */

	/* ---- step 2: transparency and openness (API) ---- */
	{KMETHOD_GET, "/api/v1/checkins", api_checkins_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The caller's check-ins and the partner's revealed ones, and how many wait (a "
	 "therapist: those shared with the care team); ?from=&to=."},
	{KMETHOD_POST, "/api/v1/checkins", api_checkins_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(checkin_fields), "Check in for a period of the couple's rhythm; one per period."},
	{KMETHOD_GET, "/api/v1/checkins/{id}", api_checkins_get, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS,
	 "One check-in the caller may see (the reveal rule holds; a therapist: shared with "
	 "the care team)."},
	{KMETHOD_PUT, "/api/v1/checkins/{id}", api_checkins_put, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(checkin_put_fields), "Change the caller's own check-in (the period stays)."},
	{KMETHOD_GET, "/api/v1/couple", api_couple_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The couple, with its check-in rhythm."},
	{KMETHOD_PUT, "/api/v1/couple", api_couple_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(rhythm_fields), "Set the check-in rhythm, daily or weekly (either partner)."},
	{KMETHOD_GET, "/api/v1/shares", api_shares_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "Openness cards: the caller's, and the partner's shared with them; newest first."},
	{KMETHOD_POST, "/api/v1/shares", api_shares_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(share_fields), "Write an openness card."},
	{KMETHOD_GET, "/api/v1/shares/{id}", api_shares_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "One openness card the caller may see."},
	{KMETHOD_POST, "/api/v1/shares/{id}/ack", api_shares_ack, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(share_ack_fields), "The partner says they heard a card, once, with a reply."},
	{KMETHOD_GET, "/api/v1/offers", api_offers_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "Transparency offers of both partners, newest first."},
	{KMETHOD_POST, "/api/v1/offers", api_offers_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(offer_fields), "Make a time-limited offer; always shared with the partner."},
	{KMETHOD_GET, "/api/v1/offers/{id}", api_offers_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "One of the couple's offers."},
	{KMETHOD_POST, "/api/v1/offers/{id}/end", api_offers_end, ROUTE_MEMBER, 1, ROUTE_API,
	 NOFIELDS, "End an offer; only its author can."},
	{KMETHOD_GET, "/api/v1/activities", api_activities_list, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "Shared activities, latest planned day first."},
	{KMETHOD_POST, "/api/v1/activities", api_activities_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(activity_fields), "Plan an activity together."},
	{KMETHOD_GET, "/api/v1/activities/{id}", api_activities_get, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "One of the couple's activities."},
	{KMETHOD_PUT, "/api/v1/activities/{id}", api_activities_put, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(activity_put_fields), "Mark an activity done (either partner), with how it felt."},
	/* ---- end of step 2 ---- */

	/* ---- step 3: what helps me (the kinds that are all data are below) ---- */
	{KMETHOD_GET, "/api/v1/helps-me", api_helps_me_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "What helps me when things get hard: the caller's own and, when shared, the partner's."},
	{KMETHOD_PUT, "/api/v1/helps-me", api_helps_me_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(helps_me_fields), "Write or change the caller's own, shared or private."},
	{KMETHOD_GET, "/api/v1/conflict-plan", api_conflict_plan_get, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "The couple's conflict plan, or null before the first one."},
	{KMETHOD_PUT, "/api/v1/conflict-plan", api_conflict_plan_put, ROUTE_PARTNER, 1, ROUTE_API,
	 conflict_plan_fields, CONFLICT_NSENT, "Propose the plan, or a change to it."},
	{KMETHOD_POST, "/api/v1/conflict-plan/accept", api_conflict_plan_accept, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(plan_accept_fields), "Accept the partner's version of the plan."},
	{KMETHOD_POST, "/api/v1/timeouts", api_timeouts_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(timeout_fields), "Take a break now; both partners see it at once."},
	{KMETHOD_GET, "/api/v1/timeouts", api_timeouts_current, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "The break under way, or null."},
	/* a therapist reads the ones shared with the care team, and writes none */
	{KMETHOD_GET, "/api/v1/agreements", api_agreements_list, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "The couple's agreements, newest first, with where each stands."},
	{KMETHOD_POST, "/api/v1/agreements", api_agreements_create, ROUTE_PARTNER, 1, ROUTE_API,
	 agreement_new_fields, AGREEMENT_NSENT_NEW, "Propose an agreement."},
	{KMETHOD_GET, "/api/v1/agreements/{id}", api_agreements_get, ROUTE_MEMBER, 0, ROUTE_API,
	 NOFIELDS, "One agreement, with every version."},
	{KMETHOD_POST, "/api/v1/agreements/{id}/accept", api_agreements_accept, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(agreement_accept_fields),
	 "Accept the current version the partner proposed."},
	{KMETHOD_POST, "/api/v1/agreements/{id}/revise", api_agreements_revise, ROUTE_PARTNER, 1,
	 ROUTE_API, agreement_fields + AGREEMENT_F_TEXT, AGREEMENT_NSENT_REVISE,
	 "Propose a change: a new version the partner then accepts."},
	{KMETHOD_POST, "/api/v1/agreements/{id}/decline", api_agreements_decline, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(agreement_decline_fields), "Decline the version the partner proposed."},
	{KMETHOD_POST, "/api/v1/agreements/{id}/retire", api_agreements_retire, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(agreement_retire_fields),
	 "Retire an agreement, with a reason both see."},
	/* ---- step 3: breaches and their repair (API) ---- */
	{KMETHOD_GET, "/api/v1/breaches", api_breaches_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The couple's breaches, newest first, each with the repairs the caller may read."},
	{KMETHOD_POST, "/api/v1/breaches", api_breaches_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(breach_fields), "Record a breach, the caller's own or not."},
	{KMETHOD_GET, "/api/v1/breaches/feelings", api_breach_feelings, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "The feelings a repair chooses from, labelled."},
	{KMETHOD_GET, "/api/v1/breaches/{id}", api_breach_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "One breach, with the repairs the caller may read."},
	{KMETHOD_POST, "/api/v1/breaches/{id}/repair", api_breach_repair_create, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(breach_repair_fields), "Write the caller's repair, once."},
	{KMETHOD_PUT, "/api/v1/breaches/{id}/repair", api_breach_repair_change, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(breach_repair_fields), "Change the caller's repair."},
	{KMETHOD_POST, "/api/v1/breaches/{id}/repaired", api_breach_repaired, ROUTE_PARTNER, 1,
	 ROUTE_API, NOFIELDS, "Say the breach is repaired, after writing one's repair."},
	/* ---- end of breaches (API) ---- */
	{KMETHOD_GET, "/api/v1/chores", api_chores_list, ROUTE_PARTNER, 0, ROUTE_API, NOFIELDS,
	 "The chores rota, with who does each in the week asked for."},
	{KMETHOD_POST, "/api/v1/chores", api_chores_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(chore_fields), "Add a chore to the rota."},
	{KMETHOD_DELETE, "/api/v1/chores/{id}", api_chores_delete, ROUTE_PARTNER, 1, ROUTE_API,
	 NOFIELDS, "Take a chore one added off the rota."},
	{KMETHOD_GET, "/api/v1/dates", api_dates_list, ROUTE_PARTNER, 0, ROUTE_API, NOFIELDS,
	 "Date nights, latest day first, with each partner's answer."},
	{KMETHOD_POST, "/api/v1/dates", api_dates_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(date_fields), "Plan a date night."},
	{KMETHOD_PUT, "/api/v1/dates/{id}", api_dates_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(date_rating_fields),
	 "Say a date happened, and how it was (each partner their own)."},

	/* ---- step 4: help signals and help requests (API) ---- */
	{KMETHOD_GET, "/api/v1/help-signals", api_help_signals, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS,
	 "The caller's help signals: 200 {signals: [{code, reason, since}]}, from what they may "
	 "read."},
	HELP_DISMISS_ROUTE("trust_falling"),
	HELP_DISMISS_ROUTE("breaches"),
	HELP_DISMISS_ROUTE("overwhelmed"),
	HELP_DISMISS_ROUTE("sexual_low"),
	HELP_DISMISS_ROUTE("asked"),
	{KMETHOD_GET, "/api/v1/help-requests", api_help_requests_list, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "Help requests of both partners, newest first: 200 {help_requests: [...]}."},
	{KMETHOD_POST, "/api/v1/help-requests", api_help_requests_create, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(help_request_fields),
	 "Ask for professional help or say one is overwhelmed: 201 {help_request}; raises its "
	 "signal for both partners."},
	/* ---- end of step 4 (API) ---- */
	/* API: step 4, homework and the session-prep summary */
	{KMETHOD_GET, "/api/v1/homework", api_homework_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "Homework the caller may see, latest due first, with each partner's mark."},
	{KMETHOD_POST, "/api/v1/homework", api_homework_create, ROUTE_MEMBER, 1, ROUTE_API,
	 homework_fields, HOMEWORK_INPUT_NFIELDS,
	 "Assign homework with a due date (a partner, or the couple's therapist)."},
	{KMETHOD_PUT, "/api/v1/homework/{id}", api_homework_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(homework_done_fields), "Mark homework done or not, with a note (either partner)."},
	{KMETHOD_GET, "/api/v1/summary", api_summary, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The session-prep summary: what the caller (or, for their therapist, the partner named) "
	 "shared with the care team in a range."},
	/* API: step 5, appreciations, the trigger plan and "I'm triggered" */
	{KMETHOD_GET, "/api/v1/appreciations", api_appreciations_list, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "Appreciations of both partners, newest first, each with its thanks."},
	{KMETHOD_POST, "/api/v1/appreciations", api_appreciations_create, ROUTE_PARTNER, 1,
	 ROUTE_API, FIELDS(appreciation_fields),
	 "Write an appreciation, with what it meant to the caller: always shared with the "
	 "partner."},
	{KMETHOD_POST, "/api/v1/appreciations/{id}/thanks", api_appreciation_thanks, ROUTE_PARTNER,
	 1, ROUTE_API, NOFIELDS, "Say thanks for the partner's appreciation, once."},
	{KMETHOD_GET, "/api/v1/trigger-plan", api_trigger_plan_get, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "The caller's trigger plan and, when shared, the partner's."},
	{KMETHOD_PUT, "/api/v1/trigger-plan", api_trigger_plan_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(trigger_plan_fields), "Write or change the caller's trigger plan."},
	{KMETHOD_GET, "/api/v1/triggered", api_triggered_list, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "\"I'm triggered\" alerts of both partners, newest first, with their answers."},
	{KMETHOD_POST, "/api/v1/triggered", api_triggered_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(triggered_fields), "\"I'm triggered\": tell the partner at once."},
	{KMETHOD_POST, "/api/v1/triggered/{id}/answer", api_triggered_answer, ROUTE_PARTNER, 1,
	 ROUTE_API, NOFIELDS, "Answer the partner's \"I'm triggered\": I'm here. Once."},
	/* API: step 5, the pace ladder and its pause */
	{KMETHOD_GET, "/api/v1/pace", api_pace_get, ROUTE_PARTNER, 0, ROUTE_API, NOFIELDS,
	 "The pace ladder: the caller's own answers, what both want, and whether it is paused."},
	{KMETHOD_POST, "/api/v1/pace/pause", api_pace_pause, ROUTE_PARTNER, 1, ROUTE_API, NOFIELDS,
	 "Pause: nothing shows as wanted by both until whoever paused resumes."},
	{KMETHOD_POST, "/api/v1/pace/resume", api_pace_resume, ROUTE_PARTNER, 1, ROUTE_API,
	 NOFIELDS, "Lift the caller's own pause; 403 when only the partner paused."},
	{KMETHOD_PUT, "/api/v1/pace/*", api_pace_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(pace_put_fields),
	 "Answer one rung (the path's last piece, a rung's key): yes, maybe or not yet; 400 "
	 "naming rung for an unknown one."},

	/* API: the private safety check (its answers reach nobody but the caller) */
	{KMETHOD_GET, "/api/v1/safety-check", api_safety_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The caller's latest safety check, with help lines, or {\"result\": null}."},
	{KMETHOD_POST, "/api/v1/safety-check", api_safety_post, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(safety_fields),
	 "Take the safety check: four yes/no answers; ok or concern, and help."},
	/* ---- step 5: the listening exercise (API) ---- */
	{KMETHOD_GET, "/api/v1/listening", api_listening_list, ROUTE_PARTNER, 0, ROUTE_API,
	 NOFIELDS, "Listening sessions, newest first, each with the caller's own answer only."},
	{KMETHOD_POST, "/api/v1/listening", api_listening_create, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(listening_fields), "Start a listening session: a topic, and who speaks first."},
	{KMETHOD_PUT, "/api/v1/listening/{id}", api_listening_put, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(listening_answer_fields),
	 "The caller's own answer: turns, minutes, how heard they felt (1-5); private."},

	/* API: step 5, the message coach (nothing is stored) */
	{KMETHOD_POST, "/api/v1/coach", api_coach, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(coach_fields),
	 "Read a text being written to the partner: {findings: [{pattern, start, end, hint}]}, "
	 "character offsets; nothing is saved."},

	/* pages */
	{KMETHOD_GET, "/", page_landing, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "What kintsugi is."},
	{KMETHOD_GET, "/privacy", page_privacy, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Who sees what."},
	{KMETHOD_GET, "/program", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "The program explained: the five steps in one page."},
	{KMETHOD_GET, "/program/step-1", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Step 1 explained: take responsibility."},
	{KMETHOD_GET, "/program/step-2", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Step 2 explained: build transparency and openness."},
	{KMETHOD_GET, "/program/step-3", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Step 3 explained: set boundaries."},
	{KMETHOD_GET, "/program/step-4", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Step 4 explained: seek professional help."},
	{KMETHOD_GET, "/program/step-5", page_program, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Step 5 explained: be patient and kind."},
	{KMETHOD_GET, "/find-help", page_find_help, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Finding a therapist: what to look for and where."},
	{KMETHOD_GET, "/exit", page_exit, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Quick exit: a neutral page."},
	{KMETHOD_GET, "/signup", page_signup_form, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Sign-up form, after who sees what."},
	{KMETHOD_POST, "/signup", page_signup, ROUTE_ANYONE, 0, ROUTE_PAGE, FIELDS(signup_fields),
	 "Sign up; shows the recovery key once."},
	{KMETHOD_GET, "/signin", page_signin_form, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Sign-in form."},
	{KMETHOD_POST, "/signin", page_signin, ROUTE_ANYONE, 0, ROUTE_PAGE, FIELDS(login_fields),
	 "Sign in."},
	{KMETHOD_POST, "/signout", page_signout, ROUTE_MEMBER, 1, ROUTE_PAGE, NOFIELDS,
	 "Sign out."},
	{KMETHOD_GET, "/recover", page_recover_form, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Recovery form."},
	{KMETHOD_POST, "/recover", page_recover, ROUTE_ANYONE, 0, ROUTE_PAGE,
	 FIELDS(recover_fields), "New password with the recovery key."},
	{KMETHOD_GET, "/home", page_home, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Where the couple stands."},
	{KMETHOD_GET, "/invite", page_invite_form, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Invite your partner."},
	{KMETHOD_POST, "/invite", page_invite, ROUTE_PARTNER, 1, ROUTE_PAGE, NOFIELDS,
	 "Create the invite link."},
	{KMETHOD_GET, "/care", page_care, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "The care team: its therapists, the open invites, what a therapist sees."},
	{KMETHOD_POST, "/care/invites", page_care_propose, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(care_invite_fields), "Propose inviting a therapist."},
	{KMETHOD_POST, "/care/invites/{id}/approve", page_care_approve, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, NOFIELDS, "Approve the other partner's proposal; the link is shown once."},
	{KMETHOD_POST, "/care/invites/{id}/cancel", page_care_cancel, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 NOFIELDS, "Cancel a care invite before it is used."},
	{KMETHOD_POST, "/care/{id}/end", page_care_end, ROUTE_PARTNER, 1, ROUTE_PAGE, NOFIELDS,
	 "End a therapist's access at once."},
	{KMETHOD_GET, "/join", page_join_form, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Join form for an invite link."},
	{KMETHOD_POST, "/join", page_join, ROUTE_ANYONE, 0, ROUTE_PAGE, FIELDS(join_form_fields),
	 "Join the couple."},
	{KMETHOD_GET, "/journal", page_journal_list, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Journal list."},
	{KMETHOD_GET, "/journal/new", page_journal_new, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Write an entry, with an optional prompt."},
	{KMETHOD_POST, "/journal", page_journal_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(journal_new_fields), "Save a new entry."},
	{KMETHOD_GET, "/journal/{id}", page_journal_show, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Read and edit an entry."},
	{KMETHOD_POST, "/journal/{id}", page_journal_update, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(journal_put_fields), "Save changes to an entry."},
	{KMETHOD_GET, "/journal/{id}/delete", page_journal_delete_confirm, ROUTE_PARTNER, 0,
	 ROUTE_PAGE, NOFIELDS, "Confirm deleting an entry."},
	{KMETHOD_POST, "/journal/{id}/delete", page_journal_delete, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 NOFIELDS, "Delete an entry."},

	/* ---- step 1: statements, commitments, reflection (pages) ---- */
	{KMETHOD_GET, "/statements", page_statements, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Statements: my drafts, delivered, received."},
	{KMETHOD_GET, "/statements/new", page_statement_new, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Write a statement, part by part."},
	{KMETHOD_POST, "/statements", page_statement_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(statement_fields), "Save a new draft."},
	{KMETHOD_GET, "/statements/{id}", page_statement_show, ROUTE_PARTNER, 0, ROUTE_PAGE,
	 NOFIELDS, "A draft with the check's findings, or a delivered statement."},
	{KMETHOD_POST, "/statements/{id}", page_statement_update, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(statement_fields), "Save changes to a draft."},
	{KMETHOD_POST, "/statements/{id}/deliver", page_statement_deliver, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, NOFIELDS, "Deliver a draft to the partner."},
	{KMETHOD_POST, "/statements/{id}/responses", page_statement_respond, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, FIELDS(statement_response_fields), "Respond to a delivered statement."},
	{KMETHOD_GET, "/commitments", page_commitments, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Commitments with their reviews, and a new one."},
	{KMETHOD_POST, "/commitments", page_commitment_create, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(commitment_fields), "Make a commitment."},
	{KMETHOD_POST, "/commitments/{id}/review", page_commitment_review, ROUTE_MEMBER, 1,
	 ROUTE_PAGE, FIELDS(commitment_review_fields), "Review a commitment."},
	{KMETHOD_GET, "/reflect", page_reflect, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "A short guided reflection, with a timer."},
	/* ---- end of step 1 ---- */
	{KMETHOD_GET, "/settings", page_settings, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Language, password, two-step sign-in, passkeys, recovery key, delete account."},
	{KMETHOD_POST, "/settings/language", page_settings_language, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(language_fields), "Change the language."},
	{KMETHOD_POST, "/settings/privacy", page_settings_privacy, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(privacy_fields), "Discreet mode and the auto-lock time."},
	{KMETHOD_POST, "/unlock", page_unlock, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(unlock_form_fields), "Unlock a locked session with the password."},
	{KMETHOD_POST, "/settings/password", page_settings_password, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(password_fields), "Change the password."},
	{KMETHOD_POST, "/settings/recovery", page_settings_recovery, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(recovery_key_fields), "A new recovery key, given the current one."},
	{KMETHOD_POST, "/settings/leave", page_settings_leave, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(confirm_fields), "Leave the couple alone."},
	{KMETHOD_POST, "/settings/delete", page_settings_delete, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(confirm_fields), "Delete the account."},
	{KMETHOD_GET, "/export", page_export, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "What the export holds and who can read it; its two downloads."},
	{KMETHOD_GET, "/export/html", api_export_html, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "The export as one readable HTML file to keep or print (a download)."},
	{KMETHOD_GET, "/settings/totp", page_settings_totp_form, ROUTE_MEMBER, 0, ROUTE_PAGE,
	 NOFIELDS, "Two-step sign-in being set up: its secret again."},
	{KMETHOD_POST, "/settings/totp", page_settings_totp, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(confirm_fields), "Set up two-step sign-in (TOTP)."},
	{KMETHOD_POST, "/settings/totp/confirm", page_settings_totp_confirm, ROUTE_MEMBER, 1,
	 ROUTE_PAGE, FIELDS(totp_confirm_fields),
	 "Turn two-step sign-in on; recovery codes, once."},
	/* signed-in devices and the sign-in history (pages-devices.c) */
	{KMETHOD_GET, "/settings/devices", page_devices, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Signed-in devices: this one and the others, each with a button to sign it out."},
	{KMETHOD_POST, "/settings/devices/others", page_devices_end_others, ROUTE_MEMBER, 1,
	 ROUTE_PAGE, NOFIELDS, "Sign out everywhere else."},
	{KMETHOD_POST, "/settings/devices/{id}/end", page_device_end, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 NOFIELDS, "Sign one device out."},
	{KMETHOD_POST, "/settings/devices/notice", page_device_notice, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(notice_fields), "Dismiss the notice of a sign-in from a new device."},
	{KMETHOD_GET, "/settings/history", page_history, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Sign-in history: sign-ins, failed ones, new devices, password and recovery key changes."},
	{KMETHOD_POST, "/settings/totp/off", page_settings_totp_off, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(totp_off_fields), "Turn two-step sign-in off."},
	{KMETHOD_POST, "/settings/passkeys/remove", page_settings_passkey_remove, ROUTE_MEMBER, 1,
	 ROUTE_PAGE, FIELDS(passkey_off_form_fields),
	 "Remove a passkey, given the password and a code or a passkey."},
	{KMETHOD_POST, "/settings/passkeys/signin-off", page_settings_passkey_signin_off,
	 ROUTE_MEMBER, 1, ROUTE_PAGE, FIELDS(passkey_signin_off_form_fields),
	 "That passkey no longer signs in alone (it stays a second step)."},
	{KMETHOD_GET, "/safety", page_safety, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "The private safety check: four questions, then the result and the help."},
	{KMETHOD_POST, "/safety", page_safety_answer, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(safety_fields), "Answer the safety check."},
	/* ---- step 2: transparency and openness (pages) ---- */
	{KMETHOD_GET, "/checkin", page_checkin, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Check in, then see both check-ins side by side; ?period=."},
	{KMETHOD_POST, "/checkin", page_checkin_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(checkin_fields), "Save a check-in."},
	{KMETHOD_POST, "/checkin/{id}", page_checkin_update, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(checkin_put_fields), "Change your check-in."},
	{KMETHOD_GET, "/checkins", page_checkins, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Check-in history and the rhythm; ?to=."},
	{KMETHOD_POST, "/settings/rhythm", page_settings_rhythm, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(rhythm_fields), "Check in daily or weekly."},
	{KMETHOD_GET, "/shares", page_shares, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Openness cards, a new card, and \"I heard you\"."},
	{KMETHOD_POST, "/shares", page_shares_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(share_fields), "Save a new card."},
	{KMETHOD_POST, "/shares/{id}/ack", page_shares_ack, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(share_ack_fields), "Say you heard your partner's card."},
	{KMETHOD_GET, "/offers", page_offers, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Transparency offers, and a new one."},
	{KMETHOD_POST, "/offers", page_offers_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(offer_fields), "Make an offer."},
	{KMETHOD_POST, "/offers/{id}/end", page_offers_end, ROUTE_PARTNER, 1, ROUTE_PAGE, NOFIELDS,
	 "End your offer."},
	{KMETHOD_GET, "/activities", page_activities, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Shared activities: plan, mark done, how it felt."},
	{KMETHOD_POST, "/activities", page_activities_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(activity_fields), "Plan an activity."},
	{KMETHOD_POST, "/activities/{id}", page_activities_update, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(activity_put_fields), "Mark an activity done, with how it felt."},
	/* ---- end of step 2 ---- */
	{KMETHOD_GET, "/helps-me", page_helps_me, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "What helps me when things get hard: mine, and my partner's when shared."},
	{KMETHOD_POST, "/helps-me", page_helps_me_save, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(helps_me_fields), "Save what helps me, shared or private."},
	{KMETHOD_GET, "/conflict-plan", page_conflict_plan, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "The plan for hard conversations: as it stands, accept, propose; a break now."},
	{KMETHOD_POST, "/conflict-plan", page_conflict_plan_propose, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 conflict_plan_fields, CONFLICT_NSENT, "Propose the plan, or a change to it."},
	{KMETHOD_POST, "/conflict-plan/accept", page_conflict_plan_accept, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, FIELDS(plan_accept_fields), "Accept the partner's version of the plan."},
	{KMETHOD_POST, "/timeouts", page_timeouts_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(timeout_fields), "Take a break now."},
	{KMETHOD_GET, "/agreements", page_agreements, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Agreements: where each stands, and a new one."},
	{KMETHOD_POST, "/agreements", page_agreements_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 agreement_new_fields, AGREEMENT_NSENT_NEW, "Propose an agreement."},
	{KMETHOD_GET, "/agreements/guide", page_agreements_guide, ROUTE_PARTNER, 0, ROUTE_PAGE,
	 NOFIELDS, "What makes a good agreement, with three examples for each category."},
	{KMETHOD_GET, "/agreements/{id}", page_agreement, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "One agreement: its version, its history, and the reader's turn."},
	{KMETHOD_POST, "/agreements/{id}/accept", page_agreements_accept, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, FIELDS(agreement_accept_fields), "Accept the partner's version."},
	{KMETHOD_POST, "/agreements/{id}/revise", page_agreements_revise, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, agreement_fields + AGREEMENT_F_TEXT, AGREEMENT_NSENT_REVISE,
	 "Propose a change."},
	{KMETHOD_POST, "/agreements/{id}/decline", page_agreements_decline, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, FIELDS(agreement_decline_fields), "Decline the partner's version."},
	{KMETHOD_POST, "/agreements/{id}/retire", page_agreements_retire, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, FIELDS(agreement_retire_fields), "Retire an agreement, with a reason."},
	/* ---- step 3: breaches and their repair (pages) ---- */
	{KMETHOD_GET, "/breaches", page_breaches, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Breaches: the couple's, and a form to record one."},
	{KMETHOD_POST, "/breaches", page_breaches_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(breach_form_fields), "Record a breach."},
	{KMETHOD_GET, "/breaches/{id}", page_breach, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "One breach: each side of its repair, and the caller's form."},
	{KMETHOD_POST, "/breaches/{id}/repair", page_breach_repair, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(breach_repair_fields), "Write or change your side of the repair."},
	{KMETHOD_POST, "/breaches/{id}/repaired", page_breach_repaired, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, NOFIELDS, "Say the breach is repaired."},
	/* ---- end of breaches (pages) ---- */
	{KMETHOD_GET, "/chores", page_chores, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "The chores rota: who does what this week and next, and a new chore."},
	{KMETHOD_POST, "/chores", page_chores_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(chore_fields), "Add a chore to the rota."},
	{KMETHOD_POST, "/chores/{id}/delete", page_chores_delete, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 NOFIELDS, "Take a chore one added off the rota."},
	{KMETHOD_GET, "/dates", page_dates, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Date nights: plan one; after it, how it was, each partner their own."},
	{KMETHOD_POST, "/dates", page_dates_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(date_fields), "Plan a date night."},
	{KMETHOD_POST, "/dates/{id}", page_dates_answer, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(date_rating_fields), "Say a date happened, and how it was."},
	/* ---- step 4: help signals and help requests (pages) ---- */
	{KMETHOD_GET, "/help", page_help, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Help signals with their reasons; ask for help or say you are overwhelmed."},
	{KMETHOD_POST, "/help/requests", page_help_request, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(help_request_fields), "Ask for professional help, or say you are overwhelmed."},
	{KMETHOD_POST, "/help/dismiss", page_help_dismiss, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(help_dismiss_form_fields), "Set a help signal aside, for yourself only."},
	/* ---- end of step 4 (pages) ---- */
	{KMETHOD_GET, "/homework", page_homework, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Homework: assign some with a due date; mark it done, with a note."},
	{KMETHOD_POST, "/homework", page_homework_create, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 homework_fields, HOMEWORK_INPUT_NFIELDS, "Assign homework with a due date."},
	{KMETHOD_POST, "/homework/{id}", page_homework_mark, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(homework_done_fields), "Mark homework done or not, with a note."},
	{KMETHOD_GET, "/summary", page_summary, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "The session-prep summary to print: pick a range and journal entries (a therapist: a "
	 "partner)."},
	/* ---- step 5: appreciations, the trigger plan and "I'm triggered" (pages) ---- */
	{KMETHOD_GET, "/appreciations", page_appreciations, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "Appreciations: write one; thank the partner's; now and then an older one comes back."},
	{KMETHOD_POST, "/appreciations", page_appreciations_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(appreciation_fields), "Write an appreciation."},
	{KMETHOD_POST, "/appreciations/{id}/thanks", page_appreciation_thanks, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, NOFIELDS, "Say thanks for the partner's appreciation."},
	{KMETHOD_GET, "/triggered", page_triggered, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "When I am triggered: the partner's alerts to answer, the button, and both plans."},
	{KMETHOD_POST, "/triggered", page_triggered_create, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(triggered_fields), "I'm triggered: tell the partner at once."},
	{KMETHOD_POST, "/triggered/{id}/answer", page_triggered_answer, ROUTE_PARTNER, 1,
	 ROUTE_PAGE, NOFIELDS, "Answer the partner's alert: I'm here."},
	{KMETHOD_POST, "/trigger-plan", page_trigger_plan_save, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(trigger_plan_fields), "Save my trigger plan, shared or private."},
	/* step 5: the pace ladder and its pause (pages) */
	{KMETHOD_GET, "/pace", page_pace, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "The pace ladder: my answers, what we both want, pause, and what sensate focus is."},
	{KMETHOD_POST, "/pace", page_pace_save, ROUTE_PARTNER, 1, ROUTE_PAGE, FIELDS(pace_fields),
	 "Save my answers (a rung left unchosen keeps its answer); 303 to /pace?saved=1."},
	{KMETHOD_POST, "/pace/pause", page_pace_pause, ROUTE_PARTNER, 1, ROUTE_PAGE, NOFIELDS,
	 "Pause; 303 to /pace."},
	{KMETHOD_POST, "/pace/resume", page_pace_resume, ROUTE_PARTNER, 1, ROUTE_PAGE, NOFIELDS,
	 "Lift my own pause; 303 to /pace; 403 when only my partner paused."},
	/* ---- step 5: the listening exercise (pages) ---- */
	{KMETHOD_GET, "/listening", page_listening, ROUTE_PARTNER, 0, ROUTE_PAGE, NOFIELDS,
	 "The listening exercise: start a session, and the ones before."},
	{KMETHOD_POST, "/listening", page_listening_start, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(listening_fields), "Start a listening session."},
	{KMETHOD_GET, "/listening/{id}", page_listening_show, ROUTE_PARTNER, 0, ROUTE_PAGE,
	 NOFIELDS, "A listening session: the steps, and afterwards how heard you felt."},
	{KMETHOD_POST, "/listening/{id}", page_listening_answer, ROUTE_PARTNER, 1, ROUTE_PAGE,
	 FIELDS(listening_answer_fields), "Say how the session went for you, privately."},
};

/*
 * The routes of the kinds that are all data, ten each, made from the
 * registry (core/kinds.c) when the table is first used: five API routes
 * and five pages, over the generic handlers of api/api-item.c and
 * web/pages-item.c.  Their patterns and summaries live here.
 */
#define KIND_ROUTES	10
#define KIND_ROUTES_MAX (16 * KIND_ROUTES)
#define FIXED_ROUTES	(sizeof(fixed_routes) / sizeof(fixed_routes[0]))

static struct route table[FIXED_ROUTES + KIND_ROUTES_MAX];
static char kind_pattern[KIND_ROUTES_MAX][48];
static char kind_summary[KIND_ROUTES_MAX][160];
static size_t table_n;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

struct kind_route {
	enum kmethod method;
	enum route_kind kind;
	const char *pattern; /* {plural}: the kind's plural */
	int (*handler)(struct kreq *r);
	int csrf, fields;
	const char *summary; /* {name} and {plural}: the kind's */
};

static const struct kind_route kind_routes[KIND_ROUTES] = {
	{KMETHOD_GET, ROUTE_API, "/api/v1/{plural}", api_item_list, 0, 0,
	 "The {plural} the caller may see (their own, and the partner's shared with them), newest "
	 "first: 200 `{{plural}}`."},
	{KMETHOD_POST, ROUTE_API, "/api/v1/{plural}", api_item_create, 1, 1,
	 "Write a {name}: 201 `{{name}}`."},
	{KMETHOD_GET, ROUTE_API, "/api/v1/{plural}/{id}", api_item_get, 0, 0,
	 "One {name} the caller may see: 200 `{{name}}`."},
	{KMETHOD_PUT, ROUTE_API, "/api/v1/{plural}/{id}", api_item_put, 1, 1,
	 "Change the caller's own {name}, every field: 200 `{{name}}`; the partner's is 403 "
	 "`forbidden`."},
	{KMETHOD_DELETE, ROUTE_API, "/api/v1/{plural}/{id}", api_item_delete, 1, 0,
	 "Remove the caller's own {name}: 204; the partner's is 403 `forbidden`."},
	{KMETHOD_GET, ROUTE_PAGE, "/{plural}", page_items, 0, 0,
	 "The {plural} the member may see, and a new one."},
	{KMETHOD_POST, ROUTE_PAGE, "/{plural}", page_item_create, 1, 1, "Save a new {name}."},
	{KMETHOD_GET, ROUTE_PAGE, "/{plural}/{id}", page_item_edit, 0, 0,
	 "Change or remove your {name}."},
	{KMETHOD_POST, ROUTE_PAGE, "/{plural}/{id}", page_item_update, 1, 1,
	 "Save the changes to your {name}."},
	{KMETHOD_POST, ROUTE_PAGE, "/{plural}/{id}/delete", page_item_delete, 1, 0,
	 "Remove your {name}."},
};

/* tmpl with {name} and {plural} put in, cut to cap bytes. */
static void fill(char *out, size_t cap, const char *tmpl, const struct item_kind *k)
{
	size_t at = 0;

	while (*tmpl && at + 1 < cap) {
		const char *put = NULL;

		if (strncmp(tmpl, "{name}", 6) == 0)
			put = k->name, tmpl += 6;
		else if (strncmp(tmpl, "{plural}", 8) == 0)
			put = k->plural, tmpl += 8;
		if (!put) {
			out[at++] = *tmpl++;
			continue;
		}
		while (*put && at + 1 < cap)
			out[at++] = *put++;
	}
	out[at] = '\0';
}

static void table_build(void)
{
	size_t i, j;

	memcpy(table, fixed_routes, sizeof(fixed_routes));
	table_n = FIXED_ROUTES;
	for (i = 0; item_kinds[i]; i++) {
		const struct item_kind *k = item_kinds[i];

		if (!k->plural)
			continue;
		for (j = 0; j < KIND_ROUTES && table_n - FIXED_ROUTES < KIND_ROUTES_MAX; j++) {
			const struct kind_route *kr = &kind_routes[j];
			size_t at = table_n - FIXED_ROUTES;
			struct route *rt = &table[table_n++];

			fill(kind_pattern[at], sizeof(kind_pattern[at]), kr->pattern, k);
			fill(kind_summary[at], sizeof(kind_summary[at]), kr->summary, k);
			rt->method = kr->method;
			rt->pattern = kind_pattern[at];
			rt->handler = kr->handler;
			/* a therapist reads a kind not for partners alone, and
			 * writes only one they may make (core/item.h) */
			rt->auth = k->partners_only || (kr->method != KMETHOD_GET &&
							!k->care_may_create)
					   ? ROUTE_PARTNER
					   : ROUTE_MEMBER;
			rt->csrf = kr->csrf;
			rt->kind = kr->kind;
			rt->fields = kr->fields ? k->fields : NULL;
			rt->nfields = kr->fields ? k->nfields : 0;
			rt->summary = kind_summary[at];
		}
	}
}

const struct route *routes_all(size_t *n)
{
	pthread_once(&table_once, table_build);
	*n = table_n;
	return table;
}

int routes_kinds_markdown(FILE *out, enum route_kind kind)
{
	static const char *const who[] = {"anyone", "member", "partner"};
	size_t n, i;
	const struct route *rt = routes_all(&n);

	if (fprintf(out, "| route | who may call | CSRF | body fields | what it does |\n"
			 "|---|---|---|---|---|\n") < 0)
		return -EIO;
	for (i = FIXED_ROUTES; i < n; i++) {
		const struct item_kind *k = item_kind_at(rt[i].pattern);

		if (rt[i].kind != kind)
			continue;
		if (fprintf(out, "| `%s %s` | %s | %s | %s | %s |\n",
			    routes_method_name(rt[i].method), rt[i].pattern, who[rt[i].auth],
			    rt[i].csrf ? "yes" : "no", rt[i].fields && k ? k->name : "—",
			    rt[i].summary) < 0)
			return -EIO;
	}
	return 0;
}

const char *routes_method_name(enum kmethod m)
{
	static const char *const names[] = {"GET", "POST", "PUT", "DELETE", "HEAD"};

	return m < _KMETHOD_MAX ? names[m] : "?";
}

/* Does path match pattern?  Copies {id} pieces into param_buf. */
static int pattern_match(const char *pattern, const char *path, const char **params,
			 size_t *nparams, char *param_buf)
{
	const char *p = pattern, *s = path;
	size_t n = 0;

	while (*p) {
		if (p[0] == '*' && p[1] == '\0')
			break; /* prefix pattern: the rest is the handler's */
		if (strncmp(p, "{id}", 4) == 0) {
			size_t len = strcspn(s, "/");
			if (!vault_id_valid(s, len) || n >= LIMIT_PATH_PARAMS)
				return 0;
			memcpy(param_buf + n * 33, s, 32);
			param_buf[n * 33 + 32] = '\0';
			params[n] = param_buf + n * 33;
			n++;
			s += len;
			p += 4;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p == '\0' && *s != '\0')
		return 0;
	*nparams = n;
	return 1;
}

unsigned routes_methods(const char *path)
{
	const char *params[LIMIT_PATH_PARAMS];
	char param_buf[LIMIT_PATH_PARAMS * 33];
	unsigned mask = 0;
	size_t i, n, count;

	const struct route *routes = routes_all(&count);

	for (i = 0; i < count; i++)
		if (pattern_match(routes[i].pattern, path, params, &n, param_buf))
			mask |= 1u << routes[i].method;
	if (mask & (1u << KMETHOD_GET))
		mask |= 1u << KMETHOD_HEAD;
	return mask;
}

enum route_match routes_find(enum kmethod method, const char *path, const struct route **ret,
			     const char **params, size_t *nparams, char *param_buf)
{
	enum kmethod want = method == KMETHOD_HEAD ? KMETHOD_GET : method;
	enum route_match found = ROUTE_NO_PATH;
	size_t i, n, count;
	const struct route *routes = routes_all(&count);

	for (i = 0; i < count; i++) {
		if (!pattern_match(routes[i].pattern, path, params, &n, param_buf))
			continue;
		if (routes[i].method != want) {
			found = ROUTE_NO_METHOD;
			continue;
		}
		*ret = &routes[i];
		*nparams = n;
		return ROUTE_FOUND;
	}
	return found;
}

int routes_care_refused(const struct route *rt)
{
	/* the couple's exercises open to every member: a therapist writes none of them */
	static const char *const exercises[] = {
		"/api/v1/commitments",
		"/api/v1/checkins",
		"/api/v1/shares",
		"/api/v1/offers",
		"/api/v1/activities",
		"/commitments",
		"/checkin",
		"/shares",
		"/offers",
		"/activities",
		"/settings/rhythm",
	};
	size_t i, n;

	if (rt->method == KMETHOD_GET || rt->method == KMETHOD_HEAD)
		return 0;
	for (i = 0; i < sizeof(exercises) / sizeof(exercises[0]); i++) {
		n = strlen(exercises[i]);
		if (strncmp(rt->pattern, exercises[i], n) == 0 &&
		    (rt->pattern[n] == '\0' || rt->pattern[n] == '/'))
			return 1;
	}
	return 0;
}
