/*
 * store.h: kintsugi's storage interface.
 *
 * All SQL lives under src/store/.  Callers see plain row structs and one
 * opaque handle whose operations come from an ops table, filled by the
 * SQLite backend (store-sqlite.c, the default) and by the PostgreSQL one
 * (store-pg.c, built with libpq).
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
 *   future shard key); no query crosses couples.  So every op on a member's
 *   rows takes the member's couple_id with the member's id; the few that
 *   find a couple (a login, a session, an invite, a device cookie, a
 *   passkey at sign-in) are named in docs/scaling.md and checked by
 *   src/store/test-tenant.c.
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
	char kdf[16];		       /* the password KEK's cost: "interactive" | "moderate" |
					* "sensitive" (vault_kdf_to_string) */
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
	int left; /* 1: a partner who left; the row stays for what they wrote (0014) */
	char since[STORE_TIME_LEN + 1]; /* created_at */
	int care_ended;			/* 1: a therapist whose access ended (0016) */
};

/* What a session needs of its member's row: no blob, no secret, two words and two numbers. */
struct member_standing {
	char role[16];	      /* "partner" | "therapist" */
	char language[4];     /* "en" | "es" | "ru" */
	int discreet;	      /* 1: neutral page title, icon and app name (migration 0013) */
	int autolock_minutes; /* idle minutes before a session locks; 0: never (0013) */
	int care_ended;	      /* 1: a therapist whose access a partner ended (0016) */
};

/* A care invite (migration 0016): the two-party state of a therapist's link. */
struct care_invite_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char proposed_by[STORE_ID_LEN + 1];
	char approved_by[STORE_ID_LEN + 1]; /* "" until approved */
	char status[24];		    /* awaiting_partner | approved | used | cancelled */
	struct blob note_sealed;	    /* under the couple key; {NULL, 0}: no note */
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
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

/* A browser's short name, "Firefox/Android" (core/devices.h); "" when unknown. */
#define STORE_BROWSER_LEN 47

struct session_row {
	char id[STORE_ID_LEN + 1];
	char member_id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	struct blob secret_hash; /* hash of the cookie's secret */
	struct blob keys_sealed; /* member keys sealed under a key from the secret */
	char created_at[STORE_TIME_LEN + 1];
	char last_seen_at[STORE_TIME_LEN + 1];
	char expires_at[STORE_TIME_LEN + 1]; /* absolute end */
	char browser[STORE_BROWSER_LEN + 1]; /* where it was started from (0011); "" unknown */
	int locked;			     /* 1: idle past the auto-lock; 0013 */
	int rekey; /* 1: its couple key was replaced; it takes the new one first (0014) */
};

/* ---- signed-in devices and the sign-in history (migration 0011) ---- */

/* A member's session as their devices page shows it: no secret, no key. */
struct session_brief {
	char id[STORE_ID_LEN + 1];
	char browser[STORE_BROWSER_LEN + 1];
	char created_at[STORE_TIME_LEN + 1];
	char last_seen_at[STORE_TIME_LEN + 1];
	char expires_at[STORE_TIME_LEN + 1];
};

#define STORE_EVENT_LEN 31
/* An audit event, as one adds it (audit_add) and a member's history reads it. */
struct audit_row {
	int64_t id;			  /* order of insertion (read only) */
	char couple_id[STORE_ID_LEN + 1]; /* "" for none (add only) */
	char member_id[STORE_ID_LEN + 1]; /* "" for none */
	char event[STORE_EVENT_LEN + 1];  /* "signin", "password_changed", ... */
	char at[STORE_TIME_LEN + 1];
	char browser[STORE_BROWSER_LEN + 1]; /* "" for unknown */
	char session_id[STORE_ID_LEN + 1];   /* the session it started, or "" */
};

/*
 * The history is bounded: adding a member's event trims that member's
 * rows of the same event to the newest STORE_AUDIT_KEEP, and every row of
 * theirs older than STORE_AUDIT_DAYS days before it, so that neither time
 * nor a flood of one kind (failed sign-ins) grows the table or pushes the
 * other kinds out.
 */
#define STORE_AUDIT_KEEP	100
#define STORE_AUDIT_DAYS	90
#define STORE_SESSIONS_LIST_MAX 100 /* a member's sessions listed, newest first */

struct journal_row;
/* A row handed on by journal_each(); its memory is the store's. */
typedef int (*store_journal_fn)(void *ctx, const struct journal_row *row);

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

/* ---- statements (migration 0002) ---------------- */

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

/* ---- end of statement rows ------------------------------------------------- */

/* ---- check-ins and the rhythm (migration 0003) ---------------- */

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

