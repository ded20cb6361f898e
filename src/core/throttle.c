/*
 * throttle.c: sign-in throttling over the store (see throttle.h).
 *
 * A sliding log rather than a fixed counter: each failure is a row (key,
 * time), and an attempt is refused while a key has `limit` failures within
 * the last `window` seconds.  The answer to "how long until it may try
 * again" is then exact: the limit-th newest failure leaves the window at
 * its time + window, and from then on at most limit - 1 remain.  Refused
 * attempts are not counted (nothing was checked), so a key never holds more
 * rows than its limit plus the attempts that were in flight at once.
 *
 * Keys are BLAKE2b hashes keyed by a domain string, so the table holds no
 * login and no address.  They are not secret against someone holding the
 * table: an IPv4 address has only 2^32 values.  What the table gives away is
 * "some address failed to sign in N times in the last minutes", for at most
 * one window.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/throttle.h"
#include "vault/vault.h"

#define THROTTLE_LOGIN_DOMAIN	"kintsugi throttle login"
#define THROTTLE_ADDRESS_DOMAIN "kintsugi throttle address"
#define THROTTLE_DEVICE_DOMAIN	"kintsugi throttle device" /* its failures */
#define DEVICE_ROW_DOMAIN	"kintsugi device"	   /* its row in devices */
#define THROTTLE_LOGIN_BYTES	1024 /* longer logins are hashed by their first bytes */

