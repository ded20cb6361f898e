/*
 * test-tenant.c: every statement of the PostgreSQL store names its couple.
 *
 * Issue 17: couple_id is the tenant and the distribution key of a sharded
 * database (docs/scaling.md, "Sharding on couple_id (Citus)"), so every
 * query on a couple's data is filtered by couple_id, every insert gives it,
 * and none crosses couples.  This test reads the text of every statement of
 * store-pg.c (store_pg_statement()) and checks, for each table it reads or
 * writes:
 *
 * - INSERT INTO t (columns): the columns include couple_id;
 * - FROM t, JOIN t, UPDATE t, DELETE FROM t: the WHERE at that level of
 *   the statement has "couple_id = $n" as one of its conjuncts (an OR
 *   beside it at that level would let other couples' rows in); a subquery
 *   is checked on its own.
 *
 * couples is keyed by its id (the couple_id of every other table); the
 * sign-in throttle's tables hold no couple's data (keyed hashes of logins
 * and addresses, asked before anyone is known).  The few statements that
 * find a couple rather than use one are on a short list below, each with
 * why and how a sharded database routes it; an entry that passes the check
 * is stale and fails too.  The checker itself is tested on statements that
 * must pass and must fail.
 *
 * With KINTSUGI_PG_URL (scripts/pg-test run meson test -C build-dev tenant)
 * every statement is also EXPLAINed on a migrated database, so the text
 * checked is SQL PostgreSQL accepts; without it that part is skipped.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store-pg.h"

/* The lookups that find a couple: they cannot name it, they learn it. */
static const struct {
	const char *name;
	const char *why;
} finding[] = {
	{"PG_MEMBER_GET_BY_LOGIN", "sign-in and recovery: a login finds its member and couple "
				   "(routed by a global login -> couple table)"},
	{"PG_SESSION_GET", "every request: the cookie's session id finds the session and its "
			   "couple (the cookie can carry the couple)"},
	{"PG_INVITE_GET", "joining: the link's invite id finds the couple it invites to"},
	{"PG_DEVICE_LOGIN", "the sign-in throttle: a device cookie's hash finds the login it "
			    "signed in to, before anyone is known"},
	{"PG_PASSKEY_FIND", "sign-in by passkey alone: the credential id finds the member and "
			    "couple"},
	{"PG_SESSION_PURGE", "housekeeping: expired and idle sessions of every couple, a "
			     "bounded batch at a time (a multi-shard delete)"},
	{"PG_OLD_KEYS_DROP", "a new master key: the member's old keys of the couples they left "
			     "go (couple_id <> $2: by design across their former couples)"},
};

/* Tables that hold no couple's data: no couple_id to name. */
static const char *const no_couple[] = {"signin_failures", "signin_challenges", "kintsugi_schema"};

#define TOKENS_MAX 1024

struct tok {
	char text[64]; /* lowercased; "$" for a parameter, "'" for a string */
	int depth;     /* parentheses around it */
};

static size_t tokenize(const char *sql, struct tok *t, size_t max)
{
	size_t n = 0;
	int depth = 0;

	for (const char *p = sql; *p && n < max;) {
		size_t len = 0;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		t[n].depth = depth;
		if (*p == '\'') { /* a string: its content is not SQL */
			for (p++; *p && !(*p == '\'' && p[1] != '\''); p += *p == '\'' ? 2 : 1)
				;
			if (*p)
				p++;
			strcpy(t[n++].text, "'");
			continue;
		}
		if (*p == '"') { /* a quoted name ("C" of COLLATE, "T" of a format) */
			for (p++; *p && *p != '"'; p++)
				;
			if (*p)
				p++;
			strcpy(t[n++].text, "\"");
			continue;
		}
		if (*p == '$') {
			for (p++; isdigit((unsigned char)*p); p++)
				;
			strcpy(t[n++].text, "$");
			continue;
		}
		if (isalnum((unsigned char)*p) || *p == '_') {
			while ((isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '.') &&
			       len + 1 < sizeof(t[n].text)) {
				t[n].text[len] = (char)tolower((unsigned char)p[len]);
				len++;
			}
			t[n].text[len] = '\0';
			p += len;
			n++;
			continue;
		}
		if (*p == ':' && p[1] == ':') { /* a cast: ::text, not a word of the statement */
			for (p += 2; isalnum((unsigned char)*p) || *p == '_'; p++)
				;
			continue;
		}
		t[n].text[0] = *p;
		t[n].text[1] = '\0';
		if (*p == '(')
			depth++;
		if (*p == ')')
			t[n].depth = --depth;
		p++;
		n++;
	}
	return n;
}

