/*
 * kreq.h: the request and response that the HTTP layer hands to page (web/)
 * and API (api/) handlers.  It is a plain data contract with no functions of
 * the HTTP layer, so handlers depend on it and never on libmicrohttpd.
 */
#ifndef KINTSUGI_KREQ_H
#define KINTSUGI_KREQ_H

#include <stddef.h>
#include <jansson.h>

#include "limits.h"
#include "core/session.h"

struct store;
struct kconfig;
struct core;

/*
 * Input errors, turned into a 400 with a translated message at the edge.
 * `code` is one of the snake_case codes below; `field` names the field
 * (empty when the error is about the whole body).
 */
#define INPUT_INVALID_JSON                                                                         \
	"invalid_json" /* not JSON, not an object, dup key, bad UTF-8, too deep */
#define INPUT_UNKNOWN_FIELD "unknown_field"
#define INPUT_MISSING_FIELD "missing_field"
#define INPUT_WRONG_TYPE    "wrong_type"
#define INPUT_TOO_SHORT	    "too_short"
#define INPUT_TOO_LONG	    "too_long"
#define INPUT_OUT_OF_RANGE  "out_of_range"
#define INPUT_INVALID_VALUE "invalid_value" /* not one of the choices, bad id/date, bad UTF-8 */

struct input_error {
	const char *code; /* one of INPUT_* (static) */
	char field[64];
};

enum kmethod { KMETHOD_GET, KMETHOD_POST, KMETHOD_PUT, KMETHOD_DELETE, KMETHOD_HEAD, _KMETHOD_MAX };

/* One urlencoded field (form body or query string), decoded; NUL-terminated. */
struct kfield {
	char *name;
	char *value;
	size_t value_len;
};

struct kreq {
	enum kmethod method;
	const char *path;		       /* decoded path, no query */
	const char *params[LIMIT_PATH_PARAMS]; /* {id} pieces, validated hex */
	size_t nparams;
	struct kfield *query; /* decoded query fields */
	size_t nquery;
	struct kfield *form; /* decoded urlencoded body */
	size_t nform;
	json_t *json; /* validated body (JSON or form), or NULL */
	const struct input_error
		*input_error; /* set when the body failed validation (pages only) */
	const char *body;     /* raw body bytes, or NULL */
	size_t body_len;
	const char *lang;	     /* "en" | "es" | "ru": member's, else negotiated */
	const char *accept_language; /* the request's Accept-Language header, or NULL
				      * (the safety check's help picks a country by it) */
	const char *client_ip;	     /* textual peer address, for throttling */
	const char *device;	     /* the browser's device cookie (core/throttle.h) on a
				      * POST, or NULL; device_len characters */
	size_t device_len;
	int secure;		     /* served over TLS or --secure-cookies */
	struct session *session;     /* NULL when not signed in (owned by HTTP) */
	struct session *session_buf; /* guarded scratch for a new session: pass it
				      * to account_signup() and friends, then point
				      * session at it (owned by HTTP, wiped after) */
	const struct core *core;     /* store and options for core calls */
	const struct kconfig *config;
	const char *host; /* Host header (validated) or NULL */

	/* response, filled by the handler */
	int status;
	const char *content_type; /* static string */
	char *resp_body;	  /* malloc'd, freed by the HTTP layer */
	size_t resp_len;
	char *location;	  /* malloc'd redirect target, or NULL */
	char *set_cookie; /* malloc'd session cookie VALUE ("id.secret"),
			   * "" to clear it, NULL to leave it; the HTTP
			   * layer adds the attributes */
	int private_page; /* adds Cache-Control: no-store */
	/*
	 * A download's file name ([A-Za-z0-9._-], no quotes): a 200 answer then
	 * carries Content-Disposition: attachment with it; "" for none.
	 */
	char attachment[64];
	int half_signed_in; /* a sign-in or recovery whose secret was right answered 401
			     * for want of a second-factor code: not a failed guess */
	int retry_after;    /* seconds, for 429; 0 = none */
};

/* kreq_form() - value of the named form field (or NULL when absent). */
const char *kreq_form(const struct kreq *r, const char *name);
/* kreq_query() - value of the named query field (or NULL when absent). */
const char *kreq_query(const struct kreq *r, const char *name);

/* kreq_input_message() - the input error as a sentence in the thread's language. */
const char *kreq_input_message(const struct input_error *err);
/*
 * kreq_field_label() - a person's name for a body field, translated, for
 * messages on pages and in the API; field itself when it has none (every
 * field a route takes has one: src/http/test-routes.c).
 */
const char *kreq_field_label(const char *field);
/* kreq_str() - string field of r->json (NULL when absent or not a string). */
const char *kreq_str(const struct kreq *r, const char *name);
/*
 * kreq_answer() - the answer to the second factor: the "passkey" field (an
 * assertion's JSON) when it is not empty, else the code field code_name
 * (a TOTP or recovery code); NULL when neither.
 */
const char *kreq_answer(const struct kreq *r, const char *code_name);

/* kreq_base_url() - "http(s)://host[:port]" for links that leave the page
 * (invites): the configured public URL, else the request's Host.  0 or -1. */
int kreq_base_url(const struct kreq *r, char *out, size_t outlen);

/*
 * kreq_invite_base_url() - kreq_base_url() for a link that carries a
 * secret (an invite): without a configured public URL the request's Host
 * must be this server's own listen address (or localhost on loopback), so
 * that a forged or proxied Host never turns a link into one that sends its
 * secret elsewhere.  0, or -1 when the Host is not known to be ours.
 */
int kreq_invite_base_url(const struct kreq *r, char *out, size_t outlen);

/*
 * kreq_shared_bits() - the ACCESS_SHARE_* bits of a validated shared_with
 * array ("partner", "care"); 0 for NULL or anything else.
 */
unsigned kreq_shared_bits(const json_t *arr);

struct item_kind;
struct item_values;
/* Where kreq_item_values() writes the numbers and choices it turns into text. */
struct kreq_item_scratch {
	char num[8][24];
	char set[512]; /* the FIELD_ENUM_SET values, each comma-joined and NUL-ended */
	size_t set_used;
};
/*
 * kreq_item_values() - the values of kind k from the validated body
 * r->json (API or form alike), into v, pointing into r->json and scratch;
 * a FIELD_ENUM_SET becomes its choices joined with ',' (left out when they
 * do not fit scratch, so that core finds it missing).  Returns the
 * ACCESS_SHARE_* bits of its shared_with (0 when it has none).
 */
unsigned kreq_item_values(const struct kreq *r, const struct item_kind *k, struct item_values *v,
			  struct kreq_item_scratch *scratch);

struct account_guard;
/* kreq_account_guard() - g set for a password check behind a session: the
 * sign-in limits of the configuration, and this request's client address. */
void kreq_account_guard(const struct kreq *r, struct account_guard *g);

#endif
