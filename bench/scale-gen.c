/*
 * scale-gen.c: the scale benchmark's generator (bench/scale, `make
 * bench-scale`; docs/performance.md).  A build-only tool, not a test, never
 * installed: bench/meson.build builds it only when asked for by name.
 *
 * It fills a database with N synthetic couples as real members would fill
 * it, through the real core in one process: each couple is a sign-up
 * (account_signup), an invite and a join (account_invite, account_join),
 * the daily rhythm, a year of daily check-ins by both partners shared with
 * each other (checkin_add), and a private journal for each partner
 * (journal_add).  Every sealed field goes through core and the vault, so at
 * rest it is real ciphertext under each member's and couple's keys.
 *
 * The one difference from a real member: this program links its own copy
 * of src/vault/vault.c, compiled with KINTSUGI_LOWEST_KDF, whose Argon2id
 * runs at libsodium's lowest cost (the member row still names the level
 * "interactive", the only thing the members table takes; each password
 * hash says "$m=8,t=1,"), so that 10,000 couples take minutes, not hours.
 * A server derives the member's key at the real interactive cost, so a
 * synthetic member cannot sign in to a server with their password.  They
 * sign in here instead: the sessions this program starts are ordinary
 * session rows, and their cookies and CSRF tokens go to the cookies file
 * for wrk.
 *
 *   scale-gen --db PATH|URL --couples N --cookies FILE
 *             [--days 365] [--journal 150] [--batch 4] [--seed 1]
 *   scale-gen --db PATH|URL --couples N --cookies FILE --sign-in
 *
 * --db is what `kintsugi serve --db` takes (store_open(): a SQLite file, or
 * postgresql://... once that backend exists).  Couple i (0 <= i < N) has
 * the members scale-<i>-a (who signed up) and scale-<i>-b (who joined).
 * --days: daily check-ins per partner, from yesterday back; --journal:
 * entries per partner; --batch: couples whose check-ins and journals
 * share one write transaction (core's statements run as savepoints inside
 * it; sign-up and join take their own, as on the server).  --sign-in signs the members of
 * an existing database in again (account_login(): a session ends after 12
 * idle hours) and writes a fresh cookies file.  The cookies file has one
 * line per member: "<cookie> <csrf token> <couple> <a|b>".  Progress goes
 * to stderr; 0 on success, 1 on any error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/access.h"
#include "core/account.h"
#include "core/checkin.h"
#include "core/journal.h"
#include "core/session.h"
#include "limits.h"
#include "store/store.h"
#include "vault/vault.h"

#define GEN_PASSWORD	"scale bench: quiet river, evening 42"
#define GEN_COUPLES_MAX 1000000L
#define GEN_DAYS_MAX	3650L
#define GEN_JOURNAL_MAX 10000L
#define GEN_BATCH_MAX	1000L
#define GEN_BODY_MAX	2048

struct gen_opts {
	const char *db;
	const char *cookies;
	long couples;
	long days;
	long journal;
	long batch;
	unsigned long long seed;
	int sign_in;
};

/* xorshift64*: the same couples for the same seed; no security role. */
static uint64_t gen_state;

static uint64_t gen_next(void)
{
	gen_state ^= gen_state >> 12;
	gen_state ^= gen_state << 25;
	gen_state ^= gen_state >> 27;
	return gen_state * 2685821657736338717ULL;
}

static unsigned gen_below(unsigned n)
{
	return (unsigned)(gen_next() % n);
}

static const char *const gen_sentences[] = {
	"Today we talked for an hour without raising our voices.",
	"I noticed how much I had been bracing for the worst, and it did not come.",
	"We cooked together and nobody checked a phone.",
	"I felt unheard at dinner and said so later, more gently than I would have before.",
	"The walk by the river helped; we both slowed down.",
	"I am still hurt about the weekend, and I want to say it without blaming.",
	"We laughed about the burnt toast, which a month ago would have been a fight.",
	"I asked for a break when I felt flooded, and came back after twenty minutes.",
	"My partner thanked me for the small things; I want to remember that.",
	"Money came up again. We kept to the plan and stopped before it turned sharp.",
	"I slept badly and was short with everyone; I apologised in the evening.",
	"We sat on the balcony and watched the rain; it felt like the old days.",
	"I want to notice more of what goes right, not only what goes wrong.",
	"The call with my mother left me raw, and my partner just listened.",
	"We tried the check-in questions and both said more than we expected.",
	"I was jealous and did not act on it; I named it to myself instead.",
};
#define GEN_SENTENCES (sizeof(gen_sentences) / sizeof(gen_sentences[0]))

