/*
 * json-out.c: compact JSON text, one pass over each string, into one
 * growing buffer: a streaming writer, and json_out() for jansson values on
 * top of it (see json-out.h for why, and for the UTF-8 contract).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "api/json-out.h"

#define JSON_OUT_FIRST_CAP 1024 /* first allocation without a hint */

int json_out_reserve(char **buf, size_t *cap, size_t len, size_t more, size_t first)
{
	size_t want = *cap ? *cap : first;
	char *nb;

	if (*buf && more <= *cap - len)
		return 0;
	while (want - len < more) {
		if (want > SIZE_MAX / 2)
			return -ENOMEM;
		want *= 2;
	}
	/* not realloc(): the old block holds the text so far, private text
	 * among it, and must be wiped rather than left behind in the heap */
	nb = malloc(want);
	if (!nb)
		return -ENOMEM;
	if (*buf) {
		memcpy(nb, *buf, len);
		explicit_bzero(*buf, *cap);
		free(*buf);
	}
	*buf = nb;
	*cap = want;
	return 0;
}

/* Makes room for more bytes after len; 0, or -1 with w->error set. */
static int out_reserve(struct json_writer *w, size_t more)
{
	if (w->error)
		return -1;
	/* a buffer always exists after the first call, even for 0 bytes:
	 * memcpy(NULL, s, 0) is undefined */
	if (w->buf && more <= w->cap - w->len)
		return 0;
	if (json_out_reserve(&w->buf, &w->cap, w->len, more,
			     w->hint ? w->hint : JSON_OUT_FIRST_CAP) < 0) {
		w->error = -ENOMEM;
		return -1;
	}
	return 0;
}

static void out_put(struct json_writer *w, const char *s, size_t n)
{
	if (out_reserve(w, n) == 0) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

/* One byte; the test for room is inline, the growing is out_reserve()'s. */
static inline void out_byte(struct json_writer *w, char c)
{
	if ((w->buf && w->len < w->cap && !w->error) || out_reserve(w, 1) == 0)
		w->buf[w->len++] = c;
}

/*
 * Whether any of the 8 bytes of x needs an escape: below 0x20, '"' or '\\'.
 * The classic bit tricks (Anderson's "Bit Twiddling Hacks": haszero() and
 * hasless()), which are exact for "any byte" questions: a byte of 0x80 or
 * more never counts as less than 0x20, so UTF-8 sequences pass as plain.
 */
static int word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');

	return ((((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) |
		 ((bslash - ones) & ~bslash)) &
		highs) != 0;
}

#if defined(__SSE2__)
/*
 * Whether any of the 16 bytes at p needs an escape: min(x, 0x1f) == x
 * exactly for the bytes up to 0x1f (unsigned), then the two characters.
 */
static int block_needs_escape(const char *p)
{
	const __m128i top = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i bad =
		_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, top), x),
			     _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)));

	return _mm_movemask_epi8(bad) != 0;
}
#endif

static int byte_needs_escape(unsigned char ch)
{
	return ch < 0x20 || ch == '"' || ch == '\\';
}

/*
 * A string in quotes.  Room for the plain case (n + 2) is made once and runs
 * of plain bytes are copied whole, found 8 bytes at a time; only an escape
 * asks for more, for the worst case of what is left (every byte \u00XX), so
 * a string without escapes never makes the buffer grow past its final size.
 */
