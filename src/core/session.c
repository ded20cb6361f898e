/*
 * session.c: sessions that carry the member's keys sealed under the
 * cookie's secret.
 *
 * The cookie is "<id>.<secret>".  The row stores BLAKE2b("session id",
 * secret) and the keys (MK || CK || SK) sealed under BLAKE2b("session key",
 * secret), with associated data binding the row id, member and couple; a
 * request proves the secret by opening the keys (the first hash is written
 * but no longer compared: session_resolve() says why).  The
 * server keeps nothing in memory between requests, so any process can
 * serve any request, and the database alone opens nothing.  last_seen is
 * written at most once a minute (a quarter of the idle limit, or a tenth
 * of the member's auto-lock time, when that is shorter), so that reading
 * pages does not cost a synchronous write per request.  A dead session's
 * row goes when its cookie comes back, or in a bounded batch at a later
 * sign-in (session_purge()).
 *
 * Auto-lock reads the same last_seen: a session idle past its member's
 * chosen time is marked locked, and stays so until the password unlocks
 * it.  Since last_seen may lag the last request by up to a tenth of that
 * time, a session locks at the earliest after nine tenths of it: early,
 * never late.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/care.h"
#include "core/couplekey.h"
#include "core/session.h"
#include "limits.h"

#define SESSION_TOUCH_EVERY_S 60
#define SESSION_AUTOLOCK_LAG  10 /* last_seen lags at most 1/10 of the auto-lock time */
#define SESSION_KEYS_LEN      (2 * VAULT_KEY_BYTES + VAULT_SK_BYTES)
#define SESSION_KEYS_MAX      (SESSION_KEYS_LEN + SESSION_OLD_KEYS * VAULT_KEY_BYTES)

