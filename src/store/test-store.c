/*
 * test-store.c: unit tests of the store's SQLite backend.
 *
 * Each test gets a fresh database under a mkdtemp() directory in /tmp (in a
 * subdirectory that does not exist yet, so opening also creates it) and
 * removes the whole tree afterwards.  The tests go through the ops table as
 * the server does, and look at the raw connection only to check what a user
 * could not otherwise see: pragmas, row counts, bytes left in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store-sqlite.h"

#define T_COUPLE     1
#define T_MEMBER     2
#define T_SESSION    3
#define T_ENTRY	     4
#define T_INVITE     5

#define N_THREADS    4
#define N_PER_THREAD 200

struct fx {
	char dir[64];	/* the mkdtemp() directory */
	char path[128]; /* dir/var/kintsugi.db */
	struct store *st;
};

static unsigned char salt[16] = "0123456789abcdef";
static unsigned char sealed[48] = "sealed-master-key-bytes-....................";
static unsigned char pubkey[32] = "public-key-bytes................";
static unsigned char hash32[32] = "hash-of-a-secret................";
static unsigned char keys[40] = "sealed-session-keys.....................";

static void make_id(char out[STORE_ID_LEN + 1], unsigned kind, unsigned n)
{
	snprintf(out, STORE_ID_LEN + 1, "%02x%030x", kind, n);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[128];

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kintsugi-store-XXXXXX");
	if (!mkdtemp(fx->dir))
		goto fail;
	snprintf(fx->path, sizeof(fx->path), "%s/var/kintsugi.db", fx->dir);
	if (store_open(fx->path, &fx->st, err, sizeof(err)) != 0)
		goto fail;
	*state = fx;
	return 0;
fail:
	rm_tree(fx->dir);
	free(fx);
	return -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	rm_tree(fx->dir);
	free(fx);
	return 0;
}

static sqlite3 *raw(struct fx *fx)
{
	sqlite3 *db = store_sqlite_db(fx->st);

	assert_non_null(db);
	return db;
}

