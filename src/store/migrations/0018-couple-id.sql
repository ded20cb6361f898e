-- 0018-couple-id.sql: couple_id on every table of a member (issue 17).
--
-- couple_id is the tenant and the future distribution key (docs/scaling.md,
-- "Sharding on couple_id (Citus)"): every query on a couple's data names
-- it, and none crosses couples.  The member-level tables had member_id
-- only; they now carry the member's couple too, filled from members for the
-- rows there are, NOT NULL (every member has a couple: one who leaves moves
-- to a couple of their own, and member_leave moves these rows with them in
-- the same transaction), and hang off members (couple_id, id) like the
-- couple's other tables, so a row whose couple is not its member's cannot
-- be committed.
--
-- SQLite cannot add a NOT NULL column without a default, nor change a
-- foreign key: each table is made again, rowids kept (lists run in
-- insertion order), and nothing references these tables.

CREATE TABLE devices_0018 (
	key BLOB NOT NULL PRIMARY KEY CHECK (length(key) = 32),
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	used_at TEXT NOT NULL,
	session_id TEXT,
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO devices_0018 (rowid, key, couple_id, member_id, created_at, used_at, session_id)
	SELECT d.rowid, d.key, m.couple_id, d.member_id, d.created_at, d.used_at, d.session_id
	FROM devices d JOIN members m ON m.id = d.member_id;
DROP TABLE devices;
ALTER TABLE devices_0018 RENAME TO devices;
CREATE INDEX devices_member ON devices (couple_id, member_id, used_at);

CREATE TABLE totp_0018 (
	member_id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	secret_sealed BLOB NOT NULL,
	active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	last_step INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO totp_0018 (rowid, member_id, couple_id, secret_sealed, active, last_step, created_at)
	SELECT t.rowid, t.member_id, m.couple_id, t.secret_sealed, t.active, t.last_step,
	t.created_at FROM totp t JOIN members m ON m.id = t.member_id;
DROP TABLE totp;
ALTER TABLE totp_0018 RENAME TO totp;

CREATE TABLE recovery_codes_0018 (
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (member_id, hash),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO recovery_codes_0018 (rowid, couple_id, member_id, hash)
	SELECT r.rowid, m.couple_id, r.member_id, r.hash
	FROM recovery_codes r JOIN members m ON m.id = r.member_id;
DROP TABLE recovery_codes;
ALTER TABLE recovery_codes_0018 RENAME TO recovery_codes;

CREATE TABLE passkeys_0018 (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	credential_id BLOB NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 255),
	public_key BLOB NOT NULL CHECK (length(public_key) = 65),
	tag BLOB NOT NULL CHECK (length(tag) = 32),
	name_sealed BLOB NOT NULL,
	sign_count INTEGER NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
	created_at TEXT NOT NULL,
	last_used_at TEXT,
	signin BLOB CHECK (signin IS NULL OR length(signin) = 64),
	mk_sealed BLOB CHECK ((signin IS NULL) = (mk_sealed IS NULL)),
	UNIQUE (member_id, credential_id),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO passkeys_0018 (rowid, id, couple_id, member_id, credential_id, public_key, tag,
	name_sealed, sign_count, created_at, last_used_at, signin, mk_sealed)
	SELECT p.rowid, p.id, m.couple_id, p.member_id, p.credential_id, p.public_key, p.tag,
	p.name_sealed, p.sign_count, p.created_at, p.last_used_at, p.signin, p.mk_sealed
	FROM passkeys p JOIN members m ON m.id = p.member_id;
DROP TABLE passkeys;
ALTER TABLE passkeys_0018 RENAME TO passkeys;
CREATE INDEX passkeys_member ON passkeys (couple_id, member_id, created_at);
CREATE INDEX passkeys_signin ON passkeys (credential_id) WHERE signin IS NOT NULL;

CREATE TABLE passkey_challenges_0018 (
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	purpose TEXT NOT NULL CHECK (purpose IN ('create', 'get')),
	origin TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (member_id, hash),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO passkey_challenges_0018 (rowid, couple_id, member_id, hash, purpose, origin,
	expires_at)
	SELECT c.rowid, m.couple_id, c.member_id, c.hash, c.purpose, c.origin, c.expires_at
	FROM passkey_challenges c JOIN members m ON m.id = c.member_id;
DROP TABLE passkey_challenges;
ALTER TABLE passkey_challenges_0018 RENAME TO passkey_challenges;
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (couple_id, expires_at);

-- A member's sessions and history are now always asked for with the couple.
DROP INDEX sessions_member;
CREATE INDEX sessions_member ON sessions (couple_id, member_id);
DROP INDEX audit_log_member;
CREATE INDEX audit_log_member ON audit_log (couple_id, member_id, event, id);
