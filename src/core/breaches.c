/*
 * breaches.c: breaches and their repair (core/breaches.h).  Not a kind that
 * is all data (record.c): each partner writes a repair of their own, reads
 * the other's only after writing theirs, and the breach's state follows
 * from who wrote and who said "repaired", which such a kind does not do.
 * Its fields, sealed records and checks are record.c's all the same.
 *
 * A breach is three kinds of item, all sealed under the couple key (the
 * care key when the one who recorded it shared it with the care team: the
 * repairs and "repaired"s follow the breach's sharing, and the couple's
 * therapist reads them all, both repairs, never writes):
 * - the breach itself (what happened, the agreement it broke, whether it
 *   is the recorder's own);
 * - each partner's repair, one each (once = breach/member);
 * - each partner's "repaired", one each (once = breach/member), empty.
 * Nothing about a breach is plain: which agreement it broke, and whose
 * breach it is, say as much as what happened.  The status is never stored:
 * it is worked out from which of those items exist, so an operator who
 * edits the file cannot mark a breach repaired without both partners'
 * sealed items.  Every change reads and writes in one write transaction,
 * so a repair written at the moment the other says "repaired" never slips
 * past the rule "each after writing their repair".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreements.h"
#include "core/breaches.h"
#include "core/list.h"
#include "i18n/i18n.h"

/*
 * The feelings of Gottman's "aftermath of a fight", in words of our own:
 * the ones people name most often first.  Keys are stable (the API's);
 * their labels, in the same order, are translated.
 */
const char *const breach_feelings[] = {
	"hurt",	      "sad",	   "angry",	    "scared",
	"lonely",     "unheard",   "disrespected",  "overwhelmed",
	"ashamed",    "defensive", "flooded",	    "misunderstood",
	"criticized", "unloved",   "unappreciated", "taken_for_granted",
	"unsafe",     "tense",	   "frustrated",    "powerless",
	"guilty",     "exhausted", "abandoned",	    "numb",
	NULL,
};

static const char *const feeling_labels[] = {
	N_("Hurt"),
	N_("Sad"),
	N_("Angry"),
	N_("Scared"),
	N_("Lonely"),
	N_("Not listened to"),
	N_("Disrespected"),
	N_("Overwhelmed"),
	N_("Ashamed"),
	N_("Defensive"),
	N_("Flooded: too upset to think"),
	N_("Misunderstood"),
	N_("Criticized"),
	N_("Unloved"),
	N_("Unappreciated"),
	N_("Taken for granted"),
	N_("Unsafe"),
	N_("Tense"),
	N_("Frustrated"),
	N_("Powerless"),
	N_("Guilty"),
	N_("Exhausted"),
	N_("Abandoned"),
	N_("Numb, as if I felt nothing"),
};
_Static_assert(sizeof(feeling_labels) / sizeof(feeling_labels[0]) + 1 ==
		       sizeof(breach_feelings) / sizeof(breach_feelings[0]),
	       "a label for every feeling");

const char *breach_feeling_label(const char *key)
{
	size_t i;

	for (i = 0; key && breach_feelings[i]; i++)
		if (strcmp(breach_feelings[i], key) == 0)
			return feeling_labels[i];
	return NULL;
}

