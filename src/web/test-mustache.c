/*
 * test-mustache.c: the mustache renderer against the official specification
 * (every test of every file in the directory given as argv[1]) and against
 * what the specification leaves to us: compile errors and their line
 * numbers, escaping, number formatting, partial indentation when partials
 * nest, the recursion and size caps, and sharing one compiled template
 * between threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/mustache.h"

static const char *spec_dir;

/* A set of named compiled partials, the ud of partials_find(). */
struct partials {
	size_t n;
	const char *names[16];
	struct mustache *t[16];
};

static const struct mustache *partials_find(void *ud, const char *name)
{
	struct partials *ps = ud;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->names[i], name))
			return ps->t[i];
	return NULL;
}

static void partials_clear(struct partials *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		mustache_free(ps->t[i]);
	ps->n = 0;
}

static void partials_add(struct partials *ps, const char *name, const char *src)
{
	char err[128];

	assert_true(ps->n < 16);
	ps->names[ps->n] = name;
	ps->t[ps->n] = mustache_compile(src, strlen(src), err, sizeof(err));
	if (!ps->t[ps->n])
		fail_msg("partial %s: %s", name, err);
	ps->n++;
}

/* Self-referencing partial lookup: every name is the template itself. */
static const struct mustache *partial_self(void *ud, const char *name)
{
	(void)name;
	return ud;
}

/* Compiles src, renders it over the JSON text data, returns the output. */
static char *render_str(const char *src, const char *data, struct partials *ps)
{
	char err[128], *out = NULL;
	struct mustache *t;
	json_t *j = NULL;
	size_t len;
	int r;

	t = mustache_compile(src, strlen(src), err, sizeof(err));
	if (!t)
		fail_msg("compile \"%s\": %s", src, err);
	if (data) {
		j = json_loads(data, JSON_DECODE_ANY, NULL);
		assert_non_null(j);
	}
	r = mustache_render(t, j, ps ? partials_find : NULL, ps, &out, &len);
	assert_int_equal(r, 0);
	assert_int_equal(strlen(out), len);
	json_decref(j);
	mustache_free(t);
	return out;
}

static void assert_renders(const char *src, const char *data, const char *expected)
{
	char *out = render_str(src, data, NULL);

	if (strcmp(out, expected))
		fail_msg("\"%s\" rendered \"%s\", expected \"%s\"", src, out, expected);
	free(out);
}

/* Runs one spec file; returns the number of failed tests, counts them all. */
static int spec_run_file(const char *path, int *total)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *tests, *tc;
	int failed = 0;
	size_t i;

	if (!root) {
		printf("%s: %s (line %d)\n", path, jerr.text, jerr.line);
		return 1;
	}
	tests = json_object_get(root, "tests");
	json_array_foreach(tests, i, tc)
	{
		const char *name = json_string_value(json_object_get(tc, "name"));
		const char *tmpl = json_string_value(json_object_get(tc, "template"));
		const char *want = json_string_value(json_object_get(tc, "expected"));
		json_t *parts = json_object_get(tc, "partials"), *pv;
		struct partials ps = {0};
		struct mustache *t;
		const char *pname;
		char err[128], *out = NULL;
		size_t len = 0;
		int r;

		(*total)++;
		json_object_foreach(parts, pname, pv)
		{
			if (ps.n < 16)
				partials_add(&ps, pname, json_string_value(pv));
		}
		t = mustache_compile(tmpl, strlen(tmpl), err, sizeof(err));
		if (!t) {
			printf("FAIL %s: %s: compile: %s\n", path, name, err);
			failed++;
			partials_clear(&ps);
			continue;
		}
		r = mustache_render(t, json_object_get(tc, "data"), partials_find, &ps, &out, &len);
		if (r || len != strlen(want) || memcmp(out, want, len)) {
			printf("FAIL %s: %s\n  expected: \"%s\"\n  got:      \"%s\" (%d)\n", path,
			       name, want, r ? "" : out, r);
			failed++;
		}
		free(out);
		mustache_free(t);
		partials_clear(&ps);
	}
	json_decref(root);
	return failed;
}