/* The integer the single-row query sql returns, with ?1 bound to arg (or nothing). */
static long long query_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s = NULL;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (arg)
		assert_int_equal(sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void query_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static void add_couple(struct store *st, unsigned n, char id[STORE_ID_LEN + 1])
{
	struct couple_row c = {0};

	make_id(c.id, T_COUPLE, n);
	strcpy(c.created_at, "2024-05-01T10:00:00Z");
	strcpy(c.rhythm, "daily");
	assert_int_equal(STORE_CALL(st, couple_insert, &c), 0);
	memcpy(id, c.id, sizeof(c.id));
}

static void fill_member(struct member_row *m, const char *couple_id, unsigned n, const char *login)
{
	memset(m, 0, sizeof(*m));
	make_id(m->id, T_MEMBER, n);
	snprintf(m->couple_id, sizeof(m->couple_id), "%s", couple_id);
	snprintf(m->login, sizeof(m->login), "%s", login);
	strcpy(m->role, "partner");
	snprintf(m->display_name, sizeof(m->display_name), "Имя %u", n);
	strcpy(m->language, "ru");
	strcpy(m->pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	m->kek_salt = (struct blob){salt, sizeof(salt)};
	m->mk_by_pw = (struct blob){sealed, sizeof(sealed)};
	m->rk_salt = (struct blob){salt, 8};
	m->mk_by_rk = (struct blob){sealed, 40};
	m->public_key = (struct blob){pubkey, sizeof(pubkey)};
	m->secret_key_sealed = (struct blob){sealed, sizeof(sealed)};
	snprintf(m->created_at, sizeof(m->created_at), "2024-05-01T10:00:%02uZ", n % 60);
}

static void add_member(struct store *st, const char *couple_id, unsigned n, const char *login,
		       char id[STORE_ID_LEN + 1])
{
	struct member_row m;

	fill_member(&m, couple_id, n, login);
	assert_int_equal(STORE_CALL(st, member_insert, &m), 0);
	memcpy(id, m.id, sizeof(m.id));
}

static void fill_session(struct session_row *s, const char *couple_id, const char *member_id,
			 unsigned n)
{
	memset(s, 0, sizeof(*s));
	make_id(s->id, T_SESSION, n);
	snprintf(s->member_id, sizeof(s->member_id), "%s", member_id);
	snprintf(s->couple_id, sizeof(s->couple_id), "%s", couple_id);
	s->secret_hash = (struct blob){hash32, sizeof(hash32)};
	s->keys_sealed = (struct blob){keys, sizeof(keys)};
	strcpy(s->created_at, "2024-05-01T10:00:00Z");
	strcpy(s->last_seen_at, "2024-05-01T10:00:00Z");
	strcpy(s->expires_at, "2024-05-15T10:00:00Z");
}

static void fill_entry(struct journal_row *e, const char *couple_id, const char *author_id,
		       unsigned n, const char *created_at, const char *body)
{
	memset(e, 0, sizeof(*e));
	make_id(e->id, T_ENTRY, n);
	snprintf(e->couple_id, sizeof(e->couple_id), "%s", couple_id);
	snprintf(e->author_id, sizeof(e->author_id), "%s", author_id);
	e->version = 1;
	e->body_sealed = (struct blob){(unsigned char *)(uintptr_t)body, strlen(body)};
	snprintf(e->created_at, sizeof(e->created_at), "%s", created_at);
	snprintf(e->updated_at, sizeof(e->updated_at), "%s", created_at);
}

static void add_entry(struct store *st, const char *couple_id, const char *author_id, unsigned n,
		      const char *created_at)
{
	struct journal_row e;

	fill_entry(&e, couple_id, author_id, n, created_at, "sealed body bytes");
	assert_int_equal(STORE_CALL(st, journal_insert, &e), 0);
}

static void assert_blob(const struct blob *b, const void *data, size_t len)
{
	assert_int_equal(b->len, len);
	if (len)
		assert_memory_equal(b->data, data, len);
}

/* ---- opening ------------------------------------------------------------ */

static void test_open_creates_private_files_and_settings(void **state)
{
	struct fx *fx = *state;
	char dir[160], mode[16];
	struct stat sb;
	sqlite3 *db = raw(fx);

	snprintf(dir, sizeof(dir), "%s/var", fx->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	query_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(db, "PRAGMA synchronous", NULL), 2);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys", NULL), 1);
	assert_int_equal(query_int(db, "PRAGMA secure_delete", NULL), 1);
	assert_int_equal(query_int(db, "PRAGMA busy_timeout", NULL), 5000);
	assert_int_equal(query_int(db, "PRAGMA user_version", NULL),
			 store_sqlite_migrations[store_sqlite_migrations_n - 1].version);
	assert_string_equal(fx->st->ops->name, "sqlite");
}

static void test_reopen_applies_migrations_once(void **state)
{
	struct fx *fx = *state;
	int latest = store_sqlite_migrations[store_sqlite_migrations_n - 1].version;
	char couple_id[STORE_ID_LEN + 1], err[128];
	struct couple_row c;

	add_couple(fx->st, 1, couple_id);
	assert_int_equal(store_migrate(fx->st), latest);
	for (int i = 0; i < 2; i++) {
		store_close(fx->st);
		fx->st = NULL;
		assert_int_equal(store_open(fx->path, &fx->st, err, sizeof(err)), 0);
		assert_int_equal(store_migrate(fx->st), latest);
		assert_int_equal(STORE_CALL(fx->st, couple_get, couple_id, &c), 0);
		assert_string_equal(c.id, couple_id);
	}
	assert_int_equal(store_migrate(NULL), -EINVAL);
}

static void test_open_errors_have_reasons(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)(uintptr_t)0x1;
	char err[128], path[160];
	int fd, r;

	err[0] = '\0';
	r = store_open("/proc/nope/x.db", &st, err, sizeof(err));
	assert_true(r == -EACCES || r == -ENOENT);
	assert_true(strlen(err) > 0);
	assert_ptr_equal(st, (struct store *)(uintptr_t)0x1);

	assert_int_equal(store_open("postgresql://u@h/db", &st, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_string_equal(err, "PostgreSQL support is not built yet");
	err[0] = '\0';
	assert_int_equal(store_open("postgres://h/db", &st, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_string_equal(err, "PostgreSQL support is not built yet");
	assert_int_equal(store_open("", &st, err, sizeof(err)), -EINVAL);
	assert_int_equal(store_open("/proc/nope/x.db", &st, NULL, 0), r);

	/* a file that is not a database */
	snprintf(path, sizeof(path), "%s/junk.db", fx->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(write(fd, "this is not a database file.....", 32), 32);
	close(fd);
	err[0] = '\0';
	assert_int_equal(store_open(path, &st, err, sizeof(err)), -EIO);
	assert_true(strlen(err) > 0);

	/* a database from a newer build */
	assert_int_equal(sqlite3_exec(raw(fx), "PRAGMA user_version = 9999", NULL, NULL, NULL),
			 SQLITE_OK);
	err[0] = '\0';
	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "newer"));
	assert_ptr_equal(st, (struct store *)(uintptr_t)0x1);
}

/* Opens dir/ro/x.db in a read-only directory; returns what store_open said. */
static int open_in_readonly_dir(struct fx *fx, char *err, size_t errlen)
{
	struct store *st = NULL;
	char path[192];
	int r;

	snprintf(path, sizeof(path), "%s/ro/x.db", fx->dir);
	r = store_open(path, &st, err, errlen);
	store_close(st);
	return r;
}

static void test_open_unwritable_dir(void **state)
{
	struct fx *fx = *state;
	char dir[160], err[128] = "";
	int r;

	snprintf(dir, sizeof(dir), "%s/ro", fx->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	if (geteuid() != 0) {
		assert_int_equal(open_in_readonly_dir(fx, err, sizeof(err)), -EACCES);
		assert_true(strlen(err) > 0);
	} else {
		/* root writes anywhere: try as nobody for a moment */
		assert_int_equal(chmod(fx->dir, 0711), 0);
		assert_int_equal(setegid(65534), 0);
		assert_int_equal(seteuid(65534), 0);
		r = open_in_readonly_dir(fx, err, sizeof(err));
		assert_int_equal(seteuid(0), 0);
		assert_int_equal(setegid(0), 0);
		assert_int_equal(r, -EACCES);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(chmod(dir, 0700), 0);
}

/* ---- couples and members ------------------------------------------------ */

static void test_couples(void **state)
{
	struct fx *fx = *state;
	struct couple_row c = {0}, got;
	struct member_brief *list = NULL;
	char a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	size_t n = 99;

	make_id(c.id, T_COUPLE, 7);
	strcpy(c.created_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &c), 0); /* empty rhythm: default */
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &c), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, couple_get, c.id, &got), 0);
	assert_string_equal(got.rhythm, "daily");
	assert_string_equal(got.created_at, "2024-05-01T10:00:00Z");

	make_id(c.id, T_COUPLE, 8);
	strcpy(c.rhythm, "weekly");
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &c), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_get, c.id, &got), 0);
	assert_string_equal(got.rhythm, "weekly");
	strcpy(c.rhythm, "hourly");
	make_id(c.id, T_COUPLE, 9);
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &c), -EINVAL);

	make_id(missing, T_COUPLE, 404);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(STORE_CALL(fx->st, couple_get, missing, &got), STORE_NOTFOUND);
	assert_int_equal((unsigned char)got.id[0], 0x5a); /* not written on failure */

	/* members, oldest first */
	make_id(c.id, T_COUPLE, 8);
	assert_int_equal(STORE_CALL(fx->st, couple_members, c.id, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	add_member(fx->st, c.id, 2, "second", b);
	add_member(fx->st, c.id, 1, "first", a);
	assert_int_equal(STORE_CALL(fx->st, couple_members, c.id, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, a);
	assert_string_equal(list[1].id, b);
	assert_string_equal(list[0].role, "partner");
	assert_string_equal(list[0].display_name, "Имя 1");
	free(list);
	list = NULL;
	assert_int_equal(STORE_CALL(fx->st, couple_members, missing, &list, &n), STORE_NOTFOUND);
	assert_null(list);

	assert_int_equal(STORE_CALL(fx->st, couple_delete, missing), STORE_NOTFOUND);
}

static void test_members(void **state)
{
	struct fx *fx = *state;
	struct member_row m, got, upd;
	char couple_id[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	unsigned char salt2[16] = "fedcba9876543210";
	unsigned char sealed2[48] = "another-sealed-master-key.......................";

	add_couple(fx->st, 1, couple_id);
	fill_member(&m, couple_id, 1, "alice");
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), 0);

	assert_int_equal(STORE_CALL(fx->st, member_get, m.id, &got), 0);
	assert_string_equal(got.couple_id, couple_id);
	assert_string_equal(got.login, "alice");
	assert_string_equal(got.role, "partner");
	assert_string_equal(got.display_name, "Имя 1");
	assert_string_equal(got.language, "ru");
	assert_string_equal(got.pw_hash, m.pw_hash);
	assert_blob(&got.kek_salt, salt, sizeof(salt));
	assert_blob(&got.mk_by_pw, sealed, sizeof(sealed));
	assert_blob(&got.rk_salt, salt, 8);
	assert_blob(&got.mk_by_rk, sealed, 40);
	assert_blob(&got.public_key, pubkey, sizeof(pubkey));
	assert_blob(&got.secret_key_sealed, sealed, sizeof(sealed));
	assert_string_equal(got.created_at, m.created_at);
	store_member_free(&got);
	assert_null(got.kek_salt.data);
	store_member_free(NULL);

	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "alice", &got), 0);
	assert_string_equal(got.id, m.id);
	store_member_free(&got);
	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "nobody", &got), STORE_NOTFOUND);

	/* a duplicate login clashes, even under a new id */
	make_id(m.id, T_MEMBER, 2);
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), STORE_CONFLICT);
	/* a member of a couple that does not exist */
	make_id(missing, T_COUPLE, 404);
	fill_member(&m, missing, 3, "carol");
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), STORE_NOTFOUND);
	/* an unterminated field is refused, not read past */
	fill_member(&m, couple_id, 4, "dave");
	memset(m.login, 'x', sizeof(m.login));
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), -EINVAL);

	/* password, recovery, language */
	fill_member(&upd, couple_id, 1, "alice");
	strcpy(upd.pw_hash, "$argon2id$new");
	upd.kek_salt = (struct blob){salt2, sizeof(salt2)};
	upd.mk_by_pw = (struct blob){sealed2, sizeof(sealed2)};
	assert_int_equal(STORE_CALL(fx->st, member_set_password, &upd), 0);
	upd.rk_salt = (struct blob){salt2, 4};
	upd.mk_by_rk = (struct blob){sealed2, 12};
	assert_int_equal(STORE_CALL(fx->st, member_set_recovery, &upd), 0);
	assert_int_equal(STORE_CALL(fx->st, member_set_language, upd.id, "es"), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, upd.id, &got), 0);
	assert_string_equal(got.pw_hash, "$argon2id$new");
	assert_blob(&got.kek_salt, salt2, sizeof(salt2));
	assert_blob(&got.mk_by_pw, sealed2, sizeof(sealed2));
	assert_blob(&got.rk_salt, salt2, 4);
	assert_blob(&got.mk_by_rk, sealed2, 12);
	assert_blob(&got.public_key, pubkey, sizeof(pubkey)); /* untouched */
	assert_string_equal(got.language, "es");
	store_member_free(&got);

	make_id(upd.id, T_MEMBER, 404);
	assert_int_equal(STORE_CALL(fx->st, member_set_password, &upd), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_set_recovery, &upd), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_set_language, upd.id, "en"), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get, upd.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_delete, upd.id), STORE_NOTFOUND);
}

