/*
 * test-routes.c: the routing table against itself and against docs/api.md.
 *
 * Every route must be documented (a line "METHOD PATTERN" in docs/api.md),
 * no two routes may share a method and pattern, every state-changing route
 * of a signed-in member must need the CSRF token, and the matcher must
 * take exactly 32-hex ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "core/item.h"
#include "http/routes.h"
#include "kreq.h"

static char *docs;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void test_every_route_is_documented(void **state)
{
	size_t i, routes_count;
	char line[256];
	const struct route *routes = routes_all(&routes_count);

	(void)state;
	assert_non_null(docs);
	for (i = 0; i < routes_count; i++) {
		snprintf(line, sizeof(line), "`%s %s`", routes_method_name(routes[i].method),
			 routes[i].pattern);
		if (!strstr(docs, line))
			fail_msg("docs/api.md does not document %s", line);
	}
}

static void test_no_duplicates(void **state)
{
	size_t i, j, routes_count;
	const struct route *routes = routes_all(&routes_count);

	(void)state;
	for (i = 0; i < routes_count; i++)
		for (j = i + 1; j < routes_count; j++)
			if (routes[i].method == routes[j].method &&
			    strcmp(routes[i].pattern, routes[j].pattern) == 0)
				fail_msg("%s is in the table twice", routes[i].pattern);
}

static void test_state_changes_need_csrf(void **state)
{
	size_t i, routes_count;
	const struct route *routes = routes_all(&routes_count);

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		if (r->method == KMETHOD_GET || r->auth == ROUTE_ANYONE)
			continue;
		if (!r->csrf)
			fail_msg("%s %s changes state without CSRF", routes_method_name(r->method),
				 r->pattern);
	}
}

/*
 * docs/api.md holds the tables of the registry's routes between marks,
 * exactly as `kintsugi routes --api` and `--pages` print them (make docs
 * writes them there).
 */
static void check_block(const char *name, enum route_kind kind)
{
	char begin[96], end[96];
	const char *b, *e;
	char *want = NULL;
	size_t want_len = 0;
	FILE *f;

	snprintf(begin, sizeof(begin), "<!-- %s from the registry: begin -->\n", name);
	snprintf(end, sizeof(end), "<!-- %s from the registry: end -->", name);
	assert_non_null(docs);
	b = strstr(docs, begin);
	e = b ? strstr(b, end) : NULL;
	if (!b || !e)
		fail_msg("docs/api.md has no %s from the registry between its marks", name);
	b += strlen(begin);
	f = open_memstream(&want, &want_len);
	assert_non_null(f);
	assert_int_equal(routes_kinds_markdown(f, kind), 0);
	fclose(f);
	if ((size_t)(e - b) != want_len || memcmp(b, want, want_len) != 0)
		fail_msg("docs/api.md's %s from the registry are not current: run make docs\n"
			 "want:\n%s",
			 name, want);
	free(want);
}

static void test_kind_rows_are_current(void **state)
{
	(void)state;
	check_block("API routes", ROUTE_API);
	check_block("pages", ROUTE_PAGE);
}

/* A kind that is all data has its ten routes, for partners, over its fields. */
static void test_kind_routes(void **state)
{
	const struct route *rt = NULL;
	const char *params[LIMIT_PATH_PARAMS];
	char buf[LIMIT_PATH_PARAMS * 33];
	size_t n = 0;

	(void)state;
	assert_int_equal(routes_find(KMETHOD_PUT, "/api/v1/limits/0123456789abcdef0123456789abcdef",
				     &rt, params, &n, buf),
			 ROUTE_FOUND);
	assert_int_equal(rt->auth, ROUTE_PARTNER);
	assert_true(rt->csrf);
	assert_non_null(rt->fields);
	assert_string_equal(rt->fields[0].name, "kind");
	assert_int_equal(routes_find(KMETHOD_POST,
				     "/limits/0123456789abcdef0123456789abcdef/delete", &rt, params,
				     &n, buf),
			 ROUTE_FOUND);
	assert_int_equal(rt->kind, ROUTE_PAGE);
	assert_null(rt->fields);
	assert_int_equal(routes_find(KMETHOD_GET, "/api/v1/limits", &rt, params, &n, buf),
			 ROUTE_FOUND);
}

