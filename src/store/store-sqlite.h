/*
 * store-sqlite.h: private interface of the SQLite backend of the store.
 *
 * Only src/store/ (store.c dispatching URLs, the generated migrations table)
 * and tools that need the raw handle (tests, "kintsugi check") include this
 * file; everything else goes through store.h.
 */
#ifndef KINTSUGI_STORE_SQLITE_H
#define KINTSUGI_STORE_SQLITE_H

#include <stddef.h>

#include <sqlite3.h>

#include "store/store.h"

/* One numbered migration: its schema version and the SQL that reaches it. */
struct store_migration {
	int version;	 /* 1, 2, 3...; becomes PRAGMA user_version */
	const char *sql; /* statements, ending with the user_version bump */
};

/* Made by scripts/sql2c from src/store/migrations/NNNN-*.sql, oldest first. */
extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_n;

/* The ops table of the SQLite backend; store_migrate() compares against it. */
extern const struct store_ops store_sqlite_ops;

/*
 * store_sqlite_open() - open (or create) the SQLite database file at path.
 *
 * A missing parent directory is created with mode 0700 and a missing file
 * with mode 0600.  The connection is set up with WAL, synchronous=FULL,
 * foreign keys, secure_delete and a 5 s busy timeout, and pending migrations
 * are applied.  On success *ret owns the handle (close with store_close()).
 * On failure *ret is not written, a short reason (no SQL, no data) is copied
 * into errbuf when errbuf is not NULL, and -EACCES, -ENOENT, -ENOMEM or -EIO
 * is returned.
 */
int store_sqlite_open(const char *path, struct store **ret, char *errbuf, size_t errlen);

/*
 * store_sqlite_migrate() - apply the migrations newer than the file's
 * PRAGMA user_version, each in its own transaction.  Must not be called inside
 * a transaction opened with begin (-EINVAL).  Returns the schema version
 * reached, or -EIO (including a file made by a newer kintsugi), -EBUSY,
 * -ENOMEM.
 */
int store_sqlite_migrate(struct store *st);

/*
 * store_sqlite_db() - the raw connection behind st, for tests and integrity
 * checks.  Returns NULL when st is NULL or not a SQLite store.  The handle
 * stays owned by st.
 */
sqlite3 *store_sqlite_db(struct store *st);

#endif