static void test_couple_keys(void **state)
{
	struct fx *fx = *state;
	char c1[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], x[STORE_ID_LEN + 1];
	struct blob got = {(unsigned char *)(uintptr_t)0x1, 77};

	add_couple(fx->st, 1, c1);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c1, 1, "alice", a);
	add_member(fx->st, c2, 2, "xavier", x);

	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got), STORE_NOTFOUND);
	assert_int_equal(got.len, 77);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, a, sealed, 20), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got), 0);
	assert_blob(&got, sealed, 20);
	store_blob_free(&got);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, a, pubkey, 32), 0); /* replaces */
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got), 0);
	assert_blob(&got, pubkey, 32);
	store_blob_free(&got);
	store_blob_free(NULL);

	/* the wrong couple for a member is neither readable nor writable */
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c2, a, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, x, sealed, 20), STORE_NOTFOUND);
}

static void test_invites(void **state)
{
	struct fx *fx = *state;
	struct invite_row inv = {0}, got;
	char couple_id[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];

	add_couple(fx->st, 1, couple_id);
	make_id(inv.id, T_INVITE, 1);
	strcpy(inv.couple_id, couple_id);
	strcpy(inv.role, "partner");
	inv.secret_hash = (struct blob){hash32, sizeof(hash32)};
	inv.ck_wrapped = (struct blob){sealed, sizeof(sealed)};
	strcpy(inv.created_at, "2024-05-01T10:00:00Z");
	strcpy(inv.expires_at, "2024-05-08T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, invite_insert, &inv), 0);
	assert_int_equal(STORE_CALL(fx->st, invite_insert, &inv), STORE_CONFLICT);

	assert_int_equal(STORE_CALL(fx->st, invite_get, inv.id, &got), 0);
	assert_string_equal(got.couple_id, couple_id);
	assert_string_equal(got.role, "partner");
	assert_blob(&got.secret_hash, hash32, sizeof(hash32));
	assert_blob(&got.ck_wrapped, sealed, sizeof(sealed));
	assert_string_equal(got.expires_at, "2024-05-08T10:00:00Z");
	assert_int_equal(got.used, 0);
	store_invite_free(&got);

	assert_int_equal(STORE_CALL(fx->st, invite_consume, inv.id), 0);
	assert_int_equal(STORE_CALL(fx->st, invite_consume, inv.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, invite_get, inv.id, &got), 0);
	assert_int_equal(got.used, 1);
	assert_int_equal(got.ck_wrapped.len, 0); /* the wrap is gone */
	assert_blob(&got.secret_hash, hash32, sizeof(hash32));
	store_invite_free(&got);
	store_invite_free(NULL);
	assert_int_equal(
		query_int(raw(fx), "SELECT length(ck_wrapped) FROM invites WHERE id = ?1", inv.id),
		0);

	make_id(missing, T_INVITE, 404);
	assert_int_equal(STORE_CALL(fx->st, invite_consume, missing), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, invite_get, missing, &got), STORE_NOTFOUND);
}