static const char *const gen_prompts[] = {
	NULL,
	NULL,
	"What did your partner do today that you appreciated?",
	"When did you feel close today?",
};
#define GEN_PROMPTS (sizeof(gen_prompts) / sizeof(gen_prompts[0]))

/* gen_text() - min_len..about max_len characters of sentences into out. */
static size_t gen_text(char *out, size_t cap, size_t min_len, size_t max_len)
{
	size_t len = 0, want = min_len + gen_below((unsigned)(max_len - min_len + 1));

	out[0] = '\0';
	while (len < want) {
		const char *s = gen_sentences[gen_below(GEN_SENTENCES)];
		size_t n = strlen(s);

		if (len + n + 2 > cap)
			break;
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, s, n + 1);
		len += n;
	}
	return len;
}

static void gen_login(char out[32], long couple, char who)
{
	snprintf(out, 32, "scale-%ld-%c", couple, who);
}

/* One member's cookie line. */
static int gen_cookie_line(FILE *f, const char *cookie, struct session *s, long couple, char who)
{
	const char *csrf = session_csrf_token(s);

	if (!csrf)
		return -EIO;
	return fprintf(f, "%s %s %ld %c\n", cookie, csrf, couple, who) < 0 ? -EIO : 0;
}

static int gen_checkins(const struct core *c, struct session *s, long days)
{
	char period[CHECKIN_DATE_LEN + 1], note[GEN_BODY_MAX];
	long d;
	int r, i;

	for (d = 1; d <= days; d++) {
		struct checkin_input in = {.period = period, .shared_with = ACCESS_SHARE_PARTNER};
		struct checkin out;

		checkin_today(period, -d);
		for (i = 0; i < _CHECKIN_DIM_MAX; i++)
			in.scores[i] = CHECKIN_SCORE_MIN +
				       (int)gen_below(CHECKIN_SCORE_MAX - CHECKIN_SCORE_MIN + 1);
		in.trust = CHECKIN_LEVEL_MIN +
			   (int)gen_below(CHECKIN_LEVEL_MAX - CHECKIN_LEVEL_MIN + 1);
		in.closeness = CHECKIN_LEVEL_MIN +
			       (int)gen_below(CHECKIN_LEVEL_MAX - CHECKIN_LEVEL_MIN + 1);
		/* a note on about one day in three */
		if (gen_below(3) == 0) {
			in.note_len = gen_text(note, sizeof(note), 40, 160);
			in.note = note;
		}
		r = checkin_add(c, s, &in, &out);
		if (r != 0) {
			fprintf(stderr, "scale-gen: check-in %s: %d\n", period, r);
			return r > 0 ? -EIO : r;
		}
		checkin_clear(&out);
	}
	return 0;
}

static int gen_journal(const struct core *c, const struct session *s, long entries)
{
	char body[GEN_BODY_MAX];
	long j;
	int r;

	for (j = 0; j < entries; j++) {
		struct journal_entry e;
		size_t len = gen_text(body, sizeof(body), 150, 600);

		r = journal_add(c, s, body, len, gen_prompts[gen_below(GEN_PROMPTS)], &e);
		if (r != 0) {
			fprintf(stderr, "scale-gen: journal entry: %d\n", r);
			return r > 0 ? -EIO : r;
		}
		journal_entry_clear(&e);
	}
	return 0;
}

/* One couple being made: its partners' sessions and cookies. */
struct gen_couple {
	long i;
	struct session *s[2];
	struct account_signin in[2];
};

static void gen_couple_clear(struct gen_couple *g)
{
	for (int k = 0; k < 2; k++) {
		if (g->s[k])
			vault_secure_free(g->s[k]);
		g->s[k] = NULL;
	}
	vault_wipe(g->in, sizeof(g->in));
}

/*
 * gen_accounts() - couple g->i's sign-up, invite and join, each in its own
 * transaction as the server makes them (account.c begins its own), and the
 * daily rhythm.
 */
