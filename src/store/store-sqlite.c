/*
 * store-sqlite.c: the SQLite backend of the store (the default).
 *
 * One struct sq per handle wraps one sqlite3 connection opened without its
 * own mutex (a handle is used by one thread at a time) and a cache of prepared
 * statements: each statement of the table below is prepared the first time it
 * is needed and kept until the handle closes, so the hot path (session_get,
 * session_touch, journal_list) is a bind, a B-tree search and a copy.  Every
 * value is bound; no SQL is ever built from strings at run time.
 *
 * Results: 0, STORE_NOTFOUND, STORE_CONFLICT (a UNIQUE or PRIMARY KEY clash),
 * or a negative errno: -EINVAL (a NULL argument, an unterminated field, a
 * CHECK or type violation), -ENOMEM, -EBUSY (another writer held the lock
 * past the busy timeout), -ENOSPC, -EACCES, -EIO (anything else).  A foreign
 * key naming a couple or member that does not exist is STORE_NOTFOUND.
 *
 * The connection runs in WAL mode with synchronous=NORMAL, and every commit
 * waits for the group commit to flush the log (sq_sync_to(): a commit is on disk
 * when it returns), foreign keys on, and secure_delete on, so that the cells
 * of deleted rows (sealed journal text, key wraps) are overwritten with zeros
 * instead of lingering in free space.  Old page images can still sit in the
 * -wal file until the next checkpoint rewrites it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/marks.h"
#include "store/store.h"
#include "store/store-sqlite.h"

#define SQ_BUSY_TIMEOUT_MS 5000 /* writers queue behind each other this long */
#define SQ_DIR_MODE	   0700 /* a created parent directory: owner only */
#define SQ_FILE_MODE	   0600 /* the database and its backups: owner only */
#define SQ_LIST_FIRST_CAP  16	/* first allocation of a journal page */
#define SQ_STR_(x)	   #x
#define SQ_STR(x)	   SQ_STR_(x) /* a number's digits, as a string literal */

/* Every statement the backend runs, prepared at most once per handle. */
enum sq_stmt {
	SQ_BEGIN,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_READ_BEGIN,
	SQ_READ_END,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_USER_VERSION,
	SQ_COUPLE_INSERT,
	SQ_COUPLE_GET,
	SQ_COUPLE_EXISTS,
	SQ_COUPLE_MEMBERS,
	SQ_COUPLE_DELETE,
	SQ_MEMBER_INSERT,
	SQ_MEMBER_GET,
	SQ_MEMBER_GET_BY_LOGIN,
	SQ_MEMBER_STANDING,
	SQ_MEMBER_SET_PASSWORD,
	SQ_MEMBER_SET_RECOVERY,
	SQ_MEMBER_SET_SECRET_KEY,
	SQ_MEMBER_SET_LANGUAGE,
	SQ_MEMBER_SET_PROFILE,
	SQ_MEMBER_DEL_SESSIONS,
	SQ_MEMBER_DEL_KEYS,
	SQ_MEMBER_DEL_JOURNAL,
	SQ_MEMBER_DELETE,
	SQ_KEY_PUT,
	SQ_KEY_GET,
	SQ_INVITE_INSERT,
	SQ_INVITE_GET,
	SQ_INVITE_CONSUME,
	SQ_INVITE_REVOKE_OPEN,
	SQ_SESSION_INSERT,
	SQ_SESSION_GET,
	SQ_SESSION_TOUCH,
	SQ_SESSION_LOCK,
	SQ_SESSION_UNLOCK,
	SQ_SESSION_EXISTS,
	SQ_SESSION_DELETE,
	SQ_SESSION_DELETE_MEMBER,
	SQ_SESSION_PURGE,
	SQ_JOURNAL_INSERT,
	SQ_JOURNAL_GET,
	SQ_JOURNAL_POS,
	SQ_JOURNAL_FIRST,
	SQ_JOURNAL_AFTER,
	SQ_JOURNAL_UPDATE,
	SQ_JOURNAL_DELETE,
	SQ_AUDIT_APPEND,
	/* ---- statements (migration 0002) ---- */
	SQ_STATEMENT_INSERT,
	SQ_STATEMENT_GET,
	SQ_STATEMENT_LIST,
	SQ_STATEMENT_UPDATE,
	SQ_STATEMENT_EXISTS,
	/* ---- end of statements ---- */
	/* ---- sign-in throttling (migration 0004) ---- */
	SQ_THROTTLE_ADD,
	SQ_THROTTLE_FORGET,
	SQ_THROTTLE_NTH,
	SQ_THROTTLE_CLEAR,
	/* ---- end of sign-in throttling ---- */
	/* ---- check-ins and the rhythm (migration 0003) ---- */
	SQ_COUPLE_SET_RHYTHM,
	SQ_CHECKIN_INSERT,
	SQ_CHECKIN_GET,
	SQ_CHECKIN_UPDATE,
	SQ_CHECKIN_EXISTS,
	SQ_CHECKIN_LIST,
	SQ_CHECKINS_CARE,
	/* ---- end of check-ins ---- */
	/* ---- items (migration 0005) ---- */
	SQ_ITEM_INSERT,
	SQ_ITEM_GET,
	SQ_ITEM_LIST,
	SQ_ITEM_LIST_OLDEST,
	SQ_ITEM_ANSWERS,
	SQ_ITEM_UPDATE,
	SQ_ITEM_EXISTS,
	SQ_ITEM_DELETE,
	/* ---- browsers that signed in (migration 0006) ---- */
	SQ_DEVICE_INSERT,
	SQ_DEVICE_TOUCH,
	SQ_DEVICE_TRIM,
	SQ_DEVICE_LOGIN,
	SQ_DEVICE_FORGET,
	/* ---- second factors (migration 0009) ---- */
	SQ_TOTP_PUT,
	SQ_TOTP_GET,
	SQ_TOTP_ACTIVATE,
	SQ_TOTP_USE,
	SQ_TOTP_DELETE,
	SQ_RCODE_CLEAR,
	SQ_RCODE_INSERT,
	SQ_RCODE_USE,
	SQ_RCODE_COUNT,
	SQ_PASSKEY_PUT,
	SQ_PASSKEY_LIST,
	SQ_PASSKEY_GET,
	SQ_PASSKEY_USE,
	SQ_PASSKEY_DELETE,
	SQ_CHALLENGE_PURGE,
	SQ_CHALLENGE_PUT,
	SQ_CHALLENGE_TAKE,
	/* ---- leaving the couple (migration 0014) ---- */
	SQ_REKEY_DUE,
	SQ_REKEY_MARK_KEYS,
	SQ_REKEY_MARK_SESSIONS,
	SQ_REKEY_MARK_COUPLE,
	SQ_COUPLE_FORMER,
	SQ_SESSION_REKEYED,
	SQ_OLD_KEY_ADD,
	SQ_OLD_KEYS_GET,
	SQ_OLD_KEY_SET,
	SQ_OLD_KEYS_DROP,
	SQ_TOTP_RESEAL,
	SQ_PASSKEY_RESEAL,
	SQ_DEFER_FKS,
	SQ_LEAVE_COUPLE,
	SQ_LEAVE_GHOST,
	SQ_LEAVE_MOVE,
	SQ_LEAVE_KEY,
	SQ_LEAVE_AUDIT,
	SQ_LEAVE_SESSIONS,
	SQ_LEAVE_SESSION_MOVE,
	SQ_LEAVE_DEVICES,
	SQ_LEAVE_TOTP,
	SQ_LEAVE_RCODES,
	SQ_LEAVE_PASSKEYS,
	SQ_LEAVE_CHALLENGES,
	SQ_ITEMS_OF_AUTHOR,
	SQ_CARE_INVITE_INSERT,
	SQ_CARE_INVITE_GET,
	SQ_CARE_INVITE_LIST,
	SQ_CARE_INVITE_MOVE,
	SQ_CARE_INVITES_CANCEL,
	SQ_CARE_KEY_GET,
	SQ_CARE_KEY_PUT,
	SQ_CARE_KEY_DELETE,
	SQ_CARE_WRAP_GET,
	SQ_CARE_WRAP_PUT,
	SQ_CARE_WRAP_DELETE,
	SQ_CARE_END,
	SQ_ITEMS_CARE,
	SQ_REHOME_ITEM,
	SQ_REHOME_JOURNAL,
	SQ_REHOME_STATEMENT,
	SQ_REHOME_CHECKIN,
	SQ_VERSION_ITEM,
	SQ_VERSION_JOURNAL,
	SQ_VERSION_STATEMENT,
	SQ_VERSION_CHECKIN,
	SQ_VERSION_SAFETY,
	SQ_CHALLENGE_DELETE,
	SQ_PASSKEY_SIGNIN_SET,
	SQ_PASSKEY_FIND,
	SQ_SIGNIN_CHALLENGE_PURGE,
	SQ_SIGNIN_CHALLENGE_PUT,
	SQ_SIGNIN_CHALLENGE_TAKE,
	SQ_SIGNIN_CHALLENGE_DELETE,
	/* ---- signed-in devices and the sign-in history (migration 0011) ---- */
	SQ_MEMBER_DEL_AUDIT,
	SQ_AUDIT_ADD,
	SQ_AUDIT_TRIM,
	SQ_AUDIT_LIST,
	SQ_SESSION_LIST,
	SQ_SESSION_DELETE_OWN,
	SQ_DEVICE_FORGET_SESSION,
	SQ_DEVICE_FORGET_OTHERS,
	SQ_DEVICE_SET_SESSION,
	SQ_NOTICE_GET,
	SQ_NOTICE_SET,
	/* ---- the private safety check (migration 0012) ---- */
	SQ_SAFETY_GET,
	SQ_SAFETY_INSERT,
	SQ_SAFETY_UPDATE,
	/* ---- the ledger of latest versions (migration 0015) ---- */
	SQ_LEDGER_GET,
	SQ_LEDGER_INSERT,
	SQ_LEDGER_UPDATE,
	_SQ_STMT_MAX,
};

#define MEMBER_COLS                                                                                \
	"id, couple_id, login, role, display_name, language, pw_hash, kek_salt, mk_by_pw, "        \
	"rk_salt, mk_by_rk, public_key, secret_key_sealed, created_at, kdf"
#define INVITE_COLS "id, couple_id, role, secret_hash, ck_wrapped, created_at, expires_at, used"
#define SESSION_COLS                                                                               \
	"id, member_id, couple_id, secret_hash, keys_sealed, created_at, last_seen_at, "           \
	"expires_at, "                                                                             \
	"browser"
#define JOURNAL_COLS                                                                               \
	"id, couple_id, author_id, version, body_sealed, prompt_sealed, created_at, updated_at"
/* a page's: its couple and author are the query's own (read_journal_page()) */
#define JOURNAL_PAGE_COLS "id, version, body_sealed, prompt_sealed, created_at, updated_at"
/* ---- statements (migration 0002) ---- */
#define STATEMENT_COLS                                                                             \
	"id, couple_id, author_id, version, delivered, parts_sealed, created_at, updated_at, "     \
	"delivered_at"
/* ---- end of statements ---- */

/* ---- check-ins and the rhythm (migration 0003) ---- */
#define CHECKIN_COLS                                                                               \
	"id, couple_id, author_id, period, rhythm, shared_with, version, content_sealed, "         \
	"created_at, updated_at"
/* ---- end of check-ins ---- */
#define CARE_INVITE_COLS                                                                           \
	"id, couple_id, proposed_by, approved_by, status, note_sealed, created_at, updated_at"
#define ITEM_COLS                                                                                  \
	"couple_id, kind, id, parent_kind, parent_id, author_id, shared_with, version, legacy, "   \
	"once, sort, plain, sealed, created_at, updated_at"
/* the top-level items of a kind (?3 = ?4 = ''), or the answers to one item */
#define ITEM_WHERE                                                                                 \
	" FROM items WHERE couple_id = ?1 AND kind = ?2 AND parent_kind = ?3 AND parent_id = ?4 "  \
	"AND (?5 IS NULL OR author_id = ?5) "                                                      \
	"AND (?7 IS NULL OR author_id = ?7 OR (shared_with & ?8) <> 0) "

#define PASSKEY_COLS                                                                               \
	"id, credential_id, public_key, tag, name_sealed, sign_count, created_at, "                \
	"coalesce(last_used_at, ''), member_id, signin, mk_sealed, couple_id"

