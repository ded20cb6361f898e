/*
 * offer.h: transparency offers (step 2).  A partner offers something
 * specific and time-limited ("I will tell you if X contacts me"); the offer
 * is always visible to both partners, and only the one who made it can end
 * it.  kintsugi never monitors devices, messages or location: an offer is a
 * promise between two people, nothing the server checks.
 *
 * The text is sealed under a subkey of the couple key; `until` (a date)
 * and whether it ended stay plain so that both can see whether it stands.
 *
 * Offers are between the partners: another member lists none and makes none.
 *
 * Return values: 0, a positive OFFER_* outcome, or a negative errno.
 */
#ifndef KINTSUGI_CORE_OFFER_H
#define KINTSUGI_CORE_OFFER_H

#include <stddef.h>

#include "core/checkin.h"
#include "core/item.h"
#include "core/session.h"

#define OFFER_TEXT_MAX	     1000 /* API.md: text 1..1000 characters */
#define OFFER_UNTIL_MAX_DAYS 365  /* API.md: until is today..today+365 */
#define OFFER_LIST_MAX	     200  /* the newest offers a list shows */

enum offer_result {
	OFFER_OK = 0,
	OFFER_NOTFOUND = 1,  /* missing or another couple's */
	OFFER_FORBIDDEN = 2, /* the partner's offer: only its author ends it; or the caller is not
			      * a partner (403) */
	OFFER_BAD_UNTIL = 4, /* = ITEM_INVALID: until before today or past today + 365 (400) */
	_OFFER_RESULT_MAX
};

enum offer_status {
	OFFER_ACTIVE,  /* stands until `until`, that day included */
	OFFER_ENDED,   /* its author ended it */
	OFFER_EXPIRED, /* `until` has passed */
	_OFFER_STATUS_MAX
};

/* "active", "ended", "expired", NULL. */
extern const char *const offer_statuses[];

struct offer {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine;
	char *text; /* malloc'd, NUL-terminated */
	size_t text_len;
	char until[CHECKIN_DATE_LEN + 1];
	char created_at[STORE_TIME_LEN + 1];
	char ended_at[STORE_TIME_LEN + 1]; /* "" unless ended */
	enum offer_status status;
};

struct offer_counts {
	size_t active_mine;    /* the reader's offers that stand */
	size_t active_partner; /* the partner's offers that stand */
};

/* offer_status_of() - the status of an offer on `today` (pure). */
enum offer_status offer_status_of(const char *until, const char *ended_at, const char *today);

/* offer_add() - a new offer; OFFER_BAD_UNTIL unless today <= until <= today + 365. */
int offer_add(const struct core *c, const struct session *s, const char *text, size_t len,
	      const char *until, struct offer *ret);
/* offer_read() - one of the couple's offers; OFFER_NOTFOUND otherwise. */
int offer_read(const struct core *c, const struct session *s, const char *id, struct offer *ret);
/* offer_list() - the couple's newest OFFER_LIST_MAX offers, newest first. */
int offer_list(const struct core *c, const struct session *s, struct offer **ret, size_t *ret_n);
/*
 * offer_end() - end the reader's own offer (ending it again changes
 * nothing); OFFER_FORBIDDEN for the partner's, OFFER_NOTFOUND otherwise.
 */
int offer_end(const struct core *c, const struct session *s, const char *id, struct offer *ret);
int offer_counts(const struct core *c, const struct session *s, const char *today,
		 struct offer_counts *ret);

void offer_clear(struct offer *o);
void offer_list_free(struct offer *list, size_t n);

/* the kind, for the registry (core/kinds.c) */
extern const struct item_kind offer_kind;

#endif