static int gen_accounts(const struct core *c, struct gen_couple *g)
{
	char login_a[32], login_b[32], token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	int r;

	g->s[0] = vault_secure_alloc(sizeof(struct session));
	g->s[1] = vault_secure_alloc(sizeof(struct session));
	if (!g->s[0] || !g->s[1])
		return -ENOMEM;
	gen_login(login_a, g->i, 'a');
	gen_login(login_b, g->i, 'b');
	r = account_signup(c,
			   &(struct account_new){.login = login_a,
						 .password = GEN_PASSWORD,
						 .password_len = strlen(GEN_PASSWORD),
						 .display_name = "Alex",
						 .language = "en"},
			   &g->in[0], g->s[0]);
	if (r == 0)
		r = account_invite(c, g->s[0], token);
	if (r == 0)
		r = account_join(c, token,
				 &(struct account_new){.login = login_b,
						       .password = GEN_PASSWORD,
						       .password_len = strlen(GEN_PASSWORD),
						       .display_name = "Sam",
						       .language = "en"},
				 &g->in[1], g->s[1]);
	vault_wipe(token, sizeof(token));
	if (r == 0)
		r = checkin_rhythm_set(c, g->s[0], "daily");
	if (r != 0)
		fprintf(stderr, "scale-gen: couple %ld: sign-up, join or rhythm: %d\n", g->i, r);
	return r > 0 ? -EIO : r;
}

/* gen_contents() - both partners' check-ins and journals (inside the caller's transaction). */
static int gen_contents(const struct core *c, const struct gen_opts *o, struct gen_couple *g)
{
	int r = 0;

	for (int k = 0; r == 0 && k < 2; k++)
		r = gen_checkins(c, g->s[k], o->days);
	for (int k = 0; r == 0 && k < 2; k++)
		r = gen_journal(c, g->s[k], o->journal);
	return r;
}

/*
 * gen_batch() - couples first..end-1: their accounts, then all their
 * check-ins and journals in one write transaction, then their cookies.
 */
static int gen_batch(const struct core *c, const struct gen_opts *o, long first, long end,
		     FILE *cookies)
{
	struct gen_couple *g = calloc((size_t)(end - first), sizeof(*g));
	long n = end - first, k;
	int r = g ? 0 : -ENOMEM;

	for (k = 0; r == 0 && k < n; k++) {
		g[k].i = first + k;
		r = gen_accounts(c, &g[k]);
	}
	if (r == 0) {
		r = c->st->ops->begin(c->st);
		for (k = 0; r == 0 && k < n; k++)
			r = gen_contents(c, o, &g[k]);
		if (r == 0)
			r = c->st->ops->commit(c->st);
		else
			(void)c->st->ops->rollback(c->st);
	}
	for (k = 0; r == 0 && k < n; k++) {
		r = gen_cookie_line(cookies, g[k].in[0].cookie, g[k].s[0], g[k].i, 'a');
		if (r == 0)
			r = gen_cookie_line(cookies, g[k].in[1].cookie, g[k].s[1], g[k].i, 'b');
	}
	for (k = 0; g && k < n; k++)
		gen_couple_clear(&g[k]);
	free(g);
	return r > 0 ? -EIO : r;
}

/* --sign-in: a fresh session for each member of couple i. */
static int gen_sign_in(const struct core *c, long i, FILE *cookies)
{
	static const char who[2] = {'a', 'b'};
	struct session *s = vault_secure_alloc(sizeof(*s));
	struct account_signin in;
	char login[32];
	int r = s ? 0 : -ENOMEM;

	for (int k = 0; r == 0 && k < 2; k++) {
		gen_login(login, i, who[k]);
		r = account_login(c, login, GEN_PASSWORD, strlen(GEN_PASSWORD), NULL, &in, s);
		if (r != 0)
			fprintf(stderr, "scale-gen: sign-in of %s: %d\n", login, r);
		else
			r = gen_cookie_line(cookies, in.cookie, s, i, who[k]);
		vault_wipe(&in, sizeof(in));
	}
	if (s)
		vault_secure_free(s);
	return r > 0 ? -EIO : r;
}

