/*
 * test-journal.c: reading journal pages over a store of sealed rows held in
 * memory.  Rows are sealed here by hand, with the associated data spelled out
 * as the first version of journal.c wrote it, so that entries already on
 * disk keep opening; journal_list() and journal_list_each() must give the
 * same entries, the latter stops where its callback says so; a forged row is
 * left out of both and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/journal.h"

#define COUPLE "11111111111111111111111111111111"
#define ME     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define NROWS  6

/*
 * The fake store: NROWS sealed rows, newest last; journal_list copies them
 * out newest first, journal_each hands them on in place.
 */
static struct journal_row rows[NROWS];
static struct store fake;

static int fake_journal_list(struct store *st, const char *couple_id, const char *author_id,
			     const char *before_id, size_t limit, struct journal_row **ret_rows,
			     size_t *ret_n)
{
	struct journal_row *out;
	size_t n = 0, i;

	(void)st;
	(void)couple_id;
	(void)author_id;
	if (before_id)
		return STORE_NOTFOUND;
	out = calloc(NROWS, sizeof(*out));
	assert_non_null(out);
	for (i = NROWS; i-- > 0 && n < limit; n++) {
		out[n] = rows[i];
		out[n].body_sealed.data = malloc(rows[i].body_sealed.len);
		memcpy(out[n].body_sealed.data, rows[i].body_sealed.data, rows[i].body_sealed.len);
		if (rows[i].prompt_sealed.len) {
			out[n].prompt_sealed.data = malloc(rows[i].prompt_sealed.len);
			memcpy(out[n].prompt_sealed.data, rows[i].prompt_sealed.data,
			       rows[i].prompt_sealed.len);
		}
	}
	*ret_rows = out;
	*ret_n = n;
	return 0;
}

/* journal_each hands the same rows on in place, as the store's do. */
static int fake_journal_each(struct store *st, const char *couple_id, const char *author_id,
			     const char *before_id, size_t limit, store_journal_fn fn, void *ctx)
{
	size_t n = 0, i;
	int r;

	(void)st;
	(void)couple_id;
	(void)author_id;
	if (before_id)
		return STORE_NOTFOUND;
	for (i = NROWS; i-- > 0 && n < limit; n++) {
		r = fn(ctx, &rows[i]);
		if (r != 0)
			return r;
	}
	return 0;
}

/* No ledger (core/ledger.h): no entry of these rows was ever changed. */
static int fake_ledger_get(struct store *st, const char *member_id, const char *couple_id,
			   struct blob *ret, int64_t *gen)
{
	(void)st;
	(void)member_id;
	(void)couple_id;
	(void)ret;
	(void)gen;
	return STORE_NOTFOUND;
}

static const struct store_ops fake_ops = {
	.journal_list = fake_journal_list,
	.journal_each = fake_journal_each,
	.ledger_get = fake_ledger_get,
};

static struct session me;
static struct core core = {.st = &fake};

/* Versions of every width, so that the number in the associated data is checked too. */
static const long long versions[NROWS] = {1, 2, 10, 99, 123456789012LL, INT64_MAX};

static char *text_of(size_t i)
{
	static char buf[NROWS][128];

	/* a NUL-free text with quotes and a newline, of a different length each */
	snprintf(buf[i], sizeof(buf[i]), "entry %zu: \"quoted\"\nline two %.*s", i, (int)(i * 7),
		 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	return buf[i];
}

static const char *prompt_of(size_t i)
{
	return i % 2 ? "What helps me stay calm when a hard conversation starts?" : NULL;
}

static int setup(void **state)
{
	unsigned char key[VAULT_KEY_BYTES];
	size_t i;

	(void)state;
	assert_int_equal(vault_init(), 0);
	fake.ops = &fake_ops;
	memset(&me, 0, sizeof(me));
	strcpy(me.member_id, ME);
	strcpy(me.couple_id, COUPLE);
	strcpy(me.role, "partner");
	vault_random(me.mk, sizeof(me.mk));
	vault_derive(key, me.mk, 1, "journal_");
	for (i = 0; i < NROWS; i++) {
		char ad[160];
		const char *text = text_of(i), *prompt = prompt_of(i);

		memset(&rows[i], 0, sizeof(rows[i]));
		vault_random_id(rows[i].id);
		strcpy(rows[i].couple_id, COUPLE);
		strcpy(rows[i].author_id, ME);
		rows[i].version = versions[i];
		strcpy(rows[i].created_at, "2026-11-20T10:00:00Z");
		rows[i].created_at[9] = (char)('0' + i);
		strcpy(rows[i].updated_at, rows[i].created_at);
		snprintf(ad, sizeof(ad), "journal_entries.%s|%.32s|%.32s|%lld", "body", rows[i].id,
			 rows[i].couple_id, (long long)rows[i].version);
		assert_int_equal(vault_seal(key, text, strlen(text), ad, &rows[i].body_sealed.data,
					    &rows[i].body_sealed.len),
				 0);
		if (prompt) {
			snprintf(ad, sizeof(ad), "journal_entries.%s|%.32s|%.32s|%lld", "prompt",
				 rows[i].id, rows[i].couple_id, (long long)rows[i].version);
			assert_int_equal(vault_seal(key, prompt, strlen(prompt), ad,
						    &rows[i].prompt_sealed.data,
						    &rows[i].prompt_sealed.len),
					 0);
		}
	}
	vault_wipe(key, sizeof(key));
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS; i++)
		store_journal_free(&rows[i]);
	return 0;
}

