/*
 * routes.h: the one routing table.  Each route names its method, its path
 * pattern ({id} matches 32 lowercase hex characters), its handler, who may
 * call it, whether it needs the CSRF token, and the fields of its body.
 * The server, the documentation test and the authorization tests all walk
 * this table.
 */
#ifndef KINTSUGI_HTTP_ROUTES_H
#define KINTSUGI_HTTP_ROUTES_H

#include <stdio.h>

#include "http/parse.h"
#include "kreq.h"

enum route_auth {
	ROUTE_ANYONE,  /* no session needed (a session is used when present) */
	ROUTE_MEMBER,  /* any signed-in member */
	ROUTE_PARTNER, /* a signed-in partner (not a therapist) */
	_ROUTE_AUTH_MAX
};

enum route_kind {
	ROUTE_API,    /* JSON in and out, errors as JSON */
	ROUTE_PAGE,   /* HTML forms and pages */
	ROUTE_STATIC, /* public, cacheable files */
	_ROUTE_KIND_MAX
};

struct route {
	enum kmethod method;
	const char *pattern;
	int (*handler)(struct kreq *r);
	enum route_auth auth;
	int csrf; /* state-changing with a session: token required */
	enum route_kind kind;
	const struct field *fields; /* body fields (JSON or form), NULL when none */
	size_t nfields;
	const char *summary; /* one line for docs/api.md */
};

/*
 * routes_all() - every route, *n of them: the fixed table, then ten for
 * each kind of the registry that is all data (item.h), made on first use.
 */
const struct route *routes_all(size_t *n);

/*
 * routes_kinds_markdown() - the table of docs/api.md for the routes of the
 * kinds that are all data of one route kind (ROUTE_API or ROUTE_PAGE), as
 * `kintsugi routes` prints them; -EIO when writing fails.
 */
int routes_kinds_markdown(FILE *out, enum route_kind kind);

enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/*
 * routes_find() - the route for method and path, with its {id} pieces
 * copied into params (pointers into path are not kept: each is copied into
 * param_buf, LIMIT_PATH_PARAMS * 33 bytes).  HEAD matches GET routes.
 */
enum route_match routes_find(enum kmethod method, const char *path, const struct route **ret,
			     const char **params, size_t *nparams, char *param_buf);

/*
 * routes_methods() - the methods some route takes at path, as a mask of
 * 1u << KMETHOD_x (GET brings HEAD); 0 when no route has the path.
 */
unsigned routes_methods(const char *path);

const char *routes_method_name(enum kmethod m);

/*
 * routes_care_refused() - 1 when rt writes one of the couple's exercises
 * that any member may call (commitments, check-ins, cards, offers,
 * activities): a therapist is answered 403 (core/care.h: they read what
 * was shared with the care team, make only the kinds that let them, and
 * nothing else).  Their account's own routes stay open to them.
 */
int routes_care_refused(const struct route *rt);

#endif
