/*
 * fuzz-cookie.c: libFuzzer target for cookie_get().
 *
 * The input is the Cookie header value; the session cookie's name and a few
 * output sizes are tried on it.  Besides memory errors, it checks the
 * contract: a non-negative return is the length of a NUL-terminated value
 * made only of cookie-octets that fits the buffer; a name given twice is
 * -EEXIST.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"kintsugi_session", "a", "lang"};
	static const size_t sizes[] = {0, 1, 8, 65, 4096};
	size_t i, k, j;

	if (size > LIMIT_COOKIE_BYTES * 2)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			/* An exact-size heap buffer, so ASan sees any overrun. */
			char *out = malloc(sizes[k] ? sizes[k] : 1);
			int r;

			if (!out)
				return 0;
			r = cookie_get((const char *)data, size, names[i], out, sizes[k]);
			if (r >= 0) {
				if ((size_t)r >= sizes[k] || out[r] != '\0')
					abort();
				for (j = 0; j < (size_t)r; j++)
					if (!cookie_octet((unsigned char)out[j]))
						abort();
			} else if (r != -ENOENT && r != -EINVAL && r != -E2BIG && r != -EEXIST) {
				abort();
			}
			free(out);
		}
	}
	return 0;
}
