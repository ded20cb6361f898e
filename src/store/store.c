/*
 * store.c: the backend-independent part of the store.
 *
 * store_open() reads the URL and hands it to the backend that serves it (a
 * plain path means SQLite; postgresql:// and postgres:// mean PostgreSQL when
 * kintsugi was built with libpq, KINTSUGI_HAVE_PG);
 * store_close() and store_migrate() dispatch on the handle's ops table; the
 * _free helpers release what the get/list operations of any backend return.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store-sqlite.h"
#ifdef KINTSUGI_HAVE_PG
#include "store/store-pg.h"
#endif

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
 * or ret is NULL, -EPROTONOSUPPORT for any other "scheme://" URL (and for
 * postgresql:// and postgres:// in a build without libpq), and -ENOMEM.
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
#ifdef KINTSUGI_HAVE_PG
		return store_pg_open(url, ret, errbuf, errlen);
#else
		set_reason(errbuf, errlen, "this kintsugi was built without PostgreSQL (libpq)");
		return -EPROTONOSUPPORT;
#endif
	}
	if (strstr(url, "://")) {
		set_reason(errbuf, errlen, "unknown kind of database URL");
		return -EPROTONOSUPPORT;
	}
	return store_sqlite_open(url, ret, errbuf, errlen);
}

/*
 * store_url_shown() - see store.h: url as messages may show it.  A path is
 * copied as it is; in a URL the password of its user part and everything
 * from '?' on (which may carry password=...) are left out.
 */
const char *store_url_shown(const char *url, char *buf, size_t len)
{
	const char *rest, *at, *slash, *colon, *query;
	size_t n;

	if (!url || !buf || len == 0)
		return "";
	rest = strstr(url, "://");
	if (!rest) {
		snprintf(buf, len, "%s", url);
		return buf;
	}
	rest += 3;
	slash = rest + strcspn(rest, "/?");
	at = memchr(rest, '@', (size_t)(slash - rest));
	query = strchr(rest, '?');
	n = (size_t)(query ? query - url : (ptrdiff_t)strlen(url));
	if (at) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon) {
			/* scheme://user + @host... without the password */
			snprintf(buf, len, "%.*s%.*s", (int)(colon - url), url, (int)(url + n - at),
				 at);
			return buf;
		}
	}
	snprintf(buf, len, "%.*s", (int)n, url);
	return buf;
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
#ifdef KINTSUGI_HAVE_PG
	if (st->ops == &store_pg_ops)
		return store_pg_migrate(st);
#endif
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
