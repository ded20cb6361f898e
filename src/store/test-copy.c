/*
 * test-copy.c: `kintsugi copy` (store-copy.c) from a SQLite database into the
 * PostgreSQL database at KINTSUGI_PG_URL; without it the test skips (exit 77):
 *
 *     scripts/pg-test run meson test -C build-dev store-copy
 *
 * Each test empties the PostgreSQL schema and makes a SQLite database in a
 * mkdtemp() folder, fills it through the store's ops (every table, found in
 * sqlite_schema, must have rows, so a table a migration adds is noticed),
 * copies it, and compares every table row by row and byte by byte, then the
 * answers of store ops on both backends.  The refusals (a target with rows,
 * a source at another version or with another schema, bad names, text
 * PostgreSQL would refuse) each leave the target as it was.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
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
#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store-copy.h"
#include "store/store-pg.h"
#include "store/store-sqlite.h"
#include "store/store.h"

struct fx {
	char dir[64];
	char path[128];	  /* dir/kintsugi.db */
	struct store *sq; /* the source, through the store */
	PGconn *pg;	  /* the test's own connection to the target */
	const char *url;
};

static unsigned char salt[16] = "0123456789abcdef";
/* sealed-looking bytes: NUL and 0xff inside, as ciphertext has */
static unsigned char sealed[48] = "\0sealed\xff\x80master-key-bytes.......................";
static unsigned char hash32[32] = "hash-of-a-secret................";
static unsigned char hash32b[32] = "another-hash-of-a-secret........";
static unsigned char keys[40] = "sealed-session-keys\0\xfe...................";

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

