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
 *   (the server opens one handle per worker thread).
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

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
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
	/* deletes sessions with expires_at < now or last_seen_at < idle_before */
	int (*session_purge)(struct store *st, const char *now, const char *idle_before);

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

/* convenience wrappers: st->ops->x(st, ...) */
#define STORE_CALL(st, op, ...) ((st)->ops->op((st), __VA_ARGS__))

#endif
