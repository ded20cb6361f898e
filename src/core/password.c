/*
 * password.c: the rules for a new password (see password.h).
 *
 * Length.  NIST SP 800-63B (5.1.1.2) counts each Unicode code point as one
 * character, and so does the form ("at least 10 characters"), so the
 * minimum is in code points.  The maximum stays in bytes: it bounds what
 * Argon2 hashes, and 1024 bytes are at least 256 characters of any script,
 * well above the 64 that ASVS 6.2.9 asks to allow.
 *
 * Common passwords.  The list is the part of zxcvbn's 30,000 most common
 * passwords that the length rule lets through (see the header of
 * common-passwords.txt); shorter ones are refused as too short anyway.
 * Its entries are lower case, so the password is folded before a binary
 * search: "Password1234" is as common as "password1234".  An exact match
 * only: refusing every password that merely contains a common one would
 * refuse good passphrases ("correct horse battery staple" holds "horse").
 *
 * Context-specific words (ASVS 6.1.2, 6.2.11).  What an attacker who knows
 * the member, or the site, tries first: the login, and the application's
 * name.  A partner knows far more (birthdays, pets, the children's names),
 * which no list can hold; docs/security.md says so.
 */
#include <stdio.h>
#include <string.h>

#include "core/password.h"
#include "i18n/i18n.h"
#include "limits.h"
#include "vault/vault.h"

/* the longest login a member can have: 64 code points of up to 4 bytes */
#define PASSWORD_LOGIN_BYTES (4 * LIMIT_LOGIN_MAX)

const char *const password_context_words[] = {
	"kintsugi",
	"кинцуги",
	NULL,
};

size_t password_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80; /* every byte but continuations */
	return n;
}

/*
 * Simple case folding of the letters kintsugi's three languages use, each
 * of which keeps its UTF-8 length: A-Z; Latin-1 U+00C0-U+00DE but U+00D7
 * (the multiplication sign), to U+00E0-U+00FE; Cyrillic U+0400-U+040F to
 * U+0450-U+045F and U+0410-U+042F to U+0430-U+044F.  0xC3 and 0xD0 are
 * lead bytes, never continuation bytes, so a byte-wise scan cannot
 * mistake the middle of another character for one of them.
 */
void password_fold(char *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *o = (unsigned char *)out;
	size_t i = 0;

	while (i < len) {
		unsigned char c = u[i], d;

		if (c >= 'A' && c <= 'Z') {
			o[i++] = (unsigned char)(c - 'A' + 'a');
			continue;
		}
		if ((c != 0xC3 && c != 0xD0) || i + 1 >= len) {
			o[i++] = c;
			continue;
		}
		d = u[i + 1];
		if (c == 0xC3) {
			o[i] = c;
			o[i + 1] = (d >= 0x80 && d <= 0x9E && d != 0x97) ? (unsigned char)(d + 0x20)
									 : d;
		} else if (d >= 0x80 && d <= 0x8F) { /* U+0400-U+040F: Ѐ Ё ... Џ */
			o[i] = 0xD1;
			o[i + 1] = (unsigned char)(d + 0x10);
		} else if (d >= 0x90 && d <= 0x9F) { /* U+0410-U+041F: А ... П */
			o[i] = 0xD0;
			o[i + 1] = (unsigned char)(d + 0x20);
		} else if (d >= 0xA0 && d <= 0xAF) { /* U+0420-U+042F: Р ... Я */
			o[i] = 0xD1;
			o[i + 1] = (unsigned char)(d - 0x20);
		} else {
			o[i] = c;
			o[i + 1] = d;
		}
		i += 2;
	}
}

/* strcmp() order between len bytes of a (no NUL inside) and the string b. */
static int password_cmp(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Binary search of the folded password (len bytes) in the sorted list. */
static int password_common_find(const char *folded, size_t len)
{
	size_t lo = 0, hi = password_common_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = password_cmp(folded, len, password_common[mid]);

		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int password_is_common(const char *pw, size_t len)
{
	char folded[LIMIT_PASSWORD_MAX];
	int found;

	if (len == 0 || len > sizeof(folded))
		return 0;
	password_fold(folded, pw, len);
	found = password_common_find(folded, len);
	vault_wipe(folded, sizeof(folded));
	return found;
}

/* Does the folded password (len bytes) contain word, folded, in any case? */
static int password_contains(const char *folded, size_t len, const char *word)
{
	char w[PASSWORD_LOGIN_BYTES];
	size_t wlen = word ? strlen(word) : 0;
	int found;

	if (wlen == 0 || wlen > sizeof(w) || wlen > len)
		return 0;
	password_fold(w, word, wlen);
	found = memmem(folded, len, w, wlen) != NULL;
	vault_wipe(w, sizeof(w));
	return found;
}

enum password_verdict password_check(const char *pw, size_t len, const char *login)
{
	char folded[LIMIT_PASSWORD_MAX];
	enum password_verdict v = PASSWORD_OK;
	size_t i;

	if (password_chars(pw, len) < LIMIT_PASSWORD_MIN)
		return PASSWORD_TOO_SHORT;
	if (len > LIMIT_PASSWORD_MAX)
		return PASSWORD_TOO_LONG;
	password_fold(folded, pw, len);
	if (password_common_find(folded, len)) {
		v = PASSWORD_COMMON;
	} else if (password_contains(folded, len, login)) {
		v = PASSWORD_HAS_LOGIN;
	} else {
		for (i = 0; password_context_words[i]; i++) {
			if (password_contains(folded, len, password_context_words[i])) {
				v = PASSWORD_HAS_NAME;
				break;
			}
		}
	}
	vault_wipe(folded, sizeof(folded));
	return v;
}

const char *password_strerror(enum password_verdict v)
{
	static _Thread_local char buf[256];

	switch (v) {
	case PASSWORD_TOO_SHORT:
		snprintf(buf, sizeof(buf),
			 ngettext_("The password needs at least %d character.",
				   "The password needs at least %d characters.",
				   LIMIT_PASSWORD_MIN),
			 LIMIT_PASSWORD_MIN);
		return buf;
	case PASSWORD_TOO_LONG:
		snprintf(buf, sizeof(buf),
			 /* TRANSLATORS: bytes, not characters: in UTF-8 a letter outside
			    the English alphabet takes two bytes or more. */
			 ngettext_("The password can be at most %d byte long (a letter outside "
				   "the English alphabet takes two or more).",
				   "The password can be at most %d bytes long (a letter outside "
				   "the English alphabet takes two or more).",
				   LIMIT_PASSWORD_MAX),
			 LIMIT_PASSWORD_MAX);
		return buf;
	case PASSWORD_COMMON:
		return _("This password is too common: it is on the lists of passwords that "
			 "attackers try first. Please choose another one.");
	case PASSWORD_HAS_LOGIN:
		return _("Your password must not contain your login. Please choose another "
			 "one.");
	case PASSWORD_HAS_NAME:
		return _("Your password must not contain the name of this app, “kintsugi”. "
			 "Please choose another one.");
	default:
		return NULL;
	}
}