static void pg_ok(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

static long long pg_int(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	long long v;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

static void sq_ok(struct fx *fx, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_sqlite_db(fx->sq), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/*
 * The tests' own database in the cluster of KINTSUGI_PG_URL, made by main()
 * and dropped at the end: store-pg (test-store.c) empties the schema of the
 * cluster's database itself, and meson may run both at once.
 */
static char test_db[64];
static char test_url[1024];

/* The admin URL with its database name replaced by name (parameters kept). */
static int url_with_db(const char *url, const char *name, char *out, size_t len)
{
	const char *rest = strstr(url, "://"), *slash, *query;
	int n;

	if (!rest)
		return -1;
	slash = rest + 3 + strcspn(rest + 3, "/?");
	query = strchr(slash, '?');
	n = snprintf(out, len, "%.*s/%s%s", (int)(slash - url), url, name, query ? query : "");
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int admin(const char *url, const char *sql)
{
	PGconn *conn = PQconnectdb(url);
	PGresult *res;
	int r = -1;

	if (PQstatus(conn) == CONNECTION_OK) {
		res = PQexec(conn, sql);
		r = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
		if (r < 0)
			fprintf(stderr, "test-copy: %s", PQerrorMessage(conn));
		PQclear(res);
	}
	PQfinish(conn);
	return r;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[128];

	if (!fx)
		return -1;
	fx->url = test_url;
	fx->pg = PQconnectdb(fx->url);
	if (PQstatus(fx->pg) != CONNECTION_OK) {
		fprintf(stderr, "setup: cannot connect to KINTSUGI_PG_URL\n");
		goto fail;
	}
	pg_ok(fx->pg, "SET client_min_messages = warning; "
		      "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kintsugi-copy-XXXXXX");
	if (!mkdtemp(fx->dir))
		goto fail;
	snprintf(fx->path, sizeof(fx->path), "%s/kintsugi.db", fx->dir);
	if (store_open(fx->path, &fx->sq, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: cannot open %s: %s\n", fx->path, err);
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

	store_close(fx->sq);
	PQfinish(fx->pg);
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---- a source with a row in every table ---- */

struct ids {
	char c[STORE_ID_LEN + 1], a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], t[STORE_ID_LEN + 1];
};

static void member(struct store *st, const char *couple_id, unsigned n, const char *login,
		   const char *role, char id[STORE_ID_LEN + 1])
{
	struct member_row m = {0};

	make_id(m.id, 2, n);
	snprintf(m.couple_id, sizeof(m.couple_id), "%s", couple_id);
	snprintf(m.login, sizeof(m.login), "%s", login);
	snprintf(m.role, sizeof(m.role), "%s", role);
	snprintf(m.display_name, sizeof(m.display_name), "Имя %u «ñ»", n);
	strcpy(m.language, "ru");
	strcpy(m.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	strcpy(m.kdf, "interactive");
	m.kek_salt = (struct blob){salt, sizeof(salt)};
	m.mk_by_pw = (struct blob){sealed, sizeof(sealed)};
	m.rk_salt = (struct blob){salt, 8};
	m.mk_by_rk = (struct blob){sealed, 40};
	m.public_key = (struct blob){hash32, sizeof(hash32)};
	m.secret_key_sealed = (struct blob){sealed, sizeof(sealed)};
	snprintf(m.created_at, sizeof(m.created_at), "2024-05-01T10:00:%02uZ", n);
	assert_int_equal(STORE_CALL(st, member_insert, &m), 0);
	memcpy(id, m.id, sizeof(m.id));
}

static void item(struct store *st, const struct ids *x, const char *kind, unsigned n,
		 const char *parent_kind, unsigned parent_n, const char *sort)
{
	struct item_row it = {0};

	snprintf(it.couple_id, sizeof(it.couple_id), "%s", x->c);
	snprintf(it.kind, sizeof(it.kind), "%s", kind);
	make_id(it.id, 6, n);
	if (parent_kind) {
		snprintf(it.parent_kind, sizeof(it.parent_kind), "%s", parent_kind);
		make_id(it.parent_id, 6, parent_n);
	}
	snprintf(it.author_id, sizeof(it.author_id), "%s", n % 2 ? x->a : x->b);
	it.shared_with = n % 4;
	it.version = 1;
	snprintf(it.sort, sizeof(it.sort), "%s", sort);
	snprintf(it.plain, sizeof(it.plain), "p%u", n);
	it.sealed = (struct blob){sealed, 16 + n};
	strcpy(it.created_at, "2024-05-01T10:00:00Z");
	strcpy(it.updated_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(st, item_insert, &it), 0);
}

static void fill(struct store *st, struct ids *x)
{
	struct couple_row c = {0};
	struct invite_row inv = {0};
	struct session_row s = {0};
	struct journal_row e = {0};
	struct statement_row sm = {0};
	struct checkin_row ck = {0};
	struct audit_row au = {0};
	struct passkey_row pk = {0};
	struct safety_row sf = {0};
	struct care_invite_row ci = {0};
	static unsigned char point[65] = {4, 1, 2, 3};
	static unsigned char signin[64] = "sign-in public key and tag......";
	unsigned char codes[2 * 32];
	struct blob b = {sealed, 33};

	make_id(c.id, 1, 1);
	strcpy(c.created_at, "2024-05-01T10:00:00Z");
	strcpy(c.rhythm, "daily");
	assert_int_equal(STORE_CALL(st, couple_insert, &c), 0);
	memcpy(x->c, c.id, sizeof(c.id));
	member(st, x->c, 1, "alice", "partner", x->a);
	member(st, x->c, 2, "bob", "partner", x->b);
	member(st, x->c, 3, "dr", "therapist", x->t);
	assert_int_equal(STORE_CALL(st, member_set_profile, x->c, x->a, NULL, 1, 15), 0);
	assert_int_equal(STORE_CALL(st, couple_key_put, x->c, x->a, sealed, 40, hash32, 32), 0);
	assert_int_equal(STORE_CALL(st, couple_key_put, x->c, x->b, sealed, 41, NULL, 0), 0);

	make_id(inv.id, 3, 1);
	strcpy(inv.couple_id, x->c);
	strcpy(inv.role, "partner");
	inv.secret_hash = (struct blob){hash32, sizeof(hash32)};
	inv.ck_wrapped = (struct blob){sealed, sizeof(sealed)};
	strcpy(inv.created_at, "2024-05-01T10:00:00Z");
	strcpy(inv.expires_at, "2024-05-08T10:00:00Z");
	assert_int_equal(STORE_CALL(st, invite_insert, &inv), 0);

	for (unsigned i = 1; i <= 2; i++) {
		make_id(s.id, 4, i);
		strcpy(s.member_id, i == 1 ? x->a : x->b);
		strcpy(s.couple_id, x->c);
		s.secret_hash = (struct blob){hash32, sizeof(hash32)};
		s.keys_sealed = (struct blob){keys, sizeof(keys)};
		strcpy(s.created_at, "2024-05-01T10:00:00Z");
		strcpy(s.last_seen_at, "2024-05-01T10:05:00Z");
		strcpy(s.expires_at, "2099-05-15T10:00:00Z");
		strcpy(s.browser, "Firefox/Android");
		assert_int_equal(STORE_CALL(st, session_insert, &s), 0);
	}
	assert_int_equal(STORE_CALL(st, session_set_locked, x->c, s.id, 1, NULL), 0);

	/* journal entries in one second share created_at: their seq orders them */
	for (unsigned i = 1; i <= 7; i++) {
		memset(&e, 0, sizeof(e));
		make_id(e.id, 5, i);
		strcpy(e.couple_id, x->c);
		strcpy(e.author_id, x->a);
		e.version = 1;
		e.body_sealed = (struct blob){sealed, 10 + i};
		if (i % 3 == 0)
			e.prompt_sealed = (struct blob){keys, 20};
		snprintf(e.created_at, sizeof(e.created_at), "2024-05-0%uT10:00:00Z", 1 + i / 3);
		strcpy(e.updated_at, e.created_at);
		assert_int_equal(STORE_CALL(st, journal_insert, &e), 0);
	}

	/* gaps in the rowids: the copy keeps them, it does not renumber */
	make_id(e.id, 5, 2);
	assert_int_equal(STORE_CALL(st, journal_delete, x->c, x->a, e.id), 0);

	make_id(sm.id, 7, 1);
	strcpy(sm.couple_id, x->c);
	strcpy(sm.author_id, x->a);
	sm.version = 1;
	sm.parts_sealed = (struct blob){sealed, sizeof(sealed)};
	strcpy(sm.created_at, "2024-05-01T10:00:00Z");
	strcpy(sm.updated_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(st, statement_insert, &sm), 0);

	for (unsigned i = 1; i <= 3; i++) {
		memset(&ck, 0, sizeof(ck));
		make_id(ck.id, 8, i);
		strcpy(ck.couple_id, x->c);
		strcpy(ck.author_id, i == 2 ? x->b : x->a);
		snprintf(ck.period, sizeof(ck.period), "2024-05-0%u", i);
		strcpy(ck.rhythm, "daily");
		ck.shared_with = i;
		ck.version = 1;
		ck.content_sealed = (struct blob){sealed, 30 + i};
		strcpy(ck.created_at, "2024-05-01T10:00:00Z");
		strcpy(ck.updated_at, "2024-05-01T10:00:00Z");
		assert_int_equal(STORE_CALL(st, checkin_insert, &ck), 0);
	}

	item(st, x, "card", 1, NULL, 0, "2024-05-01T10:00:00Z");
	item(st, x, "card", 2, NULL, 0, "2024-05-01T10:00:00Z");
	item(st, x, "card", 3, NULL, 0, "2024-05-02T10:00:00Z");
	item(st, x, "answer", 4, "card", 1, "2024-05-02T10:00:00Z");
	item(st, x, "answer", 5, "card", 1, "2024-05-02T10:00:00Z");
	item(st, x, "card", 6, NULL, 0, "2024-05-01T10:00:00Z");
	{
		char gone[STORE_ID_LEN + 1];

		make_id(gone, 6, 2);
		assert_int_equal(STORE_CALL(st, item_delete, x->c, "card", gone), 0);
	}

	assert_int_equal(STORE_CALL(st, audit_append, x->c, x->a, "signin", "2024-05-01T10:00:00Z"),
			 0);
	strcpy(au.couple_id, x->c);
	strcpy(au.member_id, x->a);
	strcpy(au.event, "new_device");
	strcpy(au.at, "2024-05-01T10:01:00Z");
	strcpy(au.browser, "Firefox/Android");
	make_id(au.session_id, 4, 1);
	assert_int_equal(STORE_CALL(st, audit_add, &au), 0);
	assert_int_equal(
		STORE_CALL(st, audit_append, NULL, NULL, "signup_refused", "2024-05-01T10:02:00Z"),
		0);

	assert_int_equal(STORE_CALL(st, throttle_add, hash32, 1, 1714557600000, 0), 0);
	assert_int_equal(STORE_CALL(st, device_put, hash32, x->c, x->a, "2024-05-01T10:00:00Z", 1),
			 0);
	assert_int_equal(STORE_CALL(st, totp_put, x->c, x->a, sealed, 30, "2024-05-01T10:00:00Z"),
			 0);
	memcpy(codes, hash32, 32);
	memcpy(codes + 32, hash32b, 32);
	assert_int_equal(STORE_CALL(st, totp_activate, x->c, x->a, 57000000, codes, 2), 0);

	make_id(pk.id, 9, 1);
	pk.credential_id = (struct blob){(unsigned char *)"cred-1", 6};
	pk.public_key = (struct blob){point, sizeof(point)};
	pk.tag = (struct blob){hash32, sizeof(hash32)};
	pk.name_sealed = (struct blob){sealed, 20};
	pk.sign_count = 4294967295;
	strcpy(pk.created_at, "2024-05-01T10:00:00Z");
	pk.signin = (struct blob){signin, sizeof(signin)};
	pk.mk_sealed = (struct blob){sealed, sizeof(sealed)};
	assert_int_equal(STORE_CALL(st, passkey_put, x->c, x->a, &pk), 0);
	assert_int_equal(STORE_CALL(st, challenge_put, x->c, x->a, hash32, "create",
				    "https://kintsugi.example", 4102444800),
			 0);
	assert_int_equal(STORE_CALL(st, signin_challenge_put, hash32b, hash32,
				    "https://kintsugi.example", 4102444800),
			 0);

	make_id(sf.id, 10, 1);
	strcpy(sf.couple_id, x->c);
	strcpy(sf.member_id, x->b);
	sf.version = 1;
	sf.sealed = (struct blob){sealed, 25};
	assert_int_equal(STORE_CALL(st, safety_put, &sf, 0), 0);
	assert_int_equal(STORE_CALL(st, old_key_add, x->b, x->c, &b, "2024-05-01T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(st, old_key_add, x->b, x->c, &b, "2024-05-02T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(st, ledger_put, x->a, "", &b, 0), 0);

	make_id(ci.id, 11, 1);
	strcpy(ci.couple_id, x->c);
	strcpy(ci.proposed_by, x->a);
	strcpy(ci.status, "awaiting_partner");
	ci.note_sealed = (struct blob){sealed, 12};
	strcpy(ci.created_at, "2024-05-01T10:00:00Z");
	strcpy(ci.updated_at, "2024-05-01T10:00:00Z");
	assert_int_equal(STORE_CALL(st, care_invite_insert, &ci), 0);
	assert_int_equal(STORE_CALL(st, care_key_put, x->c, &b, "2024-05-01T10:00:00Z"), 0);
	assert_int_equal(STORE_CALL(st, care_wrap_put, x->c, x->t, &b), 0);
}

/* ---- comparing ---- */

/* Every table of the source has rows: a table a migration adds must be filled above too. */
static void assert_every_table_filled(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	size_t n = 0;

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_schema WHERE type = 'table' "
					    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char sql[160];
		sqlite3_stmt *c = NULL;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"",
			 (const char *)sqlite3_column_text(s, 0));
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &c, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(c), SQLITE_ROW);
		if (sqlite3_column_int64(c, 0) == 0)
			fail_msg("table %s is empty: fill() must give it rows",
				 (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(c);
		n++;
	}
	sqlite3_finalize(s);
	assert_true(n >= 23);
}

/* PostgreSQL's binary integer of n bytes. */
static int64_t be_int(const char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | (unsigned char)p[i];
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	return (int64_t)v;
}

/* Table name: every row and every column alike in both, in rowid (else key) order. */
static int64_t compare_table(sqlite3 *db, PGconn *pg, const char *name)
{
	char sql[2048], cols[1536] = "", order[256] = "";
	sqlite3_stmt *s = NULL, *info = NULL;
	PGresult *res;
	int ncols = 0, rowid;
	int64_t rows = 0;

	/* PostgreSQL has a rowid column where SQLite's table has a rowid that is no column's */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM information_schema.columns WHERE table_name = '%s' "
		 "AND column_name = 'rowid' AND table_schema = current_schema()",
		 name);
	rowid = (int)pg_int(pg, sql);
	/* ... unless SQLite's table is WITHOUT ROWID: then PostgreSQL numbers its own */
	snprintf(sql, sizeof(sql), "SELECT rowid FROM \"%s\" LIMIT 0", name);
	if (rowid && sqlite3_prepare_v2(db, sql, -1, &info, NULL) != SQLITE_OK)
		rowid = 0;
	sqlite3_finalize(info);
	info = NULL;
	if (rowid)
		snprintf(cols, sizeof(cols), "rowid");
	snprintf(sql, sizeof(sql), "SELECT name, pk FROM pragma_table_info('%s') ORDER BY cid",
		 name);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &info, NULL), SQLITE_OK);
	while (sqlite3_step(info) == SQLITE_ROW) {
		size_t len = strlen(cols);

		snprintf(cols + len, sizeof(cols) - len, "%s\"%s\"", len ? ", " : "",
			 (const char *)sqlite3_column_text(info, 0));
		ncols++;
	}
	/* the key's columns, in the key's order */
	snprintf(sql, sizeof(sql),
		 "SELECT name FROM pragma_table_info('%s') WHERE pk > 0 ORDER BY pk", name);
	sqlite3_finalize(info);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &info, NULL), SQLITE_OK);
	if (rowid)
		snprintf(order, sizeof(order), "rowid");
	else
		while (sqlite3_step(info) == SQLITE_ROW) {
			size_t len = strlen(order);

			snprintf(order + len, sizeof(order) - len, "%s\"%s\"", len ? ", " : "",
				 (const char *)sqlite3_column_text(info, 0));
		}
	sqlite3_finalize(info);
	assert_true(order[0] != '\0');
	ncols += rowid;

	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" ORDER BY %s", cols, name, order);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	res = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	assert_int_equal(PQnfields(res), ncols);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(rows < PQntuples(res));
		for (int i = 0; i < ncols; i++) {
			int type = sqlite3_column_type(s, i), len = PQgetlength(res, (int)rows, i);
			const char *v = PQgetvalue(res, (int)rows, i);
			Oid t = PQftype(res, i);

			if (type == SQLITE_NULL) {
				assert_true(PQgetisnull(res, (int)rows, i));
				continue;
			}
			assert_false(PQgetisnull(res, (int)rows, i));
			if (t == 20 || t == 23 || t == 21) { /* int8, int4, int2 */
				assert_int_equal(type, SQLITE_INTEGER);
				assert_int_equal(be_int(v, len), sqlite3_column_int64(s, i));
			} else { /* text, bytea: the same bytes */
				const void *p = sqlite3_column_blob(s, i);

				assert_true(t == 25 || t == 17);
				assert_int_equal(len, sqlite3_column_bytes(s, i));
				if (len)
					assert_memory_equal(v, p, (size_t)len);
			}
		}
		rows++;
	}
	assert_int_equal(rows, PQntuples(res));
	PQclear(res);
	sqlite3_finalize(s);
	return rows;
}

