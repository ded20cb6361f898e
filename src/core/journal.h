/*
 * journal.h: the private journal (step 1).  Always private to its author:
 * no function here can return one member's entry to anyone else.  Text is
 * sealed under a key derived from the author's master key, with associated
 * data binding table, entry id, couple id and version.
 */
#ifndef KINTSUGI_CORE_JOURNAL_H
#define KINTSUGI_CORE_JOURNAL_H

#include "core/session.h"

enum journal_result {
	JOURNAL_OK = 0,
	JOURNAL_NOTFOUND = 1,	/* missing or not the caller's: the same */
	JOURNAL_BAD_BEFORE = 2, /* the paging cursor is not one of the caller's entries */
	_JOURNAL_RESULT_MAX
};

struct journal_entry {
	char id[VAULT_ID_HEX + 1];
	char *body; /* NUL-terminated; owns the allocation that holds the prompt too */
	size_t body_len;
	char *prompt; /* NUL-terminated, inside body's allocation after its NUL; or NULL */
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

int journal_add(const struct core *c, const struct session *s, const char *body, size_t len,
		const char *prompt, struct journal_entry *ret);
int journal_read(const struct core *c, const struct session *s, const char *id,
		 struct journal_entry *ret);
/*
 * journal_list() - a page of the caller's entries, newest first; before NULL
 * for the first page.  *ret is a malloc'd array of *ret_n entries that the
 * caller frees with journal_list_free().  0, JOURNAL_BAD_BEFORE, or a
 * negative errno (-EBADMSG when a row does not open); nothing is returned
 * on failure.
 */
int journal_list(const struct core *c, const struct session *s, const char *before, size_t limit,
		 struct journal_entry **ret, size_t *ret_n);

/*
 * journal_list_each() - the same page without copies, for answers written
 * as they are read: each entry, newest first, is opened into one scratch
 * buffer and given to fn(ctx, e).  e and its text live only until fn
 * returns (the next entry is opened over it, and the buffer is wiped at the
 * end): fn copies what it keeps and never calls journal_entry_clear() on e.
 * fn returns 0 to go on, or a negative errno to stop, which is returned.
 * Returns 0, JOURNAL_BAD_BEFORE, or a negative errno (-EBADMSG when a row
 * does not open, after fn has seen the entries before it).
 */
typedef int (*journal_each_fn)(void *ctx, const struct journal_entry *e);
int journal_list_each(const struct core *c, const struct session *s, const char *before,
		      size_t limit, journal_each_fn fn, void *ctx);
int journal_change(const struct core *c, const struct session *s, const char *id, const char *body,
		   size_t len, struct journal_entry *ret);
int journal_remove(const struct core *c, const struct session *s, const char *id);
/* Free an entry's text (body and prompt, wiped first); accepts NULL. */
void journal_entry_clear(struct journal_entry *e);
void journal_list_free(struct journal_entry *list, size_t n);

/* The introspection prompts: count, and the n-th in the thread's language. */
size_t journal_prompt_count(void);
const char *journal_prompt(size_t i);

/*
 * journal_leave() - a member who leaves the couple takes their journal:
 * from's entries move to to's couple (same member, same master key).
 * Inside the caller's transaction; 0 or < 0.  With to in from's couple
 * and a new master key (issue 11 part 4), they are sealed again in place.
 */
int journal_leave(const struct core *c, const struct session *from, const struct session *to);

#endif