static const char *const sq_sql[_SQ_STMT_MAX] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_READ_BEGIN] = "BEGIN DEFERRED",
	[SQ_READ_END] = "COMMIT",
	/* operations made of several statements nest inside a caller's begin */
	[SQ_SAVEPOINT] = "SAVEPOINT store_op",
	[SQ_RELEASE] = "RELEASE store_op",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO store_op",
	[SQ_USER_VERSION] = "PRAGMA user_version",

	[SQ_COUPLE_INSERT] = "INSERT INTO couples (id, created_at, rhythm) "
			     "VALUES (?1, ?2, coalesce(nullif(?3, ''), 'daily'))",
	[SQ_COUPLE_GET] = "SELECT id, created_at, rhythm FROM couples WHERE id = ?1",
	[SQ_COUPLE_EXISTS] = "SELECT 1 FROM couples WHERE id = ?1",
	[SQ_COUPLE_MEMBERS] = "SELECT id, role, display_name, left_at IS NOT NULL, created_at, "
			      "care_ended_at IS NOT NULL FROM members "
			      "WHERE couple_id = ?1 ORDER BY created_at, rowid",
	[SQ_COUPLE_DELETE] = "DELETE FROM couples WHERE id = ?1",

	[SQ_MEMBER_INSERT] =
		"INSERT INTO members (" MEMBER_COLS ") "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[SQ_MEMBER_GET] = "SELECT " MEMBER_COLS " FROM members WHERE couple_id = ?2 AND id = ?1",
	[SQ_MEMBER_GET_BY_LOGIN] = "SELECT " MEMBER_COLS " FROM members WHERE login = ?1",
	[SQ_MEMBER_STANDING] =
		"SELECT role, language, discreet, autolock_minutes, "
		"care_ended_at IS NOT NULL FROM members WHERE couple_id = ?2 AND id = ?1",
	[SQ_MEMBER_SET_PASSWORD] = "UPDATE members SET pw_hash = ?2, kek_salt = ?3, mk_by_pw = ?4, "
				   "kdf = ?5 WHERE couple_id = ?6 AND id = ?1",
	[SQ_MEMBER_SET_RECOVERY] = "UPDATE members SET rk_salt = ?2, mk_by_rk = ?3 "
				   "WHERE couple_id = ?4 AND id = ?1",
	[SQ_MEMBER_SET_SECRET_KEY] = "UPDATE members SET secret_key_sealed = ?2 "
				     "WHERE couple_id = ?3 AND id = ?1",
	[SQ_MEMBER_SET_LANGUAGE] =
		"UPDATE members SET language = ?2 WHERE couple_id = ?3 AND id = ?1",
	/* a NULL keeps its column: one statement for any of the three */
	[SQ_MEMBER_SET_PROFILE] = "UPDATE members SET display_name = coalesce(?2, display_name), "
				  "discreet = coalesce(?3, discreet), "
				  "autolock_minutes = coalesce(?4, autolock_minutes) "
				  "WHERE couple_id = ?5 AND id = ?1",
	[SQ_MEMBER_DEL_SESSIONS] = "DELETE FROM sessions WHERE couple_id = ?1 AND member_id = ?2",
	[SQ_MEMBER_DEL_KEYS] = "DELETE FROM couple_keys WHERE couple_id = ?1 AND member_id = ?2",
	[SQ_MEMBER_DEL_JOURNAL] = "DELETE FROM journal_entries WHERE couple_id = ?1 "
				  "AND author_id = ?2",
	[SQ_MEMBER_DELETE] = "DELETE FROM members WHERE couple_id = ?1 AND id = ?2",

	[SQ_KEY_PUT] = "INSERT INTO couple_keys (couple_id, member_id, wrapped, tag) "
		       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (couple_id, member_id) "
		       "DO UPDATE SET wrapped = excluded.wrapped, tag = excluded.tag, rekey = 0",
	[SQ_KEY_GET] =
		"SELECT wrapped, tag FROM couple_keys WHERE couple_id = ?1 AND member_id = ?2",

	[SQ_INVITE_INSERT] = "INSERT INTO invites (" INVITE_COLS ") "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQ_INVITE_GET] = "SELECT " INVITE_COLS " FROM invites WHERE id = ?1",
	/* one statement, so marking used and dropping the wrap is atomic */
	[SQ_INVITE_CONSUME] = "UPDATE invites SET used = 1, ck_wrapped = X'' "
			      "WHERE couple_id = ?2 AND id = ?1 AND used = 0",
	[SQ_INVITE_REVOKE_OPEN] = "UPDATE invites SET used = 1, ck_wrapped = X'' "
				  "WHERE couple_id = ?1 AND role = ?2 AND used = 0",

	[SQ_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[SQ_SESSION_GET] = "SELECT " SESSION_COLS ", locked, rekey FROM sessions WHERE id = ?1",
	/* only moves forward: a touch within the same second writes nothing */
	[SQ_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = ?2 "
			     "WHERE couple_id = ?3 AND id = ?1 AND last_seen_at < ?2",
	[SQ_SESSION_LOCK] = "UPDATE sessions SET locked = 1 WHERE couple_id = ?2 AND id = ?1",
	/* unlocking is a request: last_seen_at moves to it in the same write */
	[SQ_SESSION_UNLOCK] =
		"UPDATE sessions SET locked = 0, "
		"last_seen_at = max(last_seen_at, ?2) WHERE couple_id = ?3 AND id = ?1",
	[SQ_SESSION_EXISTS] = "SELECT 1 FROM sessions WHERE couple_id = ?2 AND id = ?1",
	[SQ_SESSION_DELETE] = "DELETE FROM sessions WHERE couple_id = ?2 AND id = ?1",
	[SQ_SESSION_DELETE_MEMBER] = "DELETE FROM sessions WHERE couple_id = ?3 AND member_id = ?1 "
				     "AND id IS NOT ?2",
	/* LIMIT -1 is no limit; a subquery because DELETE ... LIMIT needs a compile option */
	[SQ_SESSION_PURGE] = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions "
			     "WHERE expires_at < ?1 OR last_seen_at < ?2 LIMIT ?3)",

	/* seq: next in insertion order among the author's rows of that second */
	[SQ_JOURNAL_INSERT] = "INSERT INTO journal_entries (" JOURNAL_COLS ", seq) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
			      "(SELECT ifnull(max(seq), 0) + 1 FROM journal_entries "
			      "WHERE couple_id = ?2 AND author_id = ?3 AND created_at = ?7))",
	[SQ_JOURNAL_GET] = "SELECT " JOURNAL_COLS " FROM journal_entries "
			   "WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3",
	[SQ_JOURNAL_POS] = "SELECT created_at, seq FROM journal_entries "
			   "WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3",
	[SQ_JOURNAL_FIRST] = "SELECT " JOURNAL_PAGE_COLS " FROM journal_entries "
			     "WHERE couple_id = ?1 AND author_id = ?2 "
			     "ORDER BY created_at DESC, seq DESC LIMIT ?3",
	[SQ_JOURNAL_AFTER] =
		"SELECT " JOURNAL_PAGE_COLS " FROM journal_entries "
		"WHERE couple_id = ?1 AND author_id = ?2 AND (created_at, seq) < (?3, ?4) "
		"ORDER BY created_at DESC, seq DESC LIMIT ?5",
	[SQ_JOURNAL_UPDATE] =
		"UPDATE journal_entries SET version = ?4, body_sealed = ?5, "
		"prompt_sealed = ?6, updated_at = ?7 "
		"WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3 AND version = ?8",
	[SQ_JOURNAL_DELETE] = "DELETE FROM journal_entries "
			      "WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3",

	[SQ_AUDIT_APPEND] = "INSERT INTO audit_log (couple_id, member_id, event, at) "
			    "VALUES (?1, ?2, ?3, ?4)",

	/* ---- statements (migration 0002) ---- */
	/* seq: next in insertion order among the couple's rows of that second */
	[SQ_STATEMENT_INSERT] = "INSERT INTO statements (" STATEMENT_COLS ", seq) "
				"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
				"(SELECT ifnull(max(seq), 0) + 1 FROM statements "
				"WHERE couple_id = ?2 AND created_at = ?7))",
	[SQ_STATEMENT_GET] = "SELECT " STATEMENT_COLS " FROM statements "
			     "WHERE couple_id = ?1 AND id = ?2",
	[SQ_STATEMENT_LIST] = "SELECT " STATEMENT_COLS " FROM statements "
			      "WHERE couple_id = ?1 AND (author_id = ?2 OR delivered = 1) "
			      "ORDER BY created_at DESC, seq DESC LIMIT ?3",
	/* a delivered statement never matches: it is immutable */
	[SQ_STATEMENT_UPDATE] =
		"UPDATE statements SET version = ?4, delivered = ?5, parts_sealed = ?6, "
		"updated_at = ?7, delivered_at = ?8 "
		"WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3 AND version = ?9 "
		"AND delivered = 0",
	[SQ_STATEMENT_EXISTS] = "SELECT 1 FROM statements "
				"WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3",
	/* ---- end of statements ---- */
	/* ---- sign-in throttling (migration 0004) ---- */
	[SQ_THROTTLE_ADD] = "INSERT INTO signin_failures (key, at) VALUES (?1, ?2)",
	[SQ_THROTTLE_FORGET] = "DELETE FROM signin_failures WHERE at <= ?1",
	[SQ_THROTTLE_NTH] = "SELECT at FROM signin_failures WHERE key = ?1 AND at > ?2 "
			    "ORDER BY at DESC LIMIT 1 OFFSET ?3",
	[SQ_THROTTLE_CLEAR] = "DELETE FROM signin_failures WHERE key = ?1",
	/* ---- browsers that signed in (migration 0006) ---- */
	[SQ_DEVICE_INSERT] = "INSERT INTO devices (key, couple_id, member_id, created_at, used_at) "
			     "VALUES (?1, ?4, ?2, ?3, ?3) ON CONFLICT (key) DO NOTHING",
	[SQ_DEVICE_TOUCH] = "UPDATE devices SET used_at = ?3 "
			    "WHERE couple_id = ?4 AND key = ?1 AND member_id = ?2",
	[SQ_DEVICE_TRIM] =
		"DELETE FROM devices WHERE couple_id = ?3 AND member_id = ?1 AND key NOT IN "
		"(SELECT key FROM devices WHERE couple_id = ?3 AND member_id = ?1 "
		"ORDER BY used_at DESC, rowid DESC LIMIT ?2)",
	[SQ_DEVICE_LOGIN] = "SELECT m.login FROM devices d JOIN members m "
			    "ON m.couple_id = d.couple_id AND m.id = d.member_id WHERE d.key = ?1",
	[SQ_DEVICE_FORGET] = "DELETE FROM devices WHERE couple_id = ?3 AND member_id = ?1 "
			     "AND (?2 IS NULL OR key <> ?2)",
	/* ---- second factors (migration 0009) ---- */
	[SQ_TOTP_PUT] =
		"INSERT INTO totp (member_id, couple_id, secret_sealed, active, last_step, "
		"created_at) VALUES (?1, ?4, ?2, 0, 0, ?3) ON CONFLICT (member_id) DO UPDATE "
		"SET secret_sealed = ?2, created_at = ?3 WHERE active = 0 AND couple_id = ?4",
	[SQ_TOTP_GET] = "SELECT secret_sealed, active, last_step, created_at FROM totp "
			"WHERE couple_id = ?2 AND member_id = ?1",
	[SQ_TOTP_ACTIVATE] = "UPDATE totp SET active = 1, last_step = ?2 "
			     "WHERE couple_id = ?3 AND member_id = ?1 AND active = 0",
	/* the step only moves forward: a code's step is taken once, by one request */
	[SQ_TOTP_USE] = "UPDATE totp SET last_step = ?2 "
			"WHERE couple_id = ?3 AND member_id = ?1 AND active = 1 AND last_step < ?2",
	[SQ_TOTP_DELETE] = "DELETE FROM totp WHERE couple_id = ?2 AND member_id = ?1",
	[SQ_RCODE_CLEAR] = "DELETE FROM recovery_codes WHERE couple_id = ?2 AND member_id = ?1",
	[SQ_RCODE_INSERT] = "INSERT INTO recovery_codes (member_id, hash, couple_id) "
			    "VALUES (?1, ?2, ?3)",
	[SQ_RCODE_USE] = "DELETE FROM recovery_codes WHERE couple_id = ?3 AND member_id = ?1 "
			 "AND hash = ?2",
	[SQ_RCODE_COUNT] =
		"SELECT count(*) FROM recovery_codes WHERE couple_id = ?2 AND member_id = ?1",
	/* ---- passkeys (migration 0010) ---- */
	[SQ_PASSKEY_PUT] =
		"INSERT INTO passkeys (id, couple_id, member_id, credential_id, public_key, "
		"tag, name_sealed, sign_count, created_at) "
		"SELECT ?1, ?10, ?2, ?3, ?4, ?5, "
		"?6, ?7, ?8 "
		"WHERE (SELECT count(*) FROM passkeys WHERE couple_id = ?10 "
		"AND member_id = ?2) < ?9 ON CONFLICT DO NOTHING",
	[SQ_PASSKEY_LIST] = "SELECT " PASSKEY_COLS " FROM passkeys WHERE couple_id = ?2 "
			    "AND member_id = ?1 ORDER BY created_at, rowid",
	[SQ_PASSKEY_GET] = "SELECT " PASSKEY_COLS " FROM passkeys "
			   "WHERE couple_id = ?3 AND member_id = ?1 AND credential_id = ?2",
	/* the counter moves from what the check saw: of two racing uses, one */
	[SQ_PASSKEY_USE] =
		"UPDATE passkeys SET sign_count = ?4, last_used_at = ?5 "
		"WHERE couple_id = ?6 AND member_id = ?1 AND id = ?2 AND sign_count = ?3",
	[SQ_PASSKEY_DELETE] =
		"DELETE FROM passkeys WHERE couple_id = ?3 AND member_id = ?1 AND id = ?2",
	[SQ_CHALLENGE_PURGE] = "DELETE FROM passkey_challenges WHERE couple_id = ?1 "
			       "AND expires_at <= ?2",
	[SQ_CHALLENGE_PUT] = "INSERT INTO passkey_challenges (couple_id, member_id, hash, purpose, "
			     "origin, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_CHALLENGE_TAKE] =
		"SELECT origin FROM passkey_challenges WHERE couple_id = ?1 "
		"AND member_id = ?2 AND hash = ?3 AND purpose = ?4 AND expires_at > ?5",
	[SQ_CHALLENGE_DELETE] = "DELETE FROM passkey_challenges WHERE couple_id = ?1 "
				"AND member_id = ?2 AND hash = ?3",
	/* ---- a passkey that signs in alone (migration 0016) ---- */
	[SQ_PASSKEY_SIGNIN_SET] = "UPDATE passkeys SET signin = ?3, mk_sealed = ?4 "
				  "WHERE couple_id = ?5 AND member_id = ?1 AND id = ?2",
	[SQ_PASSKEY_FIND] =
		"SELECT " PASSKEY_COLS " FROM passkeys "
		"WHERE credential_id = ?1 AND signin IS NOT NULL ORDER BY rowid LIMIT 16",
	[SQ_SIGNIN_CHALLENGE_PURGE] = "DELETE FROM signin_challenges WHERE expires_at <= ?1",
	/* nothing when the table is full: a flood of asks fills no disk */
	[SQ_SIGNIN_CHALLENGE_PUT] =
		"INSERT INTO signin_challenges (hash, origin, address, expires_at) "
		"SELECT ?1, ?2, ?3, ?4 "
		"WHERE (SELECT count(*) FROM signin_challenges) < ?5 "
		"AND (SELECT count(*) FROM signin_challenges WHERE address = ?3) < ?6",
	/* numbered as a member's challenges are (?1, ?2 and ?4 unused): one taker */
	[SQ_SIGNIN_CHALLENGE_TAKE] = "SELECT origin FROM signin_challenges "
				     "WHERE hash = ?3 AND expires_at > ?5",
	[SQ_SIGNIN_CHALLENGE_DELETE] = "DELETE FROM signin_challenges WHERE hash = ?3",
	/* ---- the private safety check (migration 0012) ---- */
	[SQ_SAFETY_GET] = "SELECT id, version, sealed FROM safety_checks "
			  "WHERE couple_id = ?1 AND member_id = ?2",
	/* nothing is inserted unless the member is the couple's; a row the
	 * member left in another couple (before leaving it) is replaced, one
	 * in this couple is a conflict (a first check racing another) */
	[SQ_SAFETY_INSERT] =
		"INSERT INTO safety_checks (member_id, couple_id, id, version, sealed) "
		"SELECT ?2, ?1, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM members "
		"WHERE id = ?2 AND couple_id = ?1) ON CONFLICT (member_id) DO UPDATE "
		"SET couple_id = excluded.couple_id, id = excluded.id, "
		"version = excluded.version, sealed = excluded.sealed "
		"WHERE safety_checks.couple_id <> excluded.couple_id",
	[SQ_SAFETY_UPDATE] = "UPDATE safety_checks SET version = ?4, sealed = ?5 "
			     "WHERE couple_id = ?1 AND member_id = ?2 AND id = ?3 AND version = ?6",
	/* ---- the ledger of latest versions (migration 0015) ---- */
	[SQ_LEDGER_GET] = "SELECT gen, sealed FROM ledgers WHERE member_id = ?1 AND couple_id = ?2",
	[SQ_LEDGER_INSERT] = "INSERT INTO ledgers (member_id, couple_id, gen, sealed) "
			     "VALUES (?1, ?2, 1, ?3) ON CONFLICT DO NOTHING",
	[SQ_LEDGER_UPDATE] = "UPDATE ledgers SET gen = gen + 1, sealed = ?3 "
			     "WHERE member_id = ?1 AND couple_id = ?2 AND gen = ?4",
	/* ---- signed-in devices and the sign-in history (migration 0011) ---- */
	/* when, how and from where they signed in goes with them (issue 13: after a
	 * deletion no row holds anything of the member's) */
	[SQ_MEMBER_DEL_AUDIT] = "DELETE FROM audit_log WHERE couple_id = ?1 AND member_id = ?2",
	[SQ_AUDIT_ADD] = "INSERT INTO audit_log (couple_id, member_id, event, at, browser, "
			 "session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* the member's rows older than the days before ?2, and beyond the newest ?4 of event ?3 */
	[SQ_AUDIT_TRIM] =
		"DELETE FROM audit_log WHERE couple_id = ?5 AND member_id = ?1 "
		"AND (at < strftime('%Y-%m-%dT%H:%M:%SZ', ?2, "
		"'-" SQ_STR(
			STORE_AUDIT_DAYS) " days') "
					  "OR (event = ?3 AND id NOT IN (SELECT id FROM audit_log "
					  "WHERE couple_id = ?5 AND member_id = ?1 AND event = ?3 "
					  "ORDER BY id DESC "
					  "LIMIT ?4)))",
	/* events: "a,b,c"; an event name holds no comma */
	[SQ_AUDIT_LIST] = "SELECT id, event, at, coalesce(browser, ''), coalesce(session_id, '') "
			  "FROM audit_log WHERE couple_id = ?6 AND member_id = ?1 "
			  "AND instr(',' || ?2 || ',', ',' || event || ',') > 0 "
			  "AND id > ?3 AND at >= ?4 ORDER BY id DESC LIMIT ?5",
	[SQ_SESSION_LIST] = "SELECT id, browser, created_at, last_seen_at, expires_at "
			    "FROM sessions WHERE couple_id = ?3 AND member_id = ?1 "
			    "ORDER BY created_at DESC, rowid DESC LIMIT ?2",
	[SQ_SESSION_DELETE_OWN] = "DELETE FROM sessions WHERE couple_id = ?3 AND id = ?2 "
				  "AND member_id = ?1",
	[SQ_DEVICE_FORGET_SESSION] = "DELETE FROM devices WHERE couple_id = ?3 AND member_id = ?1 "
				     "AND session_id = ?2",
	[SQ_DEVICE_FORGET_OTHERS] = "DELETE FROM devices WHERE couple_id = ?3 AND member_id = ?1 "
				    "AND session_id IS NOT ?2",
	[SQ_DEVICE_SET_SESSION] = "UPDATE devices SET session_id = ?3 "
				  "WHERE couple_id = ?4 AND key = ?1 AND member_id = ?2",
	[SQ_NOTICE_GET] = "SELECT notice_seen FROM members WHERE couple_id = ?2 AND id = ?1",
	[SQ_NOTICE_SET] = "UPDATE members SET notice_seen = max(notice_seen, ?2) "
			  "WHERE couple_id = ?3 AND id = ?1",
	/* ---- leaving the couple (migration 0014) ---- */
	[SQ_REKEY_DUE] = "SELECT 1 FROM couple_keys WHERE couple_id = ?1 AND member_id = ?2 "
			 "AND rekey = 1",
	[SQ_REKEY_MARK_KEYS] = "UPDATE couple_keys SET rekey = 1 "
			       "WHERE couple_id = ?1 AND member_id IS NOT ?2",
	[SQ_REKEY_MARK_SESSIONS] = "UPDATE sessions SET rekey = 1 "
				   "WHERE couple_id = ?1 AND member_id IS NOT ?2",
	[SQ_REKEY_MARK_COUPLE] = "UPDATE couples SET former = 1 WHERE id = ?1",
	[SQ_COUPLE_FORMER] = "SELECT former FROM couples WHERE id = ?1",
	[SQ_SESSION_REKEYED] = "UPDATE sessions SET keys_sealed = ?3, rekey = 0 "
			       "WHERE couple_id = ?2 AND id = ?1",
	[SQ_OLD_KEY_ADD] = "INSERT INTO old_couple_keys (member_id, couple_id, n, key_sealed, "
			   "created_at) VALUES (?1, ?2, (SELECT ifnull(max(n), 0) + 1 "
			   "FROM old_couple_keys WHERE member_id = ?1 AND couple_id = ?2), ?3, ?4)",
	[SQ_OLD_KEYS_GET] = "SELECT n, key_sealed FROM old_couple_keys "
			    "WHERE member_id = ?1 AND couple_id = ?2 ORDER BY n DESC LIMIT ?3",
	/* ---- a new master key (issue 11 part 4) ---- */
	[SQ_OLD_KEY_SET] = "UPDATE old_couple_keys SET key_sealed = ?4 "
			   "WHERE member_id = ?1 AND couple_id = ?2 AND n = ?3",
	[SQ_OLD_KEYS_DROP] = "DELETE FROM old_couple_keys WHERE member_id = ?1 AND couple_id <> ?2",
	[SQ_TOTP_RESEAL] =
		"UPDATE totp SET secret_sealed = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_PASSKEY_RESEAL] = "UPDATE passkeys SET tag = ?3, name_sealed = ?4 "
			      "WHERE couple_id = ?5 AND member_id = ?1 AND id = ?2",
	/* checked at commit: a leave moves rows and their parents in any order */
	[SQ_DEFER_FKS] = "PRAGMA defer_foreign_keys = ON",
	[SQ_LEAVE_COUPLE] = "INSERT INTO couples (id, created_at, rhythm) SELECT ?2, ?3, rhythm "
			    "FROM couples WHERE id = ?1",
	[SQ_LEAVE_GHOST] = "INSERT INTO members (" MEMBER_COLS ", left_at) "
			   "SELECT ?2, couple_id, 'left:' || ?2, role, display_name, "
			   "language, '', X'', X'', X'', X'', X'', X'', "
			   "created_at, kdf, ?3 "
			   "FROM members WHERE couple_id = ?4 AND id = ?1 AND left_at IS NULL",
	[SQ_LEAVE_MOVE] = "UPDATE members SET couple_id = ?2 WHERE couple_id = ?3 AND id = ?1",
	[SQ_LEAVE_KEY] = "DELETE FROM couple_keys WHERE couple_id = ?2 AND member_id = ?1",
	[SQ_LEAVE_AUDIT] =
		"UPDATE audit_log SET couple_id = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_LEAVE_SESSIONS] = "DELETE FROM sessions WHERE couple_id = ?3 AND member_id = ?1 "
			      "AND id IS NOT ?2",
	[SQ_LEAVE_SESSION_MOVE] =
		"UPDATE sessions SET couple_id = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_LEAVE_DEVICES] =
		"UPDATE devices SET couple_id = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_LEAVE_TOTP] = "UPDATE totp SET couple_id = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_LEAVE_RCODES] = "UPDATE recovery_codes SET couple_id = ?2 WHERE couple_id = ?3 "
			    "AND member_id = ?1",
	[SQ_LEAVE_PASSKEYS] =
		"UPDATE passkeys SET couple_id = ?2 WHERE couple_id = ?3 AND member_id = ?1",
	[SQ_LEAVE_CHALLENGES] = "UPDATE passkey_challenges SET couple_id = ?2 WHERE couple_id = ?3 "
				"AND member_id = ?1",
	[SQ_ITEMS_OF_AUTHOR] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = ?1 "
			       "AND author_id = ?2 ORDER BY rowid",
	[SQ_CARE_INVITE_INSERT] = "INSERT INTO care_invites (" CARE_INVITE_COLS ") "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQ_CARE_INVITE_GET] = "SELECT " CARE_INVITE_COLS " FROM care_invites "
			       "WHERE couple_id = ?1 AND id = ?2",
	[SQ_CARE_INVITE_LIST] =
		"SELECT " CARE_INVITE_COLS " FROM care_invites "
		"WHERE couple_id = ?1 AND status IN ('awaiting_partner', 'approved') "
		"ORDER BY created_at DESC, rowid DESC LIMIT 50",
	[SQ_CARE_INVITE_MOVE] = "UPDATE care_invites SET status = ?4, "
				"approved_by = coalesce(?5, approved_by), updated_at = ?6 "
				"WHERE couple_id = ?1 AND id = ?2 AND status = ?3",
	[SQ_CARE_INVITES_CANCEL] = "UPDATE care_invites SET status = 'cancelled', updated_at = ?2 "
				   "WHERE couple_id = ?1 AND status = 'approved'",
	[SQ_CARE_KEY_GET] = "SELECT sealed FROM care_keys WHERE couple_id = ?1",
	[SQ_CARE_KEY_PUT] =
		"INSERT INTO care_keys (couple_id, sealed, created_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (couple_id) DO UPDATE SET sealed = excluded.sealed, "
		"created_at = excluded.created_at",
	[SQ_CARE_KEY_DELETE] = "DELETE FROM care_keys WHERE couple_id = ?1",
	[SQ_CARE_WRAP_GET] =
		"SELECT wrapped FROM care_wraps WHERE couple_id = ?1 AND member_id = ?2",
	[SQ_CARE_WRAP_PUT] = "INSERT INTO care_wraps (couple_id, member_id, wrapped) "
			     "VALUES (?1, ?2, ?3) ON CONFLICT (couple_id, member_id) "
			     "DO UPDATE SET wrapped = excluded.wrapped",
	[SQ_CARE_WRAP_DELETE] = "DELETE FROM care_wraps WHERE couple_id = ?1 AND member_id = ?2",
	[SQ_CARE_END] = "UPDATE members SET care_ended_at = ?3 WHERE couple_id = ?1 AND id = ?2 "
			"AND role = 'therapist' AND care_ended_at IS NULL",
	[SQ_ITEMS_CARE] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = ?1 "
			  "AND (shared_with & 2) != 0 ORDER BY rowid",
	[SQ_REHOME_ITEM] =
		"UPDATE items SET couple_id = ?4, author_id = ?5, sealed = ?6, legacy = 0 "
		"WHERE couple_id = ?1 AND kind = ?2 AND id = ?3",
	/* a row's version as it is now: a ledger entry newer than a row just
	 * read may be a change that landed in between (core/ledger.c) */
	[SQ_VERSION_ITEM] = "SELECT version FROM items WHERE couple_id = ?1 AND id = ?2",
	[SQ_VERSION_JOURNAL] =
		"SELECT version FROM journal_entries WHERE couple_id = ?1 AND id = ?2",
	[SQ_VERSION_STATEMENT] = "SELECT version FROM statements WHERE couple_id = ?1 AND id = ?2",
	[SQ_VERSION_CHECKIN] = "SELECT version FROM checkins WHERE couple_id = ?1 AND id = ?2",
	[SQ_VERSION_SAFETY] = "SELECT version FROM safety_checks WHERE couple_id = ?1 AND id = ?2",
	[SQ_REHOME_JOURNAL] = "UPDATE journal_entries SET couple_id = ?4, author_id = ?5, "
			      "body_sealed = ?6, prompt_sealed = ?7 "
			      "WHERE couple_id = ?1 AND ?2 = '' AND id = ?3",
	[SQ_REHOME_STATEMENT] = "UPDATE statements SET couple_id = ?4, author_id = ?5, "
				"parts_sealed = ?6 WHERE couple_id = ?1 AND ?2 = '' AND id = ?3",
	[SQ_REHOME_CHECKIN] = "UPDATE checkins SET couple_id = ?4, author_id = ?5, "
			      "content_sealed = ?6 WHERE couple_id = ?1 AND ?2 = '' AND id = ?3",
	/* ---- end of sign-in throttling ---- */

	/* ---- check-ins and the rhythm (migration 0003) ---- */
	[SQ_COUPLE_SET_RHYTHM] = "UPDATE couples SET rhythm = ?2 WHERE id = ?1",
	[SQ_CHECKIN_INSERT] = "INSERT INTO checkins (" CHECKIN_COLS ") "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQ_CHECKIN_GET] = "SELECT " CHECKIN_COLS " FROM checkins WHERE couple_id = ?1 AND id = ?2",
	[SQ_CHECKIN_UPDATE] =
		"UPDATE checkins SET shared_with = ?4, version = ?5, "
		"content_sealed = ?6, updated_at = ?7 "
		"WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3 AND version = ?8",
	[SQ_CHECKIN_EXISTS] = "SELECT 1 FROM checkins "
			      "WHERE couple_id = ?1 AND author_id = ?2 AND id = ?3",
	[SQ_CHECKIN_LIST] = "SELECT " CHECKIN_COLS " FROM checkins "
			    "WHERE couple_id = ?1 AND period BETWEEN ?2 AND ?3 "
			    "ORDER BY period DESC, created_at, id LIMIT ?4",
	[SQ_CHECKINS_CARE] = "SELECT " CHECKIN_COLS " FROM checkins "
			     "WHERE couple_id = ?1 AND (shared_with & 2) != 0 "
			     "ORDER BY period, author_id",
	/* ---- items (migration 0005) ---- */
	/* nothing is inserted unless the parent, if any, is the couple's */
	[SQ_ITEM_INSERT] =
		"INSERT INTO items (" ITEM_COLS ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15 WHERE ?4 = '' OR EXISTS (SELECT 1 FROM items "
		"WHERE couple_id = ?1 AND kind = ?4 AND id = ?5) OR (?4 = 'statement' AND "
		"EXISTS (SELECT 1 FROM statements WHERE couple_id = ?1 AND id = ?5))",
	[SQ_ITEM_GET] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = ?1 AND kind = ?2 "
			"AND id = ?3",
	[SQ_ITEM_LIST] = "SELECT " ITEM_COLS ITEM_WHERE "ORDER BY sort DESC, rowid DESC LIMIT ?6",
	/* the newest ?6, turned around so that they read oldest first */
	[SQ_ITEM_LIST_OLDEST] =
		"SELECT " ITEM_COLS " FROM (SELECT " ITEM_COLS ", rowid AS r " ITEM_WHERE
		"ORDER BY sort DESC, rowid DESC LIMIT ?6) "
		"ORDER BY sort, r",
	/* the answers (kind ?2) to the newest ?4 top-level items of kind ?3
	 * (those ?6 wrote or that are shared with ?7, when ?6 is given) */
	[SQ_ITEM_ANSWERS] = "SELECT " ITEM_COLS " FROM items WHERE couple_id = ?1 AND kind = ?2 "
			    "AND parent_kind = ?3 AND parent_id IN (SELECT id FROM items "
			    "WHERE couple_id = ?1 AND kind = ?3 AND parent_kind = '' "
			    "AND parent_id = '' AND (?6 IS NULL OR author_id = ?6 OR "
			    "(shared_with & ?7) <> 0) ORDER BY sort DESC, rowid DESC LIMIT ?4) "
			    "ORDER BY sort, rowid LIMIT ?5",
	[SQ_ITEM_UPDATE] = "UPDATE items SET shared_with = ?4, version = ?5, legacy = ?6, "
			   "sealed = ?7, plain = ?8, sort = ?9, updated_at = ?10 "
			   "WHERE couple_id = ?1 AND kind = ?2 AND id = ?3 AND version = ?11 "
			   "AND plain = ?12",
	[SQ_ITEM_EXISTS] = "SELECT 1 FROM items WHERE couple_id = ?1 AND kind = ?2 AND id = ?3",
	[SQ_ITEM_DELETE] = "DELETE FROM items WHERE couple_id = ?1 AND kind = ?2 AND id = ?3",
};

/*
 * One database file as this process sees it, shared by every handle opened
 * on it with store_sqlite_open() and then reopen(): the server's first
 * handle and one per worker thread.
 *
 * writer: one writer at a time inside the process.  A writer takes it
 * before BEGIN IMMEDIATE (or before an autocommit write) and gives it back
 * when the transaction has ended, so writers queue on a mutex instead of
 * polling SQLite's lock with sleeps (the busy handler), which gave a p99 of
 * about a second with 32 writers.  SQLite's own lock still keeps other
 * processes (kintsugi backup, a sqlite3 shell) out while we write.
 *
 * file, wal, shm: the inodes the handles have open, taken when the first
 * handle opened.  Each write first checks that the path still names them:
 * a database or log removed or replaced under the process is a fatal fault
 * (sq_files_moved()), since every later write would go where no restart
 * finds it.
 *
 * marks: the sessions' last-seen marks not yet written (marks.h,
 * sq_session_touch()).
 */
struct sq_shared {
	pthread_mutex_t writer;		  /* held from BEGIN to COMMIT/ROLLBACK */
	pthread_mutex_t sync_lock;	  /* guards the four below */
	pthread_cond_t synced_cond;	  /* a flush of the log ended */
	_Atomic uint64_t committed;	  /* commits so far (counted under writer) */
	uint64_t synced;		  /* every commit up to this one is on disk */
	bool syncing;			  /* a thread is flushing the log now */
	bool sync_failed;		  /* a flush failed: nothing more is acknowledged */
	atomic_int refs;		  /* handles on it; the last close frees it */
	atomic_int fatal;		  /* enum store_fault once the process must stop */
	char *path;			  /* the database file as opened */
	char *wal;			  /* path + "-wal" */
	char *shm;			  /* path + "-shm" */
	struct stat file, wal_sb, shm_sb; /* their inodes at open; st_ino 0: none */
	struct marks marks;		  /* last-seen marks held until written together */
};

