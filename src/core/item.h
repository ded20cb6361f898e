/*
 * item.h: the item kinds of the registry (core/kinds.c), and the one engine
 * that stores, seals, opens and guards every item of them.
 *
 * A kind is a descriptor: its name, what it answers, which key seals it,
 * who may see and make it, how it is shared, and the associated data of
 * the rows migration 0005 moved in.  Everything else (the one items table,
 * the AD, the access rule, the outcomes) is written once here; a kind's own
 * file (offer.c, share.c, ...) holds only the rules of its own: its plain
 * values, its sealed record's layout, its checks.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_ITEM_H
#define KINTSUGI_CORE_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/session.h"
#include "field.h"

/*
 * The outcomes every kind shares, with the same numbers as the kinds' own
 * enums (OFFER_NOTFOUND, SHARE_CONFLICT, ...), which start from them.
 */
enum item_result {
	ITEM_OK = 0,
	ITEM_NOTFOUND = 1,  /* missing, another couple's, or not the reader's to see (404) */
	ITEM_FORBIDDEN = 2, /* seen, but not the reader's to change or answer (403) */
	ITEM_CONFLICT = 3,  /* changed meanwhile, or answered already (409) */
	ITEM_INVALID = 4,   /* a value its kind's own rule refuses (400, with the field) */
};

/* The most fields a kind that is all data declares (shared_with included). */
#define ITEM_FIELDS_MAX 12

/*
 * The values of one item of a kind that is all data, by the kind's field
 * order: text (a string, a choice, YYYY-MM-DD, a decimal integer, "1" or
 * "0", a FIELD_ENUM_SET's choices joined with ','), NULL for an optional
 * field not given and for FIELD_SHARED, which is the row's shared_with.
 */
struct item_values {
	const char *v[ITEM_FIELDS_MAX];
	size_t len[ITEM_FIELDS_MAX];
};

/* Which key seals a kind's items. */
enum item_key_from {
	ITEM_KEY_COUPLE, /* a subkey of the couple key: both partners open it */
	ITEM_KEY_MEMBER, /* a subkey of the author's master key: only they open it */
	ITEM_KEY_SHARED, /* the couple key when shared with the partner, else the master key */
};

/* How a row moved in by migration 0005 names itself in its old AD. */
enum item_legacy_form {
	ITEM_LEGACY_ID,		   /* "table.field|id|couple|version" */
	ITEM_LEGACY_ID_PARENT,	   /* "table.field|id|parent|couple|version" */
	ITEM_LEGACY_PARENT_AUTHOR, /* "table.field|parent/author|couple|version" */
};

struct item_kind {
	const char *name;   /* the store's kind column: [a-z_]{1,23} */
	const char *parent; /* the kind (or "statement") it answers; NULL: none */
	enum item_key_from key_from;
	const char *key_ctx; /* vault_derive context: 8 bytes */
	uint64_t key_id;
	unsigned shared_default; /* ACCESS_SHARE_* when the author does not choose */
	unsigned shared_allowed; /* the bits the author may choose; 0: always shared_default */
	size_t list_max;	 /* the newest items a list shows */
	const char *legacy_ad;	 /* "offers.text": the rows moved in; NULL for a newer kind */
	enum item_legacy_form legacy_form;