/* Every table of the source against the target; returns the rows compared. */
static int64_t compare_db(struct fx *fx, sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int64_t rows = 0;

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_schema WHERE type = 'table' "
					    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		rows += compare_table(db, fx->pg, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rows;
}

static int64_t compare_all(struct fx *fx)
{
	return compare_db(fx, store_sqlite_db(fx->sq));
}

/* What the progress calls told: tables and rows, to be the same as the stats. */
struct told {
	size_t tables;
	int64_t rows;
};

static void count_progress(void *ctx, const char *table, int64_t rows)
{
	struct told *t = ctx;

	assert_non_null(table);
	t->tables++;
	t->rows += rows;
}

static int copy(struct fx *fx, struct store_copy_stats *stats, char *err, size_t errlen)
{
	struct store_copy_stats mine = {0};
	struct told told = {0};
	int r;

	r = store_copy(fx->path, fx->url, count_progress, &told, &mine, err, errlen);
	if (r == 0) {
		assert_int_equal(told.tables, mine.tables);
		assert_int_equal(told.rows, mine.rows);
	}
	if (stats)
		*stats = mine;
	return r;
}

static void assert_journal_alike(struct store *a, struct store *b, const struct ids *x)
{
	struct journal_row *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0;
	const char *before = NULL;
	char last[STORE_ID_LEN + 1];

	/* pages of 3, newest first, down to the end */
	do {
		assert_int_equal(STORE_CALL(a, journal_list, x->c, x->a, before, 3, &ra, &na), 0);
		assert_int_equal(STORE_CALL(b, journal_list, x->c, x->a, before, 3, &rb, &nb), 0);
		assert_int_equal(na, nb);
		for (size_t i = 0; i < na; i++) {
			assert_string_equal(ra[i].id, rb[i].id);
			assert_string_equal(ra[i].created_at, rb[i].created_at);
			assert_int_equal(ra[i].version, rb[i].version);
			assert_int_equal(ra[i].body_sealed.len, rb[i].body_sealed.len);
			assert_memory_equal(ra[i].body_sealed.data, rb[i].body_sealed.data,
					    ra[i].body_sealed.len);
			assert_int_equal(ra[i].prompt_sealed.len, rb[i].prompt_sealed.len);
		}
		if (na) {
			memcpy(last, ra[na - 1].id, sizeof(last));
			before = last;
		}
		store_journal_list_free(ra, na);
		store_journal_list_free(rb, nb);
	} while (na == 3);
}

static void assert_items_alike(struct store *a, struct store *b, const struct ids *x,
			       const struct item_query *q)
{
	struct item_row *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0;

	assert_int_equal(STORE_CALL(a, item_list, q, &ra, &na), 0);
	assert_int_equal(STORE_CALL(b, item_list, q, &rb, &nb), 0);
	assert_int_equal(na, nb);
	assert_true(na > 0);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(ra[i].id, rb[i].id);
		assert_string_equal(ra[i].plain, rb[i].plain);
		assert_int_equal(ra[i].shared_with, rb[i].shared_with);
		assert_int_equal(ra[i].sealed.len, rb[i].sealed.len);
		assert_memory_equal(ra[i].sealed.data, rb[i].sealed.data, ra[i].sealed.len);
	}
	store_item_list_free(ra, na);
	store_item_list_free(rb, nb);
	(void)x;
}

