/*
 * summary.c: the session-prep summary (core/summary.h).  It reads only
 * what the caller may read, through the kinds' own calls (item_list() and
 * item_view_open() for the registry, share_list(), checkin_list(),
 * journal_read()), and keeps of it only what one partner wrote and shared
 * with the care team (the caller, or the partner their therapist names),
 * and the journal entries the caller picked for their own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/breaches.h"
#include "core/list.h"
#include "core/summary.h"

int summary_range_check(const char *from, const char *to)
{
	long f, t;

	if (checkin_date_days(from, &f) < 0)
		return SUMMARY_BAD_FROM;
	if (checkin_date_days(to, &t) < 0 || t < f || t - f >= SUMMARY_RANGE_MAX_DAYS)
		return SUMMARY_BAD_TO;
	return 0;
}

/* 1 when the time (RFC 3339, UTC) falls on a day from..to. */
static int in_range(const struct summary *sm, const char *at)
{
	return strncmp(at, sm->from, CHECKIN_DATE_LEN) >= 0 &&
	       strncmp(at, sm->to, CHECKIN_DATE_LEN) <= 0;
}

static void item_clear(struct summary_item *it)
{
	size_t i;

	item_view_clear(&it->v);
	for (i = 0; i < it->nanswers; i++)
		item_view_clear(&it->answers[i].v);
	free(it->answers);
	memset(it, 0, sizeof(*it));
}

void summary_clear(struct summary *sm)
{
	size_t i;

	if (!sm)
		return;
	for (i = 0; i < sm->nitems; i++)
		item_clear(&sm->items[i]);
	free(sm->items);
	share_list_free(sm->cards, sm->ncards);
	for (i = 0; i < sm->ncheckins; i++)
		checkin_clear(&sm->checkins[i]);
	free(sm->checkins);
	journal_list_free(sm->journal, sm->njournal);
	memset(sm, 0, sizeof(*sm));
}

/*
 * The answers to row of kind ak that are shared with the care team, added
 * to it; member is whose summary it is: the other partner's side of a
 * breach comes only once member wrote theirs, as on the breach itself.
 */
static int add_answers(const struct core *c, const struct session *s, const struct item_kind *ak,
		       const struct item_row *row, const char *member, struct summary_item *it)
{
	struct item_view *views = NULL;
	size_t n = 0, i;
	int r, wrote = 0;

	r = item_answers(c, s, ak, row, &views, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n && ak == &breach_repair_kind; i++)
		wrote |= strcmp(views[i].author_id, member) == 0;
	for (i = 0; i < n; i++) {
		struct summary_answer *grown;

		if (!(views[i].shared_with & ACCESS_SHARE_CARE))
			continue;
		if (ak == &breach_repair_kind && strcmp(views[i].author_id, member) != 0 && !wrote)
			continue; /* the partner's side, read only after writing one's own */
		grown = realloc(it->answers, (it->nanswers + 1) * sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		it->answers = grown;
		grown[it->nanswers].kind = ak;
		grown[it->nanswers].v = views[i]; /* moved: its texts are the summary's now */
		memset(&views[i], 0, sizeof(views[i]));
		it->nanswers++;
	}
	item_views_free(views, n);
	return r;
}

/* The caller's items of top-level kind k shared with the care team and written in the range. */
static int add_kind(const struct core *c, const struct session *s, const struct item_kind *k,
		    struct summary *sm)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = k->name,
			       .author_id = sm->member_id,
			       .limit = core_list_limit(c, k->list_max)};
	struct item_row *rows = NULL;
	size_t n = 0, i, j;
	int r;

	r = item_list(c, &q, &rows, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		struct summary_item *grown, *it;

		if (!(rows[i].shared_with & ACCESS_SHARE_CARE) || !in_range(sm, rows[i].created_at))
			continue;
		grown = realloc(sm->items, (sm->nitems + 1) * sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		sm->items = grown;
		it = &grown[sm->nitems];
		memset(it, 0, sizeof(*it));
		it->kind = k;
		r = item_view_open(c, k, s, &rows[i], &it->v);
		if (r != 0) { /* one damaged row is not the whole summary */
			r = core_skip_unreadable(c, r);
			continue;
		}
		sm->nitems++;
		for (j = 0; item_kinds[j] && r == 0; j++)
			if (item_kinds[j]->parent && item_kinds[j]->fields &&
			    strcmp(item_kinds[j]->parent, k->name) == 0)
				r = add_answers(c, s, item_kinds[j], &rows[i], sm->member_id, it);
	}
	store_item_list_free(rows, n);
	return r;
}

