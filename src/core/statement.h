/*
 * statement.h: accountability statements (step 1).
 *
 * A statement is written in six parts (what I did, how it affected you,
 * what I understand about why, my regret, what I will do differently, and,
 * optional and last, a request for forgiveness).  It starts as a private
 * draft, sealed under a key derived from the author's master key, that only
 * its author can see or change.  Delivering it seals it again under a key
 * derived from the couple key: from then on the partner can read it and
 * answer it (read, what landed, what I still need to hear), and nobody can
 * change it.  Responses are sealed under the couple key too.
 *
 * Every row found goes through access_allows(): a draft is private
 * (shared_with {}), a delivered statement is shared with the partner.  A
 * statement the caller may not see answers STATEMENT_NOTFOUND, exactly as
 * a random id does.
 *
 * Return values: 0, a positive STATEMENT_* outcome, or a negative errno.
 * Output structs are written only on success; free them with
 * statement_clear() / statement_list_free() / statement_response_clear().
 */
#ifndef KINTSUGI_CORE_STATEMENT_H
#define KINTSUGI_CORE_STATEMENT_H

#include "core/apology.h"
#include "core/item.h"
#include "core/session.h"

#define STATEMENT_PART_MAX_CHARS     4000 /* one part: a few paragraphs, said plainly */
#define STATEMENT_RESPONSE_MAX_CHARS 4000 /* what landed / what I still need to hear */
#define STATEMENT_LIST_MAX	     200  /* the newest 200: far more than anyone writes */
#define STATEMENT_RESPONSES_MAX	     100  /* the newest 100 responses of one statement */
#define STATEMENT_FLAGS_MAX	     48	  /* findings over all parts of one statement */

enum statement_result {
	STATEMENT_OK = 0,
	STATEMENT_NOTFOUND = 1,	  /* 404: missing, another couple's, or not the caller's to see */
	STATEMENT_DELIVERED = 2,  /* 409: a delivered statement never changes */
	STATEMENT_INCOMPLETE = 3, /* 400: delivery needs what I did and repair */
	STATEMENT_FORBIDDEN = 4,  /* 403: the author sees it but cannot answer it */
	_STATEMENT_RESULT_MAX
};

enum statement_part {
	STATEMENT_WHAT_I_DID,
	STATEMENT_IMPACT,
	STATEMENT_WHY,
	STATEMENT_REGRET,
	STATEMENT_REPAIR,
	STATEMENT_FORGIVENESS, /* optional, last */
	_STATEMENT_PART_MAX
};

struct statement_response {
	char id[VAULT_ID_HEX + 1];
	char statement_id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1]; /* the partner who answered */
	char *landed;			  /* malloc'd, NULL when not given */
	size_t landed_len;
	char *still_need; /* malloc'd, NULL when not given */
	size_t still_need_len;
	char created_at[STORE_TIME_LEN + 1];
};

struct statement {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine;			 /* the caller wrote it */
	int delivered;			 /* 0: private draft */
	char *part[_STATEMENT_PART_MAX]; /* malloc'd, NUL-terminated, "" when empty */
	size_t part_len[_STATEMENT_PART_MAX];
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
	char delivered_at[STORE_TIME_LEN + 1]; /* "" while a draft */
	struct statement_response *responses;  /* oldest first; delivered only */
	size_t nresponses;
};

/* One finding of the statement check, in one part. */
struct statement_flag {
	enum statement_part part;
	enum apology_pattern pattern;
	size_t start, len; /* bytes of statement.part[part] */
};

/* statement_part_name() - "what_i_did", "impact", "why", "regret", "repair",
 * "forgiveness_request" (the API's field names); NULL when out of range. */
const char *statement_part_name(enum statement_part p);

/*
 * statement_create() - a new private draft of the caller's.  parts holds
 * _STATEMENT_PART_MAX strings in enum order; a NULL part is empty (drafts
 * may be incomplete).  Lengths are the routing table's to check.
 */
int statement_create(const struct core *c, const struct session *s,
		     const char *const parts[_STATEMENT_PART_MAX], struct statement *ret);

/*
 * statement_change() - replace every part of the caller's draft (a NULL
 * part becomes empty).  STATEMENT_NOTFOUND when it is not the caller's
 * (also when the partner can read it), STATEMENT_DELIVERED once delivered,
 * -EAGAIN when it kept changing underneath.
 */
int statement_change(const struct core *c, const struct session *s, const char *id,
		     const char *const parts[_STATEMENT_PART_MAX], struct statement *ret);

/*
 * statement_deliver() - seal the caller's draft under the couple key and
 * make it visible to the partner, for good.  STATEMENT_INCOMPLETE when
 * what I did or repair is empty or only blanks; STATEMENT_DELIVERED when it
 * was delivered already; STATEMENT_NOTFOUND when not the caller's.
 */
int statement_deliver(const struct core *c, const struct session *s, const char *id,
		      struct statement *ret);

/* statement_read() - one statement the caller may see, with its responses. */
int statement_read(const struct core *c, const struct session *s, const char *id,
		   struct statement *ret);

/*
 * statement_delivered_count() - how many statements the caller has
 * delivered (of the newest STATEMENT_LIST_MAX), for the home page; opens
 * nothing.
 */
int statement_delivered_count(const struct core *c, const struct session *s, size_t *ret);

/*
 * statement_list() - the caller's own statements and the partner's
 * delivered ones, newest first, at most STATEMENT_LIST_MAX, each with its
 * responses.  *ret is malloc'd (never NULL on success).
 */
int statement_list(const struct core *c, const struct session *s, struct statement **ret,
		   size_t *ret_n);

/*
 * statement_respond() - the receiving partner answers a delivered
 * statement; landed and still_need may be NULL or empty (not given).
 * STATEMENT_NOTFOUND when the caller cannot see it (a draft, another
 * couple's), STATEMENT_FORBIDDEN when the caller wrote it.
 */
int statement_respond(const struct core *c, const struct session *s, const char *id,
		      const char *landed, const char *still_need, struct statement_response *ret);

/*
 * statement_check() - run the statement check over every part of st
 * (patterns of all three languages): at most max flags into out, in part
 * order, then by position.  Returns 0 with *ret_n, or a negative errno.
 */
int statement_check(const struct statement *st, struct statement_flag *out, size_t max,
		    size_t *ret_n);

/* statement_is_complete() - 1 when what I did and repair hold more than blanks. */
int statement_is_complete(const struct statement *st);

/* Wipe and free what a statement holds (not st itself); accept NULL. */
void statement_clear(struct statement *st);
void statement_list_free(struct statement *list, size_t n);
void statement_response_clear(struct statement_response *resp);

/* the kind of the responses, for the registry (core/kinds.c) */
extern const struct item_kind statement_response_kind;

/*
 * statement_leave() - a member who leaves the couple (from: their session
 * in the couple they leave; to: in their new one) keeps their statements:
 * drafts move, delivered ones are copied, and stay with the partner under
 * the former-partner row ghost_id.  Inside the caller's transaction.
 *
 * ghost_id NULL: a new master key instead (issue 11 part 4; to: from with
 * the new key, the same couple): the drafts, sealed under the master key,
 * are sealed again in place, and nothing else changes.  So for the other
 * *_leave() walks.
 */
int statement_leave(const struct core *c, const struct session *from, const struct session *to,
		    const char *ghost_id);

#endif