/*
 * An item of a kind of the registry (core/kinds.c), in the one table every
 * such kind shares (migration 0005).  The store does not know the kinds: it
 * keeps the plain columns and the sealed record, and core gives them their
 * meaning.
 */
#define STORE_KIND_LEN	23
#define STORE_ONCE_LEN	(2 * STORE_ID_LEN + 1)
#define STORE_PLAIN_LEN 127
/* The tables whose rows a member writes, for rehome() (migration 0014). */
enum store_table {
	STORE_TABLE_ITEMS,
	STORE_TABLE_JOURNAL,
	STORE_TABLE_STATEMENTS,
	STORE_TABLE_CHECKINS,
	STORE_TABLE_SAFETY /* row_version() only */
};

struct item_row {
	char couple_id[STORE_ID_LEN + 1];
	char kind[STORE_KIND_LEN + 1];
	char id[STORE_ID_LEN + 1];
	char parent_kind[STORE_KIND_LEN + 1]; /* what it answers: "" for nothing */
	char parent_id[STORE_ID_LEN + 1];     /* "" for nothing */
	char author_id[STORE_ID_LEN + 1];
	unsigned shared_with; /* ACCESS_SHARE_* bits of core/access.h */
	int64_t version;      /* bumped on every change of the sealed record; bound into the AD */
	int legacy;	      /* 1: sealed before migration 0005, with its old table's AD */
	char once[STORE_ONCE_LEN + 1]; /* "" or a key unique among the couple's items of its kind */
	char sort[STORE_TIME_LEN + 1]; /* order key: lists run by it, then insertion order */
	char plain[STORE_PLAIN_LEN + 1]; /* the kind's plain values, never content */
	struct blob sealed;		 /* len 0 when the item has no sealed content */
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

/* Which items a list returns: always one couple's, of one kind. */
struct item_query {
	const char *couple_id;
	const char *kind;
	const char *author_id; /* NULL: whoever wrote them */
	const char
		*parent_kind; /* with parent_id: the answers to that item; NULL: top-level items */
	const char *parent_id;
	/* of_newest: the answers (of kind) to the newest `limit` items of this
	 * top-level kind, at most answer_limit of them, oldest first; parent_*
	 * and author_id are then ignored */
	const char *of_newest;
	size_t limit;
	size_t answer_limit;
	int oldest_first; /* the newest `limit`, turned to read oldest first */
	/* reader_id: only the top-level items reader_id wrote or that are
	 * shared with one of reader_bits (ACCESS_SHARE_*), so that `limit`
	 * counts the ones the reader may see; NULL: every item */
	const char *reader_id;
	unsigned reader_bits;
};

/* ---- second factors (migration 0009) ---------------- */

#define STORE_CODE_HASH_LEN 32 /* a recovery code's keyed hash */

/* A member's TOTP: the secret sealed under a subkey of their master key. */
struct totp_row {
	struct blob secret_sealed;
	int active;	   /* 0: set up, waiting for a first code; 1: asked at sign-in */
	int64_t last_step; /* the RFC 6238 time step of the last code accepted */
	char created_at[STORE_TIME_LEN + 1];
};

/* ---- passkeys (migration 0010) ---- */

#define STORE_PASSKEYS_MAX	   10 /* per member: a phone, a laptop, a key or two */
#define STORE_CHALLENGE_HASH_LEN   32 /* SHA-256 of a WebAuthn challenge */
#define STORE_CHALLENGE_ORIGIN_MAX 520

/* A member's passkey: the credential as registered, its tag and sealed name. */
struct passkey_row {
	char id[STORE_ID_LEN + 1]; /* ours, for the routes */
	struct blob credential_id; /* the authenticator's */
	struct blob public_key;	   /* 65 bytes: 0x04 || x || y */
	struct blob tag;	   /* keyed under the member's MK (0010) */
	struct blob name_sealed;   /* the member's name for it, sealed under MK */
	int64_t sign_count;	   /* the last counter seen */
	char created_at[STORE_TIME_LEN + 1];
	char last_used_at[STORE_TIME_LEN + 1]; /* "" when never used */
	char member_id[STORE_ID_LEN + 1];      /* whose it is */
	char couple_id[STORE_ID_LEN + 1];      /* their couple (0018; read only) */
	struct blob signin;    /* 0016: public key || tag; empty: second factor only */
	struct blob mk_sealed; /* 0016: MK sealed to that public key */
};

#define STORE_SIGNIN_FORM		    64 /* a passkey's sign-in public key and its tag */
#define STORE_SIGNIN_CHALLENGES_MAX	    4096 /* live challenges of sign-ins that name no one yet */
#define STORE_SIGNIN_CHALLENGES_PER_ADDRESS 8	 /* of them, asked from one address */

/* ---- the private safety check (migration 0012) ---- */

/*
 * A member's latest safety check: the answers and their time, sealed under
 * a subkey of the member's own master key.  Nothing else about it is kept.
 */
struct safety_row {
	char id[STORE_ID_LEN + 1];
	char couple_id[STORE_ID_LEN + 1];
	char member_id[STORE_ID_LEN + 1];
	int64_t version; /* bumped by every new check; bound into the AD */
	struct blob sealed;
};

/* ---- end of check-in and item rows ------------------------------------------------- */

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
	/*
	 * warm: make n handles' worth of what reopen needs now, before the
	 * server's sandbox (PostgreSQL: n connections, which reopen takes
	 * first; a connection made later could not read the files libpq
	 * looks at).  NULL where reopen needs nothing ahead (SQLite).
	 */
	int (*warm)(struct store *st, unsigned n, char *errbuf, size_t errlen);
	/*
	 * serve: start what the server's store does beside the requests, once,
	 * after warm and before the seccomp filter, which forbids new threads
	 * (PostgreSQL: the thread that writes the sessions' held last-seen
	 * marks; until it runs, every mark is written at once).  The thread
	 * blocks every signal.  close of st stops it after writing what is
	 * held.  NULL where nothing runs beside the requests (SQLite).
	 */
	int (*serve)(struct store *st, char *errbuf, size_t errlen);
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
	/*
	 * read_begin() - the reads that follow share one snapshot (one read
	 * transaction) until read_end() or the first write, which ends it
	 * first; outside a transaction only.  0, or < 0 (the reads then go
	 * on one by one).  read_end() drops it; a no-op without one.
	 */
	int (*read_begin)(struct store *st);
	void (*read_end)(struct store *st);
	int (*commit)(struct store *st);
	int (*rollback)(struct store *st);
	int (*backup)(struct store *st, const char *dest_path);
	/* full consistency check of the database file: 0 when sound, STORE_CONFLICT
	 * when damaged (PRAGMA integrity_check did not answer "ok") */
	int (*check)(struct store *st);
	/*
	 * after a deletion: the log copied into the file and emptied, so that
	 * what was deleted (zeroed in the file: secure_delete) lingers in no
	 * log frame either; best effort (BUSY while a reader holds an old
	 * snapshot, and the frames go at a later checkpoint)
	 */
	int (*scrub)(struct store *st);
	/* the folder the store's files live in (the database, its -wal and -shm,
	 * a rescued copy), into out: 0, -ENAMETOOLONG, or -ENOENT when it keeps
	 * no files of its own */
	int (*files_dir)(struct store *st, char *out, size_t len);

