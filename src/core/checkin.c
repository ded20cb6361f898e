/*
 * checkin.c: check-ins with simultaneous reveal, the couple's rhythm, and
 * the calendar arithmetic of step 2.
 *
 * A check-in's content is one sealed blob: a format byte, the five scores,
 * trust and closeness (one byte each), then the note's UTF-8 bytes.  It is
 * sealed under a subkey (context "checkin_") of the care key when shared
 * with the care team (the couple key while the couple has none), of the
 * couple key when shared with the partner alone, else of the author's
 * master key, with associated data "checkins.content|id|couple|version" so
 * that a blob moved to another row, couple or version does not open.
 *
 * Every row the store finds goes through access_allows() and then, for a
 * partner, through the reveal rule, checkin_sight(), which is a pure
 * function so that test-checkin.c can walk all its cases.  A therapist
 * reads what either partner shared with the care team at once: the reveal
 * is between the partners.  Dates follow the proleptic
 * Gregorian calendar of ISO 8601; the day count is Howard Hinnant's
 * days_from_civil / civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms"), exact for every year of 0001-9999.
 *
 * Not a kind of the registry: the reveal rule (the partner's check-in only
 * for a period the reader has checked in too) and the periods of the
 * couple's rhythm are rules the registry cannot express.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/access.h"
#include "core/checkin.h"
#include "core/couplekey.h"
#include "core/ledger.h"

#define CHECKIN_KEY_ID	     1
#define CHECKIN_UPDATE_TRIES 3
#define CHECKIN_FORMAT	     1				/* first byte of the sealed content */
#define CHECKIN_HEAD	     (1 + _CHECKIN_DIM_MAX + 2) /* format, scores, trust, closeness */
#define CHECKIN_RECENT	     4 /* periods the home page looks back over, this one included */

const char *const checkin_dims[] = {"emotional", "physical", "mental", "sexual", "financial", NULL};
const char *const checkin_rhythms[] = {"daily", "weekly", NULL};

/* Step 2 is the partners': see checkin.h. */
static int is_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

/* The care team reads what was shared with it, and writes nothing here. */
static int is_therapist(const struct session *s)
{
	return strcmp(s->role, "therapist") == 0;
}

enum checkin_sight checkin_sight(int mine, int readable, int reader_has_period)
{
	if (mine)
		return CHECKIN_SHOWN;
	if (!readable)
		return CHECKIN_HIDDEN;
	return reader_has_period ? CHECKIN_SHOWN : CHECKIN_WAITING;
}

/* Calendar ---------------------------------------------------------------- */

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int checkin_date_days(const char *date, long *ret)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long y, m, d;
	size_t i;

	if (!date || !ret || strlen(date) != CHECKIN_DATE_LEN || date[4] != '-' || date[7] != '-')
		return -EINVAL;
	for (i = 0; i < CHECKIN_DATE_LEN; i++)
		if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
			return -EINVAL;
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
	m = (date[5] - '0') * 10 + (date[6] - '0');
	d = (date[8] - '0') * 10 + (date[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && is_leap(y)))
		return -EINVAL;
	*ret = days_from_civil(y, m, d);
	return 0;
}

int checkin_days_date(long days, char out[CHECKIN_DATE_LEN + 1])
{
	long z = days + 719468, era, doe, yoe, y, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 1 || y > 9999) {
		out[0] = '\0';
		return -ERANGE;
	}
	/* digit by digit: the ranges are known, and no format can overflow */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

int checkin_date_add(const char *date, long days, char out[CHECKIN_DATE_LEN + 1])
{
	long d;

	if (checkin_date_days(date, &d) < 0)
		return -EINVAL;
	/* far outside 0001-9999 either way: refuse before adding can overflow */
	if (days > 4000000 || days < -4000000)
		return -ERANGE;
	return checkin_days_date(d + days, out);
}

