/*
 * store-copy.c: `kintsugi copy`, a SQLite database copied into an empty
 * PostgreSQL one (store-copy.h; docs/storage.md, "Moving to PostgreSQL").
 *
 * Nothing here knows the tables.  The SQLite side lists its tables
 * (sqlite_schema) and their columns (pragma_table_info); the PostgreSQL side
 * lists its own (information_schema); both lists must name the same tables
 * with the same columns, PostgreSQL's `rowid` identity (which stands for
 * SQLite's implicit rowid) aside.  Each table is then read in rowid order
 * and written with COPY ... FROM STDIN in binary: integers as integers, text
 * as its bytes (checked to be UTF-8 without NUL first, so a refusal names the
 * row, not PostgreSQL's guess at it), blobs as their bytes.  Sealed columns
 * are blobs like any other: their ciphertext is copied, never opened.
 *
 * One snapshot of the source (a read transaction), one transaction in the
 * target, holding the store's writers' lock (the begin op), the tables
 * written parents first (their foreign keys deferred to the commit only if
 * they go round); the
 * identity and serial sequences are moved past the copied values before the
 * commit.  A failure anywhere rolls the target back whole.
 *
 * The way back (copy_back) uses the same lists: PostgreSQL read in one
 * read-only repeatable-read snapshot, row by row in binary (single-row
 * mode), into a new SQLite file through bound inserts in one transaction
 * with deferred foreign keys; the file is removed when the copy fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store-copy.h"
#include "store/store.h"

#ifndef KINTSUGI_HAVE_PG

int store_copy(const char *from, const char *to, store_copy_progress_fn progress, void *ctx,
	       struct store_copy_stats *stats, char *errbuf, size_t errlen)
{
	(void)from;
	(void)to;
	(void)progress;
	(void)ctx;
	(void)stats;
	if (errbuf && errlen > 0)
		snprintf(errbuf, errlen, "this kintsugi was built without PostgreSQL (libpq)");
	return -EPROTONOSUPPORT;
}

#else

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store-pg.h"
#include "store/store-sqlite.h"

#define COPY_FLUSH (256 * 1024) /* bytes of COPY data handed to libpq at a time */

/* How a PostgreSQL column's values travel in COPY's binary format. */
enum copy_type {
	COPY_INT8,
	COPY_INT4,
	COPY_INT2,
	COPY_BOOL,
	COPY_FLOAT8,
	COPY_FLOAT4,
	COPY_TEXT,
	COPY_BYTEA,
};

/* Where a target column's values come from. */
enum copy_source {
	COPY_FROM_COLUMN, /* the source's column of the same name */
	COPY_FROM_ROWID,  /* PostgreSQL's rowid identity: SQLite's implicit rowid */
	COPY_FROM_NONE,	  /* a rowid identity of a WITHOUT ROWID table: left to PostgreSQL */
};

struct copy_col {
	char *name;
	enum copy_type type;
	char *seq; /* its identity or serial sequence, or NULL */
	enum copy_source source;
};

struct copy_table {
	char *name;
	struct copy_col *cols; /* PostgreSQL's columns, in its order */
	size_t ncols;
	bool has_rowid; /* in SQLite (not WITHOUT ROWID) */
	bool placed;	/* in the order already */
	int64_t rows;
};

struct copy {
	sqlite3 *db;
	struct store *st;
	PGconn *conn;
	struct copy_table *tables;
	size_t ntables;
	size_t *order; /* indices into tables, parents first */
	bool cycle;    /* the foreign keys go round: some child comes before its parent */
	store_copy_progress_fn progress; /* may be NULL */
	void *ctx;
	char *errbuf;
	size_t errlen;
};

/* COPY's binary data, gathered before it is handed to libpq. */
struct copy_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