/* The store's answers on the copy are the source's. */
static void assert_ops_alike(struct store *a, struct store *b, const struct ids *x)
{
	struct item_query q = {.couple_id = x->c, .kind = "card", .limit = 10};
	struct item_query answers = {
		.couple_id = x->c, .kind = "answer", .parent_kind = "card", .limit = 10};
	struct checkin_row *ca = NULL, *cb = NULL;
	struct session_row sa, sb;
	struct member_row ma, mb;
	struct audit_row *aa = NULL, *ab = NULL;
	struct blob wa, wb, ta, tb;
	size_t na = 0, nb = 0, codes = 0;
	char sid[STORE_ID_LEN + 1];

	assert_journal_alike(a, b, x);
	assert_items_alike(a, b, x, &q);
	q.oldest_first = 1;
	assert_items_alike(a, b, x, &q);
	{
		char card1[STORE_ID_LEN + 1];

		make_id(card1, 6, 1);
		answers.parent_id = card1;
		assert_items_alike(a, b, x, &answers);
	}

	assert_int_equal(
		STORE_CALL(a, checkin_list, x->c, "2024-01-01", "2024-12-31", 10, &ca, &na), 0);
	assert_int_equal(
		STORE_CALL(b, checkin_list, x->c, "2024-01-01", "2024-12-31", 10, &cb, &nb), 0);
	assert_int_equal(na, 3);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(ca[i].id, cb[i].id);
		assert_string_equal(ca[i].period, cb[i].period);
		assert_int_equal(ca[i].content_sealed.len, cb[i].content_sealed.len);
		assert_memory_equal(ca[i].content_sealed.data, cb[i].content_sealed.data,
				    ca[i].content_sealed.len);
	}
	store_checkin_list_free(ca, na);
	store_checkin_list_free(cb, nb);

	make_id(sid, 4, 2);
	assert_int_equal(STORE_CALL(a, session_get, sid, &sa), 0);
	assert_int_equal(STORE_CALL(b, session_get, sid, &sb), 0);
	assert_int_equal(sa.locked, 1);
	assert_int_equal(sb.locked, 1);
	assert_string_equal(sa.browser, sb.browser);
	assert_int_equal(sa.keys_sealed.len, sb.keys_sealed.len);
	assert_memory_equal(sa.keys_sealed.data, sb.keys_sealed.data, sa.keys_sealed.len);
	store_session_free(&sa);
	store_session_free(&sb);

	assert_int_equal(STORE_CALL(a, member_get_by_login, "alice", &ma), 0);
	assert_int_equal(STORE_CALL(b, member_get_by_login, "alice", &mb), 0);
	assert_string_equal(ma.display_name, mb.display_name);
	assert_int_equal(ma.mk_by_pw.len, mb.mk_by_pw.len);
	assert_memory_equal(ma.mk_by_pw.data, mb.mk_by_pw.data, ma.mk_by_pw.len);
	store_member_free(&ma);
	store_member_free(&mb);

	assert_int_equal(STORE_CALL(a, couple_key_get, x->c, x->a, &wa, &ta), 0);
	assert_int_equal(STORE_CALL(b, couple_key_get, x->c, x->a, &wb, &tb), 0);
	assert_int_equal(wa.len, wb.len);
	assert_memory_equal(wa.data, wb.data, wa.len);
	assert_int_equal(tb.len, 32);
	store_blob_free(&wa);
	store_blob_free(&wb);
	store_blob_free(&ta);
	store_blob_free(&tb);

	assert_int_equal(
		STORE_CALL(a, audit_list, x->c, x->a, "signin,new_device", 0, "", 10, &aa, &na), 0);
	assert_int_equal(
		STORE_CALL(b, audit_list, x->c, x->a, "signin,new_device", 0, "", 10, &ab, &nb), 0);
	assert_int_equal(na, 2);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(aa[i].id, ab[i].id);
		assert_string_equal(aa[i].event, ab[i].event);
	}
	free(aa);
	free(ab);
	assert_int_equal(STORE_CALL(b, recovery_code_count, x->c, x->a, &codes), 0);
	assert_int_equal(codes, 2);
}