	/*
	 * A kind that is all data (item_create() and friends below, and the
	 * generic routes, API handlers and pages) names its list and declares
	 * its fields; every field is sealed but those whose bit is set in
	 * plain_mask (a choice, a date or a number, never content).  Kinds
	 * with code of their own leave plural NULL.
	 */
	const char *plural;	    /* "limits": /api/v1/limits, /limits, {"limits": [...]} */
	const char *title;	    /* its pages' title, marked N_() */
	const struct field *fields; /* the body of a create and of a change */
	size_t nfields;
	unsigned plain_mask; /* 1u << i: fields[i] is kept plain */
	int partners_only;   /* only the couple's partners make or see them */
	int one_per_author;  /* each member has at most one (the store's once is the author) */
	/*
	 * care_may_create - the couple's therapist may make them too (homework),
	 * even of a partners_only kind, and sees those shared with "care"; what
	 * a therapist makes is always shared with ["partner", "care"] (so its
	 * shared_allowed holds both).  0: partners alone.
	 */
	int care_may_create;
	/*
	 * care_may_read - the couple's therapist reads the items shared with
	 * "care", even of a partners_only kind, and makes none (agreements,
	 * breaches and their answers); every other partners-only path stays
	 * the partners'.  0: as partners_only says.
	 */
	int care_may_read;
	/*
	 * sort_by - 1 + the index of a plain field whose value orders the list
	 * (newest, that is latest, first); 0: the time it was written.
	 */
	unsigned sort_by;
	/*
	 * check() - the kind's rules beyond each field's type and bounds (one
	 * value given with another, a date not in the past...); today is
	 * YYYY-MM-DD.  0, or ITEM_INVALID with *field the field to name.
	 * NULL: none.
	 */
	int (*check)(const struct item_values *v, const char *today, const char **field);
	/*
	 * status() - the state an item is in on today (YYYY-MM-DD), worked out
	 * from its values (by the kind's field order, NULL when absent) and
	 * never stored: a "not now" that has lapsed.  Its answer is a [a-z_]
	 * name, the same every time for the same values and day.  The API
	 * gives it as "status", the pages as is.status_<name>.  NULL: the kind
	 * has no state of that sort.
	 */
	const char *(*status)(char *const *values, const char *today);
};

/*
 * item_kind_find() - the registry's kind named name, or NULL (kinds.c).
 * item_kinds[]: every kind, ending with NULL.
 */
extern const struct item_kind *const item_kinds[];
const struct item_kind *item_kind_find(const char *name);
/*
 * item_kind_at() - the kind that is all data whose plural is the first
 * piece of path ("/limits/...", "/api/v1/limits/..."), or NULL.
 */
const struct item_kind *item_kind_at(const char *path);

/*
 * item_care_reseal() - inside the caller's transaction: every item of the
 * couple sealed for the care team, opened as `from` opens it, sealed again
 * as `to` seals it (a new care key, or none: the couple key), in place;
 * its version stays.  A row that does not open stays as it is.  0 or < 0.
 */
int item_care_reseal(const struct core *c, const struct session *from, const struct session *to);

/* item_partner() - 1 when the session's member is one of the couple's partners. */
int item_partner(const struct session *s);
/*
 * item_kind_visible() - 1 when the reader may see items of k at all: any
 * kind for a partner; for anyone else, no partners_only kind but a
 * care_may_create or care_may_read one, to a therapist (and of it,
 * access_allows() shows only what is shared with "care").
 */
int item_kind_visible(const struct item_kind *k, const struct session *s);
/* item_therapist() - 1 when the session's member is a therapist of the couple's care team. */
int item_therapist(const struct session *s);

/*
 * item_start() - a new row of kind k by the reader: a fresh id, the couple,
 * the author, version 1, now, shared as shared_with (0 bits allowed), and,
 * for an answer, parent_id.  Nothing is stored.
 */
void item_start(const struct item_kind *k, const struct session *s, const char *parent_id,
		unsigned shared_with, struct item_row *row);

/*
 * item_seal() - seal len bytes of data into row->sealed (replacing what was
 * there) under k's key for row->shared_with, with the AD of the items form;
 * row->legacy becomes 0.  len 0 stores no sealed content.
 */
int item_seal(const struct item_kind *k, const struct session *s, struct item_row *row,
	      const void *data, size_t len);

/*
 * item_open() - the row's sealed record, opened into malloc'd *ret (NULL
 * with *ret_len 0 when it has none); wipe and free it.  No access check:
 * see item_allows().  -EBADMSG when it does not open, or when the
 * author's ledger has a later version of it (an older one put back:
 * ledger.h).
 */
int item_open(const struct core *c, const struct item_kind *k, const struct session *s,
	      const struct item_row *row, unsigned char **ret, size_t *ret_len);

