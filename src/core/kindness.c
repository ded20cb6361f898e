/*
 * kindness.c: appreciations, the trigger plan and "I'm triggered"
 * (core/kindness.h, step 5).
 *
 * All three are record.c's items (fields, sealing, plain values), but keep
 * code of their own, and say why:
 * - an appreciation and an alert are answered once, by the partner only
 *   (thanks; "I'm here"), and the answer rides along in every list, which
 *   a kind that is all data does not do.  The answer is an item of its own
 *   whose once is the parent's id, so two answers racing end in one insert
 *   and one ITEM_CONFLICT (as a card's "heard" in share.c); it seals one
 *   byte under the couple key, so a row an operator writes in does not open
 *   and does not count as an answer;
 * - the trigger plan is one per partner (one_per_author), read and
 *   replaced as one text, like "what helps me" (helps.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkin.h"
#include "core/kindness.h"
#include "core/list.h"
#include "i18n/i18n.h"

/* ---- the kinds ---------------------------------------------------------------------- */

const struct field appreciation_fields[APPRECIATION_NFIELDS] = {
	[APPRECIATION_F_BODY] = {"body", FIELD_STRING, 1, 1, APPRECIATION_BODY_MAX, NULL},
	[APPRECIATION_F_MEANT] = {"meant", FIELD_STRING, 0, 0, APPRECIATION_MEANT_MAX, NULL},
};

/* Always the couple's: sealed under the couple key, never private, never the care team's. */
const struct item_kind appreciation_kind = {
	.name = "appreciation",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "apprecia",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = APPRECIATION_MAX,
	.fields = appreciation_fields,
	.nfields = APPRECIATION_NFIELDS,
	.partners_only = 1,
};

/* The partner's thanks: one per appreciation (once = its id), one sealed byte. */
const struct item_kind appreciation_thanks_kind = {
	.name = "appreciation_thanks",
	.parent = "appreciation",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "apprecia",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 1,
	.partners_only = 1,
};

const char *const trigger_wants[TRIGGER_WANTS_N + 1] = {"reassurance", "space", "talk_later",
							"hold", NULL};

const struct field trigger_plan_fields[TRIGGER_PLAN_NFIELDS] = {
	[TRIGGER_PLAN_F_WANTS] = {"wants", FIELD_ENUM_SET, 0, 0, TRIGGER_WANTS_N, trigger_wants},
	[TRIGGER_PLAN_F_WORDS] = {"words", FIELD_STRING, 0, 0, TRIGGER_WORDS_MAX, NULL},
	[TRIGGER_PLAN_F_SHARED] = {"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};

/* A plan says something: what the writer would like, or the words that help, or both. */
static int trigger_plan_check(const struct item_values *v, const char *today, const char **field)
{
	(void)today;
	if ((v->v[TRIGGER_PLAN_F_WANTS] && v->len[TRIGGER_PLAN_F_WANTS]) ||
	    (v->v[TRIGGER_PLAN_F_WORDS] && v->len[TRIGGER_PLAN_F_WORDS]))
		return 0;
	*field = trigger_plan_fields[TRIGGER_PLAN_F_WANTS].name;
	return ITEM_INVALID;
}

const struct item_kind trigger_plan_kind = {
	.name = "trigger_plan",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "trigplan",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER,
	.list_max = 4, /* one per partner: room to spare */
	.title = N_("When I am triggered"),
	.fields = trigger_plan_fields,
	.nfields = TRIGGER_PLAN_NFIELDS,
	.partners_only = 1,
	.one_per_author = 1,
	.check = trigger_plan_check,
};

const struct field triggered_fields[TRIGGERED_NFIELDS] = {
	[TRIGGERED_F_NOTE] = {"note", FIELD_STRING, 0, 0, TRIGGERED_NOTE_MAX, NULL},
};

/* "I'm triggered": the couple's, its note sealed under the couple key. */
const struct item_kind triggered_kind = {
	.name = "triggered",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "triggerd",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = TRIGGERED_MAX,
	.fields = triggered_fields,
	.nfields = TRIGGERED_NFIELDS,
	.partners_only = 1,
};

/* The partner's "I'm here": one per alert (once = its id), one sealed byte. */
const struct item_kind triggered_answer_kind = {
	.name = "triggered_answer",
	.parent = "triggered",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "triggerd",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 1,
	.partners_only = 1,
};

/* ---- answered once, by the partner ------------------------------------------------------ */

/* What an item answered once looks like to the reader, whichever kind it is. */
struct answered {
	struct item_view v;
	int answered;
	char at[STORE_TIME_LEN + 1];
	int can_answer;
	int open; /* unanswered, written since `since` */
};

/* The answer of kind ak to row in answers[] that opens, if any: 1 with its time in at. */
static int answer_of(const struct core *c, const struct session *s, const struct item_kind *ak,
		     const struct item_row *row, const struct item_row *answers, size_t n,
		     char at[STORE_TIME_LEN + 1])
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char *text = NULL;
		size_t len = 0;
		int r;

		if (strcmp(answers[i].parent_id, row->id) != 0)
			continue;
		/* only the partner answers, and it must open: else it is no answer */
		if (strcmp(answers[i].author_id, row->author_id) == 0)
			continue;
		r = item_open(c, ak, s, &answers[i], &text, &len);
		item_text_free(text, len);
		if (r != 0 || len != 1)
			continue;
		memcpy(at, answers[i].created_at, STORE_TIME_LEN + 1);
		session_seen_time(s, answers[i].author_id, at);
		return 1;
	}
	return 0;
}

