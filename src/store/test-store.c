/*
 * test-store.c: unit tests of the store's SQLite backend.
 *
 * Each test gets a fresh database under a mkdtemp() directory in /tmp (in a
 * subdirectory that does not exist yet, so opening also creates it) and
 * removes the whole tree afterwards.  The tests go through the ops table as
 * the server does, and look at the raw connection only to check what a user
 * could not otherwise see: pragmas, row counts, bytes left in the file.
 *
 * Built a second time with STORE_TEST_PG defined (meson test 'store-pg'), it
 * runs the tests of the ops the PostgreSQL backend has so far against the
 * database at KINTSUGI_PG_URL (scripts/pg-test run gives a throwaway one),
 * each in an emptied schema; without KINTSUGI_PG_URL it skips (exit 77).
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/marks.h"
#include "store/store.h"
#include "store/store-sqlite.h"

#ifdef STORE_TEST_PG
#include <libpq-fe.h>

#include "store/store-pg.h"

/* The SQLite-only tests stay compiled but are not run against PostgreSQL. */
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

#define T_COUPLE  1
#define T_MEMBER  2
#define T_SESSION 3
#define T_ENTRY	  4
#define T_INVITE  5

/* Four handles writing at once, like four server threads.  Every insert
 * is a flush of the log and SQLite's busy handler polls, so under
 * a loaded machine (valgrind, parallel suites) a writer can wait a long
 * time: 4 x 60 keeps the test about contention, not about the disk. */
#define N_THREADS    4
#define N_PER_THREAD 60

struct fx {
	char dir[64];	/* the mkdtemp() directory */
	char path[128]; /* dir/var/kintsugi.db */
	struct store *st;
#ifdef STORE_TEST_PG
	PGconn *pg; /* a connection of the test's own, to look behind the store */
#endif
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

#ifdef STORE_TEST_PG
static PGconn *pg_raw; /* the running test's own connection (fx->pg) */

/* A fresh start: the schema emptied, then the store opened (and migrated). */
static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *url = getenv("KINTSUGI_PG_URL");
	PGresult *res;
	char err[128];

	if (!fx)
		return -1;
	fx->pg = PQconnectdb(url);
	if (PQstatus(fx->pg) != CONNECTION_OK) {
		fprintf(stderr, "setup: cannot connect to KINTSUGI_PG_URL\n");
		goto fail;
	}
	res = PQexec(fx->pg, "SET client_min_messages = warning; "
			     "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "setup: %s", PQerrorMessage(fx->pg));
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	pg_raw = fx->pg;
	if (store_pg_open(url, &fx->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: cannot open the PostgreSQL store: %s\n", err);
		goto fail;
	}
	*state = fx;
	return 0;
fail:
	PQfinish(fx->pg);
	free(fx);
	return -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	PQfinish(fx->pg);
	free(fx);
	return 0;
}
#endif

#ifndef STORE_TEST_PG
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
	if (store_open(fx->path, &fx->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: cannot open %s: %s\n", fx->path, err);
		goto fail;
	}
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
#endif

static sqlite3 *raw(struct fx *fx)
{
	sqlite3 *db = store_sqlite_db(fx->st);

#ifndef STORE_TEST_PG /* NULL there: the SQL goes through query_int_pg() */
	assert_non_null(db);
#endif
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

#ifdef STORE_TEST_PG
/*
 * query_int() against PostgreSQL: the same SQL text (?1 becomes $1), run on
 * the test's own connection (db is not used).  A macro, so the SQLite-only
 * tests still compile.
 */
static long long query_int_pg(const char *sql, const char *arg)
{
	char text[512];
	const char *params[1] = {arg};
	PGresult *res;
	long long v;
	size_t j = 0;

	for (size_t i = 0; sql[i] && j + 1 < sizeof(text); i++)
		text[j++] = sql[i] == '?' ? '$' : sql[i];
	text[j] = '\0';
	res = PQexecParams(pg_raw, text, arg ? 1 : 0, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 1);
	if (PQftype(res, 0) == 16) /* a boolean reads 1 or 0, as in SQLite */
		v = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	else
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

#define query_int(db, sql, arg) ((void)(db), query_int_pg((sql), (arg)))
#endif

/*
 * The couple of the member, session or invite id (what a caller passes
 * with it: a session knows its couple), read around the store; a couple
 * nobody has when there is no such row, so a lookup of a missing one stays
 * NOTFOUND.  Eight at a time (a rotating buffer), for one call's arguments.
 */
#define CP(id) couple_of(fx, (id))
static const char *couple_of(struct fx *fx, const char *id)
{
	static const char *const sql = "SELECT couple_id FROM members WHERE id = ?1 UNION ALL "
				       "SELECT couple_id FROM sessions WHERE id = ?1 UNION ALL "
				       "SELECT couple_id FROM invites WHERE id = ?1 LIMIT 1";
	static char buf[8][STORE_ID_LEN + 1];
	static unsigned next;
	char *out = buf[next++ % 8];

	make_id(out, T_COUPLE, 999);
	if (!id)
		return out;
#ifdef STORE_TEST_PG
	{
		char text[256];
		const char *params[1] = {id};
		PGresult *res;
		size_t j = 0;

		(void)fx;
		for (size_t k = 0; sql[k] && j + 1 < sizeof(text); k++)
			text[j++] = sql[k] == '?' ? '$' : sql[k];
		text[j] = '\0';
		res = PQexecParams(pg_raw, text, 1, NULL, params, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		if (PQntuples(res) == 1)
			snprintf(out, STORE_ID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
#else
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(raw(fx), sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC), SQLITE_OK);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(out, STORE_ID_LEN + 1, "%s",
				 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
#endif
	return out;
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
	strcpy(m->kdf, "interactive");
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
	/* NORMAL: the group commit flushes the log before a commit returns */
	assert_int_equal(query_int(db, "PRAGMA synchronous", NULL), 1);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys", NULL), 1);
	assert_int_equal(query_int(db, "PRAGMA secure_delete", NULL), 1);
	assert_int_equal(query_int(db, "PRAGMA temp_store", NULL), 2); /* MEMORY */
	assert_int_equal(query_int(db, "PRAGMA busy_timeout", NULL), 5000);
	/* a new file has the store's page size, not SQLite's default 4 KiB */
	assert_int_equal(query_int(db, "PRAGMA page_size", NULL), 16384);
	assert_int_equal(query_int(db, "PRAGMA user_version", NULL),
			 store_sqlite_migrations[store_sqlite_migrations_n - 1].version);
	assert_string_equal(fx->st->ops->name, "sqlite");
}

/* A file made with 4 KiB pages (every file before session 13) keeps them,
 * and is migrated and served as before. */
static void test_open_keeps_an_existing_page_size(void **state)
{
	struct fx *fx = *state;
	char path[200], err[128], couple_id[STORE_ID_LEN + 1];
	struct couple_row c;
	struct store *st = NULL;
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/var/old.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;"
				      "CREATE TABLE t (x); DROP TABLE t;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(chmod(path, 0600), 0);

	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(query_int(store_sqlite_db(st), "PRAGMA page_size", NULL), 4096);
	add_couple(st, 1, couple_id);
	assert_int_equal(STORE_CALL(st, couple_get, couple_id, &c), 0);
	store_close(st);
	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(query_int(store_sqlite_db(st), "PRAGMA page_size", NULL), 4096);
	assert_int_equal(STORE_CALL(st, couple_get, couple_id, &c), 0);
	store_close(st);
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

#ifdef KINTSUGI_HAVE_PG
	/* PostgreSQL's URLs go to store-pg.c: nobody listens on port 1 */
	assert_int_equal(store_open("postgresql://u@127.0.0.1:1/db", &st, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_string_equal(err, "cannot connect to the PostgreSQL server");
	err[0] = '\0';
	assert_int_equal(store_open("postgres://127.0.0.1:1/db", &st, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_string_equal(err, "cannot connect to the PostgreSQL server");
#else
	assert_int_equal(store_open("postgresql://u@h/db", &st, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_string_equal(err, "this kintsugi was built without PostgreSQL (libpq)");
	err[0] = '\0';
	assert_int_equal(store_open("postgres://h/db", &st, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_string_equal(err, "this kintsugi was built without PostgreSQL (libpq)");
#endif
	assert_int_equal(store_open("mysql://h/db", &st, err, sizeof(err)), -EPROTONOSUPPORT);
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
	struct member_standing standing;
	char couple_id[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	unsigned char salt2[16] = "fedcba9876543210";
	unsigned char sealed2[48] = "another-sealed-master-key.......................";

	add_couple(fx->st, 1, couple_id);
	fill_member(&m, couple_id, 1, "alice");
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), 0);

	assert_int_equal(STORE_CALL(fx->st, member_get, CP(m.id), m.id, &got), 0);
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
	assert_string_equal(got.kdf, "interactive");
	store_member_free(&got);
	assert_null(got.kek_salt.data);
	store_member_free(NULL);

	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "alice", &got), 0);
	assert_string_equal(got.id, m.id);
	store_member_free(&got);
	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "nobody", &got), STORE_NOTFOUND);

	/* what a session reads of the row: role and language, and nothing when it is gone */
	memset(&standing, 0x55, sizeof(standing));
	assert_int_equal(STORE_CALL(fx->st, member_standing, CP(m.id), m.id, &standing), 0);
	assert_string_equal(standing.role, "partner");
	assert_string_equal(standing.language, "ru");
	make_id(missing, T_MEMBER, 99);
	memset(&standing, 0x55, sizeof(standing));
	assert_int_equal(STORE_CALL(fx->st, member_standing, CP(missing), missing, &standing),
			 STORE_NOTFOUND);
	assert_int_equal(standing.role[0], 0x55); /* not written on failure */
	assert_int_equal(STORE_CALL(fx->st, member_standing, CP(m.id), m.id, NULL), -EINVAL);

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
	strcpy(upd.kdf, "sensitive");
	upd.kek_salt = (struct blob){salt2, sizeof(salt2)};
	upd.mk_by_pw = (struct blob){sealed2, sizeof(sealed2)};
	assert_int_equal(STORE_CALL(fx->st, member_set_password, &upd), 0);
	upd.rk_salt = (struct blob){salt2, 4};
	upd.mk_by_rk = (struct blob){sealed2, 12};
	assert_int_equal(STORE_CALL(fx->st, member_set_recovery, &upd), 0);
	assert_int_equal(STORE_CALL(fx->st, member_set_language, CP(upd.id), upd.id, "es"), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(upd.id), upd.id, &got), 0);
	assert_string_equal(got.pw_hash, "$argon2id$new");
	assert_string_equal(got.kdf, "sensitive"); /* the cost goes with the new salt */
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
	assert_int_equal(STORE_CALL(fx->st, member_set_language, CP(upd.id), upd.id, "en"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(upd.id), upd.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(upd.id), upd.id), STORE_NOTFOUND);
}

static void test_couple_keys(void **state)
{
	struct fx *fx = *state;
	char c1[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], x[STORE_ID_LEN + 1];
	struct blob got = {(unsigned char *)(uintptr_t)0x1, 77}, tag;

	add_couple(fx->st, 1, c1);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c1, 1, "alice", a);
	add_member(fx->st, c2, 2, "xavier", x);

	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got, NULL), STORE_NOTFOUND);
	assert_int_equal(got.len, 77);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, a, sealed, 20, NULL, 0), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got, &tag), 0);
	assert_blob(&got, sealed, 20);
	assert_null(tag.data); /* none */
	store_blob_free(&got);
	/* replaces, with a tag */
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, a, pubkey, 32, hash32, 32), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got, &tag), 0);
	assert_blob(&got, pubkey, 32);
	assert_blob(&tag, hash32, 32);
	store_blob_free(&got);
	store_blob_free(&tag);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c1, a, &got, NULL), 0);
	assert_blob(&got, pubkey, 32);
	store_blob_free(&got);
	store_blob_free(NULL);
	/* a tag is 32 bytes or nothing */
	assert_true(STORE_CALL(fx->st, couple_key_put, c1, a, pubkey, 32, hash32, 31) < 0);

	/* the wrong couple for a member is neither readable nor writable */
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c2, a, &got, NULL), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c1, x, sealed, 20, NULL, 0),
			 STORE_NOTFOUND);
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

	assert_int_equal(STORE_CALL(fx->st, invite_consume, CP(inv.id), inv.id), 0);
	assert_int_equal(STORE_CALL(fx->st, invite_consume, CP(inv.id), inv.id), STORE_NOTFOUND);
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
	assert_int_equal(STORE_CALL(fx->st, invite_consume, CP(missing), missing), STORE_NOTFOUND);
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
	assert_int_equal(
		STORE_CALL(fx->st, session_touch, CP(sid[0]), sid[0], "2024-05-01T11:00:00Z"), 0);
	assert_int_equal(
		STORE_CALL(fx->st, session_touch, CP(sid[0]), sid[0], "2024-05-01T11:00:00Z"), 0);
	assert_int_equal(
		STORE_CALL(fx->st, session_touch, CP(sid[0]), sid[0], "2024-05-01T10:30:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[0], &got), 0);
	assert_string_equal(got.last_seen_at, "2024-05-01T11:00:00Z");
	store_session_free(&got);
	make_id(missing, T_SESSION, 404);
	assert_int_equal(
		STORE_CALL(fx->st, session_touch, CP(missing), missing, "2024-05-01T11:00:00Z"),
		STORE_NOTFOUND);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(STORE_CALL(fx->st, session_get, missing, &got), STORE_NOTFOUND);
	assert_int_equal((unsigned char)got.id[0], 0x5a);

	/* end all of alice's sessions but sid[1] */
	assert_int_equal(STORE_CALL(fx->st, session_delete_member, CP(a), a, sid[1]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[0], &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[2], &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[1], &got), 0);
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[3], &got), 0); /* bob's stays */
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, session_delete_member, CP(a), a, NULL), 0);
	assert_int_equal(STORE_CALL(fx->st, session_get, sid[1], &got), STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, session_delete, CP(sid[3]), sid[3]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_delete, CP(sid[3]), sid[3]), STORE_NOTFOUND);
}

/* The last-seen mark of session id as another handle (or process) reads it. */
static void assert_stored_mark(struct store *other, const char *id, const char *want)
{
	struct session_row got;

	assert_int_equal(STORE_CALL(other, session_get, id, &got), 0);
	assert_string_equal(got.last_seen_at, want);
	store_session_free(&got);
}

#ifndef STORE_TEST_PG
/*
 * A VFS in front of SQLite's default one that counts the flushes (xSync) of
 * every file opened through it, for test_session_touch_unflushed().  Each
 * file is opened by the real VFS in place; only its methods table is
 * swapped for a copy whose xSync counts and then calls the real one.
 */
static sqlite3_vfs count_vfs, *count_real;
static sqlite3_io_methods count_methods[4];		/* the copies, xSync counting */
static const sqlite3_io_methods *count_real_methods[4]; /* the tables they copy */
static int count_syncs;

static const sqlite3_io_methods *count_real_of(const sqlite3_file *f)
{
	for (size_t i = 0; i < 4; i++)
		if (f->pMethods == &count_methods[i])
			return count_real_methods[i];
	fail_msg("a file with methods the counting VFS did not set");
	return NULL;
}

static int count_sync(sqlite3_file *f, int flags)
{
	count_syncs++;
	return count_real_of(f)->xSync(f, flags);
}

static int count_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	int rc = count_real->xOpen(count_real, name, f, flags, out);
	size_t i;

	(void)vfs;
	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	/* the real VFS has a few methods tables (the database's, the log's...) */
	for (i = 0; i < 4 && count_real_methods[i] && count_real_methods[i] != f->pMethods; i++)
		;
	assert_true(i < 4);
	if (!count_real_methods[i]) {
		count_real_methods[i] = f->pMethods;
		count_methods[i] = *f->pMethods;
		count_methods[i].xSync = count_sync;
	}
	f->pMethods = &count_methods[i];
	return rc;
}

/*
 * A session's last-seen mark is held in memory (marks.h): the handles of
 * the process that holds it read it at once, the file has it when the held
 * marks are written together, and that write does not wait for the group
 * commit's flush (the scale benchmark's signed-in reads waited for an
 * fdatasync each time a member's mark moved, and later for the writer
 * lock), while every other write still waits for it.  Inside a transaction
 * the mark is written and flushed with the commit.  fx->st is another open
 * of the file, as another process would be.
 */