	int (*couple_insert)(struct store *st, const struct couple_row *c);
	int (*couple_get)(struct store *st, const char *couple_id, struct couple_row *ret);
	/* members of a couple, oldest first; *ret_list is malloc'd */
	int (*couple_members)(struct store *st, const char *couple_id,
			      struct member_brief **ret_list, size_t *ret_n);
	int (*couple_delete)(struct store *st, const char *couple_id);

	int (*member_insert)(struct store *st, const struct member_row *m); /* CONFLICT on login */
	int (*member_get)(struct store *st, const char *couple_id, const char *member_id,
			  struct member_row *ret);
	int (*member_get_by_login)(struct store *st, const char *login, struct member_row *ret);
	/* the role and language alone (each request's session reads them) */
	int (*member_standing)(struct store *st, const char *couple_id, const char *member_id,
			       struct member_standing *ret);
	/* replaces pw_hash, kek_salt and mk_by_pw */
	int (*member_set_password)(struct store *st, const struct member_row *m);
	/* replaces rk_salt and mk_by_rk */
	int (*member_set_recovery)(struct store *st, const struct member_row *m);
	/* replaces secret_key_sealed */
	int (*member_set_secret_key)(struct store *st, const struct member_row *m);
	int (*member_set_language)(struct store *st, const char *couple_id, const char *member_id,
				   const char *lang);
	/* display_name: NULL keeps it; discreet, autolock_minutes: < 0 keeps
	 * each (migration 0013) */
	int (*member_set_profile)(struct store *st, const char *couple_id, const char *member_id,
				  const char *display_name, int discreet, int autolock_minutes);
	/* deletes the member and all rows it authored or owns (keys, sessions, entries) */
	int (*member_delete)(struct store *st, const char *couple_id, const char *member_id);

