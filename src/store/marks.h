/*
 * marks.h: sessions' last-seen marks held in memory until they are written
 * together.
 *
 * A session's mark moves at most once a minute, but at thousands of members
 * that is hundreds of one-row write transactions a second, made by reads:
 * each one's commit empties the page cache of every other connection, adds a
 * 16 KiB page to the log and brings the next checkpoint nearer, and the
 * signed-in read that made it waits for the writer lock behind whatever
 * write or checkpoint holds it (docs/performance.md, session 16).  So the
 * SQLite store keeps each touched session's latest mark here and writes them
 * all in one transaction when the oldest is MARKS_AGE_MS old or the table
 * holds MARKS_MAX; reading a session in this process sees its held mark
 * (marks_raise()).  One process serves a SQLite file, so every reader that
 * decides on a mark (auto-lock, the idle limit, the devices page, the purge
 * of idle sessions) sees it.  A crash loses the held marks: the sessions
 * then look idle for longer than they were and end sooner, never later.
 *
 * Thread-safe: one mutex, held for a hash lookup or an insert, never across
 * a database call.  A flush is one thread's: marks_take() moves the held
 * marks aside (still visible to marks_raise()) and copies them out; the
 * caller writes the copy and calls marks_done().
 */
#ifndef KINTSUGI_STORE_MARKS_H
#define KINTSUGI_STORE_MARKS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define MARKS_SLOTS	4096  /* per table, a power of two */
#define MARKS_MAX	2048  /* held marks that call for a flush (half the slots) */
#define MARKS_AGE_MS	10000 /* the oldest held mark's age that calls for a flush (SQLite) */
#define MARKS_PG_AGE_MS 1000  /* the same on PostgreSQL, where other processes read the rows */

struct mark {
	char id[STORE_ID_LEN + 1];	  /* the session; "" in a free slot */
	char couple_id[STORE_ID_LEN + 1]; /* its couple, for the write's tenant filter */
	char at[STORE_TIME_LEN + 1];	  /* the latest mark */
};

struct marks {
	pthread_mutex_t lock;
	pthread_cond_t due;    /* a first mark came, or a flush fell due, or a stop */
	int64_t age_ms;	       /* the oldest held mark's age that calls for a flush */
	bool stopping;	       /* marks_stop() was called: marks_wait() returns false */
	struct mark *held;     /* MARKS_SLOTS, NULL until the first mark */
	struct mark *flushing; /* the marks of the flush under way, or NULL: none is */
	struct mark *spare;    /* an empty table for the next flush, or NULL */
	size_t n_held;
	int64_t first_ms; /* when the oldest held mark came (marks_now_ms()) */
};

enum marks_put {
	MARKS_HELD, /* kept */
	MARKS_DUE,  /* kept, and a flush is due: the caller should marks_take() */
	MARKS_FULL, /* not kept (no room, or no memory): the caller writes it itself */
};

/* A flush falls due when the oldest held mark is age_ms old (MARKS_AGE_MS, MARKS_PG_AGE_MS). */
int marks_init(struct marks *m, int64_t age_ms);
void marks_destroy(struct marks *m);

/* A monotonic clock in milliseconds, for now_ms. */
int64_t marks_now_ms(void);

/*
 * Hold at as session id's mark (the later of it and one already held).
 * id and couple_id are STORE_ID_LEN characters, at STORE_TIME_LEN.
 */
enum marks_put marks_put(struct marks *m, const char *id, const char *couple_id, const char *at,
			 int64_t now_ms);

/* Raise at (STORE_TIME_LEN + 1 bytes) to id's held mark when that is later. */
void marks_raise(struct marks *m, const char *id, char *at);

/*
 * Begin a flush: the held marks move aside (marks_raise() still sees them)
 * and *ret (malloc'd, *ret_n of them) gets a copy.  0 with *ret_n 0 when
 * nothing is held or another flush is under way; -ENOMEM.  Every 0 with
 * *ret_n > 0 must be followed by marks_done().
 */
int marks_take(struct marks *m, struct mark **ret, size_t *ret_n);

/* The flush begun by marks_take() ended (written or not): forget its marks. */
void marks_done(struct marks *m);

/* A copy of every mark held or being flushed (malloc'd, or NULL when none); 0 or -ENOMEM. */
int marks_copy(struct marks *m, struct mark **ret, size_t *ret_n);

/*
 * For a thread that writes the marks: wait until a flush is due (true) or
 * marks_stop() was called (false; the caller writes what is left).
 */
bool marks_wait(struct marks *m);

/* Ends marks_wait(), now and from now on. */
void marks_stop(struct marks *m);

#endif