struct sq {
	struct store base;		  /* must stay first: st points here */
	sqlite3 *db;			  /* one connection, used by one thread */
	struct sq_shared *sh;		  /* the file, its writer lock, its fault */
	bool writing;			  /* this handle holds sh->writer */
	bool dirty;			  /* it wrote since it took sh->writer */
	bool reading;			  /* in the read transaction of sq_read_begin() */
	bool unflushed;			  /* its autocommit write need not wait for the flush */
	bool opened;			  /* open and usable: its close writes the held marks */
	sqlite3_stmt *stmt[_SQ_STMT_MAX]; /* prepared on first use, NULL before */
};

/*
 * The storage fault the calling thread met last (enum store_fault), for the
 * answer to the request it is serving.  Thread-local because a handle is
 * used by one thread at a time and the server reads it in the same thread
 * right after the handler (fault op).
 */
static _Thread_local int sq_thread_fault;

static struct sq *to_sq(struct store *st)
{
	return (struct sq *)st;
}

static void set_reason(char *errbuf, size_t errlen, const char *reason)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, errlen, "%s", reason);
}

/* The storage fault an SQLite result code (extended) stands for, or NONE. */
static int sq_fault_of(int rc)
{
	switch (rc) {
	case SQLITE_IOERR_FSYNC:
	case SQLITE_IOERR_DIR_FSYNC:
		return STORE_FAULT_SYNC;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
		return STORE_FAULT_BUSY;
	case SQLITE_FULL:
		return STORE_FAULT_FULL;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return STORE_FAULT_READONLY;
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PROTOCOL:
		return STORE_FAULT_IO;
	default:
		return STORE_FAULT_NONE;
	}
}

/* Remember a fault for the thread's request; the graver of two stays. */
static void sq_fault_note(int fault)
{
	if (fault > sq_thread_fault)
		sq_thread_fault = fault;
}

/*
 * An SQLite result code (primary or extended) as a negative errno.  Every
 * failure of the backend passes through here, so this is also where the
 * thread notes a storage fault (sq_fault_note).
 */
static int sq_errno(int rc)
{
	sq_fault_note(sq_fault_of(rc));
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* The result code of a failed write: clashes and dangling references are expected outcomes. */
static int sq_write_errno(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return STORE_CONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return STORE_NOTFOUND;
	default:
		return sq_errno(rc);
	}
}

/* The cached statement id, prepared on first use; reset it with sq_done(). */
static int sq_prep(struct sq *sq, enum sq_stmt id, sqlite3_stmt **ret)
{
	int rc;

	if (!sq->stmt[id]) {
		rc = sqlite3_prepare_v3(sq->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&sq->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			sq->stmt[id] = NULL;
			return sq_errno(rc);
		}
	}
	*ret = sq->stmt[id];
	return 0;
}

/* Make s ready for its next use: no bound pointer to a caller's buffer survives. */
static void sq_done(sqlite3_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Whether the path names another inode than sb (st_ino 0: nothing to check). */
static bool sq_file_moved(const char *path, const struct stat *sb)
{
	struct stat now;

	if (sb->st_ino == 0)
		return false;
	if (stat(path, &now) < 0)
		return true;
	return now.st_dev != sb->st_dev || now.st_ino != sb->st_ino;
}

/* Whether the database, its log or its index is no longer what the handles have open. */
static bool sq_files_moved(const struct sq_shared *sh)
{
	return sq_file_moved(sh->path, &sh->file) || sq_file_moved(sh->wal, &sh->wal_sb) ||
	       sq_file_moved(sh->shm, &sh->shm_sb);
}

/* Whether SQLite's own descriptor of the database no longer matches the path. */
static bool sq_db_moved(struct sq *sq)
{
	int moved = 0;

	if (sqlite3_file_control(sq->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK)
		return false;
	return moved != 0;
}

/*
 * End the read transaction of sq_read_begin(), if one is open: a write
 * never runs inside it (it would be an upgrade from an old snapshot, and
 * its commit would wait for the request's end).  It wrote nothing, so its
 * COMMIT only drops the snapshot; should it fail, ROLLBACK does the same.
 */
static void sq_read_pause(struct sq *sq)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!sq->reading)
		return;
	sq->reading = false;
	if (sqlite3_get_autocommit(sq->db))
		return;
	if (sq_prep(sq, SQ_READ_END, &s) == 0) {
		rc = sqlite3_step(s);
		sq_done(s);
		if (rc == SQLITE_DONE)
			return;
	}
	(void)sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Take the process's writer lock before a write transaction (see struct
 * sq_shared).  Refuses (-EIO, fault noted) once the process met a fatal
 * fault, or when the files moved: nothing is written then, so nothing can
 * be acknowledged that a restart would not find.
 */
static int sq_writer_enter(struct sq *sq)
{
	struct sq_shared *sh = sq->sh;
	int fatal;

	if (sq->writing)
		return 0;
	sq_read_pause(sq);
	pthread_mutex_lock(&sh->writer);
	fatal = atomic_load(&sh->fatal);
	if (fatal == STORE_FAULT_NONE && (sq_files_moved(sh) || sq_db_moved(sq))) {
		fatal = STORE_FAULT_MOVED;
		atomic_store(&sh->fatal, fatal);
	}
	if (fatal != STORE_FAULT_NONE) {
		pthread_mutex_unlock(&sh->writer);
		sq_fault_note(fatal);
		return -EIO;
	}
	sq->writing = true;
	return 0;
}

/*
 * SQLite reports a write refused by a read-only file system, or by a full
 * disk on some paths, as a plain I/O error (SQLITE_IOERR_WRITE and kin).
 * The errno behind it says which it was, so that the operator's log line
 * names the right fault: SQLite keeps the last errno of each file (the
 * write-ahead log's, then the database's: SQLITE_FCNTL_LAST_ERRNO), and
 * sqlite3_system_errno() has it for some paths only.
 */
static int sq_file_errno(sqlite3 *db, int op)
{
	sqlite3_file *f = NULL;
	int e = 0;

	if (op == SQLITE_FCNTL_JOURNAL_POINTER) {
		if (sqlite3_file_control(db, "main", op, &f) != SQLITE_OK || !f || !f->pMethods)
			return 0;
		if (f->pMethods->xFileControl(f, SQLITE_FCNTL_LAST_ERRNO, &e) != SQLITE_OK)
			return 0;
		return e;
	}
	return sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e) == SQLITE_OK ? e : 0;
}

static void sq_fault_refine(struct sq *sq)
{
	int e;

	if (sq_thread_fault != STORE_FAULT_IO)
		return;
	e = sq_file_errno(sq->db, SQLITE_FCNTL_JOURNAL_POINTER);
	if (!e)
		e = sq_file_errno(sq->db, SQLITE_FCNTL_LAST_ERRNO);
	if (!e)
		e = sqlite3_system_errno(sq->db);
	switch (e) {
	case EROFS:
	case EACCES:
	case EPERM:
		sq_thread_fault = STORE_FAULT_READONLY;
		break;
	case ENOSPC:
	case EDQUOT:
		sq_thread_fault = STORE_FAULT_FULL;
		break;
	default:
		break;
	}
}

/* Flush the write-ahead log this connection has open (fdatasync); 0 or -EIO. */
static int sq_sync_log(struct sq *sq)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(sq->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		return -EIO;
	return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -EIO;
}

/*
 * Group commit.  The connections run with synchronous=NORMAL: a COMMIT
 * writes the transaction's frames into the log without flushing it, and
 * returns.  Before the transaction is acknowledged, its writer waits here
 * until the log is on disk up to its commit (number mine).  The first
 * waiter flushes the log once for every commit made so far; the others
 * wait for that flush, or for the next one when theirs came after it
 * began.  32 writers then share a few flushes instead of queueing for 32,
 * and an acknowledged commit is still on disk (the checkpoint flushes the
 * log before copying it and the database after, so a log restart never
 * overwrites what was not yet in the database).
 */
static int sq_sync_to(struct sq *sq, uint64_t mine)
{
	struct sq_shared *sh = sq->sh;
	uint64_t target;
	int r = 0;

	pthread_mutex_lock(&sh->sync_lock);
	while (sh->synced < mine && !sh->sync_failed) {
		if (sh->syncing) {
			pthread_cond_wait(&sh->synced_cond, &sh->sync_lock);
			continue;
		}
		sh->syncing = true;
		/* every commit counted so far has written its frames */
		pthread_mutex_unlock(&sh->sync_lock);
		target = atomic_load(&sh->committed);
		r = sq_sync_log(sq);
		pthread_mutex_lock(&sh->sync_lock);
		sh->syncing = false;
		if (r == 0 && target > sh->synced)
			sh->synced = target;
		if (r < 0)
			sh->sync_failed = true;
		pthread_cond_broadcast(&sh->synced_cond);
	}
	if (sh->sync_failed && sh->synced < mine)
		r = -EIO;
	pthread_mutex_unlock(&sh->sync_lock);
	if (r < 0) {
		/* see sq_writer_leave(): after a failed flush nothing is acknowledged */
		sq_fault_note(STORE_FAULT_SYNC);
		atomic_store(&sh->fatal, STORE_FAULT_SYNC);
	}
	return r;
}

/*
 * Give the writer lock back once the connection is out of its transaction
 * (a failed COMMIT leaves it open until the caller's ROLLBACK), then wait
 * until what it committed is on disk (sq_sync_to()).  Returns 0, or -EIO
 * when that flush failed.  A failed flush to disk is fatal for the whole
 * process before the next writer gets in: after a failed fsync the kernel
 * may have dropped the dirty pages and a later fsync can succeed without
 * them, so no later commit may be acknowledged (the PostgreSQL
 * "fsyncgate" lesson).
 */
static int sq_writer_leave(struct sq *sq)
{
	struct sq_shared *sh = sq->sh;
	uint64_t mine = 0;

	if (!sq->writing || !sqlite3_get_autocommit(sq->db))
		return 0;
	if (sq_thread_fault >= STORE_FAULT_SYNC)
		atomic_store(&sh->fatal, sq_thread_fault);
	if (sq->dirty)
		mine = atomic_fetch_add(&sh->committed, 1) + 1;
	sq->dirty = false;
	sq->writing = false;
	pthread_mutex_unlock(&sh->writer);
	/* unflushed (a session's last-seen mark): the next flush takes it along */
	return mine && !sq->unflushed ? sq_sync_to(sq, mine) : 0;
}

/* Run a statement without parameters or rows (transaction control). */
static int sq_exec(struct sq *sq, enum sq_stmt id)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = sq_prep(sq, id, &s);
	if (r < 0)
		return r;
	if (id == SQ_BEGIN) {
		r = sq_writer_enter(sq);
		if (r < 0)
			return r;
	}
	rc = sqlite3_step(s);
	r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_errno(rc);
	if (r < 0)
		sq_fault_refine(sq);
	sq_done(s);
	if (id == SQ_ROLLBACK)
		sq->dirty = false; /* nothing of it to wait for */
	else if (id == SQ_COMMIT && r == 0)
		sq->dirty = true; /* whatever the transaction wrote, by any statement */
	if (id == SQ_BEGIN || id == SQ_COMMIT || id == SQ_ROLLBACK) {
		int e = sq_writer_leave(sq);

		if (r == 0)
			r = e;
	}
	return r;
}

/*
 * Step a write; 0, STORE_CONFLICT, STORE_NOTFOUND or < 0.  When changes is not
 * NULL it receives the number of rows the statement itself changed.
 */
static int sq_write(struct sq *sq, sqlite3_stmt *s, int *changes)
{
	int r, rc, e;

	/* outside a transaction the statement is one: it takes the writer lock too */
	r = sq_writer_enter(sq);
	if (r < 0)
		return r;
	rc = sqlite3_step(s);
	r = rc == SQLITE_DONE ? 0 : sq_write_errno(rc);
	if (r < 0)
		sq_fault_refine(sq);
	if (r == 0) {
		int n = sqlite3_changes(sq->db);

		/* a statement that changed nothing has nothing to flush */
		if (n > 0)
			sq->dirty = true;
		if (changes)
			*changes = n;
	}
	e = sq_writer_leave(sq);
	return r == 0 ? e : r;
}

/* Step a read of at most one row: 0 with a row, STORE_NOTFOUND without, or < 0. */
static int sq_read(sqlite3_stmt *s)
{
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return sq_errno(rc);
}

/*
 * Transactions inside one operation.  Outside a caller's begin, take the
 * write lock at once (BEGIN IMMEDIATE, so the busy timeout applies); inside
 * one, use a savepoint so the caller's transaction stays whole.
 */
static int sq_tx_enter(struct sq *sq, bool *nested)
{
	sq_read_pause(sq);
	*nested = !sqlite3_get_autocommit(sq->db);
	return sq_exec(sq, *nested ? SQ_SAVEPOINT : SQ_BEGIN);
}

/* Commit when r is 0, else roll back; returns r, or the commit's error. */
static int sq_tx_leave(struct sq *sq, bool nested, int r)
{
	if (r == 0) {
		r = sq_exec(sq, nested ? SQ_RELEASE : SQ_COMMIT);
		if (r == 0)
			return 0;
	}
	/* errors ignored: SQLite may already have rolled back on its own */
	if (nested) {
		sq_exec(sq, SQ_ROLLBACK_TO);
		sq_exec(sq, SQ_RELEASE);
	} else if (!sqlite3_get_autocommit(sq->db)) {
		sq_exec(sq, SQ_ROLLBACK);
	}
	return r;
}

/*
 * Binding with a sticky error: each bind_* call does nothing once one failed,
 * so an operation binds all its parameters and checks b.r once.  Pointers are
 * bound SQLITE_STATIC: they must live until sq_done(), which every operation
 * calls before returning.
 */
struct binder {
	sqlite3_stmt *s; /* the statement being bound */
	int r;		 /* 0, or the first error */
};

static void bind_rc(struct binder *b, int rc)
{
	if (rc != SQLITE_OK && b->r == 0)
		b->r = sq_errno(rc);
}

/* A required string argument: NULL is a caller error. */
static void bind_text(struct binder *b, int i, const char *v)
{
	if (b->r)
		return;
	if (!v) {
		b->r = -EINVAL;
		return;
	}
	bind_rc(b, sqlite3_bind_text(b->s, i, v, -1, SQLITE_STATIC));
}

/* An optional string argument: NULL binds SQL NULL. */
static void bind_text_or_null(struct binder *b, int i, const char *v)
{
	if (b->r)
		return;
	if (!v)
		bind_rc(b, sqlite3_bind_null(b->s, i));
	else
		bind_rc(b, sqlite3_bind_text(b->s, i, v, -1, SQLITE_STATIC));
}

/* A fixed-size char array of a row struct: it must hold its terminating NUL. */
static void bind_field(struct binder *b, int i, const char *v, size_t cap)
{
	size_t n;

	if (b->r)
		return;
	n = strnlen(v, cap);
	if (n == cap) {
		b->r = -EINVAL;
		return;
	}
	bind_rc(b, sqlite3_bind_text(b->s, i, v, (int)n, SQLITE_STATIC));
}

#define BIND_FIELD(b, i, field) bind_field((b), (i), (field), sizeof(field))

/*
 * A blob.  An empty one binds an empty BLOB (binding a NULL pointer would
 * bind SQL NULL), or SQL NULL when null_if_empty is set (an absent prompt).
 */
static void bind_blob(struct binder *b, int i, const unsigned char *data, size_t len,
		      bool null_if_empty)
{
	if (b->r)
		return;
	if (len == 0) {
		if (null_if_empty)
			bind_rc(b, sqlite3_bind_null(b->s, i));
		else
			bind_rc(b, sqlite3_bind_zeroblob(b->s, i, 0));
		return;
	}
	if (!data) {
		b->r = -EINVAL;
		return;
	}
	bind_rc(b, sqlite3_bind_blob64(b->s, i, data, len, SQLITE_STATIC));
}

static void bind_i64(struct binder *b, int i, int64_t v)
{
	if (b->r)
		return;
	bind_rc(b, sqlite3_bind_int64(b->s, i, v));
}

/*
 * Reading columns, with the same sticky error.  A text longer than its
 * destination means the file was not written by this store: -EIO rather
 * than a silently cut value.
 */
struct reader {
	sqlite3_stmt *s; /* positioned on a row */
	int r;		 /* 0, or the first error */
	int peek;	 /* blobs point into SQLite's memory (valid until the next step) */
};

/*
 * A NULL reads as "".  sqlite3_column_text() gives NULL for a NULL value or
 * when memory runs out, so the type is asked only then (three calls per
 * column were a few percent of a journal page).
 */
static void read_text(struct reader *rd, int col, char *dst, size_t cap)
{
	const unsigned char *t;
	size_t n;

	if (rd->r)
		return;
	t = sqlite3_column_text(rd->s, col);
	if (!t) {
		if (sqlite3_column_type(rd->s, col) == SQLITE_NULL)
			dst[0] = '\0';
		else
			rd->r = -ENOMEM;
		return;
	}
	n = (size_t)sqlite3_column_bytes(rd->s, col);
	if (n >= cap) {
		rd->r = -EIO;
		return;
	}
	memcpy(dst, t, n);
	dst[n] = '\0';
}

#define READ_FIELD(rd, col, field) read_text((rd), (col), (field), sizeof(field))

/* Copies the blob into malloc'd memory; NULL and empty both read as {NULL, 0}. */
static void read_blob(struct reader *rd, int col, struct blob *dst)
{
	const void *p;
	int n;

	dst->data = NULL;
	dst->len = 0;
	if (rd->r)
		return;
	p = sqlite3_column_blob(rd->s, col);
	n = sqlite3_column_bytes(rd->s, col);
	if (n <= 0)
		return;
	if (!p) {
		rd->r = -ENOMEM;
		return;
	}
	if (rd->peek) {
		dst->data = (unsigned char *)(uintptr_t)p;
		dst->len = (size_t)n;
		return;
	}
	dst->data = malloc((size_t)n);
	if (!dst->data) {
		rd->r = -ENOMEM;
		return;
	}
	memcpy(dst->data, p, (size_t)n);
	dst->len = (size_t)n;
}

/* Column order: MEMBER_COLS.  On failure m holds no memory. */
static int read_member(sqlite3_stmt *s, struct member_row *m)
{
	struct reader rd = {s, 0, 0};

	memset(m, 0, sizeof(*m));
	READ_FIELD(&rd, 0, m->id);
	READ_FIELD(&rd, 1, m->couple_id);
	READ_FIELD(&rd, 2, m->login);
	READ_FIELD(&rd, 3, m->role);
	READ_FIELD(&rd, 4, m->display_name);
	READ_FIELD(&rd, 5, m->language);
	READ_FIELD(&rd, 6, m->pw_hash);
	read_blob(&rd, 7, &m->kek_salt);
	read_blob(&rd, 8, &m->mk_by_pw);
	read_blob(&rd, 9, &m->rk_salt);
	read_blob(&rd, 10, &m->mk_by_rk);
	read_blob(&rd, 11, &m->public_key);
	read_blob(&rd, 12, &m->secret_key_sealed);
	READ_FIELD(&rd, 13, m->created_at);
	READ_FIELD(&rd, 14, m->kdf);
	if (rd.r)
		store_member_free(m);
	return rd.r;
}

/* Column order: INVITE_COLS.  On failure inv holds no memory. */
static int read_invite(sqlite3_stmt *s, struct invite_row *inv)
{
	struct reader rd = {s, 0, 0};

	memset(inv, 0, sizeof(*inv));
	READ_FIELD(&rd, 0, inv->id);
	READ_FIELD(&rd, 1, inv->couple_id);
	READ_FIELD(&rd, 2, inv->role);
	read_blob(&rd, 3, &inv->secret_hash);
	read_blob(&rd, 4, &inv->ck_wrapped);
	READ_FIELD(&rd, 5, inv->created_at);
	READ_FIELD(&rd, 6, inv->expires_at);
	inv->used = sqlite3_column_int(s, 7) != 0;
	if (rd.r)
		store_invite_free(inv);
	return rd.r;
}

/* Column order: SESSION_COLS, locked.  On failure ses holds no memory. */
static int read_session(sqlite3_stmt *s, struct session_row *ses)
{
	struct reader rd = {s, 0, 0};

	memset(ses, 0, sizeof(*ses));
	READ_FIELD(&rd, 0, ses->id);
	READ_FIELD(&rd, 1, ses->member_id);
	READ_FIELD(&rd, 2, ses->couple_id);
	read_blob(&rd, 3, &ses->secret_hash);
	read_blob(&rd, 4, &ses->keys_sealed);
	READ_FIELD(&rd, 5, ses->created_at);
	READ_FIELD(&rd, 6, ses->last_seen_at);
	READ_FIELD(&rd, 7, ses->expires_at);
	READ_FIELD(&rd, 8, ses->browser);
	/* the session's own query reads whether it is locked (0013) and its rekey mark (0014) */
	ses->locked = sqlite3_column_count(s) > 9 && sqlite3_column_int(s, 9) != 0;
	ses->rekey = sqlite3_column_count(s) > 10 && sqlite3_column_int(s, 10) != 0;
	if (rd.r)
		store_session_free(ses);
	return rd.r;
}

/* The columns of an entry from version on, which start at col. */
static void read_journal_from_version(struct reader *rd, struct journal_row *e, int col)
{
	e->version = sqlite3_column_int64(rd->s, col);
	read_blob(rd, col + 1, &e->body_sealed);
	read_blob(rd, col + 2, &e->prompt_sealed);
	READ_FIELD(rd, col + 3, e->created_at);
	READ_FIELD(rd, col + 4, e->updated_at);
}

/* Column order: JOURNAL_COLS.  On failure e holds no memory. */
static int read_journal(sqlite3_stmt *s, struct journal_row *e, int peek)
{
	struct reader rd = {s, 0, peek};

	memset(e, 0, sizeof(*e));
	READ_FIELD(&rd, 0, e->id);
	READ_FIELD(&rd, 1, e->couple_id);
	READ_FIELD(&rd, 2, e->author_id);
	read_journal_from_version(&rd, e, 3);
	if (rd.r && !peek)
		store_journal_free(e);
	return rd.r;
}

/*
 * Column order: JOURNAL_PAGE_COLS, into e whose couple_id and author_id the
 * caller set: a page's query finds only rows with those two values (its
 * WHERE), so reading them back from every row, two more columns for SQLite
 * to decode and two more texts to copy, told nothing.  Core's check of them
 * (access_allows()) still runs; what actually keeps another couple's or
 * another author's row from opening is the cryptography: the key comes from
 * the reader's own master key and the associated data names the couple.
 * On failure e holds no memory of its own.
 */
static int read_journal_page(sqlite3_stmt *s, struct journal_row *e, int peek)
{
	struct reader rd = {s, 0, peek};

	READ_FIELD(&rd, 0, e->id);
	read_journal_from_version(&rd, e, 1);
	if (rd.r && !peek)
		store_journal_free(e);
	return rd.r;
}

/*
 * Bind the text arguments of a statement (a2, a3: NULL leaves them unbound,
 * so NULL) and write it; 0, STORE_*, or < 0.
 */
static int sq_write_texts(struct sq *sq, enum sq_stmt id, const char *a, const char *a2,
			  const char *a3, int *changes)
{
	struct binder b = {NULL, 0};
	int r;

	r = sq_prep(sq, id, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, a);
	if (a2)
		bind_text(&b, 2, a2);
	if (a3)
		bind_text(&b, 3, a3);
	r = b.r ? b.r : sq_write(sq, b.s, changes);
	sq_done(b.s);
	return r;
}

static int sq_write_ids(struct sq *sq, enum sq_stmt id, const char *a, const char *b2, int *changes)
{
	return sq_write_texts(sq, id, a, b2, NULL, changes);
}

