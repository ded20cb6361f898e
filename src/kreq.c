/*
 * kreq.c: small readers over struct kreq shared by the page and API
 * handlers, and the one translation of input errors into sentences.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "kconfig.h"
#include "core/account.h"
#include "core/item.h"
#include "http/parse.h"
#include "i18n/i18n.h"
#include "kreq.h"

static const char *kfield_find(const struct kfield *f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].value;
	return NULL;
}

const char *kreq_form(const struct kreq *r, const char *name)
{
	return kfield_find(r->form, r->nform, name);
}

const char *kreq_query(const struct kreq *r, const char *name)
{
	return kfield_find(r->query, r->nquery, name);
}

const char *kreq_str(const struct kreq *r, const char *name)
{
	json_t *v;

	if (!r->json)
		return NULL;
	v = json_object_get(r->json, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

unsigned kreq_shared_bits(const json_t *arr)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));

		if (v && !strcmp(v, "partner"))
			bits |= ACCESS_SHARE_PARTNER;
		else if (v && !strcmp(v, "care"))
			bits |= ACCESS_SHARE_CARE;
	}
	return bits;
}

/*
 * The strings of the array arr joined with ',' into scratch's room for
 * sets; NULL when they do not fit (or arr is empty).
 */
static const char *join_set(const json_t *arr, struct kreq_item_scratch *scratch, size_t *ret_len)
{
	char *out = scratch->set + scratch->set_used;
	size_t room = sizeof(scratch->set) - scratch->set_used, len = 0, i;

	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *e = json_array_get(arr, i);
		size_t n = json_string_length(e);

		if (!json_is_string(e) || len + n + 2 > room)
			return NULL;
		if (i)
			out[len++] = ',';
		memcpy(out + len, json_string_value(e), n);
		len += n;
	}
	if (len == 0)
		return NULL;
	out[len] = '\0';
	scratch->set_used += len + 1;
	*ret_len = len;
	return out;
}

unsigned kreq_item_values(const struct kreq *r, const struct item_kind *k, struct item_values *v,
			  struct kreq_item_scratch *scratch)
{
	unsigned shared = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	scratch->set_used = 0;
	for (i = 0; i < k->nfields && i < ITEM_FIELDS_MAX; i++) {
		const json_t *j_v = r->json ? fields_value(r->json, k->fields[i].name) : NULL;

		switch (k->fields[i].type) {
		case FIELD_SHARED:
			shared = kreq_shared_bits(j_v);
			break;
		case FIELD_INT:
			if (!json_is_integer(j_v))
				break;
			snprintf(scratch->num[i], sizeof(scratch->num[i]), "%lld",
				 (long long)json_integer_value(j_v));
			v->v[i] = scratch->num[i];
			v->len[i] = strlen(scratch->num[i]);
			break;
		case FIELD_BOOL:
			if (!json_is_boolean(j_v))
				break;
			v->v[i] = json_is_true(j_v) ? "1" : "0";
			v->len[i] = 1;
			break;
		case FIELD_ENUM_SET:
			v->v[i] = join_set(j_v, scratch, &v->len[i]);
			break;
		default:
			if (!json_is_string(j_v))
				break;
			v->v[i] = json_string_value(j_v);
			v->len[i] = json_string_length(j_v);
		}
	}
	return shared;
}