void checkin_today(char out[CHECKIN_DATE_LEN + 1], long offset_days)
{
	time_t now = time(NULL);
	struct tm tm;
	long d;

	gmtime_r(&now, &tm);
	d = days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1L, tm.tm_mday);
	if (checkin_days_date(d + offset_days, out) < 0)
		snprintf(out, CHECKIN_DATE_LEN + 1, "%s",
			 offset_days < 0 ? "0001-01-01" : "9999-12-31");
}

/* Days since a Monday: 1970-01-01, day 0, was a Thursday. */
static long days_since_monday(long days)
{
	return ((days % 7) + 7 + 3) % 7;
}

int checkin_weekday(const char *date)
{
	long d;

	if (checkin_date_days(date, &d) < 0)
		return -EINVAL;
	return (int)days_since_monday(d) + 1;
}

/* 0 for "daily", 1 for "weekly", -EINVAL otherwise. */
static int rhythm_index(const char *rhythm)
{
	if (rhythm && strcmp(rhythm, "daily") == 0)
		return 0;
	if (rhythm && strcmp(rhythm, "weekly") == 0)
		return 1;
	return -EINVAL;
}

int checkin_period_of(const char *rhythm, const char *date, char out[CHECKIN_DATE_LEN + 1])
{
	int weekly = rhythm_index(rhythm);
	long d;

	if (weekly < 0 || checkin_date_days(date, &d) < 0)
		return -EINVAL;
	if (weekly)
		d -= days_since_monday(d);
	return checkin_days_date(d, out) < 0 ? -EINVAL : 0;
}

int checkin_period_ok(const char *rhythm, const char *period, const char *today)
{
	int weekly = rhythm_index(rhythm);
	long p, t, last;

	if (weekly < 0 || checkin_date_days(today, &t) < 0)
		return -EINVAL;
	if (checkin_date_days(period, &p) < 0)
		return CHECKIN_BAD_PERIOD;
	last = t + CHECKIN_FUTURE_DAYS;
	if (weekly) {
		if (days_since_monday(p) != 0)
			return CHECKIN_BAD_PERIOD;
		last -= days_since_monday(last);
	}
	return p <= last ? 0 : CHECKIN_BAD_PERIOD;
}

int checkin_period_step(const char *rhythm, const char *period, long steps,
			char out[CHECKIN_DATE_LEN + 1])
{
	int weekly = rhythm_index(rhythm);

	if (weekly < 0)
		return -EINVAL;
	if (steps > 400000 || steps < -400000)
		return -ERANGE;
	return checkin_date_add(period, weekly ? steps * 7 : steps, out);
}

/* Rhythm ---------------------------------------------------------------- */

int checkin_rhythm_get(const struct core *c, const struct session *s, char out[8])
{
	struct couple_row couple;
	int r;

	r = STORE_CALL(c->st, couple_get, s->couple_id, &couple);
	if (r != 0)
		return r > 0 ? -EIO : r;
	/* a row from an older file without the column reads as "" */
	snprintf(out, 8, "%s", rhythm_index(couple.rhythm) < 0 ? "daily" : couple.rhythm);
	return 0;
}

int checkin_rhythm_set(const struct core *c, const struct session *s, const char *rhythm)
{
	int r;

	if (rhythm_index(rhythm) < 0)
		return -EINVAL;
	if (!is_partner(s))
		return CHECKIN_FORBIDDEN;
	r = STORE_CALL(c->st, couple_set_rhythm, s->couple_id, rhythm);
	return r > 0 ? -EIO : r;
}

/* Sealing ------------------------------------------------------------------ */

/*
 * Who reads a check-in: the care team reads with the partner, never
 * instead (DESIGN.md: {}, {partner}, {partner, care}).  A row shared with
 * the care team alone (the API took it before the care team read
 * check-ins; it no longer does) is private to its author: the partner
 * holds the care key too, so only the author's own key keeps it from them.
 */
static unsigned checkin_audience(unsigned shared_with)
{
	return (shared_with & ACCESS_SHARE_PARTNER)
		       ? shared_with & (ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE)
		       : 0;
}

/*
 * Which key seals a check-in shared as shared_with (couplekey.h): the care
 * key for one the care team reads with the partner, the couple key for one
 * shared with the partner alone, else the author's master key.
 */
