/*
 * floor.c: the floor of the benchmarked request, timed without HTTP.
 *
 * bench/run times GET /api/v1/journal?limit=50 (50 entries).  Whatever
 * serves that page, with kintsugi's data as it is stored, must:
 *
 *   1. resolve the session: parse the cookie "<id>.<secret>", read the row
 *      of that id, check that it has neither expired nor idled out, derive
 *      the session key from the secret (one keyed BLAKE2b, as session.c
 *      does it) and open the sealed keys (one XChaCha20-Poly1305 open, which
 *      proves the secret as well: a wrong one gives a wrong key);
 *   2. read the member's 50 newest rows: one prepared statement, in the same
 *      read transaction as the session's row;
 *   3. derive the journal subkey once and open the 50 bodies (and any
 *      prompt) with their associated data;
 *   4. write the JSON answer, escaping the text.
 *
 * This program does exactly that, and nothing else, in a loop: statements
 * prepared once and reset after each use, values read in place from
 * SQLite's column memory, no allocation per iteration, one reused output
 * buffer, the associated data and the JSON put together with memcpy, the
 * escape scan 16 bytes at a time where SSE2 exists.  Of kintsugi it uses
 * only the vault (thin wrappers over the same libsodium calls); none of its
 * store, core, API or HTTP code runs.  What it leaves out is what a page
 * does not need, or needs less than once per request: the member row (role
 * and language; the journal is private, and the query itself finds only the
 * member's rows), the second hash of the secret that session.c compares
 * (the open proves the secret), the CSRF token, the touch of last_seen_at
 * (one write a minute at most), and all of HTTP (nginx's CPU per request
 * for the same bytes, measured beside it, is a fair price for that part).
 *
 *   floor DB COOKIE EXPECTED_JSON [ITERATIONS]
 *
 * DB is the database bench/run made (its server may keep running), COOKIE
 * the session cookie's value, EXPECTED_JSON the answer kintsugi gave for the
 * page: the first iteration's JSON must be the same bytes, or the program
 * fails.  Prints the mean CPU time per iteration (user + system, whole
 * process, CLOCK_PROCESS_CPUTIME_ID) in microseconds on stdout, nothing
 * else; 0 on success, 1 on any error (said on stderr).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <sqlite3.h>

#include "vault/vault.h"

#define FLOOR_PAGE	     50		 /* entries on the benchmarked page */
#define FLOOR_ITERATIONS     20000	 /* default: about 2 s of CPU */
#define FLOOR_WARMUP	     200	 /* untimed first iterations */
#define FLOOR_IDLE_S	     (12 * 3600) /* the server's default idle limit */
#define FLOOR_KEYS_LEN	     (2 * VAULT_KEY_BYTES + VAULT_SK_BYTES) /* MK || CK || SK */
#define FLOOR_JOURNAL_KEY_ID 1
#define FLOOR_TIME_LEN	     20 /* "YYYY-MM-DDTHH:MM:SSZ" */
#define FLOOR_AD_MAX	     160
#define FLOOR_COOKIE_LEN     (VAULT_ID_HEX + 1 + VAULT_SECRET_HEX)
#define FLOOR_ITERATIONS_MAX 10000000UL
#define FLOOR_EXPECTED_MAX   (1 << 24)

static const char floor_session_sql[] =
	"SELECT member_id, couple_id, keys_sealed, last_seen_at, expires_at "
	"FROM sessions WHERE id = ?1";
static const char floor_journal_sql[] =
	"SELECT id, version, body_sealed, prompt_sealed, created_at, updated_at "
	"FROM journal_entries WHERE couple_id = ?1 AND author_id = ?2 "
	"ORDER BY created_at DESC, seq DESC LIMIT ?3";

/* One connection and its statements, prepared once. */
struct floor_db {
	sqlite3 *db;
	sqlite3_stmt *begin;   /* BEGIN: one read transaction per request */
	sqlite3_stmt *commit;  /* COMMIT */
	sqlite3_stmt *session; /* floor_session_sql */
	sqlite3_stmt *journal; /* floor_journal_sql */
};

/* The answer, written into one buffer that grows only while it is too small. */
struct floor_out {
	char *buf;
	size_t len;
	size_t cap;
};