static void test_session_touch_unflushed(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL, *st2 = NULL;
	struct session_row s;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], err[128];
	int before;

	count_real = sqlite3_vfs_find(NULL);
	assert_non_null(count_real);
	count_vfs = *count_real;
	count_vfs.zName = "kintsugi-count-syncs";
	count_vfs.xOpen = count_open;
	assert_int_equal(sqlite3_vfs_register(&count_vfs, 1), SQLITE_OK);
	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), 0);
	assert_int_equal(st->ops->reopen(st, &st2, err, sizeof(err)), 0);

	add_couple(st, 1, c);
	add_member(st, c, 1, "alice", a);
	fill_session(&s, c, a, 1);
	before = count_syncs;
	assert_int_equal(STORE_CALL(st, session_insert, &s), 0);
	assert_true(count_syncs > before); /* an ordinary write waits for its flush */

	before = count_syncs;
	assert_int_equal(STORE_CALL(st, session_touch, c, s.id, "2024-05-01T11:00:00Z"), 0);
	assert_int_equal(count_syncs, before); /* the mark is not flushed */
	/* every handle of the process reads it at once; the file does not have it yet */
	assert_stored_mark(st, s.id, "2024-05-01T11:00:00Z");
	assert_stored_mark(st2, s.id, "2024-05-01T11:00:00Z");
	assert_stored_mark(fx->st, s.id, "2024-05-01T10:00:00Z");

	/* inside a transaction the mark is written, and flushed with the commit */
	assert_int_equal(st->ops->begin(st), 0);
	assert_int_equal(STORE_CALL(st, session_touch, c, s.id, "2024-05-01T12:00:00Z"), 0);
	before = count_syncs;
	assert_int_equal(st->ops->commit(st), 0);
	assert_true(count_syncs > before);
	assert_stored_mark(fx->st, s.id, "2024-05-01T12:00:00Z");

	/* a touch of a session that does not exist says so, as on PostgreSQL */
	make_id(s.id, T_SESSION, 2);
	assert_int_equal(STORE_CALL(st, session_touch, c, s.id, "2024-05-01T12:00:00Z"),
			 STORE_NOTFOUND);

	/* closing a handle writes the held marks, without a flush */
	make_id(s.id, T_SESSION, 1);
	assert_int_equal(STORE_CALL(st2, session_touch, c, s.id, "2024-05-01T13:00:00Z"), 0);
	assert_stored_mark(fx->st, s.id, "2024-05-01T12:00:00Z");
	before = count_syncs;
	store_close(st2);
	assert_int_equal(count_syncs, before);
	assert_stored_mark(fx->st, s.id, "2024-05-01T13:00:00Z");

	store_close(st);
	assert_int_equal(sqlite3_vfs_unregister(&count_vfs), SQLITE_OK);
}

/*
 * MARKS_MAX held marks are written together by the touch that reaches
 * that count, in one transaction; the purge of idle sessions writes the
 * held marks first, so a session seen lately stays though its row's mark
 * is old.
 */
static void test_session_marks_held(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	struct session_row s;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], err[128], id[STORE_ID_LEN + 1];
	unsigned int n = 99;

	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), 0);
	add_couple(st, 1, c);
	add_member(st, c, 1, "alice", a);
	assert_int_equal(st->ops->begin(st), 0);
	for (unsigned i = 1; i <= MARKS_MAX + 1; i++) {
		fill_session(&s, c, a, i);
		assert_int_equal(STORE_CALL(st, session_insert, &s), 0);
	}
	assert_int_equal(st->ops->commit(st), 0);

	for (unsigned i = 1; i < MARKS_MAX; i++) {
		make_id(id, T_SESSION, i);
		assert_int_equal(STORE_CALL(st, session_touch, c, id, "2024-05-01T11:00:00Z"), 0);
	}
	make_id(id, T_SESSION, 1);
	assert_stored_mark(fx->st, id, "2024-05-01T10:00:00Z");
	make_id(id, T_SESSION, MARKS_MAX);
	assert_int_equal(STORE_CALL(st, session_touch, c, id, "2024-05-01T11:00:00Z"), 0);
	for (unsigned i = 1; i <= MARKS_MAX; i++) {
		make_id(id, T_SESSION, i);
		assert_stored_mark(fx->st, id, "2024-05-01T11:00:00Z");
	}

	/* session MARKS_MAX + 1 was last seen at 10:00 in the file, 12:00 in the process */
	make_id(id, T_SESSION, MARKS_MAX + 1);
	assert_int_equal(STORE_CALL(st, session_touch, c, id, "2024-05-01T12:00:00Z"), 0);
	assert_int_equal(STORE_CALL(st, session_purge, "2024-05-01T12:30:00Z",
				    "2024-05-01T11:30:00Z", 0, &n),
			 0);
	assert_int_equal(n, MARKS_MAX); /* idle since 11:00: gone */
	assert_stored_mark(fx->st, id, "2024-05-01T12:00:00Z");
	store_close(st);
}
#endif

static void test_session_purge(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct session_row s, got;
	unsigned int n = 99;

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
	assert_int_equal(STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z", NULL, 0, &n), 0);
	assert_int_equal(n, 1);
	make_id(s.id, T_SESSION, 1);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), STORE_NOTFOUND);
	make_id(s.id, T_SESSION, 2);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), 0);
	store_session_free(&got);

	assert_int_equal(STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z",
				    "2024-05-02T12:00:00Z", 0, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), STORE_NOTFOUND);
	make_id(s.id, T_SESSION, 3);
	assert_int_equal(STORE_CALL(fx->st, session_get, s.id, &got), 0);
	store_session_free(&got);

	/* nothing left to purge is success */
	assert_int_equal(STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z",
				    "2024-05-02T12:00:00Z", 0, &n),
			 0);
	assert_int_equal(n, 0);
}

/* A purge deletes at most max dead rows a call, and never a live one. */
static void test_session_purge_bounded(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct session_row s, got;
	unsigned int n = 99, total = 0;
	int i;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (i = 1; i <= 10; i++) { /* ten expired */
		fill_session(&s, c, a, i);
		strcpy(s.expires_at, "2024-05-02T00:00:00Z");
		assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	}
	fill_session(&s, c, a, 11); /* alive */
	strcpy(s.expires_at, "2024-05-09T00:00:00Z");
	strcpy(s.last_seen_at, "2024-05-02T23:30:00Z");
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);

	for (i = 0; i < 3; i++) {
		assert_int_equal(STORE_CALL(fx->st, session_purge, "2024-05-03T00:00:00Z",
					    "2024-05-02T12:00:00Z", 4, &n),
				 0);
		assert_true(n <= 4);
		total += n;
	}
	assert_int_equal(total, 10); /* 4 + 4 + 2 */
	assert_int_equal(n, 2);
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

/*
 * Writers on several connections at once, each writing rows of one author
 * in one second, as the server's threads do when a member posts twice at
 * once: every insert succeeds and each row gets its own place in the order.
 * On PostgreSQL single inserts take no lock: two of them that read the same
 * max(seq) clashed (a 500 in the scale benchmark's write runs with two
 * members) or shared a place; seq now comes from a sequence.
 */
#define SAME_SECOND_THREADS 4
#define SAME_SECOND_EACH    25

typedef int same_second_insert_fn(struct store *st, const char *couple, const char *author,
				  unsigned n);

struct same_second {
	struct store *st;
	same_second_insert_fn *insert;
	const char *couple, *author;
	unsigned first;
	int failed;
};

static void *same_second_writer(void *p)
{
	struct same_second *w = p;

	for (unsigned i = 0; i < SAME_SECOND_EACH; i++)
		if (w->insert(w->st, w->couple, w->author, w->first + i) != 0)
			w->failed++;
	return NULL;
}

/* SAME_SECOND_THREADS writers on connections of their own, each of SAME_SECOND_EACH rows */
static void same_second_run(struct fx *fx, same_second_insert_fn *insert, const char *c,
			    const char *a)
{
	struct same_second w[SAME_SECOND_THREADS];
	pthread_t t[SAME_SECOND_THREADS];
	char err[128];

	for (unsigned k = 0; k < SAME_SECOND_THREADS; k++) {
		w[k] = (struct same_second){NULL, insert, c, a, 1000 * (k + 1), 0};
		assert_int_equal(fx->st->ops->reopen(fx->st, &w[k].st, err, sizeof(err)), 0);
	}
	for (unsigned k = 0; k < SAME_SECOND_THREADS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, same_second_writer, &w[k]), 0);
	for (unsigned k = 0; k < SAME_SECOND_THREADS; k++) {
		assert_int_equal(pthread_join(t[k], NULL), 0);
		assert_int_equal(w[k].failed, 0);
		store_close(w[k].st);
	}
}

static int same_second_entry(struct store *st, const char *couple, const char *author, unsigned n)
{
	struct journal_row e;

	fill_entry(&e, couple, author, n, "2024-05-01T10:00:00Z", "one second, many entries");
	return STORE_CALL(st, journal_insert, &e);
}

static void test_journal_same_second_writers(void **state)
{
	struct fx *fx = *state;
	struct journal_row *rows = NULL;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	size_t n = 0;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	same_second_run(fx, same_second_entry, c, a);
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 100, &rows, &n), 0);
	assert_int_equal(n, SAME_SECOND_THREADS * SAME_SECOND_EACH);
	store_journal_list_free(rows, n);
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
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, a, sealed, 20, NULL, 0), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, b, sealed, 20, NULL, 0), 0);
	fill_session(&s, c, a, 1);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	fill_session(&s, c, b, 2);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	for (unsigned i = 0; i < 5; i++)
		add_entry(fx->st, c, a, i, "2024-05-01T10:00:00Z");
	add_entry(fx->st, c, b, 10, "2024-05-01T10:00:00Z");

	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &m), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_get_by_login, "alice", &m), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c, a, &k, NULL), STORE_NOTFOUND);
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
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(b), b, &m), 0);
	store_member_free(&m);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c, b, &k, NULL), 0);
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
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, a, sealed, 20, NULL, 0), 0);
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
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &m), STORE_NOTFOUND);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &m), 0);
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

	/* paging through 240 same-second rows visits each exactly once */
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

/* The same, with handles made by the reopen op: one writer lock for the process. */
struct rewriter {
	struct store *from;
	const char *couple_id;
	const char *author_id;
	unsigned index;
	int failures;
};

static void *rewriter_main(void *arg)
{
	struct rewriter *w = arg;
	struct store *st = NULL;
	struct journal_row e;
	char err[128];

	if (w->from->ops->reopen(w->from, &st, err, sizeof(err)) != 0) {
		w->failures = N_PER_THREAD;
		return NULL;
	}
	for (unsigned i = 0; i < N_PER_THREAD; i++) {
		fill_entry(&e, w->couple_id, w->author_id, w->index * 1000 + i,
			   "2024-05-01T10:00:00Z", "reopened body");
		if (STORE_CALL(st, journal_insert, &e) != 0)
			w->failures++;
		/* a transaction too: begin, write, commit under the same lock */
		if (st->ops->begin(st) != 0 || st->ops->commit(st) != 0)
			w->failures++;
	}
	store_close(st);
	return NULL;
}

static void test_reopened_writers(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct rewriter w[N_THREADS * 2];
	pthread_t th[N_THREADS * 2];

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (unsigned i = 0; i < N_THREADS * 2; i++) {
		w[i] = (struct rewriter){fx->st, c, a, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, rewriter_main, &w[i]), 0);
	}
	for (unsigned i = 0; i < N_THREADS * 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(query_int(raw(fx), "SELECT count(*) FROM journal_entries", NULL),
			 N_THREADS * 2 * N_PER_THREAD);
	assert_int_equal(fx->st->ops->fault(fx->st), STORE_FAULT_NONE);
}

/*
 * What `kintsugi check` or a sqlite3 shell does: open the file in another
 * process, read it, close.  That process removes the -wal on its way out
 * when it takes itself for the last user, i.e. when it can take the
 * exclusive lock: it must never, while this process has the file open.
 */
/* This program's path (argv[0]), run again as the other process. */
static const char *self_path = "/proc/self/exe";

static int other_process_main(const char *path)
{
	sqlite3 *db = NULL;
	int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		 sqlite3_exec(db, "SELECT count(*) FROM members", NULL, NULL, NULL) == SQLITE_OK;

	ok = sqlite3_close(db) == SQLITE_OK && ok;
	return ok ? 0 : 1;
}

/* A fresh process (exec, not only fork: a forked child shares SQLite's idea of the locks). */
static void other_process_reads(const char *path)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		execl(self_path, "test-store", "--read", path, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void assert_wal_there(struct fx *fx)
{
	char wal[160];

	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_int_equal(access(wal, F_OK), 0);
}

/*
 * The bug of issue 9: opening a second handle on the file (as each worker
 * thread did) opened and closed the file with plain open()/close(), which
 * dropped every POSIX lock of the process, SQLite's included; another
 * process then removed the live -wal, and acknowledged writes were lost.
 */
static void test_open_keeps_locks(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], err[128];
	struct store *second = NULL, *third = NULL;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");
	other_process_reads(fx->path);
	assert_wal_there(fx);

	/* a second handle by path (the CLI's way), then one by reopen (a worker's) */
	assert_int_equal(store_open(fx->path, &second, err, sizeof(err)), 0);
	add_entry(second, c, a, 2, "2024-05-01T10:00:01Z");
	other_process_reads(fx->path);
	assert_wal_there(fx);
	assert_int_equal(fx->st->ops->reopen(fx->st, &third, err, sizeof(err)), 0);
	add_entry(third, c, a, 3, "2024-05-01T10:00:02Z");
	other_process_reads(fx->path);
	assert_wal_there(fx);
	store_close(third);
	store_close(second);
	other_process_reads(fx->path);
	assert_wal_there(fx);

	/* and the three entries are in the log the file's users share */
	assert_int_equal(query_int(raw(fx), "SELECT count(*) FROM journal_entries", NULL), 3);
	assert_int_equal(fx->st->ops->fatal(fx->st), STORE_FAULT_NONE);
}

/*
 * Writes refused with the fault noted, fatal for the process (other is a
 * handle reopened before the move, as a worker's is); then the rescue.
 */
static void assert_moved_refuses(struct fx *fx, struct store *other, const char *c, const char *a)
{
	struct journal_row e;

	(void)fx->st->ops->fault(fx->st);
	fill_entry(&e, c, a, 99, "2024-05-01T11:00:00Z", "after the move");
	assert_int_equal(STORE_CALL(fx->st, journal_insert, &e), -EIO);
	assert_int_equal(fx->st->ops->fault(fx->st), STORE_FAULT_MOVED);
	assert_int_equal(fx->st->ops->fault(fx->st), STORE_FAULT_NONE); /* read once */
	assert_int_equal(fx->st->ops->fatal(fx->st), STORE_FAULT_MOVED);
	/* every handle of the process refuses from now on */
	assert_int_equal(other->ops->fatal(other), STORE_FAULT_MOVED);
	fill_entry(&e, c, a, 98, "2024-05-01T11:00:00Z", "after the move");
	assert_int_equal(STORE_CALL(other, journal_insert, &e), -EIO);
	assert_int_equal(other->ops->fault(other), STORE_FAULT_MOVED);
	store_close(other);
}

/* The file at path holds exactly the n entries before the move. */
static void assert_entries_in(const char *path, long long n)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM journal_entries", NULL), n);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM journal_entries WHERE "
				   "body_sealed = CAST('after the move' AS BLOB)",
				   NULL),
			 0);
	sqlite3_close(db);
}

/* 20 entries, half of them by a reopened handle, which stays open (returned). */
static struct store *add_entries(struct fx *fx, char c[STORE_ID_LEN + 1], char a[STORE_ID_LEN + 1])
{
	struct store *other = NULL;
	char err[128];

	assert_int_equal(fx->st->ops->reopen(fx->st, &other, err, sizeof(err)), 0);
	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (unsigned i = 0; i < 20; i++)
		add_entry(i % 2 ? other : fx->st, c, a, i, "2024-05-01T10:00:00Z");
	return other;
}

static void test_wal_removed(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], wal[160], where[256];

	struct store *other = add_entries(fx, c, a);

	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_int_equal(unlink(wal), 0);
	assert_moved_refuses(fx, other, c, a);
	/* the checkpoint puts what the removed log held into the file itself */
	assert_int_equal(fx->st->ops->rescue(fx->st, where, sizeof(where)), 0);
	assert_string_equal(where, fx->path);
	store_close(fx->st);
	fx->st = NULL;
	assert_entries_in(fx->path, 20);
}

static void test_db_removed(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], where[256];
	struct stat sb;

	struct store *other = add_entries(fx, c, a);

	assert_int_equal(unlink(fx->path), 0);
	assert_moved_refuses(fx, other, c, a);
	/* written back where it was, owner-only */
	assert_int_equal(fx->st->ops->rescue(fx->st, where, sizeof(where)), 1);
	assert_string_equal(where, fx->path);
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	store_close(fx->st);
	fx->st = NULL;
	assert_entries_in(fx->path, 20);
}