const struct field breach_fields[BREACH_NFIELDS] = {
	[BREACH_F_AGREEMENT] = {"agreement_id", FIELD_ID, 0, 0, 0, NULL},
	[BREACH_F_DESCRIPTION] = {"description", FIELD_STRING, 1, 1, BREACH_TEXT_MAX, NULL},
	[BREACH_F_SELF_REPORT] = {"self_report", FIELD_BOOL, 1, 0, 0, NULL},
	[BREACH_F_SHARED] = {"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
};

const struct field breach_repair_fields[REPAIR_NFIELDS] = {
	[REPAIR_F_FEELINGS] = {"feelings", FIELD_ENUM_SET, 1, BREACH_FEELINGS_MIN,
			       BREACH_FEELINGS_MAX, breach_feelings},
	[REPAIR_F_MY_VIEW] = {"my_view", FIELD_STRING, 1, 1, BREACH_TEXT_MAX, NULL},
	[REPAIR_F_THEIR_VIEW] = {"their_view_summary", FIELD_STRING, 0, 0, BREACH_TEXT_MAX, NULL},
	[REPAIR_F_TRIGGERS] = {"triggers", FIELD_STRING, 0, 0, BREACH_TEXT_MAX, NULL},
	[REPAIR_F_MY_PART] = {"my_part", FIELD_STRING, 1, 1, BREACH_TEXT_MAX, NULL},
	[REPAIR_F_DO_DIFFERENTLY] = {"do_differently", FIELD_STRING, 1, 1, BREACH_TEXT_MAX, NULL},
};

const struct item_kind breach_kind = {
	.name = "breach",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "breaches",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = BREACHES_MAX,
	.title = N_("Breaches and repair"),
	.fields = breach_fields,
	.nfields = BREACH_NFIELDS,
	.partners_only = 1,
	.care_may_read = 1,
};

/* A partner's repair: one each (once = breach/member), all of it sealed. */
const struct item_kind breach_repair_kind = {
	.name = "breach_repair",
	.parent = "breach",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "breaches",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 2,
	.fields = breach_repair_fields,
	.nfields = REPAIR_NFIELDS,
	.partners_only = 1,
	.care_may_read = 1,
};

/* A partner's "repaired": one each (once = breach/member); it holds nothing but itself. */
const struct item_kind breach_mend_kind = {
	.name = "breach_mend",
	.parent = "breach",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "breaches",
	.key_id = 3,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 2,
	.partners_only = 1,
	.care_may_read = 1,
};

const char *breach_status_name(enum breach_status st)
{
	switch (st) {
	case BREACH_REPAIRING:
		return "repairing";
	case BREACH_REPAIRED:
		return "repaired";
	case BREACH_OPEN:
	default:
		return "open";
	}
}

void breach_clear(struct breach *b)
{
	if (!b)
		return;
	item_view_clear(&b->v);
	item_views_free(b->repairs, b->nrepairs);
	memset(b, 0, sizeof(*b));
}

static void breach_clear_any(void *b)
{
	breach_clear(b);
}

void breaches_free(struct breach *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), breach_clear_any);
}

const struct item_view *breach_repair_mine(const struct breach *b)
{
	size_t i;

	for (i = 0; i < b->nrepairs; i++)
		if (b->repairs[i].mine)
			return &b->repairs[i];
	return NULL;
}

/* The answers of one breach, or of the newest ones, as rows (the store's). */
struct breach_answers {
	struct item_row *repairs, *mends;
	size_t nrepairs, nmends;
};

static void answers_free(struct breach_answers *a)
{
	store_item_list_free(a->repairs, a->nrepairs);
	store_item_list_free(a->mends, a->nmends);
	memset(a, 0, sizeof(*a));
}

/* The repairs and "repaired"s of one breach (parent) or, parent NULL, of the newest ones. */
static int answers_load(const struct core *c, const struct session *s,
			const struct item_row *parent, struct breach_answers *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	r = item_answer_rows(c, s, &breach_repair_kind, &breach_kind, parent,
			     core_list_limit(c, BREACHES_MAX), &a->repairs, &a->nrepairs);
	if (r == 0)
		r = item_answer_rows(c, s, &breach_mend_kind, &breach_kind, parent,
				     core_list_limit(c, BREACHES_MAX), &a->mends, &a->nmends);
	if (r != 0)
		answers_free(a);
	return r;
}

/* Whether rows[n] hold one by author answering breach. */
static int answered_by(const struct item_row *rows, size_t n, const char *breach,
		       const char *author)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].parent_id, breach) == 0 &&
		    strcmp(rows[i].author_id, author) == 0)
			return 1;
	return 0;
}

/*
 * The breach of row opened into *b, with what answers it among a (the
 * answers of any of the couple's breaches): who wrote a repair, the ones
 * the reader may read, who said "repaired", and so its status.
 */