	/* the couple key sealed to the member, and its tag (migration 0008;
	 * tag NULL: none); an upsert */
	int (*couple_key_put)(struct store *st, const char *couple_id, const char *member_id,
			      const unsigned char *wrapped, size_t len, const unsigned char *tag,
			      size_t taglen);
	/* the wrap, and into *ret_tag (when not NULL) its tag ({NULL, 0}: none) */
	int (*couple_key_get)(struct store *st, const char *couple_id, const char *member_id,
			      struct blob *ret, struct blob *ret_tag);

	int (*invite_insert)(struct store *st, const struct invite_row *inv);
	int (*invite_get)(struct store *st, const char *invite_id, struct invite_row *ret);
	/* marks used and drops ck_wrapped; NOTFOUND if already used */
	int (*invite_consume)(struct store *st, const char *couple_id, const char *invite_id);
	/* marks used, and drops the ck_wrapped of, every open invite of the couple for role */
	int (*invite_revoke_open)(struct store *st, const char *couple_id, const char *role);

	/* ---- the care team (migration 0016) ---- */
	int (*care_invite_insert)(struct store *st, const struct care_invite_row *row);
	int (*care_invite_get)(struct store *st, const char *couple_id, const char *id,
			       struct care_invite_row *ret);
	/* the couple's invites still awaiting a partner or approved, newest first */
	int (*care_invite_list)(struct store *st, const char *couple_id,
				struct care_invite_row **ret, size_t *ret_n);
	/* status old_status -> status (approved_by: NULL keeps it); NOTFOUND
	 * when the row is not (any more) in old_status */
	int (*care_invite_move)(struct store *st, const char *couple_id, const char *id,
				const char *old_status, const char *status, const char *approved_by,
				const char *now);
	/* every approved invite of the couple becomes cancelled */
	int (*care_invites_cancel_approved)(struct store *st, const char *couple_id,
					    const char *now);
	/* the couple's care key sealed under the couple key: get, upsert, delete */
	int (*care_key_get)(struct store *st, const char *couple_id, struct blob *ret);
	int (*care_key_put)(struct store *st, const char *couple_id, const struct blob *sealed,
			    const char *now);
	int (*care_key_delete)(struct store *st, const char *couple_id);
	/* the care key sealed to a therapist: get, upsert, delete (NOTFOUND: none) */
	int (*care_wrap_get)(struct store *st, const char *couple_id, const char *member_id,
			     struct blob *ret);
	int (*care_wrap_put)(struct store *st, const char *couple_id, const char *member_id,
			     const struct blob *wrapped);
	int (*care_wrap_delete)(struct store *st, const char *couple_id, const char *member_id);
	/* the therapist's access ends at now; NOTFOUND: no such active therapist */
	int (*care_end)(struct store *st, const char *couple_id, const char *member_id,
			const char *now);
	/* every item of the couple shared with the care team */
	int (*items_care)(struct store *st, const char *couple_id, struct item_row **ret_rows,
			  size_t *ret_n);
	/* ---- end of the care team ops ---- */

	int (*session_insert)(struct store *st, const struct session_row *s);
	int (*session_get)(struct store *st, const char *session_id, struct session_row *ret);
	int (*session_touch)(struct store *st, const char *couple_id, const char *session_id,
			     const char *now);
	/* locked 1: mark the session locked; 0: unlock it and set last_seen_at
	 * to now (not NULL then) in the same write (migration 0013) */
	int (*session_set_locked)(struct store *st, const char *couple_id, const char *session_id,
				  int locked, const char *now);
	int (*session_delete)(struct store *st, const char *couple_id, const char *session_id);
	/* ends every session of member_id except keep_id (NULL: all) */
	int (*session_delete_member)(struct store *st, const char *couple_id, const char *member_id,
				     const char *keep_id);
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
	/*
	 * the same rows handed to fn one at a time, nothing copied: a row's
	 * blobs point into the store's memory and live until fn returns; a
	 * non-zero fn result stops the walk and is returned
	 */
	int (*journal_each)(struct store *st, const char *couple_id, const char *author_id,
			    const char *before_id, size_t limit, store_journal_fn fn, void *ctx);
	/* replaces body/prompt/version/updated_at where id, couple and author match
	 * and the stored version is e->version - 1 (else CONFLICT) */
	int (*journal_update)(struct store *st, const struct journal_row *e);
	int (*journal_delete)(struct store *st, const char *couple_id, const char *author_id,
			      const char *entry_id);

	/* an audit event: no content, just who/what/when ("signin", "password_changed");
	 * the member's rows are trimmed as audit_add() says */
	int (*audit_append)(struct store *st, const char *couple_id, const char *member_id,
			    const char *event, const char *at);

