/*
 * api-export.c: GET /api/v1/export (API.md, "Safety and ownership"):
 * everything the caller can read, as one JSON file, and the document the
 * readable HTML copy is written from (export-html.c).
 *
 * The export reads nothing by itself.  Each of its parts is the answer of
 * a GET route of the API that the caller could call, run here in-process
 * with the caller's own session: the journal, the statements, ..., and the
 * list of every kind of the registry that is all data.  So who may see
 * what is decided where it always is (core and core/access.c), nothing the
 * routes hide (a partner's check-in not yet revealed, a repair not shown
 * before one's own is written, anything private) can reach the file, and
 * every item comes out with the fields the API answers it with.  Only how
 * many differs: the routes run under struct core's whole_lists, so a list
 * answers every item it holds rather than its newest N; the journal is
 * read page after page; check-ins over every period there can be; each
 * agreement once more by its id, for its versions; and the breaks, which
 * no route lists, through the same read core gives the others.
 *
 * The file is {kintsugi_export, exported_at, member, couple, items}:
 * member is the caller's account (name, role, language, when they joined;
 * nothing of passwords, keys, recovery codes or second factors), couple
 * the answer of GET /api/v1/couple, items one member per part ("journal",
 * "statements", ..., each kind's plural) holding what that route answers.
 * A therapist exports their own account alone: nothing of the couple's.
 * Every part must be whole, so a part that fails fails the export (500)
 * rather than leaving a gap nobody would notice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/conflict.h"
#include "core/item.h"
#include "i18n/i18n.h"

#define EXPORT_FORMAT	    1	/* "kintsugi_export": the layout of the file */
#define EXPORT_JOURNAL_PAGE 100 /* the journal's largest page (API.md) */
#define EXPORT_PATH_MAX	    64	/* "/api/v1/<plural>" */
#define EXPORT_FIRST_PERIOD "0001-01-01"
#define EXPORT_LAST_PERIOD  "9999-12-31"

/* How a part is read. */
enum export_how {
	EXPORT_LIST,	    /* one answer holds it all */
	EXPORT_PAGES,	    /* ?limit=&before=, page after page (the journal) */
	EXPORT_ALL_PERIODS, /* ?from=&to= over every period there can be (check-ins) */
	EXPORT_EACH,	    /* the list, then each item read again by its id */
};

struct export_part {
	const char *name;	     /* its member of "items" */
	const char *title;	     /* its heading in the HTML copy, N_() */
	int (*list)(struct kreq *r); /* the GET route's handler */
	const char *path;	     /* the route's path */
	const char *key;	     /* the answer's member that holds the part */
	enum export_how how;
	int (*one)(struct kreq *r); /* EXPORT_EACH: GET <path>/{id} */
	const char *one_key;	    /* and its answer's member */
	const char *kinds;	    /* the registry kinds whose items it holds, ' '-separated */
};

static int export_timeouts(struct kreq *r);

/*
 * The parts with routes of their own, in the file's order; then the kinds
 * of the registry that is all data, each under its plural (api_item_list).
 * A kind of the registry that none of them holds is caught by
 * src/http/test-routes.c (api_export_holds()).
 */