/* ---- sessions ----------------------------------------------------------- */

static void test_sessions(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char sid[4][STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	struct session_row s, got;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	for (unsigned i = 0; i < 4; i++) {
		fill_session(&s, c, i < 3 ? a : b, i);
		assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
		memcpy(sid[i], s.id, sizeof(s.id));
	}
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), STORE_CONFLICT);
	/* a session must name a member of its own couple */
	{
		char other[STORE_ID_LEN + 1];

		add_couple(fx->st, 2, other);
		fill_session(&s, other, a, 9);
		assert_int_equal(STORE_CALL(fx->st, session_insert, &s), STORE_NOTFOUND);
	}

	assert_int_equal(STORE_CALL(fx->st, session_get, sid[0], &got), 0);
	assert_string_equal(got.member_id, a);
	assert_string_equal(got.couple_id, c);
	assert_blob(&got.secret_hash, hash32, sizeof(hash32));
	assert_blob(&got.keys_sealed, keys, sizeof(keys));
	assert_string_equal(got.expires_at, "2024-05-15T10:00:00Z");
	store_session_free(&got);
	store_session_free(NULL);

	/* touch moves last_seen_at forward only */
	assert_int_equal(STORE_CALL(fx->st, session_touch, sid[0], "2024-05-01T11:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, session_touch, sid[0], "2024-05-01T11:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, session_touch, sid[0], "2024-05-01T10:30:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[0], &got), 0);
	assert_string_equal(got.last_seen_at, "2024-05-01T11:00:00Z");
	store_session_free(&got);
	make_id(missing, T_SESSION, 404);
	assert_int_equal(STORE_CALL(fx->st, session_touch, missing, "2024-05-01T11:00:00Z"),
			 STORE_NOTFOUND);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(STORE_CALL(fx->st, session_get, missing, &got), STORE_NOTFOUND);
	assert_int_equal((unsigned char)got.id[0], 0x5a);

	/* end all of alice's sessions but sid[1] */
	assert_int_equal(STORE_CALL(fx->st, session_delete_member, a, sid[1]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[0], &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[2], &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[1], &got), 0);
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[3], &got), 0); /* bob's stays */
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, session_delete_member, a, NULL), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[1], &got), STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, session_delete, sid[3]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_delete, sid[3]), STORE_NOTFOUND);
}