static void test_matcher(void **state)
{
	const struct route *rt = NULL;
	const char *params[LIMIT_PATH_PARAMS];
	char buf[LIMIT_PATH_PARAMS * 33];
	size_t n = 0;

	(void)state;
	assert_int_equal(routes_find(KMETHOD_GET,
				     "/api/v1/journal/0123456789abcdef0123456789abcdef", &rt,
				     params, &n, buf),
			 ROUTE_FOUND);
	assert_int_equal(n, 1);
	assert_string_equal(params[0], "0123456789abcdef0123456789abcdef");
	assert_string_equal(rt->pattern, "/api/v1/journal/{id}");
	/* upper-case hex, short ids, trailing pieces and dot segments do not match */
	assert_int_equal(routes_find(KMETHOD_GET,
				     "/api/v1/journal/0123456789ABCDEF0123456789abcdef", &rt,
				     params, &n, buf),
			 ROUTE_NO_PATH);
	assert_int_equal(routes_find(KMETHOD_GET, "/api/v1/journal/0123", &rt, params, &n, buf),
			 ROUTE_NO_PATH);
	assert_int_equal(routes_find(KMETHOD_GET, "/api/v1/journal/x/../me", &rt, params, &n, buf),
			 ROUTE_NO_PATH);
	assert_int_equal(routes_find(KMETHOD_GET, "/api/v1/me/", &rt, params, &n, buf),
			 ROUTE_NO_PATH);
	assert_int_equal(routes_find(KMETHOD_POST, "/api/v1/me", &rt, params, &n, buf),
			 ROUTE_NO_METHOD);
	assert_int_equal(routes_find(KMETHOD_HEAD, "/healthz", &rt, params, &n, buf), ROUTE_FOUND);
	assert_int_equal(routes_find(KMETHOD_GET, "/static/css/app.css", &rt, params, &n, buf),
			 ROUTE_FOUND);
	assert_int_equal(routes_find(KMETHOD_GET, "/journal/new", &rt, params, &n, buf),
			 ROUTE_FOUND);
	assert_string_equal(rt->pattern, "/journal/new");
}

/* An input error names its field the way the page does: every field a route takes has a label. */
static void test_every_field_has_a_label(void **state)
{
	const struct route *routes;
	size_t n, i, j;
	int missing = 0;

	(void)state;
	routes = routes_all(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < routes[i].nfields; j++) {
			const char *name = routes[i].fields[j].name;

			if (strcmp(kreq_field_label(name), name) == 0) {
				print_message("%s %s: the field %s has no label in src/kreq.c\n",
					      routes_method_name(routes[i].method),
					      routes[i].pattern, name);
				missing++;
			}
		}
	assert_int_equal(missing, 0);
}

/*
 * The export holds everything the caller can read: every kind of the
 * registry must be one of its parts (or in one of them, for an answer), so
 * that a new kind cannot be left out of it unnoticed (api/api-export.c).
 */
static void test_export_holds_every_kind(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; item_kinds[i]; i++)
		if (!api_export_holds(item_kinds[i]->name))
			fail_msg("the export (src/api/api-export.c) holds no item of kind %s",
				 item_kinds[i]->name);
	assert_false(api_export_holds("no_such_kind"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_is_documented),
		cmocka_unit_test(test_no_duplicates),
		cmocka_unit_test(test_state_changes_need_csrf),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_kind_rows_are_current),
		cmocka_unit_test(test_kind_routes),
		cmocka_unit_test(test_every_field_has_a_label),
		cmocka_unit_test(test_export_holds_every_kind),
	};
	int r;

	docs = argc > 1 ? read_file(argv[1]) : NULL;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	free(docs);
	return r;
}
