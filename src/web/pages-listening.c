/*
 * pages-listening.c: the listening exercise as pages (/listening, step 5).
 * /listening starts a session (a topic, who speaks first) and lists the
 * ones before; /listening/{id} is the guide: the steps of speaker and
 * listener as a list that needs no JavaScript (static/js/listening.js adds
 * a turn timer, "pass the phone" and a swap button), and afterwards each
 * partner's own, private "I felt heard".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/listening.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* The facts of a session both pages show: its topic, day and who speaks first. */
static json_t *listening_card(const struct kreq *r, const struct listening *l)
{
	json_t *o = json_object();

	web_set(o, "id", l->v.id);
	set_text(o, "topic", l->v.values[LISTENING_F_TOPIC], l->v.lens[LISTENING_F_TOPIC]);
	set_date(r, o, "date", l->v.created_at);
	set_flag(o, "me_first", l->me_first);
	set_flag(o, "answered", l->answered);
	return o;
}

/*
 * The partner's display name and member id (id "" when there is none yet),
 * and the reader's own name into me (NULL: not wanted).
 */
static void partner_of(const struct kreq *r, char *name, size_t cap, char id[VAULT_ID_HEX + 1],
		       char *me, size_t me_cap)
{
	struct member_view mv;
	size_t i;

	id[0] = '\0';
	name[0] = '\0';
	if (me)
		me[0] = '\0';
	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) != 0)
		return;
	member_view_partner(&mv, name, cap);
	if (me)
		snprintf(me, me_cap, "%s", mv.display_name);
	for (i = 0; i < mv.npartners; i++)
		if (strcmp(mv.partners[i].id, r->session->member_id) != 0)
			memcpy(id, mv.partners[i].id, VAULT_ID_HEX + 1);
}

/* /listening; status 400 shows what was typed again, with why. */
static int listening_page(struct kreq *r, int status, const char *field)
{
	struct listening *list = NULL;
	char partner[512], partner_id[VAULT_ID_HEX + 1];
	const char *first = status == 400 ? kreq_form(r, "speaker_first") : NULL;
	json_t *data, *items;
	size_t n = 0, i;
	int rc;

	rc = listening_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_of(r, partner, sizeof(partner), partner_id, NULL, 0);
	data = web_page_new(r, _("Listening to each other"));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, listening_card(r, &list[i])) < 0)
			break;
	listening_free(list, n);
	if (data)
		json_object_set_new(data, "sessions", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	set_partner(data, "partner_name", partner);
	web_set(data, "me", r->session->member_id);
	if (partner_id[0])
		web_set(data, "partner_id", partner_id);
	set_flag(data, "partner_first", first && strcmp(first, r->session->member_id) != 0);
	set_int(data, "topic_max", LISTENING_TOPIC_MAX);
	if (status == 400)
		web_set(data, "topic_value", kreq_form(r, "topic"));
	web_form_refused(r, data, status == 400, field);
	return web_render(r, status, "listening", data, 0);
}

/* page_listening() - GET /listening */
int page_listening(struct kreq *r)
{
	return listening_page(r, 200, NULL);
}

/* page_listening_start() - POST /listening (topic?, speaker_first) */
int page_listening_start(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct listening l;
	const char *field = NULL;
	char url[96] = "/listening";
	int rc;

	if (r->input_error)
		return listening_page(r, 400, NULL);
	kreq_item_values(r, &listening_kind, &v, &scratch);
	rc = listening_start(r->core, r->session, &v, &l, &field);
	if (rc == ITEM_INVALID)
		return listening_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/listening/%s", l.v.id);
	listening_clear(&l);
	return page_outcome(r, rc, url, NULL);
}

/* /listening/{id}: the guide and the reader's own answer; 400 with why. */
static int session_page(struct kreq *r, int status, const char *field)
{
	char partner[512], partner_id[VAULT_ID_HEX + 1], key[16], me[512];
	const char *heard = status == 400 ? kreq_form(r, "felt_heard") : NULL;
	struct listening l;
	json_t *data, *card;
	int rc;

	rc = listening_read(r->core, r->session, r->params[0], &l);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_of(r, partner, sizeof(partner), partner_id, me, sizeof(me));
	data = web_page_new(r, _("Listening to each other"));
	card = listening_card(r, &l);
	if (data && card)
		json_object_set_new(data, "session", card);
	else
		json_decref(card);
	set_partner(data, "partner_name", partner);
	/* who speaks first and second, by name, for the guide and the turn timer */
	set_partner(data, "first_name", l.me_first ? me : partner);
	set_partner(data, "second_name", l.me_first ? partner : me);
	set_flag(data, "saved", status == 200 && kreq_query(r, "saved") != NULL && l.answered);
	/* the reader's answer (or what they typed) back in the form */
	if (status == 400) {
		web_set(data, "turns_value", kreq_form(r, "turns"));
		web_set(data, "minutes_value", kreq_form(r, "minutes"));
	} else {
		set_int(data, "turns_value", l.answered ? l.turns : 2);
		set_int(data, "minutes_value", l.answered ? l.minutes : 15);
	}
	if (heard && heard[0] >= '1' && heard[0] <= '5' && !heard[1])
		snprintf(key, sizeof(key), "h%c", heard[0]);
	else
		snprintf(key, sizeof(key), "h%d", l.answered ? l.felt_heard : 0);
	set_flag(data, key, 1);
	set_int(data, "turns_max", LISTENING_TURNS_MAX);
	set_int(data, "minutes_max", LISTENING_MINUTES_MAX);
	listening_clear(&l);
	web_form_refused(r, data, status == 400, field);
	return web_render(r, status, "listening", data, 0);
}

/* page_listening_show() - GET /listening/{id} */
int page_listening_show(struct kreq *r)
{
	return session_page(r, 200, NULL);
}

/* page_listening_answer() - POST /listening/{id} (turns, minutes, felt_heard): mine only */
int page_listening_answer(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct listening l;
	const char *field = NULL;
	char url[96];
	int rc;

	if (r->input_error)
		return session_page(r, 400, NULL);
	kreq_item_values(r, &listening_answer_kind, &v, &scratch);
	rc = listening_answer(r->core, r->session, r->params[0], &v, &l, &field);
	listening_clear(&l);
	if (rc == ITEM_INVALID)
		return session_page(r, 400, field);
	snprintf(url, sizeof(url), "/listening/%s?saved=1#answer", r->params[0]);
	return page_outcome(r, rc, url, NULL);
}
