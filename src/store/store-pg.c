/*
 * store-pg.c: the PostgreSQL backend of the store, over libpq.
 *
 * One connection per handle: the server's handle and one per worker thread
 * (the reopen op), so the process holds a pool of --threads + 1 connections,
 * and one more for the thread that writes the sessions' held last-seen
 * marks (serve); any process can serve any request (sessions and keys live
 * in the database).  Statements are the SQLite backend's, with $n parameters;
 * each is prepared once per connection (PQprepare, named "kN") and run with
 * bound parameters: text in text format, blobs in binary, results in binary.
 *
 * Errors: a unique violation is STORE_CONFLICT and a foreign-key violation
 * STORE_NOTFOUND, as in SQLite.  A lost connection is the thread's
 * STORE_FAULT_IO and -EIO; outside a transaction the statement is tried once
 * more on a fresh connection (reset), inside one the caller rolls back and
 * nothing of it was committed.  Inside a transaction each statement runs
 * behind a savepoint, so a failed one leaves the transaction usable; begin
 * takes an advisory lock, so writers are serialised as in SQLite.
 *
 * Every op of the table is here.  The server warms its workers' connections
 * before its sandbox (the warm op; docs/storage.md, "The server on
 * PostgreSQL").
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <pthread.h>

#include "store/marks.h"
#include "store/store-pg.h"

/* Every statement, by name: the enum, and the names store_pg_statement() gives the tests. */
#define PG_STMTS(X)                                                                                \
	X(PG_COUPLE_INSERT)                                                                        \
	X(PG_COUPLE_GET)                                                                           \
	X(PG_COUPLE_EXISTS)                                                                        \
	X(PG_COUPLE_MEMBERS)                                                                       \
	X(PG_COUPLE_DELETE)                                                                        \
	X(PG_MEMBER_INSERT)                                                                        \
	X(PG_MEMBER_GET)                                                                           \
	X(PG_MEMBER_GET_BY_LOGIN)                                                                  \
	X(PG_MEMBER_STANDING)                                                                      \
	X(PG_MEMBER_SET_PASSWORD)                                                                  \
	X(PG_MEMBER_SET_RECOVERY)                                                                  \
	X(PG_MEMBER_SET_SECRET_KEY)                                                                \
	X(PG_MEMBER_SET_LANGUAGE)                                                                  \
	X(PG_MEMBER_SET_PROFILE)                                                                   \
	X(PG_MEMBER_DEL_SESSIONS)                                                                  \
	X(PG_MEMBER_DEL_KEYS)                                                                      \
	X(PG_MEMBER_DEL_JOURNAL)                                                                   \
	X(PG_MEMBER_DEL_AUDIT)                                                                     \
	X(PG_MEMBER_DELETE)                                                                        \
	X(PG_KEY_PUT)                                                                              \
	X(PG_KEY_GET)                                                                              \
	X(PG_INVITE_INSERT)                                                                        \
	X(PG_INVITE_GET)                                                                           \
	X(PG_INVITE_CONSUME)                                                                       \
	X(PG_INVITE_REVOKE_OPEN)                                                                   \
	X(PG_SESSION_INSERT)                                                                       \
	X(PG_SESSION_GET)                                                                          \
	X(PG_SESSION_TOUCH)                                                                        \
	X(PG_SESSION_TOUCH_UNFLUSHED)                                                              \
	X(PG_SESSION_LOCK)                                                                         \
	X(PG_SESSION_UNLOCK)                                                                       \
	X(PG_SESSION_EXISTS)                                                                       \
	X(PG_SESSION_DELETE)                                                                       \
	X(PG_SESSION_DELETE_MEMBER)                                                                \
	X(PG_SESSION_PURGE)                                                                        \
	X(PG_ITEM_INSERT)                                                                          \
	X(PG_ITEM_GET)                                                                             \
	X(PG_ITEM_LIST)                                                                            \
	X(PG_ITEM_LIST_OLDEST)                                                                     \
	X(PG_ITEM_ANSWERS)                                                                         \
	X(PG_ITEM_UPDATE)                                                                          \
	X(PG_ITEM_EXISTS)                                                                          \
	X(PG_ITEM_DELETE)                                                                          \
	X(PG_THROTTLE_ADD)                                                                         \
	X(PG_THROTTLE_FORGET)                                                                      \
	X(PG_THROTTLE_NTH)                                                                         \
	X(PG_THROTTLE_CLEAR)                                                                       \
	X(PG_DEVICE_INSERT)                                                                        \
	X(PG_DEVICE_TOUCH)                                                                         \
	X(PG_DEVICE_TRIM)                                                                          \
	X(PG_DEVICE_LOGIN)                                                                         \
	X(PG_DEVICE_FORGET)                                                                        \
	X(PG_DEVICE_FORGET_SESSION)                                                                \
	X(PG_DEVICE_FORGET_OTHERS)                                                                 \
	X(PG_DEVICE_SET_SESSION)                                                                   \
	X(PG_AUDIT_ADD)                                                                            \
	X(PG_AUDIT_TRIM)                                                                           \
	X(PG_AUDIT_LIST)                                                                           \
	X(PG_SESSION_LIST)                                                                         \
	X(PG_SESSION_DELETE_OWN)                                                                   \
	X(PG_NOTICE_GET)                                                                           \
	X(PG_NOTICE_SET)                                                                           \
	X(PG_COUPLE_SET_RHYTHM)                                                                    \
	X(PG_JOURNAL_INSERT)                                                                       \
	X(PG_JOURNAL_GET)                                                                          \
	X(PG_JOURNAL_POS)                                                                          \
	X(PG_JOURNAL_FIRST)                                                                        \
	X(PG_JOURNAL_AFTER)                                                                        \
	X(PG_JOURNAL_UPDATE)                                                                       \
	X(PG_JOURNAL_DELETE)                                                                       \
	X(PG_TOTP_PUT)                                                                             \
	X(PG_TOTP_GET)                                                                             \
	X(PG_TOTP_ACTIVATE)                                                                        \
	X(PG_TOTP_USE)                                                                             \
	X(PG_TOTP_DELETE)                                                                          \
	X(PG_RCODE_CLEAR)                                                                          \
	X(PG_RCODE_INSERT)                                                                         \
	X(PG_RCODE_USE)                                                                            \
	X(PG_RCODE_COUNT)                                                                          \
	X(PG_STATEMENT_INSERT)                                                                     \
	X(PG_STATEMENT_GET)                                                                        \
	X(PG_STATEMENT_LIST)                                                                       \
	X(PG_STATEMENT_UPDATE)                                                                     \
	X(PG_STATEMENT_EXISTS)                                                                     \
	X(PG_CHECKIN_INSERT)                                                                       \
	X(PG_CHECKIN_GET)                                                                          \
	X(PG_CHECKIN_UPDATE)                                                                       \
	X(PG_CHECKIN_EXISTS)                                                                       \
	X(PG_CHECKIN_LIST)                                                                         \
	X(PG_CHECKINS_CARE)                                                                        \
	X(PG_ITEMS_CARE)                                                                           \
	X(PG_ITEMS_OF_AUTHOR)                                                                      \
	X(PG_SAFETY_GET)                                                                           \
	X(PG_SAFETY_INSERT)                                                                        \
	X(PG_SAFETY_UPDATE)                                                                        \
	X(PG_LEDGER_GET)                                                                           \
	X(PG_LEDGER_INSERT)                                                                        \
	X(PG_LEDGER_UPDATE)                                                                        \
	X(PG_CARE_INVITE_INSERT)                                                                   \
	X(PG_CARE_INVITE_GET)                                                                      \
	X(PG_CARE_INVITE_LIST)                                                                     \
	X(PG_CARE_INVITE_MOVE)                                                                     \
	X(PG_CARE_INVITES_CANCEL)                                                                  \
	X(PG_CARE_KEY_GET)                                                                         \
	X(PG_CARE_KEY_PUT)                                                                         \
	X(PG_CARE_KEY_DELETE)                                                                      \
	X(PG_CARE_WRAP_GET)                                                                        \
	X(PG_CARE_WRAP_PUT)                                                                        \
	X(PG_CARE_WRAP_DELETE)                                                                     \
	X(PG_CARE_END)                                                                             \
	X(PG_VERSION_ITEM)                                                                         \
	X(PG_VERSION_JOURNAL)                                                                      \
	X(PG_VERSION_STATEMENT)                                                                    \
	X(PG_VERSION_CHECKIN)                                                                      \
	X(PG_VERSION_SAFETY)                                                                       \
	X(PG_REHOME_ITEM)                                                                          \
	X(PG_REHOME_JOURNAL)                                                                       \
	X(PG_REHOME_STATEMENT)                                                                     \
	X(PG_REHOME_CHECKIN)                                                                       \
	X(PG_REKEY_DUE)                                                                            \
	X(PG_REKEY_MARK_KEYS)                                                                      \
	X(PG_REKEY_MARK_SESSIONS)                                                                  \
	X(PG_REKEY_MARK_COUPLE)                                                                    \
	X(PG_COUPLE_FORMER)                                                                        \
	X(PG_SESSION_REKEYED)                                                                      \
	X(PG_OLD_KEY_ADD)                                                                          \
	X(PG_OLD_KEYS_GET)                                                                         \
	X(PG_OLD_KEY_SET)                                                                          \
	X(PG_OLD_KEYS_DROP)                                                                        \
	X(PG_TOTP_RESEAL)                                                                          \
	X(PG_LEAVE_COUPLE)                                                                         \
	X(PG_LEAVE_GHOST)                                                                          \
	X(PG_LEAVE_MOVE)                                                                           \
	X(PG_LEAVE_KEY)                                                                            \
	X(PG_LEAVE_AUDIT)                                                                          \
	X(PG_LEAVE_SESSIONS)                                                                       \
	X(PG_LEAVE_SESSION_MOVE)                                                                   \
	X(PG_LEAVE_DEVICES)                                                                        \
	X(PG_LEAVE_TOTP)                                                                           \
	X(PG_LEAVE_RCODES)                                                                         \
	X(PG_LEAVE_PASSKEYS)                                                                       \
	X(PG_LEAVE_CHALLENGES)                                                                     \
	X(PG_PASSKEY_PUT)                                                                          \
	X(PG_PASSKEY_LIST)                                                                         \
	X(PG_PASSKEY_GET)                                                                          \
	X(PG_PASSKEY_USE)                                                                          \
	X(PG_PASSKEY_DELETE)                                                                       \
	X(PG_PASSKEY_RESEAL)                                                                       \
	X(PG_PASSKEY_SIGNIN_SET)                                                                   \
	X(PG_PASSKEY_FIND)                                                                         \
	X(PG_CHALLENGE_PURGE)                                                                      \
	X(PG_CHALLENGE_PUT)                                                                        \
	X(PG_CHALLENGE_TAKE)                                                                       \
	X(PG_CHALLENGE_DELETE)                                                                     \
	X(PG_SIGNIN_CHALLENGE_PURGE)                                                               \
	X(PG_SIGNIN_CHALLENGE_PUT)                                                                 \
	X(PG_SIGNIN_CHALLENGE_TAKE)                                                                \
	X(PG_SIGNIN_CHALLENGE_DELETE)

#define PG_ENUM(n) n,
enum pg_stmt { PG_STMTS(PG_ENUM) _PG_STMT_MAX };
#undef PG_ENUM

#define PG_NAME(n) [n] = #n,
static const char *const pg_names[_PG_STMT_MAX] = {PG_STMTS(PG_NAME)};
#undef PG_NAME

#define MEMBER_COLS                                                                                \
	"id, couple_id, login, role, display_name, language, pw_hash, kek_salt, mk_by_pw, "        \
	"rk_salt, mk_by_rk, public_key, secret_key_sealed, created_at, kdf"
#define INVITE_COLS "id, couple_id, role, secret_hash, ck_wrapped, created_at, expires_at, used"
#define SESSION_COLS                                                                               \
	"id, member_id, couple_id, secret_hash, keys_sealed, created_at, last_seen_at, "           \
	"expires_at, browser"

/* the advisory lock keys: the writers' (pg_begin) and the migrations' */
#define PG_WRITER_LOCK	  "7473295"
#define PG_MIGRATION_LOCK "7473294"

#define PG_STR_(x)	  #x
#define PG_STR(x)	  PG_STR_(x)

#define JOURNAL_COLS                                                                               \
	"id, couple_id, author_id, version, body_sealed, prompt_sealed, created_at, updated_at"
/* a page's: its couple and author are the query's own */
#define JOURNAL_PAGE_COLS "id, version, body_sealed, prompt_sealed, created_at, updated_at"

#define STATEMENT_COLS                                                                             \
	"id, couple_id, author_id, version, delivered, parts_sealed, created_at, updated_at, "     \
	"delivered_at"

#define CHECKIN_COLS                                                                               \
	"id, couple_id, author_id, period, rhythm, shared_with, version, content_sealed, "         \
	"created_at, updated_at"

#define CARE_INVITE_COLS                                                                           \
	"id, couple_id, proposed_by, approved_by, status, note_sealed, created_at, updated_at"

#define PASSKEY_COLS                                                                               \
	"id, credential_id, public_key, tag, name_sealed, sign_count, created_at, "                \
	"coalesce(last_used_at, ''), member_id, signin, mk_sealed, couple_id"

#define ITEM_COLS                                                                                  \
	"couple_id, kind, id, parent_kind, parent_id, author_id, shared_with, version, legacy, "   \
	"once, sort, plain, sealed, created_at, updated_at"
/* the top-level items of a kind ($3 = $4 = ''), or the answers to one item */
#define ITEM_WHERE                                                                                 \
	" FROM items WHERE couple_id = $1 AND kind = $2 AND parent_kind = $3 AND parent_id = $4 "  \
	"AND ($5::text IS NULL OR author_id = $5::text) "                                          \
	"AND ($7::text IS NULL OR author_id = $7::text OR (shared_with & $8::bigint) <> 0) "