void session_now(char out[STORE_TIME_LEN + 1], long offset_s)
{
	time_t t = time(NULL) + offset_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, STORE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void session_seen_time(const struct session *s, const char *actor_id, char t[STORE_TIME_LEN + 1])
{
	static const char midnight[] = "T00:00:00Z";

	if (!s || !actor_id || !t || strcmp(actor_id, s->member_id) == 0 ||
	    strnlen(t, STORE_TIME_LEN + 1) != STORE_TIME_LEN || t[10] != 'T')
		return;
	memcpy(t + 10, midnight, sizeof(midnight) - 1);
}

#define SESSION_AD_PREFIX "sessions"
/* the prefix, three '|', three ids, the NUL */
#define SESSION_AD_BYTES (sizeof(SESSION_AD_PREFIX) - 1 + 3 + 3 * VAULT_ID_HEX + 1)

static char *ad_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * "sessions|<id>|<member>|<couple>": the bytes snprintf("sessions|%s|%s|%s")
 * gave when the sealed keys of older sessions were made, written by hand
 * (every request builds it).  Each id is read up to VAULT_ID_HEX bytes.
 */
static void session_ad(char ad[SESSION_AD_BYTES], const char *id, const char *member,
		       const char *couple)
{
	char *p = ad_put(ad, SESSION_AD_PREFIX, sizeof(SESSION_AD_PREFIX) - 1);

	*p++ = '|';
	p = ad_put(p, id, strnlen(id, VAULT_ID_HEX));
	*p++ = '|';
	p = ad_put(p, member, strnlen(member, VAULT_ID_HEX));
	*p++ = '|';
	p = ad_put(p, couple, strnlen(couple, VAULT_ID_HEX));
	*p = '\0';
}

const char *session_csrf_token(struct session *s)
{
	unsigned char h[32];

	if (!s->csrf[0]) {
		vault_hash(h, "kintsugi csrf", s->secret, sizeof(s->secret));
		vault_hex(s->csrf, h, sizeof(h));
		vault_wipe(h, sizeof(h));
	}
	return s->csrf;
}

/*
 * The sealed keys of a session: MK, CK, SK, then its old couple keys,
 * under a key from the cookie's secret, bound to the row's id, member and
 * couple.  *ret is malloc'd.
 */
static int session_seal(const struct session *s, const unsigned char secret[VAULT_SECRET_BYTES],
			unsigned char **ret, size_t *ret_len)
{
	unsigned char keys[SESSION_KEYS_MAX], key[VAULT_KEY_BYTES];
	char ad[SESSION_AD_BYTES];
	size_t len = SESSION_KEYS_LEN + (size_t)s->n_ck_old * VAULT_KEY_BYTES;
	int r;

	if (s->n_ck_old > SESSION_OLD_KEYS)
		return -EINVAL;
	memcpy(keys, s->mk, VAULT_KEY_BYTES);
	memcpy(keys + VAULT_KEY_BYTES, s->ck, VAULT_KEY_BYTES);
	memcpy(keys + 2 * VAULT_KEY_BYTES, s->sk, VAULT_SK_BYTES);
	memcpy(keys + SESSION_KEYS_LEN, s->ck_old, (size_t)s->n_ck_old * VAULT_KEY_BYTES);
	vault_hash(key, "kintsugi session key", secret, VAULT_SECRET_BYTES);
	session_ad(ad, s->id, s->member_id, s->couple_id);
	r = vault_seal(key, keys, len, ad, ret, ret_len);
	vault_wipe(keys, sizeof(keys));
	vault_wipe(key, sizeof(key));
	return r;
}

int session_start(const struct core *c, const struct member_row *m, const unsigned char *mk,
		  const unsigned char *ck, const unsigned char *sk, char *cookie_out,
		  struct session *ret)
{
	struct session_row row;
	unsigned char hash[32];
	char secret_hex[VAULT_SECRET_HEX + 1];
	unsigned char *sealed = NULL;
	size_t sealed_len;
	int r;

	memset(&row, 0, sizeof(row));
	memset(ret, 0, sizeof(*ret));
	vault_random_id(row.id);
	memcpy(row.member_id, m->id, sizeof(row.member_id));
	memcpy(row.couple_id, m->couple_id, sizeof(row.couple_id));
	session_now(row.created_at, 0);
	memcpy(row.last_seen_at, row.created_at, sizeof(row.last_seen_at));
	session_now(row.expires_at, c->session_absolute_s);
	snprintf(row.browser, sizeof(row.browser), "%s", c->browser ? c->browser : "");

	memcpy(ret->id, row.id, sizeof(ret->id));
	memcpy(ret->member_id, m->id, sizeof(ret->member_id));
	memcpy(ret->couple_id, m->couple_id, sizeof(ret->couple_id));
	snprintf(ret->role, sizeof(ret->role), "%s", m->role);
	snprintf(ret->language, sizeof(ret->language), "%s", m->language);
	memcpy(ret->mk, mk, VAULT_KEY_BYTES);
	memcpy(ret->ck, ck, VAULT_KEY_BYTES);
	memcpy(ret->sk, sk, VAULT_SK_BYTES);
	vault_random(ret->secret, sizeof(ret->secret));
	r = couplekey_load_old(c, m->id, m->couple_id, mk, ret);
	if (r < 0)
		goto out;
	{
		struct member_standing st;

		r = STORE_CALL(c->st, member_standing, m->couple_id, m->id, &st);
		if (r == 0)
			r = care_load(c, ret, st.care_ended);
		if (r != 0) {
			r = r > 0 ? -EIO : r;
			goto out;
		}
	}

	vault_hash(hash, "kintsugi session id", ret->secret, sizeof(ret->secret));
	r = session_seal(ret, ret->secret, &sealed, &sealed_len);
	if (r < 0)
		goto out;
	row.secret_hash.data = hash;
	row.secret_hash.len = sizeof(hash);
	row.keys_sealed.data = sealed;
	row.keys_sealed.len = sealed_len;
	r = STORE_CALL(c->st, session_insert, &row);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}

	vault_hex(secret_hex, ret->secret, sizeof(ret->secret));
	snprintf(cookie_out, SESSION_COOKIE_LEN + 1, "%s.%s", row.id, secret_hex);
	vault_wipe(secret_hex, sizeof(secret_hex));
	r = 0;
out:
	free(sealed);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
	return r;
}

int session_reseal(const struct core *c, const struct session *s)
{
	struct blob sealed = {NULL, 0};
	int r;

	r = session_seal(s, s->secret, &sealed.data, &sealed.len);
	if (r < 0)
		return r;
	r = STORE_CALL(c->st, session_rekeyed, s->id, s->couple_id, &sealed);
	free(sealed.data);
	if (r == STORE_NOTFOUND)
		return 1;
	return r > 0 ? -EIO : r;
}

const unsigned char *session_couple_key(const struct session *s, unsigned i)
{
	if (i == 0)
		return s->ck;
	if (i <= s->n_ck_old && i <= SESSION_OLD_KEYS)
		return s->ck_old[i - 1];
	return NULL;
}

