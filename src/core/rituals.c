/*
 * rituals.c: the kinds of step 5 (be patient and kind) that are all data
 * (core/rituals.h).  Rituals of connection are the couple's: both
 * partners see them (sealed under the couple key, as workshops are), and
 * the one who wrote a ritual changes or removes it, the registry's rule.
 * The self-care log is each partner's own, private unless they share an
 * entry with the partner or the care team.
 *
 * Neither keeps a count of days in a row, a score or a gap: what was not
 * done is never shown (issue 15: "no streaks, no scores, no 'you missed
 * it'").
 */
#include <string.h>

#include "core/checkin.h"
#include "core/rituals.h"
#include "i18n/i18n.h"

#define RITUALS_MAX	     100       /* the rituals a list shows */
#define RITUAL_TITLE_MAX     200       /* characters */
#define SELFCARE_MAX	     200       /* the newest entries a list shows */
#define SELFCARE_NOTE_MAX    1000      /* characters */
#define SELFCARE_MINUTES_MAX (24 * 60) /* a day */
#define SELFCARE_DAYS_AROUND 366       /* a day within a year of today, either way */

/* ---- rituals of connection ----------------------------------------------- */

/*
 * The four of Gottman's rituals of connection the issue names: how the
 * partners part in the morning, how they meet again, a weekly date and a
 * weekly "state of the union" talk.
 */
static const char *const ritual_kinds[] = {"parting", "reunion", "date", "state_of_union", NULL};
static const char *const ritual_every[] = {"day", "week", NULL};

enum { RITUAL_F_KIND, RITUAL_F_TITLE, RITUAL_F_EVERY, RITUAL_F_TIME, RITUAL_NFIELDS };

/* Everything sealed: how a couple greets each other is their own. */
static const struct field ritual_fields[] = {
	[RITUAL_F_KIND] = {"kind", FIELD_ENUM, 1, 0, 0, ritual_kinds},
	[RITUAL_F_TITLE] = {"title", FIELD_STRING, 1, 1, RITUAL_TITLE_MAX, NULL},
	[RITUAL_F_EVERY] = {"every", FIELD_ENUM, 1, 0, 0, ritual_every},
	/* HH:MM, 24 hours; checked by ritual_check() */
	[RITUAL_F_TIME] = {"time", FIELD_STRING, 0, 5, 5, NULL},
};
_Static_assert(RITUAL_NFIELDS <= ITEM_FIELDS_MAX, "a ritual's fields fit an item");

/* A time of day is HH:MM, 00:00 through 23:59. */
static int ritual_check(const struct item_values *v, const char *today, const char **field)
{
	const char *t = v->v[RITUAL_F_TIME];

	(void)today;
	if (!t)
		return 0;
	*field = ritual_fields[RITUAL_F_TIME].name;
	if (v->len[RITUAL_F_TIME] != 5 || t[2] != ':' || t[0] < '0' || t[0] > '2' || t[1] < '0' ||
	    t[1] > '9' || t[3] < '0' || t[3] > '5' || t[4] < '0' || t[4] > '9' ||
	    (t[0] == '2' && t[1] > '3'))
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

const struct item_kind ritual_kind = {
	.name = "ritual",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "rituals_",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = RITUALS_MAX,
	.plural = "rituals",
	.title = N_("Rituals of connection"),
	.fields = ritual_fields,
	.nfields = RITUAL_NFIELDS,
	.partners_only = 1,
	.check = ritual_check,
};

int rituals_count(const struct core *c, const struct session *s, size_t *ret_daily,
		  size_t *ret_weekly)
{
	struct item_view *list = NULL;
	size_t n = 0, i, daily = 0;
	int r;

	r = item_views(c, s, &ritual_kind, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++)
		daily += list[i].values[RITUAL_F_EVERY] &&
			 strcmp(list[i].values[RITUAL_F_EVERY], "day") == 0;
	item_views_free(list, n);
	*ret_daily = daily;
	*ret_weekly = n - daily;
	return 0;
}

/* ---- the self-care log --------------------------------------------------- */

static const char *const selfcare_kinds[] = {"exercise", "meditation", "yoga", "therapy",
					     "sleep",	 "other",      NULL};

enum {
	SELFCARE_F_KIND,
	SELFCARE_F_DONE_ON,
	SELFCARE_F_MINUTES,
	SELFCARE_F_NOTE,
	SELFCARE_F_SHARED,
	SELFCARE_NFIELDS
};

/*
 * The day is plain (the list runs by it, latest first); what was done,
 * for how long and the note are sealed: even "therapy" says something.
 */
static const struct field selfcare_fields[] = {
	[SELFCARE_F_KIND] = {"kind", FIELD_ENUM, 1, 0, 0, selfcare_kinds},
	[SELFCARE_F_DONE_ON] = {"done_on", FIELD_DATE, 1, 0, 0, NULL},
	[SELFCARE_F_MINUTES] = {"minutes", FIELD_INT, 0, 1, SELFCARE_MINUTES_MAX, NULL},
	[SELFCARE_F_NOTE] = {"note", FIELD_STRING, 0, 0, SELFCARE_NOTE_MAX, NULL},
	[SELFCARE_F_SHARED] = {"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};
_Static_assert(SELFCARE_NFIELDS <= ITEM_FIELDS_MAX, "a self-care entry's fields fit an item");

/*
 * A day within a year of today, either way: written down afterwards, or
 * set down ahead as something one means to do for oneself.
 */
static int selfcare_check(const struct item_values *v, const char *today, const char **field)
{
	char lo[CHECKIN_DATE_LEN + 1], hi[CHECKIN_DATE_LEN + 1];
	const char *day = v->v[SELFCARE_F_DONE_ON];

	(void)today;
	*field = selfcare_fields[SELFCARE_F_DONE_ON].name;
	checkin_today(lo, -SELFCARE_DAYS_AROUND);
	checkin_today(hi, SELFCARE_DAYS_AROUND);
	if (!day || strcmp(day, lo) < 0 || strcmp(day, hi) > 0)
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

const struct item_kind selfcare_kind = {
	.name = "selfcare",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "selfcare",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = SELFCARE_MAX,
	.plural = "selfcare",
	.title = N_("Taking care of yourself"),
	.fields = selfcare_fields,
	.nfields = SELFCARE_NFIELDS,
	.plain_mask = 1u << SELFCARE_F_DONE_ON,
	/* the couple's therapist reads those shared with the care team, and writes none */
	.partners_only = 0,
	.check = selfcare_check,
	.sort_by = 1 + SELFCARE_F_DONE_ON,
};
