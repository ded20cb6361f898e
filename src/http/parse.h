/*
 * parse.h: the pure parsers of request pieces: UTF-8, urlencoded forms and
 * query strings, the Cookie header, JSON bodies, and the field declarations
 * that every route uses to validate its input.
 *
 * Every function here is a pure (buf, len) function: no I/O, no globals, no
 * logging, so each has a libFuzzer target in fuzz/ and its corpus replays as
 * an ordinary test.  Inputs need not be NUL-terminated.
 */
#ifndef KINTSUGI_PARSE_H
#define KINTSUGI_PARSE_H

#include <stddef.h>
#include <jansson.h>

#include "field.h"
#include "kreq.h"

/* utf8_valid() - 1 when buf is well-formed UTF-8 (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF) and has no NUL byte; else 0. */
int utf8_valid(const char *buf, size_t len);
/* utf8_chars() - number of code points in well-formed UTF-8. */
size_t utf8_chars(const char *buf, size_t len);

/*
 * form_parse() - decode application/x-www-form-urlencoded (also a query
 * string without its '?'): '&'-separated name=value pairs, '+' as space,
 * %XX escapes.  At most max_fields fields (more is an error).  Names and
 * values must decode to valid UTF-8 without NUL.  A repeated name is an
 * error (a form never sends one twice; duplicates are how parameter
 * pollution works).  Empty pieces ("a=1&&b=2") are skipped.
 * On success *ret is a malloc'd array of *ret_n fields (each name/value
 * malloc'd, NUL-terminated) freed with form_free(); returns 0, -EINVAL on
 * malformed input (bad %-escape, empty name, duplicate), -E2BIG over
 * max_fields, -ENOMEM.  A piece without '=' is a field with an empty value.
 * An empty input gives *ret == NULL, *ret_n == 0.  On failure *ret and
 * *ret_n are not written.  Duplicate detection is quadratic in max_fields.
 */
int form_parse(const char *buf, size_t len, size_t max_fields, struct kfield **ret, size_t *ret_n);
/* parse_hex_digit() - the value of a hex digit (either case), or -1. */
int parse_hex_digit(unsigned char c);
/* form_free() - free what form_parse() returned; fields may be NULL. */
void form_free(struct kfield *fields, size_t n);

/*
 * cookie_get() - find cookie `name` in a Cookie header value (RFC 6265
 * section 5.4: "a=1; b=2").  Copies its value into out (outlen bytes incl.
 * NUL) and returns its length; -ENOENT when absent, -EINVAL when the header
 * is malformed around it or the value holds characters outside the cookie
 * octet set, -E2BIG when it does not fit, -EEXIST when it appears twice:
 * a second cookie of the same name comes from a sibling domain or another
 * path (cookie tossing), and which one is ours cannot be told.
 */
int cookie_get(const char *header, size_t len, const char *name, char *out, size_t outlen);

/*
 * json_parse_body() - decode a JSON request body: it must be one object,
 * well-formed UTF-8 without NUL, no duplicate keys, nested at most max_depth
 * deep (the top-level object counts as 1), nothing after it.  On success
 * *ret owns a new reference; returns 0, -EINVAL with err filled (code
 * INPUT_INVALID_JSON, field ""), or -ENOMEM.  err may be NULL.
 */
int json_parse_body(const char *buf, size_t len, size_t max_depth, json_t **ret,
		    struct input_error *err);

/*
 * fields_check() - check obj against the n declared fields: unknown keys,
 * missing required fields, types, bounds and choices.  JSON null is allowed
 * for an optional field and treated as absent.  Returns 0 or -EINVAL with
 * err filled for the first problem found (in declaration order, unknown
 * keys first).  Strings (FIELD_STRING, FIELD_SECRET) may hold no control
 * character but \t \n \r.  Inside a FIELD_INT_MAP errors name "field.key".
 * A FIELD_ENUM_SET holds min..max distinct choices.
 * err may be NULL.
 */
int fields_check(const json_t *obj, const struct field *fields, size_t n, struct input_error *err);

/*
 * fields_value() - the value of the declared name in obj: obj's member of
 * that name, or for "group.member" (field.h) the member of obj's object
 * `group`.  NULL when absent.  Borrowed: obj owns it.
 */
const json_t *fields_value(const json_t *obj, const char *name);

/*
 * fields_from_form() - build a JSON object from urlencoded form fields
 * according to the declarations (strings stay strings, FIELD_BOOL/FIELD_INT
 * are converted, FIELD_SHARED comes from checkbox-style names
 * "shared_with=partner" given as separate fields "share_partner"/"share_care"
 * with value "1"), ignoring the form field "csrf".  Unknown names are an
 * error, as in JSON.  Empty optional strings are treated as absent.  A
 * declared FIELD_SHARED is always present ([] when no box is checked);
 * FIELD_INT_MAP keys come from fields "<field>.<key>", FIELD_ENUM_SET
 * choices from checkboxes "<field>.<choice>".  The object is then
 * passed through fields_check(), so it is fully validated.  Returns 0 with
 * *ret a new object, -EINVAL with err filled, or -ENOMEM.
 */
int fields_from_form(const struct kfield *form, size_t nform, const struct field *fields, size_t n,
		     json_t **ret, struct input_error *err);

/*
 * json_wipe_on_free() - from now on, every block jansson frees is wiped
 * first: decoded request bodies (and their parser's scratch buffers) do not
 * linger in freed memory.  Call it before any other jansson call of the
 * process (main() does), since a block allocated before it cannot be freed
 * after it; then nothing of jansson's may be freed with plain free().
 */
void json_wipe_on_free(void);

/*
 * parse_ip_normalise() - the IPv4 or IPv6 literal in (no brackets, no
 * port, no zone) written as inet_ntop writes it, an IPv4-mapped IPv6
 * address ("::ffff:1.2.3.4") as the IPv4 one, so that two spellings of one
 * address compare equal.  Returns 0, -EINVAL for anything else, or -ENOSPC
 * when out cannot hold it.
 */
int parse_ip_normalise(const char *in, char *out, size_t outlen);

#endif