	/* ---- signed-in devices and the sign-in history (migration 0011) ---- */
	/* audit_append() with a browser and a session (a's "" fields are NULL);
	 * then the member's rows are trimmed (STORE_AUDIT_KEEP, STORE_AUDIT_DAYS) */
	int (*audit_add)(struct store *st, const struct audit_row *a);
	/* member_id's events named in events (comma-separated: "signin,new_device")
	 * with an id above after_id and at >= since, newest first, at most limit;
	 * *ret_rows is malloc'd (NULL when none) */
	int (*audit_list)(struct store *st, const char *couple_id, const char *member_id,
			  const char *events, int64_t after_id, const char *since, size_t limit,
			  struct audit_row **ret_rows, size_t *ret_n);
	/* member_id's sessions, newest first, at most STORE_SESSIONS_LIST_MAX;
	 * *ret_rows is malloc'd (NULL when none) */
	int (*session_list)(struct store *st, const char *couple_id, const char *member_id,
			    struct session_brief **ret_rows, size_t *ret_n);
	/* ends member_id's session session_id and takes the standing of the
	 * browser it was started from (devices.session_id), in one transaction;
	 * NOTFOUND when the member has no such session */
	int (*session_end_own)(struct store *st, const char *couple_id, const char *member_id,
			       const char *session_id);
	/* ends every session of member_id but keep_id, and takes the standing of
	 * every browser but the one that started keep_id, in one transaction */
	int (*session_end_others)(struct store *st, const char *couple_id, const char *member_id,
				  const char *keep_id);
	/* the browser of device key (a hash, STORE_THROTTLE_KEY_LEN bytes) of
	 * member_id started session_id; NOTFOUND when the member has no such device */
	int (*device_set_session)(struct store *st, const unsigned char *key, const char *couple_id,
				  const char *member_id, const char *session_id);
	/* the id of the newest new-device notice member_id dismissed (0: none) */
	int (*notice_seen_get)(struct store *st, const char *couple_id, const char *member_id,
			       int64_t *ret);
	/* the member dismissed the notices up to id (never moves back);
	 * NOTFOUND when there is no such member */
	int (*notice_seen_set)(struct store *st, const char *couple_id, const char *member_id,
			       int64_t id);
	/* ---- end of signed-in devices ops ---- */

	/* ---- check-ins and the rhythm (migration 0003) -------- */
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
	/* every check-in of the couple shared with the care team, either partner's, oldest
	 * first; *ret_rows is malloc'd (NULL when none) */
	int (*checkins_care)(struct store *st, const char *couple_id, struct checkin_row **ret_rows,
			     size_t *ret_n);
	/* ---- end of check-in ops ----------------------------------------- */
	/* ---- statements (migration 0002) -------- */
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