/* The caller's openness cards shared with the care team, written in the range. */
static int add_cards(const struct core *c, const struct session *s, struct summary *sm)
{
	struct share *list = NULL;
	size_t n = 0, i;
	int r;

	r = share_list(c, s, &list, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	sm->cards = calloc(n ? n : 1, sizeof(*sm->cards));
	for (i = 0; sm->cards && i < n; i++) {
		if (strcmp(list[i].author_id, sm->member_id) != 0 ||
		    !(list[i].shared_with & ACCESS_SHARE_CARE) || !in_range(sm, list[i].created_at))
			continue;
		sm->cards[sm->ncards++] = list[i]; /* moved */
		memset(&list[i], 0, sizeof(list[i]));
	}
	share_list_free(list, n);
	return sm->cards ? 0 : -ENOMEM;
}

/* The trend of the check-ins kept (oldest period first). */
static void trend_of(struct summary *sm)
{
	struct summary_trend *t = &sm->trend;
	long trust = 0, closeness = 0, dims[_CHECKIN_DIM_MAX] = {0};
	size_t i, d;

	memset(t, 0, sizeof(*t));
	t->n = sm->ncheckins;
	if (t->n == 0)
		return;
	for (i = 0; i < t->n; i++) {
		trust += sm->checkins[i].trust;
		closeness += sm->checkins[i].closeness;
		for (d = 0; d < _CHECKIN_DIM_MAX; d++)
			dims[d] += sm->checkins[i].scores[d];
	}
	t->trust_first = sm->checkins[0].trust;
	t->trust_last = sm->checkins[t->n - 1].trust;
	t->closeness_first = sm->checkins[0].closeness;
	t->closeness_last = sm->checkins[t->n - 1].closeness;
	/* tenths, rounded half up: the scores are small and never negative */
	t->trust_avg10 = (int)((trust * 20 + (long)t->n) / (2 * (long)t->n));
	t->closeness_avg10 = (int)((closeness * 20 + (long)t->n) / (2 * (long)t->n));
	for (d = 0; d < _CHECKIN_DIM_MAX; d++)
		t->dims_avg10[d] = (int)((dims[d] * 20 + (long)t->n) / (2 * (long)t->n));
}

/* The caller's check-ins shared with the care team, periods in the range, oldest first. */
static int add_checkins(const struct core *c, const struct session *s, struct summary *sm)
{
	struct checkin_list list = {0};
	size_t i;
	int r;

	r = checkin_list(c, s, sm->from, sm->to, &list);
	if (r != 0)
		return r > 0 ? -EIO : r;
	sm->checkins = calloc(list.n ? list.n : 1, sizeof(*sm->checkins));
	/* the list runs newest period first: keep it turned around */
	for (i = list.n; sm->checkins && i-- > 0;) {
		if (strcmp(list.items[i].author_id, sm->member_id) != 0 ||
		    !(list.items[i].shared_with & ACCESS_SHARE_CARE))
			continue;
		sm->checkins[sm->ncheckins++] = list.items[i]; /* moved */
		memset(&list.items[i], 0, sizeof(list.items[i]));
	}
	checkin_list_free(&list);
	if (!sm->checkins)
		return -ENOMEM;
	trend_of(sm);
	return 0;
}

/* The journal entries picked, each one of the caller's own (journal_read() reads no other). */
static int add_journal(const struct core *c, const struct session *s, const char *const *ids,
		       size_t n, struct summary *sm)
{
	size_t i, j;
	int r;

	if (n > SUMMARY_JOURNAL_MAX)
		return SUMMARY_BAD_JOURNAL;
	sm->journal = calloc(n ? n : 1, sizeof(*sm->journal));
	if (!sm->journal)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				break;
		if (j < i) /* picked twice: once is enough */
			continue;
		r = journal_read(c, s, ids[i], &sm->journal[sm->njournal]);
		if (r > 0)
			return SUMMARY_BAD_JOURNAL;
		if (r < 0)
			return r;
		sm->njournal++;
	}
	return 0;
}