/* ---- the tests ---- */

static void test_copy_every_table(void **state)
{
	struct fx *fx = *state;
	struct store_copy_stats stats = {0};
	struct store *pg = NULL;
	struct item_row it = {0};
	struct audit_row *rows = NULL;
	char err[512];
	struct ids x;
	size_t n = 0;
	int64_t compared;

	fill(fx->sq, &x);
	assert_every_table_filled(store_sqlite_db(fx->sq));
	assert_int_equal(copy(fx, &stats, err, sizeof(err)), 0);
	compared = compare_all(fx);
	assert_int_equal(stats.rows, compared);
	assert_int_equal(stats.tables, 23);

	assert_int_equal(store_open(fx->url, &pg, err, sizeof(err)), 0);
	assert_ops_alike(fx->sq, pg, &x);

	/* the sequences are past the copied values: new rows come after them */
	assert_int_equal(STORE_CALL(pg, audit_append, x.c, x.a, "signin", "2024-05-03T10:00:00Z"),
			 0);
	assert_int_equal(STORE_CALL(pg, audit_list, x.c, x.a, "signin", 0, "", 10, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_true(rows[0].id > rows[1].id);
	assert_true(rows[0].id > pg_int(fx->pg, "SELECT max(id) FROM audit_log WHERE at < "
						"'2024-05-03'"));
	free(rows);
	snprintf(it.couple_id, sizeof(it.couple_id), "%s", x.c);
	strcpy(it.kind, "card");
	make_id(it.id, 6, 99);
	strcpy(it.author_id, x.a);
	it.version = 1;
	strcpy(it.sort, "2024-05-01T10:00:00Z"); /* the sort of cards 1 and 2: then by rowid */
	strcpy(it.plain, "new");
	it.sealed = (struct blob){sealed, 5};
	strcpy(it.created_at, "2024-05-03T10:00:00Z");
	strcpy(it.updated_at, "2024-05-03T10:00:00Z");
	assert_int_equal(STORE_CALL(pg, item_insert, &it), 0);
	assert_true(pg_int(fx->pg, "SELECT rowid FROM items WHERE plain = 'new'") >
		    pg_int(fx->pg, "SELECT max(rowid) FROM items WHERE plain <> 'new'"));
	store_close(pg);
}

/* A writer that commits an item and a journal entry together, until told to stop. */
struct writer {
	struct store *st; /* its own handle, as a server thread has */
	const struct ids *x;
	volatile int stop;
	unsigned done;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	while (!w->stop) {
		struct item_row it = {0};
		struct journal_row e = {0};
		unsigned n = w->done + 1;

		snprintf(it.couple_id, sizeof(it.couple_id), "%s", w->x->c);
		strcpy(it.kind, "w");
		make_id(it.id, 12, n);
		snprintf(it.author_id, sizeof(it.author_id), "%s", w->x->a);
		it.version = 1;
		strcpy(it.sort, "2024-06-01T10:00:00Z");
		it.sealed = (struct blob){sealed, 20};
		strcpy(it.created_at, "2024-06-01T10:00:00Z");
		strcpy(it.updated_at, "2024-06-01T10:00:00Z");
		make_id(e.id, 12, n);
		strcpy(e.couple_id, w->x->c);
		strcpy(e.author_id, w->x->a);
		e.version = 1;
		e.body_sealed = (struct blob){sealed, 20};
		strcpy(e.created_at, "2024-06-01T10:00:00Z");
		strcpy(e.updated_at, "2024-06-01T10:00:00Z");
		if (w->st->ops->begin(w->st) != 0)
			continue;
		if (STORE_CALL(w->st, item_insert, &it) == 0 &&
		    STORE_CALL(w->st, journal_insert, &e) == 0 && w->st->ops->commit(w->st) == 0)
			w->done++;
		else
			w->st->ops->rollback(w->st);
	}
	return NULL;
}

/*
 * Copying while a server writes: the copy is the database at one instant.
 * A writer commits an item and a journal entry together all along; the copy
 * has as many of one as of the other, though the two tables are read one
 * after the other (and the items, made many, take a while).
 */
static void test_copy_while_writing(void **state)
{
	struct fx *fx = *state;
	struct writer w = {0};
	pthread_t th;
	char err[512];
	struct ids x;
	long long items, entries;

	fill(fx->sq, &x);
	sq_ok(fx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) "
		  "INSERT INTO items (couple_id, kind, id, author_id, shared_with, version, sort, "
		  "sealed, created_at, updated_at) SELECT couple_id, 'bulk', printf('0d%030x', i), "
		  "id, 0, 1, '2024-05-01T10:00:00Z', randomblob(200), '2024-05-01T10:00:00Z', "
		  "'2024-05-01T10:00:00Z' FROM n, members WHERE members.login = 'alice'");
	w.x = &x;
	assert_int_equal(STORE_CALL(fx->sq, reopen, &w.st, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
	while (w.done < 5) /* the writer is under way before the copy starts */
		sched_yield();
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	w.stop = 1;
	pthread_join(th, NULL);
	store_close(w.st);

	items = pg_int(fx->pg, "SELECT count(*) FROM items WHERE kind = 'w'");
	entries = pg_int(fx->pg, "SELECT count(*) FROM journal_entries WHERE id LIKE '0c%'");
	assert_int_equal(items, entries);
	assert_true(items >= 5);
	/* the writer went on past the instant copied: what it wrote after stays behind */
	assert_true((long long)w.done > items);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM items WHERE kind = 'bulk'"), 40000);
}

/* And back: PostgreSQL into a new SQLite file, the same rows, the same answers. */
static void test_copy_back(void **state)
{
	struct fx *fx = *state;
	struct store_copy_stats there = {0}, back = {0};
	struct store *b = NULL;
	char err[512], path[200], to[220];
	struct ids x;

	fill(fx->sq, &x);
	assert_int_equal(copy(fx, &there, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/var/back.db", fx->dir);
	snprintf(to, sizeof(to), "sqlite:%s", path);
	assert_int_equal(store_copy(fx->url, to, NULL, NULL, &back, err, sizeof(err)), 0);
	assert_int_equal(back.rows, there.rows);
	assert_int_equal(back.tables, there.tables);
	assert_int_equal(store_open(path, &b, err, sizeof(err)), 0);
	assert_int_equal(compare_db(fx, store_sqlite_db(b)), there.rows);
	assert_ops_alike(fx->sq, b, &x);
	store_close(b);

	/* an existing file is never written: copy makes a new one */
	assert_int_equal(store_copy(fx->url, path, NULL, NULL, NULL, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already exists"));
}

/* This binary's schema version (the last migration's). */
static int latest_version(void)
{
	return store_sqlite_migrations[store_sqlite_migrations_n - 1].version;
}

static void set_pg_version(PGconn *pg, int version)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "UPDATE kintsugi_schema SET version = %d", version);
	pg_ok(pg, sql);
}

/* The way back refuses a source at another version (never migrating it) and leaves no file. */
static void test_copy_back_refusals(void **state)
{
	struct fx *fx = *state;
	char err[512], path[200];
	struct ids x;

	fill(fx->sq, &x);
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/back.db", fx->dir);
	pg_ok(fx->pg, "UPDATE kintsugi_schema SET version = 16");
	assert_int_equal(store_copy(fx->url, path, NULL, NULL, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "kintsugi migrate --db postgresql://"));
	assert_int_equal(pg_int(fx->pg, "SELECT version FROM kintsugi_schema"), 16);
	assert_int_equal(access(path, F_OK), -1);
	set_pg_version(fx->pg, latest_version());

	/* a table PostgreSQL has and SQLite does not: refused, and the new file removed */
	pg_ok(fx->pg, "CREATE TABLE later (id TEXT PRIMARY KEY)");
	assert_int_equal(store_copy(fx->url, path, NULL, NULL, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "table later"));
	assert_int_equal(access(path, F_OK), -1);
	pg_ok(fx->pg, "DROP TABLE later");

	assert_int_equal(store_copy("postgresql://kintsugi:s3cret-pw@127.0.0.1:1/kintsugi"
				    "?connect_timeout=2",
				    path, NULL, NULL, NULL, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_null(strstr(err, "s3cret-pw"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(store_copy(fx->url, "mysql://x/y", NULL, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(store_copy(fx->url, path, NULL, NULL, NULL, err, sizeof(err)), 0);
}

/* A target that holds rows is refused and left as it was. */
static void test_refuses_a_target_with_rows(void **state)
{
	struct fx *fx = *state;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -ENOTEMPTY);
	assert_non_null(strstr(err, "not empty"));
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 1);
	compare_all(fx);

	/* a row in any table is enough, not only a couple */
	pg_ok(fx->pg, "SET client_min_messages = warning; "
		      "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	pg_ok(fx->pg, "DELETE FROM couples; DELETE FROM signin_challenges; DELETE FROM audit_log");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -ENOTEMPTY);
	assert_non_null(strstr(err, "signin_failures"));
}

/* A source at another schema version: migrate it first; nothing is written. */
static void test_refuses_another_version(void **state)
{
	struct fx *fx = *state;
	struct store *pg = NULL;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx, "PRAGMA user_version = 16");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "kintsugi migrate --db"));
	assert_non_null(strstr(err, "version 16"));
	/* refused before the target was touched: not even a schema made there */
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM information_schema.tables "
					"WHERE table_schema = 'public'"),
			 0);

	sq_ok(fx, "PRAGMA user_version = 99");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "newer kintsugi"));
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM information_schema.tables "
					"WHERE table_schema = 'public'"),
			 0);

	/* a target at another version (below this kintsugi's first) is refused too */
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", latest_version());
		sq_ok(fx, sql);
	}
	assert_int_equal(store_open(fx->url, &pg, err, sizeof(err)), 0);
	store_close(pg);
	pg_ok(fx->pg, "UPDATE kintsugi_schema SET version = 16");
	assert_true(copy(fx, NULL, err, sizeof(err)) < 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 0);
	set_pg_version(fx->pg, latest_version());
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
}