static void test_session_purge(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct session_row s, got;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	fill_session(&s, c, a, 1); /* expired */
	strcpy(s.expires_at, "2024-05-02T00:00:00Z");
	strcpy(s.last_seen_at, "2024-05-02T23:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	fill_session(&s, c, a, 2); /* idle too long */
	strcpy(s.last_seen_at, "2024-05-02T01:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	fill_session(&s, c, a, 3); /* alive */
	strcpy(s.last_seen_at, "2024-05-02T23:30:00Z");
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);

	/* without an idle bound only the expired one goes */
	assert_int_equal(STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z", NULL), 0);
	make_id(s.id, T_SESSION, 1);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), STORE_NOTFOUND);
	make_id(s.id, T_SESSION, 2);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), 0);
	store_session_free(&got);

	assert_int_equal(
		STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z", "2024-05-02T12:00:00Z"),
		0);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), STORE_NOTFOUND);
	make_id(s.id, T_SESSION, 3);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), 0);
	store_session_free(&got);
}

/* ---- journal ------------------------------------------------------------ */

static void test_journal_crud(void **state)
{
	struct fx *fx = *state;
	char c1[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct journal_row e, got;

	add_couple(fx->st, 1, c1);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c1, 1, "alice", a);
	add_member(fx->st, c1, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);

	fill_entry(&e, c1, a, 1, "2024-05-01T10:00:00Z", "first body");
	assert_int_equal(STORE_CALL(fx->st, journal_insert, &e), 0);
	assert_int_equal(STORE_CALL(fx->st, journal_insert, &e), STORE_CONFLICT);
	/* an author who is not in the couple */
	fill_entry(&e, c1, x, 2, "2024-05-01T10:00:00Z", "body");
	assert_int_equal(STORE_CALL(fx->st, journal_insert, &e), STORE_NOTFOUND);

	fill_entry(&e, c1, a, 1, "2024-05-01T10:00:00Z", "first body");
	assert_int_equal(STORE_CALL(fx->st, journal_get, c1, a, e.id, &got), 0);
	assert_string_equal(got.id, e.id);
	assert_string_equal(got.couple_id, c1);
	assert_string_equal(got.author_id, a);
	assert_int_equal(got.version, 1);
	assert_blob(&got.body_sealed, "first body", 10);
	assert_int_equal(got.prompt_sealed.len, 0);
	assert_null(got.prompt_sealed.data);
	assert_string_equal(got.created_at, "2024-05-01T10:00:00Z");
	store_journal_free(&got);
	store_journal_free(NULL);

	/* not yours and missing look the same */
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(STORE_CALL(fx->st, journal_get, c1, b, e.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_get, c2, a, e.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_get, c2, x, e.id, &got), STORE_NOTFOUND);
	assert_int_equal((unsigned char)got.id[0], 0x5a);

	/* optimistic update */
	e.version = 2;
	e.body_sealed = (struct blob){(unsigned char *)"second", 6};
	e.prompt_sealed = (struct blob){(unsigned char *)"prompt", 6};
	strcpy(e.updated_at, "2024-05-01T11:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), 0);
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), STORE_CONFLICT); /* stale */
	e.version = 9;
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), STORE_CONFLICT);
	e.version = 3;
	strcpy(e.author_id, b);
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), STORE_NOTFOUND);
	strcpy(e.author_id, a);
	strcpy(e.couple_id, c2);
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), STORE_NOTFOUND);
	strcpy(e.couple_id, c1);
	assert_int_equal(STORE_CALL(fx->st, journal_get, c1, a, e.id, &got), 0);
	assert_int_equal(got.version, 2);
	assert_blob(&got.body_sealed, "second", 6);
	assert_blob(&got.prompt_sealed, "prompt", 6);
	assert_string_equal(got.created_at, "2024-05-01T10:00:00Z");
	assert_string_equal(got.updated_at, "2024-05-01T11:00:00Z");
	store_journal_free(&got);

	/* dropping the prompt stores NULL again */
	e.prompt_sealed = (struct blob){NULL, 0};
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), 0);
	assert_int_equal(
		query_int(raw(fx),
			  "SELECT prompt_sealed IS NULL FROM journal_entries WHERE id = ?1", e.id),
		1);

	assert_int_equal(STORE_CALL(fx->st, journal_delete, c1, b, e.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_delete, c2, a, e.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_delete, c1, a, e.id), 0);
	assert_int_equal(STORE_CALL(fx->st, journal_delete, c1, a, e.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_get, c1, a, e.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_update, &e), STORE_NOTFOUND);
}