int summary_partners(const struct core *c, const struct session *s, struct member_brief **ret,
		     size_t *n)
{
	struct member_brief *list = NULL;
	size_t nlist = 0, i, kept = 0;
	int r;

	*ret = NULL;
	*n = 0;
	if (s->care_ended)
		return 0;
	r = STORE_CALL(c->st, couple_members, s->couple_id, &list, &nlist);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < nlist; i++)
		if (strcmp(list[i].role, "partner") == 0 && !list[i].left)
			list[kept++] = list[i];
	*ret = list;
	*n = kept;
	return 0;
}

/* Whose summary the caller reads: 0 with sm->member_id set, or SUMMARY_BAD_MEMBER. */
static int summary_member(const struct core *c, const struct session *s, const char *member_id,
			  struct summary *sm)
{
	struct member_brief *list = NULL;
	size_t n = 0, i;
	int r;

	if (item_partner(s)) {
		if (member_id && strcmp(member_id, s->member_id) != 0)
			return SUMMARY_BAD_MEMBER; /* a partner's summary is their own */
		snprintf(sm->member_id, sizeof(sm->member_id), "%s", s->member_id);
		return 0;
	}
	if (!member_id || !item_therapist(s))
		return SUMMARY_BAD_MEMBER;
	if (s->care_ended)
		return 0; /* an empty space, whoever is named: not even whose ids are whose */
	r = summary_partners(c, s, &list, &n);
	for (i = 0; r == 0 && i < n; i++)
		if (strcmp(list[i].id, member_id) == 0)
			break;
	if (r == 0 && i == n)
		r = SUMMARY_BAD_MEMBER;
	if (r == 0)
		snprintf(sm->member_id, sizeof(sm->member_id), "%s", member_id);
	free(list);
	return r;
}

int summary_build(const struct core *c, const struct session *s, const char *member_id,
		  const char *from, const char *to, const char *const *journal_ids, size_t njournal,
		  struct summary *ret)
{
	struct summary sm;
	size_t i;
	int r;

	memset(&sm, 0, sizeof(sm));
	r = summary_range_check(from, to);
	if (r != 0)
		return r;
	memcpy(sm.from, from, CHECKIN_DATE_LEN);
	memcpy(sm.to, to, CHECKIN_DATE_LEN);
	r = summary_member(c, s, member_id, &sm);
	if (r != 0)
		return r;
	/* the journal is always private: only its author picks from it, for their own summary */
	if (njournal > 0 && strcmp(sm.member_id, s->member_id) != 0)
		return SUMMARY_BAD_JOURNAL;
	if (s->care_ended) {
		*ret = sm; /* a therapist whose access ended reads nothing, old or new */
		return 0;
	}
	r = add_journal(c, s, journal_ids, njournal, &sm);
	for (i = 0; r == 0 && item_kinds[i]; i++)
		if (!item_kinds[i]->parent && item_kinds[i]->fields)
			r = add_kind(c, s, item_kinds[i], &sm);
	if (r == 0)
		r = add_cards(c, s, &sm);
	if (r == 0)
		r = add_checkins(c, s, &sm);
	if (r != 0) {
		summary_clear(&sm);
		return r;
	}
	*ret = sm;
	return 0;
}
