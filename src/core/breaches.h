/*
 * breaches.h: breaches and their repair (step 3, set boundaries).  Either
 * partner records a breach: what happened, optionally the agreement it
 * broke, and whether it is their own (a self-report, which the pages thank
 * and nothing ever scores).  Then each partner writes their side of a
 * repair conversation in the shape of Gottman's "aftermath of a fight":
 * the feelings they had (chosen from a list), their own view, a summary of
 * the other's, what triggered them, their own part with an apology, and
 * one thing they will do differently.  A partner reads the other's repair
 * only once they wrote their own, so neither answers the other's words.
 * The breach is repaired once both partners said so, each after writing
 * their repair.
 *
 * Breaches are between the partners: a member who is not one sees and
 * makes none (ITEM_NOTFOUND to read, ITEM_FORBIDDEN to write).
 *
 * Return values: 0, a positive enum breach_result (item outcomes first),
 * or a negative errno.
 */
#ifndef KINTSUGI_CORE_BREACHES_H
#define KINTSUGI_CORE_BREACHES_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define BREACH_TEXT_MAX	    2000 /* what happened, and each text of a repair: characters */
#define BREACH_FEELINGS_MIN 1	 /* a repair names at least one feeling */
#define BREACH_FEELINGS_MAX 10	 /* and at most ten: a choice, not the whole list */
#define BREACHES_MAX	    100	 /* the breaches a list shows */

/*
 * The fields of a breach, in this order; all of them sealed under the
 * couple key (which agreement it broke, and whose breach it is, say as
 * much as what happened), or the care key when it is shared with the care
 * team.  agreement_id is optional: one of the couple's agreements.
 * shared_with is the row's, not a value: ["partner"] or ["partner",
 * "care"], chosen by the one who records it; the repairs and "repaired"s
 * follow it.
 */
enum {
	BREACH_F_AGREEMENT,
	BREACH_F_DESCRIPTION,
	BREACH_F_SELF_REPORT,
	BREACH_F_SHARED,
	BREACH_NFIELDS
};
extern const struct field breach_fields[BREACH_NFIELDS];

/*
 * The fields of a repair, in this order, all sealed: feelings are 1..10
 * distinct keys of breach_feelings[]; my_view, my_part and do_differently
 * 1..BREACH_TEXT_MAX characters; their_view_summary and triggers 0..that
 * (a partner who writes first may not have heard the other's view yet, and
 * may know of no trigger).
 */
enum {
	REPAIR_F_FEELINGS,
	REPAIR_F_MY_VIEW,
	REPAIR_F_THEIR_VIEW,
	REPAIR_F_TRIGGERS,
	REPAIR_F_MY_PART,
	REPAIR_F_DO_DIFFERENTLY,
	REPAIR_NFIELDS
};
extern const struct field breach_repair_fields[REPAIR_NFIELDS];

/* The keys of the feelings a repair chooses from, NULL-terminated, in the order pages show them. */
extern const char *const breach_feelings[];
/* breach_feeling_label() - the label of a feeling key, marked N_() (translate it), or NULL. */
const char *breach_feeling_label(const char *key);

/*
 * breach_kind: the breach.  breach_repair_kind: a partner's repair, one
 * each (once = breach/member).  breach_mend_kind: a partner saying "we
 * talked it through: repaired", one each, with nothing in it.
 */
extern const struct item_kind breach_kind, breach_repair_kind, breach_mend_kind;

/* The outcomes of this module: the item outcomes, then three reasons for a 409. */
enum breach_result {
	BREACH_NOTFOUND = ITEM_NOTFOUND,
	BREACH_FORBIDDEN = ITEM_FORBIDDEN,
	BREACH_CONFLICT = ITEM_CONFLICT, /* changed at the same moment */
	BREACH_INVALID = ITEM_INVALID,
	BREACH_WRITTEN,	  /* the caller wrote their repair already: change it instead */
	BREACH_UNWRITTEN, /* the caller has written no repair yet */
	BREACH_CLOSED,	  /* repaired: its repairs no longer change */
};

enum breach_status {
	BREACH_OPEN,	  /* no repair yet */
	BREACH_REPAIRING, /* at least one repair written */
	BREACH_REPAIRED,  /* both partners said so, each after writing their repair */
};

/* breach_status_name() - "open", "repairing" or "repaired". */
const char *breach_status_name(enum breach_status st);

struct breach {
	struct item_view v; /* values[BREACH_F_*]; v.status is the status's name */
	enum breach_status status;
	/* the repairs the reader may read, oldest first: their own, and the
	 * partner's once they wrote their own (values[REPAIR_F_*]) */
	struct item_view *repairs;
	size_t nrepairs;
	size_t waiting; /* repairs written that the reader may not read yet (the partner's) */
	int wrote;	/* the reader wrote their repair */
	char repaired_by[2][VAULT_ID_HEX + 1]; /* who said it is repaired */
	size_t nrepaired;
	int said_repaired; /* the reader is among them */
};

/*
 * breach_record() - a new breach from v (agreement_id?, description,
 * self_report), recorded by the caller, shared as shared_with says:
 * ACCESS_SHARE_PARTNER, with ACCESS_SHARE_CARE or not (anything else:
 * ITEM_INVALID with *field "shared_with": a breach is always the couple's).
 * ITEM_INVALID with *field; ITEM_NOTFOUND with *field "agreement_id" when
 * that is not an agreement of the couple's.
 */
int breach_record(const struct core *c, const struct session *s, const struct item_values *v,
		  unsigned shared_with, struct breach *ret, const char **field);

/*
 * breach_read() - one breach of the couple, with the repairs the reader may
 * read (a therapist: one shared with the care team, with both repairs,
 * else ITEM_NOTFOUND).
 */
int breach_read(const struct core *c, const struct session *s, const char *id, struct breach *ret);

/* breaches_list() - the couple's breaches, newest first, each as breach_read() gives it. */
int breaches_list(const struct core *c, const struct session *s, struct breach **ret, size_t *n);

/* What breach_repair_put() may do. */
enum breach_repair_mode {
	BREACH_REPAIR_NEW,    /* write the caller's repair; BREACH_WRITTEN when it exists */
	BREACH_REPAIR_CHANGE, /* change it; BREACH_UNWRITTEN when there is none */
	BREACH_REPAIR_ANY,    /* either (a page's one form) */
};

/*
 * breach_repair_put() - the caller's repair of breach id from v (the
 * fields of breach_repair_fields), written or changed as mode says;
 * *ret is the breach afterwards.  ITEM_INVALID with *field;
 * BREACH_CLOSED once the breach is repaired.
 */
int breach_repair_put(const struct core *c, const struct session *s, const char *id,
		      const struct item_values *v, enum breach_repair_mode mode, struct breach *ret,
		      const char **field);

/*
 * breach_mark_repaired() - the caller says breach id is repaired; once
 * both partners have, it is.  BREACH_UNWRITTEN before the caller wrote
 * their repair.  Saying it again changes nothing.
 */
int breach_mark_repaired(const struct core *c, const struct session *s, const char *id,
			 struct breach *ret);

/* breach_repair_mine() - the reader's own repair among b's, or NULL. */
const struct item_view *breach_repair_mine(const struct breach *b);

void breach_clear(struct breach *b);
void breaches_free(struct breach *list, size_t n);

#endif
