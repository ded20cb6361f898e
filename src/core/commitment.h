/*
 * commitment.h: commitments (step 1): the patterns a member will change,
 * each reviewed over time as kept, slipped or renewed.
 *
 * Commitments and their reviews are always private to their author, like
 * the journal: text, status and note are sealed under a key derived from
 * the author's master key, and access_allows() sees them as
 * always-private.  Only the cadence (review every N days) and the times
 * stay readable, because the next review date is computed from them.
 *
 * Return values: 0, COMMITMENT_NOTFOUND, or a negative errno.  Output
 * structs are written only on success; free them with commitment_clear()
 * or commitment_list_free().
 */
#ifndef KINTSUGI_CORE_COMMITMENT_H
#define KINTSUGI_CORE_COMMITMENT_H

#include "core/item.h"
#include "core/session.h"

#define COMMITMENT_TEXT_MAX_CHARS 1000 /* one pattern to change, said concretely */
#define COMMITMENT_NOTE_MAX_CHARS 2000 /* a few sentences about how it went */
#define COMMITMENT_EVERY_MIN	  1    /* API.md: review_every_days 1..365 */
#define COMMITMENT_EVERY_MAX	  365
#define COMMITMENT_LIST_MAX	  100 /* the newest 100: more is a list, not a commitment */
#define COMMITMENT_REVIEWS_MAX	  100 /* the newest 100 reviews of one commitment */
#define COMMITMENT_DATE_LEN	  10  /* YYYY-MM-DD */

enum commitment_result {
	COMMITMENT_OK = 0,
	COMMITMENT_NOTFOUND = 1, /* missing or not the caller's: the same */
	_COMMITMENT_RESULT_MAX
};

enum commitment_status {
	COMMITMENT_KEPT,
	COMMITMENT_SLIPPED,
	COMMITMENT_RENEWED,
	_COMMITMENT_STATUS_MAX
};

struct commitment_review {
	char id[VAULT_ID_HEX + 1];
	enum commitment_status status;
	char *note; /* malloc'd, NULL when none */
	size_t note_len;
	char at[STORE_TIME_LEN + 1];
};

struct commitment {
	char id[VAULT_ID_HEX + 1];
	char *text; /* malloc'd, NUL-terminated */
	size_t text_len;
	int review_every_days;
	char created_at[STORE_TIME_LEN + 1];
	char next_review_on[COMMITMENT_DATE_LEN + 1]; /* last review (or creation) + every */
	int due;				      /* next_review_on is today or past */
	struct commitment_review *reviews;	      /* oldest first */
	size_t nreviews;
};

/* "kept", "slipped", "renewed"; NULL when out of range. */
const char *commitment_status_name(enum commitment_status st);
/* The status named name; 0 or -EINVAL. */
int commitment_status_parse(const char *name, enum commitment_status *ret);

/* A new commitment of the caller's; every is 1..365 (the caller validates). */
int commitment_add(const struct core *c, const struct session *s, const char *text, size_t len,
		   int every, struct commitment *ret);
/* One of the caller's commitments, with its reviews. */
int commitment_read(const struct core *c, const struct session *s, const char *id,
		    struct commitment *ret);
/* commitment_count() - how many commitments the caller has made (at most COMMITMENT_LIST_MAX);
 * opens nothing. */
int commitment_count(const struct core *c, const struct session *s, size_t *ret);
/* The caller's commitments, newest first, each with its reviews; *ret malloc'd. */
int commitment_list(const struct core *c, const struct session *s, struct commitment **ret,
		    size_t *ret_n);
/* Review one of the caller's commitments (note may be NULL or empty); the
 * commitment comes back with its history and its next review date. */
int commitment_review(const struct core *c, const struct session *s, const char *id,
		      enum commitment_status status, const char *note, struct commitment *ret);

/* Wipe and free what a commitment holds (not c itself); accept NULL. */
void commitment_clear(struct commitment *cm);
void commitment_list_free(struct commitment *list, size_t n);

/*
 * commitment_next_date() - the date `days` after the date part of rfc3339
 * ("YYYY-MM-DD..."), as YYYY-MM-DD into out.  0 or -EINVAL.  Exposed for
 * the pages (they show "due" from it) and for tests.
 */
int commitment_next_date(const char *rfc3339, int days, char out[COMMITMENT_DATE_LEN + 1]);

/* the kinds, for the registry (core/kinds.c) */
extern const struct item_kind commitment_kind;
extern const struct item_kind commitment_review_kind;

#endif