static const struct export_part parts[] = {
	{"journal", N_("Journal"), api_journal_list, "/api/v1/journal", "entries", EXPORT_PAGES,
	 NULL, NULL, ""},
	{"statements", N_("Accountability statements"), api_statements_list, "/api/v1/statements",
	 "statements", EXPORT_LIST, NULL, NULL, "statement_response"},
	{"commitments", N_("Your commitments"), api_commitments_list, "/api/v1/commitments",
	 "commitments", EXPORT_LIST, NULL, NULL, "commitment commitment_review"},
	{"checkins", N_("Check-ins"), api_checkins_list, "/api/v1/checkins", "checkins",
	 EXPORT_ALL_PERIODS, NULL, NULL, ""},
	{"shares", N_("Openness cards"), api_shares_list, "/api/v1/shares", "shares", EXPORT_LIST,
	 NULL, NULL, "share share_ack"},
	{"offers", N_("Transparency offers"), api_offers_list, "/api/v1/offers", "offers",
	 EXPORT_LIST, NULL, NULL, "offer"},
	{"activities", N_("Shared activities"), api_activities_list, "/api/v1/activities",
	 "activities", EXPORT_LIST, NULL, NULL, "activity activity_feeling"},
	{"helps_me", N_("What helps me when things get hard"), api_helps_me_get, "/api/v1/helps-me",
	 "helps_me", EXPORT_LIST, NULL, NULL, "helps_me"},
	{"conflict_plan", N_("Your plan for hard conversations"), api_conflict_plan_get,
	 "/api/v1/conflict-plan", "plan", EXPORT_LIST, NULL, NULL,
	 "conflict_plan conflict_plan_ok"},
	{"timeouts", N_("Breaks taken"), export_timeouts, "/api/v1/timeouts", "timeouts",
	 EXPORT_LIST, NULL, NULL, "timeout"},
	{"agreements", N_("Agreements"), api_agreements_list, "/api/v1/agreements", "agreements",
	 EXPORT_EACH, api_agreements_get, "agreement",
	 "agreement agreement_version agreement_ok agreement_end"},
	{"breaches", N_("Breaches and repair"), api_breaches_list, "/api/v1/breaches", "breaches",
	 EXPORT_LIST, NULL, NULL, "breach breach_repair breach_mend"},
	{"chores", N_("Chores, week by week"), api_chores_list, "/api/v1/chores", "chores",
	 EXPORT_LIST, NULL, NULL, "chore"},
	{"dates", N_("Date nights"), api_dates_list, "/api/v1/dates", "dates", EXPORT_LIST, NULL,
	 NULL, "date_night date_rating"},
	{"help_requests", N_("Requests for professional help"), api_help_requests_list,
	 "/api/v1/help-requests", "help_requests", EXPORT_LIST, NULL, NULL, "help_request"},
	{"help_dismissals", N_("Help signals you set aside"), api_help_dismissals_list,
	 "/api/v1/help-signals", "help_dismissals", EXPORT_LIST, NULL, NULL, "help_dismissal"},
	{"homework", N_("Homework"), api_homework_list, "/api/v1/homework", "homework", EXPORT_LIST,
	 NULL, NULL, "homework homework_done"},
	{"appreciations", N_("Appreciations"), api_appreciations_list, "/api/v1/appreciations",
	 "appreciations", EXPORT_LIST, NULL, NULL, "appreciation appreciation_thanks"},
	{"trigger_plan", N_("When I am triggered"), api_trigger_plan_get, "/api/v1/trigger-plan",
	 "trigger_plan", EXPORT_LIST, NULL, NULL, "trigger_plan"},
	{"triggered", N_("Times you said you were triggered"), api_triggered_list,
	 "/api/v1/triggered", "triggered", EXPORT_LIST, NULL, NULL, "triggered triggered_answer"},
	{"pace", N_("Your pace"), api_pace_mine, "/api/v1/pace", "pace", EXPORT_LIST, NULL, NULL,
	 "pace pace_pause"},
	{"listening", N_("Listening to each other"), api_listening_list, "/api/v1/listening",
	 "listening", EXPORT_LIST, NULL, NULL, "listening listening_answer"},
};

#define NPARTS (sizeof(parts) / sizeof(parts[0]))

/* Whether the ' '-separated list names holds name. */
static int names_hold(const char *names, const char *name)
{
	size_t n = strlen(name);

	while (*names) {
		size_t len = strcspn(names, " ");

		if (len == n && memcmp(names, name, n) == 0)
			return 1;
		names += len;
		names += strspn(names, " ");
	}
	return 0;
}

int api_export_holds(const char *kind)
{
	const struct item_kind *k = item_kind_find(kind);
	size_t i;

	if (k && k->plural)
		return 1;
	for (i = 0; i < NPARTS; i++)
		if (names_hold(parts[i].kinds, kind))
			return 1;
	return 0;
}

const char *api_export_title(const char *name)
{
	size_t i;

	for (i = 0; i < NPARTS; i++)
		if (strcmp(parts[i].name, name) == 0)
			return _(parts[i].title);
	for (i = 0; item_kinds[i]; i++)
		if (item_kinds[i]->plural && strcmp(item_kinds[i]->plural, name) == 0)
			return _(item_kinds[i]->title);
	return NULL;
}

/*
 * The couple's breaks, ended or not, as {"timeouts": [...]}: no route lists
 * them (GET /api/v1/timeouts answers the running one), so the export asks
 * core as that route does, and writes each as that route does.
 */
static int export_timeouts(struct kreq *r)
{
	struct timeout *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	e = timeouts_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 256);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "timeouts");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		api_write_timeout(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	free(list);
	return api_reply_writer(r, 200, &w);
}

