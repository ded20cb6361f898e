/*
 * store.h: kintsugi's storage interface.
 *
 * All SQL lives under src/store/.  Callers see plain row structs and one
 * opaque handle whose operations come from an ops table, so that a
 * PostgreSQL backend (store-pg.c) can fill the same table later.  The
 * sqlite backend (store-sqlite.c) is the default.
 *
 * Conventions:
 * - Every function returns 0 on success, STORE_NOTFOUND when the row does
 *   not exist (or does not belong to the given couple/author: the caller
 *   cannot tell the two apart), STORE_CONFLICT on a uniqueness clash, or a
 *   negative errno (-EIO for a database failure, -ENOMEM) otherwise.
 * - Ids are 32 lowercase hex characters (STORE_ID_LEN), times are RFC 3339
 *   UTC strings "YYYY-MM-DDTHH:MM:SSZ" (STORE_TIME_LEN) made by the caller.
 * - Blobs travel with their length.  Row structs returned by get/list
 *   functions own their memory; free them with the matching _free function
 *   (which accepts NULL).  Output parameters are not written on failure.
 * - Every query on couple data carries couple_id (the tenant and the
 *   future shard key); no query crosses couples.
 * - The store never logs; a handle must be used by one thread at a time
 *   (the server opens one handle with store_open() and one per worker
 *   thread with the reopen op, so that they share one writer lock).
 */
#ifndef KINTSUGI_STORE_H
#define KINTSUGI_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_ID_LEN   32
#define STORE_TIME_LEN 20

enum store_result {
	STORE_OK = 0,
	STORE_NOTFOUND = 1,
	STORE_CONFLICT = 2,
};

struct store;

struct blob {
	unsigned char *data; /* malloc'd (in rows returned by the store) */
	size_t len;
};

struct couple_row {
	char id[STORE_ID_LEN + 1];
	char created_at[STORE_TIME_LEN + 1];
	char rhythm[8]; /* "daily" | "weekly" */
};

struct member_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char login[256];	       /* normalised login, unique */
	char role[16];		       /* "partner" | "therapist" */
	char display_name[512];	       /* UTF-8, at most 80 characters */
	char language[4];	       /* "en" | "es" | "ru" */
	char pw_hash[256];	       /* crypto_pwhash_str output */
	struct blob kek_salt;	       /* salt for the password KEK */
	struct blob mk_by_pw;	       /* master key sealed under the password KEK */
	struct blob rk_salt;	       /* salt for the recovery KEK */
	struct blob mk_by_rk;	       /* master key sealed under the recovery KEK */
	struct blob public_key;	       /* X25519 public key */
	struct blob secret_key_sealed; /* X25519 secret key sealed under MK */
	char created_at[STORE_TIME_LEN + 1];
};

/* A short view of a couple's member, for listing partners. */
struct member_brief {
	char id[STORE_ID_LEN + 1];
	char role[16];
	char display_name[512];
};

struct invite_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char role[16];
	struct blob secret_hash; /* hash of the link's secret */
	struct blob ck_wrapped;	 /* couple key sealed under a key from the secret */
	char created_at[STORE_TIME_LEN + 1];
	char expires_at[STORE_TIME_LEN + 1];
	int used; /* 1 once someone joined with it */
};

struct session_row {
	char id[STORE_ID_LEN + 1];
	char member_id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	struct blob secret_hash; /* hash of the cookie's secret */
	struct blob keys_sealed; /* member keys sealed under a key from the secret */
	char created_at[STORE_TIME_LEN + 1];
	char last_seen_at[STORE_TIME_LEN + 1];
	char expires_at[STORE_TIME_LEN + 1]; /* absolute end */
};

struct journal_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	int64_t version; /* bumped on every change; bound into the AD */
	struct blob body_sealed;
	struct blob prompt_sealed; /* len 0 when there is no prompt */
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

/* ---- step 1: statements and commitments (migration 0002) ---------------- */

