/*
 * routes.c: kintsugi's routing table and its matcher.
 *
 * Pages and their API twins sit side by side; the field declarations are
 * shared where the contract is the same.  docs/api.md is checked against
 * this table by src/http/test-routes.c.
 */
#include <string.h>

#include "api/api.h"
#include "http/routes.h"
#include "web/pages.h"

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
static const struct field login_fields[] = {
	{"login", FIELD_STRING, 1, 1, LIMIT_LOGIN_MAX, NULL},
	F_ANY_PASSWORD("password"),
};
static const struct field invite_fields[] = {{"role", FIELD_ENUM, 1, 0, 0, invite_roles}};
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
					       F_PASSWORD("new_password")};
static const struct field recover_fields[] = {
	{"login", FIELD_STRING, 1, 1, LIMIT_LOGIN_MAX, NULL},
	{"recovery_key", FIELD_STRING, 1, 1, 100, NULL},
	F_PASSWORD("new_password"),
};
static const struct field confirm_fields[] = {F_ANY_PASSWORD("password")};
static const struct field journal_new_fields[] = {
	F_JOURNAL_BODY,
	{"prompt", FIELD_STRING, 0, 0, LIMIT_JOURNAL_PROMPT_MAX, NULL},
};
static const struct field journal_put_fields[] = {F_JOURNAL_BODY};
static const struct field language_fields[] = {F_LANGUAGE};

const struct route routes[] = {
	/* health and static files */
	{KMETHOD_GET, "/healthz", api_health, ROUTE_ANYONE, 0, ROUTE_API, NOFIELDS,
	 "Liveness: {\"status\":\"ok\"}, touches no private data."},
	{KMETHOD_GET, "/favicon.ico", page_static, ROUTE_ANYONE, 0, ROUTE_STATIC, NOFIELDS,
	 "The icon."},
	{KMETHOD_GET, "/static/*", page_static, ROUTE_ANYONE, 0, ROUTE_STATIC, NOFIELDS,
	 "Stylesheet, scripts and images; public and cacheable."},

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
	{KMETHOD_POST, "/api/v1/invites", api_invites, ROUTE_PARTNER, 1, ROUTE_API,
	 FIELDS(invite_fields), "A one-time partner invite link."},
	{KMETHOD_POST, "/api/v1/join", api_join, ROUTE_ANYONE, 0, ROUTE_API, FIELDS(join_fields),
	 "Join a couple with an invite token."},
	{KMETHOD_POST, "/api/v1/password", api_password, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(password_fields), "Change the password; other sessions end."},
	{KMETHOD_POST, "/api/v1/recover", api_recover, ROUTE_ANYONE, 0, ROUTE_API,
	 FIELDS(recover_fields), "Set a new password with the recovery key."},

	/* API: journal */
	{KMETHOD_GET, "/api/v1/journal", api_journal_list, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "The caller's journal, newest first; ?limit=1..100&before=ID."},
	{KMETHOD_POST, "/api/v1/journal", api_journal_create, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(journal_new_fields), "Write an entry."},
	{KMETHOD_GET, "/api/v1/journal/{id}", api_journal_get, ROUTE_MEMBER, 0, ROUTE_API, NOFIELDS,
	 "Read one entry."},
	{KMETHOD_PUT, "/api/v1/journal/{id}", api_journal_put, ROUTE_MEMBER, 1, ROUTE_API,
	 FIELDS(journal_put_fields), "Change an entry."},
	{KMETHOD_DELETE, "/api/v1/journal/{id}", api_journal_delete, ROUTE_MEMBER, 1, ROUTE_API,
	 NOFIELDS, "Delete an entry."},

	/* pages */
	{KMETHOD_GET, "/", page_landing, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "What kintsugi is."},
	{KMETHOD_GET, "/privacy", page_privacy, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Who sees what."},
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
	{KMETHOD_GET, "/join", page_join_form, ROUTE_ANYONE, 0, ROUTE_PAGE, NOFIELDS,
	 "Join form for an invite link."},
	{KMETHOD_POST, "/join", page_join, ROUTE_ANYONE, 0, ROUTE_PAGE, FIELDS(join_form_fields),
	 "Join the couple."},
	{KMETHOD_GET, "/journal", page_journal_list, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Journal list."},
	{KMETHOD_GET, "/journal/new", page_journal_new, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Write an entry, with an optional prompt."},
	{KMETHOD_POST, "/journal", page_journal_create, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(journal_new_fields), "Save a new entry."},
	{KMETHOD_GET, "/journal/{id}", page_journal_show, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Read and edit an entry."},
	{KMETHOD_POST, "/journal/{id}", page_journal_update, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(journal_put_fields), "Save changes to an entry."},
	{KMETHOD_GET, "/journal/{id}/delete", page_journal_delete_confirm, ROUTE_MEMBER, 0,
	 ROUTE_PAGE, NOFIELDS, "Confirm deleting an entry."},
	{KMETHOD_POST, "/journal/{id}/delete", page_journal_delete, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 NOFIELDS, "Delete an entry."},
	{KMETHOD_GET, "/settings", page_settings, ROUTE_MEMBER, 0, ROUTE_PAGE, NOFIELDS,
	 "Language, password, recovery key, delete account."},
	{KMETHOD_POST, "/settings/language", page_settings_language, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(language_fields), "Change the language."},
	{KMETHOD_POST, "/settings/password", page_settings_password, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(password_fields), "Change the password."},
	{KMETHOD_POST, "/settings/recovery", page_settings_recovery, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(confirm_fields), "A new recovery key."},
	{KMETHOD_POST, "/settings/delete", page_settings_delete, ROUTE_MEMBER, 1, ROUTE_PAGE,
	 FIELDS(confirm_fields), "Delete the account."},
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

const char *routes_method_name(enum kmethod m)
{
	static const char *const names[] = {"GET", "POST", "PUT", "DELETE", "HEAD"};

	return m < _KMETHOD_MAX ? names[m] : "?";
}

static int is_id(const char *s, size_t len)
{
	size_t i;

	if (len != 32)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
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
			if (!is_id(s, len) || n >= LIMIT_PATH_PARAMS)
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

enum route_match routes_find(enum kmethod method, const char *path, const struct route **ret,
			     const char **params, size_t *nparams, char *param_buf)
{
	enum kmethod want = method == KMETHOD_HEAD ? KMETHOD_GET : method;
	enum route_match found = ROUTE_NO_PATH;
	size_t i, n;

	for (i = 0; i < routes_count; i++) {
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
