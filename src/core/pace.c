/*
 * pace.c: the intimacy pace ladder and its pause (core/pace.h).
 *
 * Not a kind that is all data: its rule is that nobody ever reads the
 * partner's answers, yet the server must read both to work out what both
 * want.  So each partner's answers are one item of the kind "pace" (all
 * nine rungs in one sealed record; the store's "once" keeps it one per
 * member), kept private ({}: no list, route or export shows it to anyone
 * but its author) but sealed under the couple key, so that the server,
 * serving either partner, can open the partner's row here, and only here,
 * to feed pace_reveal().  What leaves this file is the reader's own
 * answers and what both want; never the partner's own.
 *
 * A pause is an item of the kind "pace_pause" (one per member, shared
 * with the partner, no content): standing while it exists, lifted by its
 * author deleting it.  Its created_at is when it began.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pace.h"
#include "i18n/i18n.h"

const char *const pace_rung_keys[_PACE_RUNG_MAX + 1] = {
	[PACE_HANDS] = "hands",
	[PACE_HUG] = "hug",
	[PACE_KISS] = "kiss",
	[PACE_CUDDLE] = "cuddle",
	[PACE_MASSAGE] = "massage",
	[PACE_SENSATE_1] = "sensate_1",
	[PACE_SENSATE_2] = "sensate_2",
	[PACE_SENSATE_3] = "sensate_3",
	[PACE_INTERCOURSE] = "intercourse",
	[_PACE_RUNG_MAX] = NULL,
};

/* The choices, by enum pace_choice (PACE_NONE has no key). */
static const char *const choice_names[_PACE_CHOICE_MAX] = {
	[PACE_NONE] = NULL,
	[PACE_NOT_YET] = "not_yet",
	[PACE_MAYBE] = "maybe",
	[PACE_YES] = "yes",
};
/* As a field's choices, in the order API.md gives them. */
const char *const pace_choice_keys[] = {"yes", "maybe", "not_yet", NULL};

static const char *const rung_titles[_PACE_RUNG_MAX] = {
	[PACE_HANDS] = N_("Holding hands"),
	[PACE_HUG] = N_("Hugging"),
	[PACE_KISS] = N_("Kissing"),
	[PACE_CUDDLE] = N_("Cuddling, with clothes on"),
	[PACE_MASSAGE] = N_("A massage"),
	[PACE_SENSATE_1] = N_("Sensate focus, stage 1: touch that leaves out breasts and genitals"),
	[PACE_SENSATE_2] =
		N_("Sensate focus, stage 2: touch that includes genitals, no intercourse"),
	[PACE_SENSATE_3] = N_("Sensate focus, stage 3: touching each other at the same time"),
	[PACE_INTERCOURSE] = N_("Intercourse"),
};

