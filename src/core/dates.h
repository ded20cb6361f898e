/*
 * dates.h: date nights (step 3, the safety net): an evening planned
 * together, marked done, and rated by each partner on their own (1 to 5,
 * with a note if they like).  Both partners see the date and both ratings.
 * A date is between the partners; the one who planned it may change its
 * title and day.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_DATES_H
#define KINTSUGI_CORE_DATES_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define DATE_TITLE_MAX 200  /* characters */
#define DATE_NOTE_MAX  1000 /* characters */
#define DATES_MAX      100  /* the dates a list shows */

enum { DATE_F_TITLE, DATE_F_PLANNED_FOR, DATE_NFIELDS };
extern const struct field date_fields[DATE_NFIELDS];
enum { DATE_R_DONE, DATE_R_RATING, DATE_R_NOTE, DATE_R_NFIELDS };
extern const struct field date_rating_fields[DATE_R_NFIELDS];
extern const struct item_kind date_kind, date_rating_kind;

/* One partner's answer: done, and how it was (rating 0: none given). */
struct date_rating {
	int given; /* the partner answered at all */
	int done;
	int rating;
	char *note; /* NULL: none; wiped when cleared */
	size_t note_len;
	char at[STORE_TIME_LEN + 1];
};

struct date_night {
	struct item_view v; /* values[DATE_F_*] */
	struct date_rating mine, partner;
	int done; /* either partner marked it done */
};

/* date_plan() - a date from v (title, planned_for: today through a year ahead). */
int date_plan(const struct core *c, const struct session *s, const struct item_values *v,
	      struct date_night *ret, const char **field);

/*
 * date_answer() - the reader's answer to date id: done or not, a rating
 * (0: none; else 1..5) and a note (NULL: none).  Either partner answers,
 * each their own; a second answer replaces the first.  ITEM_INVALID with
 * *field for a rating without done.
 */
int date_answer(const struct core *c, const struct session *s, const char *id, int done, int rating,
		const char *note, struct date_night *ret, const char **field);

int date_read(const struct core *c, const struct session *s, const char *id,
	      struct date_night *ret);
/* dates_list() - the couple's dates, latest planned day first. */
int dates_list(const struct core *c, const struct session *s, struct date_night **ret, size_t *n);
void date_clear(struct date_night *d);
void dates_free(struct date_night *list, size_t n);

#endif
