/*
 * fuzz-accept-language.c: libFuzzer target for i18n_negotiate().
 *
 * The input is an Accept-Language header value of size bytes (not
 * NUL-terminated: libFuzzer's buffer is exactly size bytes, so ASan sees any
 * read past the end).  Checks that the answer is always a supported code,
 * and that a trailing comma, which only adds an empty element, changes
 * nothing.  Links with the i18n library; needs no catalogs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *lang, *again;
	char *copy;

	lang = i18n_negotiate((const char *)data, size);
	if (!i18n_lang_valid(lang))
		abort();

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	copy[size] = ',';
	again = i18n_negotiate(copy, size + 1);
	if (again != lang)
		abort();
	free(copy);
	return 0;
}
