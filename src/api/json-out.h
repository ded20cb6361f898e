/*
 * json-out.h: compact JSON text for API answers, written in one pass.
 *
 * Two ways in:
 *
 * - json_out() serializes a jansson value.  json_dumps() decodes every
 *   string's UTF-8 again to escape it, which made it the largest cost of a
 *   journal page (about a third of the CPU).
 * - struct json_writer writes JSON straight from C structs into one growing
 *   buffer: begin an object or array, a key, a value, end.  Hot answers (a
 *   journal page of 50 entries) use it to skip building a jansson tree, whose
 *   allocation and freeing (one object, one hash table and a copy of every
 *   string per entry) cost more than the writing itself.
 *
 * Both give compact output (no spaces), object keys in the order written
 * (for json_out(), insertion order, as JSON_COMPACT gives), integers in
 * decimal, and byte-identical text for the same value.
 *
 * Escaping and UTF-8: only the bytes JSON requires are escaped: '"', '\\'
 * and the control characters below 0x20 (as \n, \r, \t, \b, \f or \u00XX).
 * Every other byte is copied as it is, so strings must be valid UTF-8
 * already; nothing here checks it.  That holds for everything kintsugi
 * answers with: jansson refuses invalid UTF-8 in a json_t; text from people
 * is validated as UTF-8 when the request is parsed (src/http/utf8.c), before
 * it is sealed, and what opens from the vault is byte for byte what was
 * sealed; ids, times and codes are ASCII made by the server.  A caller that
 * writes bytes from anywhere else must validate them first.
 */
#ifndef KINTSUGI_API_JSON_OUT_H
#define KINTSUGI_API_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define JSON_OUT_DEPTH_MAX 64 /* open objects and arrays; far above any answer's shape */

/*
 * json_out() - v as compact JSON text.  On success *ret is a malloc'd,
 * NUL-terminated string of *ret_len bytes that the caller frees; returns 0,
 * -ENOMEM, or -EINVAL for a value nested deeper than JSON_OUT_DEPTH_MAX
 * levels.  Nothing is written to *ret on failure.
 */
int json_out(const json_t *v, char **ret, size_t *ret_len);

/*
 * A streaming writer.  Fields are private: use the functions below.
 *
 *	struct json_writer w;
 *
 *	json_writer_init(&w, 4096);
 *	json_writer_begin_object(&w);
 *	json_writer_key(&w, "entries");
 *	json_writer_begin_array(&w);
 *	...
 *	json_writer_end_array(&w);
 *	json_writer_end_object(&w);
 *	r = json_writer_finish(&w, &text, &len);
 *
 * Calls never fail one by one: the first error (out of memory, a value
 * where a key is due, an end that does not match its begin, nesting deeper
 * than JSON_OUT_DEPTH_MAX) is kept, every later call does nothing, and
 * json_writer_finish() reports it.  Commas and colons are placed by the
 * writer.  A writer that is not finished must be given to
 * json_writer_release(), which frees its buffer.
 */
struct json_writer {
	char *buf;	  /* malloc'd, NULL until the first byte */
	size_t len;	  /* bytes written */
	size_t cap;	  /* bytes allocated */
	size_t hint;	  /* first allocation */
	int error;	  /* first error (-ENOMEM, -EINVAL), or 0 */
	unsigned depth;	  /* open objects and arrays */
	uint64_t objects; /* bit d - 1 set when level d is an object */
	int comma;	  /* the current level holds a value: the next needs ',' */
	int after_key;	  /* a key was written: its value is due */
};

/* json_writer_init() - an empty writer whose buffer starts at hint bytes (0: 1 KiB). */
void json_writer_init(struct json_writer *w, size_t hint);
/*
 * json_writer_release() - wipe and free what w holds and make it empty;
 * accepts NULL.  (A buffer that grows is copied and the old one wiped, so
 * that no part of an answer stays behind in freed memory.)
 */
void json_writer_release(struct json_writer *w);

void json_writer_begin_object(struct json_writer *w);
void json_writer_end_object(struct json_writer *w);
void json_writer_begin_array(struct json_writer *w);
void json_writer_end_array(struct json_writer *w);
/* json_writer_key() - the next member's name (NUL-terminated UTF-8), inside an object. */
void json_writer_key(struct json_writer *w, const char *key);
/* json_writer_key_len() - the same for len bytes of key (no NUL among them). */
void json_writer_key_len(struct json_writer *w, const char *key, size_t len);
/* JSON_WRITER_KEY() - json_writer_key() for a string literal, its length counted by the compiler.
 */
#define JSON_WRITER_KEY(w, lit) json_writer_key_len((w), "" lit "", sizeof(lit) - 1)
/* json_writer_string() - a string of len bytes of valid UTF-8 (may hold NUL). */
void json_writer_string(struct json_writer *w, const char *s, size_t len);
/* json_writer_string_or_null() - s (NUL-terminated) as a string, or null when s is NULL. */
void json_writer_string_or_null(struct json_writer *w, const char *s);
void json_writer_integer(struct json_writer *w, long long v);
void json_writer_bool(struct json_writer *w, int v);
void json_writer_null(struct json_writer *w);
/* json_writer_error() - the error kept so far (-ENOMEM, -EINVAL), or 0. */
int json_writer_error(const struct json_writer *w);
/* json_writer_value() - a jansson value, as json_out() writes it (not stolen). */
void json_writer_value(struct json_writer *w, const json_t *v);

/*
 * json_out_reserve() - room for more bytes after the len written in the
 * malloc'd buffer *buf of *cap bytes (NULL and 0 at first: then at least
 * first bytes), grown by doubling into a new block, the old one wiped
 * (it holds private text) and freed.  0, or -ENOMEM with *buf as it was.
 * The writer's own growing, for other text built the same way.
 */
int json_out_reserve(char **buf, size_t *cap, size_t len, size_t more, size_t first);

/*
 * json_writer_finish() - the text written, when it is one complete value.
 * On success *ret is a malloc'd, NUL-terminated string of *ret_len bytes that
 * the caller frees, and w is left empty.  Otherwise returns the first error
 * (-ENOMEM, or -EINVAL for a misuse or an incomplete value), frees w's buffer
 * and leaves *ret untouched.
 */
int json_writer_finish(struct json_writer *w, char **ret, size_t *ret_len);

#endif