int64_t throttle_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Logins are one account whatever their ASCII case (account.c folds them the same way). */
static size_t fold_login(char *out, size_t outlen, const char *login)
{
	size_t i;

	for (i = 0; login[i] && i + 1 < outlen; i++) {
		char ch = login[i];
		out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[i] = '\0';
	return i;
}

/*
 * The bytes an address is counted by: 4 for IPv4 (also when written as an
 * IPv4-mapped IPv6 address), the /64 prefix for IPv6, since one client
 * usually holds a whole /64 and could otherwise take a fresh address for
 * every try.  Returns the length, or 0 when addr is not an IP address.
 */
static size_t address_bytes(const char *addr, unsigned char out[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char a6[16];

	if (inet_pton(AF_INET, addr, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, addr, a6) != 1)
		return 0;
	if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
		memcpy(out, a6 + 12, 4);
		return 4;
	}
	memcpy(out, a6, 8);
	return 8;
}

void throttle_keys_make(struct throttle_keys *ret, const char *login, const char *address)
{
	char folded[THROTTLE_LOGIN_BYTES];
	unsigned char ab[16];
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (login && login[0]) {
		n = fold_login(folded, sizeof(folded), login);
		vault_hash(ret->login, THROTTLE_LOGIN_DOMAIN, folded, n);
		vault_wipe(folded, sizeof(folded));
		ret->has_login = 1;
	}
	if (address) {
		n = address_bytes(address, ab);
		if (n > 0) {
			/* the family travels in the length: 4 and 8 bytes hash apart */
			vault_hash(ret->address, THROTTLE_ADDRESS_DOMAIN, ab, n);
			ret->has_address = 1;
		}
	}
}

/*
 * Is key over limit?  0 (no), THROTTLE_LIMITED with *ret_free_ms the time
 * at which it has room again, or < 0.
 */
static int key_check(struct store *st, const unsigned char *key, unsigned int limit,
		     int64_t window_ms, int64_t now_ms, int64_t *ret_free_ms)
{
	int64_t at;
	int r;

	if (limit == 0)
		return 0;
	r = STORE_CALL(st, throttle_nth, key, now_ms - window_ms, limit, &at);
	if (r == STORE_NOTFOUND)
		return 0;
	if (r != 0)
		return r > 0 ? -EIO : r;
	*ret_free_ms = at + window_ms;
	return THROTTLE_LIMITED;
}

int throttle_check(struct store *st, const struct throttle_limits *lim,
		   const struct throttle_keys *k, int64_t now_ms, int *ret_retry_s)
{
	int64_t window_ms = (int64_t)lim->window_s * 1000, free_ms = 0, f, wait_ms;
	int r, limited = 0;

	if (k->has_login) {
		r = key_check(st, k->login, lim->login_failures, window_ms, now_ms, &f);
		if (r < 0)
			return r;
		if (r == THROTTLE_LIMITED) {
			limited = 1;
			free_ms = f;
		}
	}
	if (k->has_address) {
		r = key_check(st, k->address, lim->address_failures, window_ms, now_ms, &f);
		if (r < 0)
			return r;
		if (r == THROTTLE_LIMITED) {
			limited = 1;
			if (f > free_ms)
				free_ms = f;
		}
	}
	if (!limited)
		return 0;
	/* whole seconds, rounded up: a client that waits that long is let in */
	wait_ms = free_ms - now_ms;
	if (wait_ms < 1)
		wait_ms = 1;
	if (wait_ms > window_ms)
		wait_ms = window_ms;
	*ret_retry_s = (int)((wait_ms + 999) / 1000);
	return THROTTLE_LIMITED;
}

int throttle_failed(struct store *st, const struct throttle_limits *lim,
		    const struct throttle_keys *k, int64_t now_ms)
{
	unsigned char keys[2 * STORE_THROTTLE_KEY_LEN];
	size_t n = 0;
	int r;

	if (k->has_login)
		memcpy(keys + STORE_THROTTLE_KEY_LEN * n++, k->login, STORE_THROTTLE_KEY_LEN);
	if (k->has_address)
		memcpy(keys + STORE_THROTTLE_KEY_LEN * n++, k->address, STORE_THROTTLE_KEY_LEN);
	if (n == 0)
		return 0;
	r = STORE_CALL(st, throttle_add, keys, n, now_ms, now_ms - (int64_t)lim->window_s * 1000);
	return r > 0 ? -EIO : r;
}

int throttle_succeeded(struct store *st, const struct throttle_keys *k)
{
	int r;

	if (!k->has_login)
		return 0;
	r = STORE_CALL(st, throttle_clear, k->login);
	return r > 0 ? -EIO : r;
}

/* The cookie's bytes, from exactly THROTTLE_DEVICE_LEN hex characters. */
static int device_bytes(const char *token, size_t len, unsigned char out[VAULT_SECRET_BYTES])
{
	if (!token || len != THROTTLE_DEVICE_LEN)
		return -EINVAL;
	return vault_unhex(out, VAULT_SECRET_BYTES, token, len);
}

int throttle_device_vouch(struct store *st, struct throttle_keys *k, const char *token, size_t len,
			  const char *login)
{
	unsigned char secret[VAULT_SECRET_BYTES], row_key[STORE_THROTTLE_KEY_LEN];
	char folded[THROTTLE_LOGIN_BYTES], owner[256];
	int r;

	if (!login || !login[0] || device_bytes(token, len, secret) != 0)
		return 0;
	vault_hash(row_key, DEVICE_ROW_DOMAIN, secret, sizeof(secret));
	r = STORE_CALL(st, device_login, row_key, owner, sizeof(owner));
	if (r == STORE_NOTFOUND) {
		r = 0;
		goto out;
	}
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	fold_login(folded, sizeof(folded), login);
	r = strcmp(folded, owner) == 0;
	if (r) {
		vault_hash(k->login, THROTTLE_DEVICE_DOMAIN, secret, sizeof(secret));
		k->has_login = 1;
		k->has_address = 0;
	}
	vault_wipe(folded, sizeof(folded));
out:
	vault_wipe(secret, sizeof(secret));
	return r;
}

int throttle_device_remember(struct store *st, const char *couple_id, const char *member_id,
			     const char *session_id, const char *now, const char *token, size_t len,
			     char fresh[THROTTLE_DEVICE_LEN + 1])
{
	unsigned char secret[VAULT_SECRET_BYTES], row_key[STORE_THROTTLE_KEY_LEN];
	int r, made = 0;

	if (device_bytes(token, len, secret) == 0) {
		vault_hash(row_key, DEVICE_ROW_DOMAIN, secret, sizeof(secret));
		r = STORE_CALL(st, device_put, row_key, couple_id, member_id, now, 0);
		if (r == 0)
			goto bind; /* the browser's cookie for this member, used again */
		if (r != STORE_NOTFOUND) {
			r = r > 0 ? -EIO : r;
			goto out;
		}
	}
	/*
	 * None, another account's (a browser two people use), or one the
	 * store never made (planted): a new one, never the one sent.
	 */
	vault_random(secret, sizeof(secret));
	vault_hash(row_key, DEVICE_ROW_DOMAIN, secret, sizeof(secret));
	r = STORE_CALL(st, device_put, row_key, couple_id, member_id, now, 1);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	vault_hex(fresh, secret, sizeof(secret));
	made = 1;
bind:
	/* a browser whose session is not noted keeps its standing when that session ends */
	if (session_id)
		(void)STORE_CALL(st, device_set_session, row_key, couple_id, member_id, session_id);
out:
	vault_wipe(secret, sizeof(secret));
	vault_wipe(row_key, sizeof(row_key));
	return r < 0 ? r : made;
}

int throttle_device_forget(struct store *st, const char *couple_id, const char *member_id,
			   const char *token, size_t len)
{
	unsigned char secret[VAULT_SECRET_BYTES], row_key[STORE_THROTTLE_KEY_LEN];
	int keep = device_bytes(token, len, secret) == 0, r;

	if (keep)
		vault_hash(row_key, DEVICE_ROW_DOMAIN, secret, sizeof(secret));
	r = STORE_CALL(st, device_forget, couple_id, member_id, keep ? row_key : NULL);
	vault_wipe(secret, sizeof(secret));
	return r > 0 ? -EIO : r;
}
