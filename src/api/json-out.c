/*
 * json-out.c: compact JSON text from jansson values, with a single pass over
 * each string (see json-out.h for why).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json-out.h"

#define JSON_OUT_DEPTH_MAX 64

struct out {
	char *buf;
	size_t len;
	size_t cap;
	int failed;
};

static int out_reserve(struct out *o, size_t more)
{
	size_t cap;
	char *nb;

	if (o->failed)
		return -1;
	/* a buffer always exists after the first call, even for 0 bytes:
	 * memcpy(NULL, s, 0) is undefined */
	if (o->buf && more <= o->cap - o->len)
		return 0;
	cap = o->cap ? o->cap : 1024;
	while (cap - o->len < more) {
		if (cap > SIZE_MAX / 2) {
			o->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	nb = realloc(o->buf, cap);
	if (!nb) {
		o->failed = 1;
		return -1;
	}
	o->buf = nb;
	o->cap = cap;
	return 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
	if (out_reserve(o, n) == 0) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	}
}

static void out_string(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	/* worst case every byte becomes \u00XX: reserve once, copy runs */
	if (n > (SIZE_MAX - 2) / 6 || out_reserve(o, 6 * n + 2) < 0) {
		o->failed = 1;
		return;
	}
	o->buf[o->len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char *p;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		memcpy(o->buf + o->len, s + start, i - start);
		o->len += i - start;
		start = i + 1;
		p = o->buf + o->len;
		p[0] = '\\';
		switch (ch) {
		case '"':
		case '\\':
			p[1] = (char)ch;
			o->len += 2;
			break;
		case '\n':
			p[1] = 'n';
			o->len += 2;
			break;
		case '\r':
			p[1] = 'r';
			o->len += 2;
			break;
		case '\t':
			p[1] = 't';
			o->len += 2;
			break;
		case '\b':
			p[1] = 'b';
			o->len += 2;
			break;
		case '\f':
			p[1] = 'f';
			o->len += 2;
			break;
		default:
			p[1] = 'u';
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 0xf];
			o->len += 6;
			break;
		}
	}
	memcpy(o->buf + o->len, s + start, n - start);
	o->len += n - start;
	o->buf[o->len++] = '"';
}

static int out_value(struct out *o, const json_t *v, int depth)
{
	char num[64];
	int n;

	if (depth > JSON_OUT_DEPTH_MAX)
		return -EINVAL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;
		int first = 1;

		out_put(o, "{", 1);
		json_object_foreach((json_t *)v, key, item)
		{
			if (!first)
				out_put(o, ",", 1);
			first = 0;
			out_string(o, key, strlen(key));
			out_put(o, ":", 1);
			if (out_value(o, item, depth + 1) < 0)
				return -EINVAL;
		}
		out_put(o, "}", 1);
		break;
	}
	case JSON_ARRAY: {
		size_t i;

		out_put(o, "[", 1);
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				out_put(o, ",", 1);
			if (out_value(o, json_array_get(v, i), depth + 1) < 0)
				return -EINVAL;
		}
		out_put(o, "]", 1);
		break;
	}
	case JSON_STRING:
		out_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		out_put(o, num, (size_t)n);
		break;
	case JSON_REAL:
		n = snprintf(num, sizeof(num), "%.10g", json_real_value(v));
		out_put(o, num, (size_t)n);
		break;
	case JSON_TRUE:
		out_put(o, "true", 4);
		break;
	case JSON_FALSE:
		out_put(o, "false", 5);
		break;
	default:
		out_put(o, "null", 4);
		break;
	}
	return 0;
}

int json_out(const json_t *v, char **ret, size_t *ret_len)
{
	struct out o = {0};
	int r;

	if (!v)
		return -EINVAL;
	r = out_value(&o, v, 0);
	if (r == 0)
		out_put(&o, "", 1); /* the NUL */
	if (r < 0 || o.failed) {
		free(o.buf);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = o.buf;
	*ret_len = o.len - 1;
	return 0;
}
