/*
 * conflict.c: the conflict plan and time-outs (core/conflict.h).
 *
 * Not kinds that are all data (record.c): the couple has one plan, which
 * either partner may revise (a kind that is all data is changed by its
 * author alone), and it is agreed only while both accepted its current
 * version.  Its fields, sealed record and checks are record.c's all the
 * same (item_values_check(), item_row_fill(), item_view_open()).
 *
 * Who proposed a version is sealed in its record, and each acceptance is an
 * answer sealed by the partner who gave it, naming the version it accepts:
 * an operator who edits the file cannot make a plan look agreed.  A
 * version is accepted by proposing it; a partner's acceptance of an older
 * version does not count for a newer one, so a revision made at the moment
 * the other accepts never ends in "agreed" on a text they did not see.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/checkin.h"
#include "core/conflict.h"
#include "i18n/i18n.h"

const struct field conflict_plan_fields[CONFLICT_NFIELDS] = {
	[CONFLICT_F_WORD] = {"timeout_word", FIELD_STRING, 1, 1, CONFLICT_WORD_MAX, NULL},
	[CONFLICT_F_BREAK] = {"break_minutes", FIELD_INT, 1, CONFLICT_BREAK_MIN, CONFLICT_BREAK_MAX,
			      NULL},
	[CONFLICT_F_COME_BACK] = {"come_back", FIELD_STRING, 1, 1, CONFLICT_TEXT_MAX, NULL},
	[CONFLICT_F_SOFT_STARTUP] = {"soft_startup", FIELD_STRING, 1, 1, CONFLICT_TEXT_MAX, NULL},
	[CONFLICT_F_PROPOSED_BY] = {"proposed_by", FIELD_STRING, 1, VAULT_ID_HEX, VAULT_ID_HEX,
				    NULL},
};

/* The plan: one per couple (once = "plan"), everything sealed under the couple key. */
const struct item_kind conflict_plan_kind = {
	.name = "conflict_plan",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "conflict",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 1,
	.title = N_("Your plan for hard conversations"),
	.fields = conflict_plan_fields,
	.nfields = CONFLICT_NFIELDS,
	.partners_only = 1,
};

static const struct field accept_fields[] = {
	{"version", FIELD_INT, 1, 1, INT32_MAX, NULL},
};

/* A partner's acceptance: one per partner and plan (once = plan/member), the version it accepts. */
const struct item_kind conflict_accept_kind = {
	.name = "conflict_plan_ok",
	.parent = "conflict_plan",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "conflict",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 4,
	.fields = accept_fields,
	.nfields = 1,
	.partners_only = 1,
};

static const struct field timeout_fields[] = {
	{"minutes", FIELD_INT, 1, CONFLICT_BREAK_MIN, CONFLICT_BREAK_MAX, NULL},
};

/* A break taken now: its length is sealed; when it began is the row's own time. */
const struct item_kind timeout_kind = {
	.name = "timeout",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "timeouts",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = TIMEOUTS_MAX,
	.fields = timeout_fields,
	.nfields = 1,
	.partners_only = 1,
};

void conflict_plan_clear(struct conflict_plan *p)
{
	if (!p)
		return;
	item_view_clear(&p->v);
	memset(p, 0, sizeof(*p));
}

/* The newest item of k of the couple the reader may read, into *row (*has 0: none). */
static int newest_row(const struct core *c, const struct session *s, const struct item_kind *k,
		      struct item_row *row, int *has)
{
	struct item_query q = {.couple_id = s->couple_id, .kind = k->name, .limit = 1};
	struct item_row *rows = NULL;
	size_t n = 0;
	int r;

	*has = 0;
	if (!item_partner(s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &n);
	if (r == 0 && n == 1) {
		r = item_get(c, s, k, rows[0].id, ACCESS_READ, row);
		if (r == 0)
			*has = 1;
		else if (r == ITEM_NOTFOUND)
			r = 0; /* gone meanwhile */
	}
	store_item_list_free(rows, n);
	return r;
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

/* The partners' acceptances of the plan's current version into p. */
static int plan_accepts(const struct core *c, const struct session *s, const struct item_row *plan,
			struct conflict_plan *p)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = conflict_accept_kind.name,
		.parent_kind = conflict_plan_kind.name,
		.parent_id = plan->id,
		.limit = conflict_accept_kind.list_max,
	};
	struct item_row *rows = NULL;
	size_t n = 0, i;
	int r;

	r = item_list(c, &q, &rows, &n);
	for (i = 0; r == 0 && i < n; i++) {
		struct item_view a;
		int ok;

		if (strcmp(rows[i].author_id, p->accepted_by[0]) == 0 || p->naccepted >= 2)
			continue; /* the proposer accepted by proposing */
		r = item_view_open(c, &conflict_accept_kind, s, &rows[i], &a);
		if (r != 0) {
			r = core_skip_unreadable(c, r);
			continue;
		}
		ok = number(a.values[0]) == (long)p->v.version;
		item_view_clear(&a);
		if (ok)
			memcpy(p->accepted_by[p->naccepted++], rows[i].author_id, VAULT_ID_HEX + 1);
	}
	store_item_list_free(rows, n);
	return r;
}