static void test_db_replaced(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], other[160], where[256];
	sqlite3 *db = NULL;

	struct store *reopened = add_entries(fx, c, a);

	snprintf(other, sizeof(other), "%s/other.db", fx->dir);
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(rename(other, fx->path), 0);
	assert_moved_refuses(fx, reopened, c, a);
	/* the replacement is left alone; the copy goes beside it */
	assert_int_equal(fx->st->ops->rescue(fx->st, where, sizeof(where)), 1);
	assert_int_equal(strncmp(where, fx->path, strlen(fx->path)), 0);
	assert_non_null(strstr(where, ".rescued-"));
	assert_entries_in(where, 20);
	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t", NULL), 0);
	sqlite3_close(db);
	store_close(fx->st);
	fx->st = NULL;
}

/* ---- step 1: statements and commitments (migration 0002) ---------------- */

#define T_STATEMENT  101
#define T_RESPONSE   102
#define T_COMMITMENT 103
#define T_REVIEW     104

static void fill_statement(struct statement_row *row, const char *couple_id, const char *author_id,
			   unsigned n, const char *at, const char *parts)
{
	memset(row, 0, sizeof(*row));
	make_id(row->id, T_STATEMENT, n);
	snprintf(row->couple_id, sizeof(row->couple_id), "%s", couple_id);
	snprintf(row->author_id, sizeof(row->author_id), "%s", author_id);
	row->version = 1;
	row->parts_sealed = (struct blob){(unsigned char *)(uintptr_t)parts, strlen(parts)};
	snprintf(row->created_at, sizeof(row->created_at), "%s", at);
	snprintf(row->updated_at, sizeof(row->updated_at), "%s", at);
}

static void test_statements(void **state)
{
	struct fx *fx = *state;
	char c1[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct statement_row s1, s2, s3, got, *rows = NULL;
	size_t n = 0;

	add_couple(fx->st, 1, c1);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c1, 1, "alice", a);
	add_member(fx->st, c1, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);

	fill_statement(&s1, c1, a, 1, "2024-05-01T10:00:00Z", "a draft");
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s1), 0);
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s1), STORE_CONFLICT);
	fill_statement(&s2, c1, b, 2, "2024-05-01T10:00:00Z", "bob's draft");
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s2), 0);
	fill_statement(&s3, c1, x, 3, "2024-05-01T10:00:00Z", "wrong couple");
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s3), STORE_NOTFOUND);
	assert_int_equal(query_int(raw(fx),
				   "SELECT delivered_at IS NULL FROM statements WHERE id = ?1",
				   s1.id),
			 1);

	/* any author of the couple, never another couple */
	assert_int_equal(STORE_CALL(fx->st, statement_get, c1, s2.id, &got), 0);
	assert_string_equal(got.author_id, b);
	assert_int_equal(got.delivered, 0);
	assert_string_equal(got.delivered_at, "");
	assert_blob(&got.parts_sealed, "bob's draft", 11);
	store_statement_free(&got);
	store_statement_free(NULL);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(STORE_CALL(fx->st, statement_get, c2, s1.id, &got), STORE_NOTFOUND);
	assert_int_equal((unsigned char)got.id[0], 0x5a);

	/* the list: my own, and only the delivered ones of others */
	assert_int_equal(STORE_CALL(fx->st, statement_list, c1, a, 50, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, s1.id);
	store_statement_list_free(rows, n);

	/* delivery: optimistic, drafts only, by the author */
	s2.version = 2;
	s2.delivered = 1;
	strcpy(s2.updated_at, "2024-05-01T11:00:00Z");
	strcpy(s2.delivered_at, "2024-05-01T11:00:00Z");
	s2.parts_sealed = (struct blob){(unsigned char *)"sealed for two", 14};
	strcpy(s2.author_id, a);
	assert_int_equal(STORE_CALL(fx->st, statement_update, &s2), STORE_NOTFOUND);
	strcpy(s2.author_id, b);
	assert_int_equal(STORE_CALL(fx->st, statement_update, &s2), 0);
	assert_int_equal(STORE_CALL(fx->st, statement_update, &s2), STORE_CONFLICT); /* stale */
	s2.version = 3;
	assert_int_equal(STORE_CALL(fx->st, statement_update, &s2), STORE_CONFLICT); /* delivered */
	assert_int_equal(STORE_CALL(fx->st, statement_get, c1, s2.id, &got), 0);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.delivered, 1);
	assert_string_equal(got.delivered_at, "2024-05-01T11:00:00Z");
	assert_blob(&got.parts_sealed, "sealed for two", 14);
	store_statement_free(&got);

	assert_int_equal(STORE_CALL(fx->st, statement_list, c1, a, 50, &rows, &n), 0);
	assert_int_equal(n, 2);
	store_statement_list_free(rows, n);
	assert_int_equal(STORE_CALL(fx->st, statement_list, c1, a, 1, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_statement_list_free(rows, n);
	assert_int_equal(STORE_CALL(fx->st, statement_list, c2, x, 50, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_null(rows);
}

static void test_statement_order(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct statement_row s, *rows = NULL;
	size_t n = 0;
	unsigned i;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);
	/* three in one second, one later: newest first, then insertion order */
	for (i = 0; i < 3; i++) {
		fill_statement(&s, c, a, 10 + i, "2024-05-01T10:00:00Z", "p");
		assert_int_equal(STORE_CALL(fx->st, statement_insert, &s), 0);
	}
	fill_statement(&s, c, a, 20, "2024-05-02T10:00:00Z", "p");
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s), 0);
	assert_int_equal(STORE_CALL(fx->st, statement_list, c, a, 50, &rows, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].id, s.id);
	make_id(s.id, T_STATEMENT, 12);
	assert_string_equal(rows[1].id, s.id);
	make_id(s.id, T_STATEMENT, 10);
	assert_string_equal(rows[3].id, s.id);
	store_statement_list_free(rows, n);
}

static int same_second_statement(struct store *st, const char *couple, const char *author,
				 unsigned n)
{
	struct statement_row s;

	fill_statement(&s, couple, author, n, "2024-05-01T10:00:00Z", "p");
	return STORE_CALL(st, statement_insert, &s);
}

/* Statements written at once in one second each take a place of their own in the order. */
static void test_statement_same_second_writers(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	same_second_run(fx, same_second_statement, c, a);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(*) FROM statements WHERE couple_id = ?1", c),
		SAME_SECOND_THREADS * SAME_SECOND_EACH);
	assert_int_equal(
		query_int(raw(fx),
			  "SELECT count(DISTINCT seq) FROM statements WHERE couple_id = ?1", c),
		SAME_SECOND_THREADS * SAME_SECOND_EACH);
}

/* ---- end of step 1 ------------------------------------------------------ */

/* ---- step 2: transparency and openness (migration 0003) ---------------- */

#define T_CHECKIN  201
#define T_SHARE	   202
#define T_ACK	   203
#define T_OFFER	   204
#define T_ACTIVITY 205

static void fill_checkin(struct checkin_row *row, const char *couple_id, const char *author_id,
			 unsigned n, const char *period, const char *content)
{
	memset(row, 0, sizeof(*row));
	make_id(row->id, T_CHECKIN, n);
	snprintf(row->couple_id, sizeof(row->couple_id), "%s", couple_id);
	snprintf(row->author_id, sizeof(row->author_id), "%s", author_id);
	snprintf(row->period, sizeof(row->period), "%s", period);
	strcpy(row->rhythm, "daily");
	row->shared_with = 1;
	row->version = 1;
	row->content_sealed = (struct blob){(unsigned char *)(uintptr_t)content, strlen(content)};
	strcpy(row->created_at, "2024-05-01T10:00:00Z");
	strcpy(row->updated_at, "2024-05-01T10:00:00Z");
}

static void test_step2_rhythm(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	struct couple_row got;

	add_couple(fx->st, 1, c);
	make_id(missing, T_COUPLE, 99);
	assert_int_equal(STORE_CALL(fx->st, couple_set_rhythm, c, "weekly"), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_get, c, &got), 0);
	assert_string_equal(got.rhythm, "weekly");
	assert_int_equal(STORE_CALL(fx->st, couple_set_rhythm, c, "monthly"), -EINVAL);
	assert_int_equal(STORE_CALL(fx->st, couple_set_rhythm, c, NULL), -EINVAL);
	assert_int_equal(STORE_CALL(fx->st, couple_set_rhythm, missing, "daily"), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_get, c, &got), 0);
	assert_string_equal(got.rhythm, "weekly");
}

static void test_step2_checkins(void **state)
{
	struct fx *fx = *state;
	char c1[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct checkin_row row, got, *rows = NULL;
	size_t n = 0;

	add_couple(fx->st, 1, c1);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c1, 1, "alice", a);
	add_member(fx->st, c1, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);

	fill_checkin(&row, c1, a, 1, "2024-05-01", "sealed one");
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), 0);
	/* one per member and period, whatever the id */
	fill_checkin(&row, c1, a, 2, "2024-05-01", "again");
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), STORE_CONFLICT);
	fill_checkin(&row, c1, b, 3, "2024-05-01", "bob's");
	row.shared_with = 0;
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), 0);
	fill_checkin(&row, c1, a, 4, "2024-05-03", "later");
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), 0);
	/* an author from another couple */
	fill_checkin(&row, c1, x, 5, "2024-05-01", "x");
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), STORE_NOTFOUND);
	fill_checkin(&row, c1, a, 6, "2024-05-02", "x");
	row.shared_with = 4;
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), -EINVAL);

	make_id(row.id, T_CHECKIN, 3);
	assert_int_equal(STORE_CALL(fx->st, checkin_get, c1, row.id, &got), 0);
	assert_string_equal(got.author_id, b);
	assert_string_equal(got.period, "2024-05-01");
	assert_string_equal(got.rhythm, "daily");
	assert_int_equal(got.shared_with, 0);
	assert_blob(&got.content_sealed, "bob's", 5);
	store_checkin_free(&got);
	store_checkin_free(NULL);
	assert_int_equal(STORE_CALL(fx->st, checkin_get, c2, row.id, &got), STORE_NOTFOUND);

	/* newest period first, within the range only */
	assert_int_equal(
		STORE_CALL(fx->st, checkin_list, c1, "2024-05-01", "2024-05-31", 10, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].period, "2024-05-03");
	assert_string_equal(rows[1].period, "2024-05-01");
	store_checkin_list_free(rows, n);
	assert_int_equal(
		STORE_CALL(fx->st, checkin_list, c1, "2024-05-02", "2024-05-02", 10, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_null(rows);
	assert_int_equal(
		STORE_CALL(fx->st, checkin_list, c1, "2024-05-01", "2024-05-31", 1, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_checkin_list_free(rows, n);
	assert_int_equal(
		STORE_CALL(fx->st, checkin_list, c2, "2024-05-01", "2024-05-31", 10, &rows, &n), 0);
	assert_int_equal(n, 0);

	/* shared with the care team: either partner's, with the partner or not, oldest first */
	assert_int_equal(STORE_CALL(fx->st, checkins_care, c1, &rows, &n), 0);
	assert_int_equal(n, 0);
	fill_checkin(&row, c1, a, 7, "2024-05-04", "care");
	row.shared_with = 3;
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), 0);
	fill_checkin(&row, c1, b, 8, "2024-05-04", "care alone");
	row.shared_with = 2;
	assert_int_equal(STORE_CALL(fx->st, checkin_insert, &row), 0);
	assert_int_equal(STORE_CALL(fx->st, checkins_care, c1, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].author_id, a);
	assert_int_equal(rows[0].shared_with, 3);
	assert_blob(&rows[0].content_sealed, "care", 4);
	assert_string_equal(rows[1].author_id, b);
	assert_int_equal(rows[1].shared_with, 2);
	store_checkin_list_free(rows, n);
	assert_int_equal(STORE_CALL(fx->st, checkins_care, c2, &rows, &n), 0);
	assert_int_equal(n, 0);

	/* optimistic update by the author only */
	fill_checkin(&row, c1, a, 1, "2024-05-01", "changed");
	row.version = 2;
	row.shared_with = 0;
	strcpy(row.updated_at, "2024-05-01T11:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, checkin_update, &row), 0);
	assert_int_equal(STORE_CALL(fx->st, checkin_update, &row), STORE_CONFLICT);
	row.version = 3;
	strcpy(row.author_id, b);
	assert_int_equal(STORE_CALL(fx->st, checkin_update, &row), STORE_NOTFOUND);
	strcpy(row.author_id, a);
	strcpy(row.couple_id, c2);
	assert_int_equal(STORE_CALL(fx->st, checkin_update, &row), STORE_NOTFOUND);
	make_id(row.id, T_CHECKIN, 1);
	assert_int_equal(STORE_CALL(fx->st, checkin_get, c1, row.id, &got), 0);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.shared_with, 0);
	assert_blob(&got.content_sealed, "changed", 7);
	assert_string_equal(got.updated_at, "2024-05-01T11:00:00Z");
	store_checkin_free(&got);

	/* the author's check-ins go with them */
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), 0);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(*) FROM checkins WHERE author_id = ?1", a), 0);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(*) FROM checkins WHERE author_id = ?1", b), 2);
}

/* ---- items of the registry's kinds (migration 0005) --------------------- */

#define T_ITEM 61

static void fill_item(struct item_row *it, const char *couple_id, const char *kind, unsigned n,
		      const char *author_id, const char *sort, const char *content)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->couple_id, sizeof(it->couple_id), "%s", couple_id);
	snprintf(it->kind, sizeof(it->kind), "%s", kind);
	make_id(it->id, T_ITEM, n);
	snprintf(it->author_id, sizeof(it->author_id), "%s", author_id);
	it->shared_with = 1;
	it->version = 1;
	snprintf(it->sort, sizeof(it->sort), "%s", sort);
	snprintf(it->plain, sizeof(it->plain), "p%u", n);
	it->sealed = (struct blob){(unsigned char *)(uintptr_t)content, strlen(content)};
	strcpy(it->created_at, "2024-05-01T10:00:00Z");
	strcpy(it->updated_at, "2024-05-01T10:00:00Z");
}

static void answer_of(struct item_row *it, const char *parent_kind, unsigned parent_n)
{
	snprintf(it->parent_kind, sizeof(it->parent_kind), "%s", parent_kind);
	make_id(it->parent_id, T_ITEM, parent_n);
}

static void assert_ids(const struct item_row *rows, size_t n, const unsigned *want, size_t nwant)
{
	char id[STORE_ID_LEN + 1];

	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++) {
		make_id(id, T_ITEM, want[i]);
		assert_string_equal(rows[i].id, id);
	}
}

/*
 * read_begin(): the reads that follow see one snapshot, a write of another
 * handle meanwhile included; the handle's own first write ends it, and a
 * transaction of its own can still begin.
 */
static void test_read_snapshot(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], err[128];
	struct store *other = NULL;
	struct item_row it, got;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(fx->st->ops->reopen(fx->st, &other, err, sizeof(err)), 0);
	fill_item(&it, c, "card", 1, a, "2024-05-01", "one");
	assert_int_equal(STORE_CALL(other, item_insert, &it), 0);

	assert_int_equal(fx->st->ops->read_begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), 0);
	store_item_free(&got);
	fill_item(&it, c, "card", 2, a, "2024-05-02", "two");
	assert_int_equal(STORE_CALL(other, item_insert, &it), 0);
	/* the snapshot began before the second card */
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), STORE_NOTFOUND);
	/* a write of its own ends the snapshot first, and is kept */
	fill_item(&it, c, "card", 3, a, "2024-05-03", "three");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 2, a, "2024-05-02", "two");
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), 0);
	store_item_free(&got);
	fx->st->ops->read_end(fx->st); /* nothing left to end */

	/* a transaction of its own begins inside one, which it ends */
	assert_int_equal(fx->st->ops->read_begin(fx->st), 0);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	fx->st->ops->read_end(fx->st);
	fill_item(&it, c, "card", 3, a, "2024-05-03", "three");
	assert_int_equal(STORE_CALL(other, item_get, c, "card", it.id, &got), 0);
	store_item_free(&got);
	store_close(other);
}

