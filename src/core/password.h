/*
 * password.h: what a new password must be (ASVS 5.0 6.2.1, 6.2.4, 6.2.11).
 *
 * A new password, at sign-up, join, password change and recovery, must
 * have at least LIMIT_PASSWORD_MIN characters (Unicode code points, not
 * bytes: five Cyrillic letters are five characters, though ten bytes) and
 * at most LIMIT_PASSWORD_MAX bytes (what Argon2 is asked to hash); it must
 * not be one of the common passwords of src/core/common-passwords.txt, nor
 * contain the member's login or a word of the context-specific list below,
 * whatever the case.  No composition rule, no normalisation: the password is
 * hashed exactly as typed (6.2.5, 6.2.8).
 *
 * Case is folded for ASCII, Latin-1 and Cyrillic letters, which covers the
 * three languages kintsugi speaks; other letters compare as they are.
 * Input is valid UTF-8 (the routing table's field checks make sure of it).
 * Pure functions: no I/O, no allocation, safe from any thread.
 */
#ifndef KINTSUGI_CORE_PASSWORD_H
#define KINTSUGI_CORE_PASSWORD_H

#include <stddef.h>

enum password_verdict {
	PASSWORD_OK = 0,
	PASSWORD_TOO_SHORT = 1, /* fewer than LIMIT_PASSWORD_MIN code points */
	PASSWORD_TOO_LONG = 2,	/* more than LIMIT_PASSWORD_MAX bytes */
	PASSWORD_COMMON = 3,	/* on the list of common passwords, in any case */
	PASSWORD_HAS_LOGIN = 4, /* contains the login, in any case */
	PASSWORD_HAS_NAME = 5,	/* contains a context-specific word ("kintsugi") */
	_PASSWORD_VERDICT_MAX
};

/* The common passwords (src/core/common-passwords.txt, made into C by
 * scripts/wordlist2c at build time): lower case, sorted by bytes (strcmp),
 * no repeats. */
extern const char *const password_common[];
extern const size_t password_common_n;

/* The context-specific words a password may not contain (ASVS 6.2.11):
 * the application's name, in Latin and Cyrillic letters.  NULL-terminated. */
extern const char *const password_context_words[];

/*
 * password_check() - the verdict on a new password pw (len bytes of valid
 * UTF-8) for the member whose login is login (NUL-terminated; NULL or ""
 * when unknown).  The checks run in the order of the enum, so the first
 * rule broken is the one reported.  Never fails.
 */
enum password_verdict password_check(const char *pw, size_t len, const char *login);

/* password_chars() - the number of code points in len bytes of valid UTF-8. */
size_t password_chars(const char *s, size_t len);

/*
 * password_fold() - the case-folded copy of len bytes of UTF-8 into out
 * (len bytes: every fold keeps the byte length).  out may be s.
 */
void password_fold(char *out, const char *s, size_t len);

/* password_is_common() - is pw (len bytes, any case) on the common list?  1 or 0. */
int password_is_common(const char *pw, size_t len);

/*
 * password_strerror() - the sentence for a verdict other than PASSWORD_OK,
 * in the thread's language (i18n_set_thread_lang()); NULL for PASSWORD_OK.
 * It says what to do: the minimum in characters, the maximum in bytes, or
 * which rule.  The text lives in static or thread-local storage: valid
 * until the thread's next call.
 */
const char *password_strerror(enum password_verdict v);

#endif
