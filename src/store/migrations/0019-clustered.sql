-- 0019-clustered.sql: each member's journal and each couple's check-ins
-- stored together, in the order they are read (issue 17).
--
-- Both were rowid tables, so their rows lay in the order they were written.
-- On an instance where many couples write every day, the 50 entries of a
-- journal page, written over months, lay on about 50 different pages of
-- the file among everybody else's, and a year of check-ins on about 700:
-- with thousands of couples, page reads from outside SQLite's cache on
-- every request (docs/storage.md, "Rows in the order they are read").
-- Made again WITHOUT ROWID, each table is stored in the order of the key it
-- is listed by, the key of its listing index until now, so one member's
-- entries, or one couple's check-ins, fill a few pages one after another.
-- id stays unique through an index of its own, as it was as the primary
-- key.  Rows are copied as they are: a sealed field's associated data
-- names its table, id, couple, version and author, never its place.
-- Nothing references these tables, and no trigger names them.
--
-- The key's columns come first: SQLite 3.40's PRAGMA integrity_check (what
-- `kintsugi check` runs) reports every NOT NULL column of a WITHOUT ROWID
-- table as NULL when the key's columns are declared after others.

CREATE TABLE journal_entries_0019 (
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	id TEXT NOT NULL,
	version INTEGER NOT NULL,
	body_sealed BLOB NOT NULL,
	prompt_sealed BLOB,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (couple_id, author_id, created_at, seq),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

INSERT INTO journal_entries_0019 (id, couple_id, author_id, version, body_sealed, prompt_sealed,
				  created_at, updated_at, seq)
	SELECT id, couple_id, author_id, version, body_sealed, prompt_sealed, created_at,
	       updated_at, seq
	FROM journal_entries ORDER BY couple_id, author_id, created_at, seq;
CREATE TABLE checkins_0019 (
	couple_id TEXT NOT NULL,
	period TEXT NOT NULL CHECK (length(period) = 10),
	author_id TEXT NOT NULL,
	id TEXT NOT NULL,
	rhythm TEXT NOT NULL CHECK (rhythm IN ('daily', 'weekly')),
	shared_with INTEGER NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version INTEGER NOT NULL,
	content_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (couple_id, period, author_id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

INSERT INTO checkins_0019 (id, couple_id, author_id, period, rhythm, shared_with, version,
			   content_sealed, created_at, updated_at)
	SELECT id, couple_id, author_id, period, rhythm, shared_with, version, content_sealed,
	       created_at, updated_at
	FROM checkins ORDER BY couple_id, period, author_id;

-- The old tables are emptied before they are dropped: inside a transaction,
-- DROP TABLE keeps a copy of every page it frees in the statement journal,
-- which is in memory (temp_store; about 3 GB for 10,000 couples), and
-- DELETE without WHERE frees them without one.
DELETE FROM journal_entries;
DROP TABLE journal_entries;
ALTER TABLE journal_entries_0019 RENAME TO journal_entries;
CREATE UNIQUE INDEX journal_entries_id ON journal_entries (id);
DELETE FROM checkins;
DROP TABLE checkins;
ALTER TABLE checkins_0019 RENAME TO checkins;
CREATE UNIQUE INDEX checkins_id ON checkins (id);