static void test_items(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct item_query q = {0};
	struct item_row it, got, *rows = NULL;
	size_t n = 0;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);

	/* sort first, then insertion order: 3 and 2 share a sort key */
	fill_item(&it, c, "card", 1, a, "2024-05-01", "one");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 2, b, "2024-05-03", "two");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 3, a, "2024-05-03", "three");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	/* the same id again, or an author of another couple: refused */
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), STORE_CONFLICT);
	fill_item(&it, c, "card", 4, x, "2024-05-03", "four");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), STORE_NOTFOUND);
	/* another kind with the same id is another item */
	fill_item(&it, c, "note", 3, a, "", "other kind");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);

	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), 0);
	assert_string_equal(got.author_id, a);
	assert_string_equal(got.plain, "p3");
	assert_int_equal(got.legacy, 0);
	assert_string_equal(got.once, "");
	assert_blob(&got.sealed, "three", 5);
	store_item_free(&got);
	assert_int_equal(STORE_CALL(fx->st, item_get, c2, "card", it.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "other", it.id, &got), STORE_NOTFOUND);

	q.couple_id = c;
	q.kind = "card";
	q.limit = 10;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_ids(rows, n, (const unsigned[]){3, 2, 1}, 3);
	store_item_list_free(rows, n);
	q.author_id = a;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_ids(rows, n, (const unsigned[]){3, 1}, 2);
	store_item_list_free(rows, n);
	q.author_id = NULL;
	q.limit = 2;
	q.oldest_first = 1;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_ids(rows, n, (const unsigned[]){2, 3}, 2);
	store_item_list_free(rows, n);
	q.couple_id = c2;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_null(rows);

	/* answers: only to an item of the couple; at most one per once key */
	fill_item(&it, c, "reply", 10, b, "", "");
	answer_of(&it, "card", 1);
	strcpy(it.once, it.parent_id);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "reply", 11, b, "", "again");
	answer_of(&it, "card", 1);
	strcpy(it.once, it.parent_id);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), STORE_CONFLICT);
	answer_of(&it, "card", 3);
	strcpy(it.once, it.parent_id);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "reply", 12, b, "", "to nothing");
	answer_of(&it, "card", 99);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), STORE_NOTFOUND);
	fill_item(&it, c2, "reply", 13, x, "", "across couples");
	answer_of(&it, "card", 2);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), STORE_NOTFOUND);

	/* the answers to one item, and to the newest two cards (3 and 2) */
	memset(&q, 0, sizeof(q));
	q.couple_id = c;
	q.kind = "reply";
	q.parent_kind = "card";
	make_id(got.id, T_ITEM, 1);
	q.parent_id = got.id;
	q.limit = 5;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_ids(rows, n, (const unsigned[]){10}, 1);
	assert_int_equal(rows[0].sealed.len, 0);
	assert_string_equal(rows[0].once, rows[0].parent_id);
	store_item_list_free(rows, n);
	q.of_newest = "card";
	q.limit = 2;
	q.answer_limit = 10;
	assert_int_equal(STORE_CALL(fx->st, item_list, &q, &rows, &n), 0);
	assert_ids(rows, n, (const unsigned[]){11}, 1);
	store_item_list_free(rows, n);

	/* a change must name the version and plain values it read */
	fill_item(&it, c, "card", 2, b, "2024-05-04", "two, changed");
	it.version = 2;
	strcpy(it.plain, "changed");
	assert_int_equal(STORE_CALL(fx->st, item_update, &it, 7, "p2"), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, item_update, &it, 1, "p9"), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, item_update, &it, 1, "p2"), 0);
	assert_int_equal(STORE_CALL(fx->st, item_update, &it, 1, "p2"), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), 0);
	assert_int_equal(got.version, 2);
	assert_string_equal(got.plain, "changed");
	assert_string_equal(got.sort, "2024-05-04");
	assert_blob(&got.sealed, "two, changed", 12);
	store_item_free(&got);
	strcpy(it.couple_id, c2);
	assert_int_equal(STORE_CALL(fx->st, item_update, &it, 2, "changed"), STORE_NOTFOUND);

	/* deleting an item takes its answers with it */
	make_id(got.id, T_ITEM, 3);
	assert_int_equal(STORE_CALL(fx->st, item_delete, c2, "card", got.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, item_delete, c, "card", got.id), 0);
	assert_int_equal(STORE_CALL(fx->st, item_delete, c, "card", got.id), STORE_NOTFOUND);
	assert_int_equal(
		query_int(raw(fx), "SELECT count(*) FROM items WHERE kind = 'reply'", NULL), 1);
}

static void test_items_cascade(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	struct statement_row s;
	struct item_row it;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	fill_statement(&s, c, a, 1, "2024-05-01T10:00:00Z", "p");
	assert_int_equal(STORE_CALL(fx->st, statement_insert, &s), 0);
	/* bob answers alice's statement and alice's card; bob's own card stays */
	fill_item(&it, c, "statement_response", 1, b, "", "r");
	snprintf(it.parent_kind, sizeof(it.parent_kind), "statement");
	memcpy(it.parent_id, s.id, sizeof(it.parent_id));
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 2, a, "", "alice's");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "reply", 3, b, "", "bob's answer");
	answer_of(&it, "card", 2);
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 4, b, "", "bob's");
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);

	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM statements", NULL), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM items", NULL), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM items WHERE author_id = ?1", b), 1);
	assert_int_equal(STORE_CALL(fx->st, couple_delete, c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM items", NULL), 0);
}

/* Runs sql on db, failing the test on an error. */
static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err ? err : "sqlite3_exec");
}

/*
 * A file of schema 4 with a row of every table 0005 moves: opening it
 * moves each into items as it was (the same sealed bytes, legacy), in the
 * order the old tables listed them, and drops the old tables.
 */
static void test_items_migration(void **state)
{
	struct fx *fx = *state;
	char path[160], err[128];
	struct item_query q = {0};
	struct item_row got, *rows = NULL;
	struct store *st = NULL;
	sqlite3 *db = NULL;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s/old.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA foreign_keys = ON");
	for (i = 0; i < store_sqlite_migrations_n && store_sqlite_migrations[i].version <= 4; i++)
		exec_ok(db, store_sqlite_migrations[i].sql);
	exec_ok(db,
		"INSERT INTO couples (id, created_at) VALUES ('c', '2024-05-01T10:00:00Z');"
		"INSERT INTO members (id, couple_id, login, role, display_name, language, pw_hash,"
		" kek_salt, mk_by_pw, rk_salt, mk_by_rk, public_key, secret_key_sealed, created_at)"
		" VALUES ('a', 'c', 'alice', 'partner', 'A', 'en', 'h', x'00', x'00', x'00', x'00',"
		" x'00', x'00', '2024-05-01T10:00:00Z'),"
		" ('b', 'c', 'bob', 'partner', 'B', 'en', 'h', x'00', x'00', x'00', x'00', x'00',"
		" x'00', '2024-05-01T10:00:00Z');"
		"INSERT INTO offers VALUES ('00000000000000000000000000000001', 'c', 'a', 1,"
		" x'6f31', '2024-06-01', '2024-05-01T10:00:00Z', NULL, 1),"
		" ('00000000000000000000000000000002', 'c', 'a', 1, x'6f32', '2024-06-02',"
		" '2024-05-01T10:00:00Z', '2024-05-02T10:00:00Z', 2);"
		"INSERT INTO shares VALUES ('00000000000000000000000000000003', 'c', 'a', 3, 1,"
		" x'73', '2024-05-01T10:00:00Z', 1);"
		"INSERT INTO share_acks VALUES ('00000000000000000000000000000004',"
		" '00000000000000000000000000000003', 'c', 'b', NULL, '2024-05-01T11:00:00Z');"
		"INSERT INTO commitments VALUES ('00000000000000000000000000000005', 'c', 'a', 2,"
		" x'63', 14, '2024-05-01T10:00:00Z', 1);"
		"INSERT INTO commitment_reviews VALUES ('00000000000000000000000000000006', 'c', "
		"'a',"
		" '00000000000000000000000000000005', x'72', '2024-05-03T10:00:00Z', 1);"
		"INSERT INTO activities VALUES ('00000000000000000000000000000007', 'c', 'b',"
		" 'hobby', 1, x'74', '2024-05-09', '2024-05-09T18:00:00Z', 'a',"
		" '2024-05-01T10:00:00Z', 1);"
		"INSERT INTO activity_feelings VALUES ('00000000000000000000000000000007', 'c', "
		"'a',"
		" 3, x'66', '2024-05-09T19:00:00Z');"
		"INSERT INTO statements VALUES ('00000000000000000000000000000008', 'c', 'a', 2, 1,"
		" x'70', '2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z', "
		"1);"
		"INSERT INTO statement_responses VALUES ('00000000000000000000000000000009', 'c',"
		" '00000000000000000000000000000008', 'b', x'62', '2024-05-02T10:00:00Z', 1);");
	sqlite3_close(db);

	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	db = store_sqlite_db(st);
	/* migrated through 0005 and on to the newest */
	assert_int_equal(query_int(db, "PRAGMA user_version", NULL),
			 store_sqlite_migrations[store_sqlite_migrations_n - 1].version);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM sqlite_schema WHERE name IN ('offers',"
				   " 'shares', 'share_acks', 'commitments', 'commitment_reviews',"
				   " 'activities', 'activity_feelings', 'statement_responses')",
				   NULL),
			 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM items WHERE legacy = 1", NULL), 9);

	/* offers: newest first, as the old seq said; plain "until|ended_at" */
	q.couple_id = "c";
	q.kind = "offer";
	q.limit = 10;
	assert_int_equal(STORE_CALL(st, item_list, &q, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].id, "00000000000000000000000000000002");
	assert_string_equal(rows[0].plain, "2024-06-02|2024-05-02T10:00:00Z");
	assert_string_equal(rows[1].plain, "2024-06-01|");
	assert_blob(&rows[1].sealed, "o1", 2);
	assert_int_equal(rows[1].legacy, 1);
	store_item_list_free(rows, n);

	assert_int_equal(
		STORE_CALL(st, item_get, "c", "share", "00000000000000000000000000000003", &got),
		0);
	assert_int_equal(got.shared_with, 3);
	store_item_free(&got);
	assert_int_equal(STORE_CALL(st, item_get, "c", "share_ack",
				    "00000000000000000000000000000004", &got),
			 0);
	assert_string_equal(got.parent_id, "00000000000000000000000000000003");
	assert_string_equal(got.once, got.parent_id);
	assert_int_equal(got.sealed.len, 0); /* a NULL reply: no sealed content */
	store_item_free(&got);
	assert_int_equal(STORE_CALL(st, item_get, "c", "commitment",
				    "00000000000000000000000000000005", &got),
			 0);
	assert_int_equal(got.version, 2);
	assert_string_equal(got.plain, "14");
	assert_int_equal(got.shared_with, 0);
	store_item_free(&got);
	assert_int_equal(
		STORE_CALL(st, item_get, "c", "activity", "00000000000000000000000000000007", &got),
		0);
	assert_string_equal(got.plain, "hobby|2024-05-09|2024-05-09T18:00:00Z|a");
	assert_string_equal(got.sort, "2024-05-09");
	store_item_free(&got);

	/* a feeling gets an id of its own; answers keep their parent and author */
	memset(&q, 0, sizeof(q));
	q.couple_id = "c";
	q.kind = "activity_feeling";
	q.parent_kind = "activity";
	q.parent_id = "00000000000000000000000000000007";
	q.limit = 2;
	assert_int_equal(STORE_CALL(st, item_list, &q, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(rows[0].id), STORE_ID_LEN);
	assert_string_equal(rows[0].author_id, "a");
	assert_int_equal(rows[0].version, 3);
	assert_string_equal(rows[0].once, "00000000000000000000000000000007/a");
	store_item_list_free(rows, n);
	q.kind = "commitment_review";
	q.parent_kind = "commitment";
	q.parent_id = "00000000000000000000000000000005";
	assert_int_equal(STORE_CALL(st, item_list, &q, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].created_at, "2024-05-03T10:00:00Z");
	store_item_list_free(rows, n);
	q.kind = "statement_response";
	q.parent_kind = "statement";
	q.parent_id = "00000000000000000000000000000008";
	assert_int_equal(STORE_CALL(st, item_list, &q, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_blob(&rows[0].sealed, "b", 1);
	store_item_list_free(rows, n);
	store_close(st);
}

/* Browsers that signed in: a key is one member's; a member keeps their newest. */
static void test_devices(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], login[256];
	char now[STORE_TIME_LEN + 1];
	unsigned char key[STORE_THROTTLE_KEY_LEN];
	unsigned i;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	memset(key, 7, sizeof(key));
	assert_int_equal(STORE_CALL(fx->st, device_login, key, login, sizeof(login)),
			 STORE_NOTFOUND);
	/* touching a key that was never made finds nothing and makes nothing */
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(a), a, "2024-05-01T10:00:00Z", 0),
			 STORE_NOTFOUND);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices", NULL), 0);
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(a), a, "2024-05-01T10:00:00Z", 1),
			 0);
	assert_int_equal(STORE_CALL(fx->st, device_login, key, login, sizeof(login)), 0);
	assert_string_equal(login, "alice");
	/* another member can neither take the key nor touch it */
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(b), b, "2024-05-01T10:00:01Z", 1),
			 STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(b), b, "2024-05-01T10:00:01Z", 0),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(a), a, "2024-05-02T10:00:00Z", 0),
			 0);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM devices WHERE used_at = "
				   "'2024-05-02T10:00:00Z'",
				   NULL),
			 1);
	/* alice signs in from STORE_DEVICES_MAX more browsers: the oldest (key 7) goes */
	for (i = 0; i < STORE_DEVICES_MAX; i++) {
		memset(key, 100 + (int)i, sizeof(key));
		snprintf(now, sizeof(now), "2024-06-01T10:00:%02uZ", i);
		assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(a), a, now, 1), 0);
	}
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", a),
			 STORE_DEVICES_MAX);
	memset(key, 7, sizeof(key));
	assert_int_equal(STORE_CALL(fx->st, device_login, key, login, sizeof(login)),
			 STORE_NOTFOUND);
	/* forgetting all of alice's but one: bob's stay */
	memset(key, 9, sizeof(key));
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(b), b, "2024-06-02T10:00:00Z", 1),
			 0);
	memset(key, 100, sizeof(key));
	assert_int_equal(STORE_CALL(fx->st, device_forget, CP(a), a, key), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", a), 1);
	assert_int_equal(STORE_CALL(fx->st, device_login, key, login, sizeof(login)), 0);
	assert_int_equal(STORE_CALL(fx->st, device_forget, CP(a), a, NULL), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", a), 0);
	assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(a), a, "2024-06-03T10:00:00Z", 1),
			 0);
	/* bob's own device is his; the rows go with their member */
	memset(key, 9, sizeof(key));
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(a), a), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices", NULL), 1);
	assert_int_equal(STORE_CALL(fx->st, device_login, key, login, sizeof(login)), 0);
	assert_string_equal(login, "bob");
}

/* An audit row of member m at at, from browser, started by session (both may be ""). */
static int audit_add(struct store *st, const char *c, const char *m, const char *event,
		     const char *at, const char *browser, const char *session)
{
	struct audit_row a;

	memset(&a, 0, sizeof(a));
	snprintf(a.couple_id, sizeof(a.couple_id), "%s", c);
	snprintf(a.member_id, sizeof(a.member_id), "%s", m);
	snprintf(a.event, sizeof(a.event), "%s", event);
	snprintf(a.at, sizeof(a.at), "%s", at);
	snprintf(a.browser, sizeof(a.browser), "%s", browser);
	snprintf(a.session_id, sizeof(a.session_id), "%s", session);
	return STORE_CALL(st, audit_add, &a);
}

/*
 * The history (migration 0011): a member's events of the kinds asked for,
 * newest first, theirs only; bounded per event and in time, so that a flood
 * of failed sign-ins neither grows the table nor pushes a new device out.
 */
static void test_audit_history(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char sid[STORE_ID_LEN + 1], at[STORE_TIME_LEN + 1];
	struct audit_row *rows = NULL;
	size_t n = 0;
	unsigned i;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	make_id(sid, T_SESSION, 1);
	assert_int_equal(
		audit_add(fx->st, c, a, "signin", "2024-05-01T10:00:00Z", "Firefox/Android", sid),
		0);
	assert_int_equal(audit_add(fx->st, c, a, "new_device", "2024-05-01T10:00:00Z",
				   "Firefox/Android", sid),
			 0);
	assert_int_equal(audit_add(fx->st, c, b, "signin", "2024-05-01T10:00:01Z", "", ""), 0);
	assert_int_equal(
		STORE_CALL(fx->st, audit_append, c, a, "invite_created", "2024-05-01T10:00:02Z"),
		0);
	assert_int_equal(
		STORE_CALL(fx->st, audit_list, CP(a), a, "signin,new_device", 0, "", 10, &rows, &n),
		0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].event, "new_device");
	assert_string_equal(rows[0].browser, "Firefox/Android");
	assert_string_equal(rows[0].session_id, sid);
	assert_string_equal(rows[1].event, "signin");
	assert_true(rows[0].id > rows[1].id);
	/* after_id and since narrow it down */
	{
		int64_t newest = rows[0].id;

		free(rows);
		rows = NULL;
		assert_int_equal(STORE_CALL(fx->st, audit_list, CP(a), a, "signin,new_device",
					    newest - 1, "", 10, &rows, &n),
				 0);
		assert_int_equal(n, 1);
		free(rows);
		rows = NULL;
		assert_int_equal(STORE_CALL(fx->st, audit_list, CP(a), a, "signin", 0,
					    "2024-05-01T10:00:01Z", 10, &rows, &n),
				 0);
		assert_int_equal(n, 0);
		assert_null(rows);
	}
	/* bob's only */
	assert_int_equal(
		STORE_CALL(fx->st, audit_list, CP(b), b, "signin,new_device", 0, "", 10, &rows, &n),
		0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].browser, "");
	free(rows);
	rows = NULL;

	/* a flood of failures keeps the newest STORE_AUDIT_KEEP of them, and the new device */
	for (i = 0; i < STORE_AUDIT_KEEP + 20; i++) {
		snprintf(at, sizeof(at), "2024-05-02T10:%02u:%02uZ", i / 60, i % 60);
		assert_int_equal(audit_add(fx->st, c, a, "signin_failed", at, "", ""), 0);
	}
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM audit_log WHERE member_id = ?1 "
				   "AND event = 'signin_failed'",
				   a),
			 STORE_AUDIT_KEEP);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM audit_log WHERE member_id = ?1 "
				   "AND event = 'signin_failed' AND at < '2024-05-02T10:00:20Z'",
				   a),
			 0);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM audit_log WHERE member_id = ?1 "
				   "AND event = 'new_device'",
				   a),
			 1);
	/* STORE_AUDIT_DAYS later, everything of alice's before goes; bob's stays */
	assert_int_equal(audit_add(fx->st, c, a, "signin", "2024-08-01T10:00:00Z", "", ""), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE member_id = ?1", a),
			 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE member_id = ?1", b),
			 1);
	/* a deleted member's trail goes with them: no row holds anything of theirs */
	assert_int_equal(
		audit_add(fx->st, c, b, "signin", "2024-05-03T10:00:00Z", "Safari/iPhone", sid), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(b), b), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE member_id = ?1", b),
			 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE member_id = ?1", a),
			 1);
}

