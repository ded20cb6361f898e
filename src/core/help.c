/*
 * help.c: the help signals of step 4, help requests and dismissals
 * (core/help.h).  Nothing of a signal is stored: each is worked out when
 * read from what the reader may read (check-ins through checkin_list(),
 * which applies the reveal rule; breaches and repairs through
 * breaches_list(); requests through the registry's access rule), so a
 * signal cannot say more than the reader could see for themselves.
 *
 * Requests and dismissals go through record.c like the kinds that are all
 * data, but keep this file: their routes are not the registry's five (a
 * request raises a signal, a dismissal names a signal, not an id).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/breaches.h"
#include "core/checkin.h"
#include "core/help.h"
#include "i18n/i18n.h"

const char *const help_codes[] = {"trust_falling", "breaches", "overwhelmed",
				  "sexual_low",	   "asked",    NULL};
const char *const help_request_kinds[] = {"asked", "overwhelmed", NULL};

const struct field help_request_fields[HELP_REQ_NFIELDS] = {
	[HELP_REQ_F_KIND] = {"kind", FIELD_ENUM, 1, 0, 0, help_request_kinds},
	[HELP_REQ_F_NOTE] = {"note", FIELD_STRING, 0, 0, HELP_NOTE_MAX, NULL},
};

const struct field help_dismissal_fields[HELP_DIS_NFIELDS] = {
	[HELP_DIS_F_CODE] = {"code", FIELD_ENUM, 1, 0, 0, help_codes},
	[HELP_DIS_F_MARK] = {"mark", FIELD_STRING, 1, 1, HELP_MARK_MAX, NULL},
};

/* Always shared with the partner, never the care team: it raises a signal for both partners. */
const struct item_kind help_request_kind = {
	.name = "help_request",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "helpreq_",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 100,
	.title = N_("Help requests"),
	.fields = help_request_fields,
	.nfields = HELP_REQ_NFIELDS,
	.partners_only = 1,
};

/* Private to its author, under their master key. */
const struct item_kind help_dismissal_kind = {
	.name = "help_dismissal",
	.key_from = ITEM_KEY_MEMBER,
	.key_ctx = "helpdis_",
	.key_id = 1,
	.shared_default = 0,
	.list_max = 2 * _HELP_CODE_MAX, /* one per code; room for a race's second */
	.title = N_("Help signals set aside"),
	.fields = help_dismissal_fields,
	.nfields = HELP_DIS_NFIELDS,
	.partners_only = 1,
};

int help_code_find(const char *name)
{
	int i;

	for (i = 0; name && help_codes[i]; i++)
		if (strcmp(help_codes[i], name) == 0)
			return i;
	return -1;
}

const char *help_signal_reason(const struct help_signal *sig)
{
	unsigned who = sig->who;

	switch (sig->code) {
	case HELP_TRUST_FALLING:
		if (who == (HELP_WHO_ME | HELP_WHO_PARTNER))
			return N_("Both of your trust scores have gone down three check-ins in a "
				  "row.");
		if (who == HELP_WHO_PARTNER)
			return N_("Your partner's trust score has gone down three check-ins in a "
				  "row.");
		return N_("Your trust score has gone down three check-ins in a row.");
	case HELP_BREACHES:
		return N_("Two or more breaches were recorded in the last 30 days.");
	case HELP_OVERWHELMED:
		if (who == (HELP_WHO_ME | HELP_WHO_PARTNER))
			return N_("You both said you feel overwhelmed.");
		if (who == HELP_WHO_PARTNER)
			return N_("Your partner says they feel overwhelmed.");
		return N_("You said you feel overwhelmed.");
	case HELP_SEXUAL_LOW:
		if (who == (HELP_WHO_ME | HELP_WHO_PARTNER))
			return N_("For a month now, both of you have rated your sexual wellbeing 1 "
				  "or 2.");
		if (who == HELP_WHO_PARTNER)
			return N_("For a month now, your partner has rated their sexual wellbeing "
				  "1 or 2.");
		return N_("For a month now, you have rated your sexual wellbeing 1 or 2.");
	case HELP_ASKED:
	default:
		if (who == (HELP_WHO_ME | HELP_WHO_PARTNER))
			return N_("You both asked for professional help.");
		if (who == HELP_WHO_PARTNER)
			return N_("Your partner is asking for professional help.");
		return N_("You asked for professional help.");
	}
}

/* Evidence ------------------------------------------------------------------ */

/*
 * What one member's data says about one code: whether it holds, since
 * when, and the id of the item that marks its present cause.
 */
struct cause {
	int holds;
	char since[STORE_TIME_LEN + 1];
	char id[STORE_ID_LEN + 1];
};

