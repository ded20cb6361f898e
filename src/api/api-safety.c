/*
 * api-safety.c: the private safety check (API.md, "Safety and ownership"):
 * POST and GET /api/v1/safety-check.  The answer is the caller's alone:
 * {result: "ok"|"concern", resources: [{name, contact, url, country}], at},
 * or {result: null} before the first check.  resources are the help lines
 * of the caller's language, for the country their Accept-Language names
 * when the help has it (with the lines that serve anywhere), else every
 * country's; country is the ISO code, null for the lines that serve
 * anywhere.  The status is the same for every answer.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/safety.h"
#include "i18n/i18n.h"

/* The help lines for r, as resources: [...]. */
static void write_resources(struct json_writer *w, const struct kreq *r)
{
	const struct safety_help *h = safety_help_of(r->lang);
	const char *al = r->accept_language;
	char region[3];
	const char *rg = i18n_region(al, al ? strlen(al) : 0, region) == 0 ? region : NULL;
	size_t i, j;

	json_writer_key(w, "resources");
	json_writer_begin_array(w);
	for (i = 0; h && i < h->ncountries; i++) {
		const struct safety_country *cn = &h->countries[i];

		if (!safety_help_shows(h, i, rg, 0))
			continue;
		for (j = cn->first; j < cn->first + cn->n; j++) {
			const struct safety_line *l = &h->lines[j];

			json_writer_begin_object(w);
			json_writer_key(w, "name");
			json_writer_string(w, l->name, strlen(l->name));
			json_writer_key(w, "contact");
			json_writer_string(w, l->contact, strlen(l->contact));
			json_writer_key(w, "url");
			json_writer_string(w, l->url, strlen(l->url));
			json_writer_key(w, "country");
			json_writer_string_or_null(w, strcmp(cn->code, "*") == 0 ? NULL : cn->code);
			json_writer_end_object(w);
		}
	}
	json_writer_end_array(w);
}

/* {result, resources, at} for a check, or {result: null} when there is none. */
static int safety_reply(struct kreq *r, const struct safety_check *chk)
{
	struct json_writer w;

	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "result");
	json_writer_string_or_null(&w, safety_result_name(chk->result));
	if (chk->result != SAFETY_NONE) {
		write_resources(&w, r);
		json_writer_key(&w, "at");
		json_writer_string(&w, chk->at, strlen(chk->at));
	}
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/safety-check */
int api_safety_get(struct kreq *r)
{
	struct safety_check chk;
	int e;

	if (step1_no_query(r))
		return 0;
	e = safety_latest(r->core, r->session, &chk);
	if (e == 0)
		e = safety_reply(r, &chk);
	safety_check_clear(&chk);
	return e;
}

/* POST /api/v1/safety-check {afraid, threatened, hurt, forced} (booleans, all four) */
int api_safety_post(struct kreq *r)
{
	unsigned char yes[SAFETY_QUESTIONS];
	struct safety_check chk;
	unsigned q;
	int e;

	for (q = 0; q < SAFETY_QUESTIONS; q++)
		yes[q] = json_is_true(json_object_get(r->json, safety_question_name(q))) ? 1 : 0;
	e = safety_record(r->core, r->session, yes, &chk);
	vault_wipe(yes, sizeof(yes));
	if (e == 0)
		e = safety_reply(r, &chk);
	safety_check_clear(&chk);
	return e;
}

/*
 * api_safety_gate() - see api.h: after a concern, the couple exercises
 * answer 403 `paused` to that member, whatever the method, and change
 * nothing; their journal, settings, export and the check stay open.
 */
int api_safety_gate(struct kreq *r, const char *pattern)
{
	int rc;

	if (!r->session || !safety_paused_route(pattern))
		return 0;
	rc = safety_concern(r->core, r->session);
	if (rc <= 0)
		return rc;
	rc = api_error(r, 403, "paused");
	return rc < 0 ? rc : 1;
}