/* Whether the one-row query id finds a row for its text arguments: 0, STORE_NOTFOUND, < 0. */
static int sq_exists(struct sq *sq, enum sq_stmt id, const char *a, const char *a2, const char *a3)
{
	struct binder b = {NULL, 0};
	int r;

	r = sq_prep(sq, id, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, a);
	if (a2)
		bind_text(&b, 2, a2);
	if (a3)
		bind_text(&b, 3, a3);
	r = b.r ? b.r : sq_read(b.s);
	sq_done(b.s);
	return r;
}

/* ---- last-seen marks, written together (marks.h) ------------------------ */

/* Write marks inside the caller's transaction; a session gone since changes nothing. */
static int sq_marks_write(struct sq *sq, const struct mark *k, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		r = sq_write_texts(sq, SQ_SESSION_TOUCH, k[i].id, k[i].at, k[i].couple_id, NULL);
	return r;
}

/*
 * Write the held marks in one transaction, which does not wait for the
 * group commit's flush (sq_session_touch() says why).  Nothing to do when
 * none are held or another thread is writing them.  Marks whose write
 * failed are dropped: those sessions look idle for longer than they were.
 */
static int sq_marks_flush(struct sq *sq)
{
	struct mark *k = NULL;
	size_t n = 0;
	bool nested;
	int r;

	if (sq->writing)
		return 0; /* never inside a caller's transaction: its rollback would take them */
	r = marks_take(&sq->sh->marks, &k, &n);
	if (r < 0 || n == 0)
		return r;
	r = sq_tx_enter(sq, &nested);
	if (r == 0) {
		r = sq_marks_write(sq, k, n);
		sq->unflushed = true;
		r = sq_tx_leave(sq, nested, r);
		sq->unflushed = false;
	}
	marks_done(&sq->sh->marks);
	free(k);
	return r;
}

/* ---- transactions and backup ------------------------------------------- */

static void sq_shared_unref(struct sq_shared *sh)
{
	if (!sh || atomic_fetch_sub(&sh->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&sh->writer);
	pthread_mutex_destroy(&sh->sync_lock);
	pthread_cond_destroy(&sh->synced_cond);
	marks_destroy(&sh->marks);
	free(sh->path);
	free(sh->wal);
	free(sh->shm);
	free(sh);
}

/* A path with a suffix, malloc'd; NULL when out of memory. */
static char *path_with(const char *path, const char *suffix)
{
	size_t len = strlen(path) + strlen(suffix) + 1;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s%s", path, suffix);
	return p;
}

static struct sq_shared *sq_shared_new(const char *path)
{
	struct sq_shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	atomic_init(&sh->refs, 1);
	atomic_init(&sh->fatal, STORE_FAULT_NONE);
	sh->path = strdup(path);
	sh->wal = path_with(path, "-wal");
	sh->shm = path_with(path, "-shm");
	if (!sh->path || !sh->wal || !sh->shm || pthread_mutex_init(&sh->writer, NULL) != 0)
		goto fail;
	if (pthread_mutex_init(&sh->sync_lock, NULL) != 0)
		goto fail_writer;
	if (pthread_cond_init(&sh->synced_cond, NULL) != 0)
		goto fail_sync;
	if (marks_init(&sh->marks, MARKS_AGE_MS) != 0)
		goto fail_cond;
	return sh;
fail_cond:
	pthread_cond_destroy(&sh->synced_cond);
fail_sync:
	pthread_mutex_destroy(&sh->sync_lock);
fail_writer:
	pthread_mutex_destroy(&sh->writer);
fail:
	free(sh->path);
	free(sh->wal);
	free(sh->shm);
	free(sh);
	return NULL;
}

/*
 * Note the inodes the connection has open, once it has read the file in WAL
 * mode (so the -wal and -shm exist).  A database file swapped in between the
 * open and this call is still caught: each writer also asks SQLite whether
 * its own descriptor's file has moved (sq_writer_enter()).
 */
static void sq_shared_note_files(struct sq_shared *sh)
{
	if (stat(sh->path, &sh->file) < 0)
		memset(&sh->file, 0, sizeof(sh->file));
	if (stat(sh->wal, &sh->wal_sb) < 0)
		memset(&sh->wal_sb, 0, sizeof(sh->wal_sb));
	if (stat(sh->shm, &sh->shm_sb) < 0)
		memset(&sh->shm_sb, 0, sizeof(sh->shm_sb));
}

static void sq_close(struct store *st)
{
	struct sq *sq = to_sq(st);

	/* the held marks go before the last handle closes (each close writes them) */
	if (sq->opened)
		(void)sq_marks_flush(sq);
	for (size_t i = 0; i < _SQ_STMT_MAX; i++)
		sqlite3_finalize(sq->stmt[i]);
	/* closing ends any transaction left open; the lock goes with it */
	if (sq->writing)
		pthread_mutex_unlock(&sq->sh->writer);
	/* the last connection of every process to close checkpoints and removes the -wal file */
	sqlite3_close(sq->db);
	sq_shared_unref(sq->sh);
	free(sq);
}

/* BEGIN IMMEDIATE: the write lock now, so later statements cannot hit a busy upgrade. */
static int sq_begin(struct store *st)
{
	struct sq *sq = to_sq(st);

	sq_read_pause(sq);
	if (!sqlite3_get_autocommit(sq->db))
		return -EINVAL;
	return sq_exec(sq, SQ_BEGIN);
}

/*
 * One read transaction for the reads of a request: one snapshot, and the
 * WAL read lock taken once instead of at every statement.  Outside any
 * transaction only; the first write ends it (sq_read_pause()).  A failed
 * BEGIN leaves the reads in autocommit, as they were.
 */
static int sq_read_begin(struct store *st)
{
	struct sq *sq = to_sq(st);
	sqlite3_stmt *s = NULL;
	int r, rc;

	if (sq->reading || !sqlite3_get_autocommit(sq->db))
		return 0;
	r = sq_prep(sq, SQ_READ_BEGIN, &s);
	if (r < 0)
		return r;
	rc = sqlite3_step(s);
	sq_done(s);
	if (rc != SQLITE_DONE)
		return sq_errno(rc);
	sq->reading = true;
	return 0;
}

static void sq_read_end(struct store *st)
{
	sq_read_pause(to_sq(st));
}

/* On failure the transaction stays open: the caller rolls back. */
static int sq_commit(struct store *st)
{
	struct sq *sq = to_sq(st);

	if (sqlite3_get_autocommit(sq->db))
		return -EINVAL;
	return sq_exec(sq, SQ_COMMIT);
}

/* Rolling back when SQLite already did (after a disk-full error, say) succeeds. */
static int sq_rollback(struct store *st)
{
	struct sq *sq = to_sq(st);

	if (sqlite3_get_autocommit(sq->db))
		return 0;
	return sq_exec(sq, SQ_ROLLBACK);
}

static int errno_to_store(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
	case EROFS:
		return -EACCES;
	case ENOENT:
	case ENOTDIR:
		return -ENOENT;
	case EEXIST:
		return -EEXIST;
	case ENOMEM:
		return -ENOMEM;
	case ENOSPC:
	case EDQUOT:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

/*
 * Copy the database into dest_path, a new file made with mode 0600, with the
 * online backup API: a consistent snapshot while other handles keep writing.
 * Returns -EEXIST when dest_path exists; a failed backup leaves no file.
 */
static int sq_backup(struct store *st, const char *dest_path)
{
	struct sq *sq = to_sq(st);
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	int fd, r, rc;

	if (!dest_path || !*dest_path)
		return -EINVAL;
	/* raw-fd: a new backup file (O_EXCL: never an existing file, so never the database) */
	fd = open(dest_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
		  SQ_FILE_MODE);
	if (fd < 0)
		return errno_to_store(errno);
	close(fd); /* raw-fd: the same file */

	rc = sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = sq_errno(rc);
		goto out;
	}
	bk = sqlite3_backup_init(dst, "main", sq->db, "main");
	if (!bk) {
		r = sq_errno(sqlite3_errcode(dst));
		goto out;
	}
	rc = sqlite3_backup_step(bk, -1);
	r = rc == SQLITE_DONE ? 0 : sq_errno(rc);
	rc = sqlite3_backup_finish(bk);
	if (r == 0 && rc != SQLITE_OK)
		r = sq_errno(rc);
out:
	rc = sqlite3_close(dst);
	if (r == 0 && rc != SQLITE_OK)
		r = sq_errno(rc);
	if (r < 0)
		unlink(dest_path);
	return r;
}

/*
 * sq_check() - PRAGMA integrity_check over the whole file.  Not prepared in
 * the cache: it runs once, from `kintsugi check` and the durability test.
 */
static int sq_check(struct store *st)
{
	struct sq *sq = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	int rc, r;

	rc = sqlite3_prepare_v2(sq->db, "PRAGMA integrity_check", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return sq_errno(rc);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		r = sq_errno(rc);
		goto out;
	}
	text = sqlite3_column_text(stmt, 0);
	r = text && strcmp((const char *)text, "ok") == 0 ? 0 : STORE_CONFLICT;
out:
	sqlite3_finalize(stmt);
	return r;
}

static int sq_scrub(struct store *st)
{
	struct sq *sq = to_sq(st);
	int rc;

	if (!sqlite3_get_autocommit(sq->db))
		return -EINVAL;
	rc = sqlite3_wal_checkpoint_v2(sq->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_errno(rc);
}

/* ---- couples ------------------------------------------------------------ */

static int sq_couple_insert(struct store *st, const struct couple_row *c)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!c)
		return -EINVAL;
	r = sq_prep(sq, SQ_COUPLE_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, c->id);
	BIND_FIELD(&b, 2, c->created_at);
	BIND_FIELD(&b, 3, c->rhythm);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_couple_get(struct store *st, const char *couple_id, struct couple_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct couple_row row = {0};
	struct reader rd;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_COUPLE_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r != 0)
		goto out;
	rd = (struct reader){b.s, 0, 0};
	READ_FIELD(&rd, 0, row.id);
	READ_FIELD(&rd, 1, row.created_at);
	READ_FIELD(&rd, 2, row.rhythm);
	r = rd.r;
	if (r == 0)
		*ret = row;
out:
	sq_done(b.s);
	return r;
}