/* Tables and columns are compared, not assumed: a difference is named. */
static void test_refuses_another_schema(void **state)
{
	struct fx *fx = *state;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx, "ALTER TABLE couples ADD COLUMN extra TEXT");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "column extra of table couples is in the SQLite database, not "
				    "in the PostgreSQL one"));
	pg_ok(fx->pg, "ALTER TABLE couples ADD COLUMN extra TEXT");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 1);

	pg_ok(fx->pg, "SET client_min_messages = warning; "
		      "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	sq_ok(fx, "ALTER TABLE couples DROP COLUMN extra");
	sq_ok(fx, "CREATE TABLE later (id TEXT PRIMARY KEY) STRICT");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(
		strstr(err, "table later is in the SQLite database, not in the PostgreSQL"));
	sq_ok(fx, "DROP TABLE later");
	pg_ok(fx->pg, "CREATE TABLE later (id TEXT PRIMARY KEY)");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(
		strstr(err, "table later is in the PostgreSQL database, not in the SQLite"));
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 0);
}

/*
 * A table a later migration adds is copied with no change to copy: here one
 * WITHOUT ROWID in SQLite that has a rowid identity in PostgreSQL, which
 * PostgreSQL numbers itself; NULL, empty and non-UTF-8 blobs and negative
 * numbers go through as they are.
 */