/*
 * item_allows() - access_allows() for a row of kind k.  An answer is seen
 * by whoever sees what it answers, so for those the caller checks the
 * parent; partners-only kinds are kept from other roles by their callers.
 */
int item_allows(const struct session *s, const struct item_row *row, enum access_verb verb);

/*
 * item_get() - one of the couple's items of kind k that the reader may
 * `verb`: ITEM_NOTFOUND when it is missing or they may not read it,
 * ITEM_FORBIDDEN when they may read it but not `verb` it.  *row (free with
 * store_item_free()) is written on success only.
 */
int item_get(const struct core *c, const struct session *s, const struct item_kind *k,
	     const char *id, enum access_verb verb, struct item_row *row);

/*
 * item_insert(), item_update(), item_list(): the store's, outcomes mapped;
 * item_update() then notes the row's new version in s's ledger (ledger.h).
 */
int item_insert(const struct core *c, const struct item_row *row);
int item_update(const struct core *c, const struct session *s, const struct item_row *row,
		int64_t old_version, const char *old_plain);
int item_list(const struct core *c, const struct item_query *q, struct item_row **rows, size_t *n);
/*
 * item_query_reader() - limit q to the top-level items the session's member
 * may read by access_allows() (their own, and those shared with their
 * role), so that the list's limit is spent on those and not on rows the
 * caller would then leave out.  The caller still checks each row.
 */
void item_query_reader(struct item_query *q, const struct session *s);

/*
 * item_tx_begin() - begin a write transaction: 0 or a negative errno.
 * item_tx_end() - commit it when r is 0, else roll it back; r, or the
 * commit's error.  A change that reads and then writes (an agreement's
 * accept, a breach's repair) runs between them, so that two at the same
 * moment never both take effect.
 */
int item_tx_begin(const struct core *c);
int item_tx_end(const struct core *c, int r);

/*
 * item_store_result() - a store result as an item outcome: NOTFOUND and
 * CONFLICT as themselves, other positives -EIO, negatives as they are.
 */
int item_store_result(int r);

/*
 * item_plain_get() - the idx-th '|'-separated value of a row's plain column
 * into out; -EBADMSG when there is no such value or it does not fit.
 */
int item_plain_get(const struct item_row *row, unsigned idx, char *out, size_t cap);

/* item_plain_set() - row->plain from n values joined by '|'; -EINVAL when too long. */
int item_plain_set(struct item_row *row, const char *const *vals, size_t n);

/* item_text() - wipe and free an opened text (accepts NULL). */
void item_text_free(void *text, size_t len);

/*
 * The kinds that are all data (record.c): one item, opened.  values[i] is
 * fields[i]'s value as struct item_values gives it (malloc'd, wiped when
 * freed), NULL when absent.
 */
struct item_view {
	char id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	int mine; /* the reader wrote it */
	unsigned shared_with;
	int64_t version;
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
	char *values[ITEM_FIELDS_MAX];
	size_t lens[ITEM_FIELDS_MAX];
	const char *status; /* the kind's status() today, or NULL */
};

/* item_field_sealed() - 1 when fields[i] goes into the sealed record (not plain, not shared_with).
 */
int item_field_sealed(const struct item_kind *k, size_t i);
/* item_field_index() - the index of k's field called name, or -1. */
int item_field_index(const struct item_kind *k, const char *name);

/*
 * item_create() - a new item of k by the reader, shared as shared_with
 * allows (k's rule), v checked by k->check first: ITEM_INVALID with
 * *field; ITEM_FORBIDDEN when k is partners_only and the reader is not a
 * partner (nor, for a care_may_create kind, a therapist: theirs is shared
 * with ["partner", "care"] whatever shared_with says).  *out
 * (item_view_clear()) is the item as stored.
 */
int item_create(const struct core *c, const struct session *s, const struct item_kind *k,
		const struct item_values *v, unsigned shared_with, struct item_view *out,
		const char **field);

/* item_read() - one item the reader may see (ITEM_NOTFOUND otherwise). */
int item_read(const struct core *c, const struct session *s, const struct item_kind *k,
	      const char *id, struct item_view *out);