/* The devices page's sessions: the member's own, newest first; ending one, or the others. */
static void test_session_list_and_end(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char sid[4][STORE_ID_LEN + 1];
	unsigned char key[STORE_THROTTLE_KEY_LEN];
	struct session_row s;
	struct session_brief *rows = NULL;
	size_t n = 0;
	int64_t seen = -1;
	unsigned i;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	for (i = 0; i < 4; i++) {
		fill_session(&s, c, i < 3 ? a : b, i);
		snprintf(s.created_at, sizeof(s.created_at), "2024-05-01T10:00:0%uZ", i);
		snprintf(s.browser, sizeof(s.browser), "%s", i == 1 ? "Chrome/Windows" : "");
		assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
		memcpy(sid[i], s.id, sizeof(s.id));
		/* each session's browser has a device row that knows it */
		memset(key, 40 + (int)i, sizeof(key));
		assert_int_equal(STORE_CALL(fx->st, device_put, key, CP(i < 3 ? a : b),
					    i < 3 ? a : b, s.created_at, 1),
				 0);
		assert_int_equal(STORE_CALL(fx->st, device_set_session, key, CP(i < 3 ? a : b),
					    i < 3 ? a : b, sid[i]),
				 0);
	}
	/* a device of another member is not the member's to mark */
	assert_int_equal(STORE_CALL(fx->st, device_set_session, key, CP(a), a, sid[0]),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_list, CP(a), a, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].id, sid[2]);
	assert_string_equal(rows[1].id, sid[1]);
	assert_string_equal(rows[1].browser, "Chrome/Windows");
	assert_string_equal(rows[2].expires_at, "2024-05-15T10:00:00Z");
	free(rows);
	rows = NULL;
	{
		struct session_row got;

		assert_int_equal(STORE_CALL(fx->st, session_get, sid[1], &got), 0);
		assert_string_equal(got.browser, "Chrome/Windows");
		store_session_free(&got);
	}
	/* bob cannot end alice's session; alice ends one, and its browser's standing goes */
	assert_int_equal(STORE_CALL(fx->st, session_end_own, CP(b), b, sid[1]), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_end_own, CP(a), a, sid[1]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_end_own, CP(a), a, sid[1]), STORE_NOTFOUND);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", a), 2);
	/* the others: alice keeps sid[2] and its browser; bob keeps his */
	assert_int_equal(STORE_CALL(fx->st, session_end_others, CP(a), a, sid[2]), 0);
	assert_int_equal(STORE_CALL(fx->st, session_list, CP(a), a, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, sid[2]);
	free(rows);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", a), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE member_id = ?1", b), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sessions WHERE member_id = ?1", b), 1);

	/* the dismissed notice mark only moves forward */
	assert_int_equal(STORE_CALL(fx->st, notice_seen_get, CP(a), a, &seen), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_set, CP(a), a, 7), 0);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_set, CP(a), a, 3), 0);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_get, CP(a), a, &seen), 0);
	assert_int_equal(seen, 7);
	make_id(sid[0], T_SESSION, 404);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_set, CP(sid[0]), sid[0], 1),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_get, CP(sid[0]), sid[0], &seen),
			 STORE_NOTFOUND);
}

/* A member's TOTP: pending until activated, steps only forward, codes used once. */
static void test_second_factor(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	unsigned char hashes[3 * STORE_CODE_HASH_LEN];
	struct totp_row t;
	size_t n = 99;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	memset(&t, 0, sizeof(t));
	memset(hashes, 1, STORE_CODE_HASH_LEN);
	memset(hashes + STORE_CODE_HASH_LEN, 2, STORE_CODE_HASH_LEN);
	memset(hashes + 2 * STORE_CODE_HASH_LEN, 3, STORE_CODE_HASH_LEN);
	assert_int_equal(STORE_CALL(fx->st, totp_get, CP(a), a, &t), STORE_NOTFOUND);
	/* nothing pending: nothing to activate, no step to use */
	assert_int_equal(STORE_CALL(fx->st, totp_activate, CP(a), a, 5, hashes, 3), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 5), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, totp_put, CP(a), a, (const unsigned char *)"one", 3,
				    "2024-05-01T10:00:00Z"),
			 0);
	/* a second set-up replaces the pending secret */
	assert_int_equal(STORE_CALL(fx->st, totp_put, CP(a), a, (const unsigned char *)"two", 3,
				    "2024-05-01T10:00:01Z"),
			 0);
	assert_int_equal(STORE_CALL(fx->st, totp_get, CP(a), a, &t), 0);
	assert_blob(&t.secret_sealed, "two", 3);
	assert_int_equal(t.active, 0);
	store_totp_free(&t);
	/* pending: a code's step is not taken yet */
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 5), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, totp_activate, CP(a), a, 5, hashes, 3), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_activate, CP(a), a, 6, hashes, 3), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_get, CP(a), a, &t), 0);
	assert_int_equal(t.active, 1);
	assert_int_equal(t.last_step, 5);
	store_totp_free(&t);
	/* active: no set-up over it */
	assert_int_equal(STORE_CALL(fx->st, totp_put, CP(a), a, (const unsigned char *)"new", 3,
				    "2024-05-01T10:00:02Z"),
			 STORE_CONFLICT);
	/* the step of the confirming code, and any before it, are spent */
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 5), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 4), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 6), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_use_step, CP(a), a, 6), STORE_CONFLICT);
	/* recovery codes: each once, only the member's own */
	assert_int_equal(STORE_CALL(fx->st, recovery_code_count, CP(a), a, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_use, CP(b), b, hashes), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_use, CP(a), a, hashes), 0);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_use, CP(a), a, hashes), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_count, CP(a), a, &n), 0);
	assert_int_equal(n, 2);
	/* turning it off takes the codes too */
	assert_int_equal(STORE_CALL(fx->st, totp_delete, CP(a), a), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_delete, CP(a), a), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_count, CP(a), a, &n), 0);
	assert_int_equal(n, 0);
	/* and both go with the member */
	assert_int_equal(STORE_CALL(fx->st, totp_put, CP(b), b, (const unsigned char *)"bob", 3,
				    "2024-05-01T10:00:03Z"),
			 0);
	assert_int_equal(STORE_CALL(fx->st, totp_activate, CP(b), b, 1, hashes, 3), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, CP(b), b), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM totp", NULL), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM recovery_codes", NULL), 0);
}