/* The SQLite backend's statements (store-sqlite.c), in PostgreSQL's words. */
static const char *const pg_sql[_PG_STMT_MAX] = {
	[PG_COUPLE_INSERT] = "INSERT INTO couples (id, created_at, rhythm) "
			     "VALUES ($1, $2, coalesce(nullif($3, ''), 'daily'))",
	[PG_COUPLE_GET] = "SELECT id, created_at, rhythm FROM couples WHERE id = $1",
	[PG_COUPLE_EXISTS] = "SELECT 1 FROM couples WHERE id = $1",
	[PG_COUPLE_MEMBERS] = "SELECT id, role, display_name, left_at IS NOT NULL, created_at, "
			      "care_ended_at IS NOT NULL FROM members "
			      "WHERE couple_id = $1 ORDER BY created_at, rowid",
	[PG_COUPLE_DELETE] = "DELETE FROM couples WHERE id = $1",

	[PG_MEMBER_INSERT] =
		"INSERT INTO members (" MEMBER_COLS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
	[PG_MEMBER_GET] = "SELECT " MEMBER_COLS " FROM members WHERE couple_id = $2 AND id = $1",
	[PG_MEMBER_GET_BY_LOGIN] = "SELECT " MEMBER_COLS " FROM members WHERE login = $1",
	[PG_MEMBER_STANDING] =
		"SELECT role, language, discreet, autolock_minutes, "
		"care_ended_at IS NOT NULL FROM members WHERE couple_id = $2 AND id = $1",
	[PG_MEMBER_SET_PASSWORD] = "UPDATE members SET pw_hash = $2, kek_salt = $3, mk_by_pw = $4, "
				   "kdf = $5 WHERE couple_id = $6 AND id = $1",
	[PG_MEMBER_SET_RECOVERY] = "UPDATE members SET rk_salt = $2, mk_by_rk = $3 "
				   "WHERE couple_id = $4 AND id = $1",
	[PG_MEMBER_SET_SECRET_KEY] = "UPDATE members SET secret_key_sealed = $2 "
				     "WHERE couple_id = $3 AND id = $1",
	[PG_MEMBER_SET_LANGUAGE] =
		"UPDATE members SET language = $2 WHERE couple_id = $3 AND id = $1",
	[PG_MEMBER_SET_PROFILE] = "UPDATE members SET display_name = coalesce($2, display_name), "
				  "discreet = coalesce($3::bigint, discreet), "
				  "autolock_minutes = coalesce($4::bigint, autolock_minutes) "
				  "WHERE couple_id = $5 AND id = $1",
	[PG_MEMBER_DEL_SESSIONS] = "DELETE FROM sessions WHERE couple_id = $1 AND member_id = $2",
	[PG_MEMBER_DEL_KEYS] = "DELETE FROM couple_keys WHERE couple_id = $1 AND member_id = $2",
	[PG_MEMBER_DEL_JOURNAL] = "DELETE FROM journal_entries WHERE couple_id = $1 "
				  "AND author_id = $2",
	[PG_MEMBER_DEL_AUDIT] = "DELETE FROM audit_log WHERE couple_id = $1 AND member_id = $2",
	[PG_MEMBER_DELETE] = "DELETE FROM members WHERE couple_id = $1 AND id = $2",

	[PG_KEY_PUT] = "INSERT INTO couple_keys (couple_id, member_id, wrapped, tag) "
		       "VALUES ($1, $2, $3, $4) ON CONFLICT (couple_id, member_id) "
		       "DO UPDATE SET wrapped = excluded.wrapped, tag = excluded.tag, rekey = 0",
	[PG_KEY_GET] =
		"SELECT wrapped, tag FROM couple_keys WHERE couple_id = $1 AND member_id = $2",

	[PG_INVITE_INSERT] = "INSERT INTO invites (" INVITE_COLS ") "
			     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	[PG_INVITE_GET] = "SELECT " INVITE_COLS " FROM invites WHERE id = $1",
	/* one statement, so marking used and dropping the wrap is atomic */
	[PG_INVITE_CONSUME] = "UPDATE invites SET used = 1, ck_wrapped = ''::bytea "
			      "WHERE couple_id = $2 AND id = $1 AND used = 0",
	[PG_INVITE_REVOKE_OPEN] = "UPDATE invites SET used = 1, ck_wrapped = ''::bytea "
				  "WHERE couple_id = $1 AND role = $2 AND used = 0",

	[PG_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") "
			      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
	[PG_SESSION_GET] = "SELECT " SESSION_COLS ", locked, rekey FROM sessions WHERE id = $1",
	[PG_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = $2 "
			     "WHERE couple_id = $3 AND id = $1 AND last_seen_at < $2",
	/* the same in its own transaction, whose commit does not wait for the
	 * WAL flush (synchronous_commit off for this transaction alone) */
	[PG_SESSION_TOUCH_UNFLUSHED] =
		"UPDATE sessions SET last_seen_at = $2 "
		"FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed "
		"WHERE couple_id = $3 AND id = $1 AND last_seen_at < $2",
	[PG_SESSION_LOCK] = "UPDATE sessions SET locked = 1 WHERE couple_id = $2 AND id = $1",
	[PG_SESSION_UNLOCK] =
		"UPDATE sessions SET locked = 0, "
		"last_seen_at = greatest(last_seen_at, $2) WHERE couple_id = $3 AND id = $1",
	[PG_SESSION_EXISTS] = "SELECT 1 FROM sessions WHERE couple_id = $2 AND id = $1",
	[PG_SESSION_DELETE] = "DELETE FROM sessions WHERE couple_id = $2 AND id = $1",
	[PG_SESSION_DELETE_MEMBER] = "DELETE FROM sessions WHERE couple_id = $3 AND member_id = $1 "
				     "AND id IS DISTINCT FROM $2",
	/* a NULL limit is no limit (SQLite's LIMIT -1) */
	[PG_SESSION_PURGE] = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions "
			     "WHERE expires_at < $1 OR last_seen_at < $2 LIMIT $3::bigint)",

	/* nothing is inserted unless the parent, if any, is the couple's */
	[PG_ITEM_INSERT] =
		"INSERT INTO items (" ITEM_COLS ") SELECT $1, $2, $3, $4::text, $5::text, $6, "
		"$7::bigint, $8::bigint, $9::bigint, $10, $11, $12, $13::bytea, $14, $15 "
		"WHERE $4::text = '' OR EXISTS (SELECT 1 FROM items "
		"WHERE couple_id = $1 AND kind = $4::text AND id = $5::text) OR ($4::text = "
		"'statement' AND EXISTS (SELECT 1 FROM statements WHERE couple_id = $1 "
		"AND id = $5::text))",
	[PG_ITEM_GET] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = $1 AND kind = $2 "
			"AND id = $3",
	[PG_ITEM_LIST] =
		"SELECT " ITEM_COLS ITEM_WHERE "ORDER BY sort DESC, rowid DESC LIMIT $6::bigint",
	/* the newest $6, turned around so that they read oldest first */
	[PG_ITEM_LIST_OLDEST] =
		"SELECT " ITEM_COLS " FROM (SELECT " ITEM_COLS ", rowid AS r " ITEM_WHERE
		"ORDER BY sort DESC, rowid DESC LIMIT $6::bigint) AS newest "
		"ORDER BY sort, r",
	/* the answers (kind $2) to the newest $4 top-level items of kind $3
	 * (those $6 wrote or that are shared with $7, when $6 is given) */
	[PG_ITEM_ANSWERS] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = $1 AND kind = $2 "
			    "AND parent_kind = $3 AND parent_id IN (SELECT id FROM items "
			    "WHERE couple_id = $1 AND kind = $3 AND parent_kind = '' "
			    "AND parent_id = '' AND ($6::text IS NULL OR author_id = $6::text OR "
			    "(shared_with & $7::bigint) <> 0) ORDER BY sort DESC, rowid DESC "
			    "LIMIT $4::bigint) ORDER BY sort, rowid LIMIT $5::bigint",
	[PG_ITEM_UPDATE] = "UPDATE items SET shared_with = $4, version = $5, legacy = $6, "
			   "sealed = $7, plain = $8, sort = $9, updated_at = $10 "
			   "WHERE couple_id = $1 AND kind = $2 AND id = $3 AND version = $11 "
			   "AND plain = $12",
	[PG_ITEM_EXISTS] = "SELECT 1 FROM items WHERE couple_id = $1 AND kind = $2 AND id = $3",
	[PG_ITEM_DELETE] = "DELETE FROM items WHERE couple_id = $1 AND kind = $2 AND id = $3",

	[PG_THROTTLE_ADD] = "INSERT INTO signin_failures (key, at) VALUES ($1, $2)",
	[PG_THROTTLE_FORGET] = "DELETE FROM signin_failures WHERE at <= $1",
	[PG_THROTTLE_NTH] = "SELECT at FROM signin_failures WHERE key = $1 AND at > $2 "
			    "ORDER BY at DESC LIMIT 1 OFFSET $3",
	[PG_THROTTLE_CLEAR] = "DELETE FROM signin_failures WHERE key = $1",

	[PG_DEVICE_INSERT] = "INSERT INTO devices (key, couple_id, member_id, created_at, used_at) "
			     "VALUES ($1, $4, $2, $3, $3) ON CONFLICT (key) DO NOTHING",
	[PG_DEVICE_TOUCH] = "UPDATE devices SET used_at = $3 "
			    "WHERE couple_id = $4 AND key = $1 AND member_id = $2",
	[PG_DEVICE_TRIM] =
		"DELETE FROM devices WHERE couple_id = $3 AND member_id = $1 AND key NOT IN "
		"(SELECT key FROM devices WHERE couple_id = $3 AND member_id = $1 "
		"ORDER BY used_at DESC, rowid DESC LIMIT $2)",
	[PG_DEVICE_LOGIN] = "SELECT m.login FROM devices d JOIN members m "
			    "ON m.couple_id = d.couple_id AND m.id = d.member_id WHERE d.key = $1",
	[PG_DEVICE_FORGET] = "DELETE FROM devices WHERE couple_id = $3 AND member_id = $1 "
			     "AND ($2::bytea IS NULL OR key <> $2::bytea)",
	[PG_DEVICE_FORGET_SESSION] = "DELETE FROM devices WHERE couple_id = $3 AND member_id = $1 "
				     "AND session_id = $2",
	[PG_DEVICE_FORGET_OTHERS] = "DELETE FROM devices WHERE couple_id = $3 AND member_id = $1 "
				    "AND session_id IS DISTINCT FROM $2",
	[PG_DEVICE_SET_SESSION] = "UPDATE devices SET session_id = $3 "
				  "WHERE couple_id = $4 AND key = $1 AND member_id = $2",

	[PG_AUDIT_ADD] = "INSERT INTO audit_log (couple_id, member_id, event, at, browser, "
			 "session_id) VALUES ($1, $2, $3, $4, $5, $6)",
	/* the member's rows older than the days before $2, and beyond the newest $4 of event $3 */
	[PG_AUDIT_TRIM] = "DELETE FROM audit_log WHERE couple_id = $5 AND member_id = $1 "
			  "AND (at < to_char(($2::timestamptz - interval '" PG_STR(
				  STORE_AUDIT_DAYS) " days') AT TIME ZONE 'UTC', "
						    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
						    "OR (event = $3 AND id NOT IN (SELECT id "
						    "FROM audit_log WHERE couple_id = $5 AND "
						    "member_id = $1 AND "
						    "event = $3 ORDER BY id DESC LIMIT $4)))",
	/* events: "a,b,c"; an event name holds no comma */
	[PG_AUDIT_LIST] = "SELECT id, event, at, coalesce(browser, ''), coalesce(session_id, '') "
			  "FROM audit_log WHERE couple_id = $6 AND member_id = $1 "
			  "AND strpos(',' || $2::text || ',', ',' || event || ',') > 0 "
			  "AND id > $3 AND at >= $4 ORDER BY id DESC LIMIT $5",
	[PG_SESSION_LIST] = "SELECT id, browser, created_at, last_seen_at, expires_at "
			    "FROM sessions WHERE couple_id = $3 AND member_id = $1 "
			    "ORDER BY created_at DESC, rowid DESC LIMIT $2",
	[PG_SESSION_DELETE_OWN] = "DELETE FROM sessions WHERE couple_id = $3 AND id = $2 "
				  "AND member_id = $1",
	[PG_NOTICE_GET] = "SELECT notice_seen FROM members WHERE couple_id = $2 AND id = $1",
	[PG_NOTICE_SET] = "UPDATE members SET notice_seen = greatest(notice_seen, $2) "
			  "WHERE couple_id = $3 AND id = $1",
	/*
	 * seq: insertion order among the author's rows of that second.  Not
	 * max(seq) + 1 as in SQLite, whose writers take turns: here two
	 * inserts of one author in one second (two tabs, two processes) would
	 * read the same max and the second break journal_entries_order (a 500).
	 * The rowid's identity sequence only grows, and no two calls share a
	 * value.
	 */
	[PG_JOURNAL_INSERT] = "INSERT INTO journal_entries (" JOURNAL_COLS ", seq) "
			      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
			      "nextval(pg_get_serial_sequence('journal_entries', 'rowid')))",
	[PG_JOURNAL_GET] = "SELECT " JOURNAL_COLS " FROM journal_entries "
			   "WHERE couple_id = $1 AND author_id = $2 AND id = $3",
	[PG_JOURNAL_POS] = "SELECT created_at, seq FROM journal_entries "
			   "WHERE couple_id = $1 AND author_id = $2 AND id = $3",
	[PG_JOURNAL_FIRST] = "SELECT " JOURNAL_PAGE_COLS " FROM journal_entries "
			     "WHERE couple_id = $1 AND author_id = $2 "
			     "ORDER BY created_at DESC, seq DESC LIMIT $3",
	[PG_JOURNAL_AFTER] =
		"SELECT " JOURNAL_PAGE_COLS " FROM journal_entries "
		"WHERE couple_id = $1 AND author_id = $2 AND (created_at, seq) < ($3, $4::bigint) "
		"ORDER BY created_at DESC, seq DESC LIMIT $5",
	[PG_JOURNAL_UPDATE] =
		"UPDATE journal_entries SET version = $4, body_sealed = $5, "
		"prompt_sealed = $6, updated_at = $7 "
		"WHERE couple_id = $1 AND author_id = $2 AND id = $3 AND version = $8",
	[PG_JOURNAL_DELETE] = "DELETE FROM journal_entries "
			      "WHERE couple_id = $1 AND author_id = $2 AND id = $3",
	[PG_TOTP_PUT] =
		"INSERT INTO totp (member_id, couple_id, secret_sealed, active, last_step, "
		"created_at) VALUES ($1, $4, $2, 0, 0, $3) ON CONFLICT (member_id) DO UPDATE "
		"SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at "
		"WHERE totp.active = 0 AND totp.couple_id = excluded.couple_id",
	[PG_TOTP_GET] = "SELECT secret_sealed, active, last_step, created_at FROM totp "
			"WHERE couple_id = $2 AND member_id = $1",
	[PG_TOTP_ACTIVATE] = "UPDATE totp SET active = 1, last_step = $2 "
			     "WHERE couple_id = $3 AND member_id = $1 AND active = 0",
	/* the step only moves forward: a code's step is taken once, by one request */
	[PG_TOTP_USE] = "UPDATE totp SET last_step = $2 "
			"WHERE couple_id = $3 AND member_id = $1 AND active = 1 AND last_step < $2",
	[PG_TOTP_DELETE] = "DELETE FROM totp WHERE couple_id = $2 AND member_id = $1",
	[PG_RCODE_CLEAR] = "DELETE FROM recovery_codes WHERE couple_id = $2 AND member_id = $1",
	[PG_RCODE_INSERT] = "INSERT INTO recovery_codes (member_id, hash, couple_id) "
			    "VALUES ($1, $2, $3)",
	[PG_RCODE_USE] = "DELETE FROM recovery_codes WHERE couple_id = $3 AND member_id = $1 "
			 "AND hash = $2",
	[PG_RCODE_COUNT] =
		"SELECT count(*) FROM recovery_codes WHERE couple_id = $2 AND member_id = $1",
	/* seq: insertion order among the couple's rows of that second, from the
	 * rowid's identity sequence as the journal's (max + 1 gave two
	 * statements written at once one place) */
	[PG_STATEMENT_INSERT] = "INSERT INTO statements (" STATEMENT_COLS ", seq) "
				"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
				"nextval(pg_get_serial_sequence('statements', 'rowid')))",
	[PG_STATEMENT_GET] = "SELECT " STATEMENT_COLS " FROM statements "
			     "WHERE couple_id = $1 AND id = $2",
	[PG_STATEMENT_LIST] = "SELECT " STATEMENT_COLS " FROM statements "
			      "WHERE couple_id = $1 AND (author_id = $2 OR delivered = 1) "
			      "ORDER BY created_at DESC, seq DESC LIMIT $3",
	/* a delivered statement never matches: it is immutable */
	[PG_STATEMENT_UPDATE] =
		"UPDATE statements SET version = $4, delivered = $5, parts_sealed = $6, "
		"updated_at = $7, delivered_at = $8 "
		"WHERE couple_id = $1 AND author_id = $2 AND id = $3 AND version = $9 "
		"AND delivered = 0",
	[PG_STATEMENT_EXISTS] = "SELECT 1 FROM statements "
				"WHERE couple_id = $1 AND author_id = $2 AND id = $3",
	[PG_CHECKIN_INSERT] = "INSERT INTO checkins (" CHECKIN_COLS ") "
			      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	[PG_CHECKIN_GET] = "SELECT " CHECKIN_COLS " FROM checkins WHERE couple_id = $1 AND id = $2",
	[PG_CHECKIN_UPDATE] =
		"UPDATE checkins SET shared_with = $4, version = $5, "
		"content_sealed = $6, updated_at = $7 "
		"WHERE couple_id = $1 AND author_id = $2 AND id = $3 AND version = $8",
	[PG_CHECKIN_EXISTS] = "SELECT 1 FROM checkins "
			      "WHERE couple_id = $1 AND author_id = $2 AND id = $3",
	[PG_CHECKIN_LIST] = "SELECT " CHECKIN_COLS " FROM checkins "
			    "WHERE couple_id = $1 AND period BETWEEN $2 AND $3 "
			    "ORDER BY period DESC, created_at, id LIMIT $4",
	[PG_CHECKINS_CARE] = "SELECT " CHECKIN_COLS " FROM checkins "
			     "WHERE couple_id = $1 AND (shared_with & 2) <> 0 ORDER BY rowid",
	[PG_ITEMS_CARE] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = $1 "
			  "AND (shared_with & 2) <> 0 ORDER BY rowid",
	[PG_ITEMS_OF_AUTHOR] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = $1 "
			       "AND author_id = $2 ORDER BY rowid",
	[PG_SAFETY_GET] = "SELECT id, version, sealed FROM safety_checks "
			  "WHERE couple_id = $1 AND member_id = $2",
	/* nothing is inserted unless the member is the couple's; a row the
	 * member left in another couple (before leaving it) is replaced, one
	 * in this couple is a conflict (a first check racing another) */
	[PG_SAFETY_INSERT] =
		"INSERT INTO safety_checks (member_id, couple_id, id, version, sealed) "
		"SELECT $2::text, $1::text, $3::text, $4::bigint, $5::bytea "
		"WHERE EXISTS (SELECT 1 FROM members "
		"WHERE id = $2::text AND couple_id = $1::text) ON CONFLICT (member_id) DO UPDATE "
		"SET couple_id = excluded.couple_id, id = excluded.id, "
		"version = excluded.version, sealed = excluded.sealed "
		"WHERE safety_checks.couple_id <> excluded.couple_id",
	[PG_SAFETY_UPDATE] = "UPDATE safety_checks SET version = $4, sealed = $5 "
			     "WHERE couple_id = $1 AND member_id = $2 AND id = $3 AND version = $6",
	[PG_LEDGER_GET] = "SELECT gen, sealed FROM ledgers WHERE member_id = $1 AND couple_id = $2",
	[PG_LEDGER_INSERT] = "INSERT INTO ledgers (member_id, couple_id, gen, sealed) "
			     "VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
	[PG_LEDGER_UPDATE] = "UPDATE ledgers SET gen = gen + 1, sealed = $3 "
			     "WHERE member_id = $1 AND couple_id = $2 AND gen = $4",
	[PG_CARE_INVITE_INSERT] = "INSERT INTO care_invites (" CARE_INVITE_COLS ") "
				  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	[PG_CARE_INVITE_GET] = "SELECT " CARE_INVITE_COLS " FROM care_invites "
			       "WHERE couple_id = $1 AND id = $2",
	[PG_CARE_INVITE_LIST] =
		"SELECT " CARE_INVITE_COLS " FROM care_invites "
		"WHERE couple_id = $1 AND status IN ('awaiting_partner', 'approved') "
		"ORDER BY created_at DESC, rowid DESC LIMIT 50",
	[PG_CARE_INVITE_MOVE] = "UPDATE care_invites SET status = $4, "
				"approved_by = coalesce($5, approved_by), updated_at = $6 "
				"WHERE couple_id = $1 AND id = $2 AND status = $3",
	[PG_CARE_INVITES_CANCEL] = "UPDATE care_invites SET status = 'cancelled', updated_at = $2 "
				   "WHERE couple_id = $1 AND status = 'approved'",
	[PG_CARE_KEY_GET] = "SELECT sealed FROM care_keys WHERE couple_id = $1",
	[PG_CARE_KEY_PUT] =
		"INSERT INTO care_keys (couple_id, sealed, created_at) VALUES ($1, $2, $3) "
		"ON CONFLICT (couple_id) DO UPDATE SET sealed = excluded.sealed, "
		"created_at = excluded.created_at",
	[PG_CARE_KEY_DELETE] = "DELETE FROM care_keys WHERE couple_id = $1",
	[PG_CARE_WRAP_GET] =
		"SELECT wrapped FROM care_wraps WHERE couple_id = $1 AND member_id = $2",
	[PG_CARE_WRAP_PUT] = "INSERT INTO care_wraps (couple_id, member_id, wrapped) "
			     "VALUES ($1, $2, $3) ON CONFLICT (couple_id, member_id) "
			     "DO UPDATE SET wrapped = excluded.wrapped",
	[PG_CARE_WRAP_DELETE] = "DELETE FROM care_wraps WHERE couple_id = $1 AND member_id = $2",
	[PG_CARE_END] = "UPDATE members SET care_ended_at = $3 WHERE couple_id = $1 AND id = $2 "
			"AND role = 'therapist' AND care_ended_at IS NULL",
	/* a row's version as it is now (core/ledger.c) */
	[PG_VERSION_ITEM] = "SELECT version FROM items WHERE couple_id = $1 AND id = $2",
	[PG_VERSION_JOURNAL] =
		"SELECT version FROM journal_entries WHERE couple_id = $1 AND id = $2",
	[PG_VERSION_STATEMENT] = "SELECT version FROM statements WHERE couple_id = $1 AND id = $2",
	[PG_VERSION_CHECKIN] = "SELECT version FROM checkins WHERE couple_id = $1 AND id = $2",
	[PG_VERSION_SAFETY] = "SELECT version FROM safety_checks WHERE couple_id = $1 AND id = $2",
	[PG_REHOME_ITEM] =
		"UPDATE items SET couple_id = $4, author_id = $5, sealed = $6, legacy = 0 "
		"WHERE couple_id = $1 AND kind = $2 AND id = $3",
	[PG_REHOME_JOURNAL] = "UPDATE journal_entries SET couple_id = $4, author_id = $5, "
			      "body_sealed = $6, prompt_sealed = $7 "
			      "WHERE couple_id = $1 AND $2::text = '' AND id = $3",
	[PG_REHOME_STATEMENT] =
		"UPDATE statements SET couple_id = $4, author_id = $5, "
		"parts_sealed = $6 WHERE couple_id = $1 AND $2::text = '' AND id = $3",
	[PG_REHOME_CHECKIN] =
		"UPDATE checkins SET couple_id = $4, author_id = $5, "
		"content_sealed = $6 WHERE couple_id = $1 AND $2::text = '' AND id = $3",
	[PG_REKEY_DUE] = "SELECT 1 FROM couple_keys WHERE couple_id = $1 AND member_id = $2 "
			 "AND rekey = 1",
	[PG_REKEY_MARK_KEYS] = "UPDATE couple_keys SET rekey = 1 "
			       "WHERE couple_id = $1 AND member_id IS DISTINCT FROM $2",
	[PG_REKEY_MARK_SESSIONS] = "UPDATE sessions SET rekey = 1 "
				   "WHERE couple_id = $1 AND member_id IS DISTINCT FROM $2",
	[PG_REKEY_MARK_COUPLE] = "UPDATE couples SET former = 1 WHERE id = $1",
	[PG_COUPLE_FORMER] = "SELECT former FROM couples WHERE id = $1",
	[PG_SESSION_REKEYED] = "UPDATE sessions SET keys_sealed = $3, rekey = 0 "
			       "WHERE couple_id = $2 AND id = $1",
	[PG_OLD_KEY_ADD] = "INSERT INTO old_couple_keys (member_id, couple_id, n, key_sealed, "
			   "created_at) VALUES ($1, $2, (SELECT coalesce(max(n), 0) + 1 "
			   "FROM old_couple_keys WHERE member_id = $1 AND couple_id = $2), $3, $4)",
	[PG_OLD_KEYS_GET] = "SELECT n, key_sealed FROM old_couple_keys "
			    "WHERE member_id = $1 AND couple_id = $2 ORDER BY n DESC LIMIT $3",
	[PG_OLD_KEY_SET] = "UPDATE old_couple_keys SET key_sealed = $4 "
			   "WHERE member_id = $1 AND couple_id = $2 AND n = $3",
	[PG_OLD_KEYS_DROP] = "DELETE FROM old_couple_keys WHERE member_id = $1 AND couple_id <> $2",
	[PG_TOTP_RESEAL] =
		"UPDATE totp SET secret_sealed = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_COUPLE] = "INSERT INTO couples (id, created_at, rhythm) SELECT $2, $3, rhythm "
			    "FROM couples WHERE id = $1",
	[PG_LEAVE_GHOST] =
		"INSERT INTO members (" MEMBER_COLS ", left_at) "
		"SELECT $2::text, couple_id, 'left:' || $2::text, role, display_name, "
		"language, '', ''::bytea, ''::bytea, ''::bytea, ''::bytea, ''::bytea, ''::bytea, "
		"created_at, kdf, $3 "
		"FROM members WHERE couple_id = $4 AND id = $1 AND left_at IS NULL",
	[PG_LEAVE_MOVE] = "UPDATE members SET couple_id = $2 WHERE couple_id = $3 AND id = $1",
	[PG_LEAVE_KEY] = "DELETE FROM couple_keys WHERE couple_id = $2 AND member_id = $1",
	[PG_LEAVE_AUDIT] =
		"UPDATE audit_log SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_SESSIONS] = "DELETE FROM sessions WHERE couple_id = $3 AND member_id = $1 "
			      "AND id IS DISTINCT FROM $2",
	[PG_LEAVE_SESSION_MOVE] =
		"UPDATE sessions SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_DEVICES] =
		"UPDATE devices SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_TOTP] = "UPDATE totp SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_RCODES] = "UPDATE recovery_codes SET couple_id = $2 WHERE couple_id = $3 "
			    "AND member_id = $1",
	[PG_LEAVE_PASSKEYS] =
		"UPDATE passkeys SET couple_id = $2 WHERE couple_id = $3 AND member_id = $1",
	[PG_LEAVE_CHALLENGES] = "UPDATE passkey_challenges SET couple_id = $2 WHERE couple_id = $3 "
				"AND member_id = $1",
	[PG_PASSKEY_PUT] =
		"INSERT INTO passkeys (id, couple_id, member_id, credential_id, public_key, "
		"tag, name_sealed, sign_count, created_at) "
		"SELECT $1::text, $10::text, $2::text, $3::bytea, $4::bytea, $5::bytea, "
		"$6::bytea, $7::bigint, $8::text "
		"WHERE (SELECT count(*) FROM passkeys WHERE couple_id = $10::text "
		"AND member_id = $2::text) < $9 ON CONFLICT DO NOTHING",
	[PG_PASSKEY_LIST] = "SELECT " PASSKEY_COLS " FROM passkeys WHERE couple_id = $2 "
			    "AND member_id = $1 ORDER BY created_at, rowid",
	[PG_PASSKEY_GET] = "SELECT " PASSKEY_COLS " FROM passkeys "
			   "WHERE couple_id = $3 AND member_id = $1 AND credential_id = $2",
	/* the counter moves from what the check saw: of two racing uses, one */
	[PG_PASSKEY_USE] =
		"UPDATE passkeys SET sign_count = $4, last_used_at = $5 "
		"WHERE couple_id = $6 AND member_id = $1 AND id = $2 AND sign_count = $3",
	[PG_PASSKEY_DELETE] =
		"DELETE FROM passkeys WHERE couple_id = $3 AND member_id = $1 AND id = $2",
	[PG_PASSKEY_RESEAL] = "UPDATE passkeys SET tag = $3, name_sealed = $4 "
			      "WHERE couple_id = $5 AND member_id = $1 AND id = $2",
	[PG_PASSKEY_SIGNIN_SET] = "UPDATE passkeys SET signin = $3, mk_sealed = $4 "
				  "WHERE couple_id = $5 AND member_id = $1 AND id = $2",
	[PG_PASSKEY_FIND] =
		"SELECT " PASSKEY_COLS " FROM passkeys "
		"WHERE credential_id = $1 AND signin IS NOT NULL ORDER BY rowid LIMIT 16",
	[PG_CHALLENGE_PURGE] = "DELETE FROM passkey_challenges WHERE couple_id = $1 "
			       "AND expires_at <= $2",
	[PG_CHALLENGE_PUT] = "INSERT INTO passkey_challenges (couple_id, member_id, hash, purpose, "
			     "origin, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
	[PG_CHALLENGE_TAKE] =
		"SELECT origin FROM passkey_challenges WHERE couple_id = $1 "
		"AND member_id = $2 AND hash = $3 AND purpose = $4 AND expires_at > $5 "
		"FOR UPDATE",
	[PG_CHALLENGE_DELETE] = "DELETE FROM passkey_challenges WHERE couple_id = $1 "
				"AND member_id = $2 AND hash = $3",
	[PG_SIGNIN_CHALLENGE_PURGE] = "DELETE FROM signin_challenges WHERE expires_at <= $1",
	/* nothing when the table is full: a flood of asks fills no disk */
	[PG_SIGNIN_CHALLENGE_PUT] =
		"INSERT INTO signin_challenges (hash, origin, address, expires_at) "
		"SELECT $1::bytea, $2::text, $3::bytea, $4::bigint "
		"WHERE (SELECT count(*) FROM signin_challenges) < $5 "
		"AND (SELECT count(*) FROM signin_challenges WHERE address = $3::bytea) < $6",
	/* numbered as a member's challenges are ($1, $2 and $4 unused): one taker */
	[PG_SIGNIN_CHALLENGE_TAKE] = "SELECT origin FROM signin_challenges "
				     "WHERE hash = $3 AND expires_at > $5 AND $1::text IS NULL "
				     "AND $2::text IS NULL AND $4::text IS NULL FOR UPDATE",
	[PG_SIGNIN_CHALLENGE_DELETE] = "DELETE FROM signin_challenges WHERE hash = $3 "
				       "AND $1::text IS NULL AND $2::text IS NULL",
	[PG_COUPLE_SET_RHYTHM] = "UPDATE couples SET rhythm = $2 WHERE id = $1",
};

/* store_pg_statement() - see store-pg.h. */
const char *store_pg_statement(size_t i, const char **ret_name)
{
	if (i >= _PG_STMT_MAX)
		return NULL;
	if (ret_name)
		*ret_name = pg_names[i];
	return pg_sql[i];
}

/*
 * Connections made ahead (the warm op), which reopen takes first; shared by
 * the handle that made it (its owner, which frees it) and every handle
 * reopened from it.  hostaddr is the address the first connection reached,
 * given to every later one, so that none resolves the host name again.
 */
struct pg;

/*
 * What the handles of a server process share, made by warm: the
 * connections made ahead, and the sessions' held last-seen marks with the
 * handle of the thread that writes them (serve).
 */
struct pg_pool {
	pthread_mutex_t lock;
	PGconn **conns;
	unsigned n, cap;
	char hostaddr[64];
	struct marks marks;
	struct pg *writer; /* the marks' writer's own connection */
	pthread_t thread;  /* the writer, once serve started it */
	bool marks_on;	   /* serve started the writer: touches hold their marks */
};

struct pg {
	struct store base;
	PGconn *conn;
	char *url;
	struct pg_pool *pool; /* the owner's; NULL in a handle made by store_pg_open until warm */
	bool owns_pool;
	bool prepared[_PG_STMT_MAX];
	int depth;    /* 0: autocommit; 1: in begin/commit; more: savepoints inside it */
	bool reading; /* in read_begin's read-only snapshot (depth stays 0) */
	/* the session this handle last read (session_get): a touch of it needs no second look */
	char seen_id[STORE_ID_LEN + 1];
	char seen_couple[STORE_ID_LEN + 1];
};

/* The calling thread's last storage fault (see the fault op). */
static _Thread_local int pg_thread_fault = STORE_FAULT_NONE;

static void pg_fault_note(int fault)
{
	if (fault > pg_thread_fault)
		pg_thread_fault = fault;
}

static struct pg *to_pg(struct store *st)
{
	return (struct pg *)st;
}

static void set_reason(char *errbuf, size_t errlen, const char *reason)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, errlen, "%s", reason);
}