/*
 * item_views() - the newest k->list_max items of k the reader may see,
 * newest first; free with item_views_free().
 */
int item_views(const struct core *c, const struct session *s, const struct item_kind *k,
	       struct item_view **out, size_t *n);

/*
 * item_change() - replace the values (and shared_with) of an item only its
 * author may change: ITEM_NOTFOUND, ITEM_FORBIDDEN (the partner's),
 * ITEM_INVALID (*field), ITEM_CONFLICT (changed at the same moment).
 */
int item_change(const struct core *c, const struct session *s, const struct item_kind *k,
		const char *id, const struct item_values *v, unsigned shared_with,
		struct item_view *out, const char **field);

/*
 * The parts of the functions above, for a kind with rules of its own that
 * declares fields (its own code decides who may do what):
 * item_values_check() - v against k's fields and k->check: 0, or
 * ITEM_INVALID with *field.
 * item_row_fill() - seal v into row (its version and shared_with set) and
 * fill its plain column.
 * item_view_open() - a row the caller checked the reader may read, opened
 * into *out (item_view_clear()).
 */
int item_values_check(const struct item_kind *k, const struct item_values *v, const char **field);
int item_row_fill(const struct item_kind *k, const struct session *s, const struct item_values *v,
		  struct item_row *row);
int item_view_open(const struct core *c, const struct item_kind *k, const struct session *s,
		   const struct item_row *row, struct item_view *out);

/*
 * item_answer_put() - the reader's one answer of kind ak to the item parent
 * (once = parent/member): written the first time, replaced after (compare-
 * and-set: ITEM_CONFLICT when it changed at the same moment).  v is checked
 * against ak's fields.  The caller checked the reader may answer parent.
 * The answer is shared as ak->shared_default, or, when ak allows a choice
 * (shared_allowed), as parent is (within what ak allows): a homework's
 * "done" reaches whoever the homework reaches, the care team included.
 */
int item_answer_put(const struct core *c, const struct session *s, const struct item_kind *ak,
		    const struct item_row *parent, const struct item_values *v);

/*
 * item_answers() - the answers of kind ak to parent, opened, oldest first
 * (at most ak->list_max); a damaged one is left out and counted.  Free with
 * item_views_free().
 */
int item_answers(const struct core *c, const struct session *s, const struct item_kind *ak,
		 const struct item_row *parent, struct item_view **out, size_t *n);

/*
 * item_answer_rows() - the rows of the answers of kind ak, unopened,
 * oldest first: those to parent (at most ak->list_max), or, parent NULL,
 * those to the couple's `newest` newest items of kind top (at most
 * newest * ak->list_max), for a list that sorts them out by parent_id.
 * Free with store_item_list_free().
 */
int item_answer_rows(const struct core *c, const struct session *s, const struct item_kind *ak,
		     const struct item_kind *top, const struct item_row *parent, size_t newest,
		     struct item_row **rows, size_t *n);

/*
 * item_count() - how many items of k the reader may see (mine: only their
 * own), at most k->list_max; opens nothing.
 */
int item_count(const struct core *c, const struct session *s, const struct item_kind *k, int mine,
	       size_t *ret);

/* item_remove() - delete an item only its author may remove (outcomes as item_change()). */
int item_remove(const struct core *c, const struct session *s, const struct item_kind *k,
		const char *id);

void item_view_clear(struct item_view *v);
void item_views_free(struct item_view *list, size_t n);

/*
 * item_leave() - a member who leaves the couple keeps their items: private
 * ones move to to's couple; shared ones stay with the partner, written by
 * the former-partner row ghost_id, and are copied (same ids) when they
 * answer nothing or answer an item of the leaver's.  from: the leaver's
 * session in the couple they leave; to: in their new one.  Inside the
 * caller's transaction.  ghost_id NULL: a new master key
 * (statement_leave()): private ones only, sealed again in place.
 */
int item_leave(const struct core *c, const struct session *from, const struct session *to,
	       const char *ghost_id);

#endif