/* A new master key (issue 11 part 4): a member's rows sealed again in place. */
static void test_master_key_ops(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	unsigned char one[] = "old key one", two[] = "old key two", new1[] = "sealed again";
	struct blob b1 = {one, sizeof(one)}, b2 = {two, sizeof(two)}, nb = {new1, sizeof(new1)};
	struct blob *olds = NULL;
	int64_t *nums = NULL;
	struct totp_row t;
	size_t n = 0;
	sqlite3 *db = raw(fx);

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	memset(&t, 0, sizeof(t));
	/* the TOTP secret, pending or active, is replaced; none is NOTFOUND */
	assert_int_equal(STORE_CALL(fx->st, totp_reseal, CP(a), a, &nb), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_put, CP(a), a, (const unsigned char *)"one", 3,
				    "2024-05-01T10:00:00Z"),
			 0);
	assert_int_equal(STORE_CALL(fx->st, totp_reseal, CP(a), a, &nb), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_get, CP(a), a, &t), 0);
	assert_blob(&t.secret_sealed, new1, sizeof(new1));
	store_totp_free(&t);
	/* old couple keys: one replaced by its number; those of another couple go */
	assert_int_equal(STORE_CALL(fx->st, old_key_add, a, c, &b1, "2024-05-01T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, old_key_add, a, c, &b2, "2024-05-01T10:00:01Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, old_key_add, a, c2, &b1, "2024-05-01T10:00:02Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, old_key_set, a, c, 3, &nb), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, old_key_set, a, c, 1, &nb), 0);
	assert_int_equal(STORE_CALL(fx->st, old_keys_drop_others, a, c), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM old_couple_keys", NULL), 2);
	assert_int_equal(STORE_CALL(fx->st, old_keys_get, a, c, 10, &olds, &nums, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(nums[0], 2);
	assert_blob(&olds[0], two, sizeof(two));
	assert_int_equal(nums[1], 1);
	assert_blob(&olds[1], new1, sizeof(new1));
	store_blob_free(&olds[0]);
	store_blob_free(&olds[1]);
	free(olds);
	free(nums);
}

/* ---- both backends: ops the older tests above leave out ---- */

/* journal_each: the same rows as journal_list, handed on in place; a non-zero fn stops it. */
struct each_seen {
	char ids[4][STORE_ID_LEN + 1];
	size_t n, stop_at;
};

static int each_row(void *ctx, const struct journal_row *e)
{
	struct each_seen *seen = ctx;

	assert_true(seen->n < 4);
	assert_blob(&e->body_sealed, "sealed body bytes", 17);
	assert_null(e->prompt_sealed.data);
	snprintf(seen->ids[seen->n], sizeof(seen->ids[0]), "%s", e->id);
	seen->n++;
	return seen->n == seen->stop_at ? 42 : 0;
}

static void test_journal_each(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct journal_row *rows = NULL;
	struct each_seen seen = {0};
	size_t n = 0;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");
	add_entry(fx->st, c, a, 2, "2024-05-01T10:00:00Z");
	add_entry(fx->st, c, a, 3, "2024-05-02T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, journal_list, c, a, NULL, 10, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(STORE_CALL(fx->st, journal_each, c, a, NULL, 10, each_row, &seen), 0);
	assert_int_equal(seen.n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(seen.ids[i], rows[i].id);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(STORE_CALL(fx->st, journal_each, c, a, rows[0].id, 10, each_row, &seen),
			 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.ids[0], rows[1].id);
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 1;
	assert_int_equal(STORE_CALL(fx->st, journal_each, c, a, NULL, 10, each_row, &seen), 42);
	assert_int_equal(seen.n, 1);
	store_journal_list_free(rows, n);
}

/* items_of_author and items_care: oldest first (insertion order), one couple's only. */
static void test_items_of_author_and_care(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char x[STORE_ID_LEN + 1];
	struct item_row it, *rows = NULL;
	size_t n = 0;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	add_member(fx->st, c2, 3, "xavier", x);
	fill_item(&it, c, "card", 1, a, "2024-05-03", "one");
	it.shared_with = 2;
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "card", 2, b, "2024-05-02", "two");
	it.shared_with = 3;
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c, "note", 3, a, "2024-05-01", "three");
	it.shared_with = 1;
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	fill_item(&it, c2, "card", 4, x, "2024-05-01", "four");
	it.shared_with = 2;
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);

	assert_int_equal(STORE_CALL(fx->st, items_of_author, c, a, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_blob(&rows[0].sealed, "one", 3);
	assert_blob(&rows[1].sealed, "three", 5);
	store_item_list_free(rows, n);
	assert_int_equal(STORE_CALL(fx->st, items_of_author, c2, a, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_null(rows);

	assert_int_equal(STORE_CALL(fx->st, items_care, c, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_blob(&rows[0].sealed, "one", 3);
	assert_blob(&rows[1].sealed, "two", 3);
	store_item_list_free(rows, n);
}

/* The safety check: a first row once, then updates from the version read; the ledger likewise. */
static void test_safety_and_ledger(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct safety_row row = {0}, got;
	struct blob b = {(unsigned char *)"sealed one", 10}, lg;
	int64_t gen = 0;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", c);
	snprintf(row.member_id, sizeof(row.member_id), "%s", a);
	make_id(row.id, T_ITEM, 1);
	row.version = 1;
	row.sealed = b;
	assert_int_equal(STORE_CALL(fx->st, safety_get, c, a, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, safety_put, &row, 0), 0);
	assert_int_equal(STORE_CALL(fx->st, safety_put, &row, 0), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, safety_get, c, a, &got), 0);
	assert_string_equal(got.id, row.id);
	assert_int_equal(got.version, 1);
	assert_blob(&got.sealed, "sealed one", 10);
	store_safety_free(&got);
	row.version = 2;
	row.sealed = (struct blob){(unsigned char *)"sealed two", 10};
	assert_int_equal(STORE_CALL(fx->st, safety_put, &row, 5), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, safety_put, &row, 1), 0);
	assert_int_equal(STORE_CALL(fx->st, safety_get, c, a, &got), 0);
	assert_int_equal(got.version, 2);
	assert_blob(&got.sealed, "sealed two", 10);
	store_safety_free(&got);
	/* not the member's couple: nothing written */
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", c2);
	assert_int_equal(STORE_CALL(fx->st, safety_put, &row, 0), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, safety_get, c2, a, &got), STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, ledger_get, a, c, &lg, &gen), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, ledger_put, a, c, &b, 0), 0);
	assert_int_equal(STORE_CALL(fx->st, ledger_put, a, c, &b, 0), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, ledger_get, a, c, &lg, &gen), 0);
	assert_int_equal(gen, 1);
	assert_blob(&lg, "sealed one", 10);
	store_blob_free(&lg);
	assert_int_equal(STORE_CALL(fx->st, ledger_put, a, c, &row.sealed, 2), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, ledger_put, a, c, &row.sealed, 1), 0);
	assert_int_equal(STORE_CALL(fx->st, ledger_get, a, c, &lg, &gen), 0);
	assert_int_equal(gen, 2);
	assert_blob(&lg, "sealed two", 10);
	store_blob_free(&lg);
}

/* The care team's invites, key, wraps and end, as core/care.c uses them. */
static void test_care(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	struct care_invite_row inv = {0}, got, *list = NULL;
	struct member_standing standing;
	struct blob key = {(unsigned char *)"care key sealed", 15}, out;
	struct member_row t;
	size_t n = 9;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	fill_member(&t, c, 3, "therapist");
	strcpy(t.role, "therapist");
	assert_int_equal(STORE_CALL(fx->st, member_insert, &t), 0);

	make_id(inv.id, T_INVITE, 1);
	strcpy(inv.couple_id, c);
	strcpy(inv.proposed_by, a);
	strcpy(inv.status, "awaiting_partner");
	inv.note_sealed = (struct blob){(unsigned char *)"note", 4};
	strcpy(inv.created_at, "2024-05-01T10:00:00Z");
	strcpy(inv.updated_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, care_invite_insert, &inv), 0);
	assert_int_equal(STORE_CALL(fx->st, care_invite_insert, &inv), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, care_invite_get, c, inv.id, &got), 0);
	assert_string_equal(got.proposed_by, a);
	assert_string_equal(got.approved_by, "");
	assert_string_equal(got.status, "awaiting_partner");
	assert_blob(&got.note_sealed, "note", 4);
	store_blob_free(&got.note_sealed);
	assert_int_equal(STORE_CALL(fx->st, care_invite_get, c2, inv.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_invite_list, c, &list, &n), 0);
	assert_int_equal(n, 1);
	store_care_invite_list_free(list, n);

	assert_int_equal(STORE_CALL(fx->st, care_invite_move, c, inv.id, "awaiting_partner",
				    "approved", b, "2024-05-01T11:00:00Z"),
			 0);
	assert_int_equal(STORE_CALL(fx->st, care_invite_move, c, inv.id, "awaiting_partner",
				    "approved", b, "2024-05-01T11:00:00Z"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_invite_get, c, inv.id, &got), 0);
	assert_string_equal(got.approved_by, b);
	assert_string_equal(got.status, "approved");
	assert_string_equal(got.updated_at, "2024-05-01T11:00:00Z");
	store_blob_free(&got.note_sealed);
	assert_int_equal(
		STORE_CALL(fx->st, care_invites_cancel_approved, c, "2024-05-01T12:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, care_invite_get, c, inv.id, &got), 0);
	assert_string_equal(got.status, "cancelled");
	assert_string_equal(got.approved_by, b);
	store_blob_free(&got.note_sealed);
	list = NULL;
	assert_int_equal(STORE_CALL(fx->st, care_invite_list, c, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);

	assert_int_equal(STORE_CALL(fx->st, care_key_get, c, &out), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_key_put, c, &key, "2024-05-01T10:00:00Z"), 0);
	assert_int_equal(
		STORE_CALL(fx->st, care_key_put, c, &inv.note_sealed, "2024-05-02T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, care_key_get, c, &out), 0);
	assert_blob(&out, "note", 4);
	store_blob_free(&out);
	assert_int_equal(STORE_CALL(fx->st, care_key_delete, c), 0);
	assert_int_equal(STORE_CALL(fx->st, care_key_get, c, &out), STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, care_wrap_get, c, t.id, &out), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_wrap_put, c, t.id, &key), 0);
	assert_int_equal(STORE_CALL(fx->st, care_wrap_put, c2, t.id, &key), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_wrap_get, c, t.id, &out), 0);
	assert_blob(&out, "care key sealed", 15);
	store_blob_free(&out);
	assert_int_equal(STORE_CALL(fx->st, care_wrap_delete, c, t.id), 0);
	assert_int_equal(STORE_CALL(fx->st, care_wrap_get, c, t.id, &out), STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, care_end, c, a, "2024-05-03T10:00:00Z"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, care_end, c, t.id, "2024-05-03T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, care_end, c, t.id, "2024-05-03T10:00:00Z"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_standing, CP(t.id), t.id, &standing), 0);
	assert_int_equal(standing.care_ended, 1);
}

/* row_version reads a row's version now; rehome moves a row to another couple and author. */
static void test_row_version_and_rehome(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], x[STORE_ID_LEN + 1];
	struct blob fresh = {(unsigned char *)"sealed again", 12};
	struct journal_row e;
	struct item_row it, got;
	int64_t v = 0;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c2, 2, "xavier", x);
	fill_item(&it, c, "card", 1, a, "2024-05-01", "one");
	it.version = 7;
	assert_int_equal(STORE_CALL(fx->st, item_insert, &it), 0);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");

	assert_int_equal(STORE_CALL(fx->st, row_version, STORE_TABLE_ITEMS, c, it.id, &v), 0);
	assert_int_equal(v, 7);
	make_id(e.id, T_ENTRY, 1);
	assert_int_equal(STORE_CALL(fx->st, row_version, STORE_TABLE_JOURNAL, c, e.id, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(STORE_CALL(fx->st, row_version, STORE_TABLE_JOURNAL, c2, e.id, &v),
			 STORE_NOTFOUND);

	assert_int_equal(STORE_CALL(fx->st, rehome, STORE_TABLE_ITEMS, c, "card", it.id, c2, x,
				    &fresh, NULL),
			 0);
	assert_int_equal(STORE_CALL(fx->st, item_get, c, "card", it.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, item_get, c2, "card", it.id, &got), 0);
	assert_string_equal(got.author_id, x);
	assert_blob(&got.sealed, "sealed again", 12);
	store_item_free(&got);
	assert_int_equal(STORE_CALL(fx->st, rehome, STORE_TABLE_ITEMS, c, "card", it.id, c2, x,
				    &fresh, NULL),
			 STORE_NOTFOUND);

	assert_int_equal(
		STORE_CALL(fx->st, rehome, STORE_TABLE_JOURNAL, c, NULL, e.id, c2, x, &fresh, NULL),
		0);
	assert_int_equal(STORE_CALL(fx->st, journal_get, c2, x, e.id, &e), 0);
	assert_blob(&e.body_sealed, "sealed again", 12);
	assert_null(e.prompt_sealed.data);
	store_journal_free(&e);
	assert_int_equal(STORE_CALL(fx->st, row_version, STORE_TABLE_SAFETY + 1, c, it.id, &v),
			 -EINVAL);
}

static void fill_passkey(struct passkey_row *pk, unsigned n, const char *cred)
{
	static unsigned char point[65] = {4};
	static unsigned char name[5] = "named";

	memset(pk, 0, sizeof(*pk));
	make_id(pk->id, T_ITEM, n);
	pk->credential_id = (struct blob){(unsigned char *)(uintptr_t)cred, strlen(cred)};
	pk->public_key = (struct blob){point, sizeof(point)};
	pk->tag = (struct blob){hash32, sizeof(hash32)};
	pk->name_sealed = (struct blob){name, sizeof(name)};
	pk->sign_count = 5;
	strcpy(pk->created_at, "2024-05-01T10:00:00Z");
}

/*
 * Every op on a member's rows is scoped by the couple it is given (0018,
 * issue 17): another couple's id finds nothing and changes nothing, as a
 * row that is not there.
 */
static void test_couple_scoped(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], c2[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], x[STORE_ID_LEN + 1];
	struct member_standing standing;
	struct passkey_row pk, *pks = NULL;
	struct session_brief *briefs = NULL;
	struct session_row s1;
	struct member_row m;
	struct totp_row t;
	struct invite_row inv;
	char origin[64];
	int64_t seen = 0;
	size_t n = 9;

	add_couple(fx->st, 1, c);
	add_couple(fx->st, 2, c2);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c2, 2, "xavier", x);
	fill_session(&s1, c, a, 1);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s1), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_put, c, a, sealed, 20, "2024-05-01T10:00:00Z"), 0);
	fill_passkey(&pk, 1, "credential-one");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, c, a, &pk), 0);
	assert_int_equal(STORE_CALL(fx->st, device_put, hash32, c, a, "2024-05-01T10:00:00Z", 1),
			 0);

	/* alice asked for as if she were of couple 2 */
	assert_int_equal(STORE_CALL(fx->st, member_get, c2, a, &m), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_standing, c2, a, &standing), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, member_set_language, c2, a, "es"), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, notice_seen_get, c2, a, &seen), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_get, c2, a, &t), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_delete, c2, a), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, passkey_list, c2, a, &pks, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_delete, c2, a, pk.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, device_put, hash32, c2, a, "2024-05-02T10:00:00Z", 0),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_touch, c2, s1.id, "2024-05-02T10:00:00Z"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_delete, c2, s1.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_end_own, c2, a, s1.id), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, session_list, c2, a, &briefs, &n), 0);
	assert_int_equal(n, 0);
	free(briefs);
	assert_int_equal(STORE_CALL(fx->st, challenge_put, c2, a, hash32, "get", "https://x.test",
				    (int64_t)time(NULL) + 600),
			 STORE_NOTFOUND); /* the foreign key: alice is not of couple 2 */
	assert_int_equal(STORE_CALL(fx->st, member_delete, c2, a), STORE_NOTFOUND);
	memset(&inv, 0, sizeof(inv));
	make_id(inv.id, T_INVITE, 1);
	memcpy(inv.couple_id, c, sizeof(inv.couple_id));
	strcpy(inv.role, "partner");
	inv.secret_hash = (struct blob){hash32, 32};
	inv.ck_wrapped = (struct blob){sealed, 20};
	strcpy(inv.created_at, "2024-05-01T10:00:00Z");
	strcpy(inv.expires_at, "2024-05-08T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, invite_insert, &inv), 0);
	assert_int_equal(STORE_CALL(fx->st, invite_consume, c2, inv.id), STORE_NOTFOUND);
	/* a row that names another couple than its member's is refused (the foreign key) */
	assert_int_equal(STORE_CALL(fx->st, totp_put, c, x, sealed, 20, "2024-05-01T10:00:00Z"),
			 STORE_NOTFOUND);
	fill_passkey(&pk, 2, "credential-two");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, c, x, &pk), STORE_NOTFOUND);
	/* nor does her own one move to another couple */
	assert_int_equal(STORE_CALL(fx->st, totp_put, c2, a, sealed, 20, "2024-05-01T10:00:00Z"),
			 STORE_CONFLICT);

	/* nothing of hers changed; with her own couple it is all there */
	assert_int_equal(STORE_CALL(fx->st, member_get, c, a, &m), 0);
	assert_string_not_equal(m.language, "es");
	store_member_free(&m);
	assert_int_equal(STORE_CALL(fx->st, totp_get, c, a, &t), 0);
	store_totp_free(&t);
	assert_int_equal(STORE_CALL(fx->st, passkey_list, c, a, &pks, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pks[0].couple_id, c);
	store_passkey_list_free(pks, n);
	assert_int_equal(STORE_CALL(fx->st, session_touch, c, s1.id, "2024-05-02T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, invite_consume, c, inv.id), 0);
	assert_int_equal(
		STORE_CALL(fx->st, challenge_take, c, a, hash32, "get", 0, origin, sizeof(origin)),
		STORE_NOTFOUND);
}

#ifndef STORE_TEST_PG
/* A new file, path, made raw at schema version (each migration's SQL up to it), open. */
static sqlite3 *raw_at_version(struct fx *fx, int version, char *path, size_t len)
{
	sqlite3 *db = NULL;

	snprintf(path, len, "%s/at%d.db", fx->dir, version);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA foreign_keys = ON");
	for (size_t i = 0;
	     i < store_sqlite_migrations_n && store_sqlite_migrations[i].version <= version; i++)
		exec_ok(db, store_sqlite_migrations[i].sql);
	return db;
}
#endif

/* The rows of a member's own tables at schema 17, of two members of two couples. */
#ifdef STORE_TEST_PG
#define B(n) "decode(repeat('07', " #n "), 'hex')"
#else
#define B(n) "zeroblob(" #n ")"
#endif
#define B1  B(1) ", "
#define B3  B(3)
#define B4  B(4)
#define B5  B(5)
#define B32 B(32)
#define B65 B(65)
static const char rows_at_17[] =
	"INSERT INTO couples (id, created_at) VALUES ('c1', 't'), ('c2', 't');"
	"INSERT INTO members (id, couple_id, login, role, display_name, language, pw_hash, "
	"kek_salt, mk_by_pw, rk_salt, mk_by_rk, public_key, secret_key_sealed, created_at) "
	"VALUES ('a', 'c1', 'alice', 'partner', 'A', 'en', 'h', " B1 B1 B1 B1 B1 B1 "'t'), "
	"('x', 'c2', 'xavier', 'partner', 'X', 'en', 'h', " B1 B1 B1 B1 B1 B1 "'t');"
	"INSERT INTO devices (key, member_id, created_at, used_at) "
	"VALUES (" B32 ", 'a', 't', 't');"
	"INSERT INTO totp (member_id, secret_sealed, created_at) VALUES ('x', " B3 ", 't');"
	"INSERT INTO recovery_codes (member_id, hash) VALUES ('x', " B32 ");"
	"INSERT INTO passkeys (id, member_id, credential_id, public_key, tag, name_sealed, "
	"created_at) VALUES ('p1', 'a', " B4 ", " B65 ", " B32 ", " B3 ", 't1'), "
	"('p2', 'a', " B5 ", " B65 ", " B32 ", " B3 ", 't1');"
	"INSERT INTO passkey_challenges (member_id, hash, purpose, origin, expires_at) "
	"VALUES ('a', " B32 ", 'get', 'o', 9999999999);";
#undef B65
#undef B32
#undef B5
#undef B4
#undef B3
#undef B1
#undef B

/*
 * 0018 on a database of schema 17 with rows: each member-level row gets its
 * member's couple, the ops find them with it (and not without), the order
 * of a member's passkeys (insertion) is kept.
 */
static void test_couple_id_migration(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	struct passkey_row *pks = NULL;
	struct totp_row t;
	char err[128];
	size_t n = 0;
#ifdef STORE_TEST_PG
	const char *url = getenv("KINTSUGI_PG_URL");
	PGresult *res;

	res = PQexec(fx->pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
			     "CREATE TABLE kintsugi_schema (version BIGINT NOT NULL); "
			     "INSERT INTO kintsugi_schema VALUES (0)");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	assert_int_equal(store_pg_migrations[0].version, 17);
	res = PQexec(fx->pg, store_pg_migrations[0].sql);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexec(fx->pg, rows_at_17);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s", PQerrorMessage(fx->pg));
	PQclear(res);
	assert_int_equal(store_pg_open(url, &st, err, sizeof(err)), 0);
#define db NULL
#else
	char path[160];
	sqlite3 *db = NULL;

	db = raw_at_version(fx, 17, path, sizeof(path));
	exec_ok(db, rows_at_17);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	db = store_sqlite_db(st);
	assert_int_equal(query_int(db, "PRAGMA user_version", NULL), 19);
	assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);
#endif
	assert_int_equal(query_int(db, "SELECT count(*) FROM devices WHERE couple_id = 'c1'", NULL),
			 1);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM passkeys WHERE couple_id = 'c1'", NULL), 2);
	assert_int_equal(query_int(db,
				   "SELECT count(*) FROM passkey_challenges WHERE couple_id = 'c1'",
				   NULL),
			 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM totp WHERE couple_id = 'c2'", NULL),
			 1);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM recovery_codes WHERE couple_id = 'c2'", NULL),
		1);
	assert_int_equal(STORE_CALL(st, totp_get, "c2", "x", &t), 0);
	store_totp_free(&t);
	assert_int_equal(STORE_CALL(st, totp_get, "c1", "x", &t), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(st, recovery_code_count, "c2", "x", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(STORE_CALL(st, passkey_list, "c1", "a", &pks, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(pks[0].id, "p1"); /* created at the same time: insertion order */
	assert_string_equal(pks[1].id, "p2");
	store_passkey_list_free(pks, n);
	/* a row whose couple is not its member's cannot be made */
#ifdef STORE_TEST_PG
	res = PQexec(fx->pg, "UPDATE devices SET couple_id = 'c2'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
#undef db
#else
	assert_int_not_equal(
		sqlite3_exec(db, "UPDATE devices SET couple_id = 'c2'", NULL, NULL, NULL),
		SQLITE_OK);
#endif
	store_close(st);
}

#ifndef STORE_TEST_PG
/*
 * 0019 on a database of schema 18 whose journal and check-ins were written
 * day by day by two couples in turn: every row is kept, as it was; the ops
 * find them in the same order; each member's rows now lie together in the
 * file (a scan without ORDER BY goes in the table's key order), the tables
 * have no rowid, and an id is still unique.
 */
static void test_clustered_migration(void **state)
{
	struct fx *fx = *state;
	struct journal_row *page = NULL, got;
	struct checkin_row *days = NULL;
	struct store *st = NULL;
	char path[160], err[128], sql[512], body[16];
	const char *who[2][2] = {{"c1", "a"}, {"c2", "x"}};
	sqlite3 *db, *live;
	sqlite3_stmt *scan = NULL;
	size_t n = 0;
	int changes = 0;
	char last[8] = "";

	db = raw_at_version(fx, 18, path, sizeof(path));
	exec_ok(db, "INSERT INTO couples (id, created_at) VALUES ('c1', 't'), ('c2', 't');"
		    "INSERT INTO members (id, couple_id, login, role, display_name, language, "
		    "pw_hash, kek_salt, mk_by_pw, rk_salt, mk_by_rk, public_key, "
		    "secret_key_sealed, created_at) VALUES "
		    "('a', 'c1', 'alice', 'partner', 'A', 'en', 'h', zeroblob(1), zeroblob(1), "
		    "zeroblob(1), zeroblob(1), zeroblob(1), zeroblob(1), 't'), "
		    "('x', 'c2', 'xavier', 'partner', 'X', 'en', 'h', zeroblob(1), zeroblob(1), "
		    "zeroblob(1), zeroblob(1), zeroblob(1), zeroblob(1), 't')");
	/* day by day, the two couples in turn: the order a busy instance writes in */
	for (int d = 1; d <= 20; d++)
		for (int k = 0; k < 2; k++) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO journal_entries (id, couple_id, author_id, version, "
				 "body_sealed, created_at, updated_at, seq) VALUES ('j%s%02d', "
				 "'%s', "
				 "'%s', 1, CAST('%s-%02d' AS BLOB), '2024-05-%02dT10:00:00Z', "
				 "'2024-05-%02dT10:00:00Z', 1);"
				 "INSERT INTO checkins (id, couple_id, author_id, period, rhythm, "
				 "shared_with, version, content_sealed, created_at, updated_at) "
				 "VALUES "
				 "('k%s%02d', '%s', '%s', '2024-05-%02d', 'daily', 1, 1, "
				 "zeroblob(4), "
				 "'t', 't')",
				 who[k][1], d, who[k][0], who[k][1], who[k][1], d, d, d, who[k][1],
				 d, who[k][0], who[k][1], d);
			exec_ok(db, sql);
		}
	sqlite3_close(db);

	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	live = store_sqlite_db(st);
	assert_int_equal(query_int(live, "PRAGMA user_version", NULL), 19);
	assert_int_equal(query_int(live, "SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);
	assert_int_equal(query_int(live, "SELECT count(*) FROM journal_entries", NULL), 40);
	assert_int_equal(query_int(live, "SELECT count(*) FROM checkins", NULL), 40);
	/* temporary files were beside the file for the migration alone */
	assert_int_equal(query_int(live, "PRAGMA temp_store", NULL), 2);
	assert_null(sqlite3_temp_directory);
	/* what `kintsugi check` runs finds it sound */
	assert_int_equal(st->ops->check(st), 0);
	/* no rowid: the rows are the key's */
	assert_int_not_equal(
		sqlite3_prepare_v2(live, "SELECT rowid FROM journal_entries", -1, &scan, NULL),
		SQLITE_OK);
	assert_int_not_equal(
		sqlite3_prepare_v2(live, "SELECT rowid FROM checkins", -1, &scan, NULL), SQLITE_OK);
	/* in the file, alice's rows, then xavier's: one change of author in a whole scan */
	assert_int_equal(
		sqlite3_prepare_v2(live, "SELECT author_id FROM journal_entries", -1, &scan, NULL),
		SQLITE_OK);
	while (sqlite3_step(scan) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(scan, 0);

		changes += last[0] && strcmp(a, last) != 0;
		snprintf(last, sizeof(last), "%s", a);
	}
	sqlite3_finalize(scan);
	assert_int_equal(changes, 1);

	/* the ops: newest first, bodies as written, one by id, the check-ins by day */
	assert_int_equal(STORE_CALL(st, journal_list, "c1", "a", NULL, 50, &page, &n), 0);
	assert_int_equal(n, 20);
	for (size_t i = 0; i < n; i++) {
		snprintf(body, sizeof(body), "a-%02zu", 20 - i);
		assert_blob(&page[i].body_sealed, body, strlen(body));
	}
	store_journal_list_free(page, n);
	assert_int_equal(STORE_CALL(st, journal_get, "c2", "x", "jx07", &got), 0);
	assert_blob(&got.body_sealed, "x-07", 4);
	assert_string_equal(got.created_at, "2024-05-07T10:00:00Z");
	store_journal_free(&got);
	assert_int_equal(STORE_CALL(st, journal_get, "c1", "a", "jx07", &got), STORE_NOTFOUND);
	assert_int_equal(
		STORE_CALL(st, checkin_list, "c1", "2024-05-01", "2024-05-31", 100, &days, &n), 0);
	assert_int_equal(n, 20);
	assert_string_equal(days[0].period, "2024-05-20");
	assert_string_equal(days[19].period, "2024-05-01");
	assert_string_equal(days[19].id, "ka01");
	store_checkin_list_free(days, n);
	/* an id is still one row's */
	assert_int_not_equal(
		sqlite3_exec(live,
			     "INSERT INTO journal_entries (id, couple_id, author_id, "
			     "version, body_sealed, created_at, updated_at, seq) VALUES "
			     "('ja01', 'c1', 'a', 1, x'00', 'u', 'u', 1)",
			     NULL, NULL, NULL),
		SQLITE_OK);
	store_close(st);
}
#endif

/* A partner leaves: a ghost stays, their rows follow them inside one transaction, the
 * partner who stays is marked for a new couple key. */
static void test_member_leave(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	char to[STORE_ID_LEN + 1], ghost[STORE_ID_LEN + 1];
	struct blob fresh = {(unsigned char *)"sealed again", 12}, k;
	struct member_brief *list = NULL;
	struct session_row s1, s2, got;
	struct passkey_row pk, *pks = NULL;
	struct audit_row *audit = NULL;
	struct member_row m;
	struct journal_row e;
	struct totp_row t;
	char origin[64];
	size_t n = 0;
	int former = 9;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, a, sealed, 20, NULL, 0), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_key_put, c, b, sealed, 20, NULL, 0), 0);
	fill_session(&s1, c, a, 1);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s1), 0);
	fill_session(&s2, c, a, 2);
	assert_int_equal(STORE_CALL(fx->st, session_insert, &s2), 0);
	add_entry(fx->st, c, a, 1, "2024-05-01T10:00:00Z");
	make_id(e.id, T_ENTRY, 1);
	make_id(to, T_COUPLE, 9);
	make_id(ghost, T_MEMBER, 9);
	assert_int_equal(STORE_CALL(fx->st, couple_rekey_due, c, b), STORE_NOTFOUND);
	/* what is alice's own: a browser, a second factor, a passkey, a challenge (0018) */
	assert_int_equal(STORE_CALL(fx->st, device_put, hash32, c, a, "2024-05-01T10:00:00Z", 1),
			 0);
	assert_int_equal(STORE_CALL(fx->st, totp_put, c, a, sealed, 20, "2024-05-01T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(fx->st, totp_activate, c, a, 1, hash32, 1), 0);
	fill_passkey(&pk, 1, "credential-one");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, c, a, &pk), 0);
	assert_int_equal(STORE_CALL(fx->st, challenge_put, c, a, hash32, "get", "https://x.test",
				    (int64_t)time(NULL) + 600),
			 0);
	assert_int_equal(STORE_CALL(fx->st, audit_append, c, a, "signin", "2024-05-01T10:00:00Z"),
			 0);

	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(
		STORE_CALL(fx->st, member_leave, c, a, ghost, to, s1.id, "2024-06-01T10:00:00Z"),
		0);
	assert_int_equal(
		STORE_CALL(fx->st, rehome, STORE_TABLE_JOURNAL, c, NULL, e.id, to, a, &fresh, NULL),
		0);
	assert_int_equal(STORE_CALL(fx->st, session_rekeyed, s1.id, to, &fresh), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_rekey_mark, c, NULL), 0);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);

	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &m), 0);
	assert_string_equal(m.couple_id, to);
	store_member_free(&m);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(ghost), ghost, &m), 0);
	assert_string_equal(m.couple_id, c);
	assert_string_equal(m.login + 5, ghost);
	assert_int_equal(m.mk_by_pw.len, 0);
	store_member_free(&m);
	assert_int_equal(STORE_CALL(fx->st, couple_members, c, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, ghost); /* alice's place, created_at and all */
	assert_int_equal(list[0].left, 1);
	assert_string_equal(list[1].id, b);
	free(list);
	assert_int_equal(STORE_CALL(fx->st, session_get, s1.id, &got), 0);
	assert_string_equal(got.couple_id, to);
	assert_blob(&got.keys_sealed, "sealed again", 12);
	assert_int_equal(got.rekey, 0);
	store_session_free(&got);
	assert_int_equal(STORE_CALL(fx->st, session_get, s2.id, &got), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, couple_key_get, c, a, &k, NULL), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, journal_get, to, a, e.id, &e), 0);
	store_journal_free(&e);
	assert_int_equal(STORE_CALL(fx->st, couple_rekey_due, c, b), 0);
	/* alice's own rows went with her, in the same transaction */
	assert_int_equal(STORE_CALL(fx->st, totp_get, c, a, &t), STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, totp_get, to, a, &t), 0);
	store_totp_free(&t);
	assert_int_equal(STORE_CALL(fx->st, recovery_code_count, to, a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(STORE_CALL(fx->st, passkey_list, c, a, &pks, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_list, to, a, &pks, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pks[0].couple_id, to);
	store_passkey_list_free(pks, n);
	assert_int_equal(STORE_CALL(fx->st, device_put, hash32, c, a, "2024-06-02T10:00:00Z", 0),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, device_put, hash32, to, a, "2024-06-02T10:00:00Z", 0),
			 0);
	assert_int_equal(
		STORE_CALL(fx->st, challenge_take, to, a, hash32, "get", 0, origin, sizeof(origin)),
		0);
	assert_int_equal(STORE_CALL(fx->st, audit_list, c, a, "signin", 0, "", 10, &audit, &n), 0);
	assert_int_equal(n, 0);
	free(audit);
	assert_int_equal(STORE_CALL(fx->st, audit_list, to, a, "signin", 0, "", 10, &audit, &n), 0);
	assert_int_equal(n, 1);
	free(audit);
	assert_int_equal(STORE_CALL(fx->st, couple_former, c, &former), 0);
	assert_int_equal(former, 1);
	assert_int_equal(STORE_CALL(fx->st, couple_former, to, &former), 0);
	assert_int_equal(former, 0);
	/* a member who left once leaves no second ghost */
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_leave, CP(ghost), ghost, a, c, NULL,
				    "2024-06-02T10:00:00Z"),
			 STORE_CONFLICT);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
}