/* Row opened as k, with its answer of kind ak among answers[] (n of them). */
static int answered_open(const struct core *c, const struct session *s, const struct item_kind *k,
			 const struct item_kind *ak, const struct item_row *row,
			 const struct item_row *answers, size_t n, const char *since,
			 struct answered *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_view_open(c, k, s, row, &ret->v);
	if (r != 0)
		return r;
	ret->answered = answer_of(c, s, ak, row, answers, n, ret->at);
	ret->can_answer = !ret->answered && !ret->v.mine;
	ret->open = !ret->answered && since && strcmp(row->created_at, since) >= 0;
	return 0;
}

/*
 * The partner answers item id of kind k (its answer of kind ak): 0 with
 * *ret the item as it now stands.  ITEM_FORBIDDEN for the item's author.
 */
static int answer_once(const struct core *c, const struct session *s, const struct item_kind *k,
		       const struct item_kind *ak, const char *id, struct answered *ret)
{
	static const unsigned char one = 1;
	struct item_row row, ans;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_NOTFOUND;
	r = item_get(c, s, k, id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	if (strcmp(row.author_id, s->member_id) == 0) {
		r = ITEM_FORBIDDEN; /* one's own thanks, one's own "I'm here" */
		goto out;
	}
	item_start(ak, s, row.id, 0, &ans);
	memcpy(ans.sort, ans.created_at, sizeof(ans.sort));
	memcpy(ans.once, row.id, sizeof(row.id)); /* one answer per item, held by the store */
	r = item_seal(ak, s, &ans, &one, 1);
	if (r == 0)
		r = item_insert(c, &ans); /* answered already, or a race lost: ITEM_CONFLICT */
	if (r == 0)
		r = answered_open(c, s, k, ak, &row, &ans, 1, NULL, ret);
	store_item_free(&ans);
out:
	store_item_free(&row);
	return r;
}

struct answered_each {
	const struct core *c;
	const struct session *s;
	const struct item_kind *k, *ak;
	const struct item_row *rows, *answers;
	size_t nanswers;
	const char *since;
};

static int answered_at(void *ctx, size_t i, void *elem)
{
	const struct answered_each *e = ctx;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return answered_open(e->c, e->s, e->k, e->ak, &e->rows[i], e->answers, e->nanswers,
			     e->since, elem);
}

static void answered_clear(void *elem)
{
	struct answered *a = elem;

	item_view_clear(&a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * The newest items of k the reader may read, newest first, each with its
 * answer: an array of struct answered (core_list_free() with
 * answered_clear()).  since: the time from which an unanswered one is open.
 */
static int answered_list(const struct core *c, const struct session *s, const struct item_kind *k,
			 const struct item_kind *ak, const char *since, struct answered **ret,
			 size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = k->name,
			       .limit = core_list_limit(c, k->list_max)};
	struct answered_each e = {c, s, k, ak, NULL, NULL, 0, since};
	struct item_row *rows = NULL, *answers = NULL;
	size_t nrows = 0, nanswers = 0;
	void *list = NULL;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_kind_visible(k, s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r == 0 && nrows)
		r = item_answer_rows(c, s, ak, k, NULL, nrows, &answers, &nanswers);
	if (r == 0) {
		e.rows = rows;
		e.answers = answers;
		e.nanswers = nanswers;
		r = core_open_list(c, nrows, sizeof(struct answered), ITEM_NOTFOUND, answered_at,
				   answered_clear, &e, &list, n);
	}
	store_item_list_free(answers, nanswers);
	store_item_list_free(rows, nrows);
	if (r == 0)
		*ret = list;
	return r;
}

/* ---- appreciations ------------------------------------------------------------------- */

/* The views move from a to ret. */
static void appreciation_from(struct answered *a, struct appreciation *ret)
{
	ret->v = a->v;
	ret->thanked = a->answered;
	memcpy(ret->thanked_at, a->at, sizeof(ret->thanked_at));
	ret->can_thank = a->can_answer;
	memset(a, 0, sizeof(*a));
}

void appreciation_clear(struct appreciation *a)
{
	if (!a)
		return;
	item_view_clear(&a->v);
	memset(a, 0, sizeof(*a));
}

static void appreciation_clear_any(void *a)
{
	appreciation_clear(a);
}

void appreciation_list_free(struct appreciation *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), appreciation_clear_any);
}

