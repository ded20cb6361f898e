/*
 * form.c: application/x-www-form-urlencoded bodies and query strings.
 *
 * The format is the one of the WHATWG URL standard, section 5.1
 * ("application/x-www-form-urlencoded parsing"), made strict where the
 * standard is forgiving: a '%' that is not followed by two hex digits is an
 * error instead of a literal '%', decoded bytes must be UTF-8 (no silent
 * U+FFFD replacement), and a name that comes twice is refused because
 * handlers that read "the" value of a field must not be fooled by parameter
 * pollution.  Nothing here allocates per byte: each piece decodes into one
 * buffer no larger than its encoded form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int parse_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode one name or value: '+' is a space, %XX a byte.  The result is
 * malloc'd and NUL-terminated in *ret, its length (without the NUL) in
 * *ret_len.  Returns 0, -EINVAL for a bad escape or when the decoded bytes
 * are not UTF-8 or hold a NUL (so "%00" and "%C0%80" are refused), -ENOMEM.
 */
static int form_decode(const char *s, size_t n, char **ret, size_t *ret_len)
{
	char *out;
	size_t i, o = 0;

	out = malloc(n + 1);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			out[o++] = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				goto bad;
			hi = parse_hex_digit((unsigned char)s[i + 1]);
			lo = parse_hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto bad;
	*ret = out;
	*ret_len = o;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

/*
 * form_parse() - decode an urlencoded body or query string; see parse.h.
 * A piece without '=' ("flag") is a field with an empty value; a piece with
 * an empty name ("=x") is malformed.  Duplicate detection compares each new
 * name with the earlier ones, which is quadratic in max_fields: callers pass
 * LIMIT_FORM_FIELDS, not something unbounded.
 * On failure *ret and *ret_n are left untouched.  An empty input gives
 * *ret == NULL and *ret_n == 0.
 */
int form_parse(const char *buf, size_t len, size_t max_fields, struct kfield **ret, size_t *ret_n)
{
	struct kfield *fields = NULL;
	size_t n = 0, cap = 0, p = 0;
	int r;

	if ((!buf && len) || !ret || !ret_n)
		return -EINVAL;

	while (p < len) {
		const char *piece = buf + p, *amp, *eq;
		size_t plen, nlen, dlen, vlen, i;
		char *name = NULL, *value = NULL;

		amp = memchr(piece, '&', len - p);
		plen = amp ? (size_t)(amp - piece) : len - p;
		p += plen + 1;
		if (plen == 0)
			continue; /* "a=1&&b=2", a trailing '&' */
		if (n == max_fields) {
			r = -E2BIG;
			goto out;
		}

		eq = memchr(piece, '=', plen);
		nlen = eq ? (size_t)(eq - piece) : plen;
		if (nlen == 0) {
			r = -EINVAL;
			goto out;
		}
		r = form_decode(piece, nlen, &name, &dlen);
		if (r < 0)
			goto out;
		if (eq)
			r = form_decode(eq + 1, plen - nlen - 1, &value, &vlen);
		else
			r = form_decode("", 0, &value, &vlen);
		if (r < 0) {
			free(name);
			goto out;
		}

		for (i = 0; i < n; i++)
			if (strcmp(fields[i].name, name) == 0)
				break;
		if (i < n) {
			free(name);
			free(value);
			r = -EINVAL;
			goto out;
		}

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct kfield *grown;

			if (ncap > max_fields)
				ncap = max_fields;
			grown = reallocarray(fields, ncap, sizeof(*fields));
			if (!grown) {
				free(name);
				free(value);
				r = -ENOMEM;
				goto out;
			}
			fields = grown;
			cap = ncap;
		}
		fields[n].name = name;
		fields[n].value = value;
		fields[n].value_len = vlen;
		n++;
	}

	*ret = fields;
	*ret_n = n;
	fields = NULL;
	n = 0;
	r = 0;
out:
	form_free(fields, n);
	return r;
}

/* form_free() - free what form_parse() returned; fields may be NULL. */
void form_free(struct kfield *fields, size_t n)
{
	size_t i;

	if (!fields)
		return;
	/* a field's value is what a member typed: wiped, as the raw body is */
	for (i = 0; i < n; i++) {
		if (fields[i].name) {
			explicit_bzero(fields[i].name, strlen(fields[i].name));
			free(fields[i].name);
		}
		if (fields[i].value) {
			explicit_bzero(fields[i].value, strlen(fields[i].value));
			free(fields[i].value);
		}
	}
	free(fields);
}