/*
 * An accountability statement.  Drafts (delivered 0) are sealed under a key
 * from the author's master key, delivered ones under the couple key; either
 * way parts_sealed holds all six parts at once.
 */
struct statement_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	int64_t version; /* bumped on every change and on delivery; bound into the AD */
	int delivered;	 /* 0: private draft; 1: delivered, never changes again */
	struct blob parts_sealed;
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
	char delivered_at[STORE_TIME_LEN + 1]; /* "" while a draft */
};

/* The receiving partner's response to a delivered statement. */
struct statement_response_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char statement_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1]; /* who responded */
	struct blob body_sealed;	  /* under the couple key */
	char created_at[STORE_TIME_LEN + 1];
};

/* A commitment, private to its author. */
struct commitment_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	int64_t version;
	struct blob text_sealed;
	int review_every_days; /* 1..365 */
	char created_at[STORE_TIME_LEN + 1];
};

/* One review of a commitment: status and note sealed together. */
struct commitment_review_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	char commitment_id[STORE_ID_LEN + 1];
	struct blob body_sealed;
	char at[STORE_TIME_LEN + 1];
};
/* ---- end of step 1 rows ------------------------------------------------- */

/* ---- step 2: transparency and openness (migration 0003) ---------------- */

#define STORE_DATE_LEN 10 /* "YYYY-MM-DD" */

/* A check-in: scores, trust, closeness and note live in content_sealed. */
struct checkin_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	char period[STORE_DATE_LEN + 1]; /* the day, or the Monday of the ISO week */
	char rhythm[8];			 /* "daily" | "weekly": the rhythm it was made for */
	unsigned shared_with;		 /* ACCESS_SHARE_* bits of core/access.h */
	int64_t version;		 /* bumped on every change; bound into the AD */
	struct blob content_sealed;
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

/* An openness card (kind and body sealed together) and its acknowledgement. */
struct share_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	unsigned shared_with; /* ACCESS_SHARE_* bits */
	int64_t version;
	struct blob content_sealed;
	char created_at[STORE_TIME_LEN + 1];
	/* filled by share_get and share_list; ack_id "" when nobody answered yet */
	char ack_id[STORE_ID_LEN + 1];
	char ack_author_id[STORE_ID_LEN + 1];
	struct blob reply_sealed; /* len 0 when the answer has no reply */
	char acked_at[STORE_TIME_LEN + 1];
};

struct share_ack_row {
	char id[STORE_ID_LEN + 1];
	char share_id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	struct blob reply_sealed; /* len 0: no reply (stored as NULL) */
	char created_at[STORE_TIME_LEN + 1];
};

/* A transparency offer; always shared with the partner. */
struct offer_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	int64_t version;
	struct blob text_sealed;
	char until[STORE_DATE_LEN + 1];
	char created_at[STORE_TIME_LEN + 1];
	char ended_at[STORE_TIME_LEN + 1]; /* "" while the offer stands */
};

/* How one partner felt about an activity. */
struct activity_feeling {
	char author_id[STORE_ID_LEN + 1];
	int64_t version; /* 1 for the first note, then one more per change */
	struct blob felt_sealed;
	char updated_at[STORE_TIME_LEN + 1];
};

/* A shared activity; feelings are filled by activity_get and activity_list. */
struct activity_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char author_id[STORE_ID_LEN + 1];
	char kind[16]; /* "exercise" | "cooking" | "hobby" | "other" */
	int64_t version;
	struct blob title_sealed;
	char planned_for[STORE_DATE_LEN + 1];
	char done_at[STORE_TIME_LEN + 1]; /* "" while not done */
	char done_by[STORE_ID_LEN + 1];	  /* "" while not done */
	char created_at[STORE_TIME_LEN + 1];
	struct activity_feeling felt[2]; /* at most one per partner */
	size_t nfelt;
};

/* ---- end of step 2 rows ------------------------------------------------- */