	/* ---- items of the registry's kinds (migration 0005) -------------- */
	/* CONFLICT on a reused id or once; NOTFOUND when the author is not in
	 * the couple or the parent (an item, or a statement) is not the couple's */
	int (*item_insert)(struct store *st, const struct item_row *row);
	/* one item of the couple, whoever wrote it: core decides who sees it */
	int (*item_get)(struct store *st, const char *couple_id, const char *kind, const char *id,
			struct item_row *ret);
	/* as q says, newest first (sort, then insertion order) unless
	 * q->oldest_first; *ret_rows is malloc'd (NULL when none) */
	int (*item_list)(struct store *st, const struct item_query *q, struct item_row **ret_rows,
			 size_t *ret_n);
	/* replaces shared_with, version, legacy, sealed, plain, sort and updated_at
	 * where couple, kind and id match and the stored version and plain are
	 * old_version and old_plain; CONFLICT when they are not */
	int (*item_update)(struct store *st, const struct item_row *row, int64_t old_version,
			   const char *old_plain);
	/* deletes the item and what answers it */
	int (*item_delete)(struct store *st, const char *couple_id, const char *kind,
			   const char *id);
	/* ---- end of items ops ------------------------------------------ */
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
	/* ---- browsers that signed in (migration 0006) ---- */
#define STORE_DEVICES_MAX 20 /* a member's newest devices kept */
	/* key (STORE_THROTTLE_KEY_LEN bytes, a hash of the device cookie)
	 * signed in to member_id at now.  fresh: a new row (CONFLICT when the
	 * key is taken); else the member's row of that key is marked used
	 * (NOTFOUND when there is none).  Then the member's oldest beyond
	 * STORE_DEVICES_MAX go, in the same transaction. */
	int (*device_put)(struct store *st, const unsigned char *key, const char *couple_id,
			  const char *member_id, const char *now, int fresh);
	/* forgets every device of member_id but keep (NULL: every one) */
	int (*device_forget)(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *keep);
	/* the normalised login of the member key signed in to, or NOTFOUND */
	int (*device_login)(struct store *st, const unsigned char *key, char *ret_login,
			    size_t len);
	/* ---- end of devices ops ---- */
	/* ---- second factors (migration 0009) ---- */
	/* a new pending TOTP secret for member_id, replacing a pending one;
	 * CONFLICT when the member's TOTP is active */
	int (*totp_put)(struct store *st, const char *couple_id, const char *member_id,
			const unsigned char *sealed, size_t len, const char *now);
	/* the member's TOTP row, pending or active; NOTFOUND when none */
	int (*totp_get)(struct store *st, const char *couple_id, const char *member_id,
			struct totp_row *ret);
	/* pending -> active with last_step = step, and the member's recovery
	 * codes become the n hashes (STORE_CODE_HASH_LEN bytes each, packed in
	 * hashes), in one transaction; NOTFOUND when nothing is pending */
	int (*totp_activate)(struct store *st, const char *couple_id, const char *member_id,
			     int64_t step, const unsigned char *hashes, size_t n);
	/* a code of this step was accepted: CONFLICT unless the TOTP is active
	 * and step is later than its last_step (a replay, or a race lost) */
	int (*totp_use_step)(struct store *st, const char *couple_id, const char *member_id,
			     int64_t step);
	/* the member's TOTP and recovery codes go; NOTFOUND when there was no TOTP */
	int (*totp_delete)(struct store *st, const char *couple_id, const char *member_id);
	/* uses up the recovery code of this hash: NOTFOUND when the member has
	 * no such code (never had it, or it was used: of two racing uses, one) */
	int (*recovery_code_use)(struct store *st, const char *couple_id, const char *member_id,
				 const unsigned char *hash);
	/* how many recovery codes the member has left */
	int (*recovery_code_count)(struct store *st, const char *couple_id, const char *member_id,
				   size_t *ret_n);
	/* ---- end of second factors ops ---- */
	/* ---- leaving the couple; couple keys that outlive no partner (0014) ---- */
	/* NOTFOUND unless the member's wrap in the couple is marked for a new key */
	int (*couple_rekey_due)(struct store *st, const char *couple_id, const char *member_id);
	/* marks every wrap and session of the couple's members other than
	 * except_id (NULL: all) for a new couple key, and the couple as one that
	 * lost a partner; inside the caller's transaction */
	int (*couple_rekey_mark)(struct store *st, const char *couple_id, const char *except_id);
	/* 1 in *ret when the couple lost a partner (couples.former) */
	int (*couple_former)(struct store *st, const char *couple_id, int *ret);
	/* the keys of session session_id of couple_id after a new couple key or
	 * a move (member_leave moved the kept session already); clears rekey */
	int (*session_rekeyed)(struct store *st, const char *session_id, const char *couple_id,
			       const struct blob *keys_sealed);
	/* one more old couple key of the member in the couple (numbered next) */
	int (*old_key_add)(struct store *st, const char *member_id, const char *couple_id,
			   const struct blob *sealed, const char *now);
	/* the member's newest old couple keys in the couple, at most max, newest
	 * first, with their numbers; *ret is malloc'd (blobs inside) */
	int (*old_keys_get)(struct store *st, const char *member_id, const char *couple_id,
			    size_t max, struct blob **ret, int64_t **ret_n, size_t *ret_count);
	/* ---- a new master key (issue 11 part 4): rows sealed again in place ---- */
	/* old couple key n of the member in the couple, sealed afresh; NOTFOUND when none */
	int (*old_key_set)(struct store *st, const char *member_id, const char *couple_id,
			   int64_t n, const struct blob *sealed);
	/* the member's old couple keys of couples other than couple_id go (no
	 * session of theirs opens them: they were left behind with the couple) */
	int (*old_keys_drop_others)(struct store *st, const char *member_id, const char *couple_id);
	/* the member's TOTP secret (pending or active), sealed afresh; NOTFOUND when none */
	int (*totp_reseal)(struct store *st, const char *couple_id, const char *member_id,
			   const struct blob *sealed);
	/* the member's passkey id with a new tag and sealed name; NOTFOUND when none */
	int (*passkey_reseal)(struct store *st, const char *couple_id, const char *member_id,
			      const char *id, const struct blob *tag,
			      const struct blob *name_sealed);
	/* the member's passkey id signs in alone (signin and mk_sealed set) or
	 * no longer (both NULL); NOTFOUND when the member has no such one */
	int (*passkey_signin_set)(struct store *st, const char *couple_id, const char *member_id,
				  const char *id, const struct blob *signin,
				  const struct blob *mk_sealed);
	/*
	 * member_id leaves its couple couple_id for the new couple to_couple
	 * (inserted here): a former-partner row ghost_id takes its place in the
	 * old couple (its name, no login, no keys, left_at now), its wrap there
	 * goes, every session of it but keep_id ends; keep_id, its audit rows,
	 * devices, second factors, passkeys and challenges follow it (0018).  Its
	 * rows in the old couple must be moved or handed to ghost_id (rehome)
	 * in the same transaction: foreign keys are checked at commit.
	 */
	int (*member_leave)(struct store *st, const char *couple_id, const char *member_id,
			    const char *ghost_id, const char *to_couple, const char *keep_id,
			    const char *now);
	/* every item the author wrote in the couple, oldest first */
	int (*items_of_author)(struct store *st, const char *couple_id, const char *author_id,
			       struct item_row **ret_rows, size_t *ret_n);
	/*
	 * One row of table (STORE_TABLE_*: kind only for items) moved to
	 * to_couple and/or to_author with its sealed data sealed afresh
	 * (sealed2: the journal's prompt, else NULL); NOTFOUND when no row.
	 */
	/* the version row id of table in couple_id has now, into *ret; NOTFOUND when none */
	int (*row_version)(struct store *st, enum store_table table, const char *couple_id,
			   const char *id, int64_t *ret);
	int (*rehome)(struct store *st, enum store_table table, const char *couple_id,
		      const char *kind, const char *id, const char *to_couple,
		      const char *to_author, const struct blob *sealed, const struct blob *sealed2);
	/* ---- passkeys (migration 0010) ---- */
	/* a new passkey of member_id: CONFLICT when the member has this
	 * credential id already or STORE_PASSKEYS_MAX passkeys */
	int (*passkey_put)(struct store *st, const char *couple_id, const char *member_id,
			   const struct passkey_row *p);
	/* the member's passkeys, oldest first (caller frees with store_passkey_list_free) */
	int (*passkey_list)(struct store *st, const char *couple_id, const char *member_id,
			    struct passkey_row **ret, size_t *ret_n);
	/* the member's passkey of this credential id: NOTFOUND when the member has none */
	int (*passkey_get)(struct store *st, const char *couple_id, const char *member_id,
			   const unsigned char *cred_id, size_t len, struct passkey_row *ret);
	/* an assertion by passkey id moved its counter from old_count to new_count:
	 * CONFLICT when the counter is no longer old_count (a racing use) */
	int (*passkey_use)(struct store *st, const char *couple_id, const char *member_id,
			   const char *id, int64_t old_count, int64_t new_count, const char *now);
	/* the member's passkey id goes: NOTFOUND when the member has no such one */
	int (*passkey_delete)(struct store *st, const char *couple_id, const char *member_id,
			      const char *id);
	/* a challenge issued to member_id for purpose ("create" or "get") from
	 * origin, valid until expires_s (Unix time); the couple's expired ones go */
	int (*challenge_put)(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *hash, const char *purpose, const char *origin,
			     int64_t expires_s);
	/* takes (deletes) the member's unexpired challenge of this hash and
	 * purpose, its origin into ret_origin: NOTFOUND when there is none */
	int (*challenge_take)(struct store *st, const char *couple_id, const char *member_id,
			      const unsigned char *hash, const char *purpose, int64_t now_s,
			      char *ret_origin, size_t len);
	/* the passkeys of any member with this credential id that sign in
	 * alone (caller frees with store_passkey_list_free); none: 0, *ret_n 0 */
	int (*passkey_find)(struct store *st, const unsigned char *cred_id, size_t len,
			    struct passkey_row **ret, size_t *ret_n);
	/* a challenge of a sign-in by passkey alone, from origin, asked from the
	 * address whose keyed hash is address (STORE_THROTTLE_KEY_LEN bytes):
	 * CONFLICT when STORE_SIGNIN_CHALLENGES_MAX unexpired ones are out
	 * already, or STORE_SIGNIN_CHALLENGES_PER_ADDRESS from that address */
	int (*signin_challenge_put)(struct store *st, const unsigned char *hash,
				    const unsigned char *address, const char *origin,
				    int64_t expires_s);
	/* takes (deletes) the unexpired sign-in challenge of this hash: its
	 * origin into ret_origin; NOTFOUND when there is none */
	int (*signin_challenge_take)(struct store *st, const unsigned char *hash, int64_t now_s,
				     char *ret_origin, size_t len);
	/* ---- end of passkeys ops ---- */
	/* ---- the private safety check (migration 0012) ---- */
	/* the member's row in the couple; NOTFOUND when they have none */
	int (*safety_get)(struct store *st, const char *couple_id, const char *member_id,
			  struct safety_row *ret);
	/* old_version 0: the member's first row in the couple (CONFLICT when
	 * they have one there, or are not the couple's; one they left in
	 * another couple is replaced);
	 * else replaces version and sealed where couple, member and id match
	 * and the stored version is old_version (CONFLICT otherwise) */
	int (*safety_put)(struct store *st, const struct safety_row *row, int64_t old_version);
	/* ---- end of the safety check ops ---- */
	/* ---- the ledger of latest versions (migration 0015) ---- */
	/* member_id's ledger for couple_id ("": their own) into *ret (malloc'd)
	 * and its write count into *gen; NOTFOUND when they have none */
	int (*ledger_get)(struct store *st, const char *member_id, const char *couple_id,
			  struct blob *ret, int64_t *gen);
	/* old_gen 0: a first ledger (CONFLICT when there is one); else replaces
	 * it where its count is old_gen (CONFLICT otherwise), counting one more */
	int (*ledger_put)(struct store *st, const char *member_id, const char *couple_id,
			  const struct blob *sealed, int64_t old_gen);
	/* ---- end of the ledger ops ---- */
};