static int checkin_key(unsigned shared_with)
{
	unsigned audience = checkin_audience(shared_with);

	if (audience & ACCESS_SHARE_CARE)
		return COUPLEKEY_CARE;
	return audience ? COUPLEKEY_COUPLE : COUPLEKEY_MEMBER;
}

/*
 * Whether a read or write of a row sealed under `key` checks or notes the
 * couple's ledger (ledger.h): a partner's does; a therapist, who holds no
 * couple key, checks their own ledger alone (as item.c's).
 */
static int checkin_ledger_shared(const struct session *s, int key)
{
	return key != COUPLEKEY_MEMBER && is_partner(s);
}

/*
 * The AD binds the row and its author (issue 11, part 8), so that check-ins
 * swapped between the partners in the file do not open.  unbound: the form
 * of the rows sealed before, which open with it until their next change.
 */
static void checkin_ad(char *ad, size_t len, const struct checkin_row *row, int unbound)
{
	if (unbound)
		snprintf(ad, len, "checkins.content|%s|%s|%lld", row->id, row->couple_id,
			 (long long)row->version);
	else
		snprintf(ad, len, "checkins.content.a|%s|%s|%s|%lld", row->id, row->couple_id,
			 row->author_id, (long long)row->version);
}

static void checkin_item(const struct checkin_row *row, struct access_item *it)
{
	it->couple_id = row->couple_id;
	it->author_id = row->author_id;
	it->shared_with = checkin_audience(row->shared_with);
	it->always_private = 0;
}

/* Seals in's content into row->content_sealed for row's id, couple, version and sharing. */
static int checkin_seal(const struct session *s, struct checkin_row *row,
			const struct checkin_input *in)
{
	unsigned char *buf;
	size_t note_len = in->note ? in->note_len : 0, len, i;
	char ad[160];
	int r;

	if (note_len > SIZE_MAX - CHECKIN_HEAD)
		return -EINVAL;
	len = CHECKIN_HEAD + note_len;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	buf[0] = CHECKIN_FORMAT;
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		buf[1 + i] = (unsigned char)in->scores[i];
	buf[1 + _CHECKIN_DIM_MAX] = (unsigned char)in->trust;
	buf[2 + _CHECKIN_DIM_MAX] = (unsigned char)in->closeness;
	if (note_len)
		memcpy(buf + CHECKIN_HEAD, in->note, note_len);
	checkin_ad(ad, sizeof(ad), row, 0);
	r = couplekey_seal(s, checkin_key(row->shared_with), CHECKIN_KEY_ID, "checkin_", buf, len,
			   ad, &row->content_sealed.data, &row->content_sealed.len);
	vault_wipe(buf, len);
	free(buf);
	return r;
}

static int in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

/*
 * row's content as s opens it, into *text (malloc'd): under the key its
 * sharing names, with its AD or the one from before the author was bound.
 * 0, VAULT_BAD, or < 0.
 */
static int checkin_unseal(const struct session *s, const struct checkin_row *row,
			  unsigned char **text, size_t *len)
{
	char ad[160], ad_before[160];
	int key = checkin_key(row->shared_with);

	checkin_ad(ad, sizeof(ad), row, 0);
	checkin_ad(ad_before, sizeof(ad_before), row, 1);
	return couplekey_open(s, key, CHECKIN_KEY_ID, "checkin_", row->content_sealed.data,
			      row->content_sealed.len, ad, ad_before, text, len);
}

/*
 * row's content, opened by from (checkin_unseal()), sealed again by to
 * under `key` with the AD of `as` (row, or its copy moved elsewhere), into
 * *out (malloc'd).  0, -EBADMSG when it does not open, or < 0.
 */
static int checkin_reseal(const struct session *from, const struct session *to, int key,
			  const struct checkin_row *row, const struct checkin_row *as,
			  struct blob *out)
{
	unsigned char *text = NULL;
	size_t len = 0;
	char ad[160];
	int r;