/* What a journal_list_each() callback saw, copied out. */
struct seen {
	size_t n;
	size_t stop_at; /* answer -ECANCELED at this entry (0: never) */
	char ids[NROWS][VAULT_ID_HEX + 1];
	char bodies[NROWS][128];
	size_t body_lens[NROWS];
	char prompts[NROWS][128];
	int has_prompt[NROWS];
};

static int collect(void *ctx, const struct journal_entry *e)
{
	struct seen *s = ctx;

	assert_true(s->n < NROWS);
	strcpy(s->ids[s->n], e->id);
	assert_true(e->body_len < sizeof(s->bodies[0]));
	assert_int_equal(strlen(e->body), e->body_len);
	memcpy(s->bodies[s->n], e->body, e->body_len + 1);
	s->body_lens[s->n] = e->body_len;
	s->has_prompt[s->n] = e->prompt != NULL;
	if (e->prompt)
		strcpy(s->prompts[s->n], e->prompt);
	s->n++;
	return s->stop_at && s->n == s->stop_at ? -ECANCELED : 0;
}

static void test_each_opens_every_entry_newest_first(void **state)
{
	struct seen seen;
	size_t i;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &me, NULL, 50, collect, &seen), 0);
	assert_int_equal(seen.n, NROWS);
	for (i = 0; i < NROWS; i++) {
		size_t row = NROWS - 1 - i;

		assert_string_equal(seen.ids[i], rows[row].id);
		assert_string_equal(seen.bodies[i], text_of(row));
		assert_int_equal(seen.body_lens[i], strlen(text_of(row)));
		assert_int_equal(seen.has_prompt[i], prompt_of(row) != NULL);
		if (prompt_of(row))
			assert_string_equal(seen.prompts[i], prompt_of(row));
	}
}

static void test_list_matches_each(void **state)
{
	struct journal_entry *list = NULL;
	struct seen seen;
	size_t n = 0, i;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &me, NULL, 4, collect, &seen), 0);
	assert_int_equal(journal_list(&core, &me, NULL, 4, &list, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(seen.n, 4);
	for (i = 0; i < n; i++) {
		assert_string_equal(list[i].id, seen.ids[i]);
		assert_int_equal(list[i].body_len, seen.body_lens[i]);
		assert_memory_equal(list[i].body, seen.bodies[i], list[i].body_len + 1);
		assert_int_equal(list[i].prompt != NULL, seen.has_prompt[i]);
		if (list[i].prompt)
			assert_string_equal(list[i].prompt, seen.prompts[i]);
		assert_string_equal(list[i].created_at, rows[NROWS - 1 - i].created_at);
	}
	/* an entry of a list can be cleared on its own (body and prompt, one allocation) */
	journal_entry_clear(&list[1]);
	assert_null(list[1].body);
	assert_null(list[1].prompt);
	journal_list_free(list, n);
}

static void test_each_stops_when_asked(void **state)
{
	struct seen seen;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 2;
	assert_int_equal(journal_list_each(&core, &me, NULL, 50, collect, &seen), -ECANCELED);
	assert_int_equal(seen.n, 2);
}

/*
 * A forged row is left out and counted for the operator; the rest of the
 * page is still there: one damaged row is not the whole journal.
 */
static void test_each_skips_a_forged_row(void **state)
{
	struct seen seen;
	struct journal_entry *list = NULL;
	unsigned unreadable = 0;
	size_t n = 0;

	(void)state;
	core.unreadable = &unreadable;
	/* the third newest row: its ciphertext changed by one bit */
	rows[NROWS - 3].body_sealed.data[30] ^= 1;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &me, NULL, 50, collect, &seen), 0);
	assert_int_equal(seen.n, NROWS - 1);
	assert_int_equal(unreadable, 1);
	assert_int_equal(journal_list(&core, &me, NULL, 50, &list, &n), 0);
	assert_int_equal(n, NROWS - 1);
	assert_int_equal(unreadable, 2);
	journal_list_free(list, n);
	rows[NROWS - 3].body_sealed.data[30] ^= 1;
	core.unreadable = NULL;
}

static void test_each_refuses_another_version(void **state)
{
	struct seen seen;
	unsigned unreadable = 0;

	(void)state;
	core.unreadable = &unreadable;
	/* the associated data binds the version: a row claiming another one does not open */
	rows[NROWS - 1].version--; /* INT64_MAX: down, not up */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &me, NULL, 50, collect, &seen), 0);
	assert_int_equal(seen.n, NROWS - 1); /* the newest is the one left out */
	assert_int_equal(unreadable, 1);
	rows[NROWS - 1].version++;
	core.unreadable = NULL;
}

static void test_each_refuses_another_member(void **state)
{
	struct session other = me;
	struct seen seen;
	unsigned unreadable = 0;

	(void)state;
	core.unreadable = &unreadable;
	/* rows the store should never have returned: not the caller's, so none is shown */
	strcpy(other.member_id, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &other, NULL, 50, collect, &seen), 0);
	assert_int_equal(seen.n, 0);
	assert_int_equal(unreadable, NROWS);
	core.unreadable = NULL;
}

static void test_each_bad_cursor(void **state)
{
	struct seen seen;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(journal_list_each(&core, &me, "cccccccccccccccccccccccccccccccc", 50,
					   collect, &seen),
			 JOURNAL_BAD_BEFORE);
	assert_int_equal(seen.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_opens_every_entry_newest_first),
		cmocka_unit_test(test_list_matches_each),
		cmocka_unit_test(test_each_stops_when_asked),
		cmocka_unit_test(test_each_skips_a_forged_row),
		cmocka_unit_test(test_each_refuses_another_version),
		cmocka_unit_test(test_each_refuses_another_member),
		cmocka_unit_test(test_each_bad_cursor),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
