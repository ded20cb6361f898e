/*
 * chart.c: the SVG line chart of chart.h.
 *
 * Geometry is in a fixed viewBox (CHART_W x CHART_H user units) that the
 * stylesheet scales to the width of the page.  Coordinates are written in
 * tenths with integer arithmetic only, so the output never depends on the
 * C locale's decimal separator.  A series is one <path> through its values
 * (a period without one is skipped, not a break) and a dot per value, so a
 * single check-in still shows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/chart.h"

#define CHART_W		320 /* viewBox width */
#define CHART_H		180 /* viewBox height */
#define CHART_LEFT	26  /* room for the y labels */
#define CHART_RIGHT	10
#define CHART_TOP	10
#define CHART_BOTTOM	28	      /* room for the x labels */
#define CHART_MAX_BYTES (1024 * 1024) /* far above any real chart; a cap on runaway input */

struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static void buf_grow(struct buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->err || b->len + more + 1 <= b->cap)
		return;
	if (b->len + more + 1 > CHART_MAX_BYTES) {
		b->err = -EINVAL;
		return;
	}
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	/* not realloc(): the old block holds the scores drawn so far; wiped, not left behind */
	p = malloc(cap);
	if (!p) {
		b->err = -ENOMEM;
		return;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
}

/* A string literal, its length counted by the compiler. */
#define BUF_LIT(b, lit) buf_add((b), (lit), sizeof(lit) - 1)

static void buf_add(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (b->err)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	buf_add(b, tmp, (size_t)n);
}

/* Text content or attribute value, escaped for XML. */
static void buf_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			BUF_LIT(b, "&amp;");
			break;
		case '<':
			BUF_LIT(b, "&lt;");
			break;
		case '>':
			BUF_LIT(b, "&gt;");
			break;
		case '"':
			BUF_LIT(b, "&quot;");
			break;
		case '\'':
			BUF_LIT(b, "&#39;");
			break;
		default:
			buf_add(b, s, 1);
		}
	}
}

/* Names that go into id= and class= unescaped. */
static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* "#rgb" or "#rrggbb". */
static int colour_ok(const char *s)
{
	size_t n, i;

	if (!s || s[0] != '#')
		return 0;
	n = strlen(s + 1);
	if (n != 3 && n != 6)
		return 0;
	for (i = 1; i <= n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* Coordinates in tenths of a unit. */
static long x_of(const struct chart *c, size_t i)
{
	long span = (CHART_W - CHART_LEFT - CHART_RIGHT) * 10L;

	if (c->npoints == 1)
		return CHART_LEFT * 10L + span / 2;
	return CHART_LEFT * 10L + span * (long)i / (long)(c->npoints - 1);
}

static long y_of(const struct chart *c, int v)
{
	long span = (CHART_H - CHART_TOP - CHART_BOTTOM) * 10L;

	return CHART_TOP * 10L + span - span * v / c->y_max;
}

static void buf_num(struct buf *b, long tenths)
{
	buf_printf(b, "%ld.%ld", tenths / 10, tenths % 10);
}

static int chart_check(const struct chart *c)
{
	size_t i, k;

	if (!c || !name_ok(c->id) || !c->title || !c->desc || c->y_max < 1 || c->y_max > 1000 ||
	    c->npoints < 1 || c->npoints > CHART_POINTS_MAX || !c->series || c->nseries < 1 ||
	    c->nseries > CHART_SERIES_MAX)
		return -EINVAL;
	for (k = 0; k < c->nseries; k++) {
		const struct chart_series *s = &c->series[k];

		if (!name_ok(s->css_class) || !colour_ok(s->colour) || !s->values)
			return -EINVAL;
		for (i = 0; i < c->npoints; i++)
			if (s->values[i] != CHART_NONE &&
			    (s->values[i] < 0 || s->values[i] > c->y_max))
				return -EINVAL;
	}
	return 0;
}

static void chart_grid(struct buf *b, const struct chart *c)
{
	const int marks[3] = {0, c->y_max / 2, c->y_max};
	int m;

	BUF_LIT(b, "<g class=\"chart-grid\" aria-hidden=\"true\">");
	for (m = 0; m < 3; m++) {
		long y = y_of(c, marks[m]);

		buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"", CHART_LEFT, CHART_W - CHART_RIGHT);
		buf_num(b, y);
		BUF_LIT(b, "\" y2=\"");
		buf_num(b, y);
		BUF_LIT(b, "\" stroke=\"#8a7f70\" stroke-width=\"0.5\"/>");
		buf_printf(b, "<text x=\"%d\" y=\"", CHART_LEFT - 6);
		buf_num(b, y + 35);
		buf_printf(b, "\" text-anchor=\"end\" font-size=\"10\" fill=\"#5b5348\">%d</text>",
			   marks[m]);
	}
	if (c->first_label && *c->first_label) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#5b5348\">",
			   CHART_LEFT, CHART_H - 8);
		buf_text(b, c->first_label);
		BUF_LIT(b, "</text>");
	}
	if (c->last_label && *c->last_label && c->npoints > 1) {
		buf_printf(b,
			   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" "
			   "fill=\"#5b5348\">",
			   CHART_W - CHART_RIGHT, CHART_H - 8);
		buf_text(b, c->last_label);
		BUF_LIT(b, "</text>");
	}
	BUF_LIT(b, "</g>");
}