/*
 * What went wrong with the storage, as the server answers and logs it.
 * The ones from STORE_FAULT_SYNC on are fatal: once one happened, the
 * store refuses every write of the process (fatal op) and the server
 * stops after a rescue (rescue op).
 */
enum store_fault {
	STORE_FAULT_NONE = 0,
	STORE_FAULT_BUSY,     /* another program held the write lock past the timeout */
	STORE_FAULT_FULL,     /* the disk (or a quota) is full */
	STORE_FAULT_READONLY, /* the file, its folder or its disk refuses writes */
	STORE_FAULT_IO,	      /* any other input/output error, or a damaged file */
	STORE_FAULT_SYNC,     /* a flush to disk (fsync) failed: fatal */
	STORE_FAULT_MOVED,    /* the database or its log was removed or replaced: fatal */
	_STORE_FAULT_MAX,
};

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	/*
	 * reopen: another handle on st's database, for another thread, sharing
	 * st's writer lock and fatal state; the file is not created or
	 * migrated again.  *ret is written on success only; errbuf as store_open.
	 */
	int (*reopen)(struct store *st, struct store **ret, char *errbuf, size_t errlen);
	/* fault: the enum store_fault the calling thread met last on any handle,
	 * or NONE; reading it forgets it (call once before and once after a request) */
	int (*fault)(struct store *st);
	/* fatal: the fatal enum store_fault that stopped every write, or NONE */
	int (*fatal)(struct store *st);
	/*
	 * rescue: after a fatal fault, with every other handle of the database
	 * closed, make sure everything committed is in a file.  Returns 0 when
	 * the file at the database's path holds it (or, after a failed flush,
	 * nothing more may be written: the log on disk is what restarts from),
	 * 1 when a copy was written to the path copied into where (the
	 * database's own path when its file was removed; path.rescued-TIME
	 * beside it when the file was replaced), or < 0.
	 */
	int (*rescue)(struct store *st, char *where, size_t wherelen);
	int (*begin)(struct store *st); /* immediate/serialisable write transaction */
	int (*commit)(struct store *st);
	int (*rollback)(struct store *st);
	int (*backup)(struct store *st, const char *dest_path);
	/* full consistency check of the database file: 0 when sound, STORE_CONFLICT
	 * when damaged (PRAGMA integrity_check did not answer "ok") */
	int (*check)(struct store *st);

	int (*couple_insert)(struct store *st, const struct couple_row *c);
	int (*couple_get)(struct store *st, const char *couple_id, struct couple_row *ret);
	/* members of a couple, oldest first; *ret_list is malloc'd */
	int (*couple_members)(struct store *st, const char *couple_id,
			      struct member_brief **ret_list, size_t *ret_n);
	int (*couple_delete)(struct store *st, const char *couple_id);

	int (*member_insert)(struct store *st, const struct member_row *m); /* CONFLICT on login */
	int (*member_get)(struct store *st, const char *member_id, struct member_row *ret);
	int (*member_get_by_login)(struct store *st, const char *login, struct member_row *ret);
	/* replaces pw_hash, kek_salt and mk_by_pw */
	int (*member_set_password)(struct store *st, const struct member_row *m);
	/* replaces rk_salt and mk_by_rk */
	int (*member_set_recovery)(struct store *st, const struct member_row *m);
	int (*member_set_language)(struct store *st, const char *member_id, const char *lang);
	/* deletes the member and all rows it authored or owns (keys, sessions, entries) */
	int (*member_delete)(struct store *st, const char *member_id);

	int (*couple_key_put)(struct store *st, const char *couple_id, const char *member_id,
			      const unsigned char *wrapped, size_t len);
	int (*couple_key_get)(struct store *st, const char *couple_id, const char *member_id,
			      struct blob *ret);

	int (*invite_insert)(struct store *st, const struct invite_row *inv);
	int (*invite_get)(struct store *st, const char *invite_id, struct invite_row *ret);
	/* marks used and drops ck_wrapped; NOTFOUND if already used */
	int (*invite_consume)(struct store *st, const char *invite_id);

	int (*session_insert)(struct store *st, const struct session_row *s);
	int (*session_get)(struct store *st, const char *session_id, struct session_row *ret);
	int (*session_touch)(struct store *st, const char *session_id, const char *now);
	int (*session_delete)(struct store *st, const char *session_id);
	/* ends every session of member_id except keep_id (NULL: all) */
	int (*session_delete_member)(struct store *st, const char *member_id, const char *keep_id);
	/* deletes at most max sessions (0: all) with expires_at < now or
	 * last_seen_at < idle_before (NULL: no idle bound); *ret_n (may be NULL)
	 * gets how many went */
	int (*session_purge)(struct store *st, const char *now, const char *idle_before,
			     unsigned int max, unsigned int *ret_n);

	int (*journal_insert)(struct store *st, const struct journal_row *e);
	int (*journal_get)(struct store *st, const char *couple_id, const char *author_id,
			   const char *entry_id, struct journal_row *ret);
	/* newest first (created_at, then insertion order); before_id NULL for the
	 * first page, else NOTFOUND when before_id is not one of the author's */
	int (*journal_list)(struct store *st, const char *couple_id, const char *author_id,
			    const char *before_id, size_t limit, struct journal_row **ret_rows,
			    size_t *ret_n);
	/* replaces body/prompt/version/updated_at where id, couple and author match
	 * and the stored version is e->version - 1 (else CONFLICT) */
	int (*journal_update)(struct store *st, const struct journal_row *e);
	int (*journal_delete)(struct store *st, const char *couple_id, const char *author_id,
			      const char *entry_id);

	/* an audit event: no content, just who/what/when ("signin", "password_changed") */
	int (*audit_append)(struct store *st, const char *couple_id, const char *member_id,
			    const char *event, const char *at);

	/* ---- step 2: transparency and openness (migration 0003) -------- */
	/* "daily" | "weekly" (else -EINVAL) */
	int (*couple_set_rhythm)(struct store *st, const char *couple_id, const char *rhythm);
	/* CONFLICT when the author already has a check-in for that period */
	int (*checkin_insert)(struct store *st, const struct checkin_row *c);
	/* one check-in of the couple, whoever wrote it: core decides who sees it */
	int (*checkin_get)(struct store *st, const char *couple_id, const char *checkin_id,
			   struct checkin_row *ret);
	/* replaces shared_with, content, version and updated_at where id, couple
	 * and author match and the stored version is c->version - 1 (else CONFLICT) */
	int (*checkin_update)(struct store *st, const struct checkin_row *c);
	/* the couple's check-ins with from <= period <= to, newest period first,
	 * at most limit; *ret_rows is malloc'd (NULL when none) */
	int (*checkin_list)(struct store *st, const char *couple_id, const char *from,
			    const char *to, size_t limit, struct checkin_row **ret_rows,
			    size_t *ret_n);
	int (*share_insert)(struct store *st, const struct share_row *s);
	int (*share_get)(struct store *st, const char *couple_id, const char *share_id,
			 struct share_row *ret);
	/* the couple's cards, newest first, at most limit */
	int (*share_list)(struct store *st, const char *couple_id, size_t limit,
			  struct share_row **ret_rows, size_t *ret_n);
	/* CONFLICT when the card was already answered; NOTFOUND when it is not
	 * one of the couple's */
	int (*share_ack_insert)(struct store *st, const struct share_ack_row *a);
	int (*offer_insert)(struct store *st, const struct offer_row *o);
	int (*offer_get)(struct store *st, const char *couple_id, const char *offer_id,
			 struct offer_row *ret);
	/* the couple's offers, newest first, at most limit */
	int (*offer_list)(struct store *st, const char *couple_id, size_t limit,
			  struct offer_row **ret_rows, size_t *ret_n);
	/* sets ended_at where id, couple and author match (NOTFOUND otherwise);
	 * an offer already ended keeps its first ended_at and gives 0 */
	int (*offer_end)(struct store *st, const char *couple_id, const char *author_id,
			 const char *offer_id, const char *at);
	int (*activity_insert)(struct store *st, const struct activity_row *a);
	int (*activity_get)(struct store *st, const char *couple_id, const char *activity_id,
			    struct activity_row *ret);
	/* the couple's activities, latest planned_for first, at most limit */
	int (*activity_list)(struct store *st, const char *couple_id, size_t limit,
			     struct activity_row **ret_rows, size_t *ret_n);
	/* marks done by `by` at `at`, or not done when at is NULL */
	int (*activity_set_done)(struct store *st, const char *couple_id, const char *activity_id,
				 const char *by, const char *at);
	/* puts f as f->author_id's feeling: f->version is 1 for a first note, else
	 * the stored version + 1 (else CONFLICT); an empty felt_sealed removes it */
	int (*activity_feel)(struct store *st, const char *couple_id, const char *activity_id,
			     const struct activity_feeling *f);
	/* ---- end of step 2 ops ----------------------------------------- */
	/* ---- step 1: statements and commitments (migration 0002) -------- */
	/* CONFLICT on a reused id; NOTFOUND when the author is not in the couple */
	int (*statement_insert)(struct store *st, const struct statement_row *row);
	/* any author's statement of the couple: core decides who may see it */
	int (*statement_get)(struct store *st, const char *couple_id, const char *statement_id,
			     struct statement_row *ret);
	/* newest first, at most limit: member_id's own and every delivered one of
	 * the couple; *ret_rows is malloc'd (NULL when empty) */
	int (*statement_list)(struct store *st, const char *couple_id, const char *member_id,
			      size_t limit, struct statement_row **ret_rows, size_t *ret_n);
	/* replaces version, delivered, parts_sealed, updated_at and delivered_at
	 * where id, couple and author match, the row is still a draft and its
	 * version is row->version - 1; CONFLICT when stale or delivered */
	int (*statement_update)(struct store *st, const struct statement_row *row);
	/* NOTFOUND when the statement or the author is not in the couple */
	int (*statement_response_insert)(struct store *st,
					 const struct statement_response_row *row);
	/* the newest limit responses, oldest first */
	int (*statement_response_list)(struct store *st, const char *couple_id,
				       const char *statement_id, size_t limit,
				       struct statement_response_row **ret_rows, size_t *ret_n);
	int (*commitment_insert)(struct store *st, const struct commitment_row *row);
	int (*commitment_get)(struct store *st, const char *couple_id, const char *author_id,
			      const char *commitment_id, struct commitment_row *ret);
	/* newest first, at most limit */
	int (*commitment_list)(struct store *st, const char *couple_id, const char *author_id,
			       size_t limit, struct commitment_row **ret_rows, size_t *ret_n);
	/* NOTFOUND when the commitment is not the author's in that couple */
	int (*commitment_review_insert)(struct store *st, const struct commitment_review_row *row);
	/* the newest limit reviews, oldest first */
	int (*commitment_review_list)(struct store *st, const char *couple_id,
				      const char *author_id, const char *commitment_id,
				      size_t limit, struct commitment_review_row **ret_rows,
				      size_t *ret_n);
	/* ---- end of step 1 ops ------------------------------------------ */
	/* ---- sign-in throttling (migration 0004) --------------- */