/* The plan of row opened into *p, with who accepted its version. */
static int plan_open(const struct core *c, const struct session *s, const struct item_row *row,
		     struct conflict_plan *p)
{
	const char *by;
	int r;

	memset(p, 0, sizeof(*p));
	r = item_view_open(c, &conflict_plan_kind, s, row, &p->v);
	if (r != 0)
		return r;
	by = p->v.values[CONFLICT_F_PROPOSED_BY];
	if (!by || strlen(by) != VAULT_ID_HEX) {
		conflict_plan_clear(p);
		return -EBADMSG;
	}
	memcpy(p->accepted_by[0], by, VAULT_ID_HEX + 1);
	p->naccepted = 1;
	/* the row is its first author's; its last change, the current proposer's */
	session_seen_time(s, by, p->v.updated_at);
	r = plan_accepts(c, s, row, p);
	if (r != 0) {
		conflict_plan_clear(p);
		return r;
	}
	p->agreed = p->naccepted == 2;
	return 0;
}

int conflict_plan_read(const struct core *c, const struct session *s, struct conflict_plan *ret,
		       int *has)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = newest_row(c, s, &conflict_plan_kind, &row, has);
	if (r != 0 || !*has)
		return r;
	r = plan_open(c, s, &row, ret);
	store_item_free(&row);
	if (r != 0)
		*has = 0;
	return r;
}

int conflict_plan_propose(const struct core *c, const struct session *s,
			  const struct item_values *sent, struct conflict_plan *ret,
			  const char **field)
{
	struct item_values v = *sent;
	char old_plain[STORE_PLAIN_LEN + 1];
	struct item_row row;
	int64_t old_version;
	int r, has;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	v.v[CONFLICT_F_PROPOSED_BY] = s->member_id;
	v.len[CONFLICT_F_PROPOSED_BY] = VAULT_ID_HEX;
	r = item_values_check(&conflict_plan_kind, &v, field);
	if (r != 0)
		return r;
	r = newest_row(c, s, &conflict_plan_kind, &row, &has);
	if (r != 0)
		return r;
	if (!has) {
		item_start(&conflict_plan_kind, s, NULL, ACCESS_SHARE_PARTNER, &row);
		memcpy(row.sort, row.created_at, sizeof(row.sort));
		snprintf(row.once, sizeof(row.once), "plan"); /* one per couple */
		r = item_row_fill(&conflict_plan_kind, s, &v, &row);
		if (r == 0)
			r = item_insert(c, &row); /* two first plans at once: ITEM_CONFLICT */
	} else {
		memcpy(old_plain, row.plain, sizeof(old_plain));
		old_version = row.version;
		row.version++;
		session_now(row.updated_at, 0);
		r = item_row_fill(&conflict_plan_kind, s, &v, &row);
		if (r == 0)
			r = item_update(c, s, &row, old_version, old_plain);
	}
	store_item_free(&row);
	if (r != 0)
		return r;
	r = conflict_plan_read(c, s, ret, &has);
	return r == 0 && !has ? -EIO : r;
}

/* Writes the reader's acceptance of version (an answer to plan). */
static int accept_write(const struct core *c, const struct session *s, const struct item_row *plan,
			int64_t version)
{
	char num[24];
	struct item_values v;

	snprintf(num, sizeof(num), "%lld", (long long)version);
	memset(&v, 0, sizeof(v));
	v.v[0] = num;
	v.len[0] = strlen(num);
	return item_answer_put(c, s, &conflict_accept_kind, plan, &v);
}

int conflict_plan_accept(const struct core *c, const struct session *s, int64_t version,
			 struct conflict_plan *ret)
{
	struct item_row row;
	int r, has;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = newest_row(c, s, &conflict_plan_kind, &row, &has);
	if (r != 0)
		return r;
	if (!has)
		return ITEM_NOTFOUND;
	r = plan_open(c, s, &row, ret);
	if (r == 0 && version && version != ret->v.version)
		r = ITEM_CONFLICT; /* it changed since the caller read it */
	else if (r == 0 && strcmp(ret->accepted_by[0], s->member_id) == 0)
		r = ITEM_FORBIDDEN; /* their own proposal: accepted by making it */
	if (r == 0)
		r = accept_write(c, s, &row, ret->v.version);
	store_item_free(&row);
	conflict_plan_clear(ret);
	if (r != 0)
		return r;
	r = conflict_plan_read(c, s, ret, &has);
	return r == 0 && !has ? -EIO : r;
}