/* Oldest first; a couple without members gives n = 0 and a NULL list. */
static int sq_couple_members(struct store *st, const char *couple_id,
			     struct member_brief **ret_list, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct member_brief *list = NULL, *grown;
	size_t n = 0, cap = 0;
	struct reader rd;
	int r, rc = SQLITE_DONE;

	if (!ret_list || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_COUPLE_MEMBERS, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	r = b.r;
	while (r == 0 && (rc = sqlite3_step(b.s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			grown = reallocarray(list, cap, sizeof(*list));
			if (!grown) {
				r = -ENOMEM;
				break;
			}
			list = grown;
		}
		rd = (struct reader){b.s, 0, 0};
		READ_FIELD(&rd, 0, list[n].id);
		READ_FIELD(&rd, 1, list[n].role);
		READ_FIELD(&rd, 2, list[n].display_name);
		list[n].left = sqlite3_column_int(b.s, 3) != 0;
		READ_FIELD(&rd, 4, list[n].since);
		list[n].care_ended = sqlite3_column_int(b.s, 5) != 0;
		r = rd.r;
		if (r == 0)
			n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_errno(rc);
	sq_done(b.s);
	if (r == 0 && n == 0)
		r = sq_exists(sq, SQ_COUPLE_EXISTS, couple_id, NULL, NULL);
	if (r != 0) {
		free(list);
		return r;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

/* Foreign keys cascade to members, and through them to keys, sessions, entries. */
static int sq_couple_delete(struct store *st, const char *couple_id)
{
	int changes = 0, r;

	r = sq_write_ids(to_sq(st), SQ_COUPLE_DELETE, couple_id, NULL, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- members ------------------------------------------------------------ */

static int sq_member_insert(struct store *st, const struct member_row *m)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!m)
		return -EINVAL;
	r = sq_prep(sq, SQ_MEMBER_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, m->id);
	BIND_FIELD(&b, 2, m->couple_id);
	BIND_FIELD(&b, 3, m->login);
	BIND_FIELD(&b, 4, m->role);
	BIND_FIELD(&b, 5, m->display_name);
	BIND_FIELD(&b, 6, m->language);
	BIND_FIELD(&b, 7, m->pw_hash);
	bind_blob(&b, 8, m->kek_salt.data, m->kek_salt.len, false);
	bind_blob(&b, 9, m->mk_by_pw.data, m->mk_by_pw.len, false);
	bind_blob(&b, 10, m->rk_salt.data, m->rk_salt.len, false);
	bind_blob(&b, 11, m->mk_by_rk.data, m->mk_by_rk.len, false);
	bind_blob(&b, 12, m->public_key.data, m->public_key.len, false);
	bind_blob(&b, 13, m->secret_key_sealed.data, m->secret_key_sealed.len, false);
	BIND_FIELD(&b, 14, m->created_at);
	BIND_FIELD(&b, 15, m->kdf);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

/*
 * Runs the cached statement id with key bound as ?1 (and key2, when not
 * NULL, as ?2), up to its first row: 0 with *ret on that row (the caller
 * reads it, then sq_done()), or STORE_NOTFOUND or < 0 with the statement
 * reset already.
 */
static int sq_row_by_keys(struct sq *sq, enum sq_stmt id, const char *key, const char *key2,
			  sqlite3_stmt **ret)
{
	struct binder b = {NULL, 0};
	int r;

	r = sq_prep(sq, id, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, key);
	if (key2)
		bind_text(&b, 2, key2);
	r = b.r ? b.r : sq_read(b.s);
	if (r != 0) {
		sq_done(b.s);
		return r;
	}
	*ret = b.s;
	return 0;
}

static int sq_row_by_key(struct sq *sq, enum sq_stmt id, const char *key, sqlite3_stmt **ret)
{
	return sq_row_by_keys(sq, id, key, NULL, ret);
}

static int member_get_by(struct sq *sq, enum sq_stmt id, const char *key, struct member_row *ret)
{
	sqlite3_stmt *s = NULL;
	struct member_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_row_by_key(sq, id, key, &s);
	if (r != 0)
		return r;
	r = read_member(s, &row);
	if (r == 0)
		*ret = row;
	sq_done(s);
	return r;
}

static int sq_member_get(struct store *st, const char *couple_id, const char *member_id,
			 struct member_row *ret)
{
	sqlite3_stmt *s = NULL;
	struct member_row row;
	int r;

	if (!ret || !couple_id)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_MEMBER_GET, member_id, couple_id, &s);
	if (r != 0)
		return r;
	r = read_member(s, &row);
	if (r == 0)
		*ret = row;
	sq_done(s);
	return r;
}

static int sq_member_get_by_login(struct store *st, const char *login, struct member_row *ret)
{
	return member_get_by(to_sq(st), SQ_MEMBER_GET_BY_LOGIN, login, ret);
}

/* Hot path (every signed-in request): two short texts, no blob copied. */
static int sq_member_standing(struct store *st, const char *couple_id, const char *member_id,
			      struct member_standing *ret)
{
	sqlite3_stmt *s = NULL;
	struct member_standing row;
	struct reader rd;
	int r;

	if (!ret || !couple_id)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_MEMBER_STANDING, member_id, couple_id, &s);
	if (r != 0)
		return r;
	rd = (struct reader){s, 0, 0};
	READ_FIELD(&rd, 0, row.role);
	READ_FIELD(&rd, 1, row.language);
	row.discreet = sqlite3_column_int(s, 2) != 0;
	row.autolock_minutes = sqlite3_column_int(s, 3);
	row.care_ended = sqlite3_column_int(s, 4) != 0;
	if (rd.r == 0)
		*ret = row;
	sq_done(s);
	return rd.r;
}

static int sq_member_set_password(struct store *st, const struct member_row *m)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!m)
		return -EINVAL;
	r = sq_prep(sq, SQ_MEMBER_SET_PASSWORD, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, m->id);
	BIND_FIELD(&b, 2, m->pw_hash);
	bind_blob(&b, 3, m->kek_salt.data, m->kek_salt.len, false);
	bind_blob(&b, 4, m->mk_by_pw.data, m->mk_by_pw.len, false);
	BIND_FIELD(&b, 5, m->kdf);
	BIND_FIELD(&b, 6, m->couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_member_set_recovery(struct store *st, const struct member_row *m)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!m)
		return -EINVAL;
	r = sq_prep(sq, SQ_MEMBER_SET_RECOVERY, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, m->id);
	bind_blob(&b, 2, m->rk_salt.data, m->rk_salt.len, false);
	bind_blob(&b, 3, m->mk_by_rk.data, m->mk_by_rk.len, false);
	BIND_FIELD(&b, 4, m->couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_member_set_secret_key(struct store *st, const struct member_row *m)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!m)
		return -EINVAL;
	r = sq_prep(sq, SQ_MEMBER_SET_SECRET_KEY, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, m->id);
	bind_blob(&b, 2, m->secret_key_sealed.data, m->secret_key_sealed.len, false);
	BIND_FIELD(&b, 3, m->couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_member_set_language(struct store *st, const char *couple_id, const char *member_id,
				  const char *lang)
{
	int changes = 0, r;

	if (!lang || !couple_id)
		return -EINVAL;
	r = sq_write_texts(to_sq(st), SQ_MEMBER_SET_LANGUAGE, member_id, lang, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* Only what the caller gives changes: NULL or < 0 binds NULL, which keeps the column. */
static int sq_member_set_profile(struct store *st, const char *couple_id, const char *member_id,
				 const char *display_name, int discreet, int autolock_minutes)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_MEMBER_SET_PROFILE, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text_or_null(&b, 2, display_name);
	if (discreet >= 0)
		bind_i64(&b, 3, discreet != 0);
	if (autolock_minutes >= 0)
		bind_i64(&b, 4, autolock_minutes);
	bind_text(&b, 5, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* Run one of the member_delete statements, bound to (couple_id, member_id). */
/*
 * Crypto-shredding: the sessions (which hold sealed keys), the couple key
 * wrap, every journal entry and the member row go in one transaction.  The
 * foreign keys would cascade too; deleting explicitly keeps this visible and
 * independent of them.
 */
static int sq_member_delete(struct store *st, const char *couple_id, const char *member_id)
{
	static const enum sq_stmt steps[] = {
		SQ_MEMBER_DEL_SESSIONS, SQ_MEMBER_DEL_KEYS, SQ_MEMBER_DEL_JOURNAL,
		SQ_MEMBER_DEL_AUDIT,	SQ_MEMBER_DELETE,
	};
	struct sq *sq = to_sq(st);
	int changes = 0, r;
	bool nested;

	if (!couple_id || !member_id)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		r = sq_write_ids(sq, steps[i], couple_id, member_id, &changes);
	/* the member row is the last: no such member of the couple, nothing done */
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return sq_tx_leave(sq, nested, r);
}

/* ---- couple keys -------------------------------------------------------- */

/* Inserts or replaces the member's wrap; NOTFOUND when the member is not in the couple. */
static int sq_couple_key_put(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *wrapped, size_t len, const unsigned char *tag,
			     size_t taglen)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	r = sq_prep(sq, SQ_KEY_PUT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, member_id);
	bind_blob(&b, 3, wrapped, len, false);
	bind_blob(&b, 4, tag, tag ? taglen : 0, true);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_couple_key_get(struct store *st, const char *couple_id, const char *member_id,
			     struct blob *ret, struct blob *ret_tag)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct blob out, tag = {NULL, 0};
	struct reader rd;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_KEY_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, member_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0) {
		rd = (struct reader){b.s, 0, 0};
		read_blob(&rd, 0, &out);
		if (ret_tag && rd.r == 0) {
			read_blob(&rd, 1, &tag);
			if (rd.r != 0)
				store_blob_free(&out);
		}
		r = rd.r;
		if (r == 0) {
			*ret = out;
			if (ret_tag)
				*ret_tag = tag;
		}
	}
	sq_done(b.s);
	return r;
}

/* ---- invites ------------------------------------------------------------ */

static int sq_invite_insert(struct store *st, const struct invite_row *inv)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!inv)
		return -EINVAL;
	r = sq_prep(sq, SQ_INVITE_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, inv->id);
	BIND_FIELD(&b, 2, inv->couple_id);
	BIND_FIELD(&b, 3, inv->role);
	bind_blob(&b, 4, inv->secret_hash.data, inv->secret_hash.len, false);
	bind_blob(&b, 5, inv->ck_wrapped.data, inv->ck_wrapped.len, false);
	BIND_FIELD(&b, 6, inv->created_at);
	BIND_FIELD(&b, 7, inv->expires_at);
	bind_i64(&b, 8, inv->used ? 1 : 0);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_invite_get(struct store *st, const char *invite_id, struct invite_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct invite_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_INVITE_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, invite_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = read_invite(b.s, &row);
	if (r == 0)
		*ret = row;
	sq_done(b.s);
	return r;
}

/* Exactly one caller wins: the second sees used = 1 and gets STORE_NOTFOUND. */
static int sq_invite_consume(struct store *st, const char *couple_id, const char *invite_id)
{
	int changes = 0, r;

	if (!couple_id)
		return -EINVAL;
	r = sq_write_ids(to_sq(st), SQ_INVITE_CONSUME, invite_id, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_invite_revoke_open(struct store *st, const char *couple_id, const char *role)
{
	return sq_write_ids(to_sq(st), SQ_INVITE_REVOKE_OPEN, couple_id, role, NULL);
}

/* ---- sessions ----------------------------------------------------------- */

static int sq_session_insert(struct store *st, const struct session_row *s)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!s)
		return -EINVAL;
	r = sq_prep(sq, SQ_SESSION_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, s->id);
	BIND_FIELD(&b, 2, s->member_id);
	BIND_FIELD(&b, 3, s->couple_id);
	bind_blob(&b, 4, s->secret_hash.data, s->secret_hash.len, false);
	bind_blob(&b, 5, s->keys_sealed.data, s->keys_sealed.len, false);
	BIND_FIELD(&b, 6, s->created_at);
	BIND_FIELD(&b, 7, s->last_seen_at);
	BIND_FIELD(&b, 8, s->expires_at);
	BIND_FIELD(&b, 9, s->browser);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

/* Hot path: one primary-key search on a cached statement. */
static int sq_session_get(struct store *st, const char *session_id, struct session_row *ret)
{
	sqlite3_stmt *s = NULL;
	struct session_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_row_by_key(to_sq(st), SQ_SESSION_GET, session_id, &s);
	if (r != 0)
		return r;
	r = read_session(s, &row);
	if (r == 0) {
		marks_raise(&to_sq(st)->sh->marks, row.id, row.last_seen_at);
		*ret = row;
	}
	sq_done(s);
	return r;
}

/*
 * Hot path.  last_seen_at only moves forward, and an update that would not
 * move it changes nothing.  Outside a caller's transaction the mark is
 * held in memory (marks.h): every session_get() and session_list() of this
 * process sees it at once, and the held marks are written together, in one
 * transaction, when the oldest is 10 s old or 2,048 are held, and when a
 * handle closes; session_purge() writes them first.  The write is a
 * commit, but not a flush: it does not wait for the group commit
 * (sq_sync_to()), and the next write that waits, or the next checkpoint,
 * takes it to disk.  A crash can lose the marks of the last seconds; the
 * session then looks idle for longer than it was, so it ends sooner, never
 * later, and nobody was told anything was saved.  Written one by one, the
 * marks of thousands of members reading were hundreds of commits a second,
 * each emptying the other connections' page caches and waiting for the
 * writer lock (session 16 in docs/performance.md); waiting for an fdatasync
 * each, before that, they were most of a read's cost.  Inside a caller's
 * transaction, or when no more marks can be held, the mark is written at
 * once, and inside a transaction flushed with its commit.
 */
static int sq_session_touch(struct store *st, const char *couple_id, const char *session_id,
			    const char *now)
{
	struct sq *sq = to_sq(st);
	int changes = 0, r;

	if (!now || !couple_id || !session_id)
		return -EINVAL;
	if (!sq->writing) {
		r = sq_exists(sq, SQ_SESSION_EXISTS, session_id, couple_id, NULL);
		if (r != 0)
			return r;
		switch (marks_put(&sq->sh->marks, session_id, couple_id, now, marks_now_ms())) {
		case MARKS_HELD:
			return 0;
		case MARKS_DUE:
			return sq_marks_flush(sq);
		case MARKS_FULL:
			break;
		}
	}
	sq->unflushed = true;
	r = sq_write_texts(sq, SQ_SESSION_TOUCH, session_id, now, couple_id, &changes);
	sq->unflushed = false;
	if (r == 0 && changes == 0)
		r = sq_exists(sq, SQ_SESSION_EXISTS, session_id, couple_id, NULL);
	/* no room was left: the held marks go now, unless another thread is writing them */
	if (r == 0)
		r = sq_marks_flush(sq);
	return r;
}

static int sq_session_set_locked(struct store *st, const char *couple_id, const char *session_id,
				 int locked, const char *now)
{
	int changes = 0, r;

	if ((!locked && !now) || !couple_id)
		return -EINVAL;
	if (locked)
		r = sq_write_ids(to_sq(st), SQ_SESSION_LOCK, session_id, couple_id, &changes);
	else
		r = sq_write_texts(to_sq(st), SQ_SESSION_UNLOCK, session_id, now, couple_id,
				   &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_session_delete(struct store *st, const char *couple_id, const char *session_id)
{
	int changes = 0, r;

	if (!couple_id)
		return -EINVAL;
	r = sq_write_ids(to_sq(st), SQ_SESSION_DELETE, session_id, couple_id, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* Ending no session (none left, or only keep_id) is success. */
static int sq_session_delete_member(struct store *st, const char *couple_id, const char *member_id,
				    const char *keep_id)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	r = sq_prep(sq, SQ_SESSION_DELETE_MEMBER, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text_or_null(&b, 2, keep_id);
	bind_text(&b, 3, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

/*
 * idle_before may be NULL: then only expired sessions go.  max 0: all of
 * them.  Held marks are written first, in the same transaction, so that a
 * session seen lately stays.
 */
static int sq_session_purge(struct store *st, const char *now, const char *idle_before,
			    unsigned int max, unsigned int *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct mark *k = NULL;
	size_t n = 0;
	int changes = 0, r;
	bool nested = false;

	r = marks_copy(&sq->sh->marks, &k, &n);
	if (r < 0)
		return r;
	/* nothing held: one autocommit statement, with no flush to wait for if it deletes none */
	if (n > 0) {
		r = sq_tx_enter(sq, &nested);
		if (r == 0)
			r = sq_marks_write(sq, k, n);
	}
	free(k);
	if (r == 0)
		r = sq_prep(sq, SQ_SESSION_PURGE, &b.s);
	if (r == 0) {
		bind_text(&b, 1, now);
		bind_text_or_null(&b, 2, idle_before);
		bind_i64(&b, 3, max ? (int64_t)max : -1);
		r = b.r ? b.r : sq_write(sq, b.s, &changes);
		sq_done(b.s);
	}
	if (n > 0)
		r = sq_tx_leave(sq, nested, r);
	if (r == 0 && ret_n)
		*ret_n = (unsigned int)changes;
	return r;
}

/* ---- journal ------------------------------------------------------------ */

/* Binds JOURNAL_COLS as parameters 1-8 (the insert's order). */
static void bind_journal(struct binder *b, const struct journal_row *e)
{
	BIND_FIELD(b, 1, e->id);
	BIND_FIELD(b, 2, e->couple_id);
	BIND_FIELD(b, 3, e->author_id);
	bind_i64(b, 4, e->version);
	bind_blob(b, 5, e->body_sealed.data, e->body_sealed.len, false);
	bind_blob(b, 6, e->prompt_sealed.data, e->prompt_sealed.len, true);
	BIND_FIELD(b, 7, e->created_at);
	BIND_FIELD(b, 8, e->updated_at);
}

/* NOTFOUND when the author is not a member of the couple; CONFLICT on a reused id. */
static int sq_journal_insert(struct store *st, const struct journal_row *e)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!e)
		return -EINVAL;
	r = sq_prep(sq, SQ_JOURNAL_INSERT, &b.s);
	if (r < 0)
		return r;
	bind_journal(&b, e);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_journal_get(struct store *st, const char *couple_id, const char *author_id,
			  const char *entry_id, struct journal_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct journal_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_JOURNAL_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, author_id);
	bind_text(&b, 3, entry_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = read_journal(b.s, &row, 0);
	if (r == 0)
		*ret = row;
	sq_done(b.s);
	return r;
}

/*
 * Hot path.  A page is one index range scan of (couple_id, author_id,
 * created_at, seq) walked backwards.  With before_id, the position of that
 * entry is looked up first (among the author's own entries only) and the page
 * starts strictly after it.  An empty page is 0 with *ret_rows NULL.
 */
/*
 * The author's entries, newest first, after before_id (NULL: from the
 * newest), at most limit: row(ctx, s, page) for each, on the statement's
 * row (JOURNAL_PAGE_COLS), page holding the couple and author that every
 * row of it has.  0, STORE_NOTFOUND (before_id is not one of the author's),
 * the first non-zero row() result, or < 0 (-EINVAL for an id longer than
 * an id can be).
 */
static int sq_journal_scan(struct sq *sq, const char *couple_id, const char *author_id,
			   const char *before_id, size_t limit,
			   int (*row)(void *ctx, sqlite3_stmt *s, const struct journal_row *page),
			   void *ctx)
{
	struct binder b = {NULL, 0};
	struct journal_row page;
	sqlite3_stmt *pos = NULL;
	size_t n = 0;
	int64_t lim;
	int r, rc = SQLITE_DONE;

	if (!couple_id || !author_id || strlen(couple_id) > STORE_ID_LEN ||
	    strlen(author_id) > STORE_ID_LEN)
		return -EINVAL;
	lim = limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit;
	/* what every row of the page shares: the WHERE's couple and author */
	memset(&page, 0, sizeof(page));
	memcpy(page.couple_id, couple_id, strlen(couple_id));
	memcpy(page.author_id, author_id, strlen(author_id));

	if (before_id) {
		r = sq_prep(sq, SQ_JOURNAL_POS, &pos);
		if (r < 0)
			return r;
		b.s = pos;
		bind_text(&b, 1, couple_id);
		bind_text(&b, 2, author_id);
		bind_text(&b, 3, before_id);
		r = b.r ? b.r : sq_read(pos);
		if (r != 0)
			goto out;
		b = (struct binder){NULL, 0};
		r = sq_prep(sq, SQ_JOURNAL_AFTER, &b.s);
		if (r < 0)
			goto out;
		bind_text(&b, 1, couple_id);
		bind_text(&b, 2, author_id);
		/* the anchor's own values, copied by the bind */
		bind_rc(&b,
			b.r ? SQLITE_OK : sqlite3_bind_value(b.s, 3, sqlite3_column_value(pos, 0)));
		bind_i64(&b, 4, sqlite3_column_int64(pos, 1));
		bind_i64(&b, 5, lim);
		sq_done(pos);
		pos = NULL;
	} else {
		r = sq_prep(sq, SQ_JOURNAL_FIRST, &b.s);
		if (r < 0)
			return r;
		bind_text(&b, 1, couple_id);
		bind_text(&b, 2, author_id);
		bind_i64(&b, 3, lim);
	}
	r = b.r;
	while (r == 0 && n < limit && (rc = sqlite3_step(b.s)) == SQLITE_ROW) {
		r = row(ctx, b.s, &page);
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sq_errno(rc);
out:
	sq_done(pos);
	sq_done(b.s);
	return r;
}

/* journal_list: the rows copied into a growing array. */
struct journal_collect {
	struct journal_row *rows;
	size_t n, cap, limit;
};

static int journal_collect_row(void *ctx, sqlite3_stmt *s, const struct journal_row *page)
{
	struct journal_collect *c = ctx;
	struct journal_row *grown;
	int r;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : SQ_LIST_FIRST_CAP;
		if (c->cap > c->limit)
			c->cap = c->limit;
		grown = reallocarray(c->rows, c->cap, sizeof(*c->rows));
		if (!grown)
			return -ENOMEM;
		c->rows = grown;
	}
	c->rows[c->n] = *page;
	r = read_journal_page(s, &c->rows[c->n], 0);
	if (r == 0)
		c->n++;
	return r;
}

static int sq_journal_list(struct store *st, const char *couple_id, const char *author_id,
			   const char *before_id, size_t limit, struct journal_row **ret_rows,
			   size_t *ret_n)
{
	struct journal_collect c = {NULL, 0, 0, limit};
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_journal_scan(to_sq(st), couple_id, author_id, before_id, limit, journal_collect_row,
			    &c);
	if (r != 0) {
		store_journal_list_free(c.rows, c.n);
		return r;
	}
	*ret_rows = c.rows;
	*ret_n = c.n;
	return 0;
}

/* journal_each: each row handed on in place, nothing copied. */
struct journal_peek {
	store_journal_fn fn;
	void *ctx;
};

static int journal_peek_row(void *ctx, sqlite3_stmt *s, const struct journal_row *page)
{
	struct journal_peek *p = ctx;
	struct journal_row e = *page;
	int r = read_journal_page(s, &e, 1);

	return r ? r : p->fn(p->ctx, &e);
}

static int sq_journal_each(struct store *st, const char *couple_id, const char *author_id,
			   const char *before_id, size_t limit, store_journal_fn fn, void *ctx)
{
	struct journal_peek p = {fn, ctx};

	if (!fn)
		return -EINVAL;
	return sq_journal_scan(to_sq(st), couple_id, author_id, before_id, limit, journal_peek_row,
			       &p);
}

/* Optimistic: the stored version must be e->version - 1. */
static int sq_journal_update(struct store *st, const struct journal_row *e)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!e || e->version == INT64_MIN)
		return -EINVAL;
	r = sq_prep(sq, SQ_JOURNAL_UPDATE, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, e->couple_id);
	BIND_FIELD(&b, 2, e->author_id);
	BIND_FIELD(&b, 3, e->id);
	bind_i64(&b, 4, e->version);
	bind_blob(&b, 5, e->body_sealed.data, e->body_sealed.len, false);
	bind_blob(&b, 6, e->prompt_sealed.data, e->prompt_sealed.len, true);
	BIND_FIELD(&b, 7, e->updated_at);
	bind_i64(&b, 8, e->version - 1);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r != 0 || changes > 0)
		return r;
	/* nothing matched: tell a stale version from an entry that is not there */
	r = sq_exists(sq, SQ_JOURNAL_POS, e->couple_id, e->author_id, e->id);
	return r == 0 ? STORE_CONFLICT : r;
}

static int sq_journal_delete(struct store *st, const char *couple_id, const char *author_id,
			     const char *entry_id)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_JOURNAL_DELETE, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, author_id);
	bind_text(&b, 3, entry_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- audit -------------------------------------------------------------- */

/*
 * One audit row, then (when it names a member) that member's rows of the
 * same event beyond the newest STORE_AUDIT_KEEP and all theirs older than
 * STORE_AUDIT_DAYS days before at, in one transaction.  couple_id,
 * member_id, browser and session_id may be NULL; a couple_id that does not
 * exist is NOTFOUND.
 */
static int audit_insert(struct sq *sq, const char *couple_id, const char *member_id,
			const char *event, const char *at, const char *browser,
			const char *session_id)
{
	struct binder b = {NULL, 0};
	bool nested;
	int r;

	if (!event || !at)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_prep(sq, SQ_AUDIT_ADD, &b.s);
	if (r == 0) {
		bind_text_or_null(&b, 1, couple_id);
		bind_text_or_null(&b, 2, member_id);
		bind_text(&b, 3, event);
		bind_text(&b, 4, at);
		bind_text_or_null(&b, 5, browser);
		bind_text_or_null(&b, 6, session_id);
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	if (r == 0 && member_id && couple_id) {
		b.r = 0;
		r = sq_prep(sq, SQ_AUDIT_TRIM, &b.s);
		if (r == 0) {
			bind_text(&b, 1, member_id);
			bind_text(&b, 2, at);
			bind_text(&b, 3, event);
			bind_i64(&b, 4, STORE_AUDIT_KEEP);
			bind_text(&b, 5, couple_id);
			r = b.r ? b.r : sq_write(sq, b.s, NULL);
			sq_done(b.s);
		}
	}
	return sq_tx_leave(sq, nested, r);
}

static int sq_audit_append(struct store *st, const char *couple_id, const char *member_id,
			   const char *event, const char *at)
{
	return audit_insert(to_sq(st), couple_id, member_id, event, at, NULL, NULL);
}

/* "" as NULL, for the optional fields of a row struct */
static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static int sq_audit_add(struct store *st, const struct audit_row *a)
{
	if (!a)
		return -EINVAL;
	if (strnlen(a->event, sizeof(a->event)) == sizeof(a->event) ||
	    strnlen(a->browser, sizeof(a->browser)) == sizeof(a->browser))
		return -EINVAL;
	return audit_insert(to_sq(st), or_null(a->couple_id), or_null(a->member_id), a->event,
			    a->at, or_null(a->browser), or_null(a->session_id));
}

/* ---- statements (migration 0002) ---------------- */

/*
 * sq_rows() - step s (bound, positioned before its first row) and read at
 * most limit rows of elem_size bytes each with read_one() into a malloc'd
 * array.  On failure the rows read so far are released with free_rows()
 * and nothing is written.  An empty result is 0 with *ret_rows NULL.
 */
static int sq_rows(sqlite3_stmt *s, size_t limit, size_t elem_size,
		   int (*read_one)(sqlite3_stmt *s, void *row),
		   void (*free_rows)(void *rows, size_t n), void **ret_rows, size_t *ret_n)
{
	unsigned char *rows = NULL, *grown;
	size_t n = 0, cap = 0;
	int r = 0, rc = SQLITE_DONE;

	while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : SQ_LIST_FIRST_CAP;
			if (cap > limit)
				cap = limit;
			grown = reallocarray(rows, cap, elem_size);
			if (!grown) {
				r = -ENOMEM;
				break;
			}
			rows = grown;
		}
		r = read_one(s, rows + n * elem_size);
		if (r != 0)
			break;
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sq_errno(rc);
	if (r != 0) {
		free_rows(rows, n);
		return r;
	}
	*ret_rows = rows;
	*ret_n = n;
	return 0;
}

/*
 * Every row statement stmt gives for couple_id (its one parameter), read
 * with read_one into a malloc'd array of elem_size each: *ret_rows, *ret_n.
 */
static int sq_couple_rows(struct store *st, enum sq_stmt stmt, const char *couple_id,
			  size_t elem_size, int (*read_one)(sqlite3_stmt *s, void *row),
			  void (*free_rows)(void *rows, size_t n), void **ret_rows, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, stmt, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	r = b.r ? b.r : sq_rows(b.s, SIZE_MAX, elem_size, read_one, free_rows, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret_rows = p;
	return r;
}

/* A list limit as SQLite's 64-bit integer. */
static int64_t sq_limit(size_t limit)
{
	return limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit;
}

void store_statement_free(struct statement_row *row)
{
	if (row)
		store_blob_free(&row->parts_sealed);
}

void store_statement_list_free(struct statement_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		store_statement_free(&rows[i]);
	free(rows);
}

static void free_statements(void *rows, size_t n)
{
	store_statement_list_free(rows, n);
}

/* Column order: STATEMENT_COLS.  On failure the row holds no memory. */
static int read_statement(sqlite3_stmt *s, void *p)
{
	struct statement_row *row = p;
	struct reader rd = {s, 0, 0};

	memset(row, 0, sizeof(*row));
	READ_FIELD(&rd, 0, row->id);
	READ_FIELD(&rd, 1, row->couple_id);
	READ_FIELD(&rd, 2, row->author_id);
	row->version = sqlite3_column_int64(s, 3);
	row->delivered = sqlite3_column_int(s, 4) != 0;
	read_blob(&rd, 5, &row->parts_sealed);
	READ_FIELD(&rd, 6, row->created_at);
	READ_FIELD(&rd, 7, row->updated_at);
	READ_FIELD(&rd, 8, row->delivered_at); /* NULL reads as "" */
	if (rd.r)
		store_statement_free(row);
	return rd.r;
}

static int sq_statement_insert(struct store *st, const struct statement_row *row)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!row)
		return -EINVAL;
	r = sq_prep(sq, SQ_STATEMENT_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, row->id);
	BIND_FIELD(&b, 2, row->couple_id);
	BIND_FIELD(&b, 3, row->author_id);
	bind_i64(&b, 4, row->version);
	bind_i64(&b, 5, row->delivered ? 1 : 0);
	bind_blob(&b, 6, row->parts_sealed.data, row->parts_sealed.len, false);
	BIND_FIELD(&b, 7, row->created_at);
	BIND_FIELD(&b, 8, row->updated_at);
	bind_text_or_null(&b, 9, row->delivered ? row->delivered_at : NULL);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_statement_get(struct store *st, const char *couple_id, const char *statement_id,
			    struct statement_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct statement_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_STATEMENT_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, statement_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = read_statement(b.s, &row);
	if (r == 0)
		*ret = row;
	sq_done(b.s);
	return r;
}

static int sq_statement_list(struct store *st, const char *couple_id, const char *member_id,
			     size_t limit, struct statement_row **ret_rows, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *rows = NULL;
	size_t n = 0;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_STATEMENT_LIST, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, member_id);
	bind_i64(&b, 3, sq_limit(limit));
	r = b.r ? b.r
		: sq_rows(b.s, limit, sizeof(struct statement_row), read_statement, free_statements,
			  &rows, &n);
	sq_done(b.s);
	if (r == 0) {
		*ret_rows = rows;
		*ret_n = n;
	}
	return r;
}

/* Optimistic, drafts only: CONFLICT when stale or already delivered. */
static int sq_statement_update(struct store *st, const struct statement_row *row)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!row || row->version == INT64_MIN)
		return -EINVAL;
	r = sq_prep(sq, SQ_STATEMENT_UPDATE, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, row->couple_id);
	BIND_FIELD(&b, 2, row->author_id);
	BIND_FIELD(&b, 3, row->id);
	bind_i64(&b, 4, row->version);
	bind_i64(&b, 5, row->delivered ? 1 : 0);
	bind_blob(&b, 6, row->parts_sealed.data, row->parts_sealed.len, false);
	BIND_FIELD(&b, 7, row->updated_at);
	bind_text_or_null(&b, 8, row->delivered ? row->delivered_at : NULL);
	bind_i64(&b, 9, row->version - 1);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r != 0 || changes > 0)
		return r;
	r = sq_exists(sq, SQ_STATEMENT_EXISTS, row->couple_id, row->author_id, row->id);
	return r == 0 ? STORE_CONFLICT : r;
}

/* ---- end of statements ------------------------------------------------------ */

/* ---- sign-in throttling (migration 0004) ---------------------- */

/* One row per key, and the old rows go, in one transaction: one fsync per failure. */
static int sq_throttle_add(struct store *st, const unsigned char *keys, size_t nkeys, int64_t at_ms,
			   int64_t forget_before_ms)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	bool nested;
	size_t i;
	int r;

	if (!keys && nkeys > 0)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	for (i = 0; i < nkeys && r == 0; i++) {
		b.r = 0;
		r = sq_prep(sq, SQ_THROTTLE_ADD, &b.s);
		if (r < 0)
			break;
		bind_blob(&b, 1, keys + i * STORE_THROTTLE_KEY_LEN, STORE_THROTTLE_KEY_LEN, false);
		bind_i64(&b, 2, at_ms);
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	if (r == 0) {
		b.r = 0;
		r = sq_prep(sq, SQ_THROTTLE_FORGET, &b.s);
		if (r == 0) {
			bind_i64(&b, 1, forget_before_ms);
			r = b.r ? b.r : sq_write(sq, b.s, NULL);
			sq_done(b.s);
		}
	}
	return sq_tx_leave(sq, nested, r);
}

static int sq_throttle_nth(struct store *st, const unsigned char *key, int64_t after_ms,
			   unsigned int n, int64_t *ret_at_ms)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!key || n == 0 || !ret_at_ms)
		return -EINVAL;
	r = sq_prep(sq, SQ_THROTTLE_NTH, &b.s);
	if (r < 0)
		return r;
	bind_blob(&b, 1, key, STORE_THROTTLE_KEY_LEN, false);
	bind_i64(&b, 2, after_ms);
	bind_i64(&b, 3, (int64_t)n - 1);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		*ret_at_ms = sqlite3_column_int64(b.s, 0);
	sq_done(b.s);
	return r;
}

static int sq_throttle_clear(struct store *st, const unsigned char *key)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!key)
		return -EINVAL;
	r = sq_prep(sq, SQ_THROTTLE_CLEAR, &b.s);
	if (r < 0)
		return r;
	bind_blob(&b, 1, key, STORE_THROTTLE_KEY_LEN, false);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

/* ---- end of sign-in throttling ----------------------------------------------------- */

/* ---- browsers that signed in (migration 0006) ---------------------------------------- */

/* The row and the trim of the member's oldest, in one transaction. */
static int sq_device_put(struct store *st, const unsigned char *key, const char *couple_id,
			 const char *member_id, const char *now, int fresh)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;
	bool nested;

	if (!key || !couple_id || !member_id || !now)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_prep(sq, fresh ? SQ_DEVICE_INSERT : SQ_DEVICE_TOUCH, &b.s);
	if (r == 0) {
		bind_blob(&b, 1, key, STORE_THROTTLE_KEY_LEN, false);
		bind_text(&b, 2, member_id);
		bind_text(&b, 3, now);
		bind_text(&b, 4, couple_id);
		r = b.r ? b.r : sq_write(sq, b.s, &changes);
		sq_done(b.s);
	}
	if (r == 0 && changes == 0)
		r = fresh ? STORE_CONFLICT : STORE_NOTFOUND;
	if (r == 0) {
		b.r = 0;
		r = sq_prep(sq, SQ_DEVICE_TRIM, &b.s);
		if (r == 0) {
			bind_text(&b, 1, member_id);
			bind_i64(&b, 2, STORE_DEVICES_MAX);
			bind_text(&b, 3, couple_id);
			r = b.r ? b.r : sq_write(sq, b.s, NULL);
			sq_done(b.s);
		}
	}
	return sq_tx_leave(sq, nested, r);
}

static int sq_device_login(struct store *st, const unsigned char *key, char *ret_login, size_t len)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!key || !ret_login || len == 0)
		return -EINVAL;
	r = sq_prep(sq, SQ_DEVICE_LOGIN, &b.s);
	if (r < 0)
		return r;
	bind_blob(&b, 1, key, STORE_THROTTLE_KEY_LEN, false);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0) {
		struct reader rd = {b.s, 0, 0};

		read_text(&rd, 0, ret_login, len);
		r = rd.r;
	}
	sq_done(b.s);
	return r;
}