static void out_string(struct json_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, start = 0;

	if (n > SIZE_MAX / 6 - 2) {
		if (!w->error)
			w->error = -ENOMEM;
		return;
	}
	if (out_reserve(w, n + 2) < 0)
		return;
	w->buf[w->len++] = '"';
	for (;;) {
		unsigned char ch;
		size_t end;
		char *p;

#if defined(__SSE2__)
		/* 16 bytes at a time where SSE2 exists (every x86-64) */
		while (n - i >= 16 && !block_needs_escape(s + i))
			i += 16;
#endif
		/* whole words without an escape; memcpy is the portable unaligned load */
		while (n - i >= 8) {
			uint64_t x;

			memcpy(&x, s + i, 8);
			if (word_needs_escape(x))
				break;
			i += 8;
		}
		/* then byte by byte, through this word (which holds an escape) or the tail */
		end = n - i >= 8 ? i + 8 : n;
		while (i < end && !byte_needs_escape((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		if (i == end)
			continue;
		ch = (unsigned char)s[i];
		/* the run before, this escape (6 at most), the rest escaped, the quote */
		if (out_reserve(w, (i - start) + 6 * (n - i) + 1) < 0)
			return;
		memcpy(w->buf + w->len, s + start, i - start);
		w->len += i - start;
		start = ++i;
		p = w->buf + w->len;
		p[0] = '\\';
		switch (ch) {
		case '"':
		case '\\':
			p[1] = (char)ch;
			w->len += 2;
			break;
		case '\n':
			p[1] = 'n';
			w->len += 2;
			break;
		case '\r':
			p[1] = 'r';
			w->len += 2;
			break;
		case '\t':
			p[1] = 't';
			w->len += 2;
			break;
		case '\b':
			p[1] = 'b';
			w->len += 2;
			break;
		case '\f':
			p[1] = 'f';
			w->len += 2;
			break;
		default:
			p[1] = 'u';
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 0xf];
			w->len += 6;
			break;
		}
	}
	memcpy(w->buf + w->len, s + start, n - start);
	w->len += n - start;
	w->buf[w->len++] = '"';
}

static void writer_fail(struct json_writer *w, int error)
{
	if (!w->error)
		w->error = error;
}

static int in_object(const struct json_writer *w)
{
	return w->depth > 0 && ((w->objects >> (w->depth - 1)) & 1);
}

/*
 * Before any value: inside an object it must follow a key; otherwise it
 * follows a comma when the level holds a value already.  At the top level
 * only one value may be written.  0, or -1 once an error is kept.
 */
static int value_begin(struct json_writer *w)
{
	if (w->error)
		return -1;
	if (w->after_key) {
		w->after_key = 0;
		return 0;
	}
	if (in_object(w) || (w->depth == 0 && w->comma)) {
		writer_fail(w, -EINVAL);
		return -1;
	}
	if (w->comma)
		out_byte(w, ',');
	return w->error ? -1 : 0;
}

static void container_begin(struct json_writer *w, char open, int object)
{
	if (value_begin(w) < 0)
		return;
	if (w->depth >= JSON_OUT_DEPTH_MAX) {
		writer_fail(w, -EINVAL);
		return;
	}
	out_byte(w, open);
	if (object)
		w->objects |= (uint64_t)1 << w->depth;
	else
		w->objects &= ~((uint64_t)1 << w->depth);
	w->depth++;
	w->comma = 0;
}

static void container_end(struct json_writer *w, char close, int object)
{
	if (w->error)
		return;
	if (w->depth == 0 || in_object(w) != object || w->after_key) {
		writer_fail(w, -EINVAL);
		return;
	}
	out_byte(w, close);
	w->depth--;
	w->comma = 1;
}

void json_writer_init(struct json_writer *w, size_t hint)
{
	memset(w, 0, sizeof(*w));
	w->hint = hint;
}

void json_writer_release(struct json_writer *w)
{
	if (!w)
		return;
	if (w->buf)
		explicit_bzero(w->buf, w->cap);
	free(w->buf);
	json_writer_init(w, w->hint);
}

int json_writer_error(const struct json_writer *w)
{
	return w->error;
}

void json_writer_begin_object(struct json_writer *w)
{
	container_begin(w, '{', 1);
}

void json_writer_end_object(struct json_writer *w)
{
	container_end(w, '}', 1);
}

void json_writer_begin_array(struct json_writer *w)
{
	container_begin(w, '[', 0);
}

void json_writer_end_array(struct json_writer *w)
{
	container_end(w, ']', 0);
}

void json_writer_key(struct json_writer *w, const char *key)
{
	json_writer_key_len(w, key, key ? strlen(key) : 0);
}

void json_writer_key_len(struct json_writer *w, const char *key, size_t n)
{
	size_t plain = 0;

	if (w->error)
		return;
	if (!key || !in_object(w) || w->after_key) {
		writer_fail(w, -EINVAL);
		return;
	}
	while (plain < n && !byte_needs_escape((unsigned char)key[plain]))
		plain++;
	if (plain == n) {
		/* every key the code writes: the comma, the quoted key and the colon at once */
		char *p;

		if (out_reserve(w, n + 4) < 0)
			return;
		p = w->buf + w->len;
		if (w->comma)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, key, n);
		p += n;
		*p++ = '"';
		*p++ = ':';
		w->len = (size_t)(p - w->buf);
	} else {
		if (w->comma)
			out_byte(w, ',');
		out_string(w, key, n);
		out_byte(w, ':');
	}
	w->after_key = 1;
	w->comma = 1; /* for the member after this one */
}

void json_writer_string(struct json_writer *w, const char *s, size_t len)
{
	if (!s && len) {
		writer_fail(w, -EINVAL);
		return;
	}
	if (value_begin(w) < 0)
		return;
	out_string(w, s ? s : "", len);
	w->comma = 1;
}

void json_writer_string_or_null(struct json_writer *w, const char *s)
{
	if (s)
		json_writer_string(w, s, strlen(s));
	else
		json_writer_null(w);
}

void json_writer_integer(struct json_writer *w, long long v)
{
	char num[24], *p = num + sizeof(num);
	/* the magnitude in unsigned arithmetic, so that LLONG_MIN needs no case */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	if (value_begin(w) < 0)
		return;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	out_put(w, p, (size_t)(num + sizeof(num) - p));
	w->comma = 1;
}

void json_writer_bool(struct json_writer *w, int v)
{
	if (value_begin(w) < 0)
		return;
	if (v)
		out_put(w, "true", 4);
	else
		out_put(w, "false", 5);
	w->comma = 1;
}

void json_writer_null(struct json_writer *w)
{
	if (value_begin(w) < 0)
		return;
	out_put(w, "null", 4);
	w->comma = 1;
}

static void writer_real(struct json_writer *w, double v)
{
	char num[64];
	int n;

	if (value_begin(w) < 0)
		return;
	n = snprintf(num, sizeof(num), "%.10g", v);
	if (n < 0 || (size_t)n >= sizeof(num)) {
		writer_fail(w, -EINVAL);
		return;
	}
	out_put(w, num, (size_t)n);
	w->comma = 1;
}

void json_writer_value(struct json_writer *w, const json_t *v)
{
	if (w->error)
		return;
	if (!v) {
		writer_fail(w, -EINVAL);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;

		json_writer_begin_object(w);
		json_object_foreach((json_t *)v, key, item)
		{
			json_writer_key(w, key);
			json_writer_value(w, item);
			if (w->error)
				return;
		}
		json_writer_end_object(w);
		break;
	}
	case JSON_ARRAY: {
		size_t i;

		json_writer_begin_array(w);
		for (i = 0; i < json_array_size(v) && !w->error; i++)
			json_writer_value(w, json_array_get(v, i));
		json_writer_end_array(w);
		break;
	}
	case JSON_STRING:
		json_writer_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		json_writer_integer(w, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		writer_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		json_writer_bool(w, 1);
		break;
	case JSON_FALSE:
		json_writer_bool(w, 0);
		break;
	default:
		json_writer_null(w);
		break;
	}
}

int json_writer_finish(struct json_writer *w, char **ret, size_t *ret_len)
{
	int r;

	if (!w->error && (w->depth != 0 || w->after_key || !w->comma))
		writer_fail(w, -EINVAL); /* an open container, or nothing at all */
	out_byte(w, '\0');
	if (w->error) {
		r = w->error;
		json_writer_release(w);
		return r;
	}
	*ret = w->buf;
	*ret_len = w->len - 1;
	json_writer_init(w, w->hint);
	return 0;
}

int json_out(const json_t *v, char **ret, size_t *ret_len)
{
	struct json_writer w;

	if (!v)
		return -EINVAL;
	json_writer_init(&w, 0);
	json_writer_value(&w, v);
	return json_writer_finish(&w, ret, ret_len);
}