struct store {
	const struct store_ops *ops;
};

/*
 * store_open() - open the store named by url: a file path (SQLite, created
 * with its migrations applied when missing) or postgresql://... (the
 * PostgreSQL store, migrated, in a build with libpq; else
 * -EPROTONOSUPPORT).  On success *ret owns the handle; close it with
 * store_close().  Returns -EACCES/-ENOENT/-EIO on failure, with a short
 * reason (no SQL) copied into errbuf.
 */
int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen);
void store_close(struct store *st);

/*
 * store_url_shown() - the database's name as a message may show it: a path
 * as it is, a URL without its password (nor its ?parameters), copied into
 * buf; returns buf ("" when buf is NULL or len 0).
 */
const char *store_url_shown(const char *url, char *buf, size_t len);

/* store_migrate() - apply pending migrations; returns the schema version or < 0. */
int store_migrate(struct store *st);

void store_blob_free(struct blob *b);
void store_member_free(struct member_row *m); /* frees the blobs inside */
void store_invite_free(struct invite_row *inv);
void store_care_invite_list_free(struct care_invite_row *rows, size_t n);
void store_session_free(struct session_row *s);
void store_journal_free(struct journal_row *e);
void store_journal_list_free(struct journal_row *rows, size_t n);

/* ---- free what the statement ops return (each accepts NULL) ------- */
void store_statement_free(struct statement_row *row); /* the blob inside, not row */
void store_statement_list_free(struct statement_row *rows, size_t n);
/* ---- end of statements ------------------------------------------------------ */

