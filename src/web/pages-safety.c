/*
 * pages-safety.c: the private safety check as pages (/safety), the help it
 * leads to, and what a concern changes on the member's own pages.
 *
 * /safety asks four yes/no questions, with who sees what first; its answer
 * is always the same redirect (so neither the address nor the status says
 * what was answered), and the page then shows the result with the help of
 * the member's language: the lines of the country their browser names when
 * the help has it, else every country's.  It is offered once after
 * sign-up (the recovery key's "Continue" leads to /safety?welcome=1, which
 * can be skipped), in settings and in the footer of every page.
 *
 * After a concern, the couple exercises are paused for that member alone:
 * home shows the help instead of the steps, and every page of a couple
 * exercise (couple_pages below, and each kind of the registry) answers
 * with the help instead (page_safety_gate(), called by the server before
 * the route's handler).  Nothing of the partner's changes: they read no
 * row the check writes.  The journal, settings, the program's texts and
 * the check itself stay where they were.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/safety.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* An address as a person reads it: without "https://" and a closing '/'. */
static void set_address(json_t *o, const char *url)
{
	char text[SAFETY_FIELD_MAX + 1];
	size_t n;

	snprintf(text, sizeof(text), "%s", strncmp(url, "https://", 8) == 0 ? url + 8 : url);
	n = strlen(text);
	if (n > 1 && text[n - 1] == '/')
		text[n - 1] = '\0';
	web_set(o, "url", url);
	web_set(o, "url_text", text);
}

/* o[key] = v, which it takes over; v is released when o is NULL (memory ran out). */
static void set_new(json_t *o, const char *key, json_t *v)
{
	if (o && v)
		json_object_set_new(o, key, v);
	else
		json_decref(v);
}

static json_t *string_list(const char *const *list, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (push(arr, json_string(list[i])) < 0)
			break;
	return arr;
}

/* The country r's browser names (Accept-Language), into region; 0 or -ENOENT. */
static int request_region(const struct kreq *r, char region[3])
{
	const char *al = r->accept_language;

	return i18n_region(al, al ? strlen(al) : 0, region);
}

/*
 * help_data() - the help of r's language on data: help_countries [{name,
 * lines: [{name, contact, url, url_text}]}], about and leave (lists of
 * text), and help_more when only some countries are shown (all: every one).
 */
static void help_data(const struct kreq *r, json_t *data, int all)
{
	const struct safety_help *h = safety_help_of(r->lang);
	json_t *countries = json_array();
	char region[3];
	const char *rg = request_region(r, region) == 0 ? region : NULL;
	size_t i, j, shown = 0;

	for (i = 0; h && i < h->ncountries; i++) {
		const struct safety_country *cn = &h->countries[i];
		json_t *o, *lines;

		if (!safety_help_shows(h, i, rg, all))
			continue;
		shown++;
		o = json_object();
		lines = json_array();
		web_set(o, "name", cn->name);
		for (j = cn->first; j < cn->first + cn->n; j++) {
			json_t *l = json_object();

			web_set(l, "name", h->lines[j].name);
			web_set(l, "contact", h->lines[j].contact);
			set_address(l, h->lines[j].url);
			if (push(lines, l) < 0)
				break;
		}
		set_new(o, "lines", lines);
		if (push(countries, o) < 0)
			break;
	}
	set_new(data, "help_countries", countries);
	web_set_bool(data, "help_more", h && shown < h->ncountries);
	if (h) {
		set_new(data, "about", string_list(h->about, h->nabout));
		set_new(data, "leave", string_list(h->leave, h->nleave));
	}
}

/*
 * page_safety_concern() - see pages.h: the help on data when the member's
 * latest check is a concern.
 */
int page_safety_concern(struct kreq *r, json_t *data)
{
	int rc = safety_concern(r->core, r->session);

	if (rc > 0) {
		set_flag(data, "concern", 1);
		help_data(r, data, 0);
	}
	return rc;
}

/* The four questions as the form asks them, gently, each with an example. */
static const struct {
	const char *legend;
	const char *help;
} questions[SAFETY_QUESTIONS] = {
	[SAFETY_AFRAID] = {N_("Do you feel afraid of your partner?"),
			   N_("Afraid of what they might do to you, or of how they will react "
			      "when you disagree or say no.")},
	[SAFETY_THREATENED] = {N_("Has your partner threatened you, or someone or something you "
				  "care about?"),
			       N_("For example: to hurt you, your children or a pet, to take the "
				  "children away, or to share private pictures of you.")},
	[SAFETY_HURT] = {N_("Has your partner hurt you physically?"),
			 N_("For example: hit, slapped, pushed, kicked, choked or held you "
			    "down.")},
	[SAFETY_FORCED] = {N_("Has your partner forced or pressured you into sexual acts you "
			      "did not want?"),
			   N_("Pressure counts too: threats, guilt, or not taking no for an "
			      "answer.")},
};