/* Note an item (id, at time t) as a cause, keeping the newest. */
static void cause_newest(struct cause *c, const char *id, const char *t)
{
	if (c->holds && strcmp(t, c->since) <= 0)
		return;
	c->holds = 1;
	snprintf(c->since, sizeof(c->since), "%s", t);
	snprintf(c->id, sizeof(c->id), "%s", id);
}

static void cause_period(struct cause *c, const struct checkin *ci)
{
	c->holds = 1;
	snprintf(c->since, sizeof(c->since), "%sT00:00:00Z", ci->period);
	snprintf(c->id, sizeof(c->id), "%s", ci->id);
}

/* The check-ins of one member (mine or not), newest first, as pointers into a list. */
struct history {
	const struct checkin *ci[2 * (CHECKIN_RANGE_MAX_DAYS + 1)];
	size_t n;
};

/*
 * trust_falling: walking back from the newest check-in (recent), each in
 * the period just before the one after it and with a higher trust; three
 * falls hold; since is the check-in of the third fall counted from the
 * oldest, which stays the same while the run goes on.
 */
static void rule_trust(const struct history *h, const char *rhythm, const char *recent,
		       struct cause *out)
{
	char before[CHECKIN_DATE_LEN + 1];
	size_t k = 0;

	if (h->n == 0 || strcmp(h->ci[0]->period, recent) < 0)
		return;
	while (k + 1 < h->n && checkin_period_step(rhythm, h->ci[k]->period, -1, before) == 0 &&
	       strcmp(before, h->ci[k + 1]->period) == 0 && h->ci[k]->trust < h->ci[k + 1]->trust)
		k++;
	if (k >= HELP_FALLS)
		cause_period(out, h->ci[k - HELP_FALLS]);
}

/*
 * sexual_low: the newest check-ins (the newest recent) whose sexual score
 * is 1 or 2, back to the first that is not; they hold when they cover
 * HELP_LOW_DAYS days from the start of the oldest period to the end of the
 * newest; since is the first check-in at which they did.
 */
static void rule_sexual(const struct history *h, const char *rhythm, const char *recent,
			struct cause *out)
{
	long plen = strcmp(rhythm, "weekly") == 0 ? 7 : 1, oldest, d;
	size_t m = 0, i;

	if (h->n == 0 || strcmp(h->ci[0]->period, recent) < 0)
		return;
	while (m < h->n && h->ci[m]->scores[CHECKIN_SEXUAL] <= HELP_LOW_MAX)
		m++;
	if (m == 0 || checkin_date_days(h->ci[m - 1]->period, &oldest) < 0)
		return;
	for (i = m; i-- > 0;) {
		if (checkin_date_days(h->ci[i]->period, &d) < 0)
			return;
		if (d + plen - oldest >= HELP_LOW_DAYS) {
			cause_period(out, h->ci[i]);
			return;
		}
	}
}

/* The check-in rules, for the reader (who 0) and the partner (who 1). */
static int checkin_causes(const struct core *c, const struct session *s, const char *today,
			  struct cause trust[2], struct cause low[2])
{
	struct checkin_list list;
	struct history *h;
	char rhythm[8], from[CHECKIN_DATE_LEN + 1], to[CHECKIN_DATE_LEN + 1];
	char recent[CHECKIN_DATE_LEN + 1], now[CHECKIN_DATE_LEN + 1], p[CHECKIN_DATE_LEN + 1];
	char start[CHECKIN_DATE_LEN + 1];
	size_t i;
	int r, who;

	r = checkin_rhythm_get(c, s, rhythm);
	if (r < 0)
		return r;
	if (checkin_date_add(today, -(CHECKIN_RANGE_MAX_DAYS - 2), from) < 0 ||
	    checkin_date_add(today, CHECKIN_FUTURE_DAYS, to) < 0 ||
	    checkin_date_add(today, -(HELP_RECENT_DAYS - 1), start) < 0 ||
	    checkin_period_of(rhythm, start, recent) < 0 ||
	    checkin_period_of(rhythm, today, now) < 0)
		return -EINVAL;
	memset(&list, 0, sizeof(list));
	r = checkin_list(c, s, from, to, &list);
	if (r != 0)
		return r < 0 ? r : -EIO;
	h = calloc(2, sizeof(*h));
	if (!h) {
		checkin_list_free(&list);
		return -ENOMEM;
	}
	/* one per member per period, of the rhythm the couple keeps now */
	for (i = 0; i < list.n; i++) {
		const struct checkin *ci = &list.items[i];
		struct history *hw = &h[ci->mine ? 0 : 1];

		if (checkin_period_of(rhythm, ci->period, p) < 0 || strcmp(p, ci->period) != 0)
			continue;
		if (hw->n > 0 && strcmp(hw->ci[hw->n - 1]->period, ci->period) == 0)
			continue;
		if (hw->n < sizeof(hw->ci) / sizeof(hw->ci[0]))
			hw->ci[hw->n++] = ci;
	}
	for (who = 0; who < 2; who++) {
		rule_trust(&h[who], rhythm, recent, &trust[who]);
		rule_sexual(&h[who], rhythm, recent, &low[who]);
	}
	free(h);
	checkin_list_free(&list);
	return 0;
}