static void chart_series_svg(struct buf *b, const struct chart *c, const struct chart_series *s)
{
	size_t i;
	int open = 0;

	buf_printf(b, "<g class=\"chart-series %s\">", s->css_class);
	/* one line through every value: a day without a check-in is no reason
	 * to break the line, it only has no dot */
	for (i = 0; i < c->npoints; i++) {
		if (s->values[i] == CHART_NONE)
			continue;
		if (open)
			BUF_LIT(b, " L");
		else
			BUF_LIT(b, "<path class=\"chart-line\" d=\"M");
		buf_num(b, x_of(c, i));
		BUF_LIT(b, " ");
		buf_num(b, y_of(c, s->values[i]));
		open = 1;
	}
	if (open)
		buf_printf(b,
			   "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
			   "stroke-linejoin=\"round\" stroke-linecap=\"round\"%s/>",
			   s->colour, s->dashed ? " stroke-dasharray=\"6 4\"" : "");
	for (i = 0; i < c->npoints; i++) {
		if (s->values[i] == CHART_NONE)
			continue;
		BUF_LIT(b, "<circle class=\"chart-dot\" cx=\"");
		buf_num(b, x_of(c, i));
		BUF_LIT(b, "\" cy=\"");
		buf_num(b, y_of(c, s->values[i]));
		buf_printf(b, "\" r=\"3\" fill=\"%s\"/>", s->colour);
	}
	BUF_LIT(b, "</g>");
}

int chart_svg(const struct chart *c, char **ret, size_t *ret_len)
{
	struct buf b = {NULL, 0, 0, 0};
	size_t k;
	int r;

	if (!ret)
		return -EINVAL;
	r = chart_check(c);
	if (r < 0)
		return r;
	buf_printf(
		&b,
		"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-labelledby=\"%s-title %s-desc\" focusable=\"false\">",
		CHART_W, CHART_H, c->id, c->id);
	buf_printf(&b, "<title id=\"%s-title\">", c->id);
	buf_text(&b, c->title);
	buf_printf(&b, "</title><desc id=\"%s-desc\">", c->id);
	buf_text(&b, c->desc);
	BUF_LIT(&b, "</desc>");
	chart_grid(&b, c);
	for (k = 0; k < c->nseries; k++)
		chart_series_svg(&b, c, &c->series[k]);
	BUF_LIT(&b, "</svg>");
	if (b.err) {
		if (b.p)
			explicit_bzero(b.p, b.cap);
		free(b.p);
		return b.err;
	}
	*ret = b.p;
	if (ret_len)
		*ret_len = b.len;
	return 0;
}