static int sq_device_forget(struct store *st, const char *couple_id, const char *member_id,
			    const unsigned char *keep)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!member_id)
		return -EINVAL;
	r = sq_prep(sq, SQ_DEVICE_FORGET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_blob(&b, 2, keep, keep ? STORE_THROTTLE_KEY_LEN : 0, true);
	bind_text(&b, 3, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

/* ---- end of devices ---------------------------------------------------------------- */

/* ---- signed-in devices and the sign-in history (migration 0011) --------------------- */

static void free_plain_rows(void *rows, size_t n)
{
	(void)n;
	free(rows);
}

/* The end of a list op: the rows of b's bound statement (unless a bind failed), then done. */
static int sq_list_end(struct binder *b, size_t limit, size_t elem_size,
		       int (*read_one)(sqlite3_stmt *s, void *row), void **ret_rows, size_t *ret_n)
{
	int r = b->r ? b->r
		     : sq_rows(b->s, limit, elem_size, read_one, free_plain_rows, ret_rows, ret_n);

	sq_done(b->s);
	return r;
}

/* Column order: SQ_AUDIT_LIST's. */
static int read_audit(sqlite3_stmt *s, void *p)
{
	struct audit_row *row = p;
	struct reader rd = {s, 0, 0};

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(s, 0);
	READ_FIELD(&rd, 1, row->event);
	READ_FIELD(&rd, 2, row->at);
	READ_FIELD(&rd, 3, row->browser);
	READ_FIELD(&rd, 4, row->session_id);
	return rd.r;
}

static int sq_audit_list(struct store *st, const char *couple_id, const char *member_id,
			 const char *events, int64_t after_id, const char *since, size_t limit,
			 struct audit_row **ret_rows, size_t *ret_n)
{
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(to_sq(st), SQ_AUDIT_LIST, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, events);
	bind_i64(&b, 3, after_id);
	bind_text(&b, 4, since ? since : "");
	bind_i64(&b, 5, sq_limit(limit));
	bind_text(&b, 6, couple_id);
	r = sq_list_end(&b, limit, sizeof(**ret_rows), read_audit, &p, ret_n);
	if (r == 0)
		*ret_rows = p;
	return r;
}

/* Column order: SQ_SESSION_LIST's. */
static int read_session_brief(sqlite3_stmt *s, void *p)
{
	struct session_brief *row = p;
	struct reader rd = {s, 0, 0};

	memset(row, 0, sizeof(*row));
	READ_FIELD(&rd, 0, row->id);
	READ_FIELD(&rd, 1, row->browser);
	READ_FIELD(&rd, 2, row->created_at);
	READ_FIELD(&rd, 3, row->last_seen_at);
	READ_FIELD(&rd, 4, row->expires_at);
	return rd.r;
}

static int sq_session_list(struct store *st, const char *couple_id, const char *member_id,
			   struct session_brief **ret_rows, size_t *ret_n)
{
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(to_sq(st), SQ_SESSION_LIST, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_i64(&b, 2, STORE_SESSIONS_LIST_MAX);
	bind_text(&b, 3, couple_id);
	r = sq_list_end(&b, STORE_SESSIONS_LIST_MAX, sizeof(**ret_rows), read_session_brief, &p,
			ret_n);
	if (r == 0) {
		*ret_rows = p;
		for (size_t i = 0; i < *ret_n; i++)
			marks_raise(&to_sq(st)->sh->marks, (*ret_rows)[i].id,
				    (*ret_rows)[i].last_seen_at);
	}
	return r;
}

/*
 * The member's sessions (one, or all but one) and the standing of the
 * browsers that started them, in one transaction; *changes gets how many
 * sessions went.
 */
static int session_end_tx(struct sq *sq, enum sq_stmt sessions, enum sq_stmt devices,
			  const char *couple_id, const char *member_id, const char *session_id,
			  int *changes)
{
	bool nested;
	int r;

	/* both statements: ?1 the member, ?2 the session, ?3 the couple */
	if (!couple_id || !member_id || !session_id)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_write_texts(sq, sessions, member_id, session_id, couple_id, changes);
	if (r == 0)
		r = sq_write_texts(sq, devices, member_id, session_id, couple_id, NULL);
	return sq_tx_leave(sq, nested, r);
}

static int sq_session_end_own(struct store *st, const char *couple_id, const char *member_id,
			      const char *session_id)
{
	int changes = 0, r;

	r = session_end_tx(to_sq(st), SQ_SESSION_DELETE_OWN, SQ_DEVICE_FORGET_SESSION, couple_id,
			   member_id, session_id, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_session_end_others(struct store *st, const char *couple_id, const char *member_id,
				 const char *keep_id)
{
	return session_end_tx(to_sq(st), SQ_SESSION_DELETE_MEMBER, SQ_DEVICE_FORGET_OTHERS,
			      couple_id, member_id, keep_id, NULL);
}

static int sq_device_set_session(struct store *st, const unsigned char *key, const char *couple_id,
				 const char *member_id, const char *session_id)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!key)
		return -EINVAL;
	r = sq_prep(sq, SQ_DEVICE_SET_SESSION, &b.s);
	if (r < 0)
		return r;
	bind_blob(&b, 1, key, STORE_THROTTLE_KEY_LEN, false);
	bind_text(&b, 2, member_id);
	bind_text(&b, 3, session_id);
	bind_text(&b, 4, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_notice_seen_get(struct store *st, const char *couple_id, const char *member_id,
			      int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (!ret || !couple_id)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_NOTICE_GET, member_id, couple_id, &s);
	if (r != 0)
		return r;
	*ret = sqlite3_column_int64(s, 0);
	sq_done(s);
	return 0;
}

static int sq_notice_seen_set(struct store *st, const char *couple_id, const char *member_id,
			      int64_t id)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_NOTICE_SET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_i64(&b, 2, id);
	bind_text(&b, 3, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

/* ---- end of signed-in devices -------------------------------------------------------- */

/* ---- second factors (migration 0009) ------------------------------------------------ */

static int sq_totp_put(struct store *st, const char *couple_id, const char *member_id,
		       const unsigned char *sealed, size_t len, const char *now)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !sealed || !now)
		return -EINVAL;
	r = sq_prep(sq, SQ_TOTP_PUT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_blob(&b, 2, sealed, len, false);
	bind_text(&b, 3, now);
	bind_text(&b, 4, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_CONFLICT;
	return r;
}

static int sq_totp_get(struct store *st, const char *couple_id, const char *member_id,
		       struct totp_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct totp_row row;
	int r;

	if (!member_id || !ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_TOTP_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0) {
		struct reader rd = {b.s, 0, 0};

		memset(&row, 0, sizeof(row));
		read_blob(&rd, 0, &row.secret_sealed);
		row.active = sqlite3_column_int(b.s, 1) != 0;
		row.last_step = sqlite3_column_int64(b.s, 2);
		READ_FIELD(&rd, 3, row.created_at);
		r = rd.r;
		if (r == 0)
			*ret = row;
		else
			store_totp_free(&row);
	}
	sq_done(b.s);
	return r;
}

/* One statement bound to (member_id, an integer or a blob), counting changes. */
static int sq_member_write(struct sq *sq, enum sq_stmt id, const char *couple_id,
			   const char *member_id, int64_t num, const unsigned char *blob,
			   size_t len, int *changes)
{
	struct binder b = {NULL, 0};
	int n, r;

	if (!couple_id || !member_id)
		return -EINVAL;
	r = sq_prep(sq, id, &b.s);
	if (r < 0)
		return r;
	/* ?1 the member, ?2 the number or blob if any, the last the couple */
	n = sqlite3_bind_parameter_count(b.s);
	bind_text(&b, 1, member_id);
	if (blob)
		bind_blob(&b, 2, blob, len, false);
	else if (n >= 3)
		bind_i64(&b, 2, num);
	bind_text(&b, n, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, changes);
	sq_done(b.s);
	return r;
}

static int sq_totp_activate(struct store *st, const char *couple_id, const char *member_id,
			    int64_t step, const unsigned char *hashes, size_t n)
{
	struct sq *sq = to_sq(st);
	int changes = 0, r;
	bool nested;
	size_t i;

	if (!member_id || (n && !hashes))
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_member_write(sq, SQ_TOTP_ACTIVATE, couple_id, member_id, step, NULL, 0, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	if (r == 0)
		r = sq_member_write(sq, SQ_RCODE_CLEAR, couple_id, member_id, 0, NULL, 0, NULL);
	for (i = 0; r == 0 && i < n; i++)
		r = sq_member_write(sq, SQ_RCODE_INSERT, couple_id, member_id, 0,
				    hashes + i * STORE_CODE_HASH_LEN, STORE_CODE_HASH_LEN, NULL);
	return sq_tx_leave(sq, nested, r);
}

static int sq_totp_use_step(struct store *st, const char *couple_id, const char *member_id,
			    int64_t step)
{
	int changes = 0;
	int r = sq_member_write(to_sq(st), SQ_TOTP_USE, couple_id, member_id, step, NULL, 0,
				&changes);

	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int sq_totp_delete(struct store *st, const char *couple_id, const char *member_id)
{
	struct sq *sq = to_sq(st);
	int changes = 0, r;
	bool nested;

	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_member_write(sq, SQ_TOTP_DELETE, couple_id, member_id, 0, NULL, 0, &changes);
	if (r == 0)
		r = sq_member_write(sq, SQ_RCODE_CLEAR, couple_id, member_id, 0, NULL, 0, NULL);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return sq_tx_leave(sq, nested, r);
}

static int sq_recovery_code_use(struct store *st, const char *couple_id, const char *member_id,
				const unsigned char *hash)
{
	int changes = 0, r;

	if (!hash)
		return -EINVAL;
	r = sq_member_write(to_sq(st), SQ_RCODE_USE, couple_id, member_id, 0, hash,
			    STORE_CODE_HASH_LEN, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_recovery_code_count(struct store *st, const char *couple_id, const char *member_id,
				  size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!member_id || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_RCODE_COUNT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		*ret_n = (size_t)sqlite3_column_int64(b.s, 0);
	sq_done(b.s);
	return r;
}

/* ---- end of second factors ---------------------------------------------------------- */

/* ---- check-ins and the rhythm (migration 0003) ----------------- */

static int sq_couple_set_rhythm(struct store *st, const char *couple_id, const char *rhythm)
{
	int changes = 0, r;

	if (!rhythm || (strcmp(rhythm, "daily") != 0 && strcmp(rhythm, "weekly") != 0))
		return -EINVAL;
	r = sq_write_ids(to_sq(st), SQ_COUPLE_SET_RHYTHM, couple_id, rhythm, &changes);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* Column order: CHECKIN_COLS.  On failure the row holds no memory. */
static int read_checkin(sqlite3_stmt *s, void *p)
{
	struct checkin_row *c = p;
	struct reader rd = {s, 0, 0};

	memset(c, 0, sizeof(*c));
	READ_FIELD(&rd, 0, c->id);
	READ_FIELD(&rd, 1, c->couple_id);
	READ_FIELD(&rd, 2, c->author_id);
	READ_FIELD(&rd, 3, c->period);
	READ_FIELD(&rd, 4, c->rhythm);
	c->shared_with = (unsigned)sqlite3_column_int(s, 5) & 3u;
	c->version = sqlite3_column_int64(s, 6);
	read_blob(&rd, 7, &c->content_sealed);
	READ_FIELD(&rd, 8, c->created_at);
	READ_FIELD(&rd, 9, c->updated_at);
	if (rd.r)
		store_checkin_free(c);
	return rd.r;
}

static void free_checkins(void *rows, size_t n)
{
	store_checkin_list_free(rows, n);
}

/* NOTFOUND when the author is not in the couple; CONFLICT on a second one for the period. */
static int sq_checkin_insert(struct store *st, const struct checkin_row *c)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!c || c->shared_with > 3)
		return -EINVAL;
	r = sq_prep(sq, SQ_CHECKIN_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, c->id);
	BIND_FIELD(&b, 2, c->couple_id);
	BIND_FIELD(&b, 3, c->author_id);
	BIND_FIELD(&b, 4, c->period);
	BIND_FIELD(&b, 5, c->rhythm);
	bind_i64(&b, 6, c->shared_with);
	bind_i64(&b, 7, c->version);
	bind_blob(&b, 8, c->content_sealed.data, c->content_sealed.len, false);
	BIND_FIELD(&b, 9, c->created_at);
	BIND_FIELD(&b, 10, c->updated_at);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_checkin_get(struct store *st, const char *couple_id, const char *checkin_id,
			  struct checkin_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct checkin_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_CHECKIN_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, checkin_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = read_checkin(b.s, &row);
	if (r == 0)
		*ret = row;
	sq_done(b.s);
	return r;
}

/* Optimistic: the stored version must be c->version - 1. */
static int sq_checkin_update(struct store *st, const struct checkin_row *c)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!c || c->version == INT64_MIN || c->shared_with > 3)
		return -EINVAL;
	r = sq_prep(sq, SQ_CHECKIN_UPDATE, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, c->couple_id);
	BIND_FIELD(&b, 2, c->author_id);
	BIND_FIELD(&b, 3, c->id);
	bind_i64(&b, 4, c->shared_with);
	bind_i64(&b, 5, c->version);
	bind_blob(&b, 6, c->content_sealed.data, c->content_sealed.len, false);
	BIND_FIELD(&b, 7, c->updated_at);
	bind_i64(&b, 8, c->version - 1);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r != 0 || changes > 0)
		return r;
	r = sq_exists(sq, SQ_CHECKIN_EXISTS, c->couple_id, c->author_id, c->id);
	return r == 0 ? STORE_CONFLICT : r;
}

static int sq_checkin_list(struct store *st, const char *couple_id, const char *from,
			   const char *to, size_t limit, struct checkin_row **ret_rows,
			   size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_CHECKIN_LIST, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, from);
	bind_text(&b, 3, to);
	bind_i64(&b, 4, sq_limit(limit));
	r = b.r ? b.r
		: sq_rows(b.s, limit, sizeof(**ret_rows), read_checkin, free_checkins, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret_rows = p;
	return r;
}

static int sq_checkins_care(struct store *st, const char *couple_id, struct checkin_row **ret_rows,
			    size_t *ret_n)
{
	void *p = NULL;
	int r;

	if (!ret_rows)
		return -EINVAL;
	r = sq_couple_rows(st, SQ_CHECKINS_CARE, couple_id, sizeof(**ret_rows), read_checkin,
			   free_checkins, &p, ret_n);
	if (r == 0)
		*ret_rows = p;
	return r;
}

/* ---- items of the registry's kinds (migration 0005) --------------------- */

/* Column order: ITEM_COLS.  On failure the row holds no memory. */
static int read_item(sqlite3_stmt *s, void *p)
{
	struct item_row *it = p;
	struct reader rd = {s, 0, 0};

	memset(it, 0, sizeof(*it));
	READ_FIELD(&rd, 0, it->couple_id);
	READ_FIELD(&rd, 1, it->kind);
	READ_FIELD(&rd, 2, it->id);
	READ_FIELD(&rd, 3, it->parent_kind);
	READ_FIELD(&rd, 4, it->parent_id);
	READ_FIELD(&rd, 5, it->author_id);
	it->shared_with = (unsigned)sqlite3_column_int(s, 6) & 3u;
	it->version = sqlite3_column_int64(s, 7);
	it->legacy = sqlite3_column_int(s, 8) != 0;
	READ_FIELD(&rd, 9, it->once); /* NULL reads as "" */
	READ_FIELD(&rd, 10, it->sort);
	READ_FIELD(&rd, 11, it->plain);
	read_blob(&rd, 12, &it->sealed);
	READ_FIELD(&rd, 13, it->created_at);
	READ_FIELD(&rd, 14, it->updated_at);
	if (rd.r)
		store_item_free(it);
	return rd.r;
}

static void free_items(void *rows, size_t n)
{
	store_item_list_free(rows, n);
}

static int sq_item_insert(struct store *st, const struct item_row *it)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!it || it->shared_with > 3)
		return -EINVAL;
	r = sq_prep(sq, SQ_ITEM_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, it->couple_id);
	BIND_FIELD(&b, 2, it->kind);
	BIND_FIELD(&b, 3, it->id);
	BIND_FIELD(&b, 4, it->parent_kind);
	BIND_FIELD(&b, 5, it->parent_id);
	BIND_FIELD(&b, 6, it->author_id);
	bind_i64(&b, 7, it->shared_with);
	bind_i64(&b, 8, it->version);
	bind_i64(&b, 9, it->legacy ? 1 : 0);
	bind_text_or_null(&b, 10, it->once[0] ? it->once : NULL);
	BIND_FIELD(&b, 11, it->sort);
	BIND_FIELD(&b, 12, it->plain);
	bind_blob(&b, 13, it->sealed.data, it->sealed.len, false);
	BIND_FIELD(&b, 14, it->created_at);
	BIND_FIELD(&b, 15, it->updated_at);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND; /* the parent is not the couple's */
	return r;
}

static int sq_item_get(struct store *st, const char *couple_id, const char *kind, const char *id,
		       struct item_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct item_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_ITEM_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, kind);
	bind_text(&b, 3, id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = read_item(b.s, &row);
	if (r == 0)
		*ret = row;
	sq_done(b.s);
	return r;
}

static int sq_item_list(struct store *st, const struct item_query *q, struct item_row **ret_rows,
			size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	enum sq_stmt id;
	size_t most;
	void *p = NULL;
	int r;

	if (!q || !ret_rows || !ret_n || (q->parent_kind && !q->parent_id))
		return -EINVAL;
	id = q->of_newest ? SQ_ITEM_ANSWERS : q->oldest_first ? SQ_ITEM_LIST_OLDEST : SQ_ITEM_LIST;
	r = sq_prep(sq, id, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, q->couple_id);
	bind_text(&b, 2, q->kind);
	if (q->of_newest) {
		bind_text(&b, 3, q->of_newest);
		bind_i64(&b, 4, sq_limit(q->limit));
		bind_i64(&b, 5, sq_limit(q->answer_limit));
		bind_text_or_null(&b, 6, q->reader_id);
		bind_i64(&b, 7, q->reader_bits);
		most = q->answer_limit;
	} else {
		bind_text(&b, 3, q->parent_kind ? q->parent_kind : "");
		bind_text(&b, 4, q->parent_id ? q->parent_id : "");
		bind_text_or_null(&b, 5, q->author_id);
		bind_i64(&b, 6, sq_limit(q->limit));
		bind_text_or_null(&b, 7, q->reader_id);
		bind_i64(&b, 8, q->reader_bits);
		most = q->limit;
	}
	r = b.r ? b.r : sq_rows(b.s, most, sizeof(**ret_rows), read_item, free_items, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret_rows = p;
	return r;
}

/* Optimistic: the stored version and plain must be the ones the caller read. */
static int sq_item_update(struct store *st, const struct item_row *it, int64_t old_version,
			  const char *old_plain)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!it || !old_plain || it->shared_with > 3)
		return -EINVAL;
	r = sq_prep(sq, SQ_ITEM_UPDATE, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, it->couple_id);
	BIND_FIELD(&b, 2, it->kind);
	BIND_FIELD(&b, 3, it->id);
	bind_i64(&b, 4, it->shared_with);
	bind_i64(&b, 5, it->version);
	bind_i64(&b, 6, it->legacy ? 1 : 0);
	bind_blob(&b, 7, it->sealed.data, it->sealed.len, false);
	BIND_FIELD(&b, 8, it->plain);
	BIND_FIELD(&b, 9, it->sort);
	BIND_FIELD(&b, 10, it->updated_at);
	bind_i64(&b, 11, old_version);
	bind_text(&b, 12, old_plain);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r != 0 || changes > 0)
		return r;
	/* nothing written: tell a missing item from a stale one */
	r = sq_exists(sq, SQ_ITEM_EXISTS, it->couple_id, it->kind, it->id);
	return r == 0 ? STORE_CONFLICT : r;
}

static int sq_item_delete(struct store *st, const char *couple_id, const char *kind, const char *id)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_ITEM_DELETE, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, kind);
	bind_text(&b, 3, id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- end of check-ins ------------------------------------------------------ */

static int sq_reopen(struct store *st, struct store **ret, char *errbuf, size_t errlen);
static int sq_files_dir(struct store *st, char *out, size_t len);
static int sq_fault(struct store *st);
static int sq_fatal(struct store *st);
static int sq_rescue(struct store *st, char *where, size_t wherelen);

/* ---- passkeys (migration 0010) ---------------------------------------------------- */

static int sq_passkey_put(struct store *st, const char *couple_id, const char *member_id,
			  const struct passkey_row *p)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !p)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_PUT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, p->id);
	bind_text(&b, 2, member_id);
	bind_blob(&b, 3, p->credential_id.data, p->credential_id.len, false);
	bind_blob(&b, 4, p->public_key.data, p->public_key.len, false);
	bind_blob(&b, 5, p->tag.data, p->tag.len, false);
	bind_blob(&b, 6, p->name_sealed.data, p->name_sealed.len, false);
	bind_i64(&b, 7, p->sign_count);
	BIND_FIELD(&b, 8, p->created_at);
	bind_i64(&b, 9, STORE_PASSKEYS_MAX);
	bind_text(&b, 10, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int sq_passkey_read(sqlite3_stmt *s, struct passkey_row *p)
{
	struct reader rd = {s, 0, 0};

	memset(p, 0, sizeof(*p));
	READ_FIELD(&rd, 0, p->id);
	read_blob(&rd, 1, &p->credential_id);
	read_blob(&rd, 2, &p->public_key);
	read_blob(&rd, 3, &p->tag);
	read_blob(&rd, 4, &p->name_sealed);
	p->sign_count = sqlite3_column_int64(s, 5);
	READ_FIELD(&rd, 6, p->created_at);
	READ_FIELD(&rd, 7, p->last_used_at);
	READ_FIELD(&rd, 8, p->member_id);
	if (sqlite3_column_type(s, 9) != SQLITE_NULL)
		read_blob(&rd, 9, &p->signin);
	if (sqlite3_column_type(s, 10) != SQLITE_NULL)
		read_blob(&rd, 10, &p->mk_sealed);
	READ_FIELD(&rd, 11, p->couple_id);
	if (rd.r != 0)
		store_passkey_free(p);
	return rd.r;
}

static int read_passkey(sqlite3_stmt *s, void *p)
{
	return sq_passkey_read(s, p);
}

static void free_passkeys(void *rows, size_t n)
{
	store_passkey_list_free(rows, n);
}

static int sq_passkey_list(struct store *st, const char *couple_id, const char *member_id,
			   struct passkey_row **ret, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!member_id || !ret || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_LIST, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	/* at most STORE_PASSKEYS_MAX by the insert's own rule: no limit of the list's */
	r = b.r ? b.r
		: sq_rows(b.s, SIZE_MAX, sizeof(**ret), read_passkey, free_passkeys, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret = p;
	return r;
}

static int sq_passkey_get(struct store *st, const char *couple_id, const char *member_id,
			  const unsigned char *cred_id, size_t len, struct passkey_row *ret)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!member_id || !cred_id || !ret)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_GET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_blob(&b, 2, cred_id, len, false);
	bind_text(&b, 3, couple_id);
	r = b.r ? b.r : sq_read(b.s);
	if (r == 0)
		r = sq_passkey_read(b.s, ret);
	sq_done(b.s);
	return r;
}

