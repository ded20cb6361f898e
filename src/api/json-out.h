/*
 * json-out.h: a fast serializer of jansson values for API answers.
 *
 * json_dumps() decodes every string's UTF-8 again to escape it, which made
 * it the largest cost of a journal page (about a third of the CPU).  Strings
 * inside a json_t are already valid UTF-8 (jansson refuses anything else),
 * so only the bytes JSON requires are escaped here: '"', '\\' and the
 * control characters below 0x20.  Compact output, object keys in insertion
 * order, as JSON_COMPACT gives.
 */
#ifndef KINTSUGI_API_JSON_OUT_H
#define KINTSUGI_API_JSON_OUT_H

#include <stddef.h>
#include <jansson.h>

/*
 * json_out() - v as compact JSON text.  On success *ret is a malloc'd,
 * NUL-terminated string of *ret_len bytes that the caller frees; returns 0,
 * -ENOMEM, or -EINVAL for a value nested deeper than 64 levels.
 */
int json_out(const json_t *v, char **ret, size_t *ret_len);

#endif