/*
 * The questions on data as the form shows them: [{name, legend, help,
 * yes, no, invalid}]; after a refused form (typed), each answer as it was
 * sent.  Never the stored answers: the form starts blank.
 */
static void questions_data(const struct kreq *r, json_t *data, int typed)
{
	const struct input_error *err = typed ? r->input_error : NULL;
	json_t *list = json_array();
	unsigned q;

	for (q = 0; q < SAFETY_QUESTIONS; q++) {
		const char *name = safety_question_name(q);
		const char *v = typed ? kreq_form(r, name) : NULL;
		json_t *o = json_object();

		web_set(o, "name", name);
		web_set(o, "legend", _(questions[q].legend));
		web_set(o, "help", _(questions[q].help));
		set_flag(o, "yes", v && strcmp(v, "1") == 0);
		set_flag(o, "no", v && strcmp(v, "0") == 0);
		set_flag(o, "invalid", err && strcmp(err->field, name) == 0);
		if (push(list, o) < 0)
			break;
	}
	set_new(data, "questions", list);
}

/* GET /safety, and the form again (400) after a POST that missed an answer. */
static int safety_page(struct kreq *r, int status)
{
	struct safety_check chk;
	json_t *data;
	int rc, welcome = kreq_query(r, "welcome") != NULL;

	rc = safety_latest(r->core, r->session, &chk);
	if (rc < 0)
		return rc;
	data = web_page_new(r, welcome ? _("Before you begin") : _("A private safety check"));
	set_flag(data, "welcome", welcome);
	set_flag(data, "taken", chk.result != SAFETY_NONE);
	set_flag(data, "concern", chk.result == SAFETY_CONCERN);
	if (chk.result != SAFETY_NONE) {
		set_date(r, data, "at", chk.at);
		help_data(r, data, kreq_query(r, "all") != NULL);
	}
	safety_check_clear(&chk);
	if (status == 400) {
		/* a missing answer is the usual reason: say it in the form's own words */
		if (r->input_error && strcmp(r->input_error->code, INPUT_MISSING_FIELD) == 0)
			web_form_error(data, "error",
				       _("Please answer each of the four questions, yes or no."),
				       r->input_error->field);
		else
			web_input_error(r, data, "error");
	} else if (kreq_query(r, "done")) {
		web_set(data, "notice", _("Saved. Only you can see your answers."));
	}
	questions_data(r, data, status == 400);
	return web_render(r, status, "safety", data, 0);
}

/* page_safety() - GET /safety (?welcome=1 after sign-up, ?all=1 for every country's lines) */
int page_safety(struct kreq *r)
{
	return safety_page(r, 200);
}

/*
 * page_safety_answer() - POST /safety (afraid, threatened, hurt, forced:
 * "1" or "0").  Whatever the answers, the same 303 to /safety?done=1.
 */
int page_safety_answer(struct kreq *r)
{
	unsigned char yes[SAFETY_QUESTIONS];
	unsigned q;
	int rc;

	if (r->input_error)
		return safety_page(r, 400);
	for (q = 0; q < SAFETY_QUESTIONS; q++)
		yes[q] = json_is_true(json_object_get(r->json, safety_question_name(q))) ? 1 : 0;
	rc = safety_record(r->core, r->session, yes, NULL);
	vault_wipe(yes, sizeof(yes));
	if (rc < 0)
		return rc;
	return web_redirect(r, "/safety?done=1#result");
}

/*
 * page_safety_gate() - see pages.h: a couple exercise asked for by a
 * member whose check showed a concern gets the help (GET) or is sent home
 * (POST, which changes nothing).
 */
int page_safety_gate(struct kreq *r, const char *pattern)
{
	json_t *data;
	int rc;

	if (!r->session || !pattern || !safety_paused_route(pattern))
		return 0;
	rc = safety_concern(r->core, r->session);
	if (rc <= 0)
		return rc;
	if (r->method == KMETHOD_POST) {
		rc = web_redirect(r, "/home");
	} else {
		data = web_page_new(r, _("This page is paused for you"));
		set_flag(data, "concern", 1);
		help_data(r, data, 0);
		rc = web_render(r, 200, "safety_hold", data, 0);
	}
	return rc < 0 ? rc : 1;
}