static int sq_passkey_use(struct store *st, const char *couple_id, const char *member_id,
			  const char *id, int64_t old_count, int64_t new_count, const char *now)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_PASSKEY_USE, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, id);
	bind_i64(&b, 3, old_count);
	bind_i64(&b, 4, new_count);
	bind_text(&b, 5, now);
	bind_text(&b, 6, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

static int sq_passkey_delete(struct store *st, const char *couple_id, const char *member_id,
			     const char *id)
{
	int changes = 0;
	int r;

	if (!couple_id || !member_id || !id)
		return -EINVAL;
	r = sq_write_texts(to_sq(st), SQ_PASSKEY_DELETE, member_id, id, couple_id, &changes);

	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_challenge_put(struct store *st, const char *couple_id, const char *member_id,
			    const unsigned char *hash, const char *purpose, const char *origin,
			    int64_t expires_s)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	bool nested;
	int r;

	if (!hash || !couple_id)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	/* the couple's expired ones go */
	r = sq_prep(sq, SQ_CHALLENGE_PURGE, &b.s);
	if (r == 0) {
		bind_text(&b, 1, couple_id);
		bind_i64(&b, 2, (int64_t)time(NULL));
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	if (r == 0)
		r = sq_prep(sq, SQ_CHALLENGE_PUT, &b.s);
	if (r == 0) {
		bind_text(&b, 1, couple_id);
		bind_text(&b, 2, member_id);
		bind_blob(&b, 3, hash, STORE_CHALLENGE_HASH_LEN, false);
		bind_text(&b, 4, purpose);
		bind_text(&b, 5, origin);
		bind_i64(&b, 6, expires_s);
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	return sq_tx_leave(sq, nested, r);
}

/*
 * Reads the origin of the challenge statement take finds and deletes it
 * with del, in one transaction: of two requests with one challenge, one
 * has it.  Both statements number their parameters alike: ?1 the member
 * (NULL for a sign-in's), ?2 the hash, ?3 the purpose, ?4 now.
 */
static int sq_origin_take(struct sq *sq, enum sq_stmt take, enum sq_stmt del, const char *couple_id,
			  const char *member_id, const unsigned char *hash, const char *purpose,
			  int64_t now_s, char *ret_origin, size_t len)
{
	struct binder b = {NULL, 0};
	bool nested;
	int r;

	/* ?1 the couple, ?2 the member (NULL for a sign-in's), ?3 the hash, ?4 the purpose, ?5 now
	 */
	if (!hash || !ret_origin || len == 0)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_prep(sq, take, &b.s);
	if (r == 0) {
		bind_text_or_null(&b, 1, couple_id);
		bind_text_or_null(&b, 2, member_id);
		bind_blob(&b, 3, hash, STORE_CHALLENGE_HASH_LEN, false);
		bind_text_or_null(&b, 4, purpose);
		bind_i64(&b, 5, now_s);
		r = b.r ? b.r : sq_read(b.s);
		if (r == 0) {
			struct reader rd = {b.s, 0, 0};

			read_text(&rd, 0, ret_origin, len);
			r = rd.r;
		}
		sq_done(b.s);
	}
	if (r == 0)
		r = sq_prep(sq, del, &b.s);
	if (r == 0) {
		bind_text_or_null(&b, 1, couple_id);
		bind_text_or_null(&b, 2, member_id);
		bind_blob(&b, 3, hash, STORE_CHALLENGE_HASH_LEN, false);
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	return sq_tx_leave(sq, nested, r);
}

static int sq_challenge_take(struct store *st, const char *couple_id, const char *member_id,
			     const unsigned char *hash, const char *purpose, int64_t now_s,
			     char *ret_origin, size_t len)
{
	if (!couple_id || !member_id)
		return -EINVAL;
	return sq_origin_take(to_sq(st), SQ_CHALLENGE_TAKE, SQ_CHALLENGE_DELETE, couple_id,
			      member_id, hash, purpose, now_s, ret_origin, len);
}

static int sq_passkey_signin_set(struct store *st, const char *couple_id, const char *member_id,
				 const char *id, const struct blob *signin,
				 const struct blob *mk_sealed)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !id || !signin != !mk_sealed)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_SIGNIN_SET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, id);
	/* empty (or none): NULL, a passkey that no longer signs in alone */
	bind_blob(&b, 3, signin ? signin->data : NULL, signin ? signin->len : 0, true);
	bind_blob(&b, 4, mk_sealed ? mk_sealed->data : NULL, mk_sealed ? mk_sealed->len : 0, true);
	bind_text(&b, 5, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_passkey_find(struct store *st, const unsigned char *cred_id, size_t len,
			   struct passkey_row **ret, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!cred_id || len == 0 || !ret || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_FIND, &b.s);
	if (r < 0)
		return r;
	bind_blob(&b, 1, cred_id, len, false);
	r = b.r ? b.r
		: sq_rows(b.s, SIZE_MAX, sizeof(**ret), read_passkey, free_passkeys, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret = p;
	return r;
}

static int sq_signin_challenge_put(struct store *st, const unsigned char *hash,
				   const unsigned char *address, const char *origin,
				   int64_t expires_s)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	bool nested;
	int changes = 0, r;

	if (!hash || !origin || !address)
		return -EINVAL;
	r = sq_tx_enter(sq, &nested);
	if (r < 0)
		return r;
	r = sq_prep(sq, SQ_SIGNIN_CHALLENGE_PURGE, &b.s);
	if (r == 0) {
		bind_i64(&b, 1, (int64_t)time(NULL));
		r = b.r ? b.r : sq_write(sq, b.s, NULL);
		sq_done(b.s);
	}
	if (r == 0)
		r = sq_prep(sq, SQ_SIGNIN_CHALLENGE_PUT, &b.s);
	if (r == 0) {
		bind_blob(&b, 1, hash, STORE_CHALLENGE_HASH_LEN, false);
		bind_text(&b, 2, origin);
		bind_blob(&b, 3, address, STORE_THROTTLE_KEY_LEN, false);
		bind_i64(&b, 4, expires_s);
		bind_i64(&b, 5, STORE_SIGNIN_CHALLENGES_MAX);
		bind_i64(&b, 6, STORE_SIGNIN_CHALLENGES_PER_ADDRESS);
		r = b.r ? b.r : sq_write(sq, b.s, &changes);
		sq_done(b.s);
		if (r == 0 && changes == 0)
			r = STORE_CONFLICT;
	}
	return sq_tx_leave(sq, nested, r);
}

static int sq_signin_challenge_take(struct store *st, const unsigned char *hash, int64_t now_s,
				    char *ret_origin, size_t len)
{
	return sq_origin_take(to_sq(st), SQ_SIGNIN_CHALLENGE_TAKE, SQ_SIGNIN_CHALLENGE_DELETE, NULL,
			      NULL, hash, NULL, now_s, ret_origin, len);
}

/* ---- end of passkeys ---------------------------------------------------------------- */

/* ---- leaving the couple (migration 0014) ------------------------------------------- */

static int sq_couple_rekey_due(struct store *st, const char *couple_id, const char *member_id)
{
	return sq_exists(to_sq(st), SQ_REKEY_DUE, couple_id, member_id, NULL);
}

static int sq_couple_rekey_mark(struct store *st, const char *couple_id, const char *except_id)
{
	struct sq *sq = to_sq(st);
	int r;

	if (!couple_id)
		return -EINVAL;
	r = sq_write_ids(sq, SQ_REKEY_MARK_KEYS, couple_id, except_id, NULL);
	if (r == 0)
		r = sq_write_ids(sq, SQ_REKEY_MARK_SESSIONS, couple_id, except_id, NULL);
	if (r == 0)
		r = sq_write_ids(sq, SQ_REKEY_MARK_COUPLE, couple_id, NULL, NULL);
	return r;
}

static int sq_couple_former(struct store *st, const char *couple_id, int *ret)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_row_by_key(to_sq(st), SQ_COUPLE_FORMER, couple_id, &s);
	if (r != 0)
		return r;
	*ret = sqlite3_column_int(s, 0) != 0;
	sq_done(s);
	return 0;
}

static int sq_session_rekeyed(struct store *st, const char *session_id, const char *couple_id,
			      const struct blob *keys_sealed)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!session_id || !couple_id || !keys_sealed)
		return -EINVAL;
	r = sq_prep(sq, SQ_SESSION_REKEYED, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, session_id);
	bind_text(&b, 2, couple_id);
	bind_blob(&b, 3, keys_sealed->data, keys_sealed->len, false);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_old_key_add(struct store *st, const char *member_id, const char *couple_id,
			  const struct blob *sealed, const char *now)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!member_id || !couple_id || !sealed || !now)
		return -EINVAL;
	r = sq_prep(sq, SQ_OLD_KEY_ADD, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	bind_blob(&b, 3, sealed->data, sealed->len, false);
	bind_text(&b, 4, now);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_old_keys_get(struct store *st, const char *member_id, const char *couple_id,
			   size_t max, struct blob **ret, int64_t **ret_n, size_t *ret_count)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	struct blob *keys = NULL;
	int64_t *nums = NULL;
	size_t n = 0;
	int r, rc = SQLITE_DONE;

	if (!ret || !ret_n || !ret_count || max == 0)
		return -EINVAL;
	keys = calloc(max, sizeof(*keys));
	nums = calloc(max, sizeof(*nums));
	if (!keys || !nums) {
		free(keys);
		free(nums);
		return -ENOMEM;
	}
	r = sq_prep(sq, SQ_OLD_KEYS_GET, &b.s);
	if (r == 0) {
		bind_text(&b, 1, member_id);
		bind_text(&b, 2, couple_id);
		bind_i64(&b, 3, sq_limit(max));
		r = b.r;
		while (r == 0 && n < max && (rc = sqlite3_step(b.s)) == SQLITE_ROW) {
			struct reader rd = {b.s, 0, 0};

			nums[n] = sqlite3_column_int64(b.s, 0);
			read_blob(&rd, 1, &keys[n]);
			r = rd.r;
			if (r == 0)
				n++;
		}
		if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
			r = sq_errno(rc);
		sq_done(b.s);
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

/* ---- a new master key (issue 11 part 4) ---- */

static int sq_old_key_set(struct store *st, const char *member_id, const char *couple_id, int64_t n,
			  const struct blob *sealed)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !couple_id || !sealed)
		return -EINVAL;
	r = sq_prep(sq, SQ_OLD_KEY_SET, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	bind_i64(&b, 3, n);
	bind_blob(&b, 4, sealed->data, sealed->len, false);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_old_keys_drop_others(struct store *st, const char *member_id, const char *couple_id)
{
	if (!member_id || !couple_id)
		return -EINVAL;
	return sq_write_ids(to_sq(st), SQ_OLD_KEYS_DROP, member_id, couple_id, NULL);
}

static int sq_totp_reseal(struct store *st, const char *couple_id, const char *member_id,
			  const struct blob *sealed)
{
	int changes = 0, r;

	if (!sealed || !sealed->data)
		return -EINVAL;
	r = sq_member_write(to_sq(st), SQ_TOTP_RESEAL, couple_id, member_id, 0, sealed->data,
			    sealed->len, &changes);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_passkey_reseal(struct store *st, const char *couple_id, const char *member_id,
			     const char *id, const struct blob *tag, const struct blob *name_sealed)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !id || !tag || !name_sealed)
		return -EINVAL;
	r = sq_prep(sq, SQ_PASSKEY_RESEAL, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, id);
	bind_blob(&b, 3, tag->data, tag->len, false);
	bind_blob(&b, 4, name_sealed->data, name_sealed->len, false);
	bind_text(&b, 5, couple_id);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_NOTFOUND : r;
}

static int sq_member_leave(struct store *st, const char *couple_id, const char *member_id,
			   const char *ghost_id, const char *to_couple, const char *keep_id,
			   const char *now)
{
	/* what is the member's own goes with them: ?1 the member, ?2 the new couple, ?3 the old */
	static const enum sq_stmt moves[] = {
		SQ_LEAVE_SESSION_MOVE, SQ_LEAVE_DEVICES,    SQ_LEAVE_TOTP,  SQ_LEAVE_RCODES,
		SQ_LEAVE_PASSKEYS,     SQ_LEAVE_CHALLENGES, SQ_LEAVE_AUDIT, SQ_LEAVE_MOVE,
	};
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!couple_id || !member_id || !ghost_id || !to_couple || !now)
		return -EINVAL;
	r = sq_exec(sq, SQ_DEFER_FKS);
	if (r == 0)
		r = sq_write_texts(sq, SQ_LEAVE_COUPLE, couple_id, to_couple, now, NULL);
	if (r == 0)
		r = sq_prep(sq, SQ_LEAVE_GHOST, &b.s);
	if (r == 0) {
		bind_text(&b, 1, member_id);
		bind_text(&b, 2, ghost_id);
		bind_text(&b, 3, now);
		bind_text(&b, 4, couple_id);
		r = b.r ? b.r : sq_write(sq, b.s, &changes);
		sq_done(b.s);
		if (r == 0 && changes != 1)
			r = STORE_NOTFOUND;
	}
	if (r == 0)
		r = sq_write_ids(sq, SQ_LEAVE_KEY, member_id, couple_id, NULL);
	if (r == 0)
		r = sq_write_texts(sq, SQ_LEAVE_SESSIONS, member_id, keep_id ? keep_id : "",
				   couple_id, NULL);
	for (size_t i = 0; r == 0 && i < sizeof(moves) / sizeof(moves[0]); i++)
		r = sq_write_texts(sq, moves[i], member_id, to_couple, couple_id, NULL);
	return r;
}

static int sq_items_of_author(struct store *st, const char *couple_id, const char *author_id,
			      struct item_row **ret_rows, size_t *ret_n)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	void *p = NULL;
	int r;

	if (!ret_rows || !ret_n)
		return -EINVAL;
	r = sq_prep(sq, SQ_ITEMS_OF_AUTHOR, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, author_id);
	r = b.r ? b.r
		: sq_rows(b.s, SIZE_MAX, sizeof(**ret_rows), read_item, free_items, &p, ret_n);
	sq_done(b.s);
	if (r == 0)
		*ret_rows = p;
	return r;
}

/* ---- the care team (migration 0016) ------------------------------------- */

/* Column order: CARE_INVITE_COLS. */
static int read_care_invite(sqlite3_stmt *s, void *p)
{
	struct care_invite_row *row = p;
	struct reader rd = {s, 0, 0};

	memset(row, 0, sizeof(*row));
	READ_FIELD(&rd, 0, row->id);
	READ_FIELD(&rd, 1, row->couple_id);
	READ_FIELD(&rd, 2, row->proposed_by);
	READ_FIELD(&rd, 3, row->approved_by);
	READ_FIELD(&rd, 4, row->status);
	read_blob(&rd, 5, &row->note_sealed);
	READ_FIELD(&rd, 6, row->created_at);
	READ_FIELD(&rd, 7, row->updated_at);
	if (rd.r != 0)
		store_blob_free(&row->note_sealed);
	return rd.r;
}

static void free_care_invites(void *rows, size_t n)
{
	store_care_invite_list_free(rows, n);
}

static int sq_care_invite_insert(struct store *st, const struct care_invite_row *row)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!row)
		return -EINVAL;
	r = sq_prep(sq, SQ_CARE_INVITE_INSERT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, row->id);
	bind_text(&b, 2, row->couple_id);
	bind_text(&b, 3, row->proposed_by);
	bind_text(&b, 4, row->approved_by);
	bind_text(&b, 5, row->status);
	bind_blob(&b, 6, row->note_sealed.data, row->note_sealed.len, false);
	bind_text(&b, 7, row->created_at);
	bind_text(&b, 8, row->updated_at);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_care_invite_get(struct store *st, const char *couple_id, const char *id,
			      struct care_invite_row *ret)
{
	sqlite3_stmt *s = NULL;
	struct care_invite_row row;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_CARE_INVITE_GET, couple_id, id, &s);
	if (r != 0)
		return r;
	r = read_care_invite(s, &row);
	sq_done(s);
	if (r == 0)
		*ret = row;
	return r;
}

static int sq_care_invite_list(struct store *st, const char *couple_id,
			       struct care_invite_row **ret, size_t *ret_n)
{
	void *p = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_couple_rows(st, SQ_CARE_INVITE_LIST, couple_id, sizeof(**ret), read_care_invite,
			   free_care_invites, &p, ret_n);
	if (r == 0)
		*ret = p;
	return r;
}

static int sq_care_invite_move(struct store *st, const char *couple_id, const char *id,
			       const char *old_status, const char *status, const char *approved_by,
			       const char *now)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	r = sq_prep(sq, SQ_CARE_INVITE_MOVE, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, id);
	bind_text(&b, 3, old_status);
	bind_text(&b, 4, status);
	bind_text_or_null(&b, 5, approved_by);
	bind_text(&b, 6, now);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_care_invites_cancel_approved(struct store *st, const char *couple_id, const char *now)
{
	return sq_write_ids(to_sq(st), SQ_CARE_INVITES_CANCEL, couple_id, now, NULL);
}

/* The one blob column of the one-row query id for its keys. */
static int sq_blob_by_keys(struct sq *sq, enum sq_stmt id, const char *key, const char *key2,
			   struct blob *ret)
{
	sqlite3_stmt *s = NULL;
	struct reader rd;
	struct blob out;
	int r;

	if (!ret)
		return -EINVAL;
	r = sq_row_by_keys(sq, id, key, key2, &s);
	if (r != 0)
		return r;
	rd = (struct reader){s, 0, 0};
	read_blob(&rd, 0, &out);
	sq_done(s);
	if (rd.r == 0)
		*ret = out;
	return rd.r;
}

static int sq_care_key_get(struct store *st, const char *couple_id, struct blob *ret)
{
	return sq_blob_by_keys(to_sq(st), SQ_CARE_KEY_GET, couple_id, NULL, ret);
}

static int sq_care_key_put(struct store *st, const char *couple_id, const struct blob *sealed,
			   const char *now)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!sealed || !sealed->len)
		return -EINVAL;
	r = sq_prep(sq, SQ_CARE_KEY_PUT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_blob(&b, 2, sealed->data, sealed->len, false);
	bind_text(&b, 3, now);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_care_key_delete(struct store *st, const char *couple_id)
{
	return sq_write_ids(to_sq(st), SQ_CARE_KEY_DELETE, couple_id, NULL, NULL);
}

static int sq_care_wrap_get(struct store *st, const char *couple_id, const char *member_id,
			    struct blob *ret)
{
	return sq_blob_by_keys(to_sq(st), SQ_CARE_WRAP_GET, couple_id, member_id, ret);
}

static int sq_care_wrap_put(struct store *st, const char *couple_id, const char *member_id,
			    const struct blob *wrapped)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int r;

	if (!wrapped || !wrapped->len)
		return -EINVAL;
	r = sq_prep(sq, SQ_CARE_WRAP_PUT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, member_id);
	bind_blob(&b, 3, wrapped->data, wrapped->len, false);
	r = b.r ? b.r : sq_write(sq, b.s, NULL);
	sq_done(b.s);
	return r;
}

static int sq_care_wrap_delete(struct store *st, const char *couple_id, const char *member_id)
{
	return sq_write_ids(to_sq(st), SQ_CARE_WRAP_DELETE, couple_id, member_id, NULL);
}

static int sq_care_end(struct store *st, const char *couple_id, const char *member_id,
		       const char *now)
{
	int changes = 0,
	    r = sq_write_texts(to_sq(st), SQ_CARE_END, couple_id, member_id, now, &changes);

	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

static int sq_items_care(struct store *st, const char *couple_id, struct item_row **ret_rows,
			 size_t *ret_n)
{
	void *p = NULL;
	int r;

	if (!ret_rows)
		return -EINVAL;
	r = sq_couple_rows(st, SQ_ITEMS_CARE, couple_id, sizeof(**ret_rows), read_item, free_items,
			   &p, ret_n);
	if (r == 0)
		*ret_rows = p;
	return r;
}

static int sq_row_version(struct store *st, enum store_table table, const char *couple_id,
			  const char *id, int64_t *ret)
{
	static const enum sq_stmt stmt[] = {
		[STORE_TABLE_ITEMS] = SQ_VERSION_ITEM,
		[STORE_TABLE_JOURNAL] = SQ_VERSION_JOURNAL,
		[STORE_TABLE_STATEMENTS] = SQ_VERSION_STATEMENT,
		[STORE_TABLE_CHECKINS] = SQ_VERSION_CHECKIN,
		[STORE_TABLE_SAFETY] = SQ_VERSION_SAFETY,
	};
	sqlite3_stmt *s = NULL;
	int r;

	if ((unsigned)table >= sizeof(stmt) / sizeof(stmt[0]) || !couple_id || !id || !ret)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), stmt[table], couple_id, id, &s);
	if (r != 0)
		return r;
	*ret = sqlite3_column_int64(s, 0);
	sq_done(s);
	return 0;
}

static int sq_rehome(struct store *st, enum store_table table, const char *couple_id,
		     const char *kind, const char *id, const char *to_couple, const char *to_author,
		     const struct blob *sealed, const struct blob *sealed2)
{
	static const enum sq_stmt stmt[] = {
		[STORE_TABLE_ITEMS] = SQ_REHOME_ITEM,
		[STORE_TABLE_JOURNAL] = SQ_REHOME_JOURNAL,
		[STORE_TABLE_STATEMENTS] = SQ_REHOME_STATEMENT,
		[STORE_TABLE_CHECKINS] = SQ_REHOME_CHECKIN,
	};
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if ((unsigned)table >= sizeof(stmt) / sizeof(stmt[0]) || !couple_id || !id || !to_couple ||
	    !to_author || !sealed)
		return -EINVAL;
	r = sq_prep(sq, stmt[table], &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, couple_id);
	bind_text(&b, 2, table == STORE_TABLE_ITEMS && kind ? kind : "");
	bind_text(&b, 3, id);
	bind_text(&b, 4, to_couple);
	bind_text(&b, 5, to_author);
	bind_blob(&b, 6, sealed->data, sealed->len, false);
	if (table == STORE_TABLE_JOURNAL)
		bind_blob(&b, 7, sealed2 ? sealed2->data : NULL, sealed2 ? sealed2->len : 0, true);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	if (r == 0 && changes == 0)
		r = STORE_NOTFOUND;
	return r;
}

/* ---- end of leaving the couple ------------------------------------------------------ */

/* ---- the private safety check (migration 0012) ------------------------------------ */

static int sq_safety_get(struct store *st, const char *couple_id, const char *member_id,
			 struct safety_row *ret)
{
	sqlite3_stmt *s = NULL;
	struct safety_row row;
	struct reader rd;
	int r;

	if (!couple_id || !member_id || !ret)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_SAFETY_GET, couple_id, member_id, &s);
	if (r != 0)
		return r;
	memset(&row, 0, sizeof(row));
	rd = (struct reader){s, 0, 0};
	READ_FIELD(&rd, 0, row.id);
	row.version = sqlite3_column_int64(s, 1);
	read_blob(&rd, 2, &row.sealed);
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", couple_id);
	snprintf(row.member_id, sizeof(row.member_id), "%s", member_id);
	sq_done(s);
	if (rd.r == 0)
		*ret = row;
	else
		store_safety_free(&row);
	return rd.r;
}

static int sq_safety_put(struct store *st, const struct safety_row *row, int64_t old_version)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!row || !row->sealed.data || old_version < 0)
		return -EINVAL;
	r = sq_prep(sq, old_version ? SQ_SAFETY_UPDATE : SQ_SAFETY_INSERT, &b.s);
	if (r < 0)
		return r;
	BIND_FIELD(&b, 1, row->couple_id);
	BIND_FIELD(&b, 2, row->member_id);
	BIND_FIELD(&b, 3, row->id);
	bind_i64(&b, 4, row->version);
	bind_blob(&b, 5, row->sealed.data, row->sealed.len, false);
	if (old_version)
		bind_i64(&b, 6, old_version);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

/* ---- end of the safety check ------------------------------------------------------- */

/* ---- the ledger of latest versions (migration 0015) -------------------------------- */

static int sq_ledger_get(struct store *st, const char *member_id, const char *couple_id,
			 struct blob *ret, int64_t *gen)
{
	sqlite3_stmt *s = NULL;
	struct reader rd;
	struct blob b = {NULL, 0};
	int r;

	if (!member_id || !couple_id || !ret || !gen)
		return -EINVAL;
	r = sq_row_by_keys(to_sq(st), SQ_LEDGER_GET, member_id, couple_id, &s);
	if (r != 0)
		return r;
	rd = (struct reader){s, 0, 0};
	*gen = sqlite3_column_int64(s, 0);
	read_blob(&rd, 1, &b);
	sq_done(s);
	if (rd.r == 0)
		*ret = b;
	else
		store_blob_free(&b);
	return rd.r;
}