/* At most 16 parameters per statement; text, or a blob (binary; NULL data: SQL NULL). */
struct params {
	int err; /* -EINVAL once a fixed-size field had no terminating NUL */
	int n;
	const char *values[16];
	int lengths[16];
	int formats[16];
	char ints[16][24]; /* room for the decimal text of an integer parameter */
};

static void p_text(struct params *p, const char *s)
{
	p->values[p->n] = s;
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

/* A char array of a row struct: refused (-EINVAL at run time) when it is not terminated. */
static void p_field(struct params *p, const char *field, size_t size)
{
	if (!memchr(field, '\0', size)) {
		p->err = -EINVAL;
		field = NULL;
	}
	p_text(p, field);
}

#define P_FIELD(p, field) p_field((p), (field), sizeof(field))

/*
 * A blob, as the SQLite backend binds one: empty is SQL NULL when
 * null_if_empty, else a zero-length value; data NULL with a length, or a
 * length libpq cannot carry, is refused (-EINVAL at run time).
 */
static void p_blob(struct params *p, const unsigned char *data, size_t len, bool null_if_empty)
{
	static const char empty[1] = "";

	if (len > 0 && (!data || len > INT32_MAX)) {
		p->err = -EINVAL;
		data = NULL;
		len = 0;
	}
	if (len == 0)
		p->values[p->n] = null_if_empty ? NULL : empty;
	else
		p->values[p->n] = (const char *)data;
	p->lengths[p->n] = (int)len;
	p->formats[p->n] = 1;
	p->n++;
}

static void p_i64(struct params *p, int64_t v)
{
	snprintf(p->ints[p->n], sizeof(p->ints[p->n]), "%lld", (long long)v);
	p_text(p, p->ints[p->n]);
}

static void p_null(struct params *p)
{
	p_text(p, NULL);
}

/* A failed result's SQLSTATE as a store result; a lost connection is a fault. */
static int pg_errno(struct pg *pg, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(pg->conn) != CONNECTION_OK || !state) {
		pg_fault_note(STORE_FAULT_IO);
		return -EIO;
	}
	if (strcmp(state, "23505") == 0)
		return STORE_CONFLICT;
	if (strcmp(state, "23503") == 0)
		return STORE_NOTFOUND;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return -EINVAL;
	if (strcmp(state, "53100") == 0) {
		pg_fault_note(STORE_FAULT_FULL);
		return -ENOSPC;
	}
	if (strcmp(state, "53200") == 0)
		return -ENOMEM;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0) {
		pg_fault_note(STORE_FAULT_BUSY);
		return -EBUSY;
	}
	if (strcmp(state, "25006") == 0) {
		pg_fault_note(STORE_FAULT_READONLY);
		return -EACCES;
	}
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		pg_fault_note(STORE_FAULT_IO);
	return -EIO;
}

/* After a lost connection: a new one; the statements are prepared again. */
static bool pg_reset(struct pg *pg)
{
	PQreset(pg->conn);
	memset(pg->prepared, 0, sizeof(pg->prepared));
	pg->reading = false; /* the snapshot went with the connection; reads go on one by one */
	return PQstatus(pg->conn) == CONNECTION_OK;
}

/* Statement id prepared on pg's connection (once per connection), named "kN" into name. */
static int pg_prepare(struct pg *pg, enum pg_stmt id, char name[16])
{
	PGresult *res;
	int r = 0;

	snprintf(name, 16, "k%d", (int)id);
	if (pg->prepared[id])
		return 0;
	res = PQprepare(pg->conn, name, pg_sql[id], 0, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		pg->prepared[id] = true;
	else
		r = pg_errno(pg, res);
	PQclear(res);
	return r;
}

/*
 * Runs statement id with p's parameters: 0 with *ret the result (the caller
 * PQclear()s it), or the result of pg_errno.  Outside a transaction, a
 * connection found lost is reset and the statement tried once more.
 */
static int pg_run_once(struct pg *pg, enum pg_stmt id, const struct params *p, PGresult **ret)
{
	char name[16];
	PGresult *res;
	ExecStatusType s;
	int r;

	*ret = NULL;
	if (p && p->err)
		return p->err;
	for (int attempt = 0;; attempt++) {
		if (PQstatus(pg->conn) != CONNECTION_OK && (pg->depth > 0 || !pg_reset(pg))) {
			pg_fault_note(STORE_FAULT_IO);
			return -EIO;
		}
		r = pg_prepare(pg, id, name);
		if (r != 0) {
			if (attempt == 0 && pg->depth == 0 && PQstatus(pg->conn) != CONNECTION_OK)
				continue;
			return r;
		}
		res = PQexecPrepared(pg->conn, name, p ? p->n : 0, p ? p->values : NULL,
				     p ? p->lengths : NULL, p ? p->formats : NULL, 1);
		s = PQresultStatus(res);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
			*ret = res;
			return 0;
		}
		r = pg_errno(pg, res);
		PQclear(res);
		if (attempt == 0 && pg->depth == 0 && PQstatus(pg->conn) != CONNECTION_OK)
			continue;
		return r;
	}
}

static int pg_exec(struct pg *pg, const char *sql);

/*
 * pg_run_once() inside a transaction behind a savepoint: a statement that
 * fails (a clash, a dangling reference, bad input) leaves the transaction as
 * SQLite does, usable, instead of aborting it whole.  In a read snapshot, a
 * failed statement ends the snapshot and the reads go on one by one.
 */
static int pg_run(struct pg *pg, enum pg_stmt id, const struct params *p, PGresult **ret)
{
	int r;

	*ret = NULL;
	if (pg->depth == 0) {
		r = pg_run_once(pg, id, p, ret);
		if (r != 0 && pg->reading && PQstatus(pg->conn) == CONNECTION_OK &&
		    PQtransactionStatus(pg->conn) == PQTRANS_INERROR) {
			pg->reading = false;
			pg_exec(pg, "ROLLBACK");
		}
		return r;
	}
	if (p && p->err)
		return p->err;
	r = pg_exec(pg, "SAVEPOINT store_stmt");
	if (r != 0)
		return r;
	r = pg_run_once(pg, id, p, ret);
	if (r == 0) {
		r = pg_exec(pg, "RELEASE SAVEPOINT store_stmt");
		if (r != 0)
			PQclear(*ret);
		return r;
	}
	if (PQstatus(pg->conn) == CONNECTION_OK)
		pg_exec(pg, "ROLLBACK TO SAVEPOINT store_stmt; RELEASE SAVEPOINT store_stmt");
	return r;
}

static void pg_read_pause(struct pg *pg);

