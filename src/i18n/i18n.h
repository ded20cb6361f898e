/*
 * i18n.h: translations, language negotiation, dates and plurals.
 *
 * Catalogs are the gettext .mo files compiled from po/<lang>.po at build
 * time.  kintsugi reads them itself rather than through setlocale(): the
 * language changes per request, requests run on several threads, and a
 * server must not depend on which system locales happen to be generated.
 * Plural forms follow each language's rule, compiled in (Russian has
 * three); the Plural-Forms header of each po/<lang>.po must state the same
 * rule, which scripts/check-po verifies.
 *
 * Every user-visible string in C goes through _() or ngettext-style
 * i18n_ngettext(); every one in a template sits in {{#_}}...{{/_}}, which
 * i18n_translate_template() replaces with its translation once at load.
 */
#ifndef KINTSUGI_I18N_H
#define KINTSUGI_I18N_H

#include <stddef.h>

#define I18N_LANG_MAX 3 /* en, es, ru */

/* The supported languages, in display order, NULL-terminated. */
extern const char *const i18n_languages[];

/*
 * i18n_init() - load <dir>/<lang>.mo for every supported language ("en"
 * may be missing: msgids are English).  Each file is checked in full:
 * under 8 MiB, every offset inside the file, no duplicate msgid, and a
 * Plural-Forms nplurals, if stated, equal to the compiled-in rule (see
 * i18n.c).  Returns 0; or -ENOENT (a catalog is missing), -EINVAL
 * (malformed), another negative errno from open/read, with "<path>:
 * <reason>" in errbuf (errbuf may be NULL).  On failure no catalog stays
 * loaded and lookups return msgids.  Replaces what an earlier call loaded.
 * Call before threads start: the catalogs are then read-only and lookups
 * from any thread are safe.
 */
int i18n_init(const char *dir, char *errbuf, size_t errlen);
/* i18n_fini() - unload every catalog; strings they returned become invalid. */
void i18n_fini(void);

/* 1 when lang is exactly one of the supported codes ("es", not "es-MX"); NULL gives 0. */
int i18n_lang_valid(const char *lang);

/*
 * i18n_gettext() - the translation of msgid in lang, or msgid itself when
 * lang is not supported (or NULL), the catalog has no entry or its entry is
 * empty.  The result lives in the catalog (until i18n_fini()) or is msgid:
 * never free it.  A NULL msgid gives NULL.
 */
const char *i18n_gettext(const char *lang, const char *msgid) __attribute__((format_arg(2)));
/*
 * i18n_ngettext() - the form for n of the entry whose msgid is singular, by
 * the language's compiled-in plural rule (en, es: n != 1; ru: three forms).
 * Without a translation (or with an empty form): n == 1 ? singular : plural.
 */
__attribute__((format_arg(2), format_arg(3))) const char *
i18n_ngettext(const char *lang, const char *singular, const char *plural, unsigned long n);

/*
 * i18n_set_thread_lang() - the language of the request this thread is
 * serving, read by _() and ngettext_().  An unsupported or NULL lang sets
 * "en".  i18n_thread_lang() returns one of i18n_languages ("en" until set).
 */
void i18n_set_thread_lang(const char *lang);
const char *i18n_thread_lang(void);

#define _(s)		   i18n_gettext(i18n_thread_lang(), (s))
#define N_(s)		   (s)
#define ngettext_(s, p, n) i18n_ngettext(i18n_thread_lang(), (s), (p), (n))

/*
 * i18n_negotiate() - the best supported language for an Accept-Language
 * header of len bytes (need not be NUL-terminated; RFC 9110 section
 * 12.5.4): highest q wins, ties keep header order, q=0 means "not
 * acceptable", "es-MX"/"es-419" match "es", "*" stands for a language the
 * header does not name, case and blanks do not matter, malformed elements
 * are skipped.  "en" when nothing matches or the header is NULL.  Returns
 * one of i18n_languages (static, never freed).  Pure: no catalogs needed.
 */
const char *i18n_negotiate(const char *accept_language, size_t len);

/*
 * i18n_region() - the country of the most preferred range of an
 * Accept-Language header (len bytes, need not be NUL-terminated) that
 * names one: "es-MX" gives "MX", "sr-Latn-RS" "RS", "ru_UA" "UA".  A
 * region of the world ("es-419") is no country, a range with q=0 is not
 * wanted, and equal weights keep header order.  Writes the two capital
 * letters and a NUL to out; 0, or -ENOENT when no range names a country
 * (out untouched).  Pure, like i18n_negotiate().
 */
int i18n_region(const char *accept_language, size_t len, char out[3]);

/*
 * i18n_translate_template() - replace every {{#_}}msgid{{/_}} in src (len
 * bytes) with the translation of msgid in lang (whitespace inside is kept
 * as written, so msgid may span lines; msgid may contain mustache tags,
 * which the translation keeps).  Blanks inside the markers are allowed
 * ("{{ #_ }}").  On success *ret is a malloc'd NUL-terminated string the
 * caller frees, of *ret_len bytes (ret_len may be NULL).  Returns 0; -EINVAL
 * on an unclosed marker, a nested {{#_}} or a {{/_}} with none open;
 * -ENOMEM.  On failure *ret and *ret_len are not written.
 */
int i18n_translate_template(const char *lang, const char *src, size_t len, char **ret,
			    size_t *ret_len);

/*
 * i18n_format_date() - "2026-11-26T..." or "2026-11-26" as a date a person
 * reads in lang ("26 November 2026", "26 de noviembre de 2026",
 * "26 ноября 2026 г.").  The date must exist (year 0001-9999, 29 February
 * only in leap years) and be followed by nothing, 'T', 't' or ' '; the time
 * is ignored (no zone conversion).  Writes at most outlen bytes, NUL
 * included (32 is always enough).  Returns 0; -EINVAL for a bad date, an
 * unsupported lang or NULL; -ENOSPC when outlen is too small.  out is not
 * written on failure.
 */
int i18n_format_date(const char *lang, const char *rfc3339, char *out, size_t outlen);

#endif
