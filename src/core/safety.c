/*
 * safety.c: the private safety check, and the help it leads to.
 *
 * The record.  A member's latest answers live in one row of
 * safety_checks (migration 0012), sealed under a subkey of their master
 * key (context "safety__") with associated data "safety_checks.record|id|
 * couple|member|version": a record copied to another row, couple, member
 * or an older version does not open.  The record is SAFETY_RECORD_LEN
 * bytes whatever the answers (a format byte, one byte per question, the
 * time), so that not even the length of the sealed blob tells a yes from
 * a no.  There is no plain result and no plain time beside it.  Nothing
 * here calls audit_append() or logs: the request log line names the route
 * and a status that is the same for every answer.
 *
 * The help.  Each language's file (data/safety/<lang>.txt, see
 * safety_help_parse() in safety.h) is parsed once at start-up into one
 * allocation of text with pointers into it, and only read afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/ledger.h"
#include "core/safety.h"

#define SAFETY_KEY_ID	     1
#define SAFETY_KEY_CTX	     "safety__"
#define SAFETY_RECORD_FORMAT 1
#define SAFETY_RECORD_LEN    (1 + SAFETY_QUESTIONS + STORE_TIME_LEN)
#define SAFETY_PUT_TRIES     3
/* "safety_checks.record|" + three ids + '|' each + a 64-bit version + NUL */
#define SAFETY_AD_BYTES (sizeof("safety_checks.record|") + 3 * (STORE_ID_LEN + 1) + 21)

static const char *const question_names[SAFETY_QUESTIONS] = {
	[SAFETY_AFRAID] = "afraid",
	[SAFETY_THREATENED] = "threatened",
	[SAFETY_HURT] = "hurt",
	[SAFETY_FORCED] = "forced",
};

const char *safety_question_name(unsigned q)
{
	return q < SAFETY_QUESTIONS ? question_names[q] : NULL;
}

static const char *const result_names[_SAFETY_RESULT_MAX] = {
	[SAFETY_OK] = "ok",
	[SAFETY_CONCERN] = "concern",
};

const char *safety_result_name(enum safety_result r)
{
	return (unsigned)r < _SAFETY_RESULT_MAX ? result_names[r] : NULL;
}

void safety_check_clear(struct safety_check *chk)
{
	if (chk)
		vault_wipe(chk, sizeof(*chk));
}

/* ---- the record -------------------------------------------------------------------- */

static void safety_key(const struct session *s, unsigned char key[VAULT_KEY_BYTES])
{
	vault_derive(key, s->mk, SAFETY_KEY_ID, SAFETY_KEY_CTX);
}

static void safety_ad(char ad[SAFETY_AD_BYTES], const struct safety_row *row)
{
	snprintf(ad, SAFETY_AD_BYTES, "safety_checks.record|%s|%s|%s|%lld", row->id, row->couple_id,
		 row->member_id, (long long)row->version);
}

/* A time of session_now()'s form: "YYYY-MM-DDTHH:MM:SSZ". */
static int time_ok(const char *t)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; i < STORE_TIME_LEN; i++) {
		if (form[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != form[i])
			return 0;
	}
	return 1;
}

/* The check a record holds; -EBADMSG when it is not one of ours. */
static int record_read(const unsigned char rec[SAFETY_RECORD_LEN], struct safety_check *ret)
{
	unsigned q;
	int any = 0;

	if (rec[0] != SAFETY_RECORD_FORMAT)
		return -EBADMSG;
	memset(ret, 0, sizeof(*ret));
	for (q = 0; q < SAFETY_QUESTIONS; q++) {
		if (rec[1 + q] > 1)
			return -EBADMSG;
		ret->yes[q] = rec[1 + q];
		any |= rec[1 + q];
	}
	memcpy(ret->at, rec + 1 + SAFETY_QUESTIONS, STORE_TIME_LEN);
	ret->at[STORE_TIME_LEN] = '\0';
	if (!time_ok(ret->at))
		return -EBADMSG;
	ret->result = any ? SAFETY_CONCERN : SAFETY_OK;
	return 0;
}

/* The member's row, opened into *ret; STORE_NOTFOUND, -EBADMSG or < 0 otherwise. */
static int safety_open(const struct core *c, const struct session *s,
		       const unsigned char key[VAULT_KEY_BYTES], struct safety_row *row,
		       struct safety_check *ret)
{
	unsigned char rec[SAFETY_RECORD_LEN];
	char ad[SAFETY_AD_BYTES];
	int r;