	out->data = NULL;
	out->len = 0;
	r = checkin_unseal(from, row, &text, &len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	checkin_ad(ad, sizeof(ad), as, 0);
	r = couplekey_seal(to, key, CHECKIN_KEY_ID, "checkin_", text, len, ad, &out->data,
			   &out->len);
	vault_wipe(text, len);
	free(text);
	return r;
}

/*
 * Opens a row the reader may read into *ret.  CHECKIN_NOTFOUND when
 * access_allows() says no; -EBADMSG when the blob does not open or holds
 * what no version of this code wrote.
 */
static int checkin_open(const struct core *c, const struct session *s,
			const struct checkin_row *row, struct checkin *ret)
{
	unsigned char *text = NULL;
	struct access_item it;
	struct checkin out;
	size_t len = 0, i;
	int r;

	checkin_item(row, &it);
	if (!access_allows(s, &it, ACCESS_READ))
		return CHECKIN_NOTFOUND;
	/* an older version put back does not open: its author's ledger has the latest */
	r = ledger_check(c, s, STORE_TABLE_CHECKINS, row->couple_id, row->author_id,
			 checkin_ledger_shared(s, checkin_key(row->shared_with)), row->id,
			 row->version);
	if (r != 0)
		return r;
	r = checkin_unseal(s, row, &text, &len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;

	memset(&out, 0, sizeof(out));
	r = -EBADMSG;
	if (len < CHECKIN_HEAD || text[0] != CHECKIN_FORMAT)
		goto out;
	for (i = 0; i < _CHECKIN_DIM_MAX; i++) {
		out.scores[i] = text[1 + i];
		if (!in_range(out.scores[i], CHECKIN_SCORE_MIN, CHECKIN_SCORE_MAX))
			goto out;
	}
	out.trust = text[1 + _CHECKIN_DIM_MAX];
	out.closeness = text[2 + _CHECKIN_DIM_MAX];
	if (!in_range(out.trust, CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX) ||
	    !in_range(out.closeness, CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX))
		goto out;
	if (len > CHECKIN_HEAD) {
		out.note_len = len - CHECKIN_HEAD;
		out.note = malloc(out.note_len + 1);
		if (!out.note) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(out.note, text + CHECKIN_HEAD, out.note_len);
		out.note[out.note_len] = '\0';
	}
	memcpy(out.id, row->id, sizeof(out.id));
	memcpy(out.author_id, row->author_id, sizeof(out.author_id));
	out.mine = strcmp(row->author_id, s->member_id) == 0;
	memcpy(out.period, row->period, sizeof(out.period));
	memcpy(out.rhythm, row->rhythm, sizeof(out.rhythm));
	out.shared_with = row->shared_with;
	memcpy(out.created_at, row->created_at, sizeof(out.created_at));
	memcpy(out.updated_at, row->updated_at, sizeof(out.updated_at));
	session_seen_time(s, row->author_id, out.created_at);
	session_seen_time(s, row->author_id, out.updated_at);
	*ret = out;
	r = 0;
out:
	vault_wipe(text, len);
	free(text);
	return r;
}

void checkin_clear(struct checkin *ci)
{
	if (!ci)
		return;
	if (ci->note) {
		vault_wipe(ci->note, ci->note_len);
		free(ci->note);
	}
	memset(ci, 0, sizeof(*ci));
}

void checkin_list_free(struct checkin_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++)
		checkin_clear(&list->items[i]);
	free(list->items);
	free(list->waiting_periods);
	memset(list, 0, sizeof(*list));
}

/* Check-ins ------------------------------------------------------------------ */

int checkin_add(const struct core *c, const struct session *s, const struct checkin_input *in,
		struct checkin *ret)
{
	struct checkin_row row;
	char rhythm[8], today[CHECKIN_DATE_LEN + 1];
	int r;