/* What one in-process call needs: the caller's request, and core answering whole lists. */
struct export_ctx {
	struct kreq *r;
	struct core whole;
};

/*
 * The answer of handler for GET path (with {id} = id when not NULL, and
 * query), as the caller: its member key, a new reference into *ret (JSON
 * null when the answer lacks it).  Anything but a 200 is -EIO.
 */
static int call(struct export_ctx *x, int (*handler)(struct kreq *r), const char *path,
		const char *id, struct kfield *query, size_t nquery, const char *key, json_t **ret)
{
	struct kreq sub;
	json_error_t jerr;
	json_t *answer = NULL, *v;
	int e;

	*ret = NULL;
	memset(&sub, 0, sizeof(sub));
	sub.method = KMETHOD_GET;
	sub.path = path;
	if (id) {
		sub.params[0] = id;
		sub.nparams = 1;
	}
	sub.query = query;
	sub.nquery = nquery;
	sub.lang = x->r->lang;
	sub.client_ip = x->r->client_ip;
	sub.secure = x->r->secure;
	sub.session = x->r->session;
	sub.core = &x->whole;
	sub.config = x->r->config;
	sub.host = x->r->host;
	e = handler(&sub);
	if (e == 0 && (sub.status != 200 || !sub.resp_body))
		e = -EIO;
	if (e == 0) {
		answer = json_loadb(sub.resp_body, sub.resp_len, 0, &jerr);
		if (!answer)
			e = json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EIO;
	}
	if (sub.resp_body)
		vault_wipe(sub.resp_body, sub.resp_len);
	free(sub.resp_body);
	free(sub.location);
	free(sub.set_cookie);
	if (e != 0)
		return e;
	v = json_object_get(answer, key);
	*ret = json_incref(v ? v : json_null());
	json_decref(answer);
	return *ret ? 0 : -ENOMEM;
}

/* *ret = v when e is 0 (0), else v released (e). */
static int give(int e, json_t *v, json_t **ret)
{
	if (e != 0) {
		json_decref(v);
		return e;
	}
	*ret = v;
	return 0;
}

/* The journal, page after page, newest first. */
static int read_pages(struct export_ctx *x, const struct export_part *p, json_t **ret)
{
	char limit[] = "limit", before[] = "before", page_size[8], last[VAULT_ID_HEX + 1];
	struct kfield query[2] = {{limit, page_size, 0}, {before, last, 0}};
	json_t *all = json_array(), *page = NULL;
	size_t n;
	int e = all ? 0 : -ENOMEM;

	snprintf(page_size, sizeof(page_size), "%d", EXPORT_JOURNAL_PAGE);
	query[0].value_len = strlen(page_size);
	last[0] = '\0';
	while (e == 0) {
		e = call(x, p->list, p->path, NULL, query, last[0] ? 2 : 1, p->key, &page);
		if (e == 0 && !json_is_array(page))
			e = -EIO;
		if (e != 0)
			break;
		n = json_array_size(page);
		if (n > 0) {
			const char *id = json_string_value(
				json_object_get(json_array_get(page, n - 1), "id"));

			if (!id || strlen(id) != VAULT_ID_HEX)
				e = -EIO;
			else
				memcpy(last, id, sizeof(last));
			query[1].value_len = strlen(last);
		}
		if (e == 0 && json_array_extend(all, page) < 0)
			e = -ENOMEM;
		json_decref(page);
		page = NULL;
		if (n < EXPORT_JOURNAL_PAGE)
			break;
	}
	return give(e, all, ret);
}

/* The list, each item replaced by the answer of GET <path>/{id} (an agreement with its versions).
 */
static int read_each(struct export_ctx *x, const struct export_part *p, json_t **ret)
{
	char path[EXPORT_PATH_MAX + VAULT_ID_HEX + 2];
	json_t *list = NULL, *all, *one;
	size_t i;
	int e;

	e = call(x, p->list, p->path, NULL, NULL, 0, p->key, &list);
	if (e != 0)
		return e;
	all = json_array();
	if (!all || !json_is_array(list))
		e = all ? -EIO : -ENOMEM;
	for (i = 0; e == 0 && i < json_array_size(list); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));

		if (!id || strlen(id) != VAULT_ID_HEX) {
			e = -EIO;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", p->path, id);
		e = call(x, p->one, path, id, NULL, 0, p->one_key, &one);
		if (e == 0 && json_array_append_new(all, one) < 0)
			e = -ENOMEM;
	}
	json_decref(list);
	return give(e, all, ret);
}