#define STORE_THROTTLE_KEY_LEN 32
	/* Keys are STORE_THROTTLE_KEY_LEN-byte hashes (of a login or a client
	 * address, never the value itself); times are Unix milliseconds. */
	/* records one failure at at_ms under each of the nkeys keys (packed one
	 * after the other in keys) and forgets every failure at or before
	 * forget_before_ms, in one transaction */
	int (*throttle_add)(struct store *st, const unsigned char *keys, size_t nkeys,
			    int64_t at_ms, int64_t forget_before_ms);
	/* the time of key's n-th newest failure (n >= 1) later than after_ms, or
	 * STORE_NOTFOUND when key has fewer than n such failures */
	int (*throttle_nth)(struct store *st, const unsigned char *key, int64_t after_ms,
			    unsigned int n, int64_t *ret_at_ms);
	/* forgets every failure of key (a successful sign-in) */
	int (*throttle_clear)(struct store *st, const unsigned char *key);
	/* ---- end of sign-in throttling ops ------------------------------------------ */
};

struct store {
	const struct store_ops *ops;
};

/*
 * store_open() - open the store named by url: a file path (SQLite, created
 * with its migrations applied when missing) or postgresql://... (not yet
 * built: returns -EPROTONOSUPPORT).  On success *ret owns the handle; close
 * it with store_close().  Returns -EACCES/-ENOENT/-EIO on failure, with a
 * short reason (no SQL) copied into errbuf.
 */