static void test_new_table(void **state)
{
	struct fx *fx = *state;
	struct store *pg = NULL;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx, "CREATE TABLE later (id TEXT PRIMARY KEY, n INTEGER NOT NULL, b BLOB) "
		  "STRICT, WITHOUT ROWID; "
		  "INSERT INTO later VALUES ('z', 3, x'00ff'), ('a', -1, NULL), ('m', 0, x'')");
	assert_int_equal(store_open(fx->url, &pg, err, sizeof(err)), 0);
	store_close(pg);
	pg_ok(fx->pg, "CREATE TABLE later (rowid BIGINT GENERATED ALWAYS AS IDENTITY, "
		      "id TEXT COLLATE \"C\" PRIMARY KEY, n BIGINT NOT NULL, b BYTEA)");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM later"), 3);
	assert_int_equal(pg_int(fx->pg, "SELECT n FROM later WHERE id = 'a'"), -1);
	assert_int_equal(pg_int(fx->pg, "SELECT octet_length(b) FROM later WHERE id = 'z'"), 2);
	assert_int_equal(pg_int(fx->pg, "SELECT octet_length(b) FROM later WHERE id = 'm'"), 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM later WHERE b IS NULL"), 1);
	assert_int_equal(pg_int(fx->pg, "SELECT max(rowid) FROM later"), 3);
}