static int gen_long(const char *name, const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v ? v : "", &end, 10);
	if (!v || errno || *end || end == v || n < min || n > max) {
		fprintf(stderr, "scale-gen: %s must be a number from %ld to %ld\n", name, min, max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static int gen_parse(int argc, char **argv, struct gen_opts *o)
{
	long seed = 1;
	int r = 0;

	for (int i = 1; r == 0 && i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--sign-in") == 0) {
			o->sign_in = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "scale-gen: %s needs a value\n", a);
			return -EINVAL;
		}
		i++;
		if (strcmp(a, "--db") == 0)
			o->db = v;
		else if (strcmp(a, "--cookies") == 0)
			o->cookies = v;
		else if (strcmp(a, "--couples") == 0)
			r = gen_long(a, v, 1, GEN_COUPLES_MAX, &o->couples);
		else if (strcmp(a, "--days") == 0)
			r = gen_long(a, v, 0, GEN_DAYS_MAX, &o->days);
		else if (strcmp(a, "--journal") == 0)
			r = gen_long(a, v, 0, GEN_JOURNAL_MAX, &o->journal);
		else if (strcmp(a, "--batch") == 0)
			r = gen_long(a, v, 1, GEN_BATCH_MAX, &o->batch);
		else if (strcmp(a, "--seed") == 0)
			r = gen_long(a, v, 1, 0x7fffffffL, &seed);
		else {
			fprintf(stderr, "scale-gen: unknown option %s\n", a);
			return -EINVAL;
		}
	}
	if (r != 0)
		return r;
	if (!o->db || !o->cookies || o->couples <= 0) {
		fprintf(stderr,
			"usage: scale-gen --db PATH|URL --couples N --cookies FILE "
			"[--days 365] [--journal 150] [--batch 4] [--seed 1] [--sign-in]\n");
		return -EINVAL;
	}
	o->seed = (unsigned long long)seed;
	return 0;
}

static double gen_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct gen_opts o = {.days = 365, .journal = 150, .batch = 4};
	char errbuf[256] = "", probe[VAULT_PWHASH_STR_BYTES];
	struct store *st = NULL;
	struct core c = {0};
	FILE *cookies = NULL;
	double t0 = gen_seconds();
	int r;

	if (gen_parse(argc, argv, &o) < 0)
		return 1;
	if (vault_init() < 0 || account_init(1) < 0) {
		fprintf(stderr, "scale-gen: cannot initialise the vault\n");
		return 1;
	}
	/* this must be the bench copy of the vault (bench/meson.build), never the server's */
	if (vault_password_hash(probe, "probe", 5, VAULT_KDF_INTERACTIVE) != 0 ||
	    !strstr(probe, "$m=8,t=1,")) {
		fprintf(stderr, "scale-gen: linked with the server's vault, not the bench copy\n");
		return 1;
	}
	r = store_open(o.db, &st, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(stderr, "scale-gen: cannot open %s: %s\n", o.db,
			errbuf[0] ? errbuf : strerror(-r));
		return 1;
	}
	/* the cookies are signed-in sessions: for the owner alone, as the database is */
	umask(077);
	cookies = fopen(o.cookies, "w");
	if (!cookies) {
		fprintf(stderr, "scale-gen: cannot write %s: %s\n", o.cookies, strerror(errno));
		store_close(st);
		return 1;
	}
	c.st = st;
	c.kdf = VAULT_KDF_INTERACTIVE; /* at the lowest cost in this copy of the vault */
	c.session_idle_s = LIMIT_SESSION_IDLE_S;
	c.session_absolute_s = LIMIT_SESSION_ABSOLUTE_S;
	c.browser = "";
	gen_state = 0x9E3779B97F4A7C15ULL ^ o.seed;

	for (long i = 0; r == 0 && i < o.couples; i += o.batch) {
		long end = i + o.batch < o.couples ? i + o.batch : o.couples;

		for (long k = i; o.sign_in && r == 0 && k < end; k++)
			r = gen_sign_in(&c, k, cookies);
		if (!o.sign_in)
			r = gen_batch(&c, &o, i, end, cookies);
		if (r == 0 && (end % 100 == 0 || end == o.couples))
			fprintf(stderr, "scale-gen: %ld of %ld couples, %.1f s\n", end, o.couples,
				gen_seconds() - t0);
	}
	if (fclose(cookies) != 0 && r == 0)
		r = -EIO;
	store_close(st);
	if (r != 0) {
		fprintf(stderr, "scale-gen: failed (%d)\n", r);
		return 1;
	}
	return 0;
}