/* Now and the idle limit as stored times, formatted again only when the second changes. */
struct floor_clock {
	time_t at;		       /* the second now and idle were made for */
	char now[FLOOR_TIME_LEN + 1];  /* later: expired */
	char idle[FLOOR_TIME_LEN + 1]; /* earlier last_seen_at: idled out */
};

static void floor_clock_update(struct floor_clock *c)
{
	time_t t = time(NULL), i = t - FLOOR_IDLE_S;
	struct tm tm;

	if (t == c->at)
		return;
	c->at = t;
	gmtime_r(&t, &tm);
	strftime(c->now, sizeof(c->now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&i, &tm);
	strftime(c->idle, sizeof(c->idle), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Makes room for more bytes; 0 or -ENOMEM.  Allocates only while the buffer is too small. */
static int out_reserve(struct floor_out *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *nb;

	if (more <= o->cap - o->len)
		return 0;
	while (cap - o->len < more) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	nb = realloc(o->buf, cap);
	if (!nb)
		return -ENOMEM;
	o->buf = nb;
	o->cap = cap;
	return 0;
}

/* Appends n bytes for which room was reserved. */
static void out_raw(struct floor_out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Appends n bytes; 0 or -ENOMEM. */
static int out_put(struct floor_out *o, const char *s, size_t n)
{
	if (out_reserve(o, n) < 0)
		return -ENOMEM;
	out_raw(o, s, n);
	return 0;
}

#define OUT_LIT(o, lit) out_put((o), (lit), sizeof(lit) - 1)

/* How many bytes of s, from the start, JSON takes as they are (not '"', '\\' or below 0x20). */
static size_t plain_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i top = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');

	for (; n - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* min(x, 0x1f) == x exactly when x <= 0x1f, unsigned */
		__m128i bad = _mm_or_si128(
			_mm_cmpeq_epi8(_mm_min_epu8(x, top), x),
			_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)));
		unsigned int mask = (unsigned int)_mm_movemask_epi8(bad);

		if (mask)
			return i + (size_t)__builtin_ctz(mask);
	}
#endif
	while (i < n && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/* The letter of a two-character escape (RFC 8259, section 7) for ch, or 0 for \u00XX. */
static char short_escape(unsigned char ch)
{
	static const char from[] = "\b\f\n\r\t\"\\", to[] = "bfnrt\"\\";
	const char *at = memchr(from, ch, sizeof(from) - 1);

	return at ? to[at - from] : 0;
}

/*
 * A JSON string in quotes, with room reserved for the worst case (every byte
 * \u00XX).  Escapes as RFC 8259 section 7 allows and kintsugi's answers do:
 * the two-character forms where JSON has one, else \u00XX in lowercase hex.
 */
static int out_string(struct floor_out *o, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	if (n > (SIZE_MAX - 2) / 6 || out_reserve(o, 6 * n + 2) < 0)
		return -ENOMEM;
	o->buf[o->len++] = '"';
	for (;;) {
		size_t run = plain_prefix(s + i, n - i);
		char *p;

		out_raw(o, (const char *)s + i, run);
		i += run;
		if (i == n)
			break;
		p = o->buf + o->len;
		p[0] = '\\';
		p[1] = short_escape(s[i]);
		if (p[1]) {
			o->len += 2;
		} else {
			p[1] = 'u';
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[s[i] >> 4];
			p[5] = hex[s[i] & 0xf];
			o->len += 6;
		}
		i++;
	}
	o->buf[o->len++] = '"';
	return 0;
}

/* A text column as a JSON string. */
static int out_column(struct floor_out *o, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return out_string(o, s ? s : "", (size_t)sqlite3_column_bytes(st, col));
}

/* One piece of associated data: len bytes at s. */
struct ad_part {
	const char *s;
	size_t len;
};

/*
 * The associated data of a sealed blob: its n parts joined with '|' and a
 * NUL, into ad.  Every caller's parts are short and of known length (ids of
 * VAULT_ID_HEX, a number of 20 digits at most, a constant), far below
 * FLOOR_AD_MAX together.
 */
static void ad_join(char ad[FLOOR_AD_MAX], const struct ad_part *parts, size_t n)
{
	char *p = ad;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = '|';
		memcpy(p, parts[i].s, parts[i].len);
		p += parts[i].len;
	}
	*p = '\0';
}

/* The decimal digits of v (with '-' when negative) at p, up to 20 bytes; the end. */
static char *put_decimal(char *p, long long v)
{
	unsigned long long u = (unsigned long long)v, t;
	size_t digits = 1;
	char *end, *q;

	if (v < 0) {
		*p++ = '-';
		u = 0ULL - u;
	}
	for (t = u; t >= 10; t /= 10)
		digits++;
	end = p + digits;
	for (q = end; q > p; u /= 10)
		*--q = (char)('0' + u % 10);
	return end;
}

/* "journal_entries.<field>|<id>|<couple>|<version>", as journal.c seals them. */
static void journal_ad(char ad[FLOOR_AD_MAX], const char *table_field, const char *id,
		       const char *couple, long long version)
{
	char num[24];
	struct ad_part parts[] = {
		{table_field, strlen(table_field)},
		{id, VAULT_ID_HEX},
		{couple, VAULT_ID_HEX},
		{num, (size_t)(put_decimal(num, version) - num)},
	};

	ad_join(ad, parts, sizeof(parts) / sizeof(parts[0]));
}

/* Everything a request reuses: the connection, the clock, the answer, room for one plaintext. */
struct floor {
	struct floor_db db;
	struct floor_clock clock;
	struct floor_out out;
	char *text;	 /* one opened field at a time */
	size_t text_cap; /* bytes at text */
};

/* Opens the sealed field in column col into f->text; its length, or -1. */
static long open_field(struct floor *f, const unsigned char key[VAULT_KEY_BYTES], sqlite3_stmt *st,
		       int col, const char *ad)
{
	const unsigned char *b = sqlite3_column_blob(st, col);
	size_t blen = (size_t)sqlite3_column_bytes(st, col);

	if (blen < VAULT_SEAL_OVERHEAD || blen - VAULT_SEAL_OVERHEAD > f->text_cap ||
	    vault_open_into(key, b, blen, ad, f->text, blen - VAULT_SEAL_OVERHEAD) != 0)
		return -1;
	return (long)(blen - VAULT_SEAL_OVERHEAD);
}

/* One entry of the page from the journal statement's current row; 0 or -1. */
static int write_entry(struct floor *f, sqlite3_stmt *st, const unsigned char jkey[VAULT_KEY_BYTES],
		       const char *couple)
{
	struct floor_out *o = &f->out;
	const char *id = (const char *)sqlite3_column_text(st, 0);
	long long version = sqlite3_column_int64(st, 1);
	char ad[FLOOR_AD_MAX];
	long len;

	if (!id || sqlite3_column_bytes(st, 0) != VAULT_ID_HEX)
		return -1;
	journal_ad(ad, "journal_entries.body", id, couple, version);
	len = open_field(f, jkey, st, 2, ad);
	if (len < 0 || OUT_LIT(o, "{\"id\":") < 0 || out_column(o, st, 0) < 0 ||
	    OUT_LIT(o, ",\"body\":") < 0 || out_string(o, f->text, (size_t)len) < 0 ||
	    OUT_LIT(o, ",\"prompt\":") < 0)
		return -1;
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		if (OUT_LIT(o, "null") < 0)
			return -1;
	} else {
		journal_ad(ad, "journal_entries.prompt", id, couple, version);
		len = open_field(f, jkey, st, 3, ad);
		if (len < 0 || out_string(o, f->text, (size_t)len) < 0)
			return -1;
	}
	if (OUT_LIT(o, ",\"created_at\":") < 0 || out_column(o, st, 4) < 0 ||
	    OUT_LIT(o, ",\"updated_at\":") < 0 || out_column(o, st, 5) < 0 || OUT_LIT(o, "}") < 0)
		return -1;
	return 0;
}

/*
 * The session's row, its times and its keys.  member and couple get the
 * row's ids (VAULT_ID_HEX + NUL each), keys MK || CK || SK.  0, or -1 when
 * the session does not resolve.  Leaves the statement reset.
 */
static int resolve_session(struct floor *f, const char *id,
			   const unsigned char secret[VAULT_SECRET_BYTES], char *member,
			   char *couple, unsigned char keys[FLOOR_KEYS_LEN])
{
	sqlite3_stmt *st = f->db.session;
	unsigned char key[VAULT_KEY_BYTES];
	const struct ad_part parts[] = {
		{"sessions", 8},
		{id, VAULT_ID_HEX},
		{member, VAULT_ID_HEX},
		{couple, VAULT_ID_HEX},
	};
	char ad[FLOOR_AD_MAX];
	const char *m, *c, *seen, *expires;
	int r = -1;

	if (sqlite3_bind_text(st, 1, id, VAULT_ID_HEX, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	m = (const char *)sqlite3_column_text(st, 0);
	c = (const char *)sqlite3_column_text(st, 1);
	seen = (const char *)sqlite3_column_text(st, 3);
	expires = (const char *)sqlite3_column_text(st, 4);
	if (!m || !c || !seen || !expires || sqlite3_column_bytes(st, 0) != VAULT_ID_HEX ||
	    sqlite3_column_bytes(st, 1) != VAULT_ID_HEX || strcmp(expires, f->clock.now) < 0 ||
	    strcmp(seen, f->clock.idle) < 0)
		goto out;
	memcpy(member, m, VAULT_ID_HEX + 1);
	memcpy(couple, c, VAULT_ID_HEX + 1);
	/* "sessions|<id>|<member>|<couple>", as session.c seals the keys */
	ad_join(ad, parts, sizeof(parts) / sizeof(parts[0]));
	vault_hash(key, "kintsugi session key", secret, VAULT_SECRET_BYTES);
	if (vault_open_into(key, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
			    ad, keys, FLOOR_KEYS_LEN) == 0)
		r = 0;
	vault_wipe(key, sizeof(key));
out:
	sqlite3_reset(st);
	return r;
}

/* The page's rows, opened and written after "[": 0, or a reason. */
static const char *write_page(struct floor *f, const unsigned char keys[FLOOR_KEYS_LEN],
			      const char *member, const char *couple)
{
	sqlite3_stmt *st = f->db.journal;
	unsigned char jkey[VAULT_KEY_BYTES];
	const char *why = NULL;
	int rc, n = 0;

	vault_derive(jkey, keys, FLOOR_JOURNAL_KEY_ID, "journal_");
	if (sqlite3_bind_text(st, 1, couple, VAULT_ID_HEX, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, member, VAULT_ID_HEX, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, FLOOR_PAGE) != SQLITE_OK) {
		why = "bind";
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((n > 0 && OUT_LIT(&f->out, ",") < 0) || write_entry(f, st, jkey, couple) < 0) {
			why = "an entry does not open";
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		why = "reading the page";
out:
	vault_wipe(jkey, sizeof(jkey));
	sqlite3_reset(st);
	return why;
}

/* One request: cookie in, the page's JSON in f->out.  0, or -1 (the reason on stderr). */
static int floor_request(struct floor *f, const char *cookie, size_t cookie_len)
{
	unsigned char secret[VAULT_SECRET_BYTES], keys[FLOOR_KEYS_LEN];
	char id[VAULT_ID_HEX + 1], member[VAULT_ID_HEX + 1], couple[VAULT_ID_HEX + 1];
	const char *why = NULL;

	f->out.len = 0;
	if (cookie_len != FLOOR_COOKIE_LEN || cookie[VAULT_ID_HEX] != '.' ||
	    !vault_id_valid(cookie, VAULT_ID_HEX) ||
	    vault_unhex(secret, sizeof(secret), cookie + VAULT_ID_HEX + 1, VAULT_SECRET_HEX) != 0) {
		fprintf(stderr, "floor: not a session cookie\n");
		return -1;
	}
	memcpy(id, cookie, VAULT_ID_HEX);
	id[VAULT_ID_HEX] = '\0';
	floor_clock_update(&f->clock);
	/* one read transaction for the session and the page */
	if (sqlite3_step(f->db.begin) != SQLITE_DONE)
		why = "BEGIN";
	else if (resolve_session(f, id, secret, member, couple, keys) < 0)
		why = "the session does not resolve";
	else if (OUT_LIT(&f->out, "{\"entries\":[") < 0)
		why = "out of memory";
	else
		why = write_page(f, keys, member, couple);
	if (!why && OUT_LIT(&f->out, "]}") < 0)
		why = "out of memory";
	if (sqlite3_step(f->db.commit) != SQLITE_DONE && !why)
		why = "COMMIT";
	sqlite3_reset(f->db.begin);
	sqlite3_reset(f->db.commit);
	vault_wipe(secret, sizeof(secret));
	vault_wipe(keys, sizeof(keys));
	if (why) {
		fprintf(stderr, "floor: %s: %s\n", why, sqlite3_errmsg(f->db.db));
		return -1;
	}
	return 0;
}

static int floor_db_open(struct floor_db *d, const char *path)
{
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_busy_timeout(d->db, 5000) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "BEGIN", -1, &d->begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "COMMIT", -1, &d->commit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, floor_session_sql, -1, &d->session, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, floor_journal_sql, -1, &d->journal, NULL) != SQLITE_OK) {
		fprintf(stderr, "floor: %s: %s\n", path,
			d->db ? sqlite3_errmsg(d->db) : "no memory");
		return -1;
	}
	return 0;
}

/* Accepts a connection that never opened (all NULL). */
static void floor_db_close(struct floor_db *d)
{
	sqlite3_finalize(d->begin);
	sqlite3_finalize(d->commit);
	sqlite3_finalize(d->session);
	sqlite3_finalize(d->journal);
	sqlite3_close(d->db);
}

/* The whole of path into a malloc'd buffer; 0 or -1. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(FLOOR_EXPECTED_MAX);
	size_t n = 0;

	if (f && buf)
		n = fread(buf, 1, FLOOR_EXPECTED_MAX, f);
	if (!f || !buf || ferror(f) || n == FLOOR_EXPECTED_MAX) {
		fprintf(stderr, "floor: cannot read %s\n", path);
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	*ret = buf;
	*ret_len = n;
	return 0;
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ITERATIONS, if given; 0 or -1. */
static int parse_iterations(int argc, char **argv, unsigned long *ret)
{
	char *end = NULL;

	*ret = FLOOR_ITERATIONS;
	if (argc < 5)
		return 0;
	errno = 0;
	*ret = strtoul(argv[4], &end, 10);
	if (errno || !end || *end || *ret < 1 || *ret > FLOOR_ITERATIONS_MAX) {
		fprintf(stderr, "floor: ITERATIONS: 1 to %lu\n", FLOOR_ITERATIONS_MAX);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct floor f;
	char *expected = NULL;
	size_t expected_len = 0, cookie_len;
	unsigned long iterations, i;
	double t0;
	int r = 1;

	memset(&f, 0, sizeof(f));
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: floor DB COOKIE EXPECTED_JSON [ITERATIONS]\n");
		return 1;
	}
	if (parse_iterations(argc, argv, &iterations) < 0)
		return 1;
	cookie_len = strlen(argv[2]);
	if (vault_init() < 0 || floor_db_open(&f.db, argv[1]) < 0 ||
	    read_file(argv[3], &expected, &expected_len) < 0)
		goto out;
	/* no field of the page is longer than the answer that holds it */
	f.text_cap = expected_len;
	f.text = malloc(f.text_cap);
	if (!f.text)
		goto out;

	if (floor_request(&f, argv[2], cookie_len) < 0)
		goto out;
	if (f.out.len != expected_len || memcmp(f.out.buf, expected, expected_len) != 0) {
		fprintf(stderr, "floor: the JSON (%zu bytes) is not kintsugi's (%zu bytes)\n",
			f.out.len, expected_len);
		goto out;
	}
	for (i = 0; i < FLOOR_WARMUP; i++)
		if (floor_request(&f, argv[2], cookie_len) < 0)
			goto out;
	t0 = cpu_seconds();
	for (i = 0; i < iterations; i++)
		if (floor_request(&f, argv[2], cookie_len) < 0)
			goto out;
	printf("%.1f\n", (cpu_seconds() - t0) * 1e6 / (double)iterations);
	r = 0;
out:
	floor_db_close(&f.db);
	if (f.text)
		vault_wipe(f.text, f.text_cap);
	free(f.text);
	free(f.out.buf);
	free(expected);
	return r;
}