	if (!in || !in->period)
		return -EINVAL;
	if (!is_partner(s))
		return CHECKIN_FORBIDDEN;
	r = checkin_rhythm_get(c, s, rhythm);
	if (r < 0)
		return r;
	checkin_today(today, 0);
	r = checkin_period_ok(rhythm, in->period, today);
	if (r != 0)
		return r;

	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	snprintf(row.period, sizeof(row.period), "%s", in->period);
	memcpy(row.rhythm, rhythm, sizeof(row.rhythm));
	row.shared_with = checkin_audience(in->shared_with);
	row.version = 1;
	session_now(row.created_at, 0);
	memcpy(row.updated_at, row.created_at, sizeof(row.updated_at));
	r = checkin_seal(s, &row, in);
	if (r < 0)
		goto out;
	r = STORE_CALL(c->st, checkin_insert, &row);
	if (r == STORE_CONFLICT) {
		r = CHECKIN_CONFLICT;
		goto out;
	}
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	r = checkin_open(c, s, &row, ret);
	if (r > 0)
		r = -EIO;
out:
	store_blob_free(&row.content_sealed);
	return r;
}

/* Whether the reader has a check-in of their own for period: 0/1, or < 0. */
static int checkin_reader_has(const struct core *c, const struct session *s, const char *period)
{
	struct checkin_row *rows = NULL;
	size_t n = 0, i;
	int r, found = 0;

	r = STORE_CALL(c->st, checkin_list, s->couple_id, period, period, 8, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].author_id, s->member_id) == 0)
			found = 1;
	store_checkin_list_free(rows, n);
	return found;
}

/* What the reader may learn about a check-in they may not change. */
static int checkin_refusal(const struct core *c, const struct session *s,
			   const struct checkin_row *row)
{
	struct access_item it;
	int has;

	checkin_item(row, &it);
	if (!access_allows(s, &it, ACCESS_READ))
		return CHECKIN_NOTFOUND;
	has = checkin_reader_has(c, s, row->period);
	if (has < 0)
		return has;
	if (checkin_sight(0, 1, has) == CHECKIN_SHOWN)
		return CHECKIN_FORBIDDEN;
	return CHECKIN_NOTFOUND;
}

int checkin_change(const struct core *c, const struct session *s, const char *id,
		   const struct checkin_input *in, struct checkin *ret)
{
	struct checkin_row row, next;
	struct access_item it;
	int r = 0, tries;

	if (!in || !id)
		return -EINVAL;
	if (!is_partner(s))
		return CHECKIN_NOTFOUND;
	for (tries = 0; tries < CHECKIN_UPDATE_TRIES; tries++) {
		memset(&row, 0, sizeof(row));
		memset(&next, 0, sizeof(next));
		r = STORE_CALL(c->st, checkin_get, s->couple_id, id, &row);
		if (r == STORE_NOTFOUND) {
			r = CHECKIN_NOTFOUND;
			break;
		}
		if (r != 0) {
			r = r > 0 ? -EIO : r;
			break;
		}
		checkin_item(&row, &it);
		if (!access_allows(s, &it, ACCESS_CHANGE)) {
			r = checkin_refusal(c, s, &row);
		} else if (in->period && strcmp(in->period, row.period) != 0) {
			r = CHECKIN_BAD_PERIOD;
		} else {
			next = row;
			next.content_sealed = (struct blob){NULL, 0};
			next.shared_with = checkin_audience(in->shared_with);
			next.version = row.version + 1;
			session_now(next.updated_at, 0);
			r = checkin_seal(s, &next, in);
			if (r == 0)
				r = STORE_CALL(c->st, checkin_update, &next);
			if (r == 0)
				r = ledger_note(
					c, s, next.author_id,
					checkin_ledger_shared(s, checkin_key(next.shared_with)),
					next.id, next.version);
			if (r == 0) {
				r = checkin_open(c, s, &next, ret);
				if (r > 0)
					r = -EIO;
			} else if (r == STORE_NOTFOUND) {
				r = CHECKIN_NOTFOUND;
			} else if (r > 0 && r != STORE_CONFLICT) {
				r = -EIO;
			}
		}
		store_blob_free(&next.content_sealed);
		store_checkin_free(&row);
		if (r != STORE_CONFLICT)
			break;
	}
	if (r == STORE_CONFLICT)
		r = -EAGAIN;
	return r;
}