const struct field pace_fields[_PACE_RUNG_MAX] = {
	[PACE_HANDS] = {"hands", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_HUG] = {"hug", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_KISS] = {"kiss", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_CUDDLE] = {"cuddle", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_MASSAGE] = {"massage", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_SENSATE_1] = {"sensate_1", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_SENSATE_2] = {"sensate_2", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_SENSATE_3] = {"sensate_3", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
	[PACE_INTERCOURSE] = {"intercourse", FIELD_ENUM, 0, 0, 0, pace_choice_keys},
};

/*
 * What the sealed record holds for each rung: one byte, "-" for no answer,
 * so that every record has the same length whatever was answered (an
 * operator with the file learns nothing from the size of a ciphertext).
 * By enum pace_choice.
 */
static const char *const record_codes[_PACE_CHOICE_MAX + 1] = {
	[PACE_NONE] = "-", [PACE_NOT_YET] = "n",      [PACE_MAYBE] = "m",
	[PACE_YES] = "y",  [_PACE_CHOICE_MAX] = NULL,
};

#define PACE_RECORD_FIELD(key)                                                                     \
	{                                                                                          \
		key, FIELD_ENUM, 1, 0, 0, record_codes                                             \
	}

static const struct field record_fields[_PACE_RUNG_MAX] = {
	PACE_RECORD_FIELD("hands"),	  PACE_RECORD_FIELD("hug"),
	PACE_RECORD_FIELD("kiss"),	  PACE_RECORD_FIELD("cuddle"),
	PACE_RECORD_FIELD("massage"),	  PACE_RECORD_FIELD("sensate_1"),
	PACE_RECORD_FIELD("sensate_2"),	  PACE_RECORD_FIELD("sensate_3"),
	PACE_RECORD_FIELD("intercourse"),
};

_Static_assert(_PACE_RUNG_MAX <= ITEM_FIELDS_MAX, "one item holds every rung");

const struct item_kind pace_kind = {
	.name = "pace",
	.key_from = ITEM_KEY_COUPLE, /* the server opens it serving either partner */
	.key_ctx = "pace____",
	.key_id = 1,
	.shared_default = 0, /* its author's alone: nothing lists it to the partner */
	.shared_allowed = 0,
	.list_max = 4, /* one per partner */
	.title = N_("Your pace"),
	.fields = record_fields,
	.nfields = _PACE_RUNG_MAX,
	.partners_only = 1,
	.one_per_author = 1,
};

const struct item_kind pace_pause_kind = {
	.name = "pace_pause",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "pacepaus",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER, /* both see "paused" at once */
	.shared_allowed = 0,
	.list_max = 4, /* one per partner */
	.title = N_("Pause"),
	.partners_only = 1,
	.one_per_author = 1,
};

const char *pace_rung_title(size_t rung)
{
	return rung < _PACE_RUNG_MAX ? rung_titles[rung] : NULL;
}

int pace_rung_find(const char *key, size_t len)
{
	size_t i;

	for (i = 0; key && i < _PACE_RUNG_MAX; i++)
		if (strlen(pace_rung_keys[i]) == len && memcmp(pace_rung_keys[i], key, len) == 0)
			return (int)i;
	return -1;
}

enum pace_choice pace_choice_find(const char *s, size_t len)
{
	int i;

	for (i = PACE_NONE + 1; s && i < _PACE_CHOICE_MAX; i++)
		if (strlen(choice_names[i]) == len && memcmp(choice_names[i], s, len) == 0)
			return (enum pace_choice)i;
	return PACE_NONE;
}

const char *pace_choice_key(enum pace_choice c)
{
	return c > PACE_NONE && c < _PACE_CHOICE_MAX ? choice_names[c] : NULL;
}

void pace_reveal(const enum pace_choice mine[_PACE_RUNG_MAX],
		 const enum pace_choice theirs[_PACE_RUNG_MAX], int paused,
		 enum pace_choice both[_PACE_RUNG_MAX])
{
	int whole = !paused;
	size_t i;

	for (i = 0; i < _PACE_RUNG_MAX; i++)
		if (mine[i] == PACE_NONE || theirs[i] == PACE_NONE)
			whole = 0;
	for (i = 0; i < _PACE_RUNG_MAX; i++) {
		int yes = mine[i] == PACE_YES && theirs[i] == PACE_YES;
		int open = mine[i] >= PACE_MAYBE && theirs[i] >= PACE_MAYBE;

		both[i] = !whole ? PACE_NONE : yes ? PACE_YES : open ? PACE_MAYBE : PACE_NONE;
	}
}

/* The couple's other partner who has not left, into out; "" when there is none. */
static int partner_of(const struct core *c, const struct session *s, char *out, size_t cap)
{
	struct member_brief *list = NULL;
	size_t n = 0, i;
	int r;

	out[0] = '\0';
	r = STORE_CALL(c->st, couple_members, s->couple_id, &list, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < n; i++)
		if (strcmp(list[i].role, "partner") == 0 && !list[i].left &&
		    strcmp(list[i].id, s->member_id) != 0 && strlen(list[i].id) < cap) {
			memcpy(out, list[i].id, strlen(list[i].id) + 1);
			break;
		}
	free(list);
	return 0;
}

/*
 * The pace row author_id wrote, opened into *out (*has 1), or *has 0.  It
 * reads the partner's row too, which no access rule would show the
 * reader: its values stay in this file (see the top).
 */
static int row_of(const struct core *c, const struct session *s, const char *author_id,
		  struct item_view *out, int *has)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = pace_kind.name,
			       .author_id = author_id,
			       .limit = 1};
	struct item_row *rows = NULL;
	size_t n = 0;
	int r;

	*has = 0;
	r = item_list(c, &q, &rows, &n);
	if (r == ITEM_NOTFOUND)
		return 0;
	if (r != 0)
		return r;
	if (n > 0) {
		r = item_view_open(c, &pace_kind, s, &rows[0], out);
		*has = r == 0;
	}
	store_item_list_free(rows, n);
	return r;
}

