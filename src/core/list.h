/*
 * list.h: a list of opened rows, written once for every kind that keeps
 * code of its own (offers, cards, activities, commitments, statements, the
 * journal): an array of the kind's structs, one per row the reader may see
 * and that opened.  The kinds that are all data have record.c instead.
 */
#ifndef KINTSUGI_CORE_LIST_H
#define KINTSUGI_CORE_LIST_H

#include <stddef.h>

#include "core/session.h"

/* Open row i into elem (zeroed): 0, an outcome of the kind, or a negative errno. */
typedef int (*core_open_fn)(void *ctx, size_t i, void *elem);
/* Wipe and free what elem holds, and zero it. */
typedef void (*core_clear_fn)(void *elem);

/*
 * core_open_list() - open n rows into a new array of elements of size
 * bytes, in their order, through open_one(ctx, i, elem).  An element is kept
 * when it answers 0; `hidden` (a kind's NOTFOUND for a row that is not
 * the reader's to see, or 0 for none) leaves it out without a word; any
 * other answer goes to core_skip_unreadable(), so that one damaged row is
 * left out and counted for the operator rather than failing the list.  On
 * an error, what was opened is cleared and nothing is returned.  On
 * success *ret (an array of *ret_n, at least one element allocated; free
 * it with core_list_free()).
 */
int core_open_list(const struct core *c, size_t n, size_t size, int hidden, core_open_fn open_one,
		   core_clear_fn clear, void *ctx, void **ret, size_t *ret_n);

/* core_list_free() - clear each of n elements of size bytes, then free the array (NULL: nothing).
 */
void core_list_free(void *list, size_t n, size_t size, core_clear_fn clear);

#endif
