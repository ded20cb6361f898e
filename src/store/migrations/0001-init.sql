-- 0001-init.sql: kintsugi's first schema (accounts, keys, sessions, journal, audit).
--
-- Every table that holds couple data carries couple_id: it is the tenant and
-- the future shard key, and no query crosses it.  Ids are 32 lowercase hex
-- characters, times RFC 3339 UTC text, sealed fields BLOBs.  Tables are STRICT
-- so a value of the wrong type is refused instead of silently converted.
--
-- Rows that belong to a member hang off members(couple_id, id) with a
-- composite foreign key, so a row can never name a member of another couple,
-- and deleting a member (or its couple) cascades to everything it owns.

CREATE TABLE couples (
	id TEXT NOT NULL PRIMARY KEY,
	created_at TEXT NOT NULL,
	rhythm TEXT NOT NULL DEFAULT 'daily' CHECK (rhythm IN ('daily', 'weekly'))
) STRICT;

CREATE TABLE members (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL REFERENCES couples (id) ON DELETE CASCADE,
	login TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('partner', 'therapist')),
	display_name TEXT NOT NULL,
	language TEXT NOT NULL DEFAULT 'en',
	pw_hash TEXT NOT NULL,
	kek_salt BLOB NOT NULL,
	mk_by_pw BLOB NOT NULL,
	rk_salt BLOB NOT NULL,
	mk_by_rk BLOB NOT NULL,
	public_key BLOB NOT NULL,
	secret_key_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	-- the parent key of the composite foreign keys below; also the index
	-- behind "members of a couple"
	UNIQUE (couple_id, id)
) STRICT;

-- The couple key wrapped to one member (crypto_box_seal to its X25519 key).
CREATE TABLE couple_keys (
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	wrapped BLOB NOT NULL,
	PRIMARY KEY (couple_id, member_id),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE invites (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL REFERENCES couples (id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('partner', 'therapist')),
	secret_hash BLOB NOT NULL,
	ck_wrapped BLOB NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
) STRICT;

CREATE INDEX invites_couple ON invites (couple_id);

CREATE TABLE sessions (
	id TEXT NOT NULL PRIMARY KEY,
	member_id TEXT NOT NULL,
	couple_id TEXT NOT NULL,
	secret_hash BLOB NOT NULL,
	keys_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX sessions_member ON sessions (member_id);

-- seq orders entries of one author that share a created_at second, in the
-- order they were inserted: the store sets it to one more than the largest seq
-- among those rows.  It is a plain column (not the rowid, which VACUUM may
-- renumber) and needs no AUTOINCREMENT table.  The unique index gives each of
-- an author's entries one place in the newest-first order, which is what
-- paging with before_id relies on.
CREATE TABLE journal_entries (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	body_sealed BLOB NOT NULL,
	prompt_sealed BLOB,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE UNIQUE INDEX journal_entries_order
	ON journal_entries (couple_id, author_id, created_at, seq);

-- Who did what and when; never content.  couple_id and member_id may be NULL
-- (an event before anyone is known); member_id has no foreign key so that the
-- trail of a deleted account can outlive it.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	couple_id TEXT REFERENCES couples (id) ON DELETE CASCADE,
	member_id TEXT,
	event TEXT NOT NULL,
	at TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_couple ON audit_log (couple_id, at);