static bool is_word(const char *s)
{
	return isalpha((unsigned char)s[0]) || s[0] == '_';
}

/* The column name of a possibly qualified name ("d.couple_id" -> "couple_id"). */
static const char *column(const char *s)
{
	const char *dot = strrchr(s, '.');

	return dot ? dot + 1 : s;
}

static bool holds_no_couple(const char *table)
{
	for (size_t i = 0; i < sizeof(no_couple) / sizeof(no_couple[0]); i++)
		if (strcmp(table, no_couple[i]) == 0)
			return true;
	return false;
}

/*
 * Whether the reference to table at t[i] names its couple: for an insert,
 * in its column list; else as a conjunct "key = $n" of the WHERE at its
 * level.  key is couple_id, or id for couples itself.
 */
static bool names_couple(const struct tok *t, size_t n, size_t i, bool insert)
{
	const char *key = strcmp(t[i].text, "couples") == 0 ? "id" : "couple_id";
	int d = t[i].depth;
	bool in_where = false, found = false;
	size_t j;

	if (insert) {
		if (i + 1 >= n || strcmp(t[i + 1].text, "(") != 0)
			return false;
		for (j = i + 2; j < n && t[j].depth > d; j++)
			if (t[j].depth == d + 1 && strcmp(t[j].text, key) == 0)
				return true;
		return false;
	}
	for (j = i + 1; j < n && t[j].depth >= d; j++) {
		if (t[j].depth != d)
			continue;
		if (strcmp(t[j].text, "where") == 0) {
			in_where = true;
			continue;
		}
		/* what ends the WHERE at this level */
		if (strcmp(t[j].text, "order") == 0 || strcmp(t[j].text, "limit") == 0 ||
		    strcmp(t[j].text, "on") == 0 || strcmp(t[j].text, "for") == 0 ||
		    strcmp(t[j].text, "returning") == 0 || strcmp(t[j].text, "group") == 0)
			in_where = false;
		if (!in_where)
			continue;
		if (strcmp(t[j].text, "or") == 0)
			return false; /* couple_id = $n OR ...: other couples' rows too */
		if (j + 2 < n && strcmp(column(t[j].text), key) == 0 &&
		    strcmp(t[j + 1].text, "=") == 0 && strcmp(t[j + 2].text, "$") == 0 &&
		    t[j + 2].depth == d)
			found = true;
	}
	return found;
}

/*
 * 0 when every table sql reads or writes names its couple; else 1 with the
 * first table that does not in why.
 */
static int check_sql(const char *sql, char *why, size_t len)
{
	static struct tok t[TOKENS_MAX];
	size_t n = tokenize(sql, t, TOKENS_MAX);

	assert_true(n < TOKENS_MAX);
	for (size_t i = 0; i + 1 < n; i++) {
		const char *kw = t[i].text;
		bool insert = strcmp(kw, "into") == 0;
		const char *table = t[i + 1].text;

		if (!insert && strcmp(kw, "from") != 0 && strcmp(kw, "join") != 0 &&
		    strcmp(kw, "update") != 0)
			continue;
		/* FROM (subquery), IS DISTINCT FROM $2, DO UPDATE SET: no table here */
		if (!is_word(table) || strcmp(table, "set") == 0)
			continue;
		if (holds_no_couple(table))
			continue;
		if (!names_couple(t, n, i + 1, insert)) {
			snprintf(why, len, "%s %s without %s", kw, table,
				 strcmp(table, "couples") == 0 ? "id = $n" : "couple_id = $n");
			return 1;
		}
	}
	return 0;
}