int checkin_read(const struct core *c, const struct session *s, const char *id, struct checkin *ret)
{
	struct checkin_row row;
	struct access_item it;
	int r, mine, readable, has = 0;

	if (!is_partner(s) && !is_therapist(s))
		return CHECKIN_NOTFOUND;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, checkin_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return CHECKIN_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	checkin_item(&row, &it);
	mine = strcmp(row.author_id, s->member_id) == 0;
	readable = access_allows(s, &it, ACCESS_READ);
	/* the reveal is between the partners: the care team reads what it may at once */
	if (!mine && readable && is_partner(s))
		has = checkin_reader_has(c, s, row.period);
	if (has < 0)
		r = has;
	else if (is_partner(s) ? checkin_sight(mine, readable, has) != CHECKIN_SHOWN : !readable)
		r = CHECKIN_NOTFOUND;
	else if ((r = checkin_open(c, s, &row, ret)) > 0)
		r = -EIO;
	store_checkin_free(&row);
	return r;
}

/* from..to as day numbers, checked against CHECKIN_RANGE_MAX_DAYS (unless c->whole_lists). */
static int checkin_range(const struct core *c, const char *from, const char *to, long *ret_days)
{
	long f, t;

	if (checkin_date_days(from, &f) < 0 || checkin_date_days(to, &t) < 0 || f > t ||
	    (t - f >= CHECKIN_RANGE_MAX_DAYS && !c->whole_lists))
		return CHECKIN_BAD_RANGE;
	*ret_days = t - f + 1;
	return 0;
}

/*
 * Walks rows (newest period first, so one period's rows are adjacent) and
 * calls visit() for each row with its sight for the reader, the reader's
 * own rows of a period before the partner's.
 */
static int checkin_walk(const struct session *s, const struct checkin_row *rows, size_t n,
			int (*visit)(void *ud, const struct checkin_row *row,
				     enum checkin_sight sight, int reader_has),
			void *ud)
{
	struct access_item it;
	size_t i = 0, j, k;
	int has, pass, mine, r;

	while (i < n) {
		has = 0;
		for (j = i; j < n && strcmp(rows[j].period, rows[i].period) == 0; j++)
			if (strcmp(rows[j].author_id, s->member_id) == 0)
				has = 1;
		for (pass = 0; pass < 2; pass++) {
			for (k = i; k < j; k++) {
				mine = strcmp(rows[k].author_id, s->member_id) == 0;
				if (mine != (pass == 0))
					continue;
				checkin_item(&rows[k], &it);
				r = visit(ud, &rows[k],
					  checkin_sight(mine, access_allows(s, &it, ACCESS_READ),
							has),
					  has);
				if (r != 0)
					return r;
			}
		}
		i = j;
	}
	return 0;
}

/*
 * As checkin_walk() for a therapist: each row the care team may read is
 * shown at once (the reveal is between the partners), every other hidden;
 * nothing waits.  One whose access ended reads nothing (access_allows()).
 */
static int care_walk(const struct session *s, const struct checkin_row *rows, size_t n,
		     int (*visit)(void *ud, const struct checkin_row *row, enum checkin_sight sight,
				  int reader_has),
		     void *ud)
{
	struct access_item it;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		checkin_item(&rows[i], &it);
		if (!access_allows(s, &it, ACCESS_READ))
			continue;
		r = visit(ud, &rows[i], CHECKIN_SHOWN, 0);
		if (r != 0)
			return r;
	}
	return 0;
}

struct list_walk {
	const struct core *c;
	const struct session *s;
	struct checkin_list *out;
};

static int list_visit(void *ud, const struct checkin_row *row, enum checkin_sight sight,
		      int reader_has)
{
	struct list_walk *w = ud;
	int r;

	(void)reader_has;
	if (sight == CHECKIN_WAITING) {
		memcpy(w->out->waiting_periods[w->out->waiting], row->period,
		       sizeof(w->out->waiting_periods[0]));
		w->out->waiting++;
		return 0;
	}
	if (sight != CHECKIN_SHOWN)
		return 0;
	r = checkin_open(w->c, w->s, row, &w->out->items[w->out->n]);
	if (r != 0) /* one damaged check-in is not the whole history */
		return core_skip_unreadable(w->c, r > 0 ? -EBADMSG : r);
	w->out->n++;
	return 0;
}