const char *kreq_field_label(const char *field)
{
	static const struct {
		const char *field;
		const char *label;
	} labels[] = {
		{"login", N_("Login")},
		{"password", N_("Password")},
		{"old_password", N_("Current password")},
		{"new_password", N_("New password")},
		{"display_name", N_("Your name")},
		{"language", N_("Language")},
		{"discreet", N_("Discreet mode")},
		{"autolock_minutes", N_("Lock after")},
		{"next", N_("The page to go on to")},
		{"body", N_("Text")},
		{"prompt", N_("Prompt")},
		{"token", N_("Invite")},
		{"invite", N_("Invite")},
		{"recovery_key", N_("Recovery key")},
		{"role", N_("Role")},
		{"limit", N_("Limit")},
		{"kind", N_("Kind")},
		{"text", N_("Text")},
		{"until", N_("Until")},
		{"timeout_word", N_("A time-out word")},
		{"break_minutes", N_("How long a break lasts, in minutes")},
		{"minutes", N_("How many minutes?")},
		{"come_back", N_("How you come back")},
		{"soft_startup", N_("How you start again, gently")},
		{"version", N_("Version")},
		{"title", N_("Title")},
		{"first_partner", N_("Who does it first?")},
		{"starts_on", N_("From the week of")},
		{"week", N_("Week")},
		{"planned_for", N_("Day")},
		{"rating", N_("How it was")},
		{"note", N_("A note")},
		{"done", N_("It happened")},
		{"shared_with", N_("Who sees it")},
		{"agreement_id", N_("The agreement")},
		{"description", N_("What happened")},
		{"self_report", N_("It was mine")},
		{"feelings", N_("What you felt")},
		{"my_view", N_("How you saw it")},
		{"their_view_summary", N_("How your partner saw it, in your words")},
		{"triggers", N_("What set you off")},
		{"my_part", N_("Your part, and your apology")},
		{"do_differently", N_("One thing you will do differently")},
		{"before", N_("Page")},
		{"query", N_("Address")},
		{"category", N_("What is it about?")},
		{"consequence", N_("If it is not kept (optional)")},
		{"review_on", N_("Review it on")},
		/* step 4: homework and the session-prep summary */
		{"due_on", N_("Due on")},
		{"from", N_("From")},
		{"to", N_("To")},
		{"journal", N_("Journal entries")},
		{"reason", N_("Why you retire it")},
		{"notice", N_("The notice to dismiss")},
		/* step 1: the statement's parts and the partner's response */
		{"what_i_did", N_("What I did")},
		{"impact", N_("How it affected you")},
		{"why", N_("What I understand about why")},
		{"regret", N_("My regret")},
		{"repair", N_("What I will do differently")},
		{"forgiveness_request", N_("A request for forgiveness")},
		{"read", N_("I have read it")},
		{"landed", N_("What landed for me")},
		{"still_need", N_("What I still need to hear")},
		{"review_every_days", N_("How often to review it")},
		{"status", N_("How did it go?")},
		/* step 2 */
		{"period", N_("Day or week")},
		{"scores", N_("How each area is going")},
		{"trust", N_("Trust")},
		{"closeness", N_("Closeness")},
		{"rhythm", N_("How often you check in")},
		{"reply", N_("A few words back (optional)")},
		{"felt", N_("How did it feel? (optional)")},
		/* step 4: the help page's dismiss form */
		{"signal", N_("The signal to set aside")},
		/* step 4: therapists compared, therapy sessions, workshops */
		{"contact", N_("How to reach them")},
		{"methods", N_("Methods they work with")},
		{"checklist", N_("The checklist")},
		{"checklist.sexuality", N_("They specialise in sexuality and relationships")},
		{"checklist.evidence_based", N_("They use a method with research behind it")},
		{"checklist.certified", N_("Certified")},
		{"checklist.fees", N_("Fees")},
		{"checklist.availability", N_("Availability")},
		{"notes", N_("Notes")},
		{"held_on", N_("The day of the session")},
		/* step 5: rituals of connection, self-care, the listening exercise */
		{"every", N_("How often")},
		{"time", N_("At what time")},
		{"done_on", N_("The day")},
		{"topic", N_("What you want to talk about")},
		{"speaker_first", N_("Who speaks first?")},
		{"turns", N_("How many turns you took")},
		{"felt_heard", N_("I felt heard")},
		/* a second factor */
		{"code", N_("Code from your authenticator app")},
		{"totp", N_("Code from your authenticator app")},
		{"passkey", N_("Passkey")},
		{"credential", N_("Passkey")},
		{"name", N_("A name for this passkey")},
		{"passkey_id", N_("Passkey to remove")},
		/* the private safety check: its four questions, short */
		{"afraid", N_("Afraid of your partner")},
		{"threatened", N_("Threatened by your partner")},
		{"hurt", N_("Hurt by your partner")},
		{"forced", N_("Forced or pressured into sex")},
		/* step 5: appreciations and the trigger plan */
		{"meant", N_("What it meant to you")},
		{"wants", N_("What you would like")},
		{"words", N_("Words that help")},
		/* the pace ladder: a rung's answer, and each rung of the page's form */
		{"choice", N_("Your answer")},
		{"rung", N_("Step")},
		{"hands", N_("Holding hands")},
		{"hug", N_("Hugging")},
		{"kiss", N_("Kissing")},
		{"cuddle", N_("Cuddling, with clothes on")},
		{"massage", N_("A massage")},
		{"sensate_1",
		 N_("Sensate focus, stage 1: touch that leaves out breasts and genitals")},
		{"sensate_2",
		 N_("Sensate focus, stage 2: touch that includes genitals, no intercourse")},
		{"sensate_3", N_("Sensate focus, stage 3: touching each other at the same time")},
		{"intercourse", N_("Intercourse")},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].field, field) == 0)
			return _(labels[i].label);
	return field;
}

