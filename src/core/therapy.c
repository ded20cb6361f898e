/*
 * therapy.c: the kinds of step 4 (seek professional help) that are all
 * data: the therapists a couple considers, compared by one checklist; the
 * log of their therapy sessions; the workshops, retreats and weekend
 * seminars they consider, book or attend.  Each is a descriptor; record.c
 * stores, seals and guards its items, and the registry (kinds.c) gives
 * them their routes, API answers and pages.  None has a rule of its own
 * beyond its fields.
 */
#include "core/item.h"
#include "i18n/i18n.h"

#define THERAPY_LIST_MAX  200  /* the newest of each kind a list shows */
#define THERAPY_NAME_MAX  200  /* a name or a title */
#define THERAPY_SHORT_MAX 200  /* a checklist's fees and availability (API.md) */
#define THERAPY_NOTES_MAX 4000 /* notes on a candidate, a session or a workshop */

/* ---- therapists: candidates saved and compared ---------------------------- */

/*
 * The methods a candidate may work with: those with research behind them
 * (the Gottman Method, Emotionally Focused Therapy, the integrative affair
 * treatment of Snyder, Baucom and Gordon, cognitive-behavioural couple
 * therapy, sensate focus), sex therapy, and anything else.
 */
static const char *const therapist_methods[] = {
	"gottman", "eft", "integrative_affair", "cbt", "sensate_focus", "sex_therapy",
	"other",   NULL,
};

enum {
	THERAPIST_F_NAME,
	THERAPIST_F_CONTACT,
	THERAPIST_F_METHODS,
	THERAPIST_F_SEXUALITY,
	THERAPIST_F_EVIDENCE,
	THERAPIST_F_CERTIFIED,
	THERAPIST_F_FEES,
	THERAPIST_F_AVAILABILITY,
	THERAPIST_F_NOTES,
	THERAPIST_F_SHARED,
	THERAPIST_NFIELDS
};

/*
 * The checklist is the JSON object "checklist" (a group, field.h): each
 * question a member of it, so that the same five come back for every
 * candidate and the page can set them side by side.  A box not ticked is
 * no.  Everything is sealed: even whom a couple considers says something.
 */
static const struct field therapist_fields[] = {
	[THERAPIST_F_NAME] = {"name", FIELD_STRING, 1, 1, THERAPY_NAME_MAX, NULL},
	[THERAPIST_F_CONTACT] = {"contact", FIELD_STRING, 0, 0, THERAPY_NAME_MAX, NULL},
	[THERAPIST_F_METHODS] = {"methods", FIELD_ENUM_SET, 0, 0, 7, therapist_methods},
	[THERAPIST_F_SEXUALITY] = {"checklist.sexuality", FIELD_BOOL, 0, 0, 0, NULL},
	[THERAPIST_F_EVIDENCE] = {"checklist.evidence_based", FIELD_BOOL, 0, 0, 0, NULL},
	[THERAPIST_F_CERTIFIED] = {"checklist.certified", FIELD_BOOL, 0, 0, 0, NULL},
	[THERAPIST_F_FEES] = {"checklist.fees", FIELD_STRING, 0, 0, THERAPY_SHORT_MAX, NULL},
	[THERAPIST_F_AVAILABILITY] = {"checklist.availability", FIELD_STRING, 0, 0,
				      THERAPY_SHORT_MAX, NULL},
	[THERAPIST_F_NOTES] = {"notes", FIELD_STRING, 0, 0, THERAPY_NOTES_MAX, NULL},
	/* not given: private (API.md: shared_with defaults to []) */
	[THERAPIST_F_SHARED] = {"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
};
_Static_assert(THERAPIST_NFIELDS <= ITEM_FIELDS_MAX, "a therapist's fields fit an item");

const struct item_kind therapist_kind = {
	.name = "therapist",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "therapst",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = THERAPY_LIST_MAX,
	.plural = "therapists",
	.title = N_("Finding a therapist"),
	.fields = therapist_fields,
	.nfields = THERAPIST_NFIELDS,
	/* the couple's therapist reads those shared with the care team, and writes none */
	.partners_only = 0,
};

/* ---- therapy sessions: a log with notes ---------------------------------- */

enum { SESSION_F_HELD_ON, SESSION_F_TITLE, SESSION_F_NOTES, SESSION_F_SHARED, SESSION_NFIELDS };

/*
 * A session's day is plain (the list is ordered by it, latest first); its
 * title and notes are sealed, private unless the author shares them.
 */
static const struct field therapy_session_fields[] = {
	[SESSION_F_HELD_ON] = {"held_on", FIELD_DATE, 1, 0, 0, NULL},
	[SESSION_F_TITLE] = {"title", FIELD_STRING, 1, 1, THERAPY_NAME_MAX, NULL},
	[SESSION_F_NOTES] = {"notes", FIELD_STRING, 0, 0, THERAPY_NOTES_MAX, NULL},
	[SESSION_F_SHARED] = {"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};

const struct item_kind therapy_session_kind = {
	.name = "therapy_session",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "thsessns",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = THERAPY_LIST_MAX,
	.plural = "therapy-sessions",
	.title = N_("Therapy sessions"),
	.fields = therapy_session_fields,
	.nfields = SESSION_NFIELDS,
	.plain_mask = 1u << SESSION_F_HELD_ON,
	/* the couple's therapist reads those shared with the care team, and writes none */
	.partners_only = 0,
	.sort_by = 1 + SESSION_F_HELD_ON,
};

/* ---- workshops, retreats and weekend seminars ---------------------------- */

static const char *const workshop_kinds[] = {"workshop", "retreat", "seminar", NULL};
static const char *const workshop_statuses[] = {"considering", "booked", "attended", NULL};

enum {
	WORKSHOP_F_KIND,
	WORKSHOP_F_TITLE,
	WORKSHOP_F_STARTS_ON,
	WORKSHOP_F_STATUS,
	WORKSHOP_F_NOTES,
	WORKSHOP_NFIELDS
};

/*
 * Something the couple does together, so both partners always see it
 * (API.md gives it no shared_with); every field sealed.
 */
static const struct field workshop_fields[] = {
	[WORKSHOP_F_KIND] = {"kind", FIELD_ENUM, 1, 0, 0, workshop_kinds},
	[WORKSHOP_F_TITLE] = {"title", FIELD_STRING, 1, 1, THERAPY_NAME_MAX, NULL},
	[WORKSHOP_F_STARTS_ON] = {"starts_on", FIELD_DATE, 0, 0, 0, NULL},
	[WORKSHOP_F_STATUS] = {"status", FIELD_ENUM, 1, 0, 0, workshop_statuses},
	[WORKSHOP_F_NOTES] = {"notes", FIELD_STRING, 0, 0, THERAPY_NOTES_MAX, NULL},
};

const struct item_kind workshop_kind = {
	.name = "workshop",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "workshps",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = THERAPY_LIST_MAX,
	.plural = "workshops",
	.title = N_("Workshops, retreats and seminars"),
	.fields = workshop_fields,
	.nfields = WORKSHOP_NFIELDS,
	.partners_only = 1,
};
