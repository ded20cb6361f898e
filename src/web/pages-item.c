/*
 * pages-item.c: the pages of every kind that is all data (core/item.h,
 * record.c), for whichever kind the path names: /{plural} lists what the
 * member may see with a form for a new one, /{plural}/{id} changes or
 * removes one of their own.  The template of the same name as the plural
 * ('-' written '_', web_kind_template()) lays it out and says everything in words; this file hands
 * it the same data for every kind:
 *
 *   items[]   id, mine, from_name and From_name (set_partner()), date,
 *             changed (the date of the last change, when there was one),
 *             private, shared_partner,
 *             shared_care, f.<field> (the value), d.<field> (a date as
 *             people read it), is.<field>_<choice> (true for the chosen
 *             one, each chosen one of a set, "1" or "0" for a yes or no),
 *             is.status_<status> (the kind's status() today, if it has one)
 *   form      f, is and shared_partner as above: what the form shows
 *             (typed values again after an error); editing: its id
 *   max.<field>, error, invalid.<field>, empty, partner_name and
 *             Partner_name (set_partner())
 *
 * A group's member "checklist.fees" (field.h) is "checklist_fees" in these
 * names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/item.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/*
 * A field's name as a template key: a group's member "checklist.fees"
 * (field.h) is "checklist_fees", since a dot in a mustache name looks
 * into an object.
 */
static void template_key(char *out, size_t cap, const char *name)
{
	char *p;

	snprintf(out, cap, "%s", name);
	for (p = out; *p; p++)
		if (*p == '.')
			*p = '_';
}

/* is.<field>_<choice> for each choice in a FIELD_ENUM_SET's comma-joined value. */
static void set_choices(json_t *is, const char *name, const char *v, size_t len)
{
	char key[96];
	size_t at = 0;

	while (at < len) {
		const char *comma = memchr(v + at, ',', len - at);
		size_t piece = comma ? (size_t)(comma - (v + at)) : len - at;

		snprintf(key, sizeof(key), "%s_%.*s", name, (int)piece, v + at);
		set_flag(is, key, 1);
		at += piece + 1;
	}
}

/* f, d and is of one set of values into o; value(i) gives fields[i]'s or NULL. */
static void set_values(const struct kreq *r, const struct item_kind *k, json_t *o,
		       const char *const *vals, const size_t *lens)
{
	json_t *f = json_object(), *d = json_object(), *is = json_object();
	char key[96], name[64];
	size_t i;

	for (i = 0; f && d && is && i < k->nfields; i++) {
		const struct field *fd = &k->fields[i];
		const char *v = vals[i];
		size_t len;

		if (!v)
			continue;
		len = lens ? lens[i] : strlen(v);
		template_key(name, sizeof(name), fd->name);
		set_text(f, name, v, len);
		if (fd->type == FIELD_DATE)
			set_date(r, d, name, v);
		if (fd->type == FIELD_ENUM || fd->type == FIELD_BOOL) {
			snprintf(key, sizeof(key), "%s_%s", name, v);
			set_flag(is, key, 1);
		}
		if (fd->type == FIELD_ENUM_SET)
			set_choices(is, name, v, len);
	}
	if (o) {
		json_object_set_new(o, "f", f);
		json_object_set_new(o, "d", d);
		json_object_set_new(o, "is", is);
	} else {
		json_decref(f);
		json_decref(d);
		json_decref(is);
	}
}

static json_t *item_card(const struct kreq *r, const struct item_kind *k,
			 const struct item_view *it, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", it->id);
	set_flag(o, "mine", it->mine);
	set_partner(o, "from_name", partner);
	set_date(r, o, "date", it->created_at);
	if (strcmp(it->updated_at, it->created_at) != 0)
		set_date(r, o, "changed", it->updated_at);
	set_flag(o, "private", !(it->shared_with & (ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE)));
	set_flag(o, "shared_partner", (it->shared_with & ACCESS_SHARE_PARTNER) != 0);
	set_flag(o, "shared_care", (it->shared_with & ACCESS_SHARE_CARE) != 0);
	set_values(r, k, o, (const char *const *)it->values, it->lens);
	if (it->status) {
		char key[64];

		snprintf(key, sizeof(key), "status_%s", it->status);
		set_flag(json_object_get(o, "is"), key, 1);
	}
	return o;
}

