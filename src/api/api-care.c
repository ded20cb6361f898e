/*
 * api-care.c: the care team (API.md, "The care team"): a therapist's
 * invite proposed by one partner and approved by the other, the list of
 * the couple's therapists, and ending one's access.  Partners only (the
 * routing table says so); a therapist joins through POST /api/v1/join.
 */
#include <errno.h>
#include <string.h>

#include "api/api.h"
#include "core/care.h"

/* {id, status, proposed_by, approved_by, created_at, note, mine} */
static json_t *care_invite_json(const struct kreq *r, const struct care_invite *inv)
{
	return json_pack("{s:s,s:s,s:s,s:s?,s:s,s:s?,s:b}", "id", inv->id, "status", inv->status,
			 "proposed_by", inv->proposed_by, "approved_by",
			 inv->approved_by[0] ? inv->approved_by : NULL, "created_at",
			 inv->created_at, "note", inv->note, "mine",
			 strcmp(inv->proposed_by, r->session->member_id) == 0);
}

static int care_outcome(struct kreq *r, int e)
{
	if (e < 0)
		return e;
	switch (e) {
	case CARE_NOTFOUND:
		return api_error(r, 404, "not_found");
	case CARE_FORBIDDEN:
		return api_error(r, 403, "forbidden");
	case CARE_CONFLICT:
		return api_error(r, 409, "conflict");
	default:
		return -EIO;
	}
}

/* {invite} with status, or -ENOMEM */
static int care_reply(struct kreq *r, int status, const struct care_invite *inv)
{
	json_t *o = json_pack("{s:o}", "invite", care_invite_json(r, inv));

	return o ? api_reply(r, status, o) : -ENOMEM;
}

/* POST /api/v1/care/invites {note?} */
int api_care_invite_create(struct kreq *r)
{
	const char *note = kreq_str(r, "note");
	struct care_invite inv;
	int e;

	memset(&inv, 0, sizeof(inv));
	e = care_propose(r->core, r->session, note, note ? strlen(note) : 0, &inv);
	e = e != 0 ? care_outcome(r, e) : care_reply(r, 201, &inv);
	care_invite_clear(&inv);
	return e;
}

/* POST /api/v1/care/invites/{id}/approve: the link, shown this once */
int api_care_invite_approve(struct kreq *r)
{
	char token[CARE_TOKEN_LEN + 1], base[600], url[1024];
	struct care_invite inv;
	json_t *o;
	int e;

	/* first, so that no link is made that no answer could carry */
	if (kreq_invite_base_url(r, base, sizeof(base)) < 0)
		return api_error(r, 400, "unknown_host");
	memset(&inv, 0, sizeof(inv));
	e = care_approve(r->core, r->session, r->params[0], &inv, token);
	if (e != 0)
		return care_outcome(r, e);
	snprintf(url, sizeof(url), "%s/join?invite=%s", base, token);
	o = json_pack("{s:o,s:s,s:s}", "invite", care_invite_json(r, &inv), "url", url, "token",
		      token);
	vault_wipe(token, sizeof(token));
	vault_wipe(url, sizeof(url));
	care_invite_clear(&inv);
	return o ? api_reply(r, 200, o) : -ENOMEM;
}

/* POST /api/v1/care/invites/{id}/cancel */
int api_care_invite_cancel(struct kreq *r)
{
	struct care_invite inv;
	int e;

	memset(&inv, 0, sizeof(inv));
	e = care_cancel(r->core, r->session, r->params[0], &inv);
	e = e != 0 ? care_outcome(r, e) : care_reply(r, 200, &inv);
	care_invite_clear(&inv);
	return e;
}

/* GET /api/v1/care: {therapists: [{id, display_name, since}], invites: [...]} */
int api_care_get(struct kreq *r)
{
	struct care_therapist *team = NULL;
	struct care_invite *invs = NULL;
	size_t nteam = 0, ninvs = 0, i;
	json_t *o = NULL, *a = NULL, *b = NULL;
	int e;

	e = care_team(r->core, r->session, &team, &nteam);
	if (e == 0)
		e = care_invites(r->core, r->session, &invs, &ninvs);
	if (e != 0) {
		free(team);
		return care_outcome(r, e);
	}
	a = json_array();
	b = json_array();
	for (i = 0; a && i < nteam; i++)
		if (json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "id", team[i].id,
						       "display_name", team[i].display_name,
						       "since", team[i].since)) != 0)
			e = -ENOMEM;
	for (i = 0; b && i < ninvs; i++)
		if (json_array_append_new(b, care_invite_json(r, &invs[i])) != 0)
			e = -ENOMEM;
	free(team);
	care_invites_free(invs, ninvs);
	if (a && b && e == 0)
		o = json_pack("{s:o,s:o}", "therapists", a, "invites", b);
	else {
		json_decref(a);
		json_decref(b);
	}
	return o ? api_reply(r, 200, o) : -ENOMEM;
}

/* DELETE /api/v1/care/{member_id}: that therapist's access ends at once */
int api_care_end(struct kreq *r)
{
	int e = care_end(r->core, r->session, r->params[0]);

	if (e != 0)
		return care_outcome(r, e);
	return api_reply(r, 204, NULL);
}