static void test_spec(void **state)
{
	struct dirent **ents = NULL;
	int i, n, failed = 0, total = 0, files = 0;
	char path[4096];

	(void)state;
	if (!spec_dir)
		fail_msg("usage: test-mustache SPEC-DIR");
	n = scandir(spec_dir, &ents, NULL, alphasort);
	if (n < 0)
		fail_msg("%s: %s", spec_dir, strerror(errno));
	for (i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);

		if (l > 5 && !strcmp(ents[i]->d_name + l - 5, ".json")) {
			snprintf(path, sizeof(path), "%s/%s", spec_dir, ents[i]->d_name);
			failed += spec_run_file(path, &total);
			files++;
		}
		free(ents[i]);
	}
	free(ents);
	printf("mustache spec: %d files, %d tests, %d failed\n", files, total, failed);
	assert_true(files >= 6);
	assert_int_equal(failed, 0);
}

/* Compile errors name the line of the offending tag. */
static void test_compile_errors(void **state)
{
	static const struct {
		const char *src;
		const char *line;
		const char *what;
	} cases[] = {
		{"a\n{{#x}}\nb\n", "line 2:", "unclosed section"},
		{"{{#a}}\n\n{{/b}}", "line 3:", "does not match"},
		{"{{#a}}{{#b}}\n{{/a}}{{/b}}", "line 2:", "does not match"},
		{"x\n\n\n{{/a}}", "line 4:", "without an open section"},
		{"\n{{=<% =}}", "line 2:", "invalid delimiter"},
		{"{{=<% %> x=}}", "line 1:", "invalid delimiter"},
		{"{{=<=% %>=}}", "line 1:", "invalid delimiter"},
		{"{{= =}}", "line 1:", "invalid delimiter"},
		{"{{=<% %>=}}\n<%x}}", "line 2:", "unclosed tag"},
		{"a\nb {{name", "line 2:", "unclosed tag"},
		{"{{{x}}", "line 1:", "unclosed tag"},
		{"\n\n{{ }}", "line 3:", "empty tag"},
		{"{{", "line 1:", "unclosed tag"},
	};
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mustache *t =
			mustache_compile(cases[i].src, strlen(cases[i].src), err, sizeof(err));

		if (t)
			fail_msg("\"%s\" compiled", cases[i].src);
		if (!strstr(err, cases[i].line) || !strstr(err, cases[i].what))
			fail_msg("\"%s\": message \"%s\"", cases[i].src, err);
	}
	/* No message buffer, and a tiny one, are fine. */
	assert_null(mustache_compile("{{#a}}", 6, NULL, 0));
	assert_null(mustache_compile("{{#a}}", 6, err, 4));
	assert_int_equal(strlen(err), 3);
}