int checkin_list(const struct core *c, const struct session *s, const char *from, const char *to,
		 struct checkin_list *ret)
{
	struct checkin_row *rows = NULL;
	struct checkin_list out;
	struct list_walk w;
	size_t n = 0;
	long days;
	int r;

	r = checkin_range(c, from, to, &days);
	if (r != 0)
		return r;
	if (!is_partner(s) && !is_therapist(s)) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	/* one per member per period: two partners, and room for a third reader's rows */
	r = STORE_CALL(c->st, checkin_list, s->couple_id, from, to, (size_t)days * 3, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	memset(&out, 0, sizeof(out));
	out.items = calloc(n ? n : 1, sizeof(*out.items));
	out.waiting_periods = calloc(n ? n : 1, sizeof(*out.waiting_periods));
	if (!out.items || !out.waiting_periods) {
		checkin_list_free(&out);
		r = -ENOMEM;
		goto out;
	}
	w = (struct list_walk){c, s, &out};
	if (is_partner(s))
		r = checkin_walk(s, rows, n, list_visit, &w);
	else
		r = care_walk(s, rows, n, list_visit, &w);
	if (r != 0) {
		checkin_list_free(&out);
		goto out;
	}
	*ret = out;
out:
	store_checkin_list_free(rows, n);
	return r;
}

struct count_walk {
	const char *now; /* the current period */
	struct checkin_counts *out;
};

static int count_visit(void *ud, const struct checkin_row *row, enum checkin_sight sight,
		       int reader_has)
{
	struct count_walk *w = ud;

	(void)reader_has;
	if (sight != CHECKIN_WAITING)
		return 0;
	w->out->waiting++;
	if (strcmp(row->period, w->now) == 0)
		w->out->waiting_now = 1;
	return 0;
}

int checkin_counts(const struct core *c, const struct session *s, const char *today,
		   struct checkin_counts *ret)
{
	struct checkin_row *rows = NULL;
	struct checkin_counts out;
	struct count_walk w;
	char rhythm[8], now[CHECKIN_DATE_LEN + 1], oldest[CHECKIN_DATE_LEN + 1];
	char p[CHECKIN_DATE_LEN + 1];
	size_t n = 0, i;
	int r;