static int sq_ledger_put(struct store *st, const char *member_id, const char *couple_id,
			 const struct blob *sealed, int64_t old_gen)
{
	struct sq *sq = to_sq(st);
	struct binder b = {NULL, 0};
	int changes = 0, r;

	if (!member_id || !couple_id || !sealed || !sealed->data || old_gen < 0)
		return -EINVAL;
	r = sq_prep(sq, old_gen ? SQ_LEDGER_UPDATE : SQ_LEDGER_INSERT, &b.s);
	if (r < 0)
		return r;
	bind_text(&b, 1, member_id);
	bind_text(&b, 2, couple_id);
	bind_blob(&b, 3, sealed->data, sealed->len, false);
	if (old_gen)
		bind_i64(&b, 4, old_gen);
	r = b.r ? b.r : sq_write(sq, b.s, &changes);
	sq_done(b.s);
	return r == 0 && changes == 0 ? STORE_CONFLICT : r;
}

/* ---- end of the ledger -------------------------------------------------------------- */

const struct store_ops store_sqlite_ops = {
	.couple_rekey_due = sq_couple_rekey_due,
	.couple_rekey_mark = sq_couple_rekey_mark,
	.couple_former = sq_couple_former,
	.session_rekeyed = sq_session_rekeyed,
	.old_key_add = sq_old_key_add,
	.old_keys_get = sq_old_keys_get,
	.old_key_set = sq_old_key_set,
	.old_keys_drop_others = sq_old_keys_drop_others,
	.totp_reseal = sq_totp_reseal,
	.passkey_reseal = sq_passkey_reseal,
	.passkey_signin_set = sq_passkey_signin_set,
	.member_leave = sq_member_leave,
	.items_of_author = sq_items_of_author,
	.care_invite_insert = sq_care_invite_insert,
	.care_invite_get = sq_care_invite_get,
	.care_invite_list = sq_care_invite_list,
	.care_invite_move = sq_care_invite_move,
	.care_invites_cancel_approved = sq_care_invites_cancel_approved,
	.care_key_get = sq_care_key_get,
	.care_key_put = sq_care_key_put,
	.care_key_delete = sq_care_key_delete,
	.care_wrap_get = sq_care_wrap_get,
	.care_wrap_put = sq_care_wrap_put,
	.care_wrap_delete = sq_care_wrap_delete,
	.care_end = sq_care_end,
	.items_care = sq_items_care,
	.row_version = sq_row_version,
	.rehome = sq_rehome,
	.name = "sqlite",
	.close = sq_close,
	.reopen = sq_reopen,
	.fault = sq_fault,
	.fatal = sq_fatal,
	.rescue = sq_rescue,
	.begin = sq_begin,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.backup = sq_backup,
	.check = sq_check,
	.scrub = sq_scrub,
	.files_dir = sq_files_dir,
	.couple_insert = sq_couple_insert,
	.couple_get = sq_couple_get,
	.couple_members = sq_couple_members,
	.couple_delete = sq_couple_delete,
	.member_insert = sq_member_insert,
	.member_get = sq_member_get,
	.member_get_by_login = sq_member_get_by_login,
	.member_standing = sq_member_standing,
	.member_set_password = sq_member_set_password,
	.member_set_recovery = sq_member_set_recovery,
	.member_set_secret_key = sq_member_set_secret_key,
	.member_set_language = sq_member_set_language,
	.member_set_profile = sq_member_set_profile,
	.member_delete = sq_member_delete,
	.couple_key_put = sq_couple_key_put,
	.couple_key_get = sq_couple_key_get,
	.invite_insert = sq_invite_insert,
	.invite_get = sq_invite_get,
	.invite_consume = sq_invite_consume,
	.invite_revoke_open = sq_invite_revoke_open,
	.session_insert = sq_session_insert,
	.session_get = sq_session_get,
	.session_touch = sq_session_touch,
	.session_set_locked = sq_session_set_locked,
	.session_delete = sq_session_delete,
	.session_delete_member = sq_session_delete_member,
	.session_purge = sq_session_purge,
	.journal_insert = sq_journal_insert,
	.journal_get = sq_journal_get,
	.journal_list = sq_journal_list,
	.journal_each = sq_journal_each,
	.journal_update = sq_journal_update,
	.journal_delete = sq_journal_delete,
	.audit_append = sq_audit_append,
	/* ---- statements (migration 0002) ---- */
	.statement_insert = sq_statement_insert,
	.statement_get = sq_statement_get,
	.statement_list = sq_statement_list,
	.statement_update = sq_statement_update,
	/* ---- end of statements ---- */
	/* ---- sign-in throttling (migration 0004) ---- */
	.throttle_add = sq_throttle_add,
	.throttle_nth = sq_throttle_nth,
	.throttle_clear = sq_throttle_clear,
	/* ---- end of sign-in throttling ---- */
	/* ---- check-ins and the rhythm (migration 0003) ---- */
	.couple_set_rhythm = sq_couple_set_rhythm,
	.checkin_insert = sq_checkin_insert,
	.checkin_get = sq_checkin_get,
	.checkin_update = sq_checkin_update,
	.checkin_list = sq_checkin_list,
	.checkins_care = sq_checkins_care,
	/* ---- end of check-ins ---- */
	.item_insert = sq_item_insert,
	.item_get = sq_item_get,
	.item_list = sq_item_list,
	.item_update = sq_item_update,
	.item_delete = sq_item_delete,
	.device_put = sq_device_put,
	.device_login = sq_device_login,
	.device_forget = sq_device_forget,
	.totp_put = sq_totp_put,
	.totp_get = sq_totp_get,
	.totp_activate = sq_totp_activate,
	.totp_use_step = sq_totp_use_step,
	.totp_delete = sq_totp_delete,
	.recovery_code_use = sq_recovery_code_use,
	.recovery_code_count = sq_recovery_code_count,
	.passkey_put = sq_passkey_put,
	.passkey_list = sq_passkey_list,
	.passkey_get = sq_passkey_get,
	.passkey_use = sq_passkey_use,
	.passkey_delete = sq_passkey_delete,
	.challenge_put = sq_challenge_put,
	.challenge_take = sq_challenge_take,
	.passkey_find = sq_passkey_find,
	.signin_challenge_put = sq_signin_challenge_put,
	.signin_challenge_take = sq_signin_challenge_take,
	.safety_get = sq_safety_get,
	.safety_put = sq_safety_put,
	.ledger_get = sq_ledger_get,
	.ledger_put = sq_ledger_put,
	/* ---- signed-in devices and the sign-in history (migration 0011) ---- */
	.audit_add = sq_audit_add,
	.audit_list = sq_audit_list,
	.session_list = sq_session_list,
	.session_end_own = sq_session_end_own,
	.session_end_others = sq_session_end_others,
	.device_set_session = sq_device_set_session,
	.notice_seen_get = sq_notice_seen_get,
	.notice_seen_set = sq_notice_seen_set,
};

/* ---- opening and migrations --------------------------------------------- */

static int sq_user_version(struct sq *sq, int *ret)
{
	sqlite3_stmt *s = NULL;
	int r;

	r = sq_prep(sq, SQ_USER_VERSION, &s);
	if (r < 0)
		return r;
	r = sq_read(s);
	if (r == 0)
		*ret = sqlite3_column_int(s, 0);
	else if (r > 0)
		r = -EIO;
	sq_done(s);
	return r;
}

/*
 * sq_temp_beside() - while migrations run, SQLite's temporary files (a
 * CREATE INDEX's sorter, a statement journal) are files beside the database
 * instead of memory: a migration that makes a large table again (0019)
 * sorts about 1.5 GB at 10,000 couples, more than a small host's memory
 * (a file being upgraded: a new one, of version 0, has nothing to sort).
 * Elsewhere temp_store stays MEMORY (sq_configure() says why).  The files
 * are SQLite's, unlinked as soon as they are opened, in the folder the
 * server may write anyway.  sqlite3_temp_directory is the process's: it is
 * set only while the one thread opening a store migrates it (a server's
 * workers start later, and their handles are never migrated: reopen), and
 * cleared after.
 */
static int sq_temp_beside(struct sq *sq, bool on)
{
	const char *path = sq->sh->path, *slash = strrchr(path, '/');
	int rc;

	if (on) {
		if (slash)
			sqlite3_temp_directory = sqlite3_mprintf(
				"%.*s", slash == path ? 1 : (int)(slash - path), path);
		else
			sqlite3_temp_directory = sqlite3_mprintf(".");
		if (!sqlite3_temp_directory)
			return -ENOMEM;
	}
	rc = sqlite3_exec(sq->db, on ? "PRAGMA temp_store = FILE" : "PRAGMA temp_store = MEMORY",
			  NULL, NULL, NULL);
	if (!on || rc != SQLITE_OK) {
		sqlite3_free(sqlite3_temp_directory);
		sqlite3_temp_directory = NULL;
	}
	return rc == SQLITE_OK ? 0 : sq_errno(rc);
}

/*
 * Apply the pending migrations, each in its own BEGIN IMMEDIATE transaction.
 * The version is read again under the write lock, so two processes opening a
 * fresh file at once apply each migration exactly once.  *v follows the
 * file's version.
 */
static int sq_migrate_each(struct sq *sq, int latest, int *v, const char **reason)
{
	const struct store_migration *m;
	int r, rc;

	for (size_t i = 0; i < store_sqlite_migrations_n && *v < latest; i++) {
		m = &store_sqlite_migrations[i];
		if (m->version <= *v)
			continue;
		*reason = "cannot apply a database migration";
		r = sq_exec(sq, SQ_BEGIN);
		if (r < 0)
			return r;
		r = sq_user_version(sq, v);
		if (r == 0 && m->version > *v) {
			rc = sqlite3_exec(sq->db, m->sql, NULL, NULL, NULL);
			r = rc == SQLITE_OK ? 0 : sq_errno(rc);
		}
		if (r == 0)
			r = sq_exec(sq, SQ_COMMIT);
		if (r < 0) {
			if (!sqlite3_get_autocommit(sq->db))
				sq_exec(sq, SQ_ROLLBACK);
			return r;
		}
		r = sq_user_version(sq, v);
		if (r < 0)
			return r;
	}
	return 0;
}

static int sq_migrate(struct sq *sq, const char **reason)
{
	int latest, v, r;

	*reason = "cannot read the database schema version";
	if (!sqlite3_get_autocommit(sq->db))
		return -EINVAL;
	latest = store_sqlite_migrations[store_sqlite_migrations_n - 1].version;
	r = sq_user_version(sq, &v);
	if (r < 0)
		return r;
	if (v < latest) {
		/* a new file (0) has nothing to sort, and temporary files would
		 * cost its nineteen migrations 0.2 s more (every test's server
		 * makes one) */
		bool beside = v > 0;

		*reason = "cannot apply a database migration";
		r = beside ? sq_temp_beside(sq, true) : 0;
		if (r == 0)
			r = sq_migrate_each(sq, latest, &v, reason);
		if (beside && sq_temp_beside(sq, false) < 0 && r == 0)
			r = -EIO;
		if (r < 0)
			return r;
	}
	if (v > latest) {
		*reason = "the database was made by a newer version of kintsugi";
		return -EIO;
	}
	return v;
}

/* store_sqlite_migrate() - see store-sqlite.h. */
int store_sqlite_migrate(struct store *st)
{
	const char *reason;

	if (!st || st->ops != &store_sqlite_ops)
		return -EINVAL;
	return sq_migrate(to_sq(st), &reason);
}

/* store_sqlite_db() - see store-sqlite.h. */
sqlite3 *store_sqlite_db(struct store *st)
{
	if (!st || st->ops != &store_sqlite_ops)
		return NULL;
	return to_sq(st)->db;
}

/* mkdir -p, each created directory with mode SQ_DIR_MODE; dir is modified in between. */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, SQ_DIR_MODE) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(dir, SQ_DIR_MODE) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * The folder of the database file path into out (strlen(path) + 2 bytes
 * always fit): a bare file name lives in ".", "/name" in the root.
 * 0 or -ENAMETOOLONG.
 */
static int sq_dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);

	if (n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(out, slash ? path : ".", n);
	out[n] = '\0';
	return 0;
}

static int sq_files_dir(struct store *st, char *out, size_t len)
{
	return sq_dir_of(to_sq(st)->sh->path, out, len);
}

/*
 * Make sure the directory exists (created 0700 when missing), the file exists
 * (created 0600 when missing: SQLite gives the -wal and -shm files the same
 * mode) and the directory is writable, since the write-ahead log lives there.
 * Creating the file ourselves also means SQLite never creates it with the
 * process umask.
 */
static int sq_prepare_file(const char *path, char *errbuf, size_t errlen)
{
	struct stat sb;
	char *dir;
	int r = 0;

	dir = malloc(strlen(path) + 2);
	if (!dir || sq_dir_of(path, dir, strlen(path) + 2) < 0) {
		free(dir);
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}

	if (stat(dir, &sb) < 0) {
		if (errno != ENOENT) {
			r = errno_to_store(errno);
			set_reason(errbuf, errlen, "cannot reach the database directory");
			goto out;
		}
		r = make_dirs(dir);
		if (r < 0) {
			r = errno_to_store(-r);
			set_reason(errbuf, errlen, "cannot create the database directory");
			goto out;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		r = -ENOENT;
		set_reason(errbuf, errlen, "the database directory is not a directory");
		goto out;
	}

	/*
	 * Never open() and close() the database file ourselves: closing any
	 * descriptor of a file drops every POSIX lock this process holds on
	 * it, SQLite's included, and another program (kintsugi check, a
	 * sqlite3 shell) then believes it is the last user, checkpoints and
	 * deletes the live -wal under us.  A missing file is made with
	 * mknod(), which creates it without a descriptor; an existing one is
	 * only looked at.  test-store's "open_keeps_locks" and
	 * scripts/check-raw-fds keep it so.
	 */
	if (mknod(path, S_IFREG | SQ_FILE_MODE, 0) < 0 && errno != EEXIST) {
		r = errno_to_store(errno);
		set_reason(errbuf, errlen,
			   r == -EACCES ? "the database file cannot be created here"
					: "cannot create the database file");
		goto out;
	}
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		r = -ENOENT;
		set_reason(errbuf, errlen, "the database path is not a regular file");
		goto out;
	}
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) < 0) {
		r = errno_to_store(errno);
		set_reason(errbuf, errlen,
			   r == -EACCES ? "the database file is not writable"
					: "cannot open or create the database file");
		goto out;
	}

	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		r = -EACCES;
		set_reason(
			errbuf, errlen,
			"the database directory is not writable (the write-ahead log lives there)");
		goto out;
	}
out:
	free(dir);
	return r;
}

/* A short reason for an SQLite failure while opening, and the errno to return. */
static int sq_open_error(int rc, char *errbuf, size_t errlen)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		set_reason(errbuf, errlen, "the file is not a kintsugi database");
		return -EIO;
	case SQLITE_CORRUPT:
		set_reason(errbuf, errlen, "the database file is damaged");
		return -EIO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		set_reason(errbuf, errlen, "the database is locked by another program");
		return -EIO;
	case SQLITE_NOMEM:
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		set_reason(errbuf, errlen, "the database file cannot be opened for writing");
		return -EACCES;
	default:
		set_reason(errbuf, errlen, "cannot open the database");
		return -EIO;
	}
}

/*
 * SQ_PAGE_SIZE - the page size of a new database file.  Every read of a
 * page that is not in the connection's own cache (2 MB, emptied whenever
 * another connection has written) is a pread() from the kernel's cache, and
 * at thousands of couples nearly every request's pages are such: at 10,000
 * couples (5.5 GB) the journal page took 14 of them with 4 KiB pages and 6
 * with 16 KiB ones, and a quarter less CPU (docs/performance.md, session 13).
 * A couple's rows lie together, so a bigger page brings more of what the
 * same request reads next.  It must be set before the file's first page is
 * written, so before journal_mode below; an existing file keeps its size
 * (VACUUM outside WAL mode changes it: docs/storage.md).
 */
#define SQ_PAGE_SIZE "16384"

/*
 * sq_global() - once per process, before SQLite starts: each connection
 * takes its page cache's memory in one block when it first reads, and puts
 * a page it drops back on its own list, instead of a malloc() and a free()
 * per page.  The cache is emptied whenever another connection has written,
 * so at thousands of couples a request reads most of its pages again; with
 * 16 KiB pages each of those mallocs made glibc consolidate the small
 * blocks that building the JSON leaves behind: the check-ins with a year
 * of rows cost 1.7 times the CPU at 10,000 couples that they cost at 1,
 * and 1.1 times with this (docs/performance.md, session 13).
 * SQLITE_MISUSE when something opened a database first (a test): the pages
 * are then malloc()ed as before.
 */
static pthread_once_t sq_global_once = PTHREAD_ONCE_INIT;

static void sq_global(void)
{
	/* a negative size is in KiB: SQLite's default cache, 2,000 KiB */
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, -2000);
}

/* Per-connection settings; journal_mode must come back as "wal". */
static int sq_configure(struct sq *sq, char *errbuf, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *mode;
	int r = 0, rc;

	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_timeout(sq->db, SQ_BUSY_TIMEOUT_MS);
	/* hardening: no double-quoted string literals, no schema tricks */
	sqlite3_db_config(sq->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(sq->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
	sqlite3_db_config(sq->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
	sqlite3_db_config(sq->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

	rc = sqlite3_exec(sq->db,
			  "PRAGMA foreign_keys = ON;"
			  "PRAGMA secure_delete = ON;"
			  /* an answer to an answer goes with it too (migration 0005) */
			  "PRAGMA recursive_triggers = ON;"
			  /* NORMAL: commits are flushed by the group commit (sq_sync_to) */
			  "PRAGMA synchronous = NORMAL;"
			  /* temporary tables, indexes and statement journals stay in
			   * memory: no file of them outside the database's folder (the
			   * server may open none: Landlock), and no fragment of a
			   * row in /tmp */
			  "PRAGMA temp_store = MEMORY;"
			  /* a new file's pages; an existing file keeps its own */
			  "PRAGMA page_size = " SQ_PAGE_SIZE ";",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_open_error(rc, errbuf, errlen);

	rc = sqlite3_prepare_v2(sq->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		r = sq_open_error(rc, errbuf, errlen);
		goto out;
	}
	mode = sqlite3_column_text(s, 0);
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		set_reason(errbuf, errlen, "cannot switch the database to write-ahead logging");
		r = -EIO;
	}
out:
	sqlite3_finalize(s);
	return r;
}

/* Open the connection of sq to path and set it up; the file must exist. */
static int sq_connect(struct sq *sq, const char *path, char *errbuf, size_t errlen)
{
	int rc;

	sq->base.ops = &store_sqlite_ops;
	rc = sqlite3_open_v2(path, &sq->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return sq_open_error(rc, errbuf, errlen);
	return sq_configure(sq, errbuf, errlen);
}

/* store_sqlite_open() - see store-sqlite.h. */
int store_sqlite_open(const char *path, struct store **ret, char *errbuf, size_t errlen)
{
	struct sq *sq = NULL;
	const char *reason;
	int r;

	if (!path || !*path || !ret) {
		set_reason(errbuf, errlen, "no database given");
		return -EINVAL;
	}
	r = sq_prepare_file(path, errbuf, errlen);
	if (r < 0)
		return r;
	pthread_once(&sq_global_once, sq_global);

	sq = calloc(1, sizeof(*sq));
	if (sq)
		sq->sh = sq_shared_new(path);
	if (!sq || !sq->sh) {
		free(sq);
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	r = sq_connect(sq, path, errbuf, errlen);
	if (r < 0)
		goto fail;
	r = sq_migrate(sq, &reason);
	if (r < 0) {
		set_reason(errbuf, errlen, reason);
		if (r != -ENOMEM)
			r = r == -EACCES ? -EACCES : -EIO;
		goto fail;
	}
	/* the migration check read the file in WAL mode: -wal and -shm exist now */
	sq_shared_note_files(sq->sh);
	sq->opened = true;
	*ret = &sq->base;
	return 0;
fail:
	sq_close(&sq->base);
	return r;
}

/*
 * sq_reopen() - another connection to the database of st, for another
 * thread: it shares st's writer lock, inodes and fatal fault.  The file is
 * neither created nor migrated (the first handle did both) nor opened by
 * anything but SQLite.
 */
static int sq_reopen(struct store *st, struct store **ret, char *errbuf, size_t errlen)
{
	struct sq *from = to_sq(st), *sq;
	int r;

	if (!ret) {
		set_reason(errbuf, errlen, "no handle to fill");
		return -EINVAL;
	}
	/*
	 * Once the files moved, the path names another database or none: a
	 * new connection would read the wrong one.  The move is the process's
	 * fatal fault, as a writer would have found it.
	 */
	if (atomic_load(&from->sh->fatal) == STORE_FAULT_NONE && sq_files_moved(from->sh)) {
		int none = STORE_FAULT_NONE;

		atomic_compare_exchange_strong(&from->sh->fatal, &none, STORE_FAULT_MOVED);
	}
	if (atomic_load(&from->sh->fatal) != STORE_FAULT_NONE) {
		set_reason(errbuf, errlen, "the database met a fatal fault");
		return -EIO;
	}
	sq = calloc(1, sizeof(*sq));
	if (!sq) {
		set_reason(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	sq->sh = from->sh;
	atomic_fetch_add(&sq->sh->refs, 1);
	r = sq_connect(sq, sq->sh->path, errbuf, errlen);
	if (r < 0) {
		sq_close(&sq->base);
		return r;
	}
	sq->opened = true;
	*ret = &sq->base;
	return 0;
}

/* sq_fault() - the thread's last storage fault, forgotten once read. */
static int sq_fault(struct store *st)
{
	int f = sq_thread_fault;

	(void)st;
	sq_thread_fault = STORE_FAULT_NONE;
	return f;
}

/* sq_fatal() - the fault that stopped every write of this database, or NONE. */
static int sq_fatal(struct store *st)
{
	return atomic_load(&to_sq(st)->sh->fatal);
}

/* A rescue copy's name: path.rescued-YYYYMMDDTHHMMSSZ. */
static int rescue_name(const char *path, char *buf, size_t len)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -EIO;
	n = snprintf(buf, len, "%s.rescued-%s", path, stamp);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * sq_rescue() - see store.h.  Called with every other handle of the
 * database closed.  The checkpoint copies every committed frame of the
 * log this connection has open (removed or not) into the database file it
 * has open; the backup copies what this connection sees into a new file.
 */
static int sq_rescue(struct store *st, char *where, size_t wherelen)
{
	struct sq *sq = to_sq(st);
	struct sq_shared *sh = sq->sh;
	int log = -1, done = -1, rc, r;
	struct stat now;

	if (!where || wherelen == 0)
		return -EINVAL;
	where[0] = '\0';
	if (atomic_load(&sh->fatal) == STORE_FAULT_SYNC)
		return 0; /* a flush failed: write nothing more; the log on disk is what is left */
	rc = sqlite3_wal_checkpoint_v2(sq->db, "main", SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	if (rc == SQLITE_OK && log == done && !sq_db_moved(sq)) {
		snprintf(where, wherelen, "%s", sh->path);
		return 0;
	}
	/* the database file itself is gone or replaced: copy it out */
	if (stat(sh->path, &now) < 0 && errno == ENOENT) {
		if (snprintf(where, wherelen, "%s", sh->path) >= (int)wherelen)
			return -ENAMETOOLONG;
	} else {
		r = rescue_name(sh->path, where, wherelen);
		if (r < 0)
			return r;
	}
	r = sq_backup(st, where);
	if (r < 0)
		where[0] = '\0';
	return r < 0 ? r : 1;
}
