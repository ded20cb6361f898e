/*
 * listening.h: the listening exercise of step 5 (speaker and listener,
 * after Markman, Stanley and Blumberg's PREP).  The couple starts a
 * session (a topic if they like, and which partner speaks first); both
 * see it.  Afterwards each partner writes down, on their own, how many
 * turns they took, how long it ran and how heard they felt, from 1 to 5.
 * That answer is sealed under its author's own key: the partner never
 * reads it, nor whether it was written.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_LISTENING_H
#define KINTSUGI_CORE_LISTENING_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define LISTENING_TOPIC_MAX   200 /* characters */
#define LISTENING_TURNS_MAX   100 /* turns of the floor in one session */
#define LISTENING_MINUTES_MAX 600 /* ten hours: longer is a slip of the finger */
#define LISTENING_MAX	      100 /* the sessions a list shows */

enum { LISTENING_F_TOPIC, LISTENING_F_SPEAKER_FIRST, LISTENING_NFIELDS };
extern const struct field listening_fields[LISTENING_NFIELDS];
enum { LISTENING_A_TURNS, LISTENING_A_MINUTES, LISTENING_A_FELT_HEARD, LISTENING_A_NFIELDS };
extern const struct field listening_answer_fields[LISTENING_A_NFIELDS];
extern const struct item_kind listening_kind, listening_answer_kind;

/* One session, opened, with the reader's own answer (if they gave one). */
struct listening {
	struct item_view v; /* values[LISTENING_F_*]; the speaker is a partner's member id */
	int me_first;	    /* the reader speaks first */
	int answered;	    /* the reader wrote their answer */
	int turns, minutes, felt_heard;
	char answered_at[STORE_TIME_LEN + 1];
};

/*
 * listening_start() - a new session from v: topic (optional) and
 * speaker_first, the member id of one of the couple's partners (the
 * reader, or their partner): ITEM_INVALID with *field otherwise.  *ret
 * (listening_clear()) is written on success.
 */
int listening_start(const struct core *c, const struct session *s, const struct item_values *v,
		    struct listening *ret, const char **field);

/*
 * listening_answer() - the reader's own answer to session id (turns,
 * minutes, felt_heard: each required, within listening_answer_fields'
 * bounds); a second answer replaces the first.  ITEM_NOTFOUND for a
 * session the reader may not see; ITEM_INVALID with *field.
 */
int listening_answer(const struct core *c, const struct session *s, const char *id,
		     const struct item_values *v, struct listening *ret, const char **field);

int listening_read(const struct core *c, const struct session *s, const char *id,
		   struct listening *ret);
/* listening_list() - the couple's sessions, newest first (nothing for a non-partner). */
int listening_list(const struct core *c, const struct session *s, struct listening **ret,
		   size_t *n);
/*
 * listening_count() - how many sessions the couple has started (at most
 * LISTENING_MAX), for the home page; 0 for anyone but a partner.
 */
int listening_count(const struct core *c, const struct session *s, size_t *ret);

void listening_clear(struct listening *l);
void listening_free(struct listening *list, size_t n);

#endif
