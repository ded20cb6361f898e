/*
 * store.c: the backend-independent part of the store.
 *
 * store_open() reads the URL and hands it to the backend that serves it (a
 * plain path means SQLite; postgresql:// is recognised but not built yet);
 * store_close() and store_migrate() dispatch on the handle's ops table; the
 * _free helpers release what the get/list operations of any backend return.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store-sqlite.h"

static void set_reason(char *errbuf, size_t errlen, const char *reason)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, errlen, "%s", reason);
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * store_open() - see store.h.  Also returns -EINVAL when url is NULL or empty
 * or ret is NULL, -EPROTONOSUPPORT for postgresql:// and postgres:// (and for
 * any other "scheme://" URL), and -ENOMEM.
 */
int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen)
{
	if (errbuf && errlen > 0)
		errbuf[0] = '\0';
	if (!url || !*url || !ret) {
		set_reason(errbuf, errlen, "no database given");
		return -EINVAL;
	}
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		set_reason(errbuf, errlen, "PostgreSQL support is not built yet");
		return -EPROTONOSUPPORT;
	}
	if (strstr(url, "://")) {
		set_reason(errbuf, errlen, "unknown kind of database URL");
		return -EPROTONOSUPPORT;
	}
	return store_sqlite_open(url, ret, errbuf, errlen);
}

/* store_close() - close st and free it; accepts NULL. */
void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

/*
 * store_migrate() - see store.h.  Returns -EINVAL for NULL and -EOPNOTSUPP
 * for a backend without migrations.
 */
int store_migrate(struct store *st)
{
	if (!st)
		return -EINVAL;
	if (st->ops == &store_sqlite_ops)
		return store_sqlite_migrate(st);
	return -EOPNOTSUPP;
}

/* store_blob_free() - free b->data and leave b empty; accepts NULL. */
void store_blob_free(struct blob *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* store_member_free() - free the blobs inside m (not m itself); accepts NULL. */
void store_member_free(struct member_row *m)
{
	if (!m)
		return;
	store_blob_free(&m->kek_salt);
	store_blob_free(&m->mk_by_pw);
	store_blob_free(&m->rk_salt);
	store_blob_free(&m->mk_by_rk);
	store_blob_free(&m->public_key);
	store_blob_free(&m->secret_key_sealed);
}

/* store_invite_free() - free the blobs inside inv (not inv); accepts NULL. */
void store_invite_free(struct invite_row *inv)
{
	if (!inv)
		return;
	store_blob_free(&inv->secret_hash);
	store_blob_free(&inv->ck_wrapped);
}

/* store_session_free() - free the blobs inside s (not s); accepts NULL. */
void store_session_free(struct session_row *s)
{
	if (!s)
		return;
	store_blob_free(&s->secret_hash);
	store_blob_free(&s->keys_sealed);
}

/* store_journal_free() - free the blobs inside e (not e); accepts NULL. */
void store_journal_free(struct journal_row *e)
{
	if (!e)
		return;
	store_blob_free(&e->body_sealed);
	store_blob_free(&e->prompt_sealed);
}

/*
 * store_journal_list_free() - free the n rows returned by journal_list, their
 * blobs and the array itself; accepts NULL.
 */
void store_journal_list_free(struct journal_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		store_journal_free(&rows[i]);
	free(rows);
}

void store_care_invite_list_free(struct care_invite_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		store_blob_free(&rows[i].note_sealed);
	free(rows);
}