/* Whether the comma-joined feelings hold "overwhelmed". */
static int names_overwhelmed(const char *set)
{
	const char *word = "overwhelmed";
	size_t n = strlen(word);

	while (set && *set) {
		size_t len = strcspn(set, ",");

		if (len == n && memcmp(set, word, n) == 0)
			return 1;
		set += len;
		if (*set == ',')
			set++;
	}
	return 0;
}

/* breaches: two or more recent; overwhelmed: a repair the reader reads that names it. */
static int breach_causes(const struct core *c, const struct session *s, const char *start,
			 struct cause *breaches, struct cause over[2])
{
	struct breach *list = NULL;
	size_t n = 0, i, j, recent = 0;
	int r;

	r = breaches_list(c, s, &list, &n);
	if (r != 0)
		return r < 0 ? r : -EIO;
	for (i = 0; i < n; i++) {
		const struct breach *b = &list[i];

		if (strncmp(b->v.created_at, start, CHECKIN_DATE_LEN) >= 0) {
			recent++;
			cause_newest(breaches, b->v.id, b->v.created_at);
		}
		for (j = 0; j < b->nrepairs; j++) {
			const struct item_view *rp = &b->repairs[j];

			if (strncmp(rp->updated_at, start, CHECKIN_DATE_LEN) >= 0 &&
			    names_overwhelmed(rp->values[REPAIR_F_FEELINGS]))
				cause_newest(&over[rp->mine ? 0 : 1], rp->id, rp->updated_at);
		}
	}
	breaches->holds = recent >= 2;
	breaches_free(list, n);
	return 0;
}

/* asked and overwhelmed: the recent requests of both. */
static int request_causes(const struct core *c, const struct session *s, const char *start,
			  struct cause asked[2], struct cause over[2])
{
	struct item_view *list = NULL;
	size_t n = 0, i;
	int r;

	r = help_requests_list(c, s, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		const char *kind = list[i].values[HELP_REQ_F_KIND];
		struct cause *to = kind && strcmp(kind, "asked") == 0 ? asked : over;

		if (strncmp(list[i].created_at, start, CHECKIN_DATE_LEN) >= 0)
			cause_newest(&to[list[i].mine ? 0 : 1], list[i].id, list[i].created_at);
	}
	item_views_free(list, n);
	return 0;
}

/* The signal of a code from one cause of the couple's (the breaches): 1 when it holds. */
static int couple_signal_of(enum help_code code, const struct cause *couple,
			    struct help_signal *sig)
{
	memset(sig, 0, sizeof(*sig));
	sig->code = code;
	if (!couple->holds)
		return 0;
	snprintf(sig->since, sizeof(sig->since), "%s", couple->since);
	snprintf(sig->mark, sizeof(sig->mark), "%s", couple->id);
	return 1;
}

/* The signal of a code from the causes of both members: 1 when either holds. */
static int signal_of(enum help_code code, const struct cause two[2], struct help_signal *sig)
{
	int who;

	memset(sig, 0, sizeof(*sig));
	sig->code = code;
	for (who = 0; who < 2; who++) {
		if (!two[who].holds)
			continue;
		sig->who |= who == 0 ? HELP_WHO_ME : HELP_WHO_PARTNER;
		if (strcmp(two[who].since, sig->since) > 0)
			snprintf(sig->since, sizeof(sig->since), "%s", two[who].since);
	}
	/* mine:partner, either empty: a change of either cause is a new mark */
	snprintf(sig->mark, sizeof(sig->mark), "%s:%s", two[0].holds ? two[0].id : "",
		 two[1].holds ? two[1].id : "");
	return sig->who != 0;
}

/* The reader's newest dismissal of each code: its mark, "" for none. */
static int dismissed_marks(const struct core *c, const struct session *s,
			   char marks[_HELP_CODE_MAX][HELP_MARK_MAX + 1],
			   char ids[][STORE_ID_LEN + 1])
{
	struct item_view *list = NULL;
	size_t n = 0, i;
	int r, code;

	memset(marks, 0, sizeof(char[_HELP_CODE_MAX][HELP_MARK_MAX + 1]));
	if (ids)
		memset(ids, 0, sizeof(char[_HELP_CODE_MAX][STORE_ID_LEN + 1]));
	r = help_dismissals_list(c, s, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) { /* newest first: the first of a code is the one */
		code = help_code_find(list[i].values[HELP_DIS_F_CODE]);
		if (code < 0 || marks[code][0] || !list[i].values[HELP_DIS_F_MARK])
			continue;
		snprintf(marks[code], HELP_MARK_MAX + 1, "%s", list[i].values[HELP_DIS_F_MARK]);
		if (ids)
			snprintf(ids[code], STORE_ID_LEN + 1, "%s", list[i].id);
	}
	item_views_free(list, n);
	return 0;
}

