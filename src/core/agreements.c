/*
 * agreements.c: agreements (core/agreements.h).  Not a kind that is all
 * data (record.c): either partner acts on an agreement, in turns, and its
 * state follows from who accepted which version, which such a kind does not
 * do.  Its fields, sealed records and checks are record.c's all the same.
 *
 * An agreement is four kinds of item, all sealed under the couple key (the
 * care key when its proposer shared it with the care team: the others
 * follow the agreement's sharing, and the couple's therapist reads them,
 * never writes):
 * - the agreement itself, holding its current version (the row's version
 *   is the agreement's, bound into the AD like every item's);
 * - one version item per version, the history, unique per number (once =
 *   agreement/vN), written in the same transaction as the agreement;
 * - each partner's acceptance, naming the version it accepts;
 * - at most one end (once = the agreement): a decline or a retirement, by
 *   whom, why.
 * Who proposed a version is sealed in its record, so an operator who edits
 * the file cannot make an agreement look agreed.  A version is accepted by
 * proposing it; an acceptance of an older version does not count for a
 * newer one, so a revision made at the moment the other accepts never ends
 * in "agreed" on a text they did not see.  Every change reads and writes
 * in one write transaction, so a decline and a revision, or a retirement
 * and an acceptance, never both take effect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreements.h"
#include "core/checkin.h"
#include "core/list.h"
#include "i18n/i18n.h"

const char *const agreement_categories[] = {
	"physical_contact", "flirting", "online", "privacy", "finances", "decisions", "other", NULL,
};

const struct field agreement_fields[AGREEMENT_NFIELDS] = {
	[AGREEMENT_F_CATEGORY] = {"category", FIELD_ENUM, 1, 0, 0, agreement_categories},
	[AGREEMENT_F_TEXT] = {"text", FIELD_STRING, 1, 1, AGREEMENT_TEXT_MAX, NULL},
	[AGREEMENT_F_CONSEQUENCE] = {"consequence", FIELD_STRING, 0, 0, AGREEMENT_TEXT_MAX, NULL},
	[AGREEMENT_F_REVIEW_ON] = {"review_on", FIELD_DATE, 1, 0, 0, NULL},
	[AGREEMENT_F_NOTE] = {"note", FIELD_STRING, 0, 0, AGREEMENT_NOTE_MAX, NULL},
	[AGREEMENT_F_PROPOSED_BY] = {"proposed_by", FIELD_STRING, 1, VAULT_ID_HEX, VAULT_ID_HEX,
				     NULL},
	[AGREEMENT_F_SHARED] = {"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
};

/* What a create sends: the first four fields, and with whom it is shared (optional). */
const struct field agreement_new_fields[AGREEMENT_NSENT_NEW] = {
	[AGREEMENT_F_CATEGORY] = {"category", FIELD_ENUM, 1, 0, 0, agreement_categories},
	[AGREEMENT_F_TEXT] = {"text", FIELD_STRING, 1, 1, AGREEMENT_TEXT_MAX, NULL},
	[AGREEMENT_F_CONSEQUENCE] = {"consequence", FIELD_STRING, 0, 0, AGREEMENT_TEXT_MAX, NULL},
	[AGREEMENT_F_REVIEW_ON] = {"review_on", FIELD_DATE, 1, 0, 0, NULL},
	[4] = {"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
};

const struct field agreement_decline_fields[1] = {
	{"note", FIELD_STRING, 0, 0, AGREEMENT_NOTE_MAX, NULL},
};
const struct field agreement_retire_fields[1] = {
	{"reason", FIELD_STRING, 1, 1, AGREEMENT_NOTE_MAX, NULL},
};

/* The review day: today through a year ahead. */
static int agreement_check(const struct item_values *v, const char *today, const char **field)
{
	char last[CHECKIN_DATE_LEN + 1];
	const char *day = v->v[AGREEMENT_F_REVIEW_ON];

	checkin_today(last, AGREEMENT_REVIEW_DAYS);
	*field = agreement_fields[AGREEMENT_F_REVIEW_ON].name;
	if (!day || strcmp(day, today) < 0 || strcmp(day, last) > 0)
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

#define AGREEMENT_PLAIN (1u << AGREEMENT_F_CATEGORY | 1u << AGREEMENT_F_REVIEW_ON)

const struct item_kind agreement_kind = {
	.name = "agreement",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "agreemnt",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = AGREEMENTS_MAX,
	.title = N_("Agreements"),
	.fields = agreement_fields,
	.nfields = AGREEMENT_NFIELDS,
	.plain_mask = AGREEMENT_PLAIN,
	.partners_only = 1,
	.care_may_read = 1,
	.check = agreement_check,
};

/* One per version (once = agreement/vN); its row's version is the number. */
const struct item_kind agreement_version_kind = {
	.name = "agreement_version",
	.parent = "agreement",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "agreemnt",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = AGREEMENT_VERSIONS_MAX,
	.fields = agreement_fields,
	.nfields = AGREEMENT_NFIELDS,
	.plain_mask = AGREEMENT_PLAIN,
	.partners_only = 1,
	.care_may_read = 1,
};

static const struct field accept_fields[] = {
	{"version", FIELD_INT, 1, 1, INT32_MAX, NULL},
};

/* A partner's acceptance: one per partner and agreement, naming the version. */
const struct item_kind agreement_accept_kind = {
	.name = "agreement_ok",
	.parent = "agreement",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "agreemnt",
	.key_id = 3,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 4,
	.fields = accept_fields,
	.nfields = 1,
	.partners_only = 1,
	.care_may_read = 1,
};

static const char *const end_hows[] = {"declined", "retired", NULL};
enum { END_F_HOW, END_F_VERSION, END_F_NOTE, END_NFIELDS };
static const struct field end_fields[END_NFIELDS] = {
	[END_F_HOW] = {"how", FIELD_ENUM, 1, 0, 0, end_hows},
	[END_F_VERSION] = {"version", FIELD_INT, 1, 1, INT32_MAX, NULL},
	[END_F_NOTE] = {"note", FIELD_STRING, 0, 0, AGREEMENT_NOTE_MAX, NULL},
};

/* The one decline or retirement (once = the agreement), all of it sealed. */
const struct item_kind agreement_end_kind = {
	.name = "agreement_end",
	.parent = "agreement",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "agreemnt",
	.key_id = 4,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 1,
	.fields = end_fields,
	.nfields = END_NFIELDS,
	.partners_only = 1,
	.care_may_read = 1,
};

const char *agreement_status_name(enum agreement_status st)
{
	switch (st) {
	case AGREEMENT_AGREED:
		return "agreed";
	case AGREEMENT_DECLINED:
		return "declined";
	case AGREEMENT_RETIRED:
		return "retired";
	case AGREEMENT_PROPOSED:
	default:
		return "proposed";
	}
}

void agreement_clear(struct agreement *a)
{
	if (!a)
		return;
	item_view_clear(&a->v);
	item_text_free(a->end_note, a->end_note_len);
	item_views_free(a->versions, a->nversions);
	memset(a, 0, sizeof(*a));
}

static void agreement_clear_any(void *a)
{
	agreement_clear(a);
}

void agreements_free(struct agreement *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), agreement_clear_any);
}

