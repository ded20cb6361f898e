/*
 * store-pg.h: private interface of the PostgreSQL backend of the store
 * (docs/storage.md, "PostgreSQL (in progress)").
 *
 * store_open() hands postgresql:// and postgres:// URLs to store_pg_open()
 * in a build with libpq (KINTSUGI_HAVE_PG); the unit test (test-store.c
 * built as test-store-pg) also calls it directly.
 */
#ifndef KINTSUGI_STORE_PG_H
#define KINTSUGI_STORE_PG_H

#include <stddef.h>

#include "store/store.h"

/* One numbered PostgreSQL migration (src/store/migrations-pg/NNNN-*.sql). */
struct store_pg_migration {
	int version;	 /* the schema version it reaches (kintsugi_schema.version) */
	const char *sql; /* statements, ending with the version bump */
};

/* Made by scripts/sql2c --pg, oldest first; may start above 1 (a baseline). */
extern const struct store_pg_migration store_pg_migrations[];
extern const size_t store_pg_migrations_n;

extern const struct store_ops store_pg_ops;

/*
 * store_pg_open() - connect to the PostgreSQL database at url (a libpq
 * connection URI, postgresql://...) and apply pending migrations.  On
 * success *ret owns the handle (close with store_close()).  On failure *ret
 * is not written, a short reason (no password, no SQL) is copied into
 * errbuf, and -ECONNREFUSED, -ENOMEM or -EIO is returned.
 */
int store_pg_open(const char *url, struct store **ret, char *errbuf, size_t errlen);

/*
 * store_pg_migrate() - apply the migrations newer than kintsugi_schema.version
 * under an advisory lock (two processes starting together migrate once),
 * each in its own transaction.  Returns the version reached, or -EIO
 * (including a database made by a newer kintsugi, or one at a version below
 * the baseline), -EINVAL inside a transaction.
 */
int store_pg_migrate(struct store *st);

#endif
