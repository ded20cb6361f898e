/*
 * utf8.c: the UTF-8 checks every other parser leans on.
 *
 * Input reaches kintsugi as bytes (form fields, cookies, JSON bodies) and
 * everything after the parsers assumes text.  utf8_valid() is the one gate:
 * it follows the well-formed byte sequences table of RFC 3629 section 4
 * exactly, so overlong forms (C0 80, E0 80 80), UTF-16 surrogates (ED A0 80),
 * code points past U+10FFFF (F4 90 80 80) and the old 5- and 6-byte forms
 * are all refused.  NUL is refused too: C code downstream would cut the text
 * short at it, so a NUL is always an attack or a bug.
 */
#include <stddef.h>

#include "http/parse.h"

/*
 * utf8_valid() - 1 when buf[0..len) is well-formed UTF-8 without NUL, else 0.
 * buf may be NULL when len is 0 (the empty string is valid).
 */
int utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;

	if (!s)
		return len == 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
		size_t need, k;

		if (c == 0x00)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		/* RFC 3629 section 4, the UTF8-2/3/4 productions. */
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* below is overlong */
			else if (c == 0xED)
				hi = 0x9F; /* above is a surrogate */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* below is overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* above is past U+10FFFF */
		} else {
			/* 80..C1: stray continuation or overlong lead; F5..FF: never valid */
			return 0;
		}
		if (len - i <= need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * utf8_chars() - number of code points in buf[0..len), which the caller has
 * already checked with utf8_valid().  Every byte that is not a continuation
 * byte (10xxxxxx) starts a code point.  On ill-formed input the count is
 * meaningless but the function stays within buf.
 */
size_t utf8_chars(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			n++;
	return n;
}
