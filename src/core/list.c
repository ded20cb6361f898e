/*
 * list.c: the list of opened rows (core/list.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/list.h"

void core_list_free(void *list, size_t n, size_t size, core_clear_fn clear)
{
	unsigned char *p = list;
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		clear(p + i * size);
	free(list);
}

int core_open_list(const struct core *c, size_t n, size_t size, int hidden, core_open_fn open_one,
		   core_clear_fn clear, void *ctx, void **ret, size_t *ret_n)
{
	unsigned char *list = calloc(n ? n : 1, size);
	size_t i, m = 0;
	int r;

	if (!list)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r = open_one(ctx, i, list + m * size);
		if (r == 0) {
			m++;
			continue;
		}
		if (hidden && r == hidden)
			continue;
		r = core_skip_unreadable(c, r); /* one damaged row is not the whole list */
		if (r != 0) {
			core_list_free(list, m, size, clear);
			return r;
		}
	}
	*ret = list;
	*ret_n = m;
	return 0;
}