static int read_part(struct export_ctx *x, const struct export_part *p, json_t **ret)
{
	char from[] = "from", to[] = "to", first[] = EXPORT_FIRST_PERIOD,
	     last[] = EXPORT_LAST_PERIOD;
	struct kfield periods[2] = {{from, first, sizeof(first) - 1}, {to, last, sizeof(last) - 1}};

	switch (p->how) {
	case EXPORT_PAGES:
		return read_pages(x, p, ret);
	case EXPORT_ALL_PERIODS:
		return call(x, p->list, p->path, NULL, periods, 2, p->key, ret);
	case EXPORT_EACH:
		return read_each(x, p, ret);
	default:
		return call(x, p->list, p->path, NULL, NULL, 0, p->key, ret);
	}
}

/* Every part into items, in order. */
static int read_parts(struct export_ctx *x, json_t *items)
{
	char path[EXPORT_PATH_MAX];
	json_t *v = NULL;
	size_t i;
	int e = 0;

	for (i = 0; e == 0 && i < NPARTS; i++) {
		e = read_part(x, &parts[i], &v);
		if (e == 0 && json_object_set_new(items, parts[i].name, v) < 0)
			e = -ENOMEM;
	}
	for (i = 0; e == 0 && item_kinds[i]; i++) {
		const struct item_kind *k = item_kinds[i];
		struct export_part p = {k->plural,   k->title, api_item_list, path,   k->plural,
					EXPORT_LIST, NULL,     NULL,	      k->name};

		if (!k->plural)
			continue;
		if (snprintf(path, sizeof(path), "/api/v1/%s", k->plural) >= (int)sizeof(path))
			return -EINVAL;
		e = read_part(x, &p, &v);
		if (e == 0 && json_object_set_new(items, k->plural, v) < 0)
			e = -ENOMEM;
	}
	return e;
}

/* The caller's account: {id, display_name, role, language, created_at}. */
static json_t *member_json(const struct member_view *v)
{
	json_t *o = api_json_member(v);

	if (o && json_object_set_new(o, "created_at", json_string(v->created_at)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int api_export_document(struct kreq *r, json_t **ret)
{
	struct export_ctx x = {.r = r};
	char now[STORE_TIME_LEN + 1];
	struct member_view v;
	json_t *doc, *items, *couple = NULL;
	int e, partner;

	*ret = NULL;
	x.whole = *r->core;
	x.whole.whole_lists = 1;
	memset(&v, 0, sizeof(v));
	e = account_describe(r->core, r->session, &v);
	if (e != 0)
		return e < 0 ? e : -EIO;
	session_now(now, 0);
	doc = json_object();
	items = json_object();
	if (!doc || !items ||
	    json_object_set_new(doc, "kintsugi_export", json_integer(EXPORT_FORMAT)) < 0 ||
	    json_object_set_new(doc, "exported_at", json_string(now)) < 0 ||
	    json_object_set_new(doc, "member", member_json(&v)) < 0)
		e = -ENOMEM;
	vault_wipe(&v, sizeof(v));
	/* a therapist's export is what they wrote themselves: their account */
	partner = strcmp(r->session->role, "partner") == 0;
	if (e == 0 && partner) {
		e = call(&x, api_couple_get, "/api/v1/couple", NULL, NULL, 0, "couple", &couple);
		if (e == 0 && json_object_set_new(doc, "couple", couple) < 0)
			e = -ENOMEM;
	}
	if (e == 0 && partner)
		e = read_parts(&x, items);
	if (e == 0 && json_object_set(doc, "items", items) < 0)
		e = -ENOMEM;
	json_decref(items);
	return give(e, doc, ret);
}

void api_export_filename(struct kreq *r, const json_t *doc, const char *ext)
{
	const char *at = json_string_value(json_object_get(doc, "exported_at"));

	snprintf(r->attachment, sizeof(r->attachment), "kintsugi-export-%.10s.%s",
		 at ? at : "0000-00-00", ext);
}

/* GET /api/v1/export */
int api_export(struct kreq *r)
{
	json_t *doc;
	int e;

	if (step1_no_query(r))
		return 0;
	e = api_export_document(r, &doc);
	if (e != 0)
		return e;
	api_export_filename(r, doc, "json");
	return api_reply(r, 200, doc);
}