/* Splits "<32 hex>.<64 hex>" into the id and the secret bytes; 0 or -EINVAL. */
static int session_parse_cookie(const char *cookie, size_t len, char id[VAULT_ID_HEX + 1],
				unsigned char secret[VAULT_SECRET_BYTES])
{
	if (len != SESSION_COOKIE_LEN || cookie[VAULT_ID_HEX] != '.' ||
	    !vault_id_valid(cookie, VAULT_ID_HEX))
		return -EINVAL;
	if (vault_unhex(secret, VAULT_SECRET_BYTES, cookie + VAULT_ID_HEX + 1, VAULT_SECRET_HEX))
		return -EINVAL;
	memcpy(id, cookie, VAULT_ID_HEX);
	id[VAULT_ID_HEX] = '\0';
	return 0;
}

int session_resolve(const struct core *c, const char *cookie, size_t cookie_len,
		    struct session *ret)
{
	struct session_row row;
	struct member_standing m;
	unsigned char secret[VAULT_SECRET_BYTES], key[VAULT_KEY_BYTES];
	unsigned char *keys = NULL;
	size_t keys_len = 0;
	char id[VAULT_ID_HEX + 1], now[STORE_TIME_LEN + 1], idle[STORE_TIME_LEN + 1];
	char touch[STORE_TIME_LEN + 1], ad[SESSION_AD_BYTES];
	long every, autolock_s;
	int r, have_row = 0;

	if (!cookie || session_parse_cookie(cookie, cookie_len, id, secret) < 0)
		return 1;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, session_get, id, &row);
	if (r != 0) {
		r = r == STORE_NOTFOUND ? 1 : r;
		goto out;
	}
	have_row = 1;
	/*
	 * The open proves the secret: its key is a keyed hash of the secret,
	 * and XChaCha20-Poly1305 checks the tag, in constant time, before it
	 * decrypts anything, so a wrong secret (or a row whose id, member or
	 * couple was changed in the file) fails here.  Comparing the row's
	 * secret_hash as well, as sessions did until 2026-12, proved nothing
	 * more and cost a hash per request; the column is still written, for
	 * an older binary that reads it.  The open comes before the limits, so
	 * that a cookie without the right secret changes nothing (an expired
	 * row is deleted only for its holder) and learns nothing of its times.
	 */
	vault_hash(key, "kintsugi session key", secret, sizeof(secret));
	session_ad(ad, row.id, row.member_id, row.couple_id);
	r = vault_open(key, row.keys_sealed.data, row.keys_sealed.len, ad, &keys, &keys_len);
	if (r == 0 && (keys_len < SESSION_KEYS_LEN || keys_len > SESSION_KEYS_MAX ||
		       (keys_len - SESSION_KEYS_LEN) % VAULT_KEY_BYTES != 0))
		r = VAULT_BAD;
	if (r != 0) {
		r = r > 0 ? 1 : r;
		goto out;
	}
	/*
	 * Times are whole seconds, so "past the limit" is "a later second than
	 * the limit's": a session never ends early, and ends at most a second
	 * late.  A limit of 1 s thus works (tests use it); "<=" would end a
	 * session signed in at x.9 s at (x+1).0 s, a tenth of a second later.
	 */
	session_now(now, 0);
	session_now(idle, -c->session_idle_s);
	if (strcmp(row.expires_at, now) < 0 || strcmp(row.last_seen_at, idle) < 0) {
		(void)STORE_CALL(c->st, session_delete, row.couple_id, row.id);
		r = 1;
		goto out;
	}
	r = STORE_CALL(c->st, member_standing, row.couple_id, row.member_id, &m);
	if (r != 0) {
		r = r == STORE_NOTFOUND ? 1 : r;
		goto out;
	}

	/*
	 * Auto-lock, before the touch that would hide the idle time: "past"
	 * is a later second than the limit's, as above.  A mark that cannot
	 * be written still locks this answer (fail closed).
	 */
	autolock_s = SESSION_AUTOLOCK_OK(m.autolock_minutes) ? 60L * m.autolock_minutes : 60L;
	if (!row.locked && autolock_s > 0) {
		session_now(idle, -autolock_s);
		if (strcmp(row.last_seen_at, idle) < 0) {
			(void)STORE_CALL(c->st, session_set_locked, row.couple_id, row.id, 1, NULL);
			row.locked = 1;
		}
	}

	/* a short idle limit, or auto-lock, needs fresher marks than once a minute */
	every = SESSION_TOUCH_EVERY_S;
	if (c->session_idle_s / 4 < every)
		every = c->session_idle_s / 4;
	if (autolock_s > 0 && autolock_s / SESSION_AUTOLOCK_LAG < every)
		every = autolock_s / SESSION_AUTOLOCK_LAG;
	session_now(touch, -every);
	if (!row.locked && strcmp(row.last_seen_at, touch) < 0)
		(void)STORE_CALL(c->st, session_touch, row.couple_id, row.id, now);

	memset(ret, 0, sizeof(*ret));
	memcpy(ret->id, row.id, sizeof(ret->id));
	memcpy(ret->member_id, row.member_id, sizeof(ret->member_id));
	memcpy(ret->couple_id, row.couple_id, sizeof(ret->couple_id));
	snprintf(ret->role, sizeof(ret->role), "%s", m.role);
	snprintf(ret->language, sizeof(ret->language), "%s", m.language);
	ret->discreet = m.discreet != 0;
	ret->autolock_minutes = (int)(autolock_s / 60);
	ret->locked = row.locked;
	memcpy(ret->mk, keys, VAULT_KEY_BYTES);
	memcpy(ret->ck, keys + VAULT_KEY_BYTES, VAULT_KEY_BYTES);
	memcpy(ret->sk, keys + 2 * VAULT_KEY_BYTES, VAULT_SK_BYTES);
	ret->n_ck_old = (unsigned)((keys_len - SESSION_KEYS_LEN) / VAULT_KEY_BYTES);
	memcpy(ret->ck_old, keys + SESSION_KEYS_LEN, keys_len - SESSION_KEYS_LEN);
	memcpy(ret->secret, secret, sizeof(ret->secret));
	/* a partner left: this session takes the couple key that replaces theirs */
	r = row.rekey ? couplekey_refresh(c, ret) : 0;
	/* the care key of this request: it changes when a therapist's access ends */
	if (r == 0)
		r = care_load(c, ret, m.care_ended);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
