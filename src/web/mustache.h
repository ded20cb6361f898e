/*
 * mustache.h: a mustache template renderer over jansson values.
 *
 * Implements the non-optional modules of the mustache specification
 * (comments, delimiters, interpolation, inverted, partials, sections):
 * HTML escaping of {{name}} (& < > " ' and also ` and = are escaped as
 * entities), raw {{{name}}} and {{&name}}, dotted names, implicit iterator
 * {{.}}, context stack lookup, standalone tag whitespace rules, set
 * delimiters, and partials with standalone indentation.  Lambdas are not
 * supported.
 *
 * Values: strings as themselves; integers in decimal; reals as the shortest
 * "%.17g" form that round-trips (e.g. 1.5, 1.21 as in the spec: "1.21"); true/
 * false/null: false, null, empty array are falsy for sections; an empty
 * string is truthy (spec), and so is 0; null interpolates as "", and so do
 * objects and arrays, which have no text form; true and false interpolate
 * as "true" and "false".  A missing name is falsy and renders "".
 *
 * Compiling is separate from rendering, so a server compiles each template
 * once and renders it from many threads at once: a compiled template is
 * immutable and may be shared between threads.
 */
#ifndef KINTSUGI_MUSTACHE_H
#define KINTSUGI_MUSTACHE_H

#include <stddef.h>
#include <jansson.h>

struct mustache;

/* Looks up a partial by name; NULL when there is none (renders as ""). */
typedef const struct mustache *(*mustache_partial_fn)(void *ud, const char *name);

/*
 * mustache_compile() - parse src (len bytes, need not be NUL-terminated)
 * into a compiled template.  Returns NULL and writes a one-line reason with
 * the line number into err (errlen bytes) on a syntax error: an unclosed tag
 * or section, a mismatched closing tag, an invalid delimiter change.  The
 * caller frees the result with mustache_free() (accepts NULL).
 * Also refused: an empty tag ("{{}}"), a delimiter longer than 16 bytes,
 * sections nested more than 100 deep.  err may be NULL (errlen 0).  The
 * source is copied: src may be freed once this returns.
 */
struct mustache *mustache_compile(const char *src, size_t len, char *err, size_t errlen);
void mustache_free(struct mustache *t);

/*
 * mustache_render() - render t with data as the root context.  Partials
 * are found through partial(ud, name) (partial may be NULL), which is
 * called during the render, on the caller's thread; what it returns must
 * stay alive until the render returns.  A standalone partial tag's
 * indentation is applied to every line of the partial's source (not to
 * newlines inside interpolated values), and adds up when such partials
 * nest; an inline partial tag's partial is not indented.
 * Nested partial depth is capped (recursion ends at 64 levels): a partial
 * tag past that depth renders as "", as does any section or partial nested
 * more than 512 deep in all.  On success
 * *ret is a malloc'd NUL-terminated string of *ret_len bytes that the caller
 * frees.  Returns 0, or -ENOMEM, or -E2BIG when the output would pass
 * 16 MiB or the render would visit more than 1 Mi nodes (a runaway
 * template, e.g. a partial that includes itself twice), or -EINVAL when t,
 * ret or ret_len is NULL; *ret and *ret_len are untouched on failure.
 * data may be NULL (every name is then missing).  Safe to call from many
 * threads at once on the same t.
 */
int mustache_render(const struct mustache *t, const json_t *data, mustache_partial_fn partial,
		    void *ud, char **ret, size_t *ret_len);

#endif