static void test_nesting_limit(void **state)
{
	char src[8 * 200 + 1], err[128];
	struct mustache *t;
	int i;

	(void)state;
	src[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(src, "{{#a}}");
	for (i = 0; i < 100; i++)
		strcat(src, "{{/a}}");
	t = mustache_compile(src, strlen(src), err, sizeof(err));
	assert_non_null(t);
	mustache_free(t);
	memmove(src + 6, src, strlen(src) + 1);
	memcpy(src, "{{#a}}", 6);
	strcat(src, "{{/a}}");
	assert_null(mustache_compile(src, strlen(src), err, sizeof(err)));
	assert_non_null(strstr(err, "nested"));
}

static void test_escaping(void **state)
{
	(void)state;
	assert_renders("{{x}}", "{\"x\": \"& < > \\\" ' ` = plain\"}",
		       "&amp; &lt; &gt; &quot; &#39; &#96; &#61; plain");
	assert_renders("{{{x}}}|{{&x}}", "{\"x\": \"<a href='x'>\"}", "<a href='x'>|<a href='x'>");
	assert_renders("{{x}}", "{\"x\": \"<<&&>>\"}", "&lt;&lt;&amp;&amp;&gt;&gt;");
	/* A NUL inside a string is copied, and escaping goes on after it. */
	{
		struct mustache *t = mustache_compile("[{{x}}]", 7, NULL, 0);
		json_t *d = json_pack("{s:s#}", "x", "a\0<b", (size_t)4);
		char *out = NULL;
		size_t len = 0;

		assert_non_null(t);
		assert_non_null(d);
		assert_int_equal(mustache_render(t, d, NULL, NULL, &out, &len), 0);
		assert_int_equal(len, 9);
		assert_memory_equal(out, "[a\0&lt;b]", 10);
		free(out);
		json_decref(d);
		mustache_free(t);
	}
	/* The template's own text is never escaped. */
	assert_renders("<b a=\"1\">{{x}}</b>", "{\"x\": \"é\"}", "<b a=\"1\">é</b>");
}

static void test_values(void **state)
{
	(void)state;
	assert_renders("{{a}} {{b}} {{c}}", "{\"a\": 0, \"b\": -42, \"c\": -9223372036854775808}",
		       "0 -42 -9223372036854775808");
	assert_renders("{{a}} {{b}} {{c}} {{d}}",
		       "{\"a\": 1.5, \"b\": 0.1, \"c\": 1e300, \"d\": -2.0}", "1.5 0.1 1e+300 -2");
	assert_renders("{{t}} {{f}} [{{n}}] [{{o}}] [{{l}}]",
		       "{\"t\": true, \"f\": false, \"n\": null, \"o\": {\"a\": 1}, \"l\": [1]}",
		       "true false [] [] []");
	/* Header: 0 and "" are truthy; false, null, [] and a miss are not. */
	assert_renders(
		"{{#z}}z{{/z}}{{#e}}e{{/e}}{{#f}}f{{/f}}{{#n}}n{{/n}}{{#l}}l{{/l}}{{#m}}m{{/m}}",
		"{\"z\": 0, \"e\": \"\", \"f\": false, \"n\": null, \"l\": []}", "ze");
	/* Data that is not an object, and no data at all. */
	assert_renders("[{{a}}{{.}}]", "[1]", "[]");
	assert_renders("[{{a}}{{#a}}x{{/a}}{{^a}}y{{/a}}]", NULL, "[y]");
}

/* A standalone partial inside an indented partial gets both indentations. */
static void test_partial_indentation(void **state)
{
	struct partials ps = {0};
	char *out;

	(void)state;
	partials_add(&ps, "outer", "<ul>\n  {{>inner}}\n</ul>\n");
	partials_add(&ps, "inner", "{{#items}}\n<li>{{.}}</li>\n{{/items}}\n");
	partials_add(&ps, "inline", "a\nb");
	out = render_str("<body>\n  {{>outer}}\n</body>\n", "{\"items\": [1, 2]}", &ps);
	assert_string_equal(out,
			    "<body>\n  <ul>\n    <li>1</li>\n    <li>2</li>\n  </ul>\n</body>\n");
	free(out);
	/* An inline partial is not indented, even inside an indented partial. */
	partials_clear(&ps);
	partials_add(&ps, "outer", "x\n{{>inline}}!\n");
	partials_add(&ps, "inline", "a\nb");
	out = render_str("  {{>outer}}\n", "{}", &ps);
	assert_string_equal(out, "  x\n  a\nb!\n");
	free(out);
	partials_clear(&ps);
}

/* Header: recursion ends at 64 levels; a blow-up is refused, not rendered. */
static void test_partial_recursion(void **state)
{
	struct mustache *t;
	char *out = NULL, *p;
	size_t len;
	clock_t start;

	(void)state;
	t = mustache_compile("x{{>self}}", 10, NULL, 0);
	assert_non_null(t);
	assert_int_equal(mustache_render(t, NULL, partial_self, t, &out, &len), 0);
	assert_int_equal(len, 65);
	for (p = out; *p; p++)
		assert_int_equal(*p, 'x');
	free(out);
	mustache_free(t);

	/* 2^64 expansions: stopped by the output and step caps, quickly. */
	start = clock();
	t = mustache_compile("xy{{>a}}{{>a}}", 14, NULL, 0);
	out = NULL;
	assert_int_equal(mustache_render(t, NULL, partial_self, t, &out, &len), -E2BIG);
	assert_null(out);
	mustache_free(t);
	t = mustache_compile("{{>a}}{{>a}}", 12, NULL, 0);
	assert_int_equal(mustache_render(t, NULL, partial_self, t, &out, &len), -E2BIG);
	assert_null(out);
	mustache_free(t);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);

	/* Sections in a recursive partial over deep data end too. */
	t = mustache_compile("{{#a}}<{{>self}}>{{/a}}", 23, NULL, 0);
	{
		json_t *d = json_pack("{s:b}", "a", 1);

		assert_int_equal(mustache_render(t, d, partial_self, t, &out, &len), 0);
		assert_int_equal(len, 130); /* 65 levels of "<>" */
		free(out);
		json_decref(d);
	}
	mustache_free(t);
}