/* The password fields: their maximum counts bytes, and the message says so. */
static int is_password_field(const char *field)
{
	return strcmp(field, "password") == 0 || strcmp(field, "old_password") == 0 ||
	       strcmp(field, "new_password") == 0;
}

const char *kreq_input_message(const struct input_error *err)
{
	static _Thread_local char buf[512];
	const char *code = err && err->code ? err->code : INPUT_INVALID_JSON;
	const char *label = err ? kreq_field_label(err->field) : "";

	if (strcmp(code, INPUT_INVALID_JSON) == 0)
		return _("The request could not be read. Please send one JSON object in UTF-8.");
	if (strcmp(code, INPUT_UNKNOWN_FIELD) == 0)
		snprintf(buf, sizeof(buf), _("“%s” is not something this form takes."), label);
	else if (strcmp(code, INPUT_MISSING_FIELD) == 0)
		snprintf(buf, sizeof(buf), _("Please fill in “%s”."), label);
	else if (strcmp(code, INPUT_WRONG_TYPE) == 0)
		snprintf(buf, sizeof(buf), _("“%s” has the wrong kind of value."), label);
	else if (strcmp(code, INPUT_TOO_SHORT) == 0)
		snprintf(buf, sizeof(buf), _("“%s” is too short."), label);
	else if (strcmp(code, INPUT_TOO_LONG) == 0 && err && is_password_field(err->field))
		snprintf(
			buf, sizeof(buf),
			ngettext_("“%s” can be at most %d byte long (a letter outside the English "
				  "alphabet takes two or more).",
				  "“%s” can be at most %d bytes long (a letter outside the English "
				  "alphabet takes two or more).",
				  LIMIT_PASSWORD_MAX),
			label, LIMIT_PASSWORD_MAX);
	else if (strcmp(code, INPUT_TOO_LONG) == 0)
		snprintf(buf, sizeof(buf), _("“%s” is too long."), label);
	else if (strcmp(code, INPUT_OUT_OF_RANGE) == 0)
		snprintf(buf, sizeof(buf), _("“%s” is outside the allowed range."), label);
	else
		snprintf(buf, sizeof(buf), _("“%s” has a value that is not allowed."), label);
	return buf;
}

const char *kreq_answer(const struct kreq *r, const char *code_name)
{
	const char *p = kreq_str(r, "passkey");

	return p && *p ? p : kreq_str(r, code_name);
}

int kreq_base_url(const struct kreq *r, char *out, size_t outlen)
{
	if (r->config && r->config->public_url[0])
		return snprintf(out, outlen, "%s", r->config->public_url) >= (int)outlen ? -1 : 0;
	return snprintf(out, outlen, "%s://%s", r->secure ? "https" : "http",
			r->host ? r->host : "127.0.0.1:8080") >= (int)outlen
		       ? -1
		       : 0;
}

/*
 * Whether host is this server as the configuration knows it: its listen
 * address with its port (the port may be left out when it is 80), or
 * "localhost" with it when it listens on a loopback address.
 */
static int host_is_ours(const struct kconfig *cfg, const char *host)
{
	char port[8];
	const char *addr = cfg->listen_addr;
	size_t alen;
	int loopback = strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0;

	snprintf(port, sizeof(port), ":%u", cfg->listen_port);
	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass == 0 ? addr : "localhost";
		const char *h = host;

		if (pass == 1 && !loopback)
			break;
		alen = strlen(name);
		if (pass == 0 && cfg->listen_family == AF_INET6) {
			if (h[0] != '[' || strncmp(h + 1, name, alen) != 0 || h[1 + alen] != ']')
				continue;
			h += alen + 2;
		} else {
			if (strncasecmp(h, name, alen) != 0)
				continue;
			h += alen;
		}
		if (strcmp(h, port) == 0 || (h[0] == '\0' && cfg->listen_port == 80))
			return 1;
	}
	return 0;
}

int kreq_invite_base_url(const struct kreq *r, char *out, size_t outlen)
{
	if (!r->config)
		return -1;
	if (!r->config->public_url[0] && (!r->host || !host_is_ours(r->config, r->host)))
		return -1;
	return kreq_base_url(r, out, outlen);
}

void kreq_account_guard(const struct kreq *r, struct account_guard *g)
{
	memset(g, 0, sizeof(*g));
	if (r->config) {
		g->login_failures = r->config->signin_login_failures;
		g->address_failures = r->config->signin_address_failures;
		g->window_s = r->config->signin_window;
	}
	g->address = r->client_ip;
	g->device = r->device;
	g->device_len = r->device_len;
}