int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen);
void store_close(struct store *st);

/* store_migrate() - apply pending migrations; returns the schema version or < 0. */
int store_migrate(struct store *st);

void store_blob_free(struct blob *b);
void store_member_free(struct member_row *m); /* frees the blobs inside */
void store_invite_free(struct invite_row *inv);
void store_session_free(struct session_row *s);
void store_journal_free(struct journal_row *e);
void store_journal_list_free(struct journal_row *rows, size_t n);

/* ---- step 1: free what the step 1 ops return (each accepts NULL) ------- */
void store_statement_free(struct statement_row *row); /* the blob inside, not row */
void store_statement_list_free(struct statement_row *rows, size_t n);
void store_statement_response_list_free(struct statement_response_row *rows, size_t n);
void store_commitment_free(struct commitment_row *row); /* the blob inside, not row */
void store_commitment_list_free(struct commitment_row *rows, size_t n);
void store_commitment_review_list_free(struct commitment_review_row *rows, size_t n);
/* ---- end of step 1 ------------------------------------------------------ */

/* ---- step 2: freeing rows (accept NULL; free the blobs, not the row) -- */
#include <stdlib.h>

static inline void store_checkin_free(struct checkin_row *c)
{
	if (c)
		store_blob_free(&c->content_sealed);
}

