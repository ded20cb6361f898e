-- 0017-baseline.sql: kintsugi's PostgreSQL schema, equal to SQLite's after its 0017.
--
-- Why one baseline and not seventeen steps: no PostgreSQL database of kintsugi
-- existed before this file, so there is no older schema to bring forward; the
-- SQLite history (src/store/migrations/0001..0017) explains each column.  The
-- next change to the schema is 0018 in both folders, with the same meaning.
--
-- Differences from the SQLite text, all of type only: BLOB is BYTEA, INTEGER is
-- BIGINT, audit_log.id is an identity column (SQLite's rowid), every TEXT
-- compares bytewise (COLLATE "C", like SQLite's BINARY, so that ORDER BY on ids,
-- times and sort keys gives the same order whatever the cluster's locale), and
-- the two AFTER DELETE triggers call plpgsql functions.  Tables that have a
-- rowid in SQLite (all but the WITHOUT ROWID ones) get a column named rowid, an
-- identity, so that "ORDER BY created_at, rowid" means the same on both.  Every foreign key is
-- DEFERRABLE (INITIALLY IMMEDIATE, so checked at each statement as usual):
-- member_leave defers them to the commit, as SQLite's PRAGMA defer_foreign_keys
-- does, since a leave moves rows and their parents in any order.
--
-- couple_id: as in SQLite, the tables that belong to one member (devices, totp,
-- recovery_codes, passkeys, passkey_challenges) and the sign-in throttle tables
-- (signin_failures, signin_challenges, found before anyone is known) do not
-- carry it yet; see docs/storage.md, "PostgreSQL (in progress)".

CREATE TABLE couples (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	created_at TEXT COLLATE "C" NOT NULL,
	rhythm TEXT COLLATE "C" NOT NULL DEFAULT 'daily' CHECK (rhythm IN ('daily', 'weekly'))
, former BIGINT NOT NULL DEFAULT 0 CHECK (former IN (0, 1)));
CREATE TABLE members (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	login TEXT COLLATE "C" NOT NULL UNIQUE,
	role TEXT COLLATE "C" NOT NULL CHECK (role IN ('partner', 'therapist')),
	display_name TEXT COLLATE "C" NOT NULL,
	language TEXT COLLATE "C" NOT NULL DEFAULT 'en',
	pw_hash TEXT COLLATE "C" NOT NULL,
	kek_salt BYTEA NOT NULL,
	mk_by_pw BYTEA NOT NULL,
	rk_salt BYTEA NOT NULL,
	mk_by_rk BYTEA NOT NULL,
	public_key BYTEA NOT NULL,
	secret_key_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL, kdf TEXT COLLATE "C" NOT NULL DEFAULT 'moderate'
	CHECK (kdf IN ('interactive', 'moderate', 'sensitive')), notice_seen BIGINT NOT NULL DEFAULT 0, discreet BIGINT NOT NULL DEFAULT 0
	CHECK (discreet IN (0, 1)), autolock_minutes BIGINT NOT NULL DEFAULT 0
	CHECK (autolock_minutes IN (0, 1, 5, 15, 60)), left_at TEXT COLLATE "C", care_ended_at TEXT COLLATE "C",
	-- the parent key of the composite foreign keys below; also the index
	-- behind "members of a couple"
	UNIQUE (couple_id, id)
);
CREATE TABLE couple_keys (
	couple_id TEXT COLLATE "C" NOT NULL,
	member_id TEXT COLLATE "C" NOT NULL,
	wrapped BYTEA NOT NULL, tag BYTEA CHECK (tag IS NULL OR octet_length(tag) = 32), rekey BIGINT NOT NULL DEFAULT 0 CHECK (rekey IN (0, 1)),
	PRIMARY KEY (couple_id, member_id),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE TABLE invites (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	role TEXT COLLATE "C" NOT NULL CHECK (role IN ('partner', 'therapist')),
	secret_hash BYTEA NOT NULL,
	ck_wrapped BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	expires_at TEXT COLLATE "C" NOT NULL,
	used BIGINT NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
);
CREATE INDEX invites_couple ON invites (couple_id);
CREATE TABLE sessions (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	member_id TEXT COLLATE "C" NOT NULL,
	couple_id TEXT COLLATE "C" NOT NULL,
	secret_hash BYTEA NOT NULL,
	keys_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	last_seen_at TEXT COLLATE "C" NOT NULL,
	expires_at TEXT COLLATE "C" NOT NULL, browser TEXT COLLATE "C" NOT NULL DEFAULT ''
	CHECK (octet_length(browser) <= 47), locked BIGINT NOT NULL DEFAULT 0
	CHECK (locked IN (0, 1)), rekey BIGINT NOT NULL DEFAULT 0 CHECK (rekey IN (0, 1)),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE INDEX sessions_member ON sessions (member_id);
CREATE TABLE journal_entries (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL,
	author_id TEXT COLLATE "C" NOT NULL,
	version BIGINT NOT NULL,
	body_sealed BYTEA NOT NULL,
	prompt_sealed BYTEA,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	seq BIGINT NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE UNIQUE INDEX journal_entries_order
	ON journal_entries (couple_id, author_id, created_at, seq);
CREATE TABLE audit_log (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	couple_id TEXT COLLATE "C" REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	member_id TEXT COLLATE "C",
	event TEXT COLLATE "C" NOT NULL,
	at TEXT COLLATE "C" NOT NULL
, browser TEXT COLLATE "C" CHECK (octet_length(browser) <= 47), session_id TEXT COLLATE "C");
CREATE INDEX audit_log_couple ON audit_log (couple_id, at);
CREATE TABLE statements (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL,
	author_id TEXT COLLATE "C" NOT NULL,
	version BIGINT NOT NULL,
	delivered BIGINT NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)),
	parts_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	delivered_at TEXT COLLATE "C",
	seq BIGINT NOT NULL,
	CHECK ((delivered = 0) = (delivered_at IS NULL)),
	-- the parent key of statement_responses below
	UNIQUE (couple_id, id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE INDEX statements_order ON statements (couple_id, created_at, seq);
CREATE TABLE checkins (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL,
	author_id TEXT COLLATE "C" NOT NULL,
	period TEXT COLLATE "C" NOT NULL CHECK (octet_length(period) = 10),
	rhythm TEXT COLLATE "C" NOT NULL CHECK (rhythm IN ('daily', 'weekly')),
	shared_with BIGINT NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version BIGINT NOT NULL,
	content_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE UNIQUE INDEX checkins_period ON checkins (couple_id, period, author_id);
CREATE TABLE signin_failures (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	key BYTEA NOT NULL CHECK (octet_length(key) = 32),
	at BIGINT NOT NULL -- Unix time in milliseconds
);
CREATE INDEX signin_failures_key ON signin_failures (key, at);
CREATE INDEX signin_failures_at ON signin_failures (at);
CREATE TABLE items (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	couple_id TEXT COLLATE "C" NOT NULL,
	kind TEXT COLLATE "C" NOT NULL CHECK (octet_length(kind) BETWEEN 1 AND 23),
	id TEXT COLLATE "C" NOT NULL CHECK (octet_length(id) = 32),
	parent_kind TEXT COLLATE "C" NOT NULL DEFAULT '',
	parent_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	author_id TEXT COLLATE "C" NOT NULL,
	shared_with BIGINT NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version BIGINT NOT NULL CHECK (version >= 1),
	legacy BIGINT NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),
	-- NULL, or a key of which the couple has at most one item of this kind
	-- (one answer per card: the card's id; one feeling per partner per
	-- activity: activity/author)
	once TEXT COLLATE "C",
	sort TEXT COLLATE "C" NOT NULL,
	plain TEXT COLLATE "C" NOT NULL DEFAULT '' CHECK (octet_length(plain) <= 127),
	sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (couple_id, kind, id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);
CREATE INDEX items_list ON items (couple_id, parent_kind, parent_id, kind, sort);
CREATE UNIQUE INDEX items_once ON items (couple_id, kind, once);
CREATE TABLE devices (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	key BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(key) = 32),
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	created_at TEXT COLLATE "C" NOT NULL,
	used_at TEXT COLLATE "C" NOT NULL
, session_id TEXT COLLATE "C");
CREATE INDEX devices_member ON devices (member_id, used_at);
CREATE TABLE totp (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	member_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	secret_sealed BYTEA NOT NULL,
	active BIGINT NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	last_step BIGINT NOT NULL DEFAULT 0,
	created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE recovery_codes (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	hash BYTEA NOT NULL CHECK (octet_length(hash) = 32),
	PRIMARY KEY (member_id, hash)
);
CREATE TABLE passkeys (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	credential_id BYTEA NOT NULL CHECK (octet_length(credential_id) BETWEEN 1 AND 255),
	public_key BYTEA NOT NULL CHECK (octet_length(public_key) = 65),
	tag BYTEA NOT NULL CHECK (octet_length(tag) = 32),
	name_sealed BYTEA NOT NULL,
	sign_count BIGINT NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
	created_at TEXT COLLATE "C" NOT NULL,
	last_used_at TEXT COLLATE "C", signin BYTEA CHECK (signin IS NULL OR octet_length(signin) = 64), mk_sealed BYTEA
	CHECK ((signin IS NULL) = (mk_sealed IS NULL)),
	UNIQUE (member_id, credential_id)
);
CREATE TABLE passkey_challenges (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	hash BYTEA NOT NULL CHECK (octet_length(hash) = 32),
	purpose TEXT COLLATE "C" NOT NULL CHECK (purpose IN ('create', 'get')),
	origin TEXT COLLATE "C" NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (member_id, hash)
);
CREATE INDEX audit_log_member ON audit_log (member_id, event, id);
CREATE TABLE safety_checks (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	member_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	couple_id TEXT COLLATE "C" NOT NULL REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	id TEXT COLLATE "C" NOT NULL UNIQUE,
	version BIGINT NOT NULL CHECK (version >= 1),
	sealed BYTEA NOT NULL
);
CREATE TABLE old_couple_keys (
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	couple_id TEXT COLLATE "C" NOT NULL,
	n BIGINT NOT NULL CHECK (n >= 1),
	key_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (member_id, couple_id, n)
);
CREATE TABLE ledgers (
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id) ON DELETE CASCADE DEFERRABLE,
	couple_id TEXT COLLATE "C" NOT NULL,
	gen BIGINT NOT NULL CHECK (gen >= 1),
	sealed BYTEA NOT NULL,
	PRIMARY KEY (member_id, couple_id)
);
CREATE INDEX passkeys_signin ON passkeys (credential_id) WHERE signin IS NOT NULL;
CREATE TABLE signin_challenges (
	hash BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(hash) = 32),
	origin TEXT COLLATE "C" NOT NULL,
	address BYTEA NOT NULL CHECK (octet_length(address) = 32),
	expires_at BIGINT NOT NULL
);
CREATE INDEX signin_challenges_address ON signin_challenges (address);
CREATE TABLE care_invites (
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	couple_id TEXT COLLATE "C" NOT NULL REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	proposed_by TEXT COLLATE "C" NOT NULL,
	approved_by TEXT COLLATE "C" NOT NULL DEFAULT '',
	status TEXT COLLATE "C" NOT NULL
		CHECK (status IN ('awaiting_partner', 'approved', 'used', 'cancelled')),
	note_sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX care_invites_couple ON care_invites (couple_id);
CREATE TABLE care_keys (
	couple_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES couples (id) ON DELETE CASCADE DEFERRABLE,
	sealed BYTEA NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE care_wraps (
	couple_id TEXT COLLATE "C" NOT NULL,
	member_id TEXT COLLATE "C" NOT NULL,
	wrapped BYTEA NOT NULL,
	PRIMARY KEY (couple_id, member_id),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE
);

CREATE FUNCTION items_answers_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM items
	WHERE couple_id = OLD.couple_id AND parent_kind = OLD.kind AND parent_id = OLD.id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER items_answers_gone AFTER DELETE ON items
	FOR EACH ROW EXECUTE FUNCTION items_answers_gone();

CREATE FUNCTION statements_answers_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM items
	WHERE couple_id = OLD.couple_id AND parent_kind = 'statement' AND parent_id = OLD.id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER statements_answers_gone AFTER DELETE ON statements
	FOR EACH ROW EXECUTE FUNCTION statements_answers_gone();
