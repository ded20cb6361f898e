/*
 * cookie.c: reading one cookie out of a Cookie request header.
 *
 * RFC 6265 section 4.2.1 says a user agent sends
 *   cookie-string = cookie-pair *( ";" SP cookie-pair )
 * and section 5.4 that it never sends anything else, but other software on
 * the same host (analytics, proxies) may have set cookies whose values do
 * not follow section 4.1.1.  So the rules differ by pair: the pair we look
 * for must be exact (a cookie-octet value, optionally in double quotes),
 * while the other pairs are only split off and skipped, never judged:
 * someone else's sloppy cookie must not sign a member out.
 */
#include <errno.h>
#include <string.h>

#include "http/parse.h"

/* RFC 6265 section 4.1.1: US-ASCII except CTLs, whitespace, DQUOTE, comma,
 * semicolon and backslash. */
static int cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static int ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * cookie_get() - see parse.h.  Whitespace (SP, HTAB) around a pair and
 * around its '=' is tolerated, as RFC 6265 section 5.2 strips it.  A pair
 * named `name` without any '=' is -EINVAL; `name` twice is -EEXIST.  name must be a non-empty
 * NUL-terminated string; header may be NULL when len is 0.  out is written
 * only on success.
 */
int cookie_get(const char *header, size_t len, const char *name, char *out, size_t outlen)
{
	const char *found = NULL;
	size_t nlen, p, found_len = 0;

	if (!name || !*name || (!header && len) || (!out && outlen))
		return -EINVAL;
	nlen = strlen(name);

	for (p = 0; p < len;) {
		const char *pair = header + p, *semi, *eq;
		size_t s = 0, t, k, v, w;

		semi = memchr(pair, ';', len - p);
		t = semi ? (size_t)(semi - pair) : len - p;
		p += t + 1;

		while (s < t && ows(pair[s]))
			s++;
		while (t > s && ows(pair[t - 1]))
			t--;
		if (s == t)
			continue; /* "a=1;;b=2", a trailing ';' */

		eq = memchr(pair + s, '=', t - s);
		if (!eq) {
			if (t - s == nlen && memcmp(pair + s, name, nlen) == 0)
				return -EINVAL;
			continue;
		}
		k = (size_t)(eq - pair);
		while (k > s && ows(pair[k - 1]))
			k--;
		if (k - s != nlen || memcmp(pair + s, name, nlen) != 0)
			continue;
		/* a second one: which is ours cannot be told (cookie tossing) */
		if (found)
			return -EEXIST;

		/* The value: pair[v..w), surrounding whitespace already gone at
		 * the end, skipped here at the start. */
		v = (size_t)(eq - pair) + 1;
		w = t;
		while (v < w && ows(pair[v]))
			v++;
		if (w - v >= 2 && pair[v] == '"' && pair[w - 1] == '"') {
			v++;
			w--;
		}
		for (k = v; k < w; k++)
			if (!cookie_octet((unsigned char)pair[k]))
				return -EINVAL; /* includes a lone '"' */
		found = pair + v;
		found_len = w - v;
	}
	if (!found)
		return -ENOENT;
	/* INT_MAX by its compiler name: <limits.h> would find src/limits.h. */
	if (found_len >= outlen || found_len > (size_t)__INT_MAX__)
		return -E2BIG;
	memcpy(out, found, found_len);
	out[found_len] = '\0';
	return (int)found_len;
}
