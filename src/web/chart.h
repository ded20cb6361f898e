/*
 * chart.h: a small server-rendered SVG line chart (the home page's trust
 * and closeness over time).  It needs no script and no inline style, so it
 * passes a Content-Security-Policy without 'unsafe-inline': colours come
 * from presentation attributes (stroke=, fill=), which a stylesheet may
 * override through the class names given here (dark mode, high contrast).
 * The chart names itself with <title> and <desc>; the page carries the same
 * numbers in a table for whoever cannot see it.
 */
#ifndef KINTSUGI_WEB_CHART_H
#define KINTSUGI_WEB_CHART_H

#include <stddef.h>

#define CHART_NONE	 (-1) /* no value at this point: no dot; the line joins its neighbours */
#define CHART_POINTS_MAX 400  /* a chart of more points is not readable on a phone */
#define CHART_SERIES_MAX 8

struct chart_series {
	const char *css_class; /* [a-z0-9-]+, e.g. "chart-trust"; also names the colour */
	const char *colour;    /* presentation attribute, e.g. "#7a5410" */
	int dashed;	       /* a dashed line: told apart without colour */
	const int *values;     /* npoints values in 0..y_max, or CHART_NONE */
};

struct chart {
	const char *id;		 /* [a-z0-9-]+: prefix of the ids of <title> and <desc> */
	const char *title;	 /* translated, plain text (escaped here) */
	const char *desc;	 /* translated, plain text */
	const char *first_label; /* under the first point, plain text, or NULL */
	const char *last_label;	 /* under the last point, or NULL */
	int y_max;		 /* values run 0..y_max; gridlines at 0, half, y_max */
	size_t npoints;		 /* 1..CHART_POINTS_MAX */
	const struct chart_series *series;
	size_t nseries; /* 1..CHART_SERIES_MAX */
};

/*
 * chart_svg() - the chart as one <svg> element, UTF-8, NUL-terminated, in
 * a malloc'd *ret the caller frees (ret_len may be NULL).  Text is escaped
 * for XML.  Returns 0, -EINVAL for a chart outside the limits above (a bad
 * id or class name, a value out of range, no points), or -ENOMEM.  *ret is
 * written only on success.
 */
int chart_svg(const struct chart *c, char **ret, size_t *ret_len);

#endif