/* A whole decimal number of at most 9 digits, or -1. */
static long number(const char *s)
{
	char *end;
	long v;

	if (!s || !*s || strlen(s) > 9)
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

/* The acceptances in accepts[n] (rows of the couple's, any agreement's) of row's current version.
 */
static void take_accepts(const struct core *c, const struct session *s, const struct item_row *row,
			 const struct item_row *accepts, size_t n, struct agreement *a)
{
	size_t i;

	for (i = 0; i < n && a->naccepted < 2; i++) {
		struct item_view ok;
		int same;

		if (strcmp(accepts[i].parent_id, row->id) != 0 ||
		    strcmp(accepts[i].author_id, a->accepted_by[0]) == 0)
			continue; /* another's, or the proposer's: accepted by proposing */
		if (item_view_open(c, &agreement_accept_kind, s, &accepts[i], &ok) != 0)
			continue; /* damaged: it accepts nothing */
		same = number(ok.values[0]) == (long)a->v.version;
		item_view_clear(&ok);
		if (same)
			memcpy(a->accepted_by[a->naccepted++], accepts[i].author_id,
			       VAULT_ID_HEX + 1);
	}
}

/* The end among ends[n] (rows of any agreement's) that is row's, into a; -EBADMSG when damaged. */
static int take_end(const struct core *c, const struct session *s, const struct item_row *row,
		    const struct item_row *ends, size_t n, struct agreement *a)
{
	struct item_view e;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if (strcmp(ends[i].parent_id, row->id) == 0)
			break;
	if (i == n)
		return 0;
	r = item_view_open(c, &agreement_end_kind, s, &ends[i], &e);
	if (r != 0)
		return r;
	a->status = e.values[END_F_HOW] && strcmp(e.values[END_F_HOW], "retired") == 0
			    ? AGREEMENT_RETIRED
			    : AGREEMENT_DECLINED;
	memcpy(a->ended_by, ends[i].author_id, sizeof(a->ended_by));
	memcpy(a->ended_at, ends[i].created_at, sizeof(a->ended_at));
	session_seen_time(s, a->ended_by, a->ended_at);
	a->end_note = e.values[END_F_NOTE];
	a->end_note_len = e.lens[END_F_NOTE];
	e.values[END_F_NOTE] = NULL;
	item_view_clear(&e);
	return 0;
}

/*
 * The agreement of row opened into *a, with who accepted its version and
 * its end, from the answers given (of any of the couple's agreements).
 */
static int agreement_open(const struct core *c, const struct session *s, const struct item_row *row,
			  const struct item_row *accepts, size_t naccepts,
			  const struct item_row *ends, size_t nends, struct agreement *a)
{
	char today[CHECKIN_DATE_LEN + 1];
	const char *by, *review;
	int r;

	memset(a, 0, sizeof(*a));
	r = item_view_open(c, &agreement_kind, s, row, &a->v);
	if (r != 0)
		return r;
	by = a->v.values[AGREEMENT_F_PROPOSED_BY];
	if (!by || strlen(by) != VAULT_ID_HEX) {
		agreement_clear(a);
		return -EBADMSG;
	}
	memcpy(a->accepted_by[0], by, VAULT_ID_HEX + 1);
	a->naccepted = 1;
	/* the row is its first author's; its last change, the current proposer's */
	session_seen_time(s, by, a->v.updated_at);
	take_accepts(c, s, row, accepts, naccepts, a);
	a->status = a->naccepted == 2 ? AGREEMENT_AGREED : AGREEMENT_PROPOSED;
	r = take_end(c, s, row, ends, nends, a);
	if (r != 0) {
		agreement_clear(a);
		return r;
	}
	checkin_today(today, 0);
	review = a->v.values[AGREEMENT_F_REVIEW_ON];
	a->review_due = a->status == AGREEMENT_AGREED && review && strcmp(review, today) <= 0;
	return 0;
}

/* The answers of kind ak to one agreement (parent) or, parent NULL, to the newest ones. */
static int answers_of(const struct core *c, const struct session *s, const struct item_kind *ak,
		      const struct item_row *parent, struct item_row **rows, size_t *n)
{
	return item_answer_rows(c, s, ak, &agreement_kind, parent,
				core_list_limit(c, AGREEMENTS_MAX), rows, n);
}

/* One agreement's row opened with its own answers (no versions). */
static int open_one(const struct core *c, const struct session *s, const struct item_row *row,
		    struct agreement *a)
{
	struct item_row *accepts = NULL, *ends = NULL;
	size_t naccepts = 0, nends = 0;
	int r;

	memset(a, 0, sizeof(*a));
	r = answers_of(c, s, &agreement_accept_kind, row, &accepts, &naccepts);
	if (r == 0)
		r = answers_of(c, s, &agreement_end_kind, row, &ends, &nends);
	if (r == 0)
		r = agreement_open(c, s, row, accepts, naccepts, ends, nends, a);
	store_item_list_free(accepts, naccepts);
	store_item_list_free(ends, nends);
	return r;
}

/* The row of agreement id the reader may read (ITEM_NOTFOUND otherwise). */
static int agreement_row(const struct core *c, const struct session *s, const char *id,
			 struct item_row *row)
{
	if (!item_kind_visible(&agreement_kind, s))
		return ITEM_NOTFOUND;
	return item_get(c, s, &agreement_kind, id, ACCESS_READ, row);
}

int agreement_read(const struct core *c, const struct session *s, const char *id,
		   struct agreement *ret)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = agreement_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = open_one(c, s, &row, ret);
	if (r == 0) {
		r = item_answers(c, s, &agreement_version_kind, &row, &ret->versions,
				 &ret->nversions);
		if (r != 0)
			agreement_clear(ret);
	}
	store_item_free(&row);
	return r;
}