/*
 * The choices of a FIELD_ENUM_SET ticked in the form sent ("<field>.<choice>"),
 * joined with ',' into buf; NULL when none.
 */
static const char *typed_set(const struct kreq *r, const struct field *f, char *buf, size_t cap)
{
	char name[96];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; f->choices && f->choices[i]; i++) {
		snprintf(name, sizeof(name), "%s.%s", f->name, f->choices[i]);
		if (!kreq_form(r, name))
			continue;
		if (len + strlen(f->choices[i]) + 2 > cap)
			break;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "",
					f->choices[i]);
	}
	return len ? buf : NULL;
}

/* What the form shows: the typed values after an error, the item's when editing, else none. */
static json_t *form_data(const struct kreq *r, const struct item_kind *k,
			 const struct item_view *editing, int typed)
{
	const char *vals[ITEM_FIELDS_MAX] = {0};
	char sets[ITEM_FIELDS_MAX][256];
	json_t *o = json_object();
	size_t i;
	int shared = 1; /* a new item is offered to the partner; unticking keeps it private */
	int care = 0;	/* the care team: only when ticked */

	if (typed) {
		for (i = 0; i < k->nfields && i < ITEM_FIELDS_MAX; i++) {
			if (k->fields[i].type == FIELD_ENUM_SET)
				vals[i] = typed_set(r, &k->fields[i], sets[i], sizeof(sets[i]));
			else if (k->fields[i].type != FIELD_SHARED)
				vals[i] = kreq_form(r, k->fields[i].name);
		}
		shared = kreq_form(r, "share_partner") != NULL;
		care = kreq_form(r, "share_care") != NULL;
		set_values(r, k, o, vals, NULL);
	} else if (editing) {
		set_values(r, k, o, (const char *const *)editing->values, editing->lens);
		shared = (editing->shared_with & ACCESS_SHARE_PARTNER) != 0;
		care = (editing->shared_with & ACCESS_SHARE_CARE) != 0;
	} else {
		set_values(r, k, o, vals, NULL);
	}
	set_flag(o, "shared_partner", shared);
	set_flag(o, "shared_care", care);
	if (editing)
		web_set(o, "id", editing->id);
	return o;
}

/*
 * The kind's page: the list, and the form for a new item; with editing,
 * the form changes that item instead.  status 400 shows the typed values
 * again with why (bad_field: the field the kind's own rule refused).
 */
static int kind_page(struct kreq *r, const struct item_kind *k, int status,
		     const struct item_view *editing, const char *bad_field)
{
	struct item_view *list = NULL;
	char partner[512], tmpl[64];
	struct member_view mv;
	json_t *data, *items, *max;
	size_t n = 0, i;
	int rc, typed = status == 400;

	rc = item_views(r->core, r->session, k, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) != 0)
		memset(&mv, 0, sizeof(mv)); /* nobody named: the stand-in */
	member_view_partner(&mv, partner, sizeof(partner));
	data = web_page_new(r, _(k->title));
	items = json_array();
	max = json_object();
	for (i = 0; i < n; i++) {
		char author[512];

		/* whoever wrote it, by name: a therapist reads both partners' items */
		author_display_name(&mv, list[i].author_id, author, sizeof(author));
		if (push(items, item_card(r, k, &list[i], author)) < 0)
			break;
	}
	item_views_free(list, n);
	for (i = 0; max && i < k->nfields; i++) {
		char name[64];

		template_key(name, sizeof(name), k->fields[i].name);
		if (k->fields[i].type == FIELD_STRING)
			set_int(max, name, k->fields[i].max);
	}
	set_flag(data, "empty", n == 0);
	/* a therapist reads what the partners shared with the care team, and writes only what
	 * their kind lets them */
	set_flag(data, "care_view", !item_partner(r->session));
	set_flag(data, "can_write", item_partner(r->session) || k->care_may_create);
	set_flag(data, "care_allowed", (k->shared_allowed & ACCESS_SHARE_CARE) != 0);
	set_partner(data, "partner_name", partner);
	if (data) {
		json_object_set_new(data, "items", items);
		json_object_set_new(data, "max", max);
		json_object_set_new(data, "form", form_data(r, k, editing, typed));
		if (editing)
			json_object_set_new(data, "editing", json_true());
	} else {
		json_decref(items);
		json_decref(max);
	}
	web_form_refused(r, data, typed, bad_field);
	web_kind_template(k, tmpl, sizeof(tmpl));
	return web_render(r, status, tmpl, data, 0);
}