static int finding_index(const char *name)
{
	for (size_t i = 0; i < sizeof(finding) / sizeof(finding[0]); i++)
		if (strcmp(finding[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The checker on statements whose answer is known: it can fail. */
static void test_checker(void **state)
{
	static const char *const good[] = {
		"SELECT 1 FROM totp WHERE couple_id = $2 AND member_id = $1",
		"INSERT INTO devices (key, couple_id, member_id) VALUES ($1, $2, $3)",
		"UPDATE sessions SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
		"SELECT a FROM t WHERE couple_id = $1 AND x IN (SELECT id FROM t "
		"WHERE couple_id = $1) ORDER BY a",
		"SELECT id FROM couples WHERE id = $1",
		"DELETE FROM signin_failures WHERE at <= $1",
		"SELECT x FROM passkeys p WHERE p.couple_id = $1::text",
		"SELECT x FROM (SELECT x FROM items WHERE couple_id = $1) AS y ORDER BY x",
	};
	static const char *const bad[] = {
		"SELECT secret FROM totp WHERE member_id = $1",
		"INSERT INTO devices (key, member_id) VALUES ($1, $2)",
		/* a couple set, none filtered: SET is not WHERE */
		"UPDATE sessions SET couple_id = $2 WHERE member_id = $1",
		"SELECT 1 FROM items WHERE couple_id = $1 OR id = $2",
		/* the outer query filters; the subquery reads every couple */
		"SELECT a FROM t WHERE couple_id = $1 AND x IN (SELECT id FROM t WHERE kind = $2)",
		"SELECT id FROM couples WHERE rhythm = $1",
		"SELECT m.login FROM devices d JOIN members m ON m.couple_id = d.couple_id "
		"WHERE d.key = $1",
		"SELECT 1 FROM items WHERE couple_id = other_column",
		"SELECT couple_id FROM members WHERE login = $1 ORDER BY couple_id = $1",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (check_sql(good[i], why, sizeof(why)) != 0)
			fail_msg("should pass: %s (%s)", good[i], why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check_sql(bad[i], why, sizeof(why)) == 0)
			fail_msg("should fail: %s", bad[i]);
	}
}

/* Every statement of store-pg.c names its couple, or finds one (and is listed). */
static void test_every_statement(void **state)
{
	bool listed_seen[sizeof(finding) / sizeof(finding[0])] = {false};
	const char *sql, *name;
	int failures = 0;
	size_t i;
	char why[128];

	(void)state;
	for (i = 0; (sql = store_pg_statement(i, &name)); i++) {
		int f = finding_index(name);
		int r = check_sql(sql, why, sizeof(why));

		if (f >= 0) {
			listed_seen[f] = true;
			if (r == 0) {
				fprintf(stderr,
					"%s names its couple: take it off the finding list\n",
					name);
				failures++;
			}
			continue;
		}
		if (r != 0) {
			fprintf(stderr, "%s: %s\n  %s\n", name, why, sql);
			failures++;
		}
	}
	assert_true(i > 100); /* the table was read, not an empty one */
	for (i = 0; i < sizeof(finding) / sizeof(finding[0]); i++)
		if (!listed_seen[i]) {
			fprintf(stderr, "%s is on the finding list but not a statement\n",
				finding[i].name);
			failures++;
		}
	assert_int_equal(failures, 0);
}

/* The highest $n of sql: how many parameters EXPLAIN is given. */
static int params_of(const char *sql)
{
	int max = 0;

	for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
		int v = atoi(p + 1);

		if (v > max)
			max = v;
	}
	return max;
}

/* Each statement as PostgreSQL sees it: parsed, typed and planned (all parameters NULL). */
static void test_explain(void **state)
{
	const char *url = getenv("KINTSUGI_PG_URL");
	const char *values[32] = {NULL};
	struct store *st = NULL;
	const char *sql, *name;
	char err[128], *text;
	PGconn *conn;
	PGresult *res;
	int failures = 0;

	(void)state;
	if (!url || !*url) {
		fprintf(stderr, "test-tenant: EXPLAIN skipped: KINTSUGI_PG_URL is not set "
				"(scripts/pg-test run meson test -C build-dev tenant)\n");
		skip();
	}
	conn = PQconnectdb(url);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	res = PQexec(conn, "SET client_min_messages = warning; "
			   "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	assert_int_equal(store_pg_open(url, &st, err, sizeof(err)), 0); /* migrated */
	for (size_t i = 0; (sql = store_pg_statement(i, &name)); i++) {
		int n = params_of(sql);

		assert_true(n <= 32);
		text = malloc(strlen(sql) + 16);
		assert_non_null(text);
		sprintf(text, "EXPLAIN %s", sql);
		res = PQexecParams(conn, text, n, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			fprintf(stderr, "%s: %s", name, PQerrorMessage(conn));
			failures++;
		}
		PQclear(res);
		free(text);
	}
	store_close(st);
	PQfinish(conn);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_every_statement),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