static void test_misc(void **state)
{
	char *out = NULL;
	size_t len = 0;
	struct mustache *t;

	(void)state;
	mustache_free(NULL);
	assert_int_equal(mustache_render(NULL, NULL, NULL, NULL, &out, &len), -EINVAL);
	/* Empty template, and a source that is not NUL-terminated. */
	assert_renders("", "{}", "");
	t = mustache_compile("{{a}}XXXX", 5, NULL, 0);
	assert_non_null(t);
	{
		json_t *d = json_pack("{s:s}", "a", "v");

		assert_int_equal(mustache_render(t, d, NULL, NULL, &out, &len), 0);
		assert_string_equal(out, "v");
		free(out);
		/* No partial function: partials render as "". */
		json_decref(d);
	}
	mustache_free(t);
	assert_renders("[{{>p}}]", "{}", "[]");
	/* Dotted names through lists, and the implicit iterator on nested lists. */
	assert_renders("{{#l}}{{a.b}},{{/l}}", "{\"l\": [{\"a\": {\"b\": 1}}, {\"a\": {}}]}",
		       "1,,");
	assert_renders("{{#l}}[{{#.}}{{.}}{{/.}}]{{/l}}", "{\"l\": [[1, 2], []]}", "[12][]");
}

/* One compiled template rendered from 4 threads at once gives one answer. */
struct thread_arg {
	const struct mustache *t;
	struct partials *ps;
	const json_t *data;
	const char *expected;
	int bad;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < 2000; i++) {
		char *out = NULL;
		size_t len;

		if (mustache_render(a->t, a->data, partials_find, a->ps, &out, &len) ||
		    strcmp(out, a->expected))
			a->bad++;
		free(out);
	}
	return NULL;
}

static void test_threads(void **state)
{
	static const char src[] = "<h1>{{title}}</h1>\n{{#entries}}\n  {{>entry}}\n{{/entries}}\n"
				  "{{^entries}}none{{/entries}}\n";
	struct partials ps = {0};
	struct thread_arg args[4];
	pthread_t th[4];
	struct mustache *t;
	json_t *data;
	char *expected = NULL;
	size_t len;
	int i;

	(void)state;
	partials_add(&ps, "entry", "<p class=\"{{kind}}\">\n{{body}}\n</p>\n");
	data = json_loads("{\"title\": \"Tom & Jerry\", \"entries\": ["
			  "{\"kind\": \"a\", \"body\": \"<i>1</i>\"},"
			  "{\"kind\": \"b\", \"body\": 2.5},"
			  "{\"kind\": \"c\", \"body\": \"'3'\"}]}",
			  0, NULL);
	assert_non_null(data);
	t = mustache_compile(src, strlen(src), NULL, 0);
	assert_non_null(t);
	assert_int_equal(mustache_render(t, data, partials_find, &ps, &expected, &len), 0);
	assert_non_null(strstr(expected, "  <p class=\"b\">\n  2.5\n  </p>\n"));
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){t, &ps, data, expected, 0};
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].bad, 0);
	}
	free(expected);
	mustache_free(t);
	json_decref(data);
	partials_clear(&ps);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_partial_indentation),
		cmocka_unit_test(test_partial_recursion),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_threads),
	};

	if (argc > 1)
		spec_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