/* Foreign keys that go round: copied with them deferred to the commit. */
static void test_cycle_deferred(void **state)
{
	struct fx *fx = *state;
	struct store *pg = NULL;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx,
	      "PRAGMA foreign_keys = OFF; "
	      "CREATE TABLE ring_a (id TEXT PRIMARY KEY, b TEXT REFERENCES ring_b (id)) STRICT; "
	      "CREATE TABLE ring_b (id TEXT PRIMARY KEY, a TEXT REFERENCES ring_a (id)) STRICT; "
	      "INSERT INTO ring_a VALUES ('a1', 'b1'); INSERT INTO ring_b VALUES ('b1', 'a1')");
	assert_int_equal(store_open(fx->url, &pg, err, sizeof(err)), 0);
	store_close(pg);
	pg_ok(fx->pg, "CREATE TABLE ring_a (rowid BIGINT GENERATED ALWAYS AS IDENTITY, "
		      "id TEXT PRIMARY KEY, b TEXT); "
		      "CREATE TABLE ring_b (rowid BIGINT GENERATED ALWAYS AS IDENTITY, "
		      "id TEXT PRIMARY KEY, a TEXT REFERENCES ring_a (id) DEFERRABLE); "
		      "ALTER TABLE ring_a ADD FOREIGN KEY (b) REFERENCES ring_b (id) DEFERRABLE");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM ring_a JOIN ring_b ON ring_b.a = "
					"ring_a.id AND ring_a.b = ring_b.id"),
			 1);
}

/* Text PostgreSQL refuses stops the copy at its row; what came before is rolled back. */
static void test_bad_text_rolls_back(void **state)
{
	struct fx *fx = *state;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx, "UPDATE members SET display_name = CAST(X'41C3' AS TEXT) WHERE login = 'bob'");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "row 2 of table members: column display_name"));
	assert_null(strstr(err, "A\xc3"));
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 0);
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM members"), 0);
}

/* A row whose parent is missing (foreign keys were off in SQLite) is refused with its table. */
static void test_orphan_refused(void **state)
{
	struct fx *fx = *state;
	char err[512];
	struct ids x;

	fill(fx->sq, &x);
	sq_ok(fx, "PRAGMA foreign_keys = OFF; "
		  "INSERT INTO ledgers (member_id, couple_id, gen, sealed) "
		  "VALUES ('02000000000000000000000000000099', '', 1, x'00')");
	assert_int_equal(copy(fx, NULL, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "the rows of ledgers (SQLSTATE 23503, constraint "));
	assert_null(strstr(err, "02000000000000000000000000000099"));
	assert_int_equal(pg_int(fx->pg, "SELECT count(*) FROM couples"), 0);
}

/* Bad names: each refused before anything is read or written. */
static void test_bad_names(void **state)
{
	struct fx *fx = *state;
	char err[512], from[200], gone[200];

	assert_int_equal(store_copy(fx->path, "mysql://db/x", NULL, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "postgresql://"));
	assert_int_equal(store_copy(fx->path, fx->path, NULL, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(store_copy(fx->url, fx->url, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sqlite:PATH"));
	assert_int_equal(store_copy("", fx->url, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
	snprintf(gone, sizeof(gone), "%s/none.db", fx->dir);
	assert_int_equal(store_copy(gone, fx->url, NULL, NULL, NULL, err, sizeof(err)), -ENOENT);
	/* nothing was made by opening it: the source is never created */
	assert_int_equal(access(gone, F_OK), -1);
	/* no server there: refused, and the reason carries no password */
	assert_int_equal(store_copy(fx->path,
				    "postgresql://kintsugi:s3cret-pw@127.0.0.1:1/kintsugi"
				    "?connect_timeout=2",
				    NULL, NULL, NULL, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_null(strstr(err, "s3cret-pw"));
	/* sqlite:PATH and sqlite://PATH name the same file */
	snprintf(from, sizeof(from), "sqlite:%s", fx->path);
	assert_int_equal(store_copy(from, fx->url, NULL, NULL, NULL, err, sizeof(err)), 0);
	pg_ok(fx->pg, "SET client_min_messages = warning; "
		      "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	snprintf(from, sizeof(from), "sqlite://%s", fx->path);
	assert_int_equal(store_copy(from, fx->url, NULL, NULL, NULL, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_every_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_while_writing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_back_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_a_target_with_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_another_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_another_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_text_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
	};

	if (!getenv("KINTSUGI_PG_URL") || !*getenv("KINTSUGI_PG_URL")) {
		fprintf(stderr, "test-copy: KINTSUGI_PG_URL is not set: skipped; run it with\n"
				"  scripts/pg-test run meson test -C build-dev store-copy\n");
		return 77;
	}
	{
		const char *url = getenv("KINTSUGI_PG_URL");
		char sql[128];
		int r;

		snprintf(test_db, sizeof(test_db), "kintsugi_copy_%ld", (long)getpid());
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", test_db);
		if (url_with_db(url, test_db, test_url, sizeof(test_url)) < 0 ||
		    admin(url, sql) < 0) {
			fprintf(stderr, "test-copy: cannot make a database of its own\n");
			return 1;
		}
		r = cmocka_run_group_tests(tests, NULL, NULL);
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", test_db);
		admin(url, sql);
		return r;
	}
}