struct agreements_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows, *accepts, *ends;
	size_t naccepts, nends;
};

static int agreement_at(void *ctx, size_t i, void *elem)
{
	const struct agreements_each *e = ctx;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return agreement_open(e->c, e->s, &e->rows[i], e->accepts, e->naccepts, e->ends, e->nends,
			      elem);
}

int agreements_list(const struct core *c, const struct session *s, struct agreement **ret,
		    size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = agreement_kind.name,
			       .limit = core_list_limit(c, AGREEMENTS_MAX)};
	struct item_row *rows = NULL, *accepts = NULL, *ends = NULL;
	size_t nrows = 0, naccepts = 0, nends = 0;
	void *list = NULL;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_kind_visible(&agreement_kind, s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r == 0)
		r = answers_of(c, s, &agreement_accept_kind, NULL, &accepts, &naccepts);
	if (r == 0)
		r = answers_of(c, s, &agreement_end_kind, NULL, &ends, &nends);
	if (r == 0) {
		struct agreements_each e = {c, s, rows, accepts, ends, naccepts, nends};

		r = core_open_list(c, nrows, sizeof(**ret), ITEM_NOTFOUND, agreement_at,
				   agreement_clear_any, &e, &list, n);
	}
	store_item_list_free(rows, nrows);
	store_item_list_free(accepts, naccepts);
	store_item_list_free(ends, nends);
	if (r == 0)
		*ret = list;
	return r;
}