static int breach_open(const struct core *c, const struct session *s, const struct item_row *row,
		       const struct breach_answers *a, struct breach *b)
{
	size_t i, writers = 0;
	int r;

	memset(b, 0, sizeof(*b));
	r = item_view_open(c, &breach_kind, s, row, &b->v);
	if (r != 0)
		return r;
	b->wrote = answered_by(a->repairs, a->nrepairs, row->id, s->member_id);
	b->repairs = calloc(2, sizeof(*b->repairs));
	if (!b->repairs) {
		breach_clear(b);
		return -ENOMEM;
	}
	for (i = 0; i < a->nrepairs; i++) {
		const struct item_row *rep = &a->repairs[i];
		int mine = strcmp(rep->author_id, s->member_id) == 0;

		if (strcmp(rep->parent_id, row->id) != 0)
			continue;
		writers++;
		if (!mine && !b->wrote && item_partner(s)) {
			b->waiting++; /* the partner's, kept until the reader wrote theirs */
			continue;
		}
		if (b->nrepairs == 2 ||
		    item_view_open(c, &breach_repair_kind, s, rep, &b->repairs[b->nrepairs]) != 0)
			continue; /* damaged: left out, as a list leaves a damaged row out */
		b->nrepairs++;
	}
	for (i = 0; i < a->nmends && b->nrepaired < 2; i++) {
		const struct item_row *m = &a->mends[i];

		/* "repaired" counts only from one who wrote a repair: the rule, kept when read */
		if (strcmp(m->parent_id, row->id) != 0 ||
		    !answered_by(a->repairs, a->nrepairs, row->id, m->author_id))
			continue;
		memcpy(b->repaired_by[b->nrepaired++], m->author_id, VAULT_ID_HEX + 1);
		if (strcmp(m->author_id, s->member_id) == 0)
			b->said_repaired = 1;
	}
	if (b->nrepaired == 2)
		b->status = BREACH_REPAIRED;
	else if (writers > 0)
		b->status = BREACH_REPAIRING;
	else
		b->status = BREACH_OPEN;
	b->v.status = breach_status_name(b->status); /* where the API writes a kind's status */
	return 0;
}

/* The row of breach id the reader may read (ITEM_NOTFOUND otherwise). */
static int breach_row(const struct core *c, const struct session *s, const char *id,
		      struct item_row *row)
{
	if (!item_kind_visible(&breach_kind, s))
		return ITEM_NOTFOUND;
	return item_get(c, s, &breach_kind, id, ACCESS_READ, row);
}

/* The breach of row opened with its own answers. */
static int open_one(const struct core *c, const struct session *s, const struct item_row *row,
		    struct breach *b)
{
	struct breach_answers a;
	int r;

	memset(b, 0, sizeof(*b));
	r = answers_load(c, s, row, &a);
	if (r != 0)
		return r;
	r = breach_open(c, s, row, &a, b);
	answers_free(&a);
	return r;
}

int breach_read(const struct core *c, const struct session *s, const char *id, struct breach *ret)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = breach_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = open_one(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

struct breaches_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows;
	const struct breach_answers *a;
};

static int breach_at(void *ctx, size_t i, void *elem)
{
	const struct breaches_each *e = ctx;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return breach_open(e->c, e->s, &e->rows[i], e->a, elem);
}

int breaches_list(const struct core *c, const struct session *s, struct breach **ret, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = breach_kind.name,
			       .limit = core_list_limit(c, BREACHES_MAX)};
	struct breach_answers a;
	struct item_row *rows = NULL;
	size_t nrows = 0;
	void *list = NULL;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_kind_visible(&breach_kind, s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r != 0)
		return r;
	r = answers_load(c, s, NULL, &a);
	if (r == 0) {
		struct breaches_each e = {c, s, rows, &a};

		r = core_open_list(c, nrows, sizeof(**ret), ITEM_NOTFOUND, breach_at,
				   breach_clear_any, &e, &list, n);
		answers_free(&a);
	}
	store_item_list_free(rows, nrows);
	if (r == 0)
		*ret = list;
	return r;
}

/* The breach id read afresh into *ret (after a change, outside the transaction). */
static int reread(const struct core *c, const struct session *s, const char *id, struct breach *ret)
{
	int r = breach_read(c, s, id, ret);

	return r == ITEM_NOTFOUND ? -EIO : r;
}