/* Passkeys, their challenges, and the ones that sign in alone. */
static void test_passkeys(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], origin[64];
	unsigned char form[STORE_SIGNIN_FORM], addr[STORE_THROTTLE_KEY_LEN] = {1};
	struct blob signin = {form, sizeof(form)}, mk = {sealed, sizeof(sealed)};
	struct passkey_row pk, got, *list = NULL;
	int64_t later = (int64_t)time(NULL) + 600;
	size_t n = 0;

	memset(form, 7, sizeof(form));
	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	add_member(fx->st, c, 2, "bob", b);
	fill_passkey(&pk, 1, "credential-one");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(a), a, &pk), 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(a), a, &pk), STORE_CONFLICT);
	fill_passkey(&pk, 2, "credential-two");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(a), a, &pk), 0);
	for (unsigned i = 3; i <= STORE_PASSKEYS_MAX; i++) {
		char cred[32];

		snprintf(cred, sizeof(cred), "credential-%u", i);
		fill_passkey(&pk, i, cred);
		assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(a), a, &pk), 0);
	}
	fill_passkey(&pk, 99, "one too many");
	assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(a), a, &pk), STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, passkey_put, CP(b), b, &pk), 0);

	assert_int_equal(STORE_CALL(fx->st, passkey_list, CP(a), a, &list, &n), 0);
	assert_int_equal(n, STORE_PASSKEYS_MAX);
	assert_blob(&list[0].credential_id, "credential-one", 14);
	assert_string_equal(list[0].last_used_at, "");
	assert_null(list[0].signin.data);
	store_passkey_list_free(list, n);
	assert_int_equal(STORE_CALL(fx->st, passkey_get, CP(a), a,
				    (const unsigned char *)"credential-two", 14, &got),
			 0);
	assert_int_equal(got.sign_count, 5);
	assert_string_equal(got.member_id, a);
	store_passkey_free(&got);
	assert_int_equal(STORE_CALL(fx->st, passkey_get, CP(b), b,
				    (const unsigned char *)"credential-two", 14, &got),
			 STORE_NOTFOUND);

	make_id(pk.id, T_ITEM, 2);
	assert_int_equal(
		STORE_CALL(fx->st, passkey_use, CP(a), a, pk.id, 5, 6, "2024-05-02T10:00:00Z"), 0);
	assert_int_equal(
		STORE_CALL(fx->st, passkey_use, CP(a), a, pk.id, 5, 7, "2024-05-02T10:00:00Z"),
		STORE_CONFLICT);
	assert_int_equal(STORE_CALL(fx->st, passkey_reseal, CP(a), a, pk.id,
				    &(struct blob){pubkey, 32},
				    &(struct blob){(unsigned char *)"renamed", 7}),
			 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_get, CP(a), a,
				    (const unsigned char *)"credential-two", 14, &got),
			 0);
	assert_int_equal(got.sign_count, 6);
	assert_string_equal(got.last_used_at, "2024-05-02T10:00:00Z");
	assert_blob(&got.name_sealed, "renamed", 7);
	store_passkey_free(&got);

	/* signing in alone: found by credential id, whoever's it is */
	list = NULL;
	assert_int_equal(STORE_CALL(fx->st, passkey_find, (const unsigned char *)"credential-two",
				    14, &list, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_signin_set, CP(a), a, pk.id, &signin, NULL),
			 -EINVAL);
	assert_int_equal(STORE_CALL(fx->st, passkey_signin_set, CP(a), a, pk.id, &signin, &mk), 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_find, (const unsigned char *)"credential-two",
				    14, &list, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].member_id, a);
	assert_blob(&list[0].signin, form, sizeof(form));
	assert_blob(&list[0].mk_sealed, sealed, sizeof(sealed));
	store_passkey_list_free(list, n);
	assert_int_equal(STORE_CALL(fx->st, passkey_signin_set, CP(a), a, pk.id, NULL, NULL), 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_find, (const unsigned char *)"credential-two",
				    14, &list, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_delete, CP(a), a, pk.id), 0);
	assert_int_equal(STORE_CALL(fx->st, passkey_delete, CP(a), a, pk.id), STORE_NOTFOUND);

	/* a challenge is taken once, by its member and purpose, before it expires */
	assert_int_equal(
		STORE_CALL(fx->st, challenge_put, CP(a), a, hash32, "get", "https://x.test", later),
		0);
	assert_int_equal(STORE_CALL(fx->st, challenge_take, CP(b), b, hash32, "get", later - 600,
				    origin, sizeof(origin)),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, challenge_take, CP(a), a, hash32, "create", later - 600,
				    origin, sizeof(origin)),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, challenge_take, CP(a), a, hash32, "get", later, origin,
				    sizeof(origin)),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(fx->st, challenge_take, CP(a), a, hash32, "get", later - 600,
				    origin, sizeof(origin)),
			 0);
	assert_string_equal(origin, "https://x.test");
	assert_int_equal(STORE_CALL(fx->st, challenge_take, CP(a), a, hash32, "get", later - 600,
				    origin, sizeof(origin)),
			 STORE_NOTFOUND);

	/* sign-in challenges: bounded per address */
	for (unsigned i = 0; i < STORE_SIGNIN_CHALLENGES_PER_ADDRESS; i++) {
		unsigned char h[STORE_CHALLENGE_HASH_LEN] = {0};

		h[0] = (unsigned char)(i + 1);
		assert_int_equal(
			STORE_CALL(fx->st, signin_challenge_put, h, addr, "https://x.test", later),
			0);
	}
	assert_int_equal(
		STORE_CALL(fx->st, signin_challenge_put, hash32, addr, "https://x.test", later),
		STORE_CONFLICT);
	addr[0] = 2;
	assert_int_equal(
		STORE_CALL(fx->st, signin_challenge_put, hash32, addr, "https://y.test", later), 0);
	assert_int_equal(STORE_CALL(fx->st, signin_challenge_take, hash32, later - 600, origin,
				    sizeof(origin)),
			 0);
	assert_string_equal(origin, "https://y.test");
	assert_int_equal(STORE_CALL(fx->st, signin_challenge_take, hash32, later - 600, origin,
				    sizeof(origin)),
			 STORE_NOTFOUND);
}

/* What messages show of a database's name: never a password. */
static void test_url_shown(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(store_url_shown("/var/lib/kintsugi/k.db", buf, sizeof(buf)),
			    "/var/lib/kintsugi/k.db");
	assert_string_equal(
		store_url_shown("postgresql://k:s3cret@db.example:5432/k", buf, sizeof(buf)),
		"postgresql://k@db.example:5432/k");
	assert_string_equal(store_url_shown("postgresql://k@h/k?password=s3cret&sslmode=require",
					    buf, sizeof(buf)),
			    "postgresql://k@h/k");
	assert_string_equal(store_url_shown("postgres://h:5432/k", buf, sizeof(buf)),
			    "postgres://h:5432/k");
	assert_string_equal(store_url_shown("postgresql://u:p@[::1]:5/d", buf, sizeof(buf)),
			    "postgresql://u@[::1]:5/d");
	assert_string_equal(store_url_shown("x", NULL, 0), "");
}

/* A statement that fails inside a transaction leaves the transaction usable. */
static void test_failed_statement_in_transaction(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	struct couple_row dup = {0};
	struct member_row m;
	struct couple_row got;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	snprintf(dup.id, sizeof(dup.id), "%s", c);
	strcpy(dup.created_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(fx->st, couple_insert, &dup), STORE_CONFLICT);
	fill_member(&m, c, 2, "alice"); /* a login taken */
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), STORE_CONFLICT);
	add_member(fx->st, c, 3, "bob", b);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(b), b, &m), 0);
	store_member_free(&m);

	/* and a read snapshot goes on after a failed read */
	assert_int_equal(fx->st->ops->read_begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, couple_get, c, &got), 0);
	{
		/* text that is not UTF-8: SQLite finds no one, PostgreSQL refuses it (-EINVAL) */
		int r = STORE_CALL(fx->st, member_get_by_login, "\xff\xfe", &m);

		assert_true(r == STORE_NOTFOUND || r == -EINVAL);
	}
	assert_int_equal(STORE_CALL(fx->st, couple_get, c, &got), 0);
	fx->st->ops->read_end(fx->st);
}

#ifdef STORE_TEST_PG
/* ---- PostgreSQL only ---------------------------------------------------- */

