/*
 * test-content.c: content.c's renderer.  Raw HTML in a content file comes
 * out as text, headings get ids (unique, from their words, in any of our
 * languages), the first heading is the title, and a link that leaves our
 * paths, anchors and https:// fails the page.  content.c is included so
 * its file reading can be a stub (no page is loaded here).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/content.c"

int web_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	(void)path, (void)max, (void)ret, (void)ret_len;
	return -ENOENT;
}

static char *render(const char *md, char *title, size_t titlelen, int want)
{
	char *html = NULL;
	size_t len = 0;

	assert_int_equal(content_render(md, strlen(md), &html, &len, title, titlelen), want);
	if (want == 0) {
		assert_non_null(html);
		assert_int_equal(strlen(html), len);
	}
	return html;
}

static void test_raw_html_is_escaped(void **state)
{
	char title[CONTENT_TITLE_MAX];
	char *html =
		render("# Hi\n\n<script>alert(1)</script>\n\nText <b onclick=\"x\">bold</b>.\n",
		       title, sizeof(title), 0);

	(void)state;
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b "));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;b onclick="));
	free(html);
}

static void test_heading_ids_and_title(void **state)
{
	char title[CONTENT_TITLE_MAX];
	char *html =
		render("# Step 1: Take *responsibility* & care\n\n## Why it matters\n\ntext\n\n"
		       "## Why it matters\n\n### ¿Por qué importa?\n\n## Почему это важно\n\n"
		       "---\n\n## What's next — «now»\n",
		       title, sizeof(title), 0);

	(void)state;
	assert_string_equal(title, "Step 1: Take responsibility & care");
	assert_non_null(strstr(html, "<h1 id=\"step-1-take-responsibility-care\">"));
	assert_non_null(strstr(html, "<h2 id=\"why-it-matters\">Why it matters</h2>"));
	assert_non_null(strstr(html, "<h2 id=\"why-it-matters-2\">"));
	assert_non_null(strstr(html, "<h3 id=\"por-qué-importa\">"));
	assert_non_null(strstr(html, "<h2 id=\"Почему-это-важно\">"));
	assert_non_null(strstr(html, "<h2 id=\"whats-next-now\">"));
	assert_non_null(strstr(html, "<hr"));
	free(html);
}

static void test_title_is_cut_on_a_character(void **state)
{
	char title[8];
	char *html = render("# Шаг один\n", title, sizeof(title), 0);

	(void)state;
	assert_string_equal(title, "Шаг "); /* 7 bytes; the next letter would not fit */
	free(html);
}

static void test_links_stay_ours(void **state)
{
	char title[CONTENT_TITLE_MAX];
	char *html = render("# T\n\n[a](/statements) [b](#why) [c](https://example.org/x)\n", title,
			    sizeof(title), 0);

	(void)state;
	assert_non_null(strstr(html, "<a href=\"/statements\">a</a>"));
	free(html);
	assert_null(render("# T\n\n[x](javascript:alert(1))\n", title, sizeof(title), -EINVAL));
	assert_null(render("# T\n\n[x](//evil.example/)\n", title, sizeof(title), -EINVAL));
	assert_null(render("# T\n\n[x](http://example.org/)\n", title, sizeof(title), -EINVAL));
	assert_null(
		render("# T\n\n![x](data:image/png;base64,AAAA)\n", title, sizeof(title), -EINVAL));
}

static void test_no_heading_no_title(void **state)
{
	char title[CONTENT_TITLE_MAX] = "x";
	char *html = render("just text\n", title, sizeof(title), 0);

	(void)state;
	assert_string_equal(title, "");
	assert_string_equal(html, "<p>just text</p>\n");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_html_is_escaped),
		cmocka_unit_test(test_heading_ids_and_title),
		cmocka_unit_test(test_title_is_cut_on_a_character),
		cmocka_unit_test(test_links_stay_ours),
		cmocka_unit_test(test_no_heading_no_title),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