int appreciation_write(const struct core *c, const struct session *s, const struct item_values *v,
		       struct appreciation *ret, const char **field)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_create(c, s, &appreciation_kind, v, ACCESS_SHARE_PARTNER, &ret->v, field);
	if (r != 0)
		memset(ret, 0, sizeof(*ret));
	return r;
}

int appreciation_thank(const struct core *c, const struct session *s, const char *id,
		       struct appreciation *ret)
{
	struct answered a;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = answer_once(c, s, &appreciation_kind, &appreciation_thanks_kind, id, &a);
	if (r == 0)
		appreciation_from(&a, ret);
	return r;
}

int appreciation_list(const struct core *c, const struct session *s, struct appreciation **ret,
		      size_t *n)
{
	struct answered *list = NULL;
	struct appreciation *out;
	size_t i, count = 0;
	int r;

	*ret = NULL;
	*n = 0;
	r = answered_list(c, s, &appreciation_kind, &appreciation_thanks_kind, NULL, &list, &count);
	if (r != 0)
		return r;
	/* struct answered and struct appreciation differ: move each into its own */
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out) {
		core_list_free(list, count, sizeof(*list), answered_clear);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		appreciation_from(&list[i], &out[i]);
	free(list);
	*ret = out;
	*n = count;
	return 0;
}

int appreciation_remember(const struct core *c, const struct session *s, const char *today,
			  struct appreciation *ret, int *found)
{
	struct appreciation *list = NULL;
	char cut[CHECKIN_DATE_LEN + 1];
	size_t n = 0, i, old = 0, pick;
	long days;
	int r;

	*found = 0;
	if (checkin_date_days(today, &days) != 0 ||
	    checkin_date_add(today, -APPRECIATION_REMEMBER_DAYS, cut) != 0)
		return -EINVAL;
	r = appreciation_list(c, s, &list, &n);
	if (r != 0)
		return r;
	/* the list runs newest first: the old enough ones are its tail */
	for (i = 0; i < n; i++)
		if (strncmp(list[i].v.created_at, cut, CHECKIN_DATE_LEN) < 0)
			old++;
	if (old > 0) {
		/* the day picks one, so it stays all day and changes now and then */
		pick = n - old + (size_t)((unsigned long)days % old);
		*ret = list[pick];
		memset(&list[pick], 0, sizeof(list[pick]));
		*found = 1;
	}
	appreciation_list_free(list, n);
	return 0;
}

/* ---- the trigger plan ------------------------------------------------------------------ */

void trigger_plan_clear(struct trigger_plan *p)
{
	if (!p)
		return;
	if (p->has_mine)
		item_view_clear(&p->mine);
	if (p->has_partner)
		item_view_clear(&p->partner);
	memset(p, 0, sizeof(*p));
}