/* The kind the path names, and a signed-in member: else the answer is set. */
static const struct item_kind *page_kind(struct kreq *r, int *rc)
{
	const struct item_kind *k = item_kind_at(r->path);

	*rc = k ? 0 : page_error(r, 404);
	return k;
}

/* An outcome of record.c as a page; redirect: where a success goes. */
static int outcome_page(struct kreq *r, const struct item_kind *k, int outcome, const char *field,
			const struct item_view *editing, const char *redirect)
{
	if (outcome == ITEM_INVALID)
		return kind_page(r, k, 400, editing, field);
	return page_outcome(r, outcome, redirect,
			    _("Only the person who wrote this can change or remove it."));
}

/* page_items() - GET /{plural} */
int page_items(struct kreq *r)
{
	int rc;
	const struct item_kind *k = page_kind(r, &rc);

	return k ? kind_page(r, k, 200, NULL, NULL) : rc;
}

/*
 * Save the form: a new item, or (editing) a change of that one; then back
 * to the list at the item, or the form again with why.
 */
static int save(struct kreq *r, const struct item_kind *k, const struct item_view *editing)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct item_view it;
	const char *field = NULL;
	char url[96] = "";
	unsigned shared;
	int rc;

	if (r->input_error)
		return kind_page(r, k, 400, editing, NULL);
	shared = kreq_item_values(r, k, &v, &scratch);
	rc = editing ? item_change(r->core, r->session, k, editing->id, &v, shared, &it, &field)
		     : item_create(r->core, r->session, k, &v, shared, &it, &field);
	if (rc == ITEM_OK) {
		snprintf(url, sizeof(url), "/%s#item-%s", k->plural, it.id);
		item_view_clear(&it);
	}
	return outcome_page(r, k, rc, field, editing, url);
}

/* page_item_create() - POST /{plural} */
int page_item_create(struct kreq *r)
{
	int rc;
	const struct item_kind *k = page_kind(r, &rc);

	return k ? save(r, k, NULL) : rc;
}

/* The item at /{plural}/{id} as its author may change it, or the outcome. */
static int own_item(struct kreq *r, const struct item_kind *k, struct item_view *it)
{
	int rc = item_read(r->core, r->session, k, r->params[0], it);
	if (rc == ITEM_OK && !it->mine) {
		item_view_clear(it);
		rc = ITEM_FORBIDDEN;
	}
	return rc;
}

/* One's own item at /{plural}/{id}: its form, or (saving) its change saved. */
static int own_page(struct kreq *r, int saving)
{
	struct item_view it;
	int rc;
	const struct item_kind *k = page_kind(r, &rc);

	if (!k)
		return rc;
	rc = own_item(r, k, &it);
	if (rc != ITEM_OK)
		return outcome_page(r, k, rc, NULL, NULL, NULL);
	rc = saving ? save(r, k, &it) : kind_page(r, k, 200, &it, NULL);
	item_view_clear(&it);
	return rc;
}

/* page_item_edit() - GET /{plural}/{id}: change or remove one's own */
int page_item_edit(struct kreq *r)
{
	return own_page(r, 0);
}

/* page_item_update() - POST /{plural}/{id} */
int page_item_update(struct kreq *r)
{
	return own_page(r, 1);
}

/* page_item_delete() - POST /{plural}/{id}/delete */
int page_item_delete(struct kreq *r)
{
	const char *id = r->params[0];
	char url[64];
	int rc;
	const struct item_kind *k = page_kind(r, &rc);

	if (!k)
		return rc;
	rc = id ? item_remove(r->core, r->session, k, id) : ITEM_NOTFOUND;
	snprintf(url, sizeof(url), "/%s", k->plural);
	return outcome_page(r, k, rc, NULL, NULL, url);
}