/* The choice a record's code stands for; PACE_NONE for "-" or anything else. */
static enum pace_choice code_choice(const char *s, size_t len)
{
	int i;

	for (i = PACE_NONE + 1; len == 1 && i < _PACE_CHOICE_MAX; i++)
		if (s[0] == record_codes[i][0])
			return (enum pace_choice)i;
	return PACE_NONE;
}

/* The answers of an opened pace row; every rung PACE_NONE when has is 0. */
static void choices_of(const struct item_view *v, int has, enum pace_choice out[_PACE_RUNG_MAX])
{
	size_t i;

	for (i = 0; i < _PACE_RUNG_MAX; i++)
		out[i] = has && v->values[i] ? code_choice(v->values[i], v->lens[i]) : PACE_NONE;
}

/* The standing pauses: the reader's own, and the partner's (partner_id; others' are not). */
static int pauses_of(const struct core *c, const struct session *s, const char *partner_id,
		     struct pace *p)
{
	struct item_view *list = NULL;
	size_t n = 0, i;
	int r;

	r = item_views(c, s, &pace_pause_kind, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		int theirs = partner_id[0] && strcmp(list[i].author_id, partner_id) == 0;

		/* a pause of someone who left the couple lifts with them */
		if (!list[i].mine && !theirs)
			continue;
		p->paused = 1;
		p->paused_by_me |= list[i].mine;
		if (!p->paused_since[0] || strcmp(list[i].created_at, p->paused_since) < 0)
			memcpy(p->paused_since, list[i].created_at, sizeof(p->paused_since));
	}
	/* the day alone: the partner reads no time of day of the other's (docs/security.md) */
	if (p->paused && strlen(p->paused_since) >= 10)
		snprintf(p->paused_since + 10, sizeof(p->paused_since) - 10, "T00:00:00Z");
	item_views_free(list, n);
	return 0;
}

int pace_read(const struct core *c, const struct session *s, struct pace *ret)
{
	char partner_id[STORE_ID_LEN + 1];
	enum pace_choice theirs[_PACE_RUNG_MAX];
	struct item_view mine, partner;
	int has_mine = 0, has_partner = 0, r;

	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	r = partner_of(c, s, partner_id, sizeof(partner_id));
	if (r == 0)
		r = pauses_of(c, s, partner_id, ret);
	if (r == 0)
		r = row_of(c, s, s->member_id, &mine, &has_mine);
	if (r == 0 && partner_id[0])
		r = row_of(c, s, partner_id, &partner, &has_partner);
	if (r != 0)
		goto out;
	choices_of(&mine, has_mine, ret->mine);
	choices_of(&partner, has_partner, theirs);
	pace_reveal(ret->mine, theirs, ret->paused, ret->both);
	memset(theirs, 0, sizeof(theirs));
out:
	if (has_mine)
		item_view_clear(&mine);
	if (has_partner)
		item_view_clear(&partner);
	if (r != 0)
		memset(ret, 0, sizeof(*ret));
	return r;
}