/* A write: 0 with the rows it changed in *changes (when not NULL), or < 0 / CONFLICT / NOTFOUND. */
static int pg_write(struct pg *pg, enum pg_stmt id, const struct params *p, int *changes)
{
	PGresult *res = NULL;
	int r;

	pg_read_pause(pg);
	r = pg_run(pg, id, p, &res);
	if (r != 0)
		return r;
	if (changes)
		*changes = (int)strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

/* A read of one row: 0 with *ret holding at least one row, STORE_NOTFOUND, or < 0. */
static int pg_read(struct pg *pg, enum pg_stmt id, const struct params *p, PGresult **ret)
{
	PGresult *res = NULL;
	int r = pg_run(pg, id, p, &res);

	if (r != 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return STORE_NOTFOUND;
	}
	*ret = res;
	return 0;
}

static int pg_ids(struct pg *pg, enum pg_stmt id, const char *a, const char *b, int *changes)
{
	struct params p = {0};

	if (!a)
		return -EINVAL;
	p_text(&p, a);
	if (b)
		p_text(&p, b);
	return pg_write(pg, id, &p, changes);
}

/* ---- reading binary results ---- */

/* Copy a text column into buf (NULL reads ""); -EIO when it does not fit. */
static int col_text(const PGresult *res, int row, int col, char *buf, size_t len)
{
	size_t n = (size_t)PQgetlength(res, row, col);

	if (n >= len)
		return -EIO;
	memcpy(buf, PQgetvalue(res, row, col), n);
	buf[n] = '\0';
	return 0;
}

#define COL_TEXT(res, row, col, field) col_text((res), (row), (col), (field), sizeof(field))

/* An integer or boolean column (int8, int4, int2, bool in binary); NULL reads 0. */
static int64_t col_int(const PGresult *res, int row, int col)
{
	const unsigned char *v = (const unsigned char *)PQgetvalue(res, row, col);
	int len = PQgetlength(res, row, col);
	uint64_t u = 0;

	if (PQgetisnull(res, row, col))
		return 0;
	for (int i = 0; i < len; i++)
		u = (u << 8) | v[i];
	if (len == 8)
		return (int64_t)u;
	if (len == 4)
		return (int32_t)(uint32_t)u;
	if (len == 2)
		return (int16_t)(uint16_t)u;
	return (int64_t)u; /* bool: one byte, 0 or 1 */
}

/* A bytea column into a malloc'd blob; NULL gives {NULL, 0}. */
static int col_blob(const PGresult *res, int row, int col, struct blob *out)
{
	size_t n = (size_t)PQgetlength(res, row, col);

	out->data = NULL;
	out->len = 0;
	if (PQgetisnull(res, row, col))
		return 0;
	out->data = malloc(n ? n : 1);
	if (!out->data)
		return -ENOMEM;
	memcpy(out->data, PQgetvalue(res, row, col), n);
	out->len = n;
	return 0;
}

/* ---- transactions ---- */

static int pg_exec(struct pg *pg, const char *sql)
{
	PGresult *res = PQexec(pg->conn, sql);
	int r = 0;

	/* the last statement's result: a command, or a SELECT of a function */
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		r = pg_errno(pg, res);
	PQclear(res);
	return r;
}

static int pg_begin(struct store *st)
{
	struct pg *pg = to_pg(st);
	int r;

	if (pg->depth > 0)
		return -EINVAL;
	pg_read_pause(pg);
	if (PQstatus(pg->conn) != CONNECTION_OK && !pg_reset(pg)) {
		pg_fault_note(STORE_FAULT_IO);
		return -EIO;
	}
	/*
	 * Writers are serialised, as SQLite's BEGIN IMMEDIATE and the process's
	 * writer lock do, but across every process on the database: the core's
	 * read-then-write transactions rely on it.  One lock for the database
	 * for now (a lock per couple is the next step for write throughput).
	 */
	r = pg_exec(pg, "BEGIN ISOLATION LEVEL READ COMMITTED; "
			"SELECT pg_advisory_xact_lock(" PG_WRITER_LOCK ")");
	if (r == 0)
		pg->depth = 1;
	else if (PQstatus(pg->conn) == CONNECTION_OK &&
		 PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		pg_exec(pg, "ROLLBACK");
	return r;
}

/* On failure the transaction stays open: the caller rolls back. */
static int pg_commit(struct store *st)
{
	struct pg *pg = to_pg(st);
	int r;

	if (pg->depth != 1)
		return -EINVAL;
	r = pg_exec(pg, "COMMIT");
	if (r == 0 || PQstatus(pg->conn) != CONNECTION_OK ||
	    PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
		pg->depth = 0;
	return r;
}

/* Rolling back when the connection is gone succeeds: the server dropped it all. */
static int pg_rollback(struct store *st)
{
	struct pg *pg = to_pg(st);

	if (pg->depth == 0)
		return 0;
	pg->depth = 0;
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return 0;
	return pg_exec(pg, "ROLLBACK");
}

/* Ends read_begin's snapshot, if any: before a write, a begin, or at read_end. */
static void pg_read_pause(struct pg *pg)
{
	if (!pg->reading)
		return;
	pg->reading = false;
	if (PQstatus(pg->conn) == CONNECTION_OK)
		pg_exec(pg, "COMMIT");
}

/*
 * One snapshot for the reads of a request: a read-only repeatable-read
 * transaction, outside any other only.  The first write ends it.
 */
static int pg_read_begin(struct store *st)
{
	struct pg *pg = to_pg(st);
	int r;

	if (pg->reading || pg->depth > 0)
		return 0;
	if (PQstatus(pg->conn) != CONNECTION_OK && !pg_reset(pg)) {
		pg_fault_note(STORE_FAULT_IO);
		return -EIO;
	}
	r = pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (r == 0)
		pg->reading = true;
	return r;
}

static void pg_read_end(struct store *st)
{
	pg_read_pause(to_pg(st));
}

/* An operation of several statements: its own transaction, or a savepoint in the caller's. */
static int pg_tx_enter(struct pg *pg)
{
	int r;

	if (pg->depth == 0)
		return pg_begin(&pg->base);
	r = pg_exec(pg, "SAVEPOINT store_op");
	if (r == 0)
		pg->depth++;
	return r;
}

static int pg_tx_leave(struct pg *pg, int r)
{
	int c;

	if (pg->depth == 1) {
		if (r < 0 || r == STORE_NOTFOUND || r == STORE_CONFLICT) {
			pg_rollback(&pg->base);
			return r;
		}
		c = pg_commit(&pg->base);
		if (c != 0)
			pg_rollback(&pg->base);
		return c;
	}
	pg->depth--;
	if (r != 0)
		pg_exec(pg, "ROLLBACK TO store_op");
	c = pg_exec(pg, "RELEASE store_op");
	return r != 0 ? r : c;
}

/* ---- handle ---- */

static int pg_connect(const char *url, const char *hostaddr, PGconn **ret, char *errbuf,
		      size_t errlen)
{
	const char *const keys[] = {"dbname", "hostaddr", NULL};
	const char *const values[] = {url, hostaddr, NULL};
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	PGresult *res;

	if (!conn) {
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password */
		set_reason(errbuf, errlen, "cannot connect to the PostgreSQL server");
		PQfinish(conn);
		return -ECONNREFUSED;
	}
	res = PQexec(conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		PQfinish(conn);
		set_reason(errbuf, errlen, "the PostgreSQL server refused the session settings");
		return -EIO;
	}
	PQclear(res);
	*ret = conn;
	return 0;
}

/* A handle's own part: its connection (any transaction left open is rolled back). */
static void pg_free(struct pg *pg)
{
	if (!pg)
		return;
	PQfinish(pg->conn);
	free(pg->url);
	free(pg);
}

/* The writer of the held marks stops after writing them (pg_marks_writer()). */
static void pool_free(struct pg_pool *pool)
{
	if (!pool)
		return;
	if (pool->marks_on) {
		marks_stop(&pool->marks);
		pthread_join(pool->thread, NULL);
	}
	pg_free(pool->writer);
	marks_destroy(&pool->marks);
	while (pool->n > 0)
		PQfinish(pool->conns[--pool->n]);
	free(pool->conns);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

static void pg_close(struct store *st)
{
	struct pg *pg = to_pg(st);

	if (pg->owns_pool)
		pool_free(pg->pool);
	pg_free(pg);
}

/* A handle on conn, which it then owns (closed here on failure). */
static int pg_wrap(const char *url, PGconn *conn, struct pg **ret, char *errbuf, size_t errlen)
{
	struct pg *pg = calloc(1, sizeof(*pg));

	if (!pg || !(pg->url = strdup(url))) {
		free(pg);
		PQfinish(conn);
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	pg->base.ops = &store_pg_ops;
	pg->conn = conn;
	*ret = pg;
	return 0;
}

static int pg_new(const char *url, const char *hostaddr, struct pg **ret, char *errbuf,
		  size_t errlen)
{
	PGconn *conn;
	int r;

	r = pg_connect(url, hostaddr, &conn, errbuf, errlen);
	return r < 0 ? r : pg_wrap(url, conn, ret, errbuf, errlen);
}

int store_pg_open(const char *url, struct store **ret, char *errbuf, size_t errlen)
{
	struct pg *pg;
	int r;

	if (errbuf && errlen > 0)
		errbuf[0] = '\0';
	if (!url || !ret) {
		set_reason(errbuf, errlen, "no database given");
		return -EINVAL;
	}
	r = pg_new(url, NULL, &pg, errbuf, errlen);
	if (r < 0)
		return r;
	r = store_pg_migrate(&pg->base);
	if (r < 0) {
		set_reason(errbuf, errlen, "the database schema could not be brought up to date");
		pg_close(&pg->base);
		return r;
	}
	*ret = &pg->base;
	return 0;
}

/*
 * The address a later connection should reach instead of resolving the
 * host again: the one conn reached, when the URL names one host by name or
 * address (not a socket folder, not a list of hosts, no hostaddr of its own).
 */
static void pool_hostaddr(const char *url, PGconn *conn, char *out, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	const char *addr = PQhostaddr(conn);
	bool one_host = false, own_addr = false;

	out[0] = '\0';
	if (!opts)
		return;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "host") == 0)
			one_host = o->val && o->val[0] && o->val[0] != '/' && o->val[0] != '@' &&
				   !strchr(o->val, ',');
		else if (strcmp(o->keyword, "hostaddr") == 0)
			own_addr = o->val && o->val[0];
	}
	PQconninfoFree(opts);
	if (one_host && !own_addr && addr && addr[0] && strlen(addr) < len)
		snprintf(out, len, "%s", addr);
}

/*
 * warm: n connections made now (before the server's sandbox), for reopen to
 * take.  The pool belongs to st, which frees what is left of it at close.
 */
static int pg_warm(struct store *st, unsigned n, char *errbuf, size_t errlen)
{
	struct pg *pg = to_pg(st);
	struct pg_pool *pool = pg->pool;
	int r = 0;

	if (!pool) {
		pool = calloc(1, sizeof(*pool));
		if (!pool || marks_init(&pool->marks, MARKS_PG_AGE_MS) != 0) {
			free(pool);
			set_reason(errbuf, errlen, "out of memory");
			return -ENOMEM;
		}
		pthread_mutex_init(&pool->lock, NULL);
		pool_hostaddr(pg->url, pg->conn, pool->hostaddr, sizeof(pool->hostaddr));
		/* the marks' writer's connection, for serve */
		r = pg_new(pg->url, pool->hostaddr[0] ? pool->hostaddr : NULL, &pool->writer,
			   errbuf, errlen);
		if (r < 0) {
			pool_free(pool);
			return r;
		}
		pg->pool = pool;
		pg->owns_pool = true;
	}
	pthread_mutex_lock(&pool->lock);
	if (pool->cap < pool->n + n) {
		PGconn **c = realloc(pool->conns, (pool->n + n) * sizeof(PGconn *));

		if (!c) {
			pthread_mutex_unlock(&pool->lock);
			set_reason(errbuf, errlen, "out of memory");
			return -ENOMEM;
		}
		pool->conns = c;
		pool->cap = pool->n + n;
	}
	for (unsigned i = 0; i < n && r == 0; i++) {
		r = pg_connect(pg->url, pool->hostaddr[0] ? pool->hostaddr : NULL,
			       &pool->conns[pool->n], errbuf, errlen);
		if (r == 0)
			pool->n++;
	}
	pthread_mutex_unlock(&pool->lock);
	return r;
}

/*
 * Another connection to the same database, for another thread; no
 * migration.  One made ahead by warm when there is one left, else a new one.
 */
static int pg_reopen(struct store *st, struct store **ret, char *errbuf, size_t errlen)
{
	struct pg *from = to_pg(st), *pg;
	struct pg_pool *pool = from->pool;
	PGconn *conn = NULL;
	int r;

	if (!ret) {
		set_reason(errbuf, errlen, "no handle to fill");
		return -EINVAL;
	}
	if (pool) {
		pthread_mutex_lock(&pool->lock);
		if (pool->n > 0)
			conn = pool->conns[--pool->n];
		pthread_mutex_unlock(&pool->lock);
	}
	if (!conn)
		r = pg_new(from->url, pool && pool->hostaddr[0] ? pool->hostaddr : NULL, &pg,
			   errbuf, errlen);
	else
		r = pg_wrap(from->url, conn, &pg, errbuf, errlen);
	if (r < 0)
		return r;
	pg->pool = pool;
	*ret = &pg->base;
	return 0;
}

/* ---- last-seen marks, held and written together (marks.h) ---- */

/* 0 when the couple has the session, STORE_NOTFOUND, or < 0. */
static int pg_session_exists(struct pg *pg, const char *session_id, const char *couple_id)
{
	struct params p = {0};
	PGresult *res;
	int r;

	p_text(&p, session_id);
	p_text(&p, couple_id);
	r = pg_read(pg, PG_SESSION_EXISTS, &p, &res);
	if (r == 0)
		PQclear(res);
	return r;
}

/* One mark written now by statement id (PG_SESSION_TOUCH or its unflushed twin). */
static int pg_mark_write(struct pg *pg, enum pg_stmt id, const char *session_id, const char *at,
			 const char *couple_id, int *changes)
{
	struct params p = {0};

	p_text(&p, session_id);
	p_text(&p, at);
	p_text(&p, couple_id);
	return pg_write(pg, id, &p, changes);
}

/*
 * The marks k[0..n) in one round trip: PG_SESSION_TOUCH_UNFLUSHED for each,
 * pipelined, so each statement names its couple as every other does
 * (test-tenant), and together they are one implicit transaction that
 * commits at the sync without waiting for the WAL flush.  A statement that
 * fails aborts the batch.  -EAGAIN: the connection would not take a
 * pipeline (it owes a result): the caller starts afresh.
 */
static int pg_marks_pipeline(struct pg *pg, const struct mark *k, size_t n)
{
	char name[16];
	size_t sent = 0, ends = 0;
	int r;

	r = pg_prepare(pg, PG_SESSION_TOUCH_UNFLUSHED, name);
	if (r != 0)
		return r;
	if (!PQenterPipelineMode(pg->conn))
		return -EAGAIN;
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *const values[3] = {k[i].id, k[i].at, k[i].couple_id};

		if (PQsendQueryPrepared(pg->conn, name, 3, values, NULL, NULL, 1))
			sent++;
		else
			r = pg_errno(pg, NULL);
	}
	if (!PQpipelineSync(pg->conn) && r == 0)
		r = pg_errno(pg, NULL);
	/*
	 * Each statement's result and the NULL that ends it, then the sync's
	 * result; after a lost connection only NULLs come, hence the bound.
	 */
	for (size_t step = 0; step < 2 * sent + 2; step++) {
		PGresult *res = PQgetResult(pg->conn);
		ExecStatusType st;

		if (!res) {
			if (++ends > sent)
				break;
			continue;
		}
		st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_SYNC && r == 0)
			r = st == PGRES_PIPELINE_ABORTED ? -EIO : pg_errno(pg, res);
		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	/* fails when something is still owed on the connection: the caller starts afresh */
	if (!PQexitPipelineMode(pg->conn) && r == 0)
		r = -EIO;
	return r;
}

/*
 * Write marks: pipelined outside a transaction (once more on a fresh
 * connection if it was lost: a mark never moves back, so writing one twice
 * is harmless), one by one inside one.  A session gone since changes
 * nothing.
 */
static int pg_marks_write(struct pg *pg, const struct mark *k, size_t n)
{
	int r = 0;

	pg_read_pause(pg);
	if (pg->depth > 0) {
		for (size_t i = 0; i < n && r == 0; i++)
			r = pg_mark_write(pg, PG_SESSION_TOUCH, k[i].id, k[i].at, k[i].couple_id,
					  NULL);
		return r;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (PQstatus(pg->conn) != CONNECTION_OK && !pg_reset(pg)) {
			pg_fault_note(STORE_FAULT_IO);
			return -EIO;
		}
		r = pg_marks_pipeline(pg, k, n);
		if (r == 0 || (r != -EAGAIN && PQstatus(pg->conn) == CONNECTION_OK &&
			       PQpipelineStatus(pg->conn) == PQ_PIPELINE_OFF))
			return r; /* written, or refused: not tried again */
		/* the connection was lost, or left owing results: a fresh one */
		(void)pg_reset(pg);
	}
	return r == -EAGAIN ? -EIO : r;
}

/*
 * The writer's thread: the held marks are written once the oldest is
 * MARKS_PG_AGE_MS old (or MARKS_MAX are held), whether or not more
 * requests come, so that another process reads them soon; at the stop, what
 * is left.  Marks whose write failed are dropped: those sessions look idle
 * for longer than they were, so they lock and end sooner, never later.
 */
static void *pg_marks_writer(void *arg)
{
	struct pg_pool *pool = arg;
	bool go_on;

	do {
		struct mark *k = NULL;
		size_t n = 0;

		go_on = marks_wait(&pool->marks);
		if (marks_take(&pool->marks, &k, &n) < 0) {
			/* no memory for the copy: the marks stay held; try again shortly */
			const struct timespec pause = {0, 100 * 1000000L};

			nanosleep(&pause, NULL);
			continue;
		}
		if (n > 0) {
			(void)pg_marks_write(pool->writer, k, n);
			marks_done(&pool->marks);
		}
		free(k);
	} while (go_on);
	return NULL;
}

static int pg_serve(struct store *st, char *errbuf, size_t errlen)
{
	struct pg_pool *pool = to_pg(st)->pool;
	sigset_t all, old;
	int r;

	if (!pool || !to_pg(st)->owns_pool || pool->marks_on) {
		set_reason(errbuf, errlen,
			   "serve comes once, after warm, on the handle that warmed");
		return -EINVAL;
	}
	/* the process's signals are for its main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&pool->thread, NULL, pg_marks_writer, pool);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		set_reason(errbuf, errlen, "cannot start the thread that writes last-seen marks");
		return -r;
	}
	pool->marks_on = true;
	return 0;
}

static int pg_fault(struct store *st)
{
	int f = pg_thread_fault;

	(void)st;
	pg_thread_fault = STORE_FAULT_NONE;
	return f;
}

/* No fault of PostgreSQL stops every write of the process: the server has its own log. */
static int pg_fatal(struct store *st)
{
	(void)st;
	return STORE_FAULT_NONE;
}

static int schema_version(struct pg *pg, int *ret)
{
	PGresult *res = PQexec(pg->conn, "SELECT version FROM kintsugi_schema");
	int r = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = pg_errno(pg, res);
	else if (PQntuples(res) != 1)
		r = -EIO;
	else
		*ret = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return r;
}

int store_pg_migrate(struct store *st)
{
	struct pg *pg;
	int version = 0, r;

	if (!st || st->ops != &store_pg_ops)
		return -EINVAL;
	pg = to_pg(st);
	if (pg->depth > 0)
		return -EINVAL;
	/* one process migrates; the others wait on the lock, then find nothing to do */
	r = pg_exec(pg, "BEGIN; SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK "); "
			"CREATE TABLE IF NOT EXISTS kintsugi_schema (version BIGINT NOT NULL); "
			"INSERT INTO kintsugi_schema SELECT 0 "
			"WHERE NOT EXISTS (SELECT 1 FROM kintsugi_schema)");
	if (r == 0)
		r = schema_version(pg, &version);
	for (size_t i = 0; r == 0 && i < store_pg_migrations_n; i++) {
		const struct store_pg_migration *m = &store_pg_migrations[i];

		if (m->version <= version)
			continue;
		/* a database below the baseline was made by no kintsugi: refuse it */
		if (i == 0 && version != 0) {
			r = -EIO;
			break;
		}
		r = pg_exec(pg, m->sql);
		if (r == 0)
			version = m->version;
	}
	if (r == 0 && store_pg_migrations_n > 0 &&
	    version > store_pg_migrations[store_pg_migrations_n - 1].version)
		r = -EIO; /* made by a newer kintsugi */
	if (r == 0)
		r = pg_exec(pg, "COMMIT");
	if (r != 0) {
		if (PQstatus(pg->conn) == CONNECTION_OK)
			pg_exec(pg, "ROLLBACK");
		return r < 0 ? r : -EIO;
	}
	return version;
}

/* ---- the database as a whole ---- */

/* A PostgreSQL database keeps no files of the server process's own. */
static int pg_files_dir(struct store *st, char *out, size_t len)
{
	(void)st;
	(void)out;
	(void)len;
	return -ENOENT;
}

/*
 * No PostgreSQL fault is fatal to the process (pg_fatal), so nothing is
 * left to rescue: what was committed is in the server's own log.
 */
static int pg_rescue(struct store *st, char *where, size_t wherelen)
{
	(void)st;
	if (where && wherelen > 0)
		snprintf(where, wherelen, "%s", "the PostgreSQL database");
	return 0;
}

/*
 * A copy of a PostgreSQL database is pg_dump's work (consistent, online,
 * without the server's files): `kintsugi backup` says so instead.
 */
static int pg_backup(struct store *st, const char *dest_path)
{
	(void)st;
	(void)dest_path;
	return -EOPNOTSUPP;
}

/*
 * PostgreSQL has no secure_delete: a deleted row's bytes stay in its page
 * until the space is reused, whatever VACUUM does.  Nothing to do here; the
 * operator's disk encryption covers it (docs/storage.md).
 */
static int pg_scrub(struct store *st)
{
	(void)st;
	return -EOPNOTSUPP;
}

/*
 * The schema is this binary's, and every table reads to its end: 0 when
 * sound, STORE_CONFLICT when not (a wrong version, a table missing, or data
 * PostgreSQL finds damaged: SQLSTATE XX001/XX002), < 0 when the server
 * cannot be asked.
 */
static int pg_check(struct store *st)
{
	static const char *const tables[] = {
		"couples",	 "members",	    "couple_keys", "invites",
		"sessions",	 "journal_entries", "audit_log",   "statements",
		"checkins",	 "signin_failures", "items",	   "devices",
		"totp",		 "recovery_codes",  "passkeys",	   "passkey_challenges",
		"safety_checks", "old_couple_keys", "ledgers",	   "signin_challenges",
		"care_invites",	 "care_keys",	    "care_wraps",
	};
	struct pg *pg = to_pg(st);
	char sql[96];
	PGresult *res;
	int version = 0, r;

	if (pg->depth > 0 || pg->reading)
		return -EINVAL;
	r = schema_version(pg, &version);
	if (r != 0)
		return r < 0 ? r : -EIO;
	if (store_pg_migrations_n == 0 ||
	    version != store_pg_migrations[store_pg_migrations_n - 1].version)
		return STORE_CONFLICT;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const char *state;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		res = PQexec(pg->conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			PQclear(res);
			continue;
		}
		/* damaged data, or a table of the schema gone: not sound; else unanswered */
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && (strncmp(state, "XX00", 4) == 0 || strcmp(state, "42P01") == 0))
			r = STORE_CONFLICT;
		else
			r = pg_errno(pg, res);
		PQclear(res);
		return r == STORE_CONFLICT || r < 0 ? r : -EIO;
	}
	return 0;
}

/* ---- couples ---- */

static int pg_couple_insert(struct store *st, const struct couple_row *c)
{
	struct params p = {0};

	if (!c)
		return -EINVAL;
	P_FIELD(&p, c->id);
	P_FIELD(&p, c->created_at);
	P_FIELD(&p, c->rhythm);
	return pg_write(to_pg(st), PG_COUPLE_INSERT, &p, NULL);
}

static int pg_couple_get(struct store *st, const char *couple_id, struct couple_row *ret)
{
	struct couple_row row = {0};
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_COUPLE_GET, &p, &res);
	if (r != 0)
		return r;
	r = COL_TEXT(res, 0, 0, row.id);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, row.created_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 2, row.rhythm);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

/* Oldest first; a couple without members gives n = 0 and a NULL list. */
static int pg_couple_members(struct store *st, const char *couple_id,
			     struct member_brief **ret_list, size_t *ret_n)
{
	struct pg *pg = to_pg(st);
	struct member_brief *list = NULL;
	struct params p = {0};
	PGresult *res;
	int n, r;