int trigger_plan_read(const struct core *c, const struct session *s, struct trigger_plan *ret)
{
	struct item_view *list = NULL;
	size_t n = 0, i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_views(c, s, &trigger_plan_kind, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		struct item_view *to = list[i].mine ? &ret->mine : &ret->partner;
		int *has = list[i].mine ? &ret->has_mine : &ret->has_partner;

		if (*has) { /* one per member: a second is not theirs to see */
			item_view_clear(&list[i]);
			continue;
		}
		*to = list[i];
		*has = 1;
	}
	free(list); /* the views moved into ret */
	return 0;
}

int trigger_plan_write(const struct core *c, const struct session *s, const struct item_values *v,
		       unsigned shared_with, struct trigger_plan *ret, const char **field)
{
	struct item_view out;
	int r = 0, tries;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	for (tries = 0; tries < 2; tries++) {
		struct trigger_plan now;
		int had;

		r = trigger_plan_read(c, s, &now);
		if (r != 0)
			return r;
		had = now.has_mine;
		if (had)
			r = item_change(c, s, &trigger_plan_kind, now.mine.id, v, shared_with, &out,
					field);
		else
			r = item_create(c, s, &trigger_plan_kind, v, shared_with, &out, field);
		trigger_plan_clear(&now);
		/* a first write that lost the race to another first write changes that one */
		if (r != ITEM_CONFLICT || had)
			break;
	}
	if (r != 0)
		return r;
	item_view_clear(&out);
	return trigger_plan_read(c, s, ret);
}

/* ---- "I'm triggered" --------------------------------------------------------------------- */

static void triggered_from(struct answered *a, struct triggered *ret)
{
	ret->v = a->v;
	ret->answered = a->answered;
	memcpy(ret->answered_at, a->at, sizeof(ret->answered_at));
	ret->can_answer = a->can_answer;
	ret->open = a->open;
	memset(a, 0, sizeof(*a));
}

void triggered_clear(struct triggered *t)
{
	if (!t)
		return;
	item_view_clear(&t->v);
	memset(t, 0, sizeof(*t));
}

static void triggered_clear_any(void *t)
{
	triggered_clear(t);
}

void triggered_list_free(struct triggered *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), triggered_clear_any);
}

int triggered_raise(const struct core *c, const struct session *s, const char *note, size_t len,
		    struct triggered *ret, const char **field)
{
	struct item_values v;
	int r;

	memset(ret, 0, sizeof(*ret));
	memset(&v, 0, sizeof(v));
	if (note && len) {
		v.v[TRIGGERED_F_NOTE] = note;
		v.len[TRIGGERED_F_NOTE] = len;
	}
	r = item_create(c, s, &triggered_kind, &v, ACCESS_SHARE_PARTNER, &ret->v, field);
	if (r != 0) {
		memset(ret, 0, sizeof(*ret));
		return r;
	}
	ret->open = 1;
	return 0;
}

int triggered_answer(const struct core *c, const struct session *s, const char *id,
		     struct triggered *ret)
{
	struct answered a;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = answer_once(c, s, &triggered_kind, &triggered_answer_kind, id, &a);
	if (r == 0)
		triggered_from(&a, ret);
	return r;
}

int triggered_list(const struct core *c, const struct session *s, struct triggered **ret, size_t *n)
{
	char since[STORE_TIME_LEN + 1];
	struct answered *list = NULL;
	struct triggered *out;
	size_t i, count = 0;
	int r;

	*ret = NULL;
	*n = 0;
	session_now(since, -(long)TRIGGERED_OPEN_HOURS * 3600);
	r = answered_list(c, s, &triggered_kind, &triggered_answer_kind, since, &list, &count);
	if (r != 0)
		return r;
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out) {
		core_list_free(list, count, sizeof(*list), answered_clear);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		triggered_from(&list[i], &out[i]);
	free(list);
	*ret = out;
	*n = count;
	return 0;
}

int kindness_home(const struct core *c, const struct session *s, size_t *open_alerts, int *has_plan)
{
	struct triggered *list = NULL;
	struct trigger_plan plan;
	size_t n = 0, i;
	int r;

	*open_alerts = 0;
	*has_plan = 0;
	if (!item_partner(s))
		return 0;
	r = triggered_list(c, s, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++)
		if (list[i].open && !list[i].v.mine)
			(*open_alerts)++;
	triggered_list_free(list, n);
	r = trigger_plan_read(c, s, &plan);
	if (r != 0)
		return r;
	*has_plan = plan.has_mine;
	trigger_plan_clear(&plan);
	return 0;
}