	r = STORE_CALL(c->st, safety_get, s->couple_id, s->member_id, row);
	if (r != 0)
		return r;
	/* an older check put back does not open: the member's ledger has the latest */
	r = ledger_check(c, s, STORE_TABLE_SAFETY, row->couple_id, s->member_id, 0, row->id,
			 row->version);
	if (r != 0)
		return r;
	safety_ad(ad, row);
	r = vault_open_into(key, row->sealed.data, row->sealed.len, ad, rec, sizeof(rec));
	if (r == 0)
		r = record_read(rec, ret);
	else if (r > 0)
		r = -EBADMSG;
	vault_wipe(rec, sizeof(rec));
	return r;
}

int safety_latest(const struct core *c, const struct session *s, struct safety_check *ret)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct safety_row row;
	int r;

	if (!c || !s || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	memset(&row, 0, sizeof(row));
	safety_key(s, key);
	r = safety_open(c, s, key, &row, ret);
	vault_wipe(key, sizeof(key));
	store_safety_free(&row); /* written by the store on success only: zeros otherwise */
	if (r == STORE_NOTFOUND)
		return 0;
	if (r == -EBADMSG) {
		safety_check_clear(ret);
		return core_skip_unreadable(c, r);
	}
	return r > 0 ? -EIO : r;
}

int safety_concern(const struct core *c, const struct session *s)
{
	struct safety_check chk;
	int r = safety_latest(c, s, &chk);

	if (r == 0)
		r = chk.result == SAFETY_CONCERN;
	safety_check_clear(&chk);
	return r;
}

/*
 * One try at replacing the member's row: read the current one (its id and
 * version), seal the new record for the next version, write it if nobody
 * wrote in between.  STORE_CONFLICT when somebody did.
 */
static int safety_put_once(const struct core *c, const struct session *s,
			   const unsigned char key[VAULT_KEY_BYTES],
			   const unsigned char rec[SAFETY_RECORD_LEN])
{
	struct safety_row old, row;
	char ad[SAFETY_AD_BYTES];
	int64_t old_version = 0;
	int r;

	memset(&old, 0, sizeof(old));
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, safety_get, s->couple_id, s->member_id, &old);
	if (r == 0) {
		memcpy(row.id, old.id, sizeof(row.id));
		old_version = old.version;
		store_safety_free(&old);
	} else if (r == STORE_NOTFOUND) {
		vault_random_id(row.id);
	} else {
		return r > 0 ? -EIO : r;
	}
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.member_id, s->member_id, sizeof(row.member_id));
	row.version = old_version + 1;
	safety_ad(ad, &row);
	r = vault_seal(key, rec, SAFETY_RECORD_LEN, ad, &row.sealed.data, &row.sealed.len);
	if (r == 0)
		r = STORE_CALL(c->st, safety_put, &row, old_version);
	if (r == 0)
		r = ledger_note(c, s, s->member_id, 0, row.id, row.version);
	store_safety_free(&row);
	return r;
}

/*
 * s's row (into *row, which the caller frees) opened under s's key into
 * rec, as it is: no ledger check, for moving it under another key.  0,
 * STORE_NOTFOUND when there is none, -EBADMSG when it does not open, < 0.
 */
static int safety_take(const struct core *c, const struct session *s, struct safety_row *row,
		       unsigned char rec[SAFETY_RECORD_LEN])
{
	unsigned char key[VAULT_KEY_BYTES];
	char ad[SAFETY_AD_BYTES];
	int r;

	memset(row, 0, sizeof(*row));
	r = STORE_CALL(c->st, safety_get, s->couple_id, s->member_id, row);
	if (r != 0)
		return r == STORE_NOTFOUND ? r : r > 0 ? -EIO : r;
	safety_ad(ad, row);
	safety_key(s, key);
	r = vault_open_into(key, row->sealed.data, row->sealed.len, ad, rec, SAFETY_RECORD_LEN);
	vault_wipe(key, sizeof(key));
	return r > 0 ? -EBADMSG : r;
}

int safety_rekey(const struct core *c, const struct session *from, const struct session *to)
{
	unsigned char key[VAULT_KEY_BYTES], rec[SAFETY_RECORD_LEN];
	struct safety_row row;
	int r;

	r = safety_take(c, from, &row, rec);
	store_safety_free(&row);
	/* one that does not open (changed in the file) opens under no key: it stays unread */
	if (r == STORE_NOTFOUND || r == -EBADMSG)
		r = 0;
	else if (r == 0) {
		safety_key(to, key);
		r = safety_put_once(c, to, key, rec);
		vault_wipe(key, sizeof(key));
	}
	vault_wipe(rec, sizeof(rec));
	return r > 0 ? -EIO : r;
}