	if (!ret_list || !ret_n || !couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	r = pg_run(pg, PG_COUPLE_MEMBERS, &p, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0) {
		list = calloc((size_t)n, sizeof(*list));
		if (!list)
			r = -ENOMEM;
	}
	for (int i = 0; r == 0 && i < n; i++) {
		r = COL_TEXT(res, i, 0, list[i].id);
		if (r == 0)
			r = COL_TEXT(res, i, 1, list[i].role);
		if (r == 0)
			r = COL_TEXT(res, i, 2, list[i].display_name);
		list[i].left = col_int(res, i, 3) != 0;
		if (r == 0)
			r = COL_TEXT(res, i, 4, list[i].since);
		list[i].care_ended = col_int(res, i, 5) != 0;
	}
	PQclear(res);
	if (r == 0 && n == 0) {
		r = pg_read(pg, PG_COUPLE_EXISTS, &p, &res);
		if (r == 0)
			PQclear(res);
	}
	if (r != 0) {
		free(list);
		return r;
	}
	*ret_list = list;
	*ret_n = (size_t)n;
	return 0;
}

/* Foreign keys cascade to members, and through them to keys, sessions, entries. */
static int pg_couple_delete(struct store *st, const char *couple_id)
{
	int changes = 0, r;

	r = pg_ids(to_pg(st), PG_COUPLE_DELETE, couple_id, NULL, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- members ---- */

static int pg_member_insert(struct store *st, const struct member_row *m)
{
	struct params p = {0};

	if (!m)
		return -EINVAL;
	P_FIELD(&p, m->id);
	P_FIELD(&p, m->couple_id);
	P_FIELD(&p, m->login);
	P_FIELD(&p, m->role);
	P_FIELD(&p, m->display_name);
	P_FIELD(&p, m->language);
	P_FIELD(&p, m->pw_hash);
	p_blob(&p, m->kek_salt.data, m->kek_salt.len, false);
	p_blob(&p, m->mk_by_pw.data, m->mk_by_pw.len, false);
	p_blob(&p, m->rk_salt.data, m->rk_salt.len, false);
	p_blob(&p, m->mk_by_rk.data, m->mk_by_rk.len, false);
	p_blob(&p, m->public_key.data, m->public_key.len, false);
	p_blob(&p, m->secret_key_sealed.data, m->secret_key_sealed.len, false);
	P_FIELD(&p, m->created_at);
	P_FIELD(&p, m->kdf);
	return pg_write(to_pg(st), PG_MEMBER_INSERT, &p, NULL);
}

static int read_member(const PGresult *res, struct member_row *m)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = COL_TEXT(res, 0, 0, m->id);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, m->couple_id);
	if (r == 0)
		r = COL_TEXT(res, 0, 2, m->login);
	if (r == 0)
		r = COL_TEXT(res, 0, 3, m->role);
	if (r == 0)
		r = COL_TEXT(res, 0, 4, m->display_name);
	if (r == 0)
		r = COL_TEXT(res, 0, 5, m->language);
	if (r == 0)
		r = COL_TEXT(res, 0, 6, m->pw_hash);
	if (r == 0)
		r = col_blob(res, 0, 7, &m->kek_salt);
	if (r == 0)
		r = col_blob(res, 0, 8, &m->mk_by_pw);
	if (r == 0)
		r = col_blob(res, 0, 9, &m->rk_salt);
	if (r == 0)
		r = col_blob(res, 0, 10, &m->mk_by_rk);
	if (r == 0)
		r = col_blob(res, 0, 11, &m->public_key);
	if (r == 0)
		r = col_blob(res, 0, 12, &m->secret_key_sealed);
	if (r == 0)
		r = COL_TEXT(res, 0, 13, m->created_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 14, m->kdf);
	if (r != 0)
		store_member_free(m);
	return r;
}

static int member_get_by(struct pg *pg, enum pg_stmt id, const char *key, const char *couple_id,
			 struct member_row *ret)
{
	struct member_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !key)
		return -EINVAL;
	p_text(&p, key);
	if (couple_id)
		p_text(&p, couple_id);
	r = pg_read(pg, id, &p, &res);
	if (r != 0)
		return r;
	r = read_member(res, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

static int pg_member_get(struct store *st, const char *couple_id, const char *member_id,
			 struct member_row *ret)
{
	if (!couple_id)
		return -EINVAL;
	return member_get_by(to_pg(st), PG_MEMBER_GET, member_id, couple_id, ret);
}

static int pg_member_get_by_login(struct store *st, const char *login, struct member_row *ret)
{
	return member_get_by(to_pg(st), PG_MEMBER_GET_BY_LOGIN, login, NULL, ret);
}

static int pg_member_standing(struct store *st, const char *couple_id, const char *member_id,
			      struct member_standing *ret)
{
	struct member_standing row = {0};
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !member_id || !couple_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_MEMBER_STANDING, &p, &res);
	if (r != 0)
		return r;
	r = COL_TEXT(res, 0, 0, row.role);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, row.language);
	row.discreet = col_int(res, 0, 2) != 0;
	row.autolock_minutes = (int)col_int(res, 0, 3);
	row.care_ended = col_int(res, 0, 4) != 0;
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

/* An update of one member's row: NOTFOUND when there is no such member. */
static int member_update(struct pg *pg, enum pg_stmt id, const struct params *p)
{
	int changes = 0, r;

	r = pg_write(pg, id, p, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int pg_member_set_password(struct store *st, const struct member_row *m)
{
	struct params p = {0};

	if (!m)
		return -EINVAL;
	P_FIELD(&p, m->id);
	P_FIELD(&p, m->pw_hash);
	p_blob(&p, m->kek_salt.data, m->kek_salt.len, false);
	p_blob(&p, m->mk_by_pw.data, m->mk_by_pw.len, false);
	P_FIELD(&p, m->kdf);
	P_FIELD(&p, m->couple_id);
	return member_update(to_pg(st), PG_MEMBER_SET_PASSWORD, &p);
}

static int pg_member_set_recovery(struct store *st, const struct member_row *m)
{
	struct params p = {0};

	if (!m)
		return -EINVAL;
	P_FIELD(&p, m->id);
	p_blob(&p, m->rk_salt.data, m->rk_salt.len, false);
	p_blob(&p, m->mk_by_rk.data, m->mk_by_rk.len, false);
	P_FIELD(&p, m->couple_id);
	return member_update(to_pg(st), PG_MEMBER_SET_RECOVERY, &p);
}

static int pg_member_set_secret_key(struct store *st, const struct member_row *m)
{
	struct params p = {0};

	if (!m)
		return -EINVAL;
	P_FIELD(&p, m->id);
	p_blob(&p, m->secret_key_sealed.data, m->secret_key_sealed.len, false);
	P_FIELD(&p, m->couple_id);
	return member_update(to_pg(st), PG_MEMBER_SET_SECRET_KEY, &p);
}

static int pg_member_set_language(struct store *st, const char *couple_id, const char *member_id,
				  const char *lang)
{
	struct params p = {0};

	if (!couple_id || !member_id || !lang)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, lang);
	p_text(&p, couple_id);
	return member_update(to_pg(st), PG_MEMBER_SET_LANGUAGE, &p);
}

static int pg_member_set_profile(struct store *st, const char *couple_id, const char *member_id,
				 const char *display_name, int discreet, int autolock_minutes)
{
	struct params p = {0};

	if (!couple_id || !member_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, display_name);
	if (discreet >= 0)
		p_i64(&p, discreet != 0);
	else
		p_null(&p);
	if (autolock_minutes >= 0)
		p_i64(&p, autolock_minutes);
	else
		p_null(&p);
	p_text(&p, couple_id);
	return member_update(to_pg(st), PG_MEMBER_SET_PROFILE, &p);
}

/*
 * Crypto-shredding, as in SQLite: sessions, the couple key wrap, every journal
 * entry, the audit trail and the member row go in one transaction.
 */
static int pg_member_delete(struct store *st, const char *couple_id, const char *member_id)
{
	static const enum pg_stmt steps[] = {
		PG_MEMBER_DEL_SESSIONS, PG_MEMBER_DEL_KEYS, PG_MEMBER_DEL_JOURNAL,
		PG_MEMBER_DEL_AUDIT,	PG_MEMBER_DELETE,
	};
	struct pg *pg = to_pg(st);
	int changes = 0, r;

	if (!couple_id || !member_id)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	for (size_t i = 0; r == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		r = pg_ids(pg, steps[i], couple_id, member_id, &changes);
	/* the member row is the last: no such member of the couple, nothing done */
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return pg_tx_leave(pg, r);
}

/* ---- couple keys ---- */

/* Inserts or replaces the member's wrap; NOTFOUND when the member is not in the couple. */
static int pg_couple_key_put(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *wrapped, size_t len, const unsigned char *tag,
			     size_t taglen)
{
	struct params p = {0};

	if (!couple_id || !member_id || !wrapped)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_blob(&p, wrapped, len, false);
	p_blob(&p, tag, tag ? taglen : 0, true);
	return pg_write(to_pg(st), PG_KEY_PUT, &p, NULL);
}

static int pg_couple_key_get(struct store *st, const char *couple_id, const char *member_id,
			     struct blob *ret, struct blob *ret_tag)
{
	struct blob out = {NULL, 0}, tag = {NULL, 0};
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !member_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	r = pg_read(to_pg(st), PG_KEY_GET, &p, &res);
	if (r != 0)
		return r;
	r = col_blob(res, 0, 0, &out);
	if (r == 0 && ret_tag)
		r = col_blob(res, 0, 1, &tag);
	PQclear(res);
	if (r != 0) {
		store_blob_free(&out);
		return r;
	}
	*ret = out;
	if (ret_tag)
		*ret_tag = tag;
	return 0;
}

/* ---- invites ---- */

static int pg_invite_insert(struct store *st, const struct invite_row *inv)
{
	struct params p = {0};

	if (!inv)
		return -EINVAL;
	P_FIELD(&p, inv->id);
	P_FIELD(&p, inv->couple_id);
	P_FIELD(&p, inv->role);
	p_blob(&p, inv->secret_hash.data, inv->secret_hash.len, false);
	p_blob(&p, inv->ck_wrapped.data, inv->ck_wrapped.len, false);
	P_FIELD(&p, inv->created_at);
	P_FIELD(&p, inv->expires_at);
	p_i64(&p, inv->used ? 1 : 0);
	return pg_write(to_pg(st), PG_INVITE_INSERT, &p, NULL);
}

static int pg_invite_get(struct store *st, const char *invite_id, struct invite_row *ret)
{
	struct invite_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !invite_id)
		return -EINVAL;
	p_text(&p, invite_id);
	r = pg_read(to_pg(st), PG_INVITE_GET, &p, &res);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	r = COL_TEXT(res, 0, 0, row.id);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, row.couple_id);
	if (r == 0)
		r = COL_TEXT(res, 0, 2, row.role);
	if (r == 0)
		r = col_blob(res, 0, 3, &row.secret_hash);
	if (r == 0)
		r = col_blob(res, 0, 4, &row.ck_wrapped);
	if (r == 0)
		r = COL_TEXT(res, 0, 5, row.created_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 6, row.expires_at);
	row.used = col_int(res, 0, 7) != 0;
	PQclear(res);
	if (r != 0) {
		store_invite_free(&row);
		return r;
	}
	*ret = row;
	return 0;
}

/* Exactly one caller wins: the second sees used = 1 and gets STORE_NOTFOUND. */
static int pg_invite_consume(struct store *st, const char *couple_id, const char *invite_id)
{
	int changes = 0, r;

	if (!couple_id)
		return -EINVAL;
	r = pg_ids(to_pg(st), PG_INVITE_CONSUME, invite_id, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int pg_invite_revoke_open(struct store *st, const char *couple_id, const char *role)
{
	if (!role)
		return -EINVAL;
	return pg_ids(to_pg(st), PG_INVITE_REVOKE_OPEN, couple_id, role, NULL);
}

/* ---- sessions ---- */

static int pg_session_insert(struct store *st, const struct session_row *s)
{
	struct params p = {0};

	if (!s)
		return -EINVAL;
	P_FIELD(&p, s->id);
	P_FIELD(&p, s->member_id);
	P_FIELD(&p, s->couple_id);
	p_blob(&p, s->secret_hash.data, s->secret_hash.len, false);
	p_blob(&p, s->keys_sealed.data, s->keys_sealed.len, false);
	P_FIELD(&p, s->created_at);
	P_FIELD(&p, s->last_seen_at);
	P_FIELD(&p, s->expires_at);
	P_FIELD(&p, s->browser);
	return pg_write(to_pg(st), PG_SESSION_INSERT, &p, NULL);
}

/* The marks this process holds, when it holds them (serve started their writer). */
static struct marks *pg_marks(const struct pg *pg)
{
	return pg->pool && pg->pool->marks_on ? &pg->pool->marks : NULL;
}

/* A session's mark as this process sees it: its row's, or the later one it holds. */
static int pg_session_get(struct store *st, const char *session_id, struct session_row *ret)
{
	struct pg *pg = to_pg(st);
	struct marks *held = pg_marks(pg);
	struct session_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !session_id)
		return -EINVAL;
	p_text(&p, session_id);
	r = pg_read(pg, PG_SESSION_GET, &p, &res);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	r = COL_TEXT(res, 0, 0, row.id);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, row.member_id);
	if (r == 0)
		r = COL_TEXT(res, 0, 2, row.couple_id);
	if (r == 0)
		r = col_blob(res, 0, 3, &row.secret_hash);
	if (r == 0)
		r = col_blob(res, 0, 4, &row.keys_sealed);
	if (r == 0)
		r = COL_TEXT(res, 0, 5, row.created_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 6, row.last_seen_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 7, row.expires_at);
	if (r == 0)
		r = COL_TEXT(res, 0, 8, row.browser);
	row.locked = col_int(res, 0, 9) != 0;
	row.rekey = col_int(res, 0, 10) != 0;
	PQclear(res);
	if (r != 0) {
		store_session_free(&row);
		return r;
	}
	if (held)
		marks_raise(held, row.id, row.last_seen_at);
	memcpy(pg->seen_id, row.id, sizeof(pg->seen_id));
	memcpy(pg->seen_couple, row.couple_id, sizeof(pg->seen_couple));
	*ret = row;
	return 0;
}

/*
 * Hot path.  last_seen_at only moves forward; a touch that would not move
 * it writes nothing.  In a server (serve started the marks' writer),
 * outside a transaction, the mark is held in memory (marks.h): this
 * process's session_get() and session_list() see it at once, and the
 * writer's thread writes the held marks together within MARKS_PG_AGE_MS
 * (one round trip, one commit that does not wait for the WAL flush), so
 * another process reads a mark that much later; a clean stop writes them.
 * Written one by one, at 10,000 couples, about one signed-in read in seven
 * waited for its own UPDATE (docs/performance.md, session 17).  The
 * session this handle has just read is not looked up again; any other is,
 * so that a touch of a missing session answers NOTFOUND.  Inside a
 * transaction, outside a server, or when no more marks can be held, the
 * mark is written at once: without waiting for the WAL flush outside a
 * transaction (a lost mark makes a session lock and end sooner, never
 * later), with the caller's commit inside one.
 */
static int pg_session_touch(struct store *st, const char *couple_id, const char *session_id,
			    const char *now)
{
	struct pg *pg = to_pg(st);
	struct marks *held = pg_marks(pg);
	int changes = 0, r;

	if (!now || !session_id || !couple_id)
		return -EINVAL;
	if (pg->depth == 0 && held) {
		if (strcmp(pg->seen_id, session_id) != 0 ||
		    strcmp(pg->seen_couple, couple_id) != 0) {
			r = pg_session_exists(pg, session_id, couple_id);
			if (r != 0)
				return r;
		}
		if (marks_put(held, session_id, couple_id, now, marks_now_ms()) != MARKS_FULL)
			return 0; /* held; a flush that fell due is the writer's */
	}
	r = pg_mark_write(pg, pg->depth == 0 ? PG_SESSION_TOUCH_UNFLUSHED : PG_SESSION_TOUCH,
			  session_id, now, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = pg_session_exists(pg, session_id, couple_id);
	return r;
}

static int pg_session_set_locked(struct store *st, const char *couple_id, const char *session_id,
				 int locked, const char *now)
{
	struct params p = {0};
	int changes = 0, r;

	if ((!locked && !now) || !session_id || !couple_id)
		return -EINVAL;
	p_text(&p, session_id);
	if (!locked)
		p_text(&p, now);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), locked ? PG_SESSION_LOCK : PG_SESSION_UNLOCK, &p, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int pg_session_delete(struct store *st, const char *couple_id, const char *session_id)
{
	int changes = 0, r;

	if (!couple_id)
		return -EINVAL;
	r = pg_ids(to_pg(st), PG_SESSION_DELETE, session_id, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int pg_session_delete_member(struct store *st, const char *couple_id, const char *member_id,
				    const char *keep_id)
{
	struct params p = {0};

	if (!member_id || !couple_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, keep_id);
	p_text(&p, couple_id);
	return pg_write(to_pg(st), PG_SESSION_DELETE_MEMBER, &p, NULL);
}

/*
 * idle_before may be NULL: then only expired sessions go.  max 0: all of
 * them.  The marks this process holds are written first, so that a session
 * seen lately through it stays; another process's are at most
 * MARKS_PG_AGE_MS behind (and the idle limit is far longer).
 */
static int pg_session_purge(struct store *st, const char *now, const char *idle_before,
			    unsigned int max, unsigned int *ret_n)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	struct mark *k = NULL;
	size_t n = 0;
	int changes = 0, r;

	if (!now)
		return -EINVAL;
	if (pg_marks(pg)) {
		r = marks_copy(pg_marks(pg), &k, &n);
		if (r == 0 && n > 0)
			r = pg_marks_write(pg, k, n);
		free(k);
		if (r != 0)
			return r;
	}
	p_text(&p, now);
	p_text(&p, idle_before);
	if (max)
		p_i64(&p, max);
	else
		p_null(&p);
	r = pg_write(pg, PG_SESSION_PURGE, &p, &changes);
	if (r == 0 && ret_n)
		*ret_n = (unsigned int)changes;
	return r;
}

/* ---- items of the registry's kinds ---- */

static int64_t pg_limit(size_t limit)
{
	return limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit;
}

/* Row i of a result in ITEM_COLS order.  On failure it holds no memory. */
static int read_item(const PGresult *res, int i, struct item_row *it)
{
	int r;

	memset(it, 0, sizeof(*it));
	r = COL_TEXT(res, i, 0, it->couple_id);
	if (r == 0)
		r = COL_TEXT(res, i, 1, it->kind);
	if (r == 0)
		r = COL_TEXT(res, i, 2, it->id);
	if (r == 0)
		r = COL_TEXT(res, i, 3, it->parent_kind);
	if (r == 0)
		r = COL_TEXT(res, i, 4, it->parent_id);
	if (r == 0)
		r = COL_TEXT(res, i, 5, it->author_id);
	it->shared_with = (unsigned)col_int(res, i, 6) & 3u;
	it->version = col_int(res, i, 7);
	it->legacy = col_int(res, i, 8) != 0;
	if (r == 0)
		r = COL_TEXT(res, i, 9, it->once); /* NULL reads as "" */
	if (r == 0)
		r = COL_TEXT(res, i, 10, it->sort);
	if (r == 0)
		r = COL_TEXT(res, i, 11, it->plain);
	if (r == 0)
		r = col_blob(res, i, 12, &it->sealed);
	if (r == 0)
		r = COL_TEXT(res, i, 13, it->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, 14, it->updated_at);
	if (r != 0)
		store_item_free(it);
	return r;
}

static int pg_item_insert(struct store *st, const struct item_row *it)
{
	struct params p = {0};
	int changes = 0, r;

	if (!it || it->shared_with > 3)
		return -EINVAL;
	P_FIELD(&p, it->couple_id);
	P_FIELD(&p, it->kind);
	P_FIELD(&p, it->id);
	P_FIELD(&p, it->parent_kind);
	P_FIELD(&p, it->parent_id);
	P_FIELD(&p, it->author_id);
	p_i64(&p, it->shared_with);
	p_i64(&p, it->version);
	p_i64(&p, it->legacy ? 1 : 0);
	if (memchr(it->once, '\0', sizeof(it->once)) && !it->once[0])
		p_null(&p);
	else
		P_FIELD(&p, it->once);
	P_FIELD(&p, it->sort);
	P_FIELD(&p, it->plain);
	p_blob(&p, it->sealed.data, it->sealed.len, false);
	P_FIELD(&p, it->created_at);
	P_FIELD(&p, it->updated_at);
	r = pg_write(to_pg(st), PG_ITEM_INSERT, &p, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND; /* the parent is not the couple's */
	return r;
}

static int pg_item_get(struct store *st, const char *couple_id, const char *kind, const char *id,
		       struct item_row *ret)
{
	struct item_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !kind || !id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, kind);
	p_text(&p, id);
	r = pg_read(to_pg(st), PG_ITEM_GET, &p, &res);
	if (r != 0)
		return r;
	r = read_item(res, 0, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

/*
 * PG_ROWS() defines name(): every row of statement id read by read_one into
 * a malloc'd array of type (NULL when none), or < 0 with nothing left over
 * (the rows read so far freed by list_free).  One body for each row type,
 * as STORE_LIST_FREE in store.h.
 */
/* a type name takes no parentheses: NOLINTBEGIN(bugprone-macro-parentheses) */
#define PG_ROWS(name, type, read_one, list_free)                                                   \
	static int name(struct pg *pg, enum pg_stmt id, const struct params *p, type **ret_rows,   \
			size_t *ret_n)                                                             \
	{                                                                                          \
		type *rows = NULL;                                                                 \
		PGresult *res;                                                                     \
		int n, r;                                                                          \
                                                                                                   \
		r = pg_run(pg, id, p, &res);                                                       \
		if (r != 0)                                                                        \
			return r;                                                                  \
		n = PQntuples(res);                                                                \
		if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))                           \
			r = -ENOMEM;                                                               \
		for (int i = 0; r == 0 && i < n; i++) {                                            \
			r = read_one(res, i, &rows[i]);                                            \
			if (r != 0) {                                                              \
				list_free(rows, (size_t)i);                                        \
				rows = NULL;                                                       \
			}                                                                          \
		}                                                                                  \
		PQclear(res);                                                                      \
		if (r != 0) {                                                                      \
			free(rows);                                                                \
			return r;                                                                  \
		}                                                                                  \
		*ret_rows = rows;                                                                  \
		*ret_n = (size_t)n;                                                                \
		return 0;                                                                          \
	}
/* NOLINTEND(bugprone-macro-parentheses) */

/* Every row of statement id as items. */
PG_ROWS(item_rows, struct item_row, read_item, store_item_list_free)

static int pg_item_list(struct store *st, const struct item_query *q, struct item_row **ret_rows,
			size_t *ret_n)
{
	struct params p = {0};
	enum pg_stmt id;

	if (!q || !ret_rows || !ret_n || !q->couple_id || !q->kind ||
	    (q->parent_kind && !q->parent_id))
		return -EINVAL;
	id = q->of_newest ? PG_ITEM_ANSWERS : q->oldest_first ? PG_ITEM_LIST_OLDEST : PG_ITEM_LIST;
	p_text(&p, q->couple_id);
	p_text(&p, q->kind);
	if (q->of_newest) {
		p_text(&p, q->of_newest);
		p_i64(&p, pg_limit(q->limit));
		p_i64(&p, pg_limit(q->answer_limit));
		p_text(&p, q->reader_id);
		p_i64(&p, q->reader_bits);
	} else {
		p_text(&p, q->parent_kind ? q->parent_kind : "");
		p_text(&p, q->parent_id ? q->parent_id : "");
		p_text(&p, q->author_id);
		p_i64(&p, pg_limit(q->limit));
		p_text(&p, q->reader_id);
		p_i64(&p, q->reader_bits);
	}
	return item_rows(to_pg(st), id, &p, ret_rows, ret_n);
}

/* Optimistic: the stored version and plain must be the ones the caller read. */
static int pg_item_update(struct store *st, const struct item_row *it, int64_t old_version,
			  const char *old_plain)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	PGresult *res;
	int changes = 0, r;

	if (!it || !old_plain || it->shared_with > 3)
		return -EINVAL;
	P_FIELD(&p, it->couple_id);
	P_FIELD(&p, it->kind);
	P_FIELD(&p, it->id);
	p_i64(&p, it->shared_with);
	p_i64(&p, it->version);
	p_i64(&p, it->legacy ? 1 : 0);
	p_blob(&p, it->sealed.data, it->sealed.len, false);
	P_FIELD(&p, it->plain);
	P_FIELD(&p, it->sort);
	P_FIELD(&p, it->updated_at);
	p_i64(&p, old_version);
	p_text(&p, old_plain);
	r = pg_write(pg, PG_ITEM_UPDATE, &p, &changes);
	if (r != 0 || changes > 0)
		return r;
	/* nothing written: tell a missing item from a stale one */
	p.n = 3;
	r = pg_read(pg, PG_ITEM_EXISTS, &p, &res);
	if (r == 0)
		PQclear(res);
	return r == 0 ? STORE_CONFLICT : r;
}

/* The item and, through the trigger, what answers it. */
static int pg_item_delete(struct store *st, const char *couple_id, const char *kind, const char *id)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !kind || !id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, kind);
	p_text(&p, id);
	r = pg_write(to_pg(st), PG_ITEM_DELETE, &p, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- the rhythm ---- */

static int pg_couple_set_rhythm(struct store *st, const char *couple_id, const char *rhythm)
{
	int changes = 0, r;

	if (!rhythm || (strcmp(rhythm, "daily") != 0 && strcmp(rhythm, "weekly") != 0))
		return -EINVAL;
	r = pg_ids(to_pg(st), PG_COUPLE_SET_RHYTHM, couple_id, rhythm, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- sign-in throttling ---- */

/* One row per key, and the old rows go, in one transaction. */
static int pg_throttle_add(struct store *st, const unsigned char *keys, size_t nkeys, int64_t at_ms,
			   int64_t forget_before_ms)
{
	struct pg *pg = to_pg(st);
	int r;

	if (!keys && nkeys > 0)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	for (size_t i = 0; r == 0 && i < nkeys; i++) {
		struct params p = {0};

		p_blob(&p, keys + i * STORE_THROTTLE_KEY_LEN, STORE_THROTTLE_KEY_LEN, false);
		p_i64(&p, at_ms);
		r = pg_write(pg, PG_THROTTLE_ADD, &p, NULL);
	}
	if (r == 0) {
		struct params p = {0};

		p_i64(&p, forget_before_ms);
		r = pg_write(pg, PG_THROTTLE_FORGET, &p, NULL);
	}
	return pg_tx_leave(pg, r);
}

static int pg_throttle_nth(struct store *st, const unsigned char *key, int64_t after_ms,
			   unsigned int n, int64_t *ret_at_ms)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!key || n == 0 || !ret_at_ms)
		return -EINVAL;
	p_blob(&p, key, STORE_THROTTLE_KEY_LEN, false);
	p_i64(&p, after_ms);
	p_i64(&p, (int64_t)n - 1);
	r = pg_read(to_pg(st), PG_THROTTLE_NTH, &p, &res);
	if (r != 0)
		return r;
	*ret_at_ms = col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

static int pg_throttle_clear(struct store *st, const unsigned char *key)
{
	struct params p = {0};

	if (!key)
		return -EINVAL;
	p_blob(&p, key, STORE_THROTTLE_KEY_LEN, false);
	return pg_write(to_pg(st), PG_THROTTLE_CLEAR, &p, NULL);
}

/* ---- browsers that signed in ---- */

/* The row and the trim of the member's oldest, in one transaction. */
static int pg_device_put(struct store *st, const unsigned char *key, const char *couple_id,
			 const char *member_id, const char *now, int fresh)
{
	struct pg *pg = to_pg(st);
	struct params p = {0}, t = {0};
	int changes = 0, r;

	if (!key || !couple_id || !member_id || !now)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	p_blob(&p, key, STORE_THROTTLE_KEY_LEN, false);
	p_text(&p, member_id);
	p_text(&p, now);
	p_text(&p, couple_id);
	r = pg_write(pg, fresh ? PG_DEVICE_INSERT : PG_DEVICE_TOUCH, &p, &changes);
	if (r == 0 && changes == 0)
		r = fresh ? STORE_CONFLICT : STORE_NOTFOUND;
	if (r == 0) {
		p_text(&t, member_id);
		p_i64(&t, STORE_DEVICES_MAX);
		p_text(&t, couple_id);
		r = pg_write(pg, PG_DEVICE_TRIM, &t, NULL);
	}
	return pg_tx_leave(pg, r);
}

static int pg_device_login(struct store *st, const unsigned char *key, char *ret_login, size_t len)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!key || !ret_login || len == 0)
		return -EINVAL;
	p_blob(&p, key, STORE_THROTTLE_KEY_LEN, false);
	r = pg_read(to_pg(st), PG_DEVICE_LOGIN, &p, &res);
	if (r != 0)
		return r;
	r = col_text(res, 0, 0, ret_login, len);
	PQclear(res);
	return r;
}

static int pg_device_forget(struct store *st, const char *couple_id, const char *member_id,
			    const unsigned char *keep)
{
	struct params p = {0};

	if (!member_id || !couple_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_blob(&p, keep, keep ? STORE_THROTTLE_KEY_LEN : 0, true);
	p_text(&p, couple_id);
	return pg_write(to_pg(st), PG_DEVICE_FORGET, &p, NULL);
}

static int pg_device_set_session(struct store *st, const unsigned char *key, const char *couple_id,
				 const char *member_id, const char *session_id)
{
	struct params p = {0};
	int changes = 0, r;

	if (!key || !couple_id)
		return -EINVAL;
	p_blob(&p, key, STORE_THROTTLE_KEY_LEN, false);
	p_text(&p, member_id);
	p_text(&p, session_id);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_DEVICE_SET_SESSION, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- the audit trail and the sign-in history ---- */

/* The row, then the member's rows trimmed (STORE_AUDIT_KEEP, STORE_AUDIT_DAYS), in one transaction.
 */
static int audit_insert(struct pg *pg, const char *couple_id, const char *member_id,
			const char *event, const char *at, const char *browser,
			const char *session_id)
{
	struct params p = {0}, t = {0};
	int r;

	if (!event || !at)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_text(&p, event);
	p_text(&p, at);
	p_text(&p, browser);
	p_text(&p, session_id);
	r = pg_write(pg, PG_AUDIT_ADD, &p, NULL);
	if (r == 0 && member_id && couple_id) {
		p_text(&t, member_id);
		p_text(&t, at);
		p_text(&t, event);
		p_i64(&t, STORE_AUDIT_KEEP);
		p_text(&t, couple_id);
		r = pg_write(pg, PG_AUDIT_TRIM, &t, NULL);
	}
	return pg_tx_leave(pg, r);
}

static int pg_audit_append(struct store *st, const char *couple_id, const char *member_id,
			   const char *event, const char *at)
{
	return audit_insert(to_pg(st), couple_id, member_id, event, at, NULL, NULL);
}

/* "" as NULL, for the optional fields of a row struct */
static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static int pg_audit_add(struct store *st, const struct audit_row *a)
{
	if (!a)
		return -EINVAL;
	if (!memchr(a->couple_id, '\0', sizeof(a->couple_id)) ||
	    !memchr(a->member_id, '\0', sizeof(a->member_id)) ||
	    !memchr(a->event, '\0', sizeof(a->event)) || !memchr(a->at, '\0', sizeof(a->at)) ||
	    !memchr(a->browser, '\0', sizeof(a->browser)) ||
	    !memchr(a->session_id, '\0', sizeof(a->session_id)))
		return -EINVAL;
	return audit_insert(to_pg(st), or_null(a->couple_id), or_null(a->member_id), a->event,
			    a->at, or_null(a->browser), or_null(a->session_id));
}

static int pg_audit_list(struct store *st, const char *couple_id, const char *member_id,
			 const char *events, int64_t after_id, const char *since, size_t limit,
			 struct audit_row **ret_rows, size_t *ret_n)
{
	struct audit_row *rows = NULL;
	struct params p = {0};
	PGresult *res;
	int n, r;

	if (!ret_rows || !ret_n || !couple_id || !member_id || !events)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, events);
	p_i64(&p, after_id);
	p_text(&p, since ? since : "");
	p_i64(&p, pg_limit(limit));
	p_text(&p, couple_id);
	r = pg_run(to_pg(st), PG_AUDIT_LIST, &p, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n; i++) {
		rows[i].id = col_int(res, i, 0);
		r = COL_TEXT(res, i, 1, rows[i].event);
		if (r == 0)
			r = COL_TEXT(res, i, 2, rows[i].at);
		if (r == 0)
			r = COL_TEXT(res, i, 3, rows[i].browser);
		if (r == 0)
			r = COL_TEXT(res, i, 4, rows[i].session_id);
	}
	PQclear(res);
	if (r != 0) {
		free(rows);
		return r;
	}
	*ret_rows = rows;
	*ret_n = (size_t)n;
	return 0;
}

/* ---- signed-in devices ---- */

static int pg_session_list(struct store *st, const char *couple_id, const char *member_id,
			   struct session_brief **ret_rows, size_t *ret_n)
{
	struct marks *held = pg_marks(to_pg(st));
	struct session_brief *rows = NULL;
	struct params p = {0};
	PGresult *res;
	int n, r;

	if (!ret_rows || !ret_n || !couple_id || !member_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_i64(&p, STORE_SESSIONS_LIST_MAX);
	p_text(&p, couple_id);
	r = pg_run(to_pg(st), PG_SESSION_LIST, &p, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n; i++) {
		r = COL_TEXT(res, i, 0, rows[i].id);
		if (r == 0)
			r = COL_TEXT(res, i, 1, rows[i].browser);
		if (r == 0)
			r = COL_TEXT(res, i, 2, rows[i].created_at);
		if (r == 0)
			r = COL_TEXT(res, i, 3, rows[i].last_seen_at);
		if (r == 0)
			r = COL_TEXT(res, i, 4, rows[i].expires_at);
		if (r == 0 && held)
			marks_raise(held, rows[i].id, rows[i].last_seen_at);
	}
	PQclear(res);
	if (r != 0) {
		free(rows);
		return r;
	}
	*ret_rows = rows;
	*ret_n = (size_t)n;
	return 0;
}

/*
 * The member's sessions (one, or all but one) and the standing of the
 * browsers that started them, in one transaction; *changes gets how many
 * sessions went.
 */
static int session_end_tx(struct pg *pg, enum pg_stmt sessions, enum pg_stmt devices,
			  const char *couple_id, const char *member_id, const char *session_id,
			  int *changes)
{
	struct params p = {0};
	int r;

	if (!couple_id || !member_id || !session_id)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	/* both statements: $1 the member, $2 the session, $3 the couple */
	p_text(&p, member_id);
	p_text(&p, session_id);
	p_text(&p, couple_id);
	r = pg_write(pg, sessions, &p, changes);
	if (r == 0)
		r = pg_write(pg, devices, &p, NULL);
	return pg_tx_leave(pg, r);
}

static int pg_session_end_own(struct store *st, const char *couple_id, const char *member_id,
			      const char *session_id)
{
	int changes = 0, r;

	r = session_end_tx(to_pg(st), PG_SESSION_DELETE_OWN, PG_DEVICE_FORGET_SESSION, couple_id,
			   member_id, session_id, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_session_end_others(struct store *st, const char *couple_id, const char *member_id,
				 const char *keep_id)
{
	return session_end_tx(to_pg(st), PG_SESSION_DELETE_MEMBER, PG_DEVICE_FORGET_OTHERS,
			      couple_id, member_id, keep_id, NULL);
}

static int pg_notice_seen_get(struct store *st, const char *couple_id, const char *member_id,
			      int64_t *ret)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !member_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_NOTICE_GET, &p, &res);
	if (r != 0)
		return r;
	*ret = col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

static int pg_notice_seen_set(struct store *st, const char *couple_id, const char *member_id,
			      int64_t id)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id)
		return -EINVAL;
	p_text(&p, member_id);
	p_i64(&p, id);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_NOTICE_SET, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- journal ---- */

/* NOTFOUND when the author is not a member of the couple; CONFLICT on a reused id. */
static int pg_journal_insert(struct store *st, const struct journal_row *e)
{
	struct params p = {0};

	if (!e)
		return -EINVAL;
	P_FIELD(&p, e->id);
	P_FIELD(&p, e->couple_id);
	P_FIELD(&p, e->author_id);
	p_i64(&p, e->version);
	p_blob(&p, e->body_sealed.data, e->body_sealed.len, false);
	p_blob(&p, e->prompt_sealed.data, e->prompt_sealed.len, true);
	P_FIELD(&p, e->created_at);
	P_FIELD(&p, e->updated_at);
	return pg_write(to_pg(st), PG_JOURNAL_INSERT, &p, NULL);
}

/*
 * Row i from version on (JOURNAL_PAGE_COLS from its column 1, or
 * JOURNAL_COLS from its column 3, at col): peek leaves the blobs pointing
 * into res instead of copying them.
 */
static int read_journal_from(const PGresult *res, int i, int col, struct journal_row *e, int peek)
{
	int r = 0;

	e->version = col_int(res, i, col);
	if (peek) {
		e->body_sealed = (struct blob){(unsigned char *)PQgetvalue(res, i, col + 1),
					       (size_t)PQgetlength(res, i, col + 1)};
		e->prompt_sealed = (struct blob){NULL, 0};
		if (!PQgetisnull(res, i, col + 2))
			e->prompt_sealed =
				(struct blob){(unsigned char *)PQgetvalue(res, i, col + 2),
					      (size_t)PQgetlength(res, i, col + 2)};
	} else {
		r = col_blob(res, i, col + 1, &e->body_sealed);
		if (r == 0)
			r = col_blob(res, i, col + 2, &e->prompt_sealed);
	}
	if (r == 0)
		r = COL_TEXT(res, i, col + 3, e->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, col + 4, e->updated_at);
	if (r != 0 && !peek)
		store_journal_free(e);
	return r;
}

static int pg_journal_get(struct store *st, const char *couple_id, const char *author_id,
			  const char *entry_id, struct journal_row *ret)
{
	struct journal_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !author_id || !entry_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, author_id);
	p_text(&p, entry_id);
	r = pg_read(to_pg(st), PG_JOURNAL_GET, &p, &res);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	r = COL_TEXT(res, 0, 0, row.id);
	if (r == 0)
		r = COL_TEXT(res, 0, 1, row.couple_id);
	if (r == 0)
		r = COL_TEXT(res, 0, 2, row.author_id);
	if (r == 0)
		r = read_journal_from(res, 0, 3, &row, 0);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

/*
 * The author's entries, newest first, after before_id (NULL: from the
 * newest), at most limit, as one result in *ret (JOURNAL_PAGE_COLS): 0,
 * STORE_NOTFOUND (before_id is not one of the author's), or < 0 (-EINVAL
 * for an id longer than an id can be).
 */
static int journal_scan(struct pg *pg, const char *couple_id, const char *author_id,
			const char *before_id, size_t limit, PGresult **ret)
{
	struct params p = {0};
	PGresult *pos;
	char at[STORE_TIME_LEN + 1];
	int64_t seq;
	int r;

	if (!couple_id || !author_id || strlen(couple_id) > STORE_ID_LEN ||
	    strlen(author_id) > STORE_ID_LEN)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, author_id);
	if (!before_id) {
		p_i64(&p, pg_limit(limit));
		return pg_run(pg, PG_JOURNAL_FIRST, &p, ret);
	}
	p_text(&p, before_id);
	r = pg_read(pg, PG_JOURNAL_POS, &p, &pos);
	if (r != 0)
		return r;
	r = COL_TEXT(pos, 0, 0, at);
	seq = col_int(pos, 0, 1);
	PQclear(pos);
	if (r != 0)
		return r;
	p.n = 2;
	p_text(&p, at);
	p_i64(&p, seq);
	p_i64(&p, pg_limit(limit));
	return pg_run(pg, PG_JOURNAL_AFTER, &p, ret);
}

/* A page's row i: the couple and author are the query's own. */
static int read_journal_page(const PGresult *res, int i, const char *couple_id,
			     const char *author_id, struct journal_row *e, int peek)
{
	int r;

	memset(e, 0, sizeof(*e));
	snprintf(e->couple_id, sizeof(e->couple_id), "%s", couple_id);
	snprintf(e->author_id, sizeof(e->author_id), "%s", author_id);
	r = COL_TEXT(res, i, 0, e->id);
	return r ? r : read_journal_from(res, i, 1, e, peek);
}

static int pg_journal_list(struct store *st, const char *couple_id, const char *author_id,
			   const char *before_id, size_t limit, struct journal_row **ret_rows,
			   size_t *ret_n)
{
	struct journal_row *rows = NULL;
	PGresult *res;
	int n, r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = journal_scan(to_pg(st), couple_id, author_id, before_id, limit, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n; i++) {
		r = read_journal_page(res, i, couple_id, author_id, &rows[i], 0);
		if (r != 0) {
			store_journal_list_free(rows, (size_t)i);
			rows = NULL;
		}
	}
	PQclear(res);
	if (r != 0) {
		free(rows);
		return r;
	}
	*ret_rows = rows;
	*ret_n = (size_t)n;
	return 0;
}

/* Each row handed on in place: its blobs point into the result until fn returns. */
static int pg_journal_each(struct store *st, const char *couple_id, const char *author_id,
			   const char *before_id, size_t limit, store_journal_fn fn, void *ctx)
{
	struct journal_row e;
	PGresult *res;
	int n, r;

	if (!fn)
		return -EINVAL;
	r = journal_scan(to_pg(st), couple_id, author_id, before_id, limit, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	for (int i = 0; r == 0 && i < n; i++) {
		r = read_journal_page(res, i, couple_id, author_id, &e, 1);
		if (r == 0)
			r = fn(ctx, &e);
	}
	PQclear(res);
	return r;
}

/* Optimistic: the stored version must be e->version - 1. */
static int pg_journal_update(struct store *st, const struct journal_row *e)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	PGresult *res;
	int changes = 0, r;

	if (!e || e->version == INT64_MIN)
		return -EINVAL;
	P_FIELD(&p, e->couple_id);
	P_FIELD(&p, e->author_id);
	P_FIELD(&p, e->id);
	p_i64(&p, e->version);
	p_blob(&p, e->body_sealed.data, e->body_sealed.len, false);
	p_blob(&p, e->prompt_sealed.data, e->prompt_sealed.len, true);
	P_FIELD(&p, e->updated_at);
	p_i64(&p, e->version - 1);
	r = pg_write(pg, PG_JOURNAL_UPDATE, &p, &changes);
	if (r != 0 || changes > 0)
		return r;
	/* nothing matched: tell a stale version from an entry that is not there */
	p.n = 3;
	r = pg_read(pg, PG_JOURNAL_POS, &p, &res);
	if (r == 0)
		PQclear(res);
	return r == 0 ? STORE_CONFLICT : r;
}

static int pg_journal_delete(struct store *st, const char *couple_id, const char *author_id,
			     const char *entry_id)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !author_id || !entry_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, author_id);
	p_text(&p, entry_id);
	r = pg_write(to_pg(st), PG_JOURNAL_DELETE, &p, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- second factors ---- */

static int pg_totp_put(struct store *st, const char *couple_id, const char *member_id,
		       const unsigned char *sealed, size_t len, const char *now)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !sealed || !now)
		return -EINVAL;
	p_text(&p, member_id);
	p_blob(&p, sealed, len, false);
	p_text(&p, now);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_TOTP_PUT, &p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int pg_totp_get(struct store *st, const char *couple_id, const char *member_id,
		       struct totp_row *ret)
{
	struct totp_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!couple_id || !member_id || !ret)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_TOTP_GET, &p, &res);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	r = col_blob(res, 0, 0, &row.secret_sealed);
	row.active = col_int(res, 0, 1) != 0;
	row.last_step = col_int(res, 0, 2);
	if (r == 0)
		r = COL_TEXT(res, 0, 3, row.created_at);
	PQclear(res);
	if (r != 0) {
		store_totp_free(&row);
		return r;
	}
	*ret = row;
	return 0;
}