int pace_answer(const struct core *c, const struct session *s,
		const char *const choices[_PACE_RUNG_MAX], struct pace *ret, const char **field)
{
	struct item_values v;
	struct item_view now, out;
	size_t i;
	int r = 0, tries, has;

	*field = NULL;
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	for (i = 0; i < _PACE_RUNG_MAX; i++)
		if (choices[i] && pace_choice_find(choices[i], strlen(choices[i])) == PACE_NONE) {
			*field = pace_rung_keys[i];
			return ITEM_INVALID;
		}
	for (tries = 0; tries < 2; tries++) {
		r = row_of(c, s, s->member_id, &now, &has);
		if (r != 0)
			return r;
		memset(&v, 0, sizeof(v));
		for (i = 0; i < _PACE_RUNG_MAX; i++) {
			enum pace_choice ch =
				choices[i] ? pace_choice_find(choices[i], strlen(choices[i]))
				: has && now.values[i] ? code_choice(now.values[i], now.lens[i])
						       : PACE_NONE;

			v.v[i] = record_codes[ch];
			v.len[i] = 1;
		}
		if (has)
			r = item_change(c, s, &pace_kind, now.id, &v, 0, &out, field);
		else
			r = item_create(c, s, &pace_kind, &v, 0, &out, field);
		if (has)
			item_view_clear(&now);
		/* a change or a first answer that lost a race reads again and writes once more */
		if (r != ITEM_CONFLICT)
			break;
	}
	if (r != 0)
		return r;
	item_view_clear(&out);
	return ret ? pace_read(c, s, ret) : 0;
}

int pace_answer_one(const struct core *c, const struct session *s, const char *key, size_t len,
		    const char *choice, struct pace *ret, const char **field)
{
	const char *choices[_PACE_RUNG_MAX] = {NULL};
	int rung = pace_rung_find(key, len);

	*field = NULL;
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	if (rung < 0) {
		*field = "rung";
		return ITEM_INVALID;
	}
	if (!choice || pace_choice_find(choice, strlen(choice)) == PACE_NONE) {
		*field = "choice";
		return ITEM_INVALID;
	}
	choices[rung] = choice;
	return pace_answer(c, s, choices, ret, field);
}

/* The reader's own pause row's id into id (cap bytes), "" when they have none. */
static int my_pause(const struct core *c, const struct session *s, char *id, size_t cap)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = pace_pause_kind.name,
			       .author_id = s->member_id,
			       .limit = 1};
	struct item_row *rows = NULL;
	size_t n = 0;
	int r;

	id[0] = '\0';
	r = item_list(c, &q, &rows, &n);
	if (r == ITEM_NOTFOUND)
		return 0;
	if (r == 0 && n > 0 && strlen(rows[0].id) < cap)
		memcpy(id, rows[0].id, strlen(rows[0].id) + 1);
	store_item_list_free(rows, n);
	return r;
}

int pace_pause(const struct core *c, const struct session *s, struct pace *ret)
{
	struct item_values v;
	struct item_view out;
	const char *field;
	int r;

	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	memset(&v, 0, sizeof(v));
	r = item_create(c, s, &pace_pause_kind, &v, ACCESS_SHARE_PARTNER, &out, &field);
	if (r == 0)
		item_view_clear(&out);
	else if (r == ITEM_CONFLICT)
		r = 0; /* paused already: the pause stands as it was, since when it began */
	if (r != 0)
		return r;
	return ret ? pace_read(c, s, ret) : 0;
}

int pace_resume(const struct core *c, const struct session *s, struct pace *ret)
{
	struct pace now;
	char id[STORE_ID_LEN + 1];
	int r;

	r = pace_read(c, s, &now);
	if (r == 0)
		r = my_pause(c, s, id, sizeof(id));
	if (r != 0)
		return r;
	if (!id[0] && now.paused)
		return ITEM_FORBIDDEN; /* the partner's pause is theirs to lift */
	if (id[0]) {
		r = item_remove(c, s, &pace_pause_kind, id);
		if (r == ITEM_NOTFOUND)
			r = 0; /* lifted at the same moment elsewhere */
		if (r != 0)
			return r;
	}
	return ret ? pace_read(c, s, ret) : 0;
}

int pace_summary(const struct core *c, const struct session *s, struct pace_summary *ret)
{
	struct pace p;
	size_t i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = pace_read(c, s, &p);
	if (r != 0)
		return r;
	ret->paused = p.paused;
	for (i = 0; i < _PACE_RUNG_MAX; i++) {
		ret->both_yes += p.both[i] == PACE_YES;
		ret->both_maybe += p.both[i] == PACE_MAYBE;
		ret->unanswered += p.mine[i] == PACE_NONE;
	}
	return 0;
}
