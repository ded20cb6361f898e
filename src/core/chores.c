/*
 * chores.c: the chores rota (core/chores.h).  Its items go through record.c
 * like a kind that is all data; the kind keeps this file because who does a
 * chore is worked out for a week asked for, from the couple's two partners,
 * which a kind's fields and check cannot see.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/chores.h"
#include "i18n/i18n.h"

const struct field chore_fields[CHORE_NFIELDS] = {
	[CHORE_F_TITLE] = {"title", FIELD_STRING, 1, 1, CHORE_TITLE_MAX, NULL},
	[CHORE_F_FIRST] = {"first_partner", FIELD_ID, 1, 0, 0, NULL},
	[CHORE_F_STARTS] = {"starts_on", FIELD_DATE, 1, 0, 0, NULL},
};

/* Everything sealed: even who starts is the couple's own business. */
const struct item_kind chore_kind = {
	.name = "chore",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "chores__",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = CHORES_MAX,
	.fields = chore_fields,
	.nfields = CHORE_NFIELDS,
	.partners_only = 1,
};

/* The couple's two partners into ids (the reader first); 1 when there are two, else 0. */
static int partners(const struct core *c, const struct session *s, char ids[2][VAULT_ID_HEX + 1],
		    int *two)
{
	struct member_view mv;
	size_t i;
	int r;

	memset(&mv, 0, sizeof(mv));
	r = account_describe(c, s, &mv);
	if (r != 0)
		return r < 0 ? r : -EIO;
	memcpy(ids[0], s->member_id, VAULT_ID_HEX + 1);
	ids[1][0] = '\0';
	for (i = 0; i < mv.npartners && i < 2; i++)
		if (strcmp(mv.partners[i].id, s->member_id) != 0)
			memcpy(ids[1], mv.partners[i].id, VAULT_ID_HEX + 1);
	*two = ids[1][0] != '\0';
	return 0;
}

/* The Monday of date's week into out; -EINVAL for a bad date. */
static int monday_of(const char *date, char out[CHECKIN_DATE_LEN + 1])
{
	return checkin_period_of("weekly", date, out);
}

/* Who does the chore in week n of it (0: its first), from first and the other partner. */
static void turn(char out[VAULT_ID_HEX + 1], long n, const char *first, const char *other)
{
	const char *who = n < 0 ? "" : n % 2 == 0 ? first : other;

	memcpy(out, who, strlen(who) + 1); /* "" when the other partner left */
}

/* Who does ch in the week of the Monday `week`, and the week after. */
static void assign(struct chore *ch, const char *week, char ids[2][VAULT_ID_HEX + 1])
{
	const char *first = ch->v.values[CHORE_F_FIRST];
	long w, start;

	ch->assigned_to[0] = ch->next_to[0] = '\0';
	if (!first || checkin_date_days(week, &w) < 0 ||
	    checkin_date_days(ch->v.values[CHORE_F_STARTS], &start) < 0)
		return;
	/* both are Mondays: the difference is whole weeks, floored below zero */
	turn(ch->assigned_to, w >= start ? (w - start) / 7 : -1, first,
	     strcmp(first, ids[0]) == 0 ? ids[1] : ids[0]);
	turn(ch->next_to, w + 7 >= start ? (w + 7 - start) / 7 : -1, first,
	     strcmp(first, ids[0]) == 0 ? ids[1] : ids[0]);
}

void chores_free(struct chore *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++)
		item_view_clear(&list[i].v);
	free(list);
}

int chores_list(const struct core *c, const struct session *s, const char *week, struct chore **ret,
		size_t *n)
{
	char monday[CHECKIN_DATE_LEN + 1], today[CHECKIN_DATE_LEN + 1];
	char ids[2][VAULT_ID_HEX + 1];
	struct item_view *views = NULL;
	struct chore *list;
	size_t nviews = 0, i;
	int r, two;

	*ret = NULL;
	*n = 0;
	if (week) {
		if (monday_of(week, monday) < 0 || strcmp(monday, week) != 0)
			return -EINVAL;
	} else {
		checkin_today(today, 0);
		monday_of(today, monday);
	}
	r = partners(c, s, ids, &two);
	if (r == 0)
		r = item_views(c, s, &chore_kind, &views, &nviews);
	if (r != 0)
		return r;
	list = calloc(nviews ? nviews : 1, sizeof(*list));
	if (!list) {
		item_views_free(views, nviews);
		return -ENOMEM;
	}
	for (i = 0; i < nviews; i++) {
		list[i].v = views[i];
		assign(&list[i], monday, ids);
	}
	free(views); /* the views moved into list */
	*ret = list;
	*n = nviews;
	return 0;
}

int chore_add(const struct core *c, const struct session *s, const struct item_values *sent,
	      struct chore *ret, const char **field)
{
	char ids[2][VAULT_ID_HEX + 1], start[CHECKIN_DATE_LEN + 1];
	char lo[CHECKIN_DATE_LEN + 1], hi[CHECKIN_DATE_LEN + 1];
	const char *first = sent->v[CHORE_F_FIRST];
	struct item_values v = *sent;
	int r, two;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = partners(c, s, ids, &two);
	if (r != 0)
		return r;
	*field = chore_fields[CHORE_F_FIRST].name;
	if (!first || sent->len[CHORE_F_FIRST] != VAULT_ID_HEX ||
	    (strcmp(first, ids[0]) != 0 && (!two || strcmp(first, ids[1]) != 0)))
		return ITEM_INVALID; /* one of the couple's partners, or nobody */
	*field = chore_fields[CHORE_F_STARTS].name;
	checkin_today(lo, -CHORE_DAYS_AROUND);
	checkin_today(hi, CHORE_DAYS_AROUND);
	if (!sent->v[CHORE_F_STARTS] || sent->len[CHORE_F_STARTS] != CHECKIN_DATE_LEN ||
	    monday_of(sent->v[CHORE_F_STARTS], start) < 0 ||
	    strcmp(sent->v[CHORE_F_STARTS], lo) < 0 || strcmp(sent->v[CHORE_F_STARTS], hi) > 0)
		return ITEM_INVALID; /* a date, within a year of today either way */
	*field = NULL;
	v.v[CHORE_F_STARTS] = start;
	v.len[CHORE_F_STARTS] = CHECKIN_DATE_LEN;
	r = item_create(c, s, &chore_kind, &v, ACCESS_SHARE_PARTNER, &ret->v, field);
	if (r != 0)
		return r;
	checkin_today(lo, 0);
	monday_of(lo, hi);
	assign(ret, hi, ids); /* as this week's rota shows it */
	return 0;
}

int chore_remove(const struct core *c, const struct session *s, const char *id)
{
	return item_remove(c, s, &chore_kind, id);
}
