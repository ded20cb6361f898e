-- 0014-leave.sql: leaving the couple alone, and a couple key that does not
-- outlive a partner (issue 13 "leave the couple", issue 11 part 5).
--
-- A partner who leaves keeps their member id, credentials and keys, and
-- moves to a couple of their own.  What they shared stays with the partner
-- who stays, written by a "former partner" row that takes their place in
-- the old couple: the same name, no login that can be used (login
-- 'left:<id>', no password hash, no keys), left_at set.  That row keeps the
-- foreign keys of what they wrote (members (couple_id, id)) and binds it
-- to the associated data it was sealed with.
ALTER TABLE members ADD COLUMN left_at TEXT;

-- 1: the couple has lost a partner (a leave or a deleted account): the
-- next partner invite starts a new couple key, so that a new partner can
-- open nothing written before they joined.
ALTER TABLE couples ADD COLUMN former INTEGER NOT NULL DEFAULT 0 CHECK (former IN (0, 1));

-- 1: the couple key this wrap holds was known to a partner who is gone:
-- the member's next request (or sign-in) makes a new one.  A session with
-- rekey = 1 still holds the old key and takes the new one first.
ALTER TABLE couple_keys ADD COLUMN rekey INTEGER NOT NULL DEFAULT 0 CHECK (rekey IN (0, 1));
ALTER TABLE sessions ADD COLUMN rekey INTEGER NOT NULL DEFAULT 0 CHECK (rekey IN (0, 1));

-- The couple keys a member held before, each sealed under a subkey of the
-- member's own master key (so nobody else can put one here), newest n
-- last: what was written under them still opens for that member, and for
-- nobody who joined after.
CREATE TABLE old_couple_keys (
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	couple_id TEXT NOT NULL,
	n INTEGER NOT NULL CHECK (n >= 1),
	key_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (member_id, couple_id, n)
) STRICT, WITHOUT ROWID;