int agreements_waiting(const struct core *c, const struct session *s, size_t *to_answer,
		       size_t *to_review, size_t *agreed)
{
	struct agreement *list = NULL;
	size_t n = 0, i;
	int r;

	*to_answer = *to_review = *agreed = 0;
	r = agreements_list(c, s, &list, &n);
	for (i = 0; r == 0 && i < n; i++) {
		if (list[i].status == AGREEMENT_PROPOSED &&
		    strcmp(list[i].accepted_by[0], s->member_id) != 0)
			(*to_answer)++;
		if (list[i].status == AGREEMENT_AGREED)
			(*agreed)++;
		if (list[i].review_due)
			(*to_review)++;
	}
	agreements_free(list, n);
	return r;
}

/* ---- changes: each in one write transaction ------------------------------ */

/* The history item of version row->version of the agreement row, with values v. */
static int version_insert(const struct core *c, const struct session *s,
			  const struct item_row *agreement, const struct item_values *v)
{
	struct item_row h;
	int r;

	item_start(&agreement_version_kind, s, agreement->id, agreement->shared_with, &h);
	memcpy(h.sort, h.created_at, sizeof(h.sort));
	h.version = agreement->version; /* bound into its AD: a version cannot be renumbered */
	snprintf(h.once, sizeof(h.once), "%s/v%lld", agreement->id, (long long)h.version);
	r = item_row_fill(&agreement_version_kind, s, v, &h);
	if (r == 0)
		r = item_insert(c, &h); /* that number written meanwhile: ITEM_CONFLICT */
	store_item_free(&h);
	return r;
}

/* The agreement id read afresh into *ret (after a change, outside the transaction). */
static int reread(const struct core *c, const struct session *s, const char *id,
		  struct agreement *ret)
{
	int r = agreement_read(c, s, id, ret);

	return r == ITEM_NOTFOUND ? -EIO : r;
}