int help_signals(const struct core *c, const struct session *s, const char *today,
		 struct help_signal out[_HELP_CODE_MAX], size_t *n)
{
	struct cause trust[2], low[2], over[2], asked[2], breaches;
	char marks[_HELP_CODE_MAX][HELP_MARK_MAX + 1], start[CHECKIN_DATE_LEN + 1];
	size_t k = 0;
	int r;

	*n = 0;
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	if (checkin_date_add(today, -(HELP_RECENT_DAYS - 1), start) < 0)
		return -EINVAL;
	memset(trust, 0, sizeof(trust));
	memset(low, 0, sizeof(low));
	memset(over, 0, sizeof(over));
	memset(asked, 0, sizeof(asked));
	memset(&breaches, 0, sizeof(breaches));
	r = checkin_causes(c, s, today, trust, low);
	if (r == 0)
		r = breach_causes(c, s, start, &breaches, over);
	if (r == 0)
		r = request_causes(c, s, start, asked, over);
	if (r == 0)
		r = dismissed_marks(c, s, marks, NULL);
	if (r != 0)
		return r;
	k += (size_t)signal_of(HELP_TRUST_FALLING, trust, &out[k]);
	k += (size_t)couple_signal_of(HELP_BREACHES, &breaches, &out[k]);
	k += (size_t)signal_of(HELP_OVERWHELMED, over, &out[k]);
	k += (size_t)signal_of(HELP_SEXUAL_LOW, low, &out[k]);
	k += (size_t)signal_of(HELP_ASKED, asked, &out[k]);
	for (*n = 0; *n < k; (*n)++)
		out[*n].dismissed = strcmp(marks[out[*n].code], out[*n].mark) == 0;
	return 0;
}

int help_dismiss(const struct core *c, const struct session *s, const char *code)
{
	struct help_signal sigs[_HELP_CODE_MAX];
	char marks[_HELP_CODE_MAX][HELP_MARK_MAX + 1], ids[_HELP_CODE_MAX][STORE_ID_LEN + 1];
	char today[CHECKIN_DATE_LEN + 1];
	struct item_values v;
	struct item_view out;
	const struct help_signal *sig = NULL;
	const char *field = NULL;
	size_t n = 0, i;
	int r, want = help_code_find(code);

	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	if (want < 0)
		return ITEM_NOTFOUND;
	checkin_today(today, 0);
	r = help_signals(c, s, today, sigs, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((int)sigs[i].code == want)
			sig = &sigs[i];
	if (!sig)
		return ITEM_NOTFOUND;
	if (sig->dismissed)
		return 0;
	r = dismissed_marks(c, s, marks, ids);
	if (r != 0)
		return r;
	memset(&v, 0, sizeof(v));
	v.v[HELP_DIS_F_CODE] = help_codes[want];
	v.len[HELP_DIS_F_CODE] = strlen(help_codes[want]);
	v.v[HELP_DIS_F_MARK] = sig->mark;
	v.len[HELP_DIS_F_MARK] = strlen(sig->mark);
	/* one per code: the earlier one takes the new mark */
	if (ids[want][0])
		r = item_change(c, s, &help_dismissal_kind, ids[want], &v, 0, &out, &field);
	else
		r = item_create(c, s, &help_dismissal_kind, &v, 0, &out, &field);
	if (r == 0)
		item_view_clear(&out);
	return r == ITEM_INVALID ? -EINVAL : r;
}

int help_request_add(const struct core *c, const struct session *s, const char *kind,
		     const char *note, size_t len, struct item_view *out, const char **field)
{
	struct item_values v;

	*field = NULL;
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	memset(&v, 0, sizeof(v));
	v.v[HELP_REQ_F_KIND] = kind;
	v.len[HELP_REQ_F_KIND] = kind ? strlen(kind) : 0;
	if (note && len) {
		v.v[HELP_REQ_F_NOTE] = note;
		v.len[HELP_REQ_F_NOTE] = len;
	}
	return item_create(c, s, &help_request_kind, &v, ACCESS_SHARE_PARTNER, out, field);
}

int help_requests_list(const struct core *c, const struct session *s, struct item_view **out,
		       size_t *n)
{
	return item_views(c, s, &help_request_kind, out, n);
}

int help_dismissals_list(const struct core *c, const struct session *s, struct item_view **out,
			 size_t *n)
{
	return item_views(c, s, &help_dismissal_kind, out, n);
}