/* The baseline is applied once; a second open finds nothing to do. */
static void test_pg_migrate_once(void **state)
{
	struct fx *fx = *state;
	const char *url = getenv("KINTSUGI_PG_URL");
	struct store *second = NULL;
	char err[128];

	assert_int_equal(query_int(fx->pg, "SELECT version FROM kintsugi_schema", NULL), 19);
	assert_int_equal(query_int(fx->pg, "SELECT count(*) FROM kintsugi_schema", NULL), 1);
	/* 0019: a plain CLUSTER orders the journal and the check-ins by their listing keys */
	assert_int_equal(query_int(fx->pg,
				   "SELECT count(*) FROM pg_index WHERE indisclustered AND "
				   "indexrelid IN ('journal_entries_order'::regclass, "
				   "'checkins_period'::regclass)",
				   NULL),
			 2);
	assert_int_equal(store_pg_migrate(fx->st), 19);
	assert_int_equal(store_migrate(fx->st), 19);
	assert_int_equal(store_pg_open(url, &second, err, sizeof(err)), 0);
	store_close(second);
	second = NULL;
	assert_int_equal(store_open(url, &second, err, sizeof(err)), 0); /* --db postgresql://... */
	assert_ptr_equal(second->ops, &store_pg_ops);
	store_close(second);
	assert_int_equal(query_int(fx->pg, "SELECT count(*) FROM kintsugi_schema", NULL), 1);
	/* every table of SQLite's schema is there, and no more (kintsugi_schema aside) */
	assert_int_equal(query_int(fx->pg,
				   "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
				   "AND tablename <> 'kintsugi_schema'",
				   NULL),
			 23);

	/* a database made by a newer kintsugi is refused */
	assert_int_equal(
		query_int(fx->pg,
			  "WITH u AS (UPDATE kintsugi_schema SET version = 9999 RETURNING 1) "
			  "SELECT count(*) FROM u",
			  NULL),
		1);
	assert_int_equal(store_pg_migrate(fx->st), -EIO);
	second = NULL;
	assert_int_equal(store_pg_open(url, &second, err, sizeof(err)), -EIO);
	assert_null(second);
	assert_true(err[0] != '\0');
}

static void test_pg_open_errors(void **state)
{
	struct store *st = NULL;
	char err[128] = "x";

	(void)state;
	assert_int_equal(store_pg_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
				       &st, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_null(st);
	assert_string_equal(err, "cannot connect to the PostgreSQL server");
	assert_int_equal(store_pg_open(NULL, &st, err, sizeof(err)), -EINVAL);
}

/* The other connections to the database (the store's): ended by the server. */
static void kill_store_connections(struct fx *fx)
{
	assert_true(query_int(fx->pg,
			      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
			      "WHERE datname = current_database() AND pid <> pg_backend_pid()",
			      NULL) >= 1);
	usleep(100 * 1000);
}

/*
 * A lost connection: outside a transaction the op is tried again on a new
 * connection and succeeds; inside one it fails (-EIO, a fault the server
 * answers with 503) and nothing of the transaction is in the database.
 */
static void test_pg_lost_connection(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	struct member_row m, got;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	(void)fx->st->ops->fault(fx->st);

	kill_store_connections(fx);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &got), 0); /* retried */
	store_member_free(&got);

	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	fill_member(&m, c, 2, "bob");
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), 0);
	memcpy(b, m.id, sizeof(m.id));
	(void)fx->st->ops->fault(fx->st);
	kill_store_connections(fx);
	assert_int_equal(STORE_CALL(fx->st, member_set_language, CP(a), a, "es"), -EIO);
	assert_int_equal(fx->st->ops->fault(fx->st), STORE_FAULT_IO);
	assert_int_equal(fx->st->ops->commit(fx->st), -EIO);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
	/* nothing half-written: bob is not there, alice's language did not change */
	assert_int_equal(query_int(fx->pg, "SELECT count(*) FROM members WHERE id = ?1", b), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, CP(a), a, &got), 0);
	assert_string_equal(got.language, "ru");
	store_member_free(&got);

	/* and the handle works again for the next request */
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_insert, &m), 0);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	assert_int_equal(query_int(fx->pg, "SELECT count(*) FROM members WHERE id = ?1", b), 1);
}

/* Connections open on the test's database, the test's own included. */
static long long pg_backends(void)
{
	return query_int_pg(
		"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()", NULL);
}

/*
 * warm makes connections ahead (the server does it before its sandbox),
 * and the one the marks' writer will use; reopen takes those first, then
 * makes new ones; each handle works; the pool's leftovers go with the
 * handle that made it.
 */
static void test_pg_warm_pool(void **state)
{
	struct fx *fx = *state;
	struct store *h[3];
	char err[256], c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct member_row got;
	long long base = pg_backends();

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(fx->st->ops->warm(fx->st, 2, err, sizeof(err)), 0);
	assert_int_equal(pg_backends(), base + 3); /* two, and the writer's */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fx->st->ops->reopen(fx->st, &h[i], err, sizeof(err)), 0);
		assert_int_equal(pg_backends(), base + 3); /* taken from the pool */
	}
	assert_int_equal(fx->st->ops->reopen(fx->st, &h[2], err, sizeof(err)), 0);
	assert_int_equal(pg_backends(), base + 4); /* the pool was empty: a new one */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(STORE_CALL(h[i], member_get, c, a, &got), 0);
		assert_string_equal(got.login, "alice");
		store_member_free(&got);
		store_close(h[i]);
	}
	assert_int_equal(fx->st->ops->warm(fx->st, 1, err, sizeof(err)), 0);
	assert_int_equal(pg_backends(), base + 2); /* left in the pool until the owner closes */
}

/* Wait until another connection reads id's mark as want (from old), within a few seconds. */
static void await_stored_mark(struct store *other, const char *id, const char *old,
			      const char *want)
{
	struct session_row got;

	for (int waited_ms = 0;; waited_ms += 50) {
		assert_int_equal(STORE_CALL(other, session_get, id, &got), 0);
		if (strcmp(got.last_seen_at, want) == 0) {
			store_session_free(&got);
			return;
		}
		assert_string_equal(got.last_seen_at, old);
		store_session_free(&got);
		assert_true(waited_ms < 10 * MARKS_PG_AGE_MS);
		usleep(50 * 1000);
	}
}

/*
 * In a server (warm, then serve) a touch outside a transaction is held in
 * memory: every handle of the process reads it at once, another connection
 * (another process) once the writer's thread has written it, within
 * MARKS_PG_AGE_MS, with no further call.  Before serve, and inside a
 * transaction, it is written at once; a touch of a missing session is
 * NOTFOUND either way; the writer gets over a lost connection; the purge
 * writes the held marks first; closing the handle that warmed writes what
 * is left.
 */
static void test_pg_marks_held(void **state)
{
	struct fx *fx = *state;
	struct store *own = NULL, *h = NULL;
	struct session_row s;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], err[256];
	char s1[STORE_ID_LEN + 1], s2[STORE_ID_LEN + 1], missing[STORE_ID_LEN + 1];
	unsigned int n = 99;

	add_couple(fx->st, 1, c);
	add_member(fx->st, c, 1, "alice", a);
	for (unsigned i = 1; i <= 2; i++) {
		fill_session(&s, c, a, i);
		assert_int_equal(STORE_CALL(fx->st, session_insert, &s), 0);
	}
	make_id(s1, T_SESSION, 1);
	make_id(s2, T_SESSION, 2);
	make_id(missing, T_SESSION, 3);
	assert_int_equal(store_pg_open(getenv("KINTSUGI_PG_URL"), &own, err, sizeof(err)), 0);

	assert_int_equal(STORE_CALL(own, session_touch, c, s1, "2024-05-01T11:00:00Z"), 0);
	assert_stored_mark(fx->st, s1, "2024-05-01T11:00:00Z"); /* no server: written at once */
	assert_int_equal(own->ops->serve(own, err, sizeof(err)), -EINVAL); /* warm first */
	assert_int_equal(own->ops->warm(own, 1, err, sizeof(err)), 0);
	assert_int_equal(own->ops->serve(own, err, sizeof(err)), 0);
	assert_int_equal(own->ops->serve(own, err, sizeof(err)), -EINVAL); /* once */
	assert_int_equal(own->ops->reopen(own, &h, err, sizeof(err)), 0);

	assert_int_equal(STORE_CALL(h, session_touch, c, s1, "2024-05-01T12:00:00Z"), 0);
	assert_stored_mark(h, s1, "2024-05-01T12:00:00Z");
	assert_stored_mark(own, s1, "2024-05-01T12:00:00Z");
	assert_stored_mark(fx->st, s1, "2024-05-01T11:00:00Z"); /* not yet in the row */
	assert_int_equal(STORE_CALL(h, session_touch, c, missing, "2024-05-01T12:00:00Z"),
			 STORE_NOTFOUND);
	assert_int_equal(STORE_CALL(h, session_touch, c, s1, "2024-05-01T11:30:00Z"), 0);
	assert_stored_mark(h, s1, "2024-05-01T12:00:00Z"); /* never back */
	await_stored_mark(fx->st, s1, "2024-05-01T11:00:00Z", "2024-05-01T12:00:00Z");

	/* every connection cut: the writer's next batch goes on a new one */
	kill_store_connections(fx);
	assert_int_equal(STORE_CALL(h, session_touch, c, s1, "2024-05-01T12:15:00Z"), 0);
	assert_stored_mark(h, s1, "2024-05-01T12:15:00Z"); /* h's read gets h a new one */
	await_stored_mark(fx->st, s1, "2024-05-01T12:00:00Z", "2024-05-01T12:15:00Z");

	/* inside a transaction the mark is written with it */
	assert_int_equal(h->ops->begin(h), 0);
	assert_int_equal(STORE_CALL(h, session_touch, c, s2, "2024-05-01T12:30:00Z"), 0);
	assert_int_equal(h->ops->commit(h), 0);
	assert_stored_mark(fx->st, s2, "2024-05-01T12:30:00Z");

	/* s1's row says 12:15, the process 13:00: the purge of those idle since 12:45 keeps it */
	assert_int_equal(STORE_CALL(h, session_touch, c, s1, "2024-05-01T13:00:00Z"), 0);
	assert_int_equal(
		STORE_CALL(h, session_purge, "2024-05-01T13:30:00Z", "2024-05-01T12:45:00Z", 0, &n),
		0);
	assert_int_equal(n, 1); /* s2 */
	assert_stored_mark(fx->st, s1, "2024-05-01T13:00:00Z");

	/* a clean stop writes what is held */
	assert_int_equal(STORE_CALL(h, session_touch, c, s1, "2024-05-01T14:00:00Z"), 0);
	store_close(h);
	store_close(own);
	assert_stored_mark(fx->st, s1, "2024-05-01T14:00:00Z");
}

/* A transaction rolled back leaves nothing; one committed is seen by another connection. */
static void test_pg_transactions(void **state)
{
	struct fx *fx = *state;
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1];
	struct store *other = NULL;
	struct member_row got;
	char err[128];

	add_couple(fx->st, 1, c);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(fx->st->ops->begin(fx->st), -EINVAL);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(fx->st->ops->rollback(fx->st), 0);
	assert_int_equal(STORE_CALL(fx->st, member_get, c, a, &got), STORE_NOTFOUND);

	assert_int_equal(fx->st->ops->reopen(fx->st, &other, err, sizeof(err)), 0);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	add_member(fx->st, c, 1, "alice", a);
	assert_int_equal(STORE_CALL(other, member_get, c, a, &got), STORE_NOTFOUND); /* not yet */
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	assert_int_equal(STORE_CALL(other, member_get, c, a, &got), 0);
	store_member_free(&got);

	/* a read snapshot does not see a commit made after it began */
	assert_int_equal(other->ops->read_begin(other), 0);
	assert_int_equal(STORE_CALL(other, member_standing, c, a, &(struct member_standing){0}), 0);
	assert_int_equal(STORE_CALL(fx->st, member_delete, c, a), 0);
	assert_int_equal(STORE_CALL(other, member_get, c, a, &got), 0);
	store_member_free(&got);
	other->ops->read_end(other);
	assert_int_equal(STORE_CALL(other, member_get, c, a, &got), STORE_NOTFOUND);
	store_close(other);
}

/* The whole-database ops: what PostgreSQL does instead of files. */
static void test_pg_database_ops(void **state)
{
	struct fx *fx = *state;
	char where[64] = "", dir[64];

	assert_int_equal(fx->st->ops->check(fx->st), 0);
	assert_int_equal(fx->st->ops->files_dir(fx->st, dir, sizeof(dir)), -ENOENT);
	assert_int_equal(fx->st->ops->backup(fx->st, "/tmp/nowhere.db"), -EOPNOTSUPP);
	assert_int_equal(fx->st->ops->scrub(fx->st), -EOPNOTSUPP);
	assert_int_equal(fx->st->ops->fatal(fx->st), STORE_FAULT_NONE);
	assert_int_equal(fx->st->ops->rescue(fx->st, where, sizeof(where)), 0);
	assert_string_equal(where, "the PostgreSQL database");
	/* a schema of another version, or a table gone: not sound */
	assert_int_equal(
		query_int(fx->pg,
			  "WITH u AS (UPDATE kintsugi_schema SET version = 16 RETURNING 1) "
			  "SELECT count(*) FROM u",
			  NULL),
		1);
	assert_int_equal(fx->st->ops->check(fx->st), STORE_CONFLICT);
	assert_int_equal(
		query_int(fx->pg,
			  "WITH u AS (UPDATE kintsugi_schema SET version = 19 RETURNING 1) "
			  "SELECT count(*) FROM u",
			  NULL),
		1);
	assert_int_equal(fx->st->ops->check(fx->st), 0);
	{
		PGresult *res = PQexec(fx->pg, "DROP TABLE care_wraps");

		assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
		PQclear(res);
	}
	assert_int_equal(fx->st->ops->check(fx->st), STORE_CONFLICT);
}

/* Writers wait for each other, across connections, as SQLite's do. */
struct begin_waiter {
	struct store *st;
	struct timespec at; /* when its begin returned */
	int r;
};

static void *begin_later(void *p)
{
	struct begin_waiter *w = p;

	w->r = w->st->ops->begin(w->st);
	clock_gettime(CLOCK_MONOTONIC, &w->at);
	if (w->r == 0)
		w->r = w->st->ops->rollback(w->st);
	return NULL;
}

static void test_pg_writers_serialised(void **state)
{
	struct fx *fx = *state;
	struct begin_waiter w = {0};
	struct timespec committed;
	pthread_t t;
	char err[128];

	assert_int_equal(fx->st->ops->reopen(fx->st, &w.st, err, sizeof(err)), 0);
	assert_int_equal(fx->st->ops->begin(fx->st), 0);
	assert_int_equal(pthread_create(&t, NULL, begin_later, &w), 0);
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &committed);
	assert_int_equal(fx->st->ops->commit(fx->st), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.r, 0);
	/* the second begin returned only once the first transaction ended */
	assert_true(w.at.tv_sec > committed.tv_sec ||
		    (w.at.tv_sec == committed.tv_sec && w.at.tv_nsec >= committed.tv_nsec));
	store_close(w.st);
}

int main(void)
{
	if (!getenv("KINTSUGI_PG_URL") || !*getenv("KINTSUGI_PG_URL")) {
		fprintf(stderr, "test-store-pg: skipped: KINTSUGI_PG_URL is not set; run it with "
				"scripts/pg-test run meson test -C build-dev store-pg\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pg_migrate_once, setup, teardown),
		cmocka_unit_test(test_pg_open_errors),
		cmocka_unit_test_setup_teardown(test_pg_lost_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_warm_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_marks_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_database_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_writers_serialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_statement_in_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_of_author_and_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safety_and_ledger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_version_and_rehome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_scoped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_id_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passkeys, setup, teardown),
		/* the backend-independent tests of the ops store-pg.c has so far */
		cmocka_unit_test_setup_teardown(test_couples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_purge_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step2_rhythm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_list_and_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_same_second_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_factor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_same_second_writers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_step2_checkins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_key_ops, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--read") == 0)
		return other_process_main(argv[2]);
	if (argc > 0 && strchr(argv[0], '/'))
		self_path = argv[0];

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_private_files_and_settings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_keeps_an_existing_page_size, setup,
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
		cmocka_unit_test_setup_teardown(test_session_touch_unflushed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_marks_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_purge_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_same_second_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_delete_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_content_does_not_linger, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopened_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_keeps_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_replaced, setup, teardown),
		/* step 1: statements and commitments */
		cmocka_unit_test_setup_teardown(test_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_same_second_writers, setup,
						teardown),
		/* step 2: transparency and openness */
		cmocka_unit_test_setup_teardown(test_step2_rhythm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step2_checkins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_list_and_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_factor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_key_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_of_author_and_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safety_and_ledger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_version_and_rehome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_scoped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_couple_id_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clustered_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passkeys, setup, teardown),
		cmocka_unit_test(test_url_shown),
		cmocka_unit_test_setup_teardown(test_failed_statement_in_transaction, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
