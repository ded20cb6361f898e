/*
 * homework.h: homework with a due date (step 4, seek professional help):
 * something to do before a day, assigned by a partner (to the couple) or
 * by the couple's therapist, and marked done or not.
 *
 * A homework is shared with the partner always, and with the care team
 * when its author says so (shared_with ["partner", "care"]); what a
 * therapist assigns is always ["partner", "care"].  Either partner marks it
 * done (or not done again), with a note if they like: each partner's mark
 * is their own answer, seen by whoever sees the homework; it is done while
 * either partner's mark says done.  A therapist assigns and reads, and
 * never marks.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_HOMEWORK_H
#define KINTSUGI_CORE_HOMEWORK_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define HOMEWORK_TITLE_MAX  200	 /* characters */
#define HOMEWORK_BODY_MAX   4000 /* characters */
#define HOMEWORK_NOTE_MAX   1000 /* characters */
#define HOMEWORK_MAX	    100	 /* the homework a list shows */
#define HOMEWORK_DAYS_AHEAD 366	 /* due_on: today through today + 366, UTC (API.md) */
#define HOMEWORK_MARKS_MAX  2	 /* one mark per partner */

/*
 * The kind's fields; HOMEWORK_F_BY ("partner" or "care": who assigned it)
 * is set by core from the author's role, never taken from a body, so the
 * routes declare the fields before it only (HOMEWORK_INPUT_NFIELDS).
 */
enum {
	HOMEWORK_F_TITLE,
	HOMEWORK_F_BODY,
	HOMEWORK_F_DUE_ON,
	HOMEWORK_F_SHARED,
	HOMEWORK_F_BY,
	HOMEWORK_NFIELDS
};
#define HOMEWORK_INPUT_NFIELDS HOMEWORK_F_BY
extern const struct field homework_fields[HOMEWORK_NFIELDS];
enum { HOMEWORK_D_DONE, HOMEWORK_D_NOTE, HOMEWORK_D_NFIELDS };
extern const struct field homework_done_fields[HOMEWORK_D_NFIELDS];
extern const struct item_kind homework_kind, homework_done_kind;

/* One partner's mark: done or not, and a note. */
struct homework_mark {
	char member_id[STORE_ID_LEN + 1];
	int mine; /* the reader's own */
	int done;
	char *note; /* NULL: none; wiped when cleared */
	size_t note_len;
	char at[STORE_TIME_LEN + 1];
};

struct homework {
	struct item_view v; /* values[HOMEWORK_F_*] */
	struct homework_mark marks[HOMEWORK_MARKS_MAX];
	size_t nmarks;
	int done;    /* either partner's mark says done */
	int by_care; /* a therapist assigned it */
};

/*
 * homework_assign() - a homework from v (title, body, due_on) shared as
 * shared_with, which must hold the partner (ITEM_INVALID "shared_with"
 * otherwise); due_on today through today + HOMEWORK_DAYS_AHEAD
 * (ITEM_INVALID "due_on").  A partner or the couple's therapist assigns;
 * a therapist's is ["partner", "care"].
 */
int homework_assign(const struct core *c, const struct session *s, struct item_values *v,
		    unsigned shared_with, struct homework *ret, const char **field);

/*
 * homework_mark() - the reader's mark on homework id: done or not, and a
 * note (NULL or "": none); a second mark replaces the first.  Partners
 * only (ITEM_FORBIDDEN for a therapist who sees it).
 */
int homework_mark(const struct core *c, const struct session *s, const char *id, int done,
		  const char *note, struct homework *ret, const char **field);

int homework_read(const struct core *c, const struct session *s, const char *id,
		  struct homework *ret);
/* homework_list() - the homework the reader may see, latest due first. */
int homework_list(const struct core *c, const struct session *s, struct homework **ret, size_t *n);
void homework_clear(struct homework *h);
void homework_list_free(struct homework *list, size_t n);

#endif