static inline void store_share_free(struct share_row *s)
{
	if (!s)
		return;
	store_blob_free(&s->content_sealed);
	store_blob_free(&s->reply_sealed);
}

static inline void store_offer_free(struct offer_row *o)
{
	if (o)
		store_blob_free(&o->text_sealed);
}

static inline void store_activity_free(struct activity_row *a)
{
	if (!a)
		return;
	store_blob_free(&a->title_sealed);
	for (size_t i = 0; i < a->nfelt && i < 2; i++)
		store_blob_free(&a->felt[i].felt_sealed);
	a->nfelt = 0;
}

/* The list forms free each row, then the array; they accept NULL.
 * (`type` names a type: it cannot take parentheses.) */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define STORE_STEP2_LIST_FREE(name, type, one)                                                     \
	static inline void name(type *rows, size_t n)                                              \
	{                                                                                          \
		if (!rows)                                                                         \
			return;                                                                    \
		for (size_t i = 0; i < n; i++)                                                     \
			one(&rows[i]);                                                             \
		free(rows);                                                                        \
	}
STORE_STEP2_LIST_FREE(store_checkin_list_free, struct checkin_row, store_checkin_free)
STORE_STEP2_LIST_FREE(store_share_list_free, struct share_row, store_share_free)
STORE_STEP2_LIST_FREE(store_offer_list_free, struct offer_row, store_offer_free)
STORE_STEP2_LIST_FREE(store_activity_list_free, struct activity_row, store_activity_free)
#undef STORE_STEP2_LIST_FREE
/* NOLINTEND(bugprone-macro-parentheses) */
/* ---- end of step 2 freeing ------------------------------------------ */

/* convenience wrappers: st->ops->x(st, ...) */
#define STORE_CALL(st, op, ...) ((st)->ops->op((st), __VA_ARGS__))

#endif