int safety_record(const struct core *c, const struct session *s,
		  const unsigned char yes[SAFETY_QUESTIONS], struct safety_check *ret)
{
	unsigned char key[VAULT_KEY_BYTES], rec[SAFETY_RECORD_LEN];
	struct safety_check chk;
	char now[STORE_TIME_LEN + 1];
	unsigned q;
	int r = STORE_CONFLICT, tries;

	if (!c || !s || !yes)
		return -EINVAL;
	rec[0] = SAFETY_RECORD_FORMAT;
	for (q = 0; q < SAFETY_QUESTIONS; q++)
		rec[1 + q] = yes[q] ? 1 : 0;
	session_now(now, 0);
	memcpy(rec + 1 + SAFETY_QUESTIONS, now, STORE_TIME_LEN);
	safety_key(s, key);
	for (tries = 0; tries < SAFETY_PUT_TRIES && r == STORE_CONFLICT; tries++)
		r = safety_put_once(c, s, key, rec);
	vault_wipe(key, sizeof(key));
	if (r == 0 && ret) {
		r = record_read(rec, &chk);
		*ret = chk;
		safety_check_clear(&chk);
	}
	vault_wipe(rec, sizeof(rec));
	if (r == STORE_CONFLICT)
		return -EAGAIN;
	return r > 0 ? -EIO : r;
}

int safety_leave(const struct core *c, const struct session *from, const struct session *to)
{
	unsigned char key[VAULT_KEY_BYTES], rec[SAFETY_RECORD_LEN];
	struct safety_row old, row;
	char ad[SAFETY_AD_BYTES];
	int r;

	if (!c || !from || !to)
		return -EINVAL;
	r = safety_take(c, from, &old, rec);
	if (r != 0) { /* none, or nothing readable to carry: the member may take it again */
		store_safety_free(&old);
		return r == STORE_NOTFOUND ? 0 : core_skip_unreadable(c, r);
	}
	memset(&row, 0, sizeof(row));
	memcpy(row.id, old.id, sizeof(row.id));
	memcpy(row.couple_id, to->couple_id, sizeof(row.couple_id));
	memcpy(row.member_id, to->member_id, sizeof(row.member_id));
	row.version = old.version;
	store_safety_free(&old);
	safety_ad(ad, &row);
	safety_key(to, key);
	r = vault_seal(key, rec, SAFETY_RECORD_LEN, ad, &row.sealed.data, &row.sealed.len);
	vault_wipe(key, sizeof(key));
	vault_wipe(rec, sizeof(rec));
	/* 0 as the old version: the insert that replaces a row left in another couple */
	if (r == 0)
		r = STORE_CALL(c->st, safety_put, &row, 0);
	store_safety_free(&row);
	return r > 0 ? -EIO : r;
}

/* ---- what a concern pauses -------------------------------------------------------- */

/*
 * The couple exercises, by the first piece of their route pattern (a page's,
 * or the API's after /api/v1): what a partner could be pressured through.
 * A new step's routes belong here; the kinds of the registry are paused
 * without being named.
 */
static const char *const couple_routes[] = {
	"/statements",	  "/commitments",   "/reflect",
	"/checkin",	  "/checkins",	    "/shares",
	"/offers",	  "/activities",    "/helps-me",
	"/conflict-plan", "/timeouts",	    "/agreements",
	"/breaches",	  "/chores",	    "/dates",
	"/invite",	  "/invites",	    "/help",
	"/help-signals",  "/help-requests", "/homework",
	"/appreciations", "/trigger-plan",  "/triggered",
	"/pace",	  "/listening",	    NULL,
};

int safety_paused_route(const char *pattern)
{
	size_t i, n;

	if (!pattern)
		return 0;
	if (strncmp(pattern, "/api/v1/", 8) == 0)
		pattern += 7;
	for (i = 0; couple_routes[i]; i++) {
		n = strlen(couple_routes[i]);
		if (strncmp(pattern, couple_routes[i], n) == 0 &&
		    (pattern[n] == '\0' || pattern[n] == '/'))
			return 1;
	}
	return item_kind_at(pattern) != NULL;
}

/* ---- the help ---------------------------------------------------------------------- */

static struct safety_help *help_by_lang[3];
static const char *const help_langs[3] = {"en", "es", "ru"};

void safety_help_free(struct safety_help *h)
{
	if (!h)
		return;
	free(h->text);
	free(h);
}