/* ---- freeing rows (accept NULL; free the blobs, not the row) -- */
#include <stdlib.h>

static inline void store_checkin_free(struct checkin_row *c)
{
	if (c)
		store_blob_free(&c->content_sealed);
}

static inline void store_totp_free(struct totp_row *t)
{
	if (t)
		store_blob_free(&t->secret_sealed);
}

static inline void store_passkey_free(struct passkey_row *p)
{
	if (p) {
		store_blob_free(&p->credential_id);
		store_blob_free(&p->public_key);
		store_blob_free(&p->tag);
		store_blob_free(&p->name_sealed);
		store_blob_free(&p->signin);
		store_blob_free(&p->mk_sealed);
	}
}

static inline void store_safety_free(struct safety_row *row)
{
	if (row)
		store_blob_free(&row->sealed);
}

static inline void store_item_free(struct item_row *it)
{
	if (it)
		store_blob_free(&it->sealed);
}

/* The list forms free each row, then the array; they accept NULL.
 * (`type` names a type: it cannot take parentheses.) */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define STORE_LIST_FREE(name, type, one)                                                           \
	static inline void name(type *rows, size_t n)                                              \
	{                                                                                          \
		if (!rows)                                                                         \
			return;                                                                    \
		for (size_t i = 0; i < n; i++)                                                     \
			one(&rows[i]);                                                             \
		free(rows);                                                                        \
	}
STORE_LIST_FREE(store_checkin_list_free, struct checkin_row, store_checkin_free)
STORE_LIST_FREE(store_item_list_free, struct item_row, store_item_free)
STORE_LIST_FREE(store_passkey_list_free, struct passkey_row, store_passkey_free)
#undef STORE_LIST_FREE
/* NOLINTEND(bugprone-macro-parentheses) */
/* ---- end of freeing ------------------------------------------ */

/* convenience wrappers: st->ops->x(st, ...) */
#define STORE_CALL(st, op, ...) ((st)->ops->op((st), __VA_ARGS__))

#endif