static void test_journal_paging(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], id[STORE_ID_LEN + 1];
	static const char *const at[] = {
		"2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z", "2024-05-01T10:00:02Z",
		"2024-05-01T10:00:02Z", "2024-05-01T10:00:03Z", "2024-05-01T10:00:01Z",
		"2024-05-01T10:00:04Z",
	};
	/* created_at descending, then the later insert first */
	static const unsigned order[] = {6, 4, 3, 2, 1, 5, 0};
	struct journal_row *rows = NULL;
	size_t n = 0, seen = 0;
	const char *before = NULL;
	char last[STORE_ID_LEN + 1];

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	for (unsigned i = 0; i < 7; i++)
		add_entry(fx->st, c, a, i, at[i]);
	add_entry(fx->st, c, b, 100, "2024-05-01T10:00:09Z");

	for (int page = 0; page < 4; page++) {
		assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, before, 3, &rows, &n), 0);
		assert_int_equal(n, page < 2 ? 3 : page == 2 ? 1 : 0);
		for (size_t i = 0; i < n; i++) {
			make_id(id, T_ENTRY, order[seen + i]);
			assert_string_equal(rows[i].id, id);
			assert_string_equal(rows[i].author_id, a);
		}
		seen += n;
		if (n) {
			memcpy(last, rows[n - 1].id, sizeof(last));
			before = last;
		} else {
			assert_null(rows);
		}
		store_journal_list_free(rows, n);
	}
	assert_int_equal(seen, 7);

	/* before_id must be one of the author's own entries */
	make_id(id, T_ENTRY, 100);
	rows = (struct journal_row *)(uintptr_t)0x1;
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, id, 3, &rows, &n), STORE_NOTFOUND);
	assert_ptr_equal(rows, (struct journal_row *)(uintptr_t)0x1);
	make_id(id, T_ENTRY, 4);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, b, id, 3, &rows, &n), STORE_NOTFOUND);
	make_id(id, T_ENTRY, 404);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, id, 3, &rows, &n), STORE_NOTFOUND);

	/* bob sees only his own; a wrong couple sees nothing */
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, b, NULL, 50, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_journal_list_free(rows, n);
	make_id(id, T_COUPLE, 404);
	assert_int_equal(STORE_CALL(fx->st, journal_list, id, a, NULL, 50, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 0, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 100, &rows, &n), 0);
	assert_int_equal(n, 7);
	store_journal_list_free(rows, n);
	store_journal_list_free(NULL, 0);
}