int agreement_propose(const struct core *c, const struct session *s, const struct item_values *sent,
		      unsigned shared_with, struct agreement *ret, const char **field)
{
	struct item_values v = *sent;
	char id[STORE_ID_LEN + 1];
	struct item_row row;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	v.v[AGREEMENT_F_NOTE] = NULL; /* a first version answers no one */
	v.len[AGREEMENT_F_NOTE] = 0;
	v.v[AGREEMENT_F_PROPOSED_BY] = s->member_id;
	v.len[AGREEMENT_F_PROPOSED_BY] = VAULT_ID_HEX;
	r = item_values_check(&agreement_kind, &v, field);
	if (r != 0)
		return r;
	if (!(shared_with & ACCESS_SHARE_PARTNER) ||
	    (shared_with & ~(ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE))) {
		*field = agreement_fields[AGREEMENT_F_SHARED].name; /* always the couple's */
		return ITEM_INVALID;
	}
	item_start(&agreement_kind, s, NULL, shared_with, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	r = item_row_fill(&agreement_kind, s, &v, &row);
	if (r == 0)
		r = item_tx_begin(c);
	if (r == 0) {
		r = item_insert(c, &row);
		if (r == 0)
			r = version_insert(c, s, &row, &v);
		r = item_tx_end(c, r);
	}
	memcpy(id, row.id, sizeof(id));
	store_item_free(&row);
	return r != 0 ? r : reread(c, s, id, ret);
}

/*
 * Inside a transaction: the agreement id as it stands now, into *row and
 * *a (its answers opened; versions not).  ITEM_CONFLICT when it was
 * declined or retired.
 */
static int current(const struct core *c, const struct session *s, const char *id,
		   struct item_row *row, struct agreement *a)
{
	int r = agreement_row(c, s, id, row);

	if (r != 0)
		return r;
	r = open_one(c, s, row, a);
	if (r == 0 && (a->status == AGREEMENT_DECLINED || a->status == AGREEMENT_RETIRED))
		r = ITEM_CONFLICT;
	if (r != 0) {
		agreement_clear(a);
		store_item_free(row);
	}
	return r;
}

int agreement_accept(const struct core *c, const struct session *s, const char *id, int64_t version,
		     struct agreement *ret)
{
	struct item_row row;
	struct agreement a;
	char num[24];
	struct item_values v;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = current(c, s, id, &row, &a);
	if (r == 0) {
		if (strcmp(a.accepted_by[0], s->member_id) == 0)
			r = ITEM_FORBIDDEN; /* their own proposal: accepted by making it */
		else if (version != a.v.version)
			r = ITEM_CONFLICT; /* it changed since the caller read it */
		if (r == 0) {
			snprintf(num, sizeof(num), "%lld", (long long)a.v.version);
			memset(&v, 0, sizeof(v));
			v.v[0] = num;
			v.len[0] = strlen(num);
			r = item_answer_put(c, s, &agreement_accept_kind, &row, &v);
		}
		agreement_clear(&a);
		store_item_free(&row);
	}
	r = item_tx_end(c, r);
	return r != 0 ? r : reread(c, s, id, ret);
}

int agreement_revise(const struct core *c, const struct session *s, const char *id,
		     const struct item_values *sent, struct agreement *ret, const char **field)
{
	char old_plain[STORE_PLAIN_LEN + 1];
	struct item_values v = *sent;
	struct item_row row;
	struct agreement a;
	int64_t old_version;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = current(c, s, id, &row, &a);
	if (r == 0) {
		/* the category stays: a change of subject is a new agreement */
		v.v[AGREEMENT_F_CATEGORY] = a.v.values[AGREEMENT_F_CATEGORY];
		v.len[AGREEMENT_F_CATEGORY] = a.v.lens[AGREEMENT_F_CATEGORY];
		v.v[AGREEMENT_F_PROPOSED_BY] = s->member_id;
		v.len[AGREEMENT_F_PROPOSED_BY] = VAULT_ID_HEX;
		r = item_values_check(&agreement_kind, &v, field);
		if (r == 0) {
			memcpy(old_plain, row.plain, sizeof(old_plain));
			old_version = row.version;
			row.version++;
			session_now(row.updated_at, 0);
			r = item_row_fill(&agreement_kind, s, &v, &row);
		}
		if (r == 0)
			r = item_update(c, s, &row, old_version, old_plain);
		if (r == 0)
			r = version_insert(c, s, &row, &v);
		agreement_clear(&a);
		store_item_free(&row);
	}
	r = item_tx_end(c, r);
	return r != 0 ? r : reread(c, s, id, ret);
}

/* The caller ends agreement id (how: "declined" or "retired") with note (NULL: none). */
static int agreement_end(const struct core *c, const struct session *s, const char *id,
			 const char *how, const char *note, struct agreement *ret)
{
	int declining = strcmp(how, "declined") == 0;
	struct item_values v;
	struct item_row row, e;
	struct agreement a;
	char num[24];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = current(c, s, id, &row, &a);
	if (r == 0) {
		if (declining && strcmp(a.accepted_by[0], s->member_id) == 0)
			r = ITEM_FORBIDDEN; /* one does not decline one's own proposal */
		else if (declining && a.status == AGREEMENT_AGREED)
			r = ITEM_CONFLICT; /* agreed: it is retired, not declined */
		if (r == 0) {
			snprintf(num, sizeof(num), "%lld", (long long)a.v.version);
			memset(&v, 0, sizeof(v));
			v.v[END_F_HOW] = how;
			v.len[END_F_HOW] = strlen(how);
			v.v[END_F_VERSION] = num;
			v.len[END_F_VERSION] = strlen(num);
			if (note && *note) {
				v.v[END_F_NOTE] = note;
				v.len[END_F_NOTE] = strlen(note);
			}
			item_start(&agreement_end_kind, s, row.id, row.shared_with, &e);
			memcpy(e.sort, e.created_at, sizeof(e.sort));
			snprintf(e.once, sizeof(e.once), "%s", row.id); /* one end */
			r = item_row_fill(&agreement_end_kind, s, &v, &e);
			if (r == 0)
				r = item_insert(c, &e);
			store_item_free(&e);
		}
		agreement_clear(&a);
		store_item_free(&row);
	}
	r = item_tx_end(c, r);
	return r != 0 ? r : reread(c, s, id, ret);
}

int agreement_decline(const struct core *c, const struct session *s, const char *id,
		      const char *note, struct agreement *ret)
{
	return agreement_end(c, s, id, "declined", note, ret);
}

int agreement_retire(const struct core *c, const struct session *s, const char *id,
		     const char *reason, struct agreement *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!reason || !*reason)
		return ITEM_INVALID;
	return agreement_end(c, s, id, "retired", reason, ret);
}