/* One statement bound to (member_id[, an integer or a blob], couple_id), counting changes. */
static int member_write(struct pg *pg, enum pg_stmt id, const char *couple_id,
			const char *member_id, int with_num, int64_t num, const unsigned char *blob,
			size_t len, int *changes)
{
	struct params p = {0};

	if (!couple_id || !member_id)
		return -EINVAL;
	p_text(&p, member_id);
	if (blob)
		p_blob(&p, blob, len, false);
	else if (with_num)
		p_i64(&p, num);
	p_text(&p, couple_id);
	return pg_write(pg, id, &p, changes);
}

static int pg_totp_activate(struct store *st, const char *couple_id, const char *member_id,
			    int64_t step, const unsigned char *hashes, size_t n)
{
	struct pg *pg = to_pg(st);
	int changes = 0, r;

	if (!member_id || (n && !hashes))
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	r = member_write(pg, PG_TOTP_ACTIVATE, couple_id, member_id, 1, step, NULL, 0, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	if (r == 0)
		r = member_write(pg, PG_RCODE_CLEAR, couple_id, member_id, 0, 0, NULL, 0, NULL);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = member_write(pg, PG_RCODE_INSERT, couple_id, member_id, 0, 0,
				 hashes + i * STORE_CODE_HASH_LEN, STORE_CODE_HASH_LEN, NULL);
	return pg_tx_leave(pg, r);
}

static int pg_totp_use_step(struct store *st, const char *couple_id, const char *member_id,
			    int64_t step)
{
	int changes = 0;
	int r = member_write(to_pg(st), PG_TOTP_USE, couple_id, member_id, 1, step, NULL, 0,
			     &changes);

	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int pg_totp_delete(struct store *st, const char *couple_id, const char *member_id)
{
	struct pg *pg = to_pg(st);
	int changes = 0, r;

	if (!member_id)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	r = member_write(pg, PG_TOTP_DELETE, couple_id, member_id, 0, 0, NULL, 0, &changes);
	if (r == 0)
		r = member_write(pg, PG_RCODE_CLEAR, couple_id, member_id, 0, 0, NULL, 0, NULL);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return pg_tx_leave(pg, r);
}

static int pg_recovery_code_use(struct store *st, const char *couple_id, const char *member_id,
				const unsigned char *hash)
{
	int changes = 0, r;

	if (!hash)
		return -EINVAL;
	r = member_write(to_pg(st), PG_RCODE_USE, couple_id, member_id, 0, 0, hash,
			 STORE_CODE_HASH_LEN, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_recovery_code_count(struct store *st, const char *couple_id, const char *member_id,
				  size_t *ret_n)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!couple_id || !member_id || !ret_n)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_RCODE_COUNT, &p, &res);
	if (r != 0)
		return r;
	*ret_n = (size_t)col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

/* ---- statements ---- */

/* Row i in STATEMENT_COLS order.  On failure it holds no memory. */
static int read_statement(const PGresult *res, int i, struct statement_row *row)
{
	int r;

	memset(row, 0, sizeof(*row));
	r = COL_TEXT(res, i, 0, row->id);
	if (r == 0)
		r = COL_TEXT(res, i, 1, row->couple_id);
	if (r == 0)
		r = COL_TEXT(res, i, 2, row->author_id);
	row->version = col_int(res, i, 3);
	row->delivered = col_int(res, i, 4) != 0;
	if (r == 0)
		r = col_blob(res, i, 5, &row->parts_sealed);
	if (r == 0)
		r = COL_TEXT(res, i, 6, row->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, 7, row->updated_at);
	if (r == 0)
		r = COL_TEXT(res, i, 8, row->delivered_at); /* NULL reads as "" */
	if (r != 0)
		store_statement_free(row);
	return r;
}

static int pg_statement_insert(struct store *st, const struct statement_row *row)
{
	struct params p = {0};

	if (!row)
		return -EINVAL;
	P_FIELD(&p, row->id);
	P_FIELD(&p, row->couple_id);
	P_FIELD(&p, row->author_id);
	p_i64(&p, row->version);
	p_i64(&p, row->delivered ? 1 : 0);
	p_blob(&p, row->parts_sealed.data, row->parts_sealed.len, false);
	P_FIELD(&p, row->created_at);
	P_FIELD(&p, row->updated_at);
	if (row->delivered)
		P_FIELD(&p, row->delivered_at);
	else
		p_null(&p);
	return pg_write(to_pg(st), PG_STATEMENT_INSERT, &p, NULL);
}

static int pg_statement_get(struct store *st, const char *couple_id, const char *statement_id,
			    struct statement_row *ret)
{
	struct statement_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !statement_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, statement_id);
	r = pg_read(to_pg(st), PG_STATEMENT_GET, &p, &res);
	if (r != 0)
		return r;
	r = read_statement(res, 0, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

static int pg_statement_list(struct store *st, const char *couple_id, const char *member_id,
			     size_t limit, struct statement_row **ret_rows, size_t *ret_n)
{
	struct statement_row *rows = NULL;
	struct params p = {0};
	PGresult *res;
	int n, r;

	if (!ret_rows || !ret_n || !couple_id || !member_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_i64(&p, pg_limit(limit));
	r = pg_run(to_pg(st), PG_STATEMENT_LIST, &p, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n; i++) {
		r = read_statement(res, i, &rows[i]);
		if (r != 0) {
			store_statement_list_free(rows, (size_t)i);
			rows = NULL;
		}
	}
	PQclear(res);
	if (r != 0) {
		free(rows);
		return r;
	}
	*ret_rows = rows;
	*ret_n = (size_t)n;
	return 0;
}

/* Optimistic, drafts only: CONFLICT when stale or already delivered. */
static int pg_statement_update(struct store *st, const struct statement_row *row)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	PGresult *res;
	int changes = 0, r;

	if (!row || row->version == INT64_MIN)
		return -EINVAL;
	P_FIELD(&p, row->couple_id);
	P_FIELD(&p, row->author_id);
	P_FIELD(&p, row->id);
	p_i64(&p, row->version);
	p_i64(&p, row->delivered ? 1 : 0);
	p_blob(&p, row->parts_sealed.data, row->parts_sealed.len, false);
	P_FIELD(&p, row->updated_at);
	if (row->delivered)
		P_FIELD(&p, row->delivered_at);
	else
		p_null(&p);
	p_i64(&p, row->version - 1);
	r = pg_write(pg, PG_STATEMENT_UPDATE, &p, &changes);
	if (r != 0 || changes > 0)
		return r;
	p.n = 3;
	r = pg_read(pg, PG_STATEMENT_EXISTS, &p, &res);
	if (r == 0)
		PQclear(res);
	return r == 0 ? STORE_CONFLICT : r;
}

/* every item of the couple shared with the care team, oldest first */
static int pg_items_care(struct store *st, const char *couple_id, struct item_row **ret_rows,
			 size_t *ret_n)
{
	struct params p = {0};

	if (!couple_id || !ret_rows || !ret_n)
		return -EINVAL;
	p_text(&p, couple_id);
	return item_rows(to_pg(st), PG_ITEMS_CARE, &p, ret_rows, ret_n);
}

/* every item the author wrote in the couple, oldest first */
static int pg_items_of_author(struct store *st, const char *couple_id, const char *author_id,
			      struct item_row **ret_rows, size_t *ret_n)
{
	struct params p = {0};

	if (!couple_id || !author_id || !ret_rows || !ret_n)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, author_id);
	return item_rows(to_pg(st), PG_ITEMS_OF_AUTHOR, &p, ret_rows, ret_n);
}

/* ---- check-ins ---- */

/* Row i in CHECKIN_COLS order.  On failure it holds no memory. */
static int read_checkin(const PGresult *res, int i, struct checkin_row *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	r = COL_TEXT(res, i, 0, c->id);
	if (r == 0)
		r = COL_TEXT(res, i, 1, c->couple_id);
	if (r == 0)
		r = COL_TEXT(res, i, 2, c->author_id);
	if (r == 0)
		r = COL_TEXT(res, i, 3, c->period);
	if (r == 0)
		r = COL_TEXT(res, i, 4, c->rhythm);
	c->shared_with = (unsigned)col_int(res, i, 5) & 3u;
	c->version = col_int(res, i, 6);
	if (r == 0)
		r = col_blob(res, i, 7, &c->content_sealed);
	if (r == 0)
		r = COL_TEXT(res, i, 8, c->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, 9, c->updated_at);
	if (r != 0)
		store_checkin_free(c);
	return r;
}

/* Every row of statement id as check-ins. */
PG_ROWS(checkin_rows, struct checkin_row, read_checkin, store_checkin_list_free)

/* NOTFOUND when the author is not in the couple; CONFLICT on a second one for the period. */
static int pg_checkin_insert(struct store *st, const struct checkin_row *c)
{
	struct params p = {0};

	if (!c || c->shared_with > 3)
		return -EINVAL;
	P_FIELD(&p, c->id);
	P_FIELD(&p, c->couple_id);
	P_FIELD(&p, c->author_id);
	P_FIELD(&p, c->period);
	P_FIELD(&p, c->rhythm);
	p_i64(&p, c->shared_with);
	p_i64(&p, c->version);
	p_blob(&p, c->content_sealed.data, c->content_sealed.len, false);
	P_FIELD(&p, c->created_at);
	P_FIELD(&p, c->updated_at);
	return pg_write(to_pg(st), PG_CHECKIN_INSERT, &p, NULL);
}

static int pg_checkin_get(struct store *st, const char *couple_id, const char *checkin_id,
			  struct checkin_row *ret)
{
	struct checkin_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !checkin_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, checkin_id);
	r = pg_read(to_pg(st), PG_CHECKIN_GET, &p, &res);
	if (r != 0)
		return r;
	r = read_checkin(res, 0, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

/* Optimistic: the stored version must be c->version - 1. */
static int pg_checkin_update(struct store *st, const struct checkin_row *c)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	PGresult *res;
	int changes = 0, r;

	if (!c || c->version == INT64_MIN || c->shared_with > 3)
		return -EINVAL;
	P_FIELD(&p, c->couple_id);
	P_FIELD(&p, c->author_id);
	P_FIELD(&p, c->id);
	p_i64(&p, c->shared_with);
	p_i64(&p, c->version);
	p_blob(&p, c->content_sealed.data, c->content_sealed.len, false);
	P_FIELD(&p, c->updated_at);
	p_i64(&p, c->version - 1);
	r = pg_write(pg, PG_CHECKIN_UPDATE, &p, &changes);
	if (r != 0 || changes > 0)
		return r;
	p.n = 3;
	r = pg_read(pg, PG_CHECKIN_EXISTS, &p, &res);
	if (r == 0)
		PQclear(res);
	return r == 0 ? STORE_CONFLICT : r;
}

static int pg_checkin_list(struct store *st, const char *couple_id, const char *from,
			   const char *to, size_t limit, struct checkin_row **ret_rows,
			   size_t *ret_n)
{
	struct params p = {0};

	if (!ret_rows || !ret_n || !couple_id || !from || !to)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, from);
	p_text(&p, to);
	p_i64(&p, pg_limit(limit));
	return checkin_rows(to_pg(st), PG_CHECKIN_LIST, &p, ret_rows, ret_n);
}

static int pg_checkins_care(struct store *st, const char *couple_id, struct checkin_row **ret_rows,
			    size_t *ret_n)
{
	struct params p = {0};

	if (!ret_rows || !ret_n || !couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	return checkin_rows(to_pg(st), PG_CHECKINS_CARE, &p, ret_rows, ret_n);
}

/* ---- the private safety check ---- */

static int pg_safety_get(struct store *st, const char *couple_id, const char *member_id,
			 struct safety_row *ret)
{
	struct safety_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!couple_id || !member_id || !ret)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	r = pg_read(to_pg(st), PG_SAFETY_GET, &p, &res);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	r = COL_TEXT(res, 0, 0, row.id);
	row.version = col_int(res, 0, 1);
	if (r == 0)
		r = col_blob(res, 0, 2, &row.sealed);
	PQclear(res);
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", couple_id);
	snprintf(row.member_id, sizeof(row.member_id), "%s", member_id);
	if (r != 0) {
		store_safety_free(&row);
		return r;
	}
	*ret = row;
	return 0;
}

static int pg_safety_put(struct store *st, const struct safety_row *row, int64_t old_version)
{
	struct params p = {0};
	int changes = 0, r;

	if (!row || !row->sealed.data || old_version < 0)
		return -EINVAL;
	P_FIELD(&p, row->couple_id);
	P_FIELD(&p, row->member_id);
	P_FIELD(&p, row->id);
	p_i64(&p, row->version);
	p_blob(&p, row->sealed.data, row->sealed.len, false);
	if (old_version)
		p_i64(&p, old_version);
	r = pg_write(to_pg(st), old_version ? PG_SAFETY_UPDATE : PG_SAFETY_INSERT, &p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

/* ---- the ledger of latest versions ---- */

static int pg_ledger_get(struct store *st, const char *member_id, const char *couple_id,
			 struct blob *ret, int64_t *gen)
{
	struct blob b = {NULL, 0};
	struct params p = {0};
	PGresult *res;
	int64_t g;
	int r;

	if (!member_id || !couple_id || !ret || !gen)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_LEDGER_GET, &p, &res);
	if (r != 0)
		return r;
	g = col_int(res, 0, 0);
	r = col_blob(res, 0, 1, &b);
	PQclear(res);
	if (r != 0)
		return r;
	*gen = g;
	*ret = b;
	return 0;
}

static int pg_ledger_put(struct store *st, const char *member_id, const char *couple_id,
			 const struct blob *sealed, int64_t old_gen)
{
	struct params p = {0};
	int changes = 0, r;

	if (!member_id || !couple_id || !sealed || !sealed->data || old_gen < 0)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	p_blob(&p, sealed->data, sealed->len, false);
	if (old_gen)
		p_i64(&p, old_gen);
	r = pg_write(to_pg(st), old_gen ? PG_LEDGER_UPDATE : PG_LEDGER_INSERT, &p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

/* ---- the care team ---- */

/* Row i in CARE_INVITE_COLS order.  On failure it holds no memory. */
static int read_care_invite(const PGresult *res, int i, struct care_invite_row *row)
{
	int r;

	memset(row, 0, sizeof(*row));
	r = COL_TEXT(res, i, 0, row->id);
	if (r == 0)
		r = COL_TEXT(res, i, 1, row->couple_id);
	if (r == 0)
		r = COL_TEXT(res, i, 2, row->proposed_by);
	if (r == 0)
		r = COL_TEXT(res, i, 3, row->approved_by);
	if (r == 0)
		r = COL_TEXT(res, i, 4, row->status);
	if (r == 0)
		r = col_blob(res, i, 5, &row->note_sealed);
	if (r == 0)
		r = COL_TEXT(res, i, 6, row->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, 7, row->updated_at);
	if (r != 0)
		store_blob_free(&row->note_sealed);
	return r;
}

static int pg_care_invite_insert(struct store *st, const struct care_invite_row *row)
{
	struct params p = {0};

	if (!row)
		return -EINVAL;
	P_FIELD(&p, row->id);
	P_FIELD(&p, row->couple_id);
	P_FIELD(&p, row->proposed_by);
	P_FIELD(&p, row->approved_by);
	P_FIELD(&p, row->status);
	p_blob(&p, row->note_sealed.data, row->note_sealed.len, false);
	P_FIELD(&p, row->created_at);
	P_FIELD(&p, row->updated_at);
	return pg_write(to_pg(st), PG_CARE_INVITE_INSERT, &p, NULL);
}

static int pg_care_invite_get(struct store *st, const char *couple_id, const char *id,
			      struct care_invite_row *ret)
{
	struct care_invite_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id || !id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, id);
	r = pg_read(to_pg(st), PG_CARE_INVITE_GET, &p, &res);
	if (r != 0)
		return r;
	r = read_care_invite(res, 0, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

static int pg_care_invite_list(struct store *st, const char *couple_id,
			       struct care_invite_row **ret, size_t *ret_n)
{
	struct care_invite_row *rows = NULL;
	struct params p = {0};
	PGresult *res;
	int n, r;

	if (!ret || !ret_n || !couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	r = pg_run(to_pg(st), PG_CARE_INVITE_LIST, &p, &res);
	if (r != 0)
		return r;
	n = PQntuples(res);
	if (n > 0 && !(rows = calloc((size_t)n, sizeof(*rows))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n; i++) {
		r = read_care_invite(res, i, &rows[i]);
		if (r != 0) {
			store_care_invite_list_free(rows, (size_t)i);
			rows = NULL;
		}
	}
	PQclear(res);
	if (r != 0) {
		free(rows);
		return r;
	}
	*ret = rows;
	*ret_n = (size_t)n;
	return 0;
}

static int pg_care_invite_move(struct store *st, const char *couple_id, const char *id,
			       const char *old_status, const char *status, const char *approved_by,
			       const char *now)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !id || !old_status || !status || !now)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, id);
	p_text(&p, old_status);
	p_text(&p, status);
	p_text(&p, approved_by);
	p_text(&p, now);
	r = pg_write(to_pg(st), PG_CARE_INVITE_MOVE, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_care_invites_cancel_approved(struct store *st, const char *couple_id, const char *now)
{
	if (!now)
		return -EINVAL;
	return pg_ids(to_pg(st), PG_CARE_INVITES_CANCEL, couple_id, now, NULL);
}

/* The one blob column of the one-row query id for its keys (key2 NULL: one key). */
static int blob_by_keys(struct pg *pg, enum pg_stmt id, const char *key, const char *key2,
			struct blob *ret)
{
	struct blob out = {NULL, 0};
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !key)
		return -EINVAL;
	p_text(&p, key);
	if (key2)
		p_text(&p, key2);
	r = pg_read(pg, id, &p, &res);
	if (r != 0)
		return r;
	r = col_blob(res, 0, 0, &out);
	PQclear(res);
	if (r == 0)
		*ret = out;
	return r;
}

static int pg_care_key_get(struct store *st, const char *couple_id, struct blob *ret)
{
	return blob_by_keys(to_pg(st), PG_CARE_KEY_GET, couple_id, NULL, ret);
}

static int pg_care_key_put(struct store *st, const char *couple_id, const struct blob *sealed,
			   const char *now)
{
	struct params p = {0};

	if (!couple_id || !sealed || !sealed->len || !now)
		return -EINVAL;
	p_text(&p, couple_id);
	p_blob(&p, sealed->data, sealed->len, false);
	p_text(&p, now);
	return pg_write(to_pg(st), PG_CARE_KEY_PUT, &p, NULL);
}

static int pg_care_key_delete(struct store *st, const char *couple_id)
{
	return pg_ids(to_pg(st), PG_CARE_KEY_DELETE, couple_id, NULL, NULL);
}

static int pg_care_wrap_get(struct store *st, const char *couple_id, const char *member_id,
			    struct blob *ret)
{
	if (!member_id)
		return -EINVAL;
	return blob_by_keys(to_pg(st), PG_CARE_WRAP_GET, couple_id, member_id, ret);
}

static int pg_care_wrap_put(struct store *st, const char *couple_id, const char *member_id,
			    const struct blob *wrapped)
{
	struct params p = {0};

	if (!couple_id || !member_id || !wrapped || !wrapped->len)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_blob(&p, wrapped->data, wrapped->len, false);
	return pg_write(to_pg(st), PG_CARE_WRAP_PUT, &p, NULL);
}

static int pg_care_wrap_delete(struct store *st, const char *couple_id, const char *member_id)
{
	if (!member_id)
		return -EINVAL;
	return pg_ids(to_pg(st), PG_CARE_WRAP_DELETE, couple_id, member_id, NULL);
}

static int pg_care_end(struct store *st, const char *couple_id, const char *member_id,
		       const char *now)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !now)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_text(&p, now);
	r = pg_write(to_pg(st), PG_CARE_END, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- versions and rehoming (leaving the couple) ---- */

static int pg_row_version(struct store *st, enum store_table table, const char *couple_id,
			  const char *id, int64_t *ret)
{
	static const enum pg_stmt stmt[] = {
		[STORE_TABLE_ITEMS] = PG_VERSION_ITEM,
		[STORE_TABLE_JOURNAL] = PG_VERSION_JOURNAL,
		[STORE_TABLE_STATEMENTS] = PG_VERSION_STATEMENT,
		[STORE_TABLE_CHECKINS] = PG_VERSION_CHECKIN,
		[STORE_TABLE_SAFETY] = PG_VERSION_SAFETY,
	};
	struct params p = {0};
	PGresult *res;
	int r;

	if ((unsigned)table >= sizeof(stmt) / sizeof(stmt[0]) || !couple_id || !id || !ret)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, id);
	r = pg_read(to_pg(st), stmt[table], &p, &res);
	if (r != 0)
		return r;
	*ret = col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

static int pg_rehome(struct store *st, enum store_table table, const char *couple_id,
		     const char *kind, const char *id, const char *to_couple, const char *to_author,
		     const struct blob *sealed, const struct blob *sealed2)
{
	static const enum pg_stmt stmt[] = {
		[STORE_TABLE_ITEMS] = PG_REHOME_ITEM,
		[STORE_TABLE_JOURNAL] = PG_REHOME_JOURNAL,
		[STORE_TABLE_STATEMENTS] = PG_REHOME_STATEMENT,
		[STORE_TABLE_CHECKINS] = PG_REHOME_CHECKIN,
	};
	struct params p = {0};
	int changes = 0, r;

	if ((unsigned)table >= sizeof(stmt) / sizeof(stmt[0]) || !couple_id || !id || !to_couple ||
	    !to_author || !sealed)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, table == STORE_TABLE_ITEMS && kind ? kind : "");
	p_text(&p, id);
	p_text(&p, to_couple);
	p_text(&p, to_author);
	p_blob(&p, sealed->data, sealed->len, false);
	if (table == STORE_TABLE_JOURNAL)
		p_blob(&p, sealed2 ? sealed2->data : NULL, sealed2 ? sealed2->len : 0, true);
	r = pg_write(to_pg(st), stmt[table], &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- leaving the couple; couple keys that outlive no partner ---- */

static int pg_couple_rekey_due(struct store *st, const char *couple_id, const char *member_id)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!couple_id || !member_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	r = pg_read(to_pg(st), PG_REKEY_DUE, &p, &res);
	if (r == 0)
		PQclear(res);
	return r;
}

static int pg_couple_rekey_mark(struct store *st, const char *couple_id, const char *except_id)
{
	struct pg *pg = to_pg(st);
	struct params p = {0};
	int r;

	if (!couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, except_id);
	r = pg_write(pg, PG_REKEY_MARK_KEYS, &p, NULL);
	if (r == 0)
		r = pg_write(pg, PG_REKEY_MARK_SESSIONS, &p, NULL);
	if (r == 0)
		r = pg_ids(pg, PG_REKEY_MARK_COUPLE, couple_id, NULL, NULL);
	return r;
}

static int pg_couple_former(struct store *st, const char *couple_id, int *ret)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!ret || !couple_id)
		return -EINVAL;
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_COUPLE_FORMER, &p, &res);
	if (r != 0)
		return r;
	*ret = col_int(res, 0, 0) != 0;
	PQclear(res);
	return 0;
}

static int pg_session_rekeyed(struct store *st, const char *session_id, const char *couple_id,
			      const struct blob *keys_sealed)
{
	struct params p = {0};
	int changes = 0, r;

	if (!session_id || !couple_id || !keys_sealed)
		return -EINVAL;
	p_text(&p, session_id);
	p_text(&p, couple_id);
	p_blob(&p, keys_sealed->data, keys_sealed->len, false);
	r = pg_write(to_pg(st), PG_SESSION_REKEYED, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_old_key_add(struct store *st, const char *member_id, const char *couple_id,
			  const struct blob *sealed, const char *now)
{
	struct params p = {0};

	if (!member_id || !couple_id || !sealed || !now)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	p_blob(&p, sealed->data, sealed->len, false);
	p_text(&p, now);
	return pg_write(to_pg(st), PG_OLD_KEY_ADD, &p, NULL);
}

static int pg_old_keys_get(struct store *st, const char *member_id, const char *couple_id,
			   size_t max, struct blob **ret, int64_t **ret_n, size_t *ret_count)
{
	struct blob *keys = NULL;
	int64_t *nums = NULL;
	struct params p = {0};
	PGresult *res;
	size_t n = 0;
	int r;

	if (!ret || !ret_n || !ret_count || max == 0 || !member_id || !couple_id)
		return -EINVAL;
	keys = calloc(max, sizeof(*keys));
	nums = calloc(max, sizeof(*nums));
	if (!keys || !nums) {
		free(keys);
		free(nums);
		return -ENOMEM;
	}
	p_text(&p, member_id);
	p_text(&p, couple_id);
	p_i64(&p, pg_limit(max));
	r = pg_run(to_pg(st), PG_OLD_KEYS_GET, &p, &res);
	if (r == 0) {
		for (int i = 0; r == 0 && i < PQntuples(res) && n < max; i++) {
			nums[n] = col_int(res, i, 0);
			r = col_blob(res, i, 1, &keys[n]);
			if (r == 0)
				n++;
		}
		PQclear(res);
	}
	if (r != 0) {
		for (size_t i = 0; i < n; i++)
			store_blob_free(&keys[i]);
		free(keys);
		free(nums);
		return r;
	}
	*ret = keys;
	*ret_n = nums;
	*ret_count = n;
	return 0;
}

static int pg_old_key_set(struct store *st, const char *member_id, const char *couple_id, int64_t n,
			  const struct blob *sealed)
{
	struct params p = {0};
	int changes = 0, r;

	if (!member_id || !couple_id || !sealed)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	p_i64(&p, n);
	p_blob(&p, sealed->data, sealed->len, false);
	r = pg_write(to_pg(st), PG_OLD_KEY_SET, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_old_keys_drop_others(struct store *st, const char *member_id, const char *couple_id)
{
	if (!member_id || !couple_id)
		return -EINVAL;
	return pg_ids(to_pg(st), PG_OLD_KEYS_DROP, member_id, couple_id, NULL);
}

static int pg_totp_reseal(struct store *st, const char *couple_id, const char *member_id,
			  const struct blob *sealed)
{
	int changes = 0, r;

	if (!sealed || !sealed->data)
		return -EINVAL;
	r = member_write(to_pg(st), PG_TOTP_RESEAL, couple_id, member_id, 0, 0, sealed->data,
			 sealed->len, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/*
 * Inside the caller's transaction: the foreign keys wait for the commit
 * (SET CONSTRAINTS ALL DEFERRED; every one is DEFERRABLE), since the
 * member's rows in the old couple are moved or rehomed after this.
 */
static int pg_member_leave(struct store *st, const char *couple_id, const char *member_id,
			   const char *ghost_id, const char *to_couple, const char *keep_id,
			   const char *now)
{
	/* what is the member's own goes with them: $1 the member, $2 the new couple, $3 the old */
	static const enum pg_stmt moves[] = {
		PG_LEAVE_SESSION_MOVE, PG_LEAVE_DEVICES,    PG_LEAVE_TOTP,  PG_LEAVE_RCODES,
		PG_LEAVE_PASSKEYS,     PG_LEAVE_CHALLENGES, PG_LEAVE_AUDIT, PG_LEAVE_MOVE,
	};
	struct pg *pg = to_pg(st);
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !ghost_id || !to_couple || !now)
		return -EINVAL;
	if (pg->depth == 0)
		return -EINVAL; /* deferred checks need the caller's transaction */
	r = pg_exec(pg, "SET CONSTRAINTS ALL DEFERRED");
	if (r == 0) {
		p_text(&p, couple_id);
		p_text(&p, to_couple);
		p_text(&p, now);
		r = pg_write(pg, PG_LEAVE_COUPLE, &p, NULL);
	}
	if (r == 0) {
		p = (struct params){0};
		p_text(&p, member_id);
		p_text(&p, ghost_id);
		p_text(&p, now);
		p_text(&p, couple_id);
		r = pg_write(pg, PG_LEAVE_GHOST, &p, &changes);
		if (r == 0 && changes != 1)
			r = STORE_NOTFOUND;
	}
	if (r == 0)
		r = pg_ids(pg, PG_LEAVE_KEY, member_id, couple_id, NULL);
	if (r == 0) {
		p = (struct params){0};
		p_text(&p, member_id);
		p_text(&p, keep_id ? keep_id : "");
		p_text(&p, couple_id);
		r = pg_write(pg, PG_LEAVE_SESSIONS, &p, NULL);
	}
	p = (struct params){0};
	p_text(&p, member_id);
	p_text(&p, to_couple);
	p_text(&p, couple_id);
	for (size_t i = 0; r == 0 && i < sizeof(moves) / sizeof(moves[0]); i++)
		r = pg_write(pg, moves[i], &p, NULL);
	return r;
}

/* ---- passkeys ---- */

static int pg_passkey_put(struct store *st, const char *couple_id, const char *member_id,
			  const struct passkey_row *pk)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !pk)
		return -EINVAL;
	P_FIELD(&p, pk->id);
	p_text(&p, member_id);
	p_blob(&p, pk->credential_id.data, pk->credential_id.len, false);
	p_blob(&p, pk->public_key.data, pk->public_key.len, false);
	p_blob(&p, pk->tag.data, pk->tag.len, false);
	p_blob(&p, pk->name_sealed.data, pk->name_sealed.len, false);
	p_i64(&p, pk->sign_count);
	P_FIELD(&p, pk->created_at);
	p_i64(&p, STORE_PASSKEYS_MAX);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_PASSKEY_PUT, &p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

/* Row i in PASSKEY_COLS order.  On failure it holds no memory. */
static int read_passkey(const PGresult *res, int i, struct passkey_row *pk)
{
	int r;

	memset(pk, 0, sizeof(*pk));
	r = COL_TEXT(res, i, 0, pk->id);
	if (r == 0)
		r = col_blob(res, i, 1, &pk->credential_id);
	if (r == 0)
		r = col_blob(res, i, 2, &pk->public_key);
	if (r == 0)
		r = col_blob(res, i, 3, &pk->tag);
	if (r == 0)
		r = col_blob(res, i, 4, &pk->name_sealed);
	pk->sign_count = col_int(res, i, 5);
	if (r == 0)
		r = COL_TEXT(res, i, 6, pk->created_at);
	if (r == 0)
		r = COL_TEXT(res, i, 7, pk->last_used_at);
	if (r == 0)
		r = COL_TEXT(res, i, 8, pk->member_id);
	if (r == 0)
		r = col_blob(res, i, 9, &pk->signin); /* NULL: {NULL, 0} */
	if (r == 0)
		r = col_blob(res, i, 10, &pk->mk_sealed);
	if (r == 0)
		r = COL_TEXT(res, i, 11, pk->couple_id);
	if (r != 0)
		store_passkey_free(pk);
	return r;
}

/* Every row of statement id as passkeys. */
PG_ROWS(passkey_rows, struct passkey_row, read_passkey, store_passkey_list_free)

static int pg_passkey_list(struct store *st, const char *couple_id, const char *member_id,
			   struct passkey_row **ret, size_t *ret_n)
{
	struct params p = {0};

	if (!couple_id || !member_id || !ret || !ret_n)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, couple_id);
	return passkey_rows(to_pg(st), PG_PASSKEY_LIST, &p, ret, ret_n);
}

static int pg_passkey_get(struct store *st, const char *couple_id, const char *member_id,
			  const unsigned char *cred_id, size_t len, struct passkey_row *ret)
{
	struct passkey_row row;
	struct params p = {0};
	PGresult *res;
	int r;

	if (!couple_id || !member_id || !cred_id || !ret)
		return -EINVAL;
	p_text(&p, member_id);
	p_blob(&p, cred_id, len, false);
	p_text(&p, couple_id);
	r = pg_read(to_pg(st), PG_PASSKEY_GET, &p, &res);
	if (r != 0)
		return r;
	r = read_passkey(res, 0, &row);
	PQclear(res);
	if (r == 0)
		*ret = row;
	return r;
}

static int pg_passkey_use(struct store *st, const char *couple_id, const char *member_id,
			  const char *id, int64_t old_count, int64_t new_count, const char *now)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !id || !now)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, id);
	p_i64(&p, old_count);
	p_i64(&p, new_count);
	p_text(&p, now);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_PASSKEY_USE, &p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int pg_passkey_delete(struct store *st, const char *couple_id, const char *member_id,
			     const char *id)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !id)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, id);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_PASSKEY_DELETE, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_passkey_reseal(struct store *st, const char *couple_id, const char *member_id,
			     const char *id, const struct blob *tag, const struct blob *name_sealed)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !id || !tag || !name_sealed)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, id);
	p_blob(&p, tag->data, tag->len, false);
	p_blob(&p, name_sealed->data, name_sealed->len, false);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_PASSKEY_RESEAL, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_passkey_signin_set(struct store *st, const char *couple_id, const char *member_id,
				 const char *id, const struct blob *signin,
				 const struct blob *mk_sealed)
{
	struct params p = {0};
	int changes = 0, r;

	if (!couple_id || !member_id || !id || !signin != !mk_sealed)
		return -EINVAL;
	p_text(&p, member_id);
	p_text(&p, id);
	/* empty (or none): NULL, a passkey that no longer signs in alone */
	p_blob(&p, signin ? signin->data : NULL, signin ? signin->len : 0, true);
	p_blob(&p, mk_sealed ? mk_sealed->data : NULL, mk_sealed ? mk_sealed->len : 0, true);
	p_text(&p, couple_id);
	r = pg_write(to_pg(st), PG_PASSKEY_SIGNIN_SET, &p, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int pg_passkey_find(struct store *st, const unsigned char *cred_id, size_t len,
			   struct passkey_row **ret, size_t *ret_n)
{
	struct params p = {0};

	if (!cred_id || len == 0 || !ret || !ret_n)
		return -EINVAL;
	p_blob(&p, cred_id, len, false);
	return passkey_rows(to_pg(st), PG_PASSKEY_FIND, &p, ret, ret_n);
}

/*
 * The expired challenges go (purge: $1 the couple, $2 now for a member's;
 * $1 now for the sign-in ones, couple_id NULL), then put runs.
 */
static int challenge_purge_put(struct pg *pg, enum pg_stmt purge, enum pg_stmt put,
			       const char *couple_id, const struct params *p, int *changes)
{
	struct params now = {0};
	int r;

	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	if (couple_id)
		p_text(&now, couple_id);
	p_i64(&now, (int64_t)time(NULL));
	r = pg_write(pg, purge, &now, NULL);
	if (r == 0)
		r = pg_write(pg, put, p, changes);
	return pg_tx_leave(pg, r);
}

static int pg_challenge_put(struct store *st, const char *couple_id, const char *member_id,
			    const unsigned char *hash, const char *purpose, const char *origin,
			    int64_t expires_s)
{
	struct params p = {0};

	if (!hash || !couple_id || !member_id || !purpose || !origin)
		return -EINVAL;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_blob(&p, hash, STORE_CHALLENGE_HASH_LEN, false);
	p_text(&p, purpose);
	p_text(&p, origin);
	p_i64(&p, expires_s);
	return challenge_purge_put(to_pg(st), PG_CHALLENGE_PURGE, PG_CHALLENGE_PUT, couple_id, &p,
				   NULL);
}

/*
 * Reads the origin of the challenge statement take finds and deletes it
 * with del, in one transaction (the row locked FOR UPDATE): of two requests
 * with one challenge, one has it.  Both statements number their parameters
 * alike: $1 the couple and $2 the member (NULL for a sign-in's), $3 the hash,
 * $4 the purpose, $5 now (del: the first three).
 */
static int origin_take(struct pg *pg, enum pg_stmt take, enum pg_stmt del, const char *couple_id,
		       const char *member_id, const unsigned char *hash, const char *purpose,
		       int64_t now_s, char *ret_origin, size_t len)
{
	struct params p = {0};
	PGresult *res;
	int r;

	if (!hash || !ret_origin || len == 0)
		return -EINVAL;
	r = pg_tx_enter(pg);
	if (r != 0)
		return r;
	p_text(&p, couple_id);
	p_text(&p, member_id);
	p_blob(&p, hash, STORE_CHALLENGE_HASH_LEN, false);
	p_text(&p, purpose);
	p_i64(&p, now_s);
	r = pg_read(pg, take, &p, &res);
	if (r == 0) {
		r = col_text(res, 0, 0, ret_origin, len);
		PQclear(res);
	}
	if (r == 0) {
		p.n = 3;
		r = pg_write(pg, del, &p, NULL);
	}
	return pg_tx_leave(pg, r);
}

static int pg_challenge_take(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *hash, const char *purpose, int64_t now_s,
			     char *ret_origin, size_t len)
{
	if (!couple_id || !member_id)
		return -EINVAL;
	return origin_take(to_pg(st), PG_CHALLENGE_TAKE, PG_CHALLENGE_DELETE, couple_id, member_id,
			   hash, purpose, now_s, ret_origin, len);
}

static int pg_signin_challenge_put(struct store *st, const unsigned char *hash,
				   const unsigned char *address, const char *origin,
				   int64_t expires_s)
{
	struct params p = {0};
	int changes = 0, r;

	if (!hash || !origin || !address)
		return -EINVAL;
	p_blob(&p, hash, STORE_CHALLENGE_HASH_LEN, false);
	p_text(&p, origin);
	p_blob(&p, address, STORE_THROTTLE_KEY_LEN, false);
	p_i64(&p, expires_s);
	p_i64(&p, STORE_SIGNIN_CHALLENGES_MAX);
	p_i64(&p, STORE_SIGNIN_CHALLENGES_PER_ADDRESS);
	r = challenge_purge_put(to_pg(st), PG_SIGNIN_CHALLENGE_PURGE, PG_SIGNIN_CHALLENGE_PUT, NULL,
				&p, &changes);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int pg_signin_challenge_take(struct store *st, const unsigned char *hash, int64_t now_s,
				    char *ret_origin, size_t len)
{
	return origin_take(to_pg(st), PG_SIGNIN_CHALLENGE_TAKE, PG_SIGNIN_CHALLENGE_DELETE, NULL,
			   NULL, hash, NULL, now_s, ret_origin, len);
}

/* The PostgreSQL backend's ops: every op of the table. */
const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.reopen = pg_reopen,
	.warm = pg_warm,
	.serve = pg_serve,
	.fault = pg_fault,
	.fatal = pg_fatal,
	.begin = pg_begin,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.rescue = pg_rescue,
	.backup = pg_backup,
	.check = pg_check,
	.scrub = pg_scrub,
	.files_dir = pg_files_dir,
	.couple_insert = pg_couple_insert,
	.couple_get = pg_couple_get,
	.couple_members = pg_couple_members,
	.couple_delete = pg_couple_delete,
	.member_insert = pg_member_insert,
	.member_get = pg_member_get,
	.member_get_by_login = pg_member_get_by_login,
	.member_standing = pg_member_standing,
	.member_set_password = pg_member_set_password,
	.member_set_recovery = pg_member_set_recovery,
	.member_set_secret_key = pg_member_set_secret_key,
	.member_set_language = pg_member_set_language,
	.member_set_profile = pg_member_set_profile,
	.member_delete = pg_member_delete,
	.couple_key_put = pg_couple_key_put,
	.couple_key_get = pg_couple_key_get,
	.invite_insert = pg_invite_insert,
	.invite_get = pg_invite_get,
	.invite_consume = pg_invite_consume,
	.invite_revoke_open = pg_invite_revoke_open,
	.session_insert = pg_session_insert,
	.session_get = pg_session_get,
	.session_touch = pg_session_touch,
	.session_set_locked = pg_session_set_locked,
	.session_delete = pg_session_delete,
	.session_delete_member = pg_session_delete_member,
	.session_purge = pg_session_purge,
	.item_insert = pg_item_insert,
	.item_get = pg_item_get,
	.item_list = pg_item_list,
	.item_update = pg_item_update,
	.item_delete = pg_item_delete,
	.couple_set_rhythm = pg_couple_set_rhythm,
	.throttle_add = pg_throttle_add,
	.throttle_nth = pg_throttle_nth,
	.throttle_clear = pg_throttle_clear,
	.device_put = pg_device_put,
	.device_login = pg_device_login,
	.device_forget = pg_device_forget,
	.device_set_session = pg_device_set_session,
	.audit_append = pg_audit_append,
	.audit_add = pg_audit_add,
	.audit_list = pg_audit_list,
	.session_list = pg_session_list,
	.session_end_own = pg_session_end_own,
	.session_end_others = pg_session_end_others,
	.notice_seen_get = pg_notice_seen_get,
	.notice_seen_set = pg_notice_seen_set,
	.journal_insert = pg_journal_insert,
	.journal_get = pg_journal_get,
	.journal_list = pg_journal_list,
	.journal_each = pg_journal_each,
	.journal_update = pg_journal_update,
	.journal_delete = pg_journal_delete,
	.totp_put = pg_totp_put,
	.totp_get = pg_totp_get,
	.totp_activate = pg_totp_activate,
	.totp_use_step = pg_totp_use_step,
	.totp_delete = pg_totp_delete,
	.recovery_code_use = pg_recovery_code_use,
	.recovery_code_count = pg_recovery_code_count,
	.statement_insert = pg_statement_insert,
	.statement_get = pg_statement_get,
	.statement_list = pg_statement_list,
	.statement_update = pg_statement_update,
	.items_care = pg_items_care,
	.items_of_author = pg_items_of_author,
	.checkin_insert = pg_checkin_insert,
	.checkin_get = pg_checkin_get,
	.checkin_update = pg_checkin_update,
	.checkin_list = pg_checkin_list,
	.checkins_care = pg_checkins_care,
	.safety_get = pg_safety_get,
	.safety_put = pg_safety_put,
	.ledger_get = pg_ledger_get,
	.ledger_put = pg_ledger_put,
	.care_invite_insert = pg_care_invite_insert,
	.care_invite_get = pg_care_invite_get,
	.care_invite_list = pg_care_invite_list,
	.care_invite_move = pg_care_invite_move,
	.care_invites_cancel_approved = pg_care_invites_cancel_approved,
	.care_key_get = pg_care_key_get,
	.care_key_put = pg_care_key_put,
	.care_key_delete = pg_care_key_delete,
	.care_wrap_get = pg_care_wrap_get,
	.care_wrap_put = pg_care_wrap_put,
	.care_wrap_delete = pg_care_wrap_delete,
	.care_end = pg_care_end,
	.row_version = pg_row_version,
	.rehome = pg_rehome,
	.couple_rekey_due = pg_couple_rekey_due,
	.couple_rekey_mark = pg_couple_rekey_mark,
	.couple_former = pg_couple_former,
	.session_rekeyed = pg_session_rekeyed,
	.old_key_add = pg_old_key_add,
	.old_keys_get = pg_old_keys_get,
	.old_key_set = pg_old_key_set,
	.old_keys_drop_others = pg_old_keys_drop_others,
	.totp_reseal = pg_totp_reseal,
	.member_leave = pg_member_leave,
	.passkey_put = pg_passkey_put,
	.passkey_list = pg_passkey_list,
	.passkey_get = pg_passkey_get,
	.passkey_use = pg_passkey_use,
	.passkey_delete = pg_passkey_delete,
	.passkey_reseal = pg_passkey_reseal,
	.passkey_signin_set = pg_passkey_signin_set,
	.passkey_find = pg_passkey_find,
	.challenge_put = pg_challenge_put,
	.challenge_take = pg_challenge_take,
	.signin_challenge_put = pg_signin_challenge_put,
	.signin_challenge_take = pg_signin_challenge_take,
};

PGconn *store_pg_conn(struct store *st)
{
	if (!st || st->ops != &store_pg_ops)
		return NULL;
	return to_pg(st)->conn;
}
