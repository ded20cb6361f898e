-- bench/interleave.sql: rewrite a scale database of schema 18 (made by a
-- kintsugi from before migration 0019) so that its journal and check-ins lie
-- in the file as months of real use would leave them: day by day, every
-- couple's rows of that day together, instead of each couple's year at once
-- as bench/scale-gen writes them.  Session 14 measured with it what 0019
-- gains (docs/performance.md, "Figures (session 14)"):
--
--   sqlite3 var/bench-il/10000/scale.db < bench/interleave.sql
--
-- then bench/scale with BENCH_SCALE_DIR=var/bench-il and the older build;
-- `kintsugi migrate` on a copy gives the same rows in key order.  On a file
-- of schema 19 it would do nothing useful: a WITHOUT ROWID table keeps its
-- rows in key order whatever order they are inserted in.  Rows are copied
-- as they are (a sealed field's associated data names no place); about 6
-- minutes for 10,000 couples, with the file's size free beside it.
.bail on
-- schema 18 only: the insert fails, and the shell stops, on any other
CREATE TEMP TABLE schema_18 (v INTEGER CHECK (v = 18));
INSERT INTO schema_18 SELECT user_version FROM pragma_user_version;
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE j_new (
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
INSERT INTO j_new SELECT id, couple_id, author_id, version, body_sealed, prompt_sealed, created_at, updated_at, seq
  FROM (SELECT *, row_number() OVER (PARTITION BY couple_id, author_id ORDER BY created_at, seq) AS k FROM journal_entries)
  ORDER BY k, couple_id, author_id;
DROP TABLE journal_entries;
ALTER TABLE j_new RENAME TO journal_entries;
CREATE UNIQUE INDEX journal_entries_order ON journal_entries (couple_id, author_id, created_at, seq);
CREATE TABLE c_new (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	period TEXT NOT NULL CHECK (length(period) = 10),
	rhythm TEXT NOT NULL CHECK (rhythm IN ('daily', 'weekly')),
	shared_with INTEGER NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version INTEGER NOT NULL,
	content_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO c_new SELECT * FROM checkins ORDER BY period, couple_id, author_id;
DROP TABLE checkins;
ALTER TABLE c_new RENAME TO checkins;
CREATE UNIQUE INDEX checkins_period ON checkins (couple_id, period, author_id);
COMMIT;
PRAGMA foreign_key_check;