/* Where a parse is: the line it reads, and the sentence to give when it stops. */
struct help_parse {
	struct safety_help *h;
	size_t lineno;
	char *err;
	size_t errlen;
};

static int parse_fail(struct help_parse *p, const char *why)
{
	snprintf(p->err, p->errlen, "line %zu: %s", p->lineno, why);
	return -EINVAL;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* s with the blanks at both ends cut off, in place (a NUL written after it). */
static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* A value: not empty, not too long, no control character. */
static int value_ok(struct help_parse *p, const char *v, const char *what)
{
	const unsigned char *u = (const unsigned char *)v;
	char why[96];
	size_t n = strlen(v);

	if (n == 0 || n > SAFETY_FIELD_MAX) {
		snprintf(why, sizeof(why), "%s is empty or longer than %d bytes", what,
			 SAFETY_FIELD_MAX);
		return parse_fail(p, why);
	}
	for (; *u; u++)
		if (*u < 0x20 || *u == 0x7f) {
			snprintf(why, sizeof(why), "%s holds a control character", what);
			return parse_fail(p, why);
		}
	return 0;
}

/* An https:// address with nothing a link should not hold. */
static int address_ok(struct help_parse *p, const char *v, const char *what)
{
	char why[96];
	int r = value_ok(p, v, what);

	if (r < 0)
		return r;
	if (strncmp(v, "https://", 8) != 0 || !v[8] || strpbrk(v, " \"'<>\\`")) {
		snprintf(why, sizeof(why), "%s must be an https:// address", what);
		return parse_fail(p, why);
	}
	return 0;
}

static int add_para(struct help_parse *p, const char **list, size_t *n, char *v, const char *what)
{
	int r = value_ok(p, v, what);

	if (r < 0)
		return r;
	if (*n >= SAFETY_PARAS_MAX)
		return parse_fail(p, "too many paragraphs");
	list[(*n)++] = v;
	return 0;
}

static int add_country(struct help_parse *p, char *v)
{
	struct safety_help *h = p->h;
	struct safety_country *cn;
	char *name;
	size_t i;
	int r;

	if (h->ncountries > 0 && h->countries[h->ncountries - 1].n == 0)
		return parse_fail(p, "the country before has no line");
	if (h->ncountries >= SAFETY_COUNTRIES_MAX)
		return parse_fail(p, "too many countries");
	name = v + strcspn(v, " \t");
	if (*name)
		*name++ = '\0';
	name = trim(name);
	if (!(strcmp(v, "*") == 0 ||
	      (strlen(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z')))
		return parse_fail(p, "a country is two capital letters, or *");
	r = value_ok(p, name, "the country's name");
	if (r < 0)
		return r;
	for (i = 0; i < h->ncountries; i++)
		if (strcmp(h->countries[i].code, v) == 0)
			return parse_fail(p, "this country is there twice");
	cn = &h->countries[h->ncountries++];
	cn->code = v;
	cn->name = name;
	cn->first = h->nlines;
	cn->n = 0;
	return 0;
}

static int add_line(struct help_parse *p, char *v)
{
	static const char *const what[4] = {"the name", "the contact", "the site", "the source"};
	struct safety_help *h = p->h;
	const char *part[4];
	struct safety_line *ln;
	size_t i;
	int r;

	if (h->ncountries == 0)
		return parse_fail(p, "a line before any country");
	if (h->nlines >= SAFETY_LINES_MAX)
		return parse_fail(p, "too many lines");
	for (i = 0; i < 4; i++) {
		char *bar = strchr(v, '|');

		if ((i < 3) != (bar != NULL))
			return parse_fail(p, "a line is name | contact | site | source");
		if (bar)
			*bar = '\0';
		part[i] = trim(v);
		r = i < 2 ? value_ok(p, part[i], what[i]) : address_ok(p, part[i], what[i]);
		if (r < 0)
			return r;
		v = bar ? bar + 1 : v;
	}
	ln = &h->lines[h->nlines++];
	ln->name = part[0];
	ln->contact = part[1];
	ln->url = part[2];
	ln->source = part[3];
	h->countries[h->ncountries - 1].n++;
	return 0;
}

static int set_checked(struct help_parse *p, char *v)
{
	static const char form[] = "dddd-dd-dd";
	size_t i;

	if (p->h->checked)
		return parse_fail(p, "\"checked\" is there twice");
	if (strlen(v) != sizeof(form) - 1)
		return parse_fail(p, "\"checked\" is a date, YYYY-MM-DD");
	for (i = 0; form[i]; i++)
		if (form[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != form[i])
			return parse_fail(p, "\"checked\" is a date, YYYY-MM-DD");
	p->h->checked = v;
	return 0;
}

/* One line of the file (without its newline), in place. */
static int parse_line(struct help_parse *p, char *line)
{
	struct safety_help *h = p->h;
	char *colon, *key, *v;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	colon = strchr(line, ':');
	if (!colon)
		return parse_fail(p, "a line is \"key: value\"");
	*colon = '\0';
	key = trim(line);
	v = trim(colon + 1);
	if (strcmp(key, "checked") == 0)
		return set_checked(p, v);
	if (strcmp(key, "about") == 0)
		return add_para(p, h->about, &h->nabout, v, "a paragraph");
	if (strcmp(key, "leave") == 0)
		return add_para(p, h->leave, &h->nleave, v, "a step");
	if (strcmp(key, "country") == 0)
		return add_country(p, v);
	if (strcmp(key, "line") == 0)
		return add_line(p, v);
	return parse_fail(p, "an unknown key");
}

/* What the whole file must hold once every line is read. */
static int parse_end(struct help_parse *p)
{
	const struct safety_help *h = p->h;
	const char *why = NULL;

	if (!h->checked)
		why = "no \"checked\" date";
	else if (!h->nabout || !h->nleave)
		why = "no \"about\" or no \"leave\"";
	else if (!h->ncountries || h->countries[h->ncountries - 1].n == 0)
		why = "no country, or a country without a line at the end";
	else if (!safety_help_has(h, "*"))
		why = "no lines that serve anywhere (country: *)";
	if (!why)
		return 0;
	snprintf(p->err, p->errlen, "the whole file: %s", why);
	return -EINVAL;
}

int safety_help_parse(const char *buf, size_t len, struct safety_help **ret, char *err,
		      size_t errlen)
{
	struct help_parse p = {NULL, 0, err, errlen};
	char *at, *nl;
	int r = 0;

	if (!buf || !ret || !err || !errlen)
		return -EINVAL;
	if (len > SAFETY_HELP_BYTES_MAX || memchr(buf, '\0', len)) {
		snprintf(err, errlen, "the file is too long, or holds a NUL byte");
		return -EINVAL;
	}
	p.h = calloc(1, sizeof(*p.h));
	if (!p.h || !(p.h->text = malloc(len + 1))) {
		safety_help_free(p.h);
		return -ENOMEM;
	}
	memcpy(p.h->text, buf, len);
	p.h->text[len] = '\0';
	for (at = p.h->text; r == 0 && at; at = nl ? nl + 1 : NULL) {
		nl = strchr(at, '\n');
		if (nl) {
			*nl = '\0';
			if (nl > at && nl[-1] == '\r')
				nl[-1] = '\0';
		}
		p.lineno++;
		r = parse_line(&p, at);
	}
	if (r == 0)
		r = parse_end(&p);
	if (r < 0) {
		safety_help_free(p.h);
		return r;
	}
	*ret = p.h;
	return 0;
}

int safety_help_set(const char *lang, struct safety_help *h)
{
	size_t i;

	for (i = 0; lang && i < sizeof(help_langs) / sizeof(help_langs[0]); i++) {
		if (strcmp(help_langs[i], lang) == 0) {
			safety_help_free(help_by_lang[i]);
			help_by_lang[i] = h;
			return 0;
		}
	}
	return -EINVAL;
}

void safety_help_reset(void)
{
	size_t i;

	for (i = 0; i < sizeof(help_langs) / sizeof(help_langs[0]); i++) {
		safety_help_free(help_by_lang[i]);
		help_by_lang[i] = NULL;
	}
}

const struct safety_help *safety_help_of(const char *lang)
{
	size_t i;

	for (i = 0; lang && i < sizeof(help_langs) / sizeof(help_langs[0]); i++)
		if (strcmp(help_langs[i], lang) == 0)
			return help_by_lang[i];
	return help_by_lang[0];
}

int safety_help_has(const struct safety_help *h, const char *region)
{
	size_t i;

	for (i = 0; h && region && i < h->ncountries; i++)
		if (strcmp(h->countries[i].code, region) == 0)
			return 1;
	return 0;
}

int safety_help_shows(const struct safety_help *h, size_t i, const char *region, int all)
{
	const char *code;

	if (!h || i >= h->ncountries)
		return 0;
	code = h->countries[i].code;
	if (all || !safety_help_has(h, region) || strcmp(region, "*") == 0)
		return 1;
	return strcmp(code, region) == 0 || strcmp(code, "*") == 0;
}
