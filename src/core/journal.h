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
	char *body; /* malloc'd, NUL-terminated */
	size_t body_len;
	char *prompt; /* malloc'd or NULL */
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

int journal_add(const struct core *c, const struct session *s, const char *body, size_t len,
		const char *prompt, struct journal_entry *ret);
int journal_read(const struct core *c, const struct session *s, const char *id,
		 struct journal_entry *ret);
/* Newest first; before NULL for the first page.  *ret is malloc'd. */
int journal_list(const struct core *c, const struct session *s, const char *before, size_t limit,
		 struct journal_entry **ret, size_t *ret_n);
int journal_change(const struct core *c, const struct session *s, const char *id, const char *body,
		   size_t len, struct journal_entry *ret);
int journal_remove(const struct core *c, const struct session *s, const char *id);
/* Free an entry's text (wiped first); accepts NULL. */
void journal_entry_clear(struct journal_entry *e);
void journal_list_free(struct journal_entry *list, size_t n);

/* The introspection prompts: count, and the n-th in the thread's language. */
size_t journal_prompt_count(void);
const char *journal_prompt(size_t i);

#endif