/* Two decimal digits at p as a number, or -1. */
static int two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* An RFC 3339 time in UTC ("YYYY-MM-DDTHH:MM:SSZ", as the store writes them) as seconds, or -1. */
static time_t utc_seconds(const char *when)
{
	char date[CHECKIN_DATE_LEN + 1];
	int h, m, sec;
	long days;

	if (!when || strlen(when) != STORE_TIME_LEN || when[10] != 'T' || when[13] != ':' ||
	    when[16] != ':' || when[19] != 'Z')
		return -1;
	memcpy(date, when, CHECKIN_DATE_LEN);
	date[CHECKIN_DATE_LEN] = '\0';
	h = two_digits(when + 11);
	m = two_digits(when + 14);
	sec = two_digits(when + 17);
	if (checkin_date_days(date, &days) < 0 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 ||
	    sec > 60)
		return -1;
	return (time_t)days * 86400 + h * 3600 + m * 60 + sec;
}

long timeout_minutes_left(const struct timeout *t)
{
	time_t end = utc_seconds(t->ends_at), now = time(NULL);

	return end < 0 || end - now <= 60 ? 1 : (long)((end - now + 59) / 60);
}

/* started (RFC 3339, UTC) plus minutes into out. */
static int add_minutes(const char *started, int minutes, char out[STORE_TIME_LEN + 1])
{
	time_t t = utc_seconds(started);
	struct tm tm;

	if (t < 0)
		return -EBADMSG;
	t += (time_t)minutes * 60;
	if (!gmtime_r(&t, &tm))
		return -EBADMSG;
	strftime(out, STORE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/*
 * A time-out opened as an item (item_view_open()) into *ret; started: when
 * the row was written, to the second (the view has the partner's to the day
 * only): a break that is running is meant to be seen by both, to its end.
 */
static int timeout_of(const struct item_view *v, const char *started, struct timeout *ret)
{
	long minutes = number(v->values[0]);

	memset(ret, 0, sizeof(*ret));
	if (minutes < CONFLICT_BREAK_MIN || minutes > CONFLICT_BREAK_MAX)
		return -EBADMSG;
	memcpy(ret->id, v->id, sizeof(ret->id));
	memcpy(ret->author_id, v->author_id, sizeof(ret->author_id));
	ret->mine = v->mine;
	ret->minutes = (int)minutes;
	snprintf(ret->started_at, sizeof(ret->started_at), "%s", started);
	return add_minutes(started, ret->minutes, ret->ends_at);
}

/* A time-out row opened into *ret. */
static int timeout_open(const struct core *c, const struct session *s, const struct item_row *row,
			struct timeout *ret)
{
	struct item_view v;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_view_open(c, &timeout_kind, s, row, &v);
	if (r != 0)
		return r;
	r = timeout_of(&v, row->created_at, ret);
	item_view_clear(&v);
	return r;
}

int timeout_start(const struct core *c, const struct session *s, int minutes, struct timeout *ret)
{
	struct item_values v;
	struct item_row row;
	char num[24];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	if (minutes == 0) {
		struct conflict_plan p;
		int has;

		r = conflict_plan_read(c, s, &p, &has);
		if (r != 0)
			return r;
		minutes = has ? (int)number(p.v.values[CONFLICT_F_BREAK]) : CONFLICT_BREAK_MIN;
		conflict_plan_clear(&p);
	}
	if (minutes < CONFLICT_BREAK_MIN || minutes > CONFLICT_BREAK_MAX)
		return ITEM_INVALID;
	snprintf(num, sizeof(num), "%d", minutes);
	memset(&v, 0, sizeof(v));
	v.v[0] = num;
	v.len[0] = strlen(num);
	item_start(&timeout_kind, s, NULL, ACCESS_SHARE_PARTNER, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	r = item_row_fill(&timeout_kind, s, &v, &row);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == 0)
		r = timeout_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int timeout_current(const struct core *c, const struct session *s, struct timeout *ret, int *has)
{
	char now[STORE_TIME_LEN + 1];
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = newest_row(c, s, &timeout_kind, &row, has);
	if (r != 0 || !*has)
		return r;
	r = timeout_open(c, s, &row, ret);
	store_item_free(&row);
	if (r == -EBADMSG) {
		*has = 0;
		return core_skip_unreadable(c, r);
	}
	session_now(now, 0);
	/* both are RFC 3339 in UTC: the text order is the time order */
	if (r != 0 || strcmp(ret->ends_at, now) <= 0)
		*has = 0;
	return r;
}

int timeouts_list(const struct core *c, const struct session *s, struct timeout **ret, size_t *n)
{
	struct item_view *views = NULL;
	struct timeout *list;
	size_t nviews = 0, i;
	int r;

	*ret = NULL;
	*n = 0;
	r = item_views(c, s, &timeout_kind, &views, &nviews); /* none for a therapist */
	if (r != 0)
		return r;
	list = calloc(nviews ? nviews : 1, sizeof(*list));
	if (!list)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < nviews; i++) {
		/* the partner's breaks of the past, to the day: when each began and ended */
		r = timeout_of(&views[i], views[i].created_at, &list[*n]);
		if (r == 0)
			session_seen_time(s, views[i].author_id, list[(*n)++].ends_at);
		else
			r = core_skip_unreadable(c, r);
	}
	item_views_free(views, nviews);
	if (r != 0) {
		free(list);
		*n = 0;
		return r;
	}
	*ret = list;
	return 0;
}
