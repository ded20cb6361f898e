/*
 * store-copy.h: `kintsugi copy`, an instance moved from SQLite to
 * PostgreSQL, or back (docs/storage.md, "Moving to PostgreSQL").
 *
 * Every row of every table is copied as it is stored: sealed fields stay
 * the ciphertext they are, no key is loaded and the vault is never called.
 * The tables and their columns are found in both databases (sqlite_schema
 * and information_schema), not listed here, so a new migration needs no
 * change to this code.
 */
#ifndef KINTSUGI_STORE_COPY_H
#define KINTSUGI_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

/* Called after each table is copied, with its name and its row count. */
typedef void (*store_copy_progress_fn)(void *ctx, const char *table, int64_t rows);

/* What a copy did, for the closing message. */
struct store_copy_stats {
	size_t tables;
	int64_t rows;
};

/*
 * store_copy() - copy the SQLite database `from` (a path, or sqlite:PATH)
 * into the PostgreSQL database `to` (postgresql://... or postgres://...).
 *
 * The source is opened read-only and read in one snapshot (a consistent
 * copy while a server writes to it); it must be at this binary's schema
 * version.  The target is given its schema when it has none (as
 * `kintsugi migrate` would), must be at the same version, and must hold no
 * row in any table.  Everything is written in one PostgreSQL transaction
 * that holds the writers' lock; identity and serial sequences are set past
 * the copied values.  progress (may be NULL) is called with ctx after each
 * table; stats (may be NULL) is filled on success.  Nothing is printed.
 *
 * The way back: with `from` a postgresql:// URL and `to` a path (or
 * sqlite:PATH), the PostgreSQL database (not migrated, read in one
 * repeatable-read snapshot) is copied into a new SQLite file made with this
 * binary's schema, in one SQLite transaction; an existing file is refused
 * (-EEXIST) and a failed copy removes the file it made.
 *
 * Returns 0, or < 0 with a short reason in errbuf (table and column names,
 * row numbers, never a value, never a password): -EINVAL for names that
 * are not one SQLite file and one PostgreSQL URL, -ENOENT for a missing
 * source, -EPROTO when the schemas differ (versions, tables, columns) or a
 * value does not fit, -ENOTEMPTY for a PostgreSQL target that holds data,
 * -EEXIST for a SQLite target that exists, -ECONNREFUSED when PostgreSQL
 * cannot be reached, -EPROTONOSUPPORT in a build without libpq, -ENOMEM,
 * -EIO.  On failure nothing is left in the target.
 */
int store_copy(const char *from, const char *to, store_copy_progress_fn progress, void *ctx,
	       struct store_copy_stats *stats, char *errbuf, size_t errlen);

#endif