/* ---- deletion ----------------------------------------------------------- */

static void test_member_delete_cascade(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	struct session_row s, got;
	struct journal_row *rows = NULL;
	struct member_row m;
	struct blob k;
	size_t n = 0;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, a, sealed, 20), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, b, sealed, 20), 0);
	fill_session(&s, c, a, 1);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	fill_session(&s, c, b, 2);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	for (unsigned i = 0; i < 5; i++)
		add_entry(fx->st, c, a, i, "2024-05-01T10:00:00Z");
	add_entry(fx->st, c, b, 10, "2024-05-01T10:00:00Z");

	assert_int_equal(STORE_CALL(fx->st, member_delete, a), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, a), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get, a, &m), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "alice", &m), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c, a, &k), STORE_NOTFOUND);
	make_id(s.id, T_SESSION, 1);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 50, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM journal_entries WHERE author_id = ?1", a), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sessions WHERE member_id = ?1", a), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM couple_keys WHERE member_id = ?1", a),
			 0);

	/* the partner keeps everything */
	assert_int_equal(STORE_CALL(fx->st, member_get, b, &m), 0);
	store_member_free(&m);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c, b, &k), 0);
	store_blob_free(&k);
	make_id(s.id, T_SESSION, 2);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), 0);
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, b, NULL, 50, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_journal_list_free(rows, n);
}

static void test_couple_delete_cascade(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], keep[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	char k[STORE_ID_LEN + 1];
	struct invite_row inv = {0};
	struct session_row s;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, keep);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, keep, 2, "kim", k);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, a, sealed, 20), 0);
	fill_session(&s, c, a, 1);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");
	add_entry(fx->st, keep, k, 2, "2024-05-01T10:00:00Z");
	make_id(inv.id, T_INVITE, 1);
	strcpy(inv.couple_id, c);
	strcpy(inv.role, "partner");
	inv.secret_hash = (struct blob){hash32, sizeof(hash32)};
	inv.ck_wrapped = (struct blob){sealed, sizeof(sealed)};
	strcpy(inv.created_at, "2024-05-01T10:00:00Z");
	strcpy(inv.expires_at, "2024-05-08T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, invite_insert, &inv), 0);
	assert_int_equal(STORE_CALL(fx->st, audit_append, c, a, "signin", "2024-05-01T10:00:00Z"),
			 0);

	assert_int_equal(STORE_CALL(fx->st, couple_delete, c), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_delete, c), STORE_NOTFOUND);
	assert_int_equal(query_int(db, "SELECT count(*) FROM members WHERE couple_id = ?1", c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sessions WHERE couple_id = ?1", c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM couple_keys WHERE couple_id = ?1", c),
			 0);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM journal_entries WHERE couple_id = ?1", c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM invites WHERE couple_id = ?1", c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE couple_id = ?1", c),
			 0);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM journal_entries WHERE couple_id = ?1", keep),
		1);
}

/* Deleted content is zeroed in the file, not left in free space. */
static void test_deleted_content_does_not_linger(void **state)
{
	struct fx *fx = *state;
	static const char marker[] = "MARKER-3b1f-private-journal-text";
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct journal_row e;
	sqlite3 *db = raw(fx);
	char *buf;
	size_t len;
	FILE *f;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	fill_entry(&e, c, a, 1, "2024-05-01T10:00:00Z", marker);
	assert_int_equal(STORE_CALL(fx->st, journal_insert, &e), 0);
	add_entry(fx->st, c, a, 2, "2024-05-01T10:00:00Z"); /* keeps the page in use */

	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(
			sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
			SQLITE_OK);
		f = fopen(fx->path, "rb");
		assert_non_null(f);
		buf = malloc(1 << 20);
		assert_non_null(buf);
		len = fread(buf, 1, 1 << 20, f);
		fclose(f);
		assert_true(len > 0);
		if (pass == 0)
			assert_non_null(memmem(buf, len, marker, strlen(marker)));
		else
			assert_null(memmem(buf, len, marker, strlen(marker)));
		free(buf);
		if (pass == 0)
			assert_int_equal(STORE_CALL(fx->st, journal_delete, c, a, e.id), 0);
	}
}

/* ---- transactions, audit, backup ---------------------------------------- */