static int fail(struct copy *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct copy *c, int r, const char *fmt, ...)
{
	va_list ap;

	if (c->errbuf && c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->errbuf, c->errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* PostgreSQL's refusal as a reason: its code and constraint, never its message's values. */
static int fail_pg(struct copy *c, const PGresult *res, const char *what, const char *table)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	if (PQstatus(c->conn) != CONNECTION_OK)
		return fail(c, -EIO, "the connection to PostgreSQL was lost while %s%s%s", what,
			    table ? " " : "", table ? table : "");
	return fail(c, -EIO, "PostgreSQL refused %s%s%s (SQLSTATE %s%s%s)", what, table ? " " : "",
		    table ? table : "", state ? state : "unknown", cons ? ", constraint " : "",
		    cons ? cons : "");
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* "name" with every " doubled: an identifier for either SQL dialect. */
static char *quoted(const char *name)
{
	size_t n = strlen(name), i, j = 0;
	char *q = malloc(2 * n + 3);

	if (!q)
		return NULL;
	q[j++] = '"';
	for (i = 0; i < n; i++) {
		if (name[i] == '"')
			q[j++] = '"';
		q[j++] = name[i];
	}
	q[j++] = '"';
	q[j] = '\0';
	return q;
}

/* ---- a growing string, for the statements made from the column lists ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void sb_ident(struct sbuf *b, const char *name)
{
	char *q = quoted(name);

	if (!q) {
		b->oom = true;
		return;
	}
	sb_add(b, q);
	free(q);
}

/* ---- COPY's binary format ---- */

static void cb_put(struct copy_buf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : COPY_FLUSH * 2;
		unsigned char *p;

		while (b->len + n > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n && data)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void cb_be(struct copy_buf *b, uint64_t v, size_t bytes)
{
	unsigned char out[8];

	for (size_t i = 0; i < bytes; i++)
		out[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	cb_put(b, out, bytes);
}

/* One field: its length (-1 for NULL), then its bytes. */
static void cb_field(struct copy_buf *b, const void *data, size_t n)
{
	cb_be(b, (uint32_t)n, 4);
	cb_put(b, data, n);
}

/* Valid UTF-8 as PostgreSQL takes it: no overlong form, surrogate or NUL, at most U+10FFFF. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/*
 * Column i of the source row s as col's binary field; 0, or -EPROTO with
 * the reason (table, column and row number: never the value).
 */
static int put_value(struct copy *c, struct copy_buf *b, sqlite3_stmt *s, int i,
		     const struct copy_table *t, const struct copy_col *col, int64_t row)
{
	int type = sqlite3_column_type(s, i);
	const unsigned char *p;
	sqlite3_int64 v;
	double d;
	int n;

	if (type == SQLITE_NULL) {
		cb_be(b, 0xffffffffu, 4);
		return 0;
	}
	switch (col->type) {
	case COPY_INT8:
	case COPY_INT4:
	case COPY_INT2:
	case COPY_BOOL:
		if (type != SQLITE_INTEGER)
			break;
		v = sqlite3_column_int64(s, i);
		if (col->type == COPY_INT8) {
			cb_be(b, 8, 4);
			cb_be(b, (uint64_t)v, 8);
		} else if (col->type == COPY_INT4 && v >= INT32_MIN && v <= INT32_MAX) {
			cb_be(b, 4, 4);
			cb_be(b, (uint64_t)v, 4);
		} else if (col->type == COPY_INT2 && v >= INT16_MIN && v <= INT16_MAX) {
			cb_be(b, 2, 4);
			cb_be(b, (uint64_t)v, 2);
		} else if (col->type == COPY_BOOL && (v == 0 || v == 1)) {
			cb_be(b, 1, 4);
			cb_be(b, (uint64_t)v, 1);
		} else {
			return fail(c, -EPROTO,
				    "row %lld of table %s: column %s holds a number "
				    "too large for it in PostgreSQL",
				    (long long)row, t->name, col->name);
		}
		return 0;
	case COPY_FLOAT8:
	case COPY_FLOAT4:
		if (type != SQLITE_INTEGER && type != SQLITE_FLOAT)
			break;
		d = sqlite3_column_double(s, i);
		if (col->type == COPY_FLOAT8) {
			uint64_t bits;

			memcpy(&bits, &d, sizeof(bits));
			cb_be(b, 8, 4);
			cb_be(b, bits, 8);
		} else {
			float f = (float)d;
			uint32_t bits;

			memcpy(&bits, &f, sizeof(bits));
			cb_be(b, 4, 4);
			cb_be(b, bits, 4);
		}
		return 0;
	case COPY_TEXT:
		if (type == SQLITE_BLOB)
			break;
		p = sqlite3_column_text(s, i);
		n = sqlite3_column_bytes(s, i);
		if (!p && n > 0)
			return fail(c, -ENOMEM, "out of memory");
		if (!utf8_ok(p, (size_t)n))
			return fail(c, -EPROTO,
				    "row %lld of table %s: column %s holds text that is not "
				    "UTF-8 (or holds a NUL byte), which PostgreSQL refuses",
				    (long long)row, t->name, col->name);
		cb_field(b, p, (size_t)n);
		return 0;
	case COPY_BYTEA:
		if (type != SQLITE_BLOB && type != SQLITE_TEXT)
			break;
		p = sqlite3_column_blob(s, i);
		n = sqlite3_column_bytes(s, i);
		if (!p && n > 0)
			return fail(c, -ENOMEM, "out of memory");
		cb_field(b, p, (size_t)n);
		return 0;
	}
	return fail(c, -EPROTO, "row %lld of table %s: column %s holds a value of another type",
		    (long long)row, t->name, col->name);
}

/* ---- finding the tables ---- */

static void tables_free(struct copy *c)
{
	for (size_t i = 0; i < c->ntables; i++) {
		for (size_t j = 0; j < c->tables[i].ncols; j++) {
			free(c->tables[i].cols[j].name);
			free(c->tables[i].cols[j].seq);
		}
		free(c->tables[i].cols);
		free(c->tables[i].name);
	}
	free(c->tables);
	free(c->order);
}

static int type_of(const char *data_type, enum copy_type *ret)
{
	static const struct {
		const char *name;
		enum copy_type type;
	} types[] = {
		{"bigint", COPY_INT8},
		{"integer", COPY_INT4},
		{"smallint", COPY_INT2},
		{"boolean", COPY_BOOL},
		{"double precision", COPY_FLOAT8},
		{"real", COPY_FLOAT4},
		{"text", COPY_TEXT},
		{"character varying", COPY_TEXT},
		{"bytea", COPY_BYTEA},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(data_type, types[i].name) == 0) {
			*ret = types[i].type;
			return 0;
		}
	return -1;
}

/* PostgreSQL's tables (kintsugi_schema aside) and their columns, by name then position. */
static int pg_tables(struct copy *c)
{
	PGresult *res = PQexec(
		c->conn, "SELECT k.table_name, k.column_name, k.data_type, "
			 "pg_get_serial_sequence(quote_ident(k.table_schema) || '.' || "
			 "quote_ident(k.table_name), k.column_name) "
			 "FROM information_schema.columns k JOIN information_schema.tables t "
			 "ON t.table_schema = k.table_schema AND t.table_name = k.table_name "
			 "WHERE k.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
			 "AND k.table_name <> 'kintsugi_schema' "
			 "ORDER BY k.table_name COLLATE \"C\", k.ordinal_position");
	struct copy_table *t = NULL; /* the table being filled */
	int n, r = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = fail_pg(c, res, "to list its tables", NULL);
		PQclear(res);
		return r;
	}
	n = PQntuples(res);
	c->tables = calloc((size_t)n + 1, sizeof(*c->tables));
	if (!c->tables) {
		PQclear(res);
		return fail(c, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < n && r == 0; i++) {
		const char *table = PQgetvalue(res, i, 0), *type = PQgetvalue(res, i, 2);
		struct copy_col *col, *cols;
		char *name;

		/* the rows come table by table: a new name starts the next table */
		if (!t || strcmp(t->name, table) != 0) {
			name = strdup(table);
			if (!name) {
				r = fail(c, -ENOMEM, "out of memory");
				break;
			}
			t = &c->tables[c->ntables++];
			t->name = name;
		}
		cols = realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
		if (!cols) {
			r = fail(c, -ENOMEM, "out of memory");
			break;
		}
		t->cols = cols;
		col = &t->cols[t->ncols];
		memset(col, 0, sizeof(*col));
		col->name = strdup(PQgetvalue(res, i, 1));
		col->seq = PQgetisnull(res, i, 3) ? NULL : dup_or_null(PQgetvalue(res, i, 3));
		t->ncols++;
		if (!col->name || (!PQgetisnull(res, i, 3) && !col->seq))
			r = fail(c, -ENOMEM, "out of memory");
		else if (type_of(type, &col->type) < 0)
			r = fail(c, -EPROTO,
				 "column %s of table %s in the PostgreSQL database has a type "
				 "(%s) that copy does not know",
				 col->name, table, type);
	}
	PQclear(res);
	if (r == 0 && c->ntables == 0)
		r = fail(c, -EPROTO, "the PostgreSQL database has no tables");
	return r;
}

static struct copy_table *table_named(struct copy *c, const char *name)
{
	for (size_t i = 0; name && i < c->ntables; i++)
		if (c->tables[i].name && strcmp(c->tables[i].name, name) == 0)
			return &c->tables[i];
	return NULL;
}

/* 1 when SQLite's table has rowid (not WITHOUT ROWID), 0 when not, < 0 on failure. */
static int sq_has_rowid(struct copy *c, const char *table)
{
	struct sbuf q = {0};
	sqlite3_stmt *s = NULL;
	int rc;

	sb_add(&q, "SELECT rowid FROM ");
	sb_ident(&q, table);
	if (q.oom) {
		free(q.p);
		return fail(c, -ENOMEM, "out of memory");
	}
	rc = sqlite3_prepare_v2(c->db, q.p, -1, &s, NULL);
	sqlite3_finalize(s);
	free(q.p);
	return rc == SQLITE_OK ? 1 : 0;
}

/*
 * The source's tables and columns against the target's: the same tables,
 * the same columns (PostgreSQL's rowid standing for SQLite's); -EPROTO
 * naming the first difference.
 */
static int match_tables(struct copy *c)
{
	sqlite3_stmt *s = NULL, *cols = NULL;
	size_t seen = 0;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(c->db,
				"SELECT name FROM sqlite_schema WHERE type = 'table' "
				"AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_info(?1)", -1, &cols,
					NULL);
	if (rc != SQLITE_OK) {
		r = fail(c, -EIO, "cannot read the SQLite tables: %s", sqlite3_errstr(rc));
		goto out;
	}
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		struct copy_table *t = name ? table_named(c, name) : NULL;
		size_t found = 0;
		int hr;

		if (!t) {
			r = fail(c, -EPROTO,
				 "table %s is in the SQLite database, not in the PostgreSQL one",
				 name ? name : "?");
			break;
		}
		seen++;
		hr = sq_has_rowid(c, t->name);
		if (hr < 0) {
			r = hr;
			break;
		}
		t->has_rowid = hr == 1;
		sqlite3_reset(cols);
		sqlite3_bind_text(cols, 1, t->name, -1, SQLITE_TRANSIENT);
		while (r == 0 && (rc = sqlite3_step(cols)) == SQLITE_ROW) {
			const char *cname = (const char *)sqlite3_column_text(cols, 0);
			size_t j;

			for (j = 0; cname && j < t->ncols; j++)
				if (strcmp(t->cols[j].name, cname) == 0)
					break;
			if (!cname || j == t->ncols)
				r = fail(c, -EPROTO,
					 "column %s of table %s is in the SQLite database, not in "
					 "the "
					 "PostgreSQL one",
					 cname ? cname : "?", t->name);
			else
				found++;
		}
		if (r == 0 && rc != SQLITE_DONE)
			r = fail(c, -EIO, "cannot read the SQLite columns of %s: %s", t->name,
				 sqlite3_errstr(rc));
		if (r != 0)
			break;
		/* what the target has beyond: its rowid, filled from SQLite's or left to the
		 * identity */
		for (size_t j = 0; j < t->ncols && found < t->ncols; j++) {
			struct copy_col *col = &t->cols[j];
			bool in_source = false;

			sqlite3_reset(cols);
			while ((rc = sqlite3_step(cols)) == SQLITE_ROW) {
				const char *cname = (const char *)sqlite3_column_text(cols, 0);

				if (cname && strcmp(cname, col->name) == 0)
					in_source = true;
			}
			if (in_source)
				continue;
			if (strcmp(col->name, "rowid") == 0 && col->seq) {
				col->source = t->has_rowid ? COPY_FROM_ROWID : COPY_FROM_NONE;
				found++;
				continue;
			}
			r = fail(c, -EPROTO,
				 "column %s of table %s is in the PostgreSQL database, not in the "
				 "SQLite one",
				 col->name, t->name);
			break;
		}
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = fail(c, -EIO, "cannot read the SQLite tables: %s", sqlite3_errstr(rc));
	if (r == 0 && seen != c->ntables) {
		for (size_t i = 0; i < c->ntables; i++) {
			sqlite3_stmt *one = NULL;
			bool there = false;

			if (sqlite3_prepare_v2(c->db,
					       "SELECT 1 FROM sqlite_schema WHERE type = 'table' "
					       "AND name = ?1",
					       -1, &one, NULL) == SQLITE_OK) {
				sqlite3_bind_text(one, 1, c->tables[i].name, -1, SQLITE_STATIC);
				there = sqlite3_step(one) == SQLITE_ROW;
			}
			sqlite3_finalize(one);
			if (!there) {
				r = fail(c, -EPROTO,
					 "table %s is in the PostgreSQL database, not in the "
					 "SQLite one",
					 c->tables[i].name);
				break;
			}
		}
	}
out:
	sqlite3_finalize(cols);
	sqlite3_finalize(s);
	return r;
}

/* The tables, parents first (by the target's foreign keys); a cycle goes last, by name. */
static int order_tables(struct copy *c)
{
	PGresult *res =
		PQexec(c->conn, "SELECT DISTINCT ch.relname, pa.relname FROM pg_constraint k "
				"JOIN pg_class ch ON ch.oid = k.conrelid "
				"JOIN pg_class pa ON pa.oid = k.confrelid "
				"JOIN pg_namespace n ON n.oid = ch.relnamespace "
				"WHERE k.contype = 'f' AND n.nspname = current_schema()");
	size_t placed = 0;
	int n;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int r = fail_pg(c, res, "to list its foreign keys", NULL);

		PQclear(res);
		return r;
	}
	n = PQntuples(res);
	c->order = calloc(c->ntables, sizeof(*c->order));
	if (!c->order) {
		PQclear(res);
		return fail(c, -ENOMEM, "out of memory");
	}
	while (placed < c->ntables) {
		size_t before = placed;

		for (size_t i = 0; i < c->ntables; i++) {
			struct copy_table *t = &c->tables[i];
			bool ready = true;

			if (t->placed)
				continue;
			for (int k = 0; k < n && ready; k++) {
				struct copy_table *parent;

				if (strcmp(PQgetvalue(res, k, 0), t->name) != 0 ||
				    strcmp(PQgetvalue(res, k, 1), t->name) == 0)
					continue;
				parent = table_named(c, PQgetvalue(res, k, 1));
				if (parent && !parent->placed)
					ready = false;
			}
			if (ready) {
				t->placed = true;
				c->order[placed++] = i;
			}
		}
		if (placed == before) { /* a cycle: its keys are deferred to the commit */
			c->cycle = true;
			for (size_t i = 0; i < c->ntables; i++)
				if (!c->tables[i].placed) {
					c->tables[i].placed = true;
					c->order[placed++] = i;
					break;
				}
		}
	}
	PQclear(res);
	return 0;
}

/* ---- checks before writing ---- */

static int sq_user_version(struct copy *c, int *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ret = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return fail(c, -EIO, "cannot read the source: %s", sqlite3_errstr(rc));
	return 0;
}

/* The source at this binary's schema version: else what to do about it. */
static int check_source_version(struct copy *c, const char *path, int *ret)
{
	int ours = store_sqlite_migrations[store_sqlite_migrations_n - 1].version;
	int from = 0, r;

	r = sq_user_version(c, &from);
	if (r < 0)
		return r;
	if (from == 0)
		return fail(c, -EPROTO,
			    "the source is not a kintsugi database (no schema version)");
	if (from < ours)
		return fail(c, -EPROTO,
			    "the source is at schema version %d and this kintsugi's is %d: run "
			    "`kintsugi migrate --db %s` first, then copy",
			    from, ours, path);
	if (from > ours)
		return fail(c, -EPROTO,
			    "the source is at schema version %d, made by a newer kintsugi (this "
			    "one knows %d): copy with that kintsugi",
			    from, ours);
	*ret = from;
	return 0;
}

/* The target at the source's version (store_open has brought it to this binary's). */
static int check_target_version(struct copy *c, int from)
{
	PGresult *res = PQexec(c->conn, "SELECT version FROM kintsugi_schema");
	int to, r;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		r = fail_pg(c, res, "to give its schema version:", "the target");
		PQclear(res);
		return r;
	}
	to = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (to != from)
		return fail(c, -EPROTO,
			    "the target is at schema version %d and the source at %d: both must "
			    "be at the same one",
			    to, from);
	return 0;
}

/* Every table of the target empty, else -ENOTEMPTY naming the first with a row. */
static int check_empty(struct copy *c)
{
	for (size_t i = 0; i < c->ntables; i++) {
		struct sbuf q = {0};
		PGresult *res;
		int r = 0;

		sb_add(&q, "SELECT 1 FROM ");
		sb_ident(&q, c->tables[i].name);
		sb_add(&q, " LIMIT 1");
		if (q.oom) {
			free(q.p);
			return fail(c, -ENOMEM, "out of memory");
		}
		res = PQexec(c->conn, q.p);
		free(q.p);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			r = fail_pg(c, res, "to read", c->tables[i].name);
		else if (PQntuples(res) > 0)
			r = fail(c, -ENOTEMPTY,
				 "the target is not empty (table %s has rows): copy only fills "
				 "a new database",
				 c->tables[i].name);
		PQclear(res);
		if (r != 0)
			return r;
	}
	return 0;
}

/* ---- copying ---- */

static int flush(struct copy *c, struct copy_buf *b, const char *table)
{
	if (b->oom)
		return fail(c, -ENOMEM, "out of memory");
	if (b->len == 0)
		return 0;
	if (PQputCopyData(c->conn, (const char *)b->p, (int)b->len) != 1)
		return fail_pg(c, NULL, "to take the rows of", table);
	b->len = 0;
	return 0;
}

/* The COPY in progress ended: with NULL, done; else abandoned (the transaction is then lost). */
static int copy_end(struct copy *c, const char *abandon, const char *table)
{
	PGresult *res;
	int r = 0;

	if (PQputCopyEnd(c->conn, abandon) != 1 && !abandon)
		r = fail_pg(c, NULL, "to take the rows of", table);
	while ((res = PQgetResult(c->conn))) {
		if (r == 0 && !abandon && PQresultStatus(res) != PGRES_COMMAND_OK)
			r = fail_pg(c, res, "the rows of", table);
		PQclear(res);
	}
	return r;
}

static int copy_table(struct copy *c, struct copy_table *t, struct copy_buf *b)
{
	struct sbuf sel = {0}, cp = {0};
	sqlite3_stmt *s = NULL;
	const char *sep = "";
	PGresult *res;
	int ncopy = 0, rc, r = 0;
	int64_t row = 0;

	sb_add(&sel, "SELECT ");
	sb_add(&cp, "COPY ");
	sb_ident(&cp, t->name);
	sb_add(&cp, " (");
	for (size_t j = 0; j < t->ncols; j++) {
		const struct copy_col *col = &t->cols[j];

		if (col->source == COPY_FROM_NONE)
			continue; /* left to its identity */
		sb_add(&sel, sep);
		if (col->source == COPY_FROM_ROWID)
			sb_add(&sel, "rowid");
		else
			sb_ident(&sel, col->name);
		sb_add(&cp, sep);
		sb_ident(&cp, col->name);
		sep = ", ";
		ncopy++;
	}
	sb_add(&sel, " FROM ");
	sb_ident(&sel, t->name);
	if (t->has_rowid)
		sb_add(&sel, " ORDER BY rowid");
	sb_add(&cp, ") FROM STDIN (FORMAT binary)");
	if (sel.oom || cp.oom) {
		r = fail(c, -ENOMEM, "out of memory");
		goto out;
	}
	rc = sqlite3_prepare_v2(c->db, sel.p, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		r = fail(c, -EIO, "cannot read table %s of the source: %s", t->name,
			 sqlite3_errstr(rc));
		goto out;
	}
	res = PQexec(c->conn, cp.p);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		r = fail_pg(c, res, "to take the rows of", t->name);
		PQclear(res);
		goto out;
	}
	PQclear(res);
	b->len = 0;
	cb_put(b, "PGCOPY\n\377\r\n\0", 11);
	cb_be(b, 0, 4); /* flags */
	cb_be(b, 0, 4); /* no header extension */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int i = 0;

		row++;
		cb_be(b, (uint64_t)ncopy, 2);
		for (size_t j = 0; j < t->ncols && r == 0; j++) {
			const struct copy_col *col = &t->cols[j];

			if (col->source == COPY_FROM_NONE)
				continue;
			r = put_value(c, b, s, i++, t, col, row);
		}
		if (r == 0 && b->len >= COPY_FLUSH)
			r = flush(c, b, t->name);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(c, -EIO, "cannot read table %s of the source: %s", t->name,
			 sqlite3_errstr(rc));
	if (r == 0) {
		cb_be(b, 0xffff, 2); /* the trailer */
		r = flush(c, b, t->name);
	}
	if (r != 0) {
		copy_end(c, "kintsugi copy stopped", t->name);
		goto out;
	}
	r = copy_end(c, NULL, t->name);
	t->rows = row;
out:
	sqlite3_finalize(s);
	free(sel.p);
	free(cp.p);
	return r;
}

/* Every identity and serial sequence past the values copied into its column. */
static int move_sequences(struct copy *c)
{
	for (size_t i = 0; i < c->ntables; i++) {
		const struct copy_table *t = &c->tables[i];

		for (size_t j = 0; j < t->ncols; j++) {
			const struct copy_col *col = &t->cols[j];
			const char *params[1] = {col->seq};
			struct sbuf q = {0};
			PGresult *res;
			int r = 0;

			if (!col->seq)
				continue;
			sb_add(&q, "SELECT setval($1::regclass, COALESCE((SELECT max(");
			sb_ident(&q, col->name);
			sb_add(&q, ") FROM ");
			sb_ident(&q, t->name);
			sb_add(&q, "), 0) + 1, false)");
			if (q.oom) {
				free(q.p);
				return fail(c, -ENOMEM, "out of memory");
			}
			res = PQexecParams(c->conn, q.p, 1, NULL, params, NULL, NULL, 0);
			free(q.p);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				r = fail_pg(c, res, "to move the sequence of", t->name);
			PQclear(res);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

static int pg_simple(struct copy *c, const char *sql, const char *what)
{
	PGresult *res = PQexec(c->conn, sql);
	int r = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		r = fail_pg(c, res, what, NULL);
	PQclear(res);
	return r;
}

static int copy_all(struct copy *c, struct store_copy_stats *stats)
{
	struct copy_buf b = {0};
	int64_t rows = 0;
	int r;

	/* the writers' lock of the target: no kintsugi writes there meanwhile */
	r = c->st->ops->begin(c->st);
	if (r != 0)
		return fail(c, r < 0 ? r : -EIO, "cannot start a transaction in the target");
	/*
	 * Parents first, each table's keys checked at the end of its COPY (a
	 * refusal names the table); deferred to the commit only when they go
	 * round, since PostgreSQL keeps every deferred check in memory until then.
	 */
	if (c->cycle)
		r = pg_simple(c, "SET CONSTRAINTS ALL DEFERRED", "to defer its foreign keys");
	if (r == 0)
		r = check_empty(c);
	for (size_t k = 0; r == 0 && k < c->ntables; k++) {
		struct copy_table *t = &c->tables[c->order[k]];

		r = copy_table(c, t, &b);
		if (r == 0) {
			rows += t->rows;
			if (c->progress)
				c->progress(c->ctx, t->name, t->rows);
		}
	}
	free(b.p);
	if (r == 0)
		r = move_sequences(c);
	if (r == 0) {
		/* the commit checks the deferred foreign keys */
		r = c->st->ops->commit(c->st);
		if (r == STORE_NOTFOUND)
			r = fail(c, -EPROTO,
				 "PostgreSQL refused the copy at its commit: a row of the source "
				 "refers to a row it does not have (a foreign key); nothing was "
				 "written");
		else if (r != 0)
			r = fail(c, r < 0 ? r : -EIO,
				 "PostgreSQL refused the copy at its commit; nothing was written");
	}
	if (r != 0)
		c->st->ops->rollback(c->st);
	if (r == 0 && stats) {
		stats->tables = c->ntables;
		stats->rows = rows;
	}
	return r;
}

/* ---- the way back: PostgreSQL into a new SQLite file ---- */

/* Field k of the single row in res, bound as parameter i of the insert s. */
static int bind_value(struct copy *c, sqlite3_stmt *s, int i, const PGresult *res, int k,
		      const struct copy_table *t, const struct copy_col *col, int64_t row)
{
	const char *v = PQgetvalue(res, 0, k);
	int len = PQgetlength(res, 0, k), rc = SQLITE_OK, want = 0;
	uint64_t u = 0;

	if (PQgetisnull(res, 0, k))
		return sqlite3_bind_null(s, i) == SQLITE_OK ? 0 : fail(c, -ENOMEM, "out of memory");
	switch (col->type) {
	case COPY_INT8:
	case COPY_FLOAT8:
		want = 8;
		break;
	case COPY_INT4:
	case COPY_FLOAT4:
		want = 4;
		break;
	case COPY_INT2:
		want = 2;
		break;
	case COPY_BOOL:
		want = 1;
		break;
	case COPY_TEXT:
		rc = sqlite3_bind_text(s, i, len ? v : "", len, SQLITE_TRANSIENT);
		break;
	case COPY_BYTEA:
		rc = len ? sqlite3_bind_blob(s, i, v, len, SQLITE_TRANSIENT)
			 : sqlite3_bind_zeroblob(s, i, 0);
		break;
	}
	if (want) {
		if (len != want)
			return fail(c, -EPROTO,
				    "row %lld of table %s: column %s came back from PostgreSQL "
				    "with %d bytes, not %d",
				    (long long)row, t->name, col->name, len, want);
		for (int j = 0; j < want; j++)
			u = (u << 8) | (unsigned char)v[j];
		if (col->type == COPY_FLOAT8) {
			double d;

			memcpy(&d, &u, sizeof(d));
			rc = sqlite3_bind_double(s, i, d);
		} else if (col->type == COPY_FLOAT4) {
			uint32_t bits = (uint32_t)u;
			float f;

			memcpy(&f, &bits, sizeof(f));
			rc = sqlite3_bind_double(s, i, f);
		} else {
			/* two's complement of want bytes, sign-extended */
			if (want < 8 && (u >> (8 * want - 1)) & 1)
				u |= ~(uint64_t)0 << (8 * want);
			rc = sqlite3_bind_int64(s, i, (sqlite3_int64)u);
		}
	}
	return rc == SQLITE_OK ? 0 : fail(c, -ENOMEM, "out of memory");
}

/* One table from PostgreSQL (the snapshot on c->conn) into SQLite (c->db, in a transaction). */
static int copy_table_back(struct copy *c, struct copy_table *t)
{
	struct sbuf sel = {0}, ins = {0};
	sqlite3_stmt *s = NULL;
	const char *sep = "";
	bool pg_rowid = false;
	PGresult *res;
	int ncopy = 0, rc, r = 0;
	int64_t row = 0;

	sb_add(&sel, "SELECT ");
	sb_add(&ins, "INSERT INTO ");
	sb_ident(&ins, t->name);
	sb_add(&ins, " (");
	for (size_t j = 0; j < t->ncols; j++) {
		const struct copy_col *col = &t->cols[j];

		if (col->source == COPY_FROM_NONE)
			continue; /* PostgreSQL's own numbering of a WITHOUT ROWID table */
		if (col->source == COPY_FROM_ROWID)
			pg_rowid = true;
		sb_add(&sel, sep);
		sb_ident(&sel, col->name);
		sb_add(&ins, sep);
		sb_add(&ins, col->source == COPY_FROM_ROWID ? "rowid" : "");
		if (col->source != COPY_FROM_ROWID)
			sb_ident(&ins, col->name);
		sep = ", ";
		ncopy++;
	}
	sb_add(&sel, " FROM ");
	sb_ident(&sel, t->name);
	if (pg_rowid)
		sb_add(&sel, " ORDER BY rowid");
	sb_add(&ins, ") VALUES (");
	for (int i = 0; i < ncopy; i++)
		sb_add(&ins, i ? ", ?" : "?");
	sb_add(&ins, ")");
	if (sel.oom || ins.oom) {
		r = fail(c, -ENOMEM, "out of memory");
		goto out;
	}
	rc = sqlite3_prepare_v2(c->db, ins.p, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		r = fail(c, -EIO, "cannot write table %s: %s", t->name, sqlite3_errstr(rc));
		goto out;
	}
	/* row by row, in binary: the table is never held whole in memory */
	if (!PQsendQueryParams(c->conn, sel.p, 0, NULL, NULL, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(c->conn)) {
		r = fail_pg(c, NULL, "to read", t->name);
		goto drain;
	}
	while ((res = PQgetResult(c->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (r == 0 && st == PGRES_SINGLE_TUPLE) {
			row++;
			sqlite3_reset(s);
			for (int i = 0; i < ncopy && r == 0; i++) {
				size_t j, seen = 0;

				/* the i-th copied column: skip the ones left out */
				for (j = 0; j < t->ncols; j++) {
					if (t->cols[j].source == COPY_FROM_NONE)
						continue;
					if (seen++ == (size_t)i)
						break;
				}
				r = bind_value(c, s, i + 1, res, i, t, &t->cols[j], row);
			}
			if (r == 0 && (rc = sqlite3_step(s)) != SQLITE_DONE)
				r = fail(c, -EPROTO, "row %lld of table %s: SQLite refused it (%s)",
					 (long long)row, t->name, sqlite3_errstr(rc));
		} else if (r == 0 && st != PGRES_TUPLES_OK) {
			r = fail_pg(c, res, "to read", t->name);
		}
		PQclear(res);
	}
	t->rows = row;
	goto out;
drain:
	while ((res = PQgetResult(c->conn)))
		PQclear(res);
out:
	sqlite3_finalize(s);
	free(sel.p);
	free(ins.p);
	return r;
}

/* The source's version as this kintsugi's: else what to do about it. */
static int check_pg_source_version(struct copy *c, const char *url)
{
	int ours = store_pg_migrations[store_pg_migrations_n - 1].version, from;
	PGresult *res = PQexec(c->conn, "SELECT version FROM kintsugi_schema");
	char shown[512];
	int r;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (state && strcmp(state, "42P01") == 0)
			r = fail(c, -EPROTO, "the source is not a kintsugi database (no schema)");
		else
			r = fail_pg(c, res, "to give its schema version", NULL);
		PQclear(res);
		return r;
	}
	from = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (from < ours)
		return fail(c, -EPROTO,
			    "the source is at schema version %d and this kintsugi's is %d: run "
			    "`kintsugi migrate --db %s` first, then copy",
			    from, ours, store_url_shown(url, shown, sizeof(shown)));
	if (from > ours)
		return fail(c, -EPROTO,
			    "the source is at schema version %d, made by a newer kintsugi (this "
			    "one knows %d): copy with that kintsugi",
			    from, ours);
	return 0;
}

static void remove_new_file(const char *path)
{
	char side[4096];

	/* the file this copy made (it did not exist before), and SQLite's companions */
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/*
 * PostgreSQL at url into the new SQLite file at path: one snapshot of the
 * source (repeatable read, read only), one SQLite transaction with its
 * foreign keys deferred to the commit; on failure the new file is removed.
 */
static int copy_back(struct copy *c, const char *url, const char *path,
		     struct store_copy_stats *stats)
{
	struct stat sb;
	int64_t rows = 0;
	bool made = false;
	int version = 0, r;

	if (lstat(path, &sb) == 0)
		return fail(c, -EEXIST, "%s already exists: copy writes a new SQLite file", path);
	if (errno != ENOENT)
		return fail(c, -errno, "cannot write %s: %s", path, strerror(errno));
	c->conn = PQconnectdb(url);
	if (!c->conn)
		return fail(c, -ENOMEM, "out of memory");
	if (PQstatus(c->conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password; ours neither */
		r = fail(c, -ECONNREFUSED, "cannot connect to the PostgreSQL server");
		goto out;
	}
	r = pg_simple(c, "SET client_min_messages = warning", "the session's settings");
	if (r == 0)
		r = pg_simple(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			      "a read-only snapshot");
	if (r == 0)
		r = check_pg_source_version(c, url);
	if (r != 0)
		goto out;
	/* the new file, with this kintsugi's schema (removed again if the copy fails) */
	made = true;
	r = store_open(path, &c->st, c->errbuf, c->errlen);
	if (r < 0)
		goto out;
	c->db = store_sqlite_db(c->st);
	r = sq_user_version(c, &version);
	if (r == 0 && version != store_pg_migrations[store_pg_migrations_n - 1].version)
		r = fail(c, -EPROTO,
			 "the source is at schema version %d and a new SQLite file at %d: both "
			 "must be at the same one",
			 store_pg_migrations[store_pg_migrations_n - 1].version, version);
	if (r == 0)
		r = pg_tables(c);
	if (r == 0)
		r = match_tables(c);
	if (r == 0)
		r = order_tables(c);
	if (r == 0) {
		r = c->st->ops->begin(c->st);
		if (r != 0)
			r = fail(c, r < 0 ? r : -EIO, "cannot start a transaction in %s", path);
		else if (sqlite3_exec(c->db, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL) !=
			 SQLITE_OK)
			r = fail(c, -EIO, "cannot defer the foreign keys of %s", path);
	}
	for (size_t k = 0; r == 0 && k < c->ntables; k++) {
		struct copy_table *t = &c->tables[c->order[k]];

		r = copy_table_back(c, t);
		if (r == 0) {
			rows += t->rows;
			if (c->progress)
				c->progress(c->ctx, t->name, t->rows);
		}
	}
	if (r == 0) {
		r = c->st->ops->commit(c->st);
		if (r != 0)
			r = fail(c, r < 0 && r != -EINVAL ? r : -EPROTO,
				 "SQLite refused the copy at its commit (a row refers to a row "
				 "the source does not have, a foreign key); nothing was kept");
	}
	if (r != 0 && c->st)
		c->st->ops->rollback(c->st);
	if (r == 0 && stats) {
		stats->tables = c->ntables;
		stats->rows = rows;
	}
out:
	store_close(c->st);
	c->st = NULL;
	c->db = NULL;
	if (r != 0 && made)
		remove_new_file(path);
	PQfinish(c->conn); /* the read-only snapshot ends with it */
	c->conn = NULL;
	return r;
}

static bool is_pg(const char *name)
{
	return strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0;
}

/* The path in name: sqlite:PATH, sqlite://PATH or PATH; NULL for any other URL. */
static const char *sqlite_path(const char *name)
{
	if (strncmp(name, "sqlite://", 9) == 0)
		name += 9;
	else if (strncmp(name, "sqlite:", 7) == 0)
		name += 7;
	if (!*name || strstr(name, "://"))
		return NULL;
	return name;
}

int store_copy(const char *from, const char *to, store_copy_progress_fn progress, void *ctx,
	       struct store_copy_stats *stats, char *errbuf, size_t errlen)
{
	struct copy c = {.errbuf = errbuf, .errlen = errlen, .progress = progress, .ctx = ctx};
	const char *path;
	struct stat sb;
	int version = 0, rc, r;

	if (errbuf && errlen > 0)
		errbuf[0] = '\0';
	if (!from || !to)
		return fail(&c, -EINVAL, "give both a source and a target");
	if (is_pg(from) && !is_pg(to)) {
		path = sqlite_path(to);
		if (!path)
			return fail(&c, -EINVAL, "the target must be a SQLite file: sqlite:PATH");
		r = copy_back(&c, from, path, stats);
		tables_free(&c);
		return r;
	}
	if (!is_pg(to))
		return fail(&c, -EINVAL,
			    "one of the two must be a PostgreSQL database (postgresql://...), "
			    "the other a SQLite file");
	path = sqlite_path(from);
	if (!path)
		return fail(&c, -EINVAL, "the source must be a SQLite database: sqlite:PATH");
	if (stat(path, &sb) < 0)
		return fail(&c, -errno, "cannot read the source: %s", strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return fail(&c, -EINVAL, "the source is not a file");

	/* read-only: the source is never written, nor migrated */
	rc = sqlite3_open_v2(path, &c.db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(c.db, 5000);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		r = fail(&c, -EIO, "cannot read the source: %s", sqlite3_errstr(rc));
		goto out;
	}
	/* the snapshot starts with this first read: every read below is of it */
	r = check_source_version(&c, path, &version);
	if (r < 0)
		goto out;
	/* the target's schema as this kintsugi makes it (created when missing) */
	r = store_open(to, &c.st, errbuf, errlen);
	if (r < 0)
		goto out;
	c.conn = store_pg_conn(c.st);
	if (!c.conn) {
		r = fail(&c, -EINVAL, "the target is not a PostgreSQL database");
		goto out;
	}
	r = check_target_version(&c, version);
	if (r == 0)
		r = pg_tables(&c);
	if (r == 0)
		r = match_tables(&c);
	if (r == 0)
		r = order_tables(&c);
	if (r == 0)
		r = copy_all(&c, stats);
out:
	tables_free(&c);
	store_close(c.st);
	if (c.db) {
		sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(c.db);
	}
	return r;
}

#endif