int breach_record(const struct core *c, const struct session *s, const struct item_values *v,
		  unsigned shared_with, struct breach *ret, const char **field)
{
	const char *agreement = v->v[BREACH_F_AGREEMENT];
	char id[STORE_ID_LEN + 1];
	struct item_row row;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = item_values_check(&breach_kind, v, field);
	if (r != 0)
		return r;
	if (!(shared_with & ACCESS_SHARE_PARTNER) ||
	    (shared_with & ~(ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE))) {
		*field = breach_fields[BREACH_F_SHARED].name; /* always the couple's */
		return ITEM_INVALID;
	}
	if (agreement) {
		/* one of the couple's agreements, or the answer of a random id */
		r = item_get(c, s, &agreement_kind, agreement, ACCESS_READ, &row);
		if (r != 0) {
			*field = breach_fields[BREACH_F_AGREEMENT].name;
			return r;
		}
		store_item_free(&row);
	}
	item_start(&breach_kind, s, NULL, shared_with, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	r = item_row_fill(&breach_kind, s, v, &row);
	if (r == 0)
		r = item_insert(c, &row);
	memcpy(id, row.id, sizeof(id));
	store_item_free(&row);
	return r != 0 ? r : reread(c, s, id, ret);
}

/*
 * Inside a transaction: the row of breach id as it stands, with its
 * answers, and the breach opened from them.
 */
static int current(const struct core *c, const struct session *s, const char *id,
		   struct item_row *row, struct breach_answers *a, struct breach *b)
{
	int r = breach_row(c, s, id, row);

	if (r != 0)
		return r;
	r = answers_load(c, s, row, a);
	if (r == 0) {
		r = breach_open(c, s, row, a, b);
		if (r != 0)
			answers_free(a);
	}
	if (r != 0)
		store_item_free(row);
	return r;
}

/* The caller's row among a's repairs, or NULL. */
static struct item_row *own_repair(const struct session *s, struct breach_answers *a)
{
	size_t i;

	for (i = 0; i < a->nrepairs; i++)
		if (strcmp(a->repairs[i].author_id, s->member_id) == 0)
			return &a->repairs[i];
	return NULL;
}

/* Inside a transaction: write the caller's first repair of the breach row. */
static int repair_insert(const struct core *c, const struct session *s,
			 const struct item_row *breach, const struct item_values *v)
{
	struct item_row rep;
	int r;

	item_start(&breach_repair_kind, s, breach->id, breach->shared_with, &rep);
	memcpy(rep.sort, rep.created_at, sizeof(rep.sort));
	snprintf(rep.once, sizeof(rep.once), "%s/%s", breach->id, s->member_id);
	r = item_row_fill(&breach_repair_kind, s, v, &rep);
	if (r == 0)
		r = item_insert(c, &rep); /* a first repair racing another: ITEM_CONFLICT */
	store_item_free(&rep);
	return r;
}

/* Inside a transaction: change the caller's repair rep (a row of theirs) to v. */
static int repair_change(const struct core *c, const struct session *s, struct item_row *rep,
			 const struct item_values *v)
{
	char old_plain[STORE_PLAIN_LEN + 1];
	int64_t old_version = rep->version;
	int r;

	memcpy(old_plain, rep->plain, sizeof(old_plain));
	rep->version++;
	session_now(rep->updated_at, 0);
	r = item_row_fill(&breach_repair_kind, s, v, rep);
	if (r == 0)
		r = item_update(c, s, rep, old_version, old_plain);
	return r;
}

int breach_repair_put(const struct core *c, const struct session *s, const char *id,
		      const struct item_values *v, enum breach_repair_mode mode, struct breach *ret,
		      const char **field)
{
	struct breach_answers a;
	struct item_row row, *mine;
	struct breach b;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_NOTFOUND;
	r = item_values_check(&breach_repair_kind, v, field);
	if (r != 0)
		return r;
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = current(c, s, id, &row, &a, &b);
	if (r == 0) {
		mine = own_repair(s, &a);
		if (b.status == BREACH_REPAIRED)
			r = BREACH_CLOSED;
		else if (mine && mode == BREACH_REPAIR_NEW)
			r = BREACH_WRITTEN;
		else if (!mine && mode == BREACH_REPAIR_CHANGE)
			r = BREACH_UNWRITTEN;
		else if (mine)
			r = repair_change(c, s, mine, v);
		else
			r = repair_insert(c, s, &row, v);
		breach_clear(&b);
		answers_free(&a);
		store_item_free(&row);
	}
	r = item_tx_end(c, r);
	return r != 0 ? r : reread(c, s, id, ret);
}

int breach_mark_repaired(const struct core *c, const struct session *s, const char *id,
			 struct breach *ret)
{
	struct item_values none; /* a "repaired" holds nothing but who and when */
	struct breach_answers a;
	struct item_row row, m;
	struct breach b;
	int r;

	memset(&none, 0, sizeof(none));
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_NOTFOUND;
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = current(c, s, id, &row, &a, &b);
	if (r == 0) {
		if (!own_repair(s, &a)) {
			r = BREACH_UNWRITTEN; /* each says so after writing their repair */
		} else if (!answered_by(a.mends, a.nmends, row.id, s->member_id)) {
			item_start(&breach_mend_kind, s, row.id, row.shared_with, &m);
			memcpy(m.sort, m.created_at, sizeof(m.sort));
			snprintf(m.once, sizeof(m.once), "%s/%s", row.id, s->member_id);
			r = item_row_fill(&breach_mend_kind, s, &none, &m);
			if (r == 0)
				r = item_insert(c, &m);
			store_item_free(&m);
		}
		breach_clear(&b);
		answers_free(&a);
		store_item_free(&row);
	}
	r = item_tx_end(c, r);
	return r != 0 ? r : reread(c, s, id, ret);
}
