-- 0017-care.sql: the care team (issue 14, step 4).
--
-- A care invite needs both partners: one proposes it (awaiting_partner),
-- the other approves it, and only then is there a link (a row of invites
-- with role 'therapist', under the same id, holding the care key sealed
-- under the link's secret); it is used once, or cancelled by either
-- partner before that.  The note is sealed under the couple key.
CREATE TABLE care_invites (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL REFERENCES couples (id) ON DELETE CASCADE,
	proposed_by TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL
		CHECK (status IN ('awaiting_partner', 'approved', 'used', 'cancelled')),
	note_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX care_invites_couple ON care_invites (couple_id);

-- The care key (TK) of a couple, sealed under a subkey of the couple key:
-- each partner opens it with the couple key their wrap gives them.
CREATE TABLE care_keys (
	couple_id TEXT NOT NULL PRIMARY KEY REFERENCES couples (id) ON DELETE CASCADE,
	sealed BLOB NOT NULL,
	created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The care key sealed (crypto_box_seal) to each therapist whose access is
-- active; ending their access deletes their row.
CREATE TABLE care_wraps (
	couple_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	wrapped BLOB NOT NULL,
	PRIMARY KEY (couple_id, member_id),
	FOREIGN KEY (couple_id, member_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- A therapist whose access a partner ended: the row stays (what they
-- wrote keeps its author), with no key and no session.
ALTER TABLE members ADD COLUMN care_ended_at TEXT;