	if (!is_partner(s)) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	r = checkin_rhythm_get(c, s, rhythm);
	if (r < 0)
		return r;
	if (checkin_period_of(rhythm, today, now) < 0 ||
	    checkin_period_step(rhythm, now, -(CHECKIN_RECENT - 1), oldest) < 0)
		return -EINVAL;
	r = STORE_CALL(c->st, checkin_list, s->couple_id, oldest, now, 3 * 7 * CHECKIN_RECENT,
		       &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	memset(&out, 0, sizeof(out));
	w = (struct count_walk){now, &out};
	r = checkin_walk(s, rows, n, count_visit, &w);
	/* the reader's own rows, one per period; after a change of rhythm only
	 * those that are periods of the rhythm now count */
	for (i = 0; r == 0 && i < n; i++) {
		if (strcmp(rows[i].author_id, s->member_id) != 0 ||
		    checkin_period_of(rhythm, rows[i].period, p) < 0 ||
		    strcmp(p, rows[i].period) != 0)
			continue;
		out.recent_mine++;
		if (rows[i].shared_with & ACCESS_SHARE_PARTNER)
			out.recent_shared++;
		if (strcmp(rows[i].period, now) == 0)
			out.checked_in_now = 1;
	}
	if (r == 0)
		*ret = out;
	store_checkin_list_free(rows, n);
	return r;
}

/*
 * One check-in of a member who leaves: a private one (or one shared with
 * the care team alone, which is private: checkin_audience()) goes with
 * them; one shared with the partner stays, written by the former-partner
 * row ghost_id, and a copy under a new id goes with them, sealed for to.
 * At a new master key (ghost_id NULL) the couple's and the care key keep
 * what was shared, and a private one is sealed again for to.
 */
static int checkin_leave_one(const struct core *c, const struct session *from,
			     const struct session *to, const char *ghost_id,
			     const struct checkin_row *row)
{
	struct checkin_row moved = *row;
	struct blob sealed = {NULL, 0};
	int key = checkin_key(row->shared_with), r;
	int stays = (row->shared_with & ACCESS_SHARE_PARTNER) != 0; /* the partner reads it */

	if (!ghost_id && stays)
		return 0; /* a new master key: the couple's key keeps what was shared */
	snprintf(moved.couple_id, sizeof(moved.couple_id), "%s", to->couple_id);
	if (stays)
		vault_random_id(moved.id);
	/* the couple the leaver goes to has no care key yet (to may still hold the old one): the
	 * copy goes under its couple key, which opens a care row until one comes (couplekey.h) */
	r = checkin_reseal(from, to, ghost_id && key == COUPLEKEY_CARE ? COUPLEKEY_COUPLE : key,
			   row, &moved, &sealed);
	/* one shared with the care team that opens under no key (changed in the file) stays shut */
	if (r == -EBADMSG && !ghost_id && key == COUPLEKEY_CARE)
		return 0;
	if (r != 0)
		return r;
	if (!stays) {
		r = STORE_CALL(c->st, rehome, STORE_TABLE_CHECKINS, row->couple_id, NULL, row->id,
			       to->couple_id, to->member_id, &sealed, NULL);
		store_blob_free(&sealed);
		return r > 0 ? -EIO : r;
	}
	moved.content_sealed = sealed;
	r = STORE_CALL(c->st, checkin_insert, &moved);
	store_blob_free(&sealed);
	if (r != 0)
		return r > 0 ? -EIO : r;
	moved = *row;
	snprintf(moved.author_id, sizeof(moved.author_id), "%s", ghost_id);
	r = checkin_reseal(from, from, key, row, &moved, &sealed);
	if (r == 0)
		r = STORE_CALL(c->st, rehome, STORE_TABLE_CHECKINS, row->couple_id, NULL, row->id,
			       row->couple_id, ghost_id, &sealed, NULL);
	store_blob_free(&sealed);
	return r > 0 ? -EIO : r;
}

int checkin_leave(const struct core *c, const struct session *from, const struct session *to,
		  const char *ghost_id)
{
	struct checkin_row *rows = NULL;
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, checkin_list, from->couple_id, "0000-00-00", "9999-12-31", SIZE_MAX,
		       &rows, &n);
	if (r != 0)
		return r == STORE_NOTFOUND ? 0 : r > 0 ? -EIO : r;
	for (i = 0; i < n && r == 0; i++)
		if (strcmp(rows[i].author_id, from->member_id) == 0)
			r = checkin_leave_one(c, from, to, ghost_id, &rows[i]);
	store_checkin_list_free(rows, n);
	return r;
}

int checkin_care_reseal(const struct core *c, const struct session *from, const struct session *to)
{
	struct checkin_row *rows = NULL;
	struct blob sealed = {NULL, 0};
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, checkins_care, from->couple_id, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; r == 0 && i < n; i++) {
		if (rows[i].content_sealed.len == 0 ||
		    checkin_key(rows[i].shared_with) != COUPLEKEY_CARE)
			continue; /* one shared with the care team alone is its author's */
		r = checkin_reseal(from, to, COUPLEKEY_CARE, &rows[i], &rows[i], &sealed);
		/* one that opens under no key the partner holds (changed in the file) stays shut */
		if (r == -EBADMSG) {
			r = 0;
			continue;
		}
		if (r == 0)
			r = STORE_CALL(c->st, rehome, STORE_TABLE_CHECKINS, rows[i].couple_id, NULL,
				       rows[i].id, rows[i].couple_id, rows[i].author_id, &sealed,
				       NULL);
		r = r > 0 ? -EIO : r;
		store_blob_free(&sealed);
	}
	store_checkin_list_free(rows, n);
	return r;
}