out:
	if (have_row)
		store_session_free(&row);
	vault_wipe(secret, sizeof(secret));
	vault_wipe(key, sizeof(key));
	if (keys) {
		vault_wipe(keys, keys_len);
		free(keys);
	}
	return r;
}

int session_unlock(const struct core *c, struct session *s)
{
	char now[STORE_TIME_LEN + 1];
	int r;

	session_now(now, 0);
	r = STORE_CALL(c->st, session_set_locked, s->couple_id, s->id, 0, now);
	if (r != 0)
		return r == STORE_NOTFOUND ? 1 : r > 0 ? -EIO : r;
	s->locked = 0;
	return 0;
}

/*
 * Signing out ends every session of the member, on every device: after a
 * betrayal, "sign out" must also mean "and the phone I lost, too".
 */
int session_end(const struct core *c, const struct session *s)
{
	int r = STORE_CALL(c->st, session_delete_member, s->couple_id, s->member_id, NULL);

	if (r == STORE_NOTFOUND)
		r = 0;
	return r > 0 ? -EIO : r;
}

int session_supersede(const struct core *c, const struct session *old)
{
	int r;

	if (!old || !old->id[0])
		return 0;
	r = STORE_CALL(c->st, session_delete, old->couple_id, old->id);
	if (r == STORE_NOTFOUND)
		r = 0;
	return r > 0 ? -EIO : r;
}

/*
 * The same "past the limit" as session_resolve(): a later second than the
 * limit's.  Bounded, so that a table left full (by an older version that
 * never purged) costs each sign-in a little, not the first one a lot.
 */
int session_purge(const struct core *c)
{
	char now[STORE_TIME_LEN + 1], idle[STORE_TIME_LEN + 1];
	int r;

	session_now(now, 0);
	session_now(idle, -c->session_idle_s);
	r = STORE_CALL(c->st, session_purge, now, idle, LIMIT_SESSION_PURGE, NULL);
	return r > 0 ? -EIO : r;
}

int session_csrf_ok(struct session *s, const char *token)
{
	if (!s || !token || strlen(token) != SESSION_CSRF_LEN)
		return 0;
	return vault_equal(session_csrf_token(s), token, SESSION_CSRF_LEN);
}

size_t core_list_limit(const struct core *c, size_t limit)
{
	return c->whole_lists ? SIZE_MAX : limit;
}

int core_skip_unreadable(const struct core *c, int r)
{
	if (r != -EBADMSG && r <= 0)
		return r;
	if (c->unreadable)
		(*c->unreadable)++;
	return 0;
}