static void test_transactions(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], id[STORE_ID_LEN + 1];
	struct couple_row row, got;
	struct member_row m;

	make_id(id, T_COUPLE, 5);
	memset(&row, 0, sizeof(row));
	memcpy(row.id, id, sizeof(row.id));
	strcpy(row.created_at, "2024-05-01T10:00:00Z");

	assert_int_equal(fx->st->ops->commit(fx->st), -EINVAL);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(fx->st->ops->begin(fx->st), -EINVAL);
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &row), 0);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_get, id, &got), STORE_NOTFOUND);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0); /* nothing open: fine */

	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &row), 0);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_get, id, &got), 0);

	/* a multi-statement operation nests inside the caller's transaction */
	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, a), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, a, &m), STORE_NOTFOUND);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, a, &m), 0);
	store_member_free(&m);
	assert_int_equal(query_int(raw(fx), "SELECT count(*) FROM journal_entries", NULL), 1);
}

static void test_audit(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(STORE_CALL(fx->st, audit_append, c, a, "signin", "2024-05-01T10:00:00Z"),
			 0);
	assert_int_equal(
		STORE_CALL(fx->st, audit_append, c, a, "password_changed", "2024-05-01T10:05:00Z"),
		0);
	assert_int_equal(STORE_CALL(fx->st, audit_append, NULL, NULL, "signin_failed",
				    "2024-05-01T10:06:00Z"),
			 0);
	make_id(missing, T_COUPLE, 404);
	assert_int_equal(
		STORE_CALL(fx->st, audit_append, missing, a, "signin", "2024-05-01T10:00:00Z"),
		STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, audit_append, c, a, NULL, "2024-05-01T10:00:00Z"),
			 -EINVAL);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(*) FROM audit_log WHERE couple_id = ?1", c), 2);
	assert_int_equal(query_int(raw(fx), "SELECT count(*) FROM audit_log", NULL), 3);
}

static void test_backup(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], dest[192], bad[192], err[128];
	struct store *copy = NULL;
	struct journal_row *rows = NULL;
	struct member_row m;
	struct stat sb;
	size_t n = 0;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (unsigned i = 0; i < 30; i++)
		add_entry(fx->st, c, a, i, "2024-05-01T10:00:00Z");

	snprintf(dest, sizeof(dest), "%s/backup.db", fx->dir);
	assert_int_equal(STORE_CALL(fx->st, backup, dest), 0);
	assert_int_equal(stat(dest, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(STORE_CALL(fx->st, backup, dest), -EEXIST);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/backup.db", fx->dir);
	assert_int_equal(STORE_CALL(fx->st, backup, bad), -ENOENT);
	assert_int_equal(access(bad, F_OK), -1);

	assert_int_equal(store_open(dest, &copy, err, sizeof(err)), 0);
	assert_int_equal(STORE_CALL(copy, member_get_by_login, "alice", &m), 0);
	store_member_free(&m);
	assert_int_equal(STORE_CALL(copy, journal_list, c, a, NULL, 100, &rows, &n), 0);
	assert_int_equal(n, 30);
	store_journal_list_free(rows, n);
	store_close(copy);
	store_close(NULL);
}

/* ---- concurrency -------------------------------------------------------- */

struct writer {
	const char *path;
	const char *couple_id;
	const char *author_id;
	unsigned index;
	int failures;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct store *st = NULL;
	struct journal_row e;
	char err[128];

	if (store_open(w->path, &st, err, sizeof(err)) != 0) {
		w->failures = N_PER_THREAD;
		return NULL;
	}
	for (unsigned i = 0; i < N_PER_THREAD; i++) {
		/* the same second for everyone: seq alone keeps the order total */
		fill_entry(&e, w->couple_id, w->author_id, w->index * 1000 + i,
			   "2024-05-01T10:00:00Z", "concurrent body");
		if (STORE_CALL(st, journal_insert, &e) != 0)
			w->failures++;
	}
	store_close(st);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], last[STORE_ID_LEN + 1];
	struct writer w[N_THREADS];
	pthread_t th[N_THREADS];
	struct journal_row *rows = NULL;
	size_t n = 0, total = 0;
	const char *before = NULL;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (unsigned i = 0; i < N_THREADS; i++) {
		w[i] = (struct writer){fx->path, c, a, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	for (unsigned i = 0; i < N_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}

	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 10000, &rows, &n), 0);
	assert_int_equal(n, N_THREADS * N_PER_THREAD);
	store_journal_list_free(rows, n);

	/* paging through 800 same-second rows visits each exactly once */
	do {
		assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, before, 64, &rows, &n), 0);
		total += n;
		if (n) {
			memcpy(last, rows[n - 1].id, sizeof(last));
			before = last;
		}
		store_journal_list_free(rows, n);
	} while (n);
	assert_int_equal(total, N_THREADS * N_PER_THREAD);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(DISTINCT seq) FROM journal_entries", NULL),
		N_THREADS * N_PER_THREAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_private_files_and_settings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reopen_applies_migrations_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_errors_have_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_unwritable_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_content_does_not_linger, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
