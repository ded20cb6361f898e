/*
 * share.h: openness cards (step 2).  A member shares an insecurity, a fear,
 * a desire, a need or a hope; the partner it is shared with acknowledges it
 * ("heard") once, and may answer in a few words.  The app never asks for
 * more than that.
 *
 * A card's kind and body are sealed together: under a subkey of the couple
 * key when shared with the partner, else under a subkey of the author's
 * master key.  The answer is sealed under the couple key.  Visibility goes
 * through access_allows(): the author reads their own cards, the partner
 * reads and answers those shared with them, nobody crosses couples.
 *
 * Only partners write and read cards here; another member lists nothing
 * until the care key exists (see checkin.h).
 *
 * Return values: 0, a positive SHARE_* outcome, or a negative errno.
 */
#ifndef KINTSUGI_CORE_SHARE_H
#define KINTSUGI_CORE_SHARE_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define SHARE_BODY_MAX	4000 /* API.md: body 1..4000 characters */
#define SHARE_REPLY_MAX 2000 /* an answer is a few words, not a second card */
#define SHARE_LIST_MAX	200  /* the newest cards a list shows: bounded work */

enum share_result {
	SHARE_OK = 0,
	SHARE_NOTFOUND = 1,  /* missing, another couple's, or not shared with the caller */
	SHARE_FORBIDDEN = 2, /* the author cannot acknowledge their own card; or the caller is
			      * not a partner (403) */
	SHARE_CONFLICT = 3,  /* already acknowledged (409) */
	_SHARE_RESULT_MAX
};

enum share_kind {
	SHARE_INSECURITY,
	SHARE_FEAR,
	SHARE_DESIRE,
	SHARE_NEED,
	SHARE_HOPE,
	_SHARE_KIND_MAX
};

/* "insecurity", "fear", "desire", "need", "hope", NULL (API.md order). */
extern const char *const share_kinds[];

/* share_kind_from() - the kind named s, or -EINVAL. */
int share_kind_from(const char *s);

struct share_ack {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	char *reply; /* malloc'd, NUL-terminated, or NULL */
	size_t reply_len;
	char created_at[STORE_TIME_LEN + 1];
};

struct share {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine;
	enum share_kind kind;
	char *body; /* malloc'd, NUL-terminated */
	size_t body_len;
	unsigned shared_with; /* ACCESS_SHARE_* bits */
	char created_at[STORE_TIME_LEN + 1];
	int acked;   /* 1 when ack holds the partner's answer */
	int can_ack; /* 1 when the reader may still acknowledge it */
	struct share_ack ack;
};

/* What the home page needs, counted without opening anything. */
struct share_counts {
	size_t mine;	     /* cards the reader wrote */
	size_t mine_heard;   /* of those, acknowledged */
	size_t to_ack;	     /* the partner's cards shared with the reader, not yet acknowledged */
	size_t from_partner; /* the partner's cards the reader can see */
};

/* share_add() - a new card; *ret (free with share_clear()) is written on success only. */
int share_add(const struct core *c, const struct session *s, enum share_kind kind, const char *body,
	      size_t len, unsigned shared_with, struct share *ret);
/* share_read() - one card the reader may see; SHARE_NOTFOUND otherwise. */
int share_read(const struct core *c, const struct session *s, const char *id, struct share *ret);
/* share_list() - the newest SHARE_LIST_MAX cards the reader may see, newest first. */
int share_list(const struct core *c, const struct session *s, struct share **ret, size_t *ret_n);
/*
 * share_acknowledge() - "heard", with an optional reply (NULL or "": none).
 * SHARE_FORBIDDEN for the author, SHARE_NOTFOUND when the card is not shared
 * with the reader, SHARE_CONFLICT the second time.
 */
int share_acknowledge(const struct core *c, const struct session *s, const char *share_id,
		      const char *reply, size_t reply_len, struct share_ack *ret);
int share_counts(const struct core *c, const struct session *s, struct share_counts *ret);

/* Free a card's text (wiped first); accept NULL. */
void share_clear(struct share *sh);
void share_ack_clear(struct share_ack *a);
void share_list_free(struct share *list, size_t n);

/* the kinds, for the registry (core/kinds.c) */
extern const struct item_kind share_kind;
extern const struct item_kind share_ack_kind;

#endif
