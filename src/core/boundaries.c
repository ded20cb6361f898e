/*
 * boundaries.c: the kinds of step 3 (set boundaries) that are all data.
 * Each is a descriptor and, where it has one, its own rule; record.c
 * stores, seals and guards its items, and the registry (kinds.c) gives
 * them their routes, API answers and pages.
 */
#include <string.h>

#include "core/checkin.h"
#include "core/item.h"
#include "i18n/i18n.h"

/* ---- limits a partner wants known ---------------------------------------- */

/*
 * A limit: a hard limit, a trigger, or a "not now" that lapses on a date.
 * Its owner shares it (or keeps it as a note to self) and alone changes or
 * removes it.  Everything of it is sealed: even which kind of limit it is
 * says something about the person.
 */
static const char *const limit_kinds[] = {"hard_limit", "trigger", "not_now", NULL};

enum { LIMIT_F_KIND, LIMIT_F_TEXT, LIMIT_F_UNTIL, LIMIT_F_SHARED };

static const struct field limit_fields[] = {
	[LIMIT_F_KIND] = {"kind", FIELD_ENUM, 1, 0, 0, limit_kinds},
	[LIMIT_F_TEXT] = {"text", FIELD_STRING, 1, 1, 1000, NULL},
	[LIMIT_F_UNTIL] = {"until", FIELD_DATE, 0, 0, 0, NULL},
	[LIMIT_F_SHARED] = {"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};

/* A "not now" lapses on a day within a year; the other kinds do not lapse. */
static int limit_check(const struct item_values *v, const char *today, const char **field)
{
	char last[CHECKIN_DATE_LEN + 1];
	const char *until = v->v[LIMIT_F_UNTIL];
	int not_now = v->v[LIMIT_F_KIND] && strcmp(v->v[LIMIT_F_KIND], "not_now") == 0;

	*field = limit_fields[LIMIT_F_UNTIL].name;
	if (!not_now)
		return until ? ITEM_INVALID : 0;
	checkin_today(last, 366);
	if (!until || strcmp(until, today) < 0 || strcmp(until, last) > 0)
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

/*
 * "active", or "lapsed" for a "not now" whose day has passed: it held
 * through its `until` and no longer asks anything of the partner, though
 * it stays written (its owner may renew it, change it or remove it).
 */
static const char *limit_status(char *const *values, const char *today)
{
	const char *kind = values[LIMIT_F_KIND], *until = values[LIMIT_F_UNTIL];

	if (kind && strcmp(kind, "not_now") == 0 && until && strcmp(until, today) < 0)
		return "lapsed";
	return "active";
}

const struct item_kind limit_kind = {
	.name = "limit",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "limits__",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 200,
	.plural = "limits",
	.title = N_("Limits you want known"),
	.fields = limit_fields,
	.nfields = sizeof(limit_fields) / sizeof(limit_fields[0]),
	/* a therapist reads the ones shared with the care team, and makes none */
	.partners_only = 0,
	.check = limit_check,
	.status = limit_status,
};
