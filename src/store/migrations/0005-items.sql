-- 0005-items.sql: one table for every item kind of the registry
-- (src/core/kinds.c), and the kinds of migrations 0002 and 0003 moved
-- into it: offers, openness cards and their answers, commitments and their
-- reviews, activities and how each partner felt, responses to statements.
--
-- An item is keyed by (couple_id, kind, id).  Whatever a member wrote is in
-- one sealed BLOB; what the server needs to find, order and count rows stays
-- plain: who wrote it, who it is shared with, what it answers (parent_kind,
-- parent_id: '' for none), an order key (sort, then insertion order), and
-- plain, the few plain values of its kind ('|'-separated dates, times, ids,
-- names and numbers, as its descriptor says: never anything a member wrote).
--
-- The move copies each sealed BLOB as it is: the server holds no key, so it
-- cannot open or seal anything.  Such rows get legacy = 1: their associated
-- data stays the one they were sealed with (their old table's), and the
-- next change seals them afresh with the items form (core/item.c).
CREATE TABLE items (
	couple_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 23),
	id TEXT NOT NULL CHECK (length(id) = 32),
	parent_kind TEXT NOT NULL DEFAULT '',
	parent_id TEXT NOT NULL DEFAULT '',
	author_id TEXT NOT NULL,
	shared_with INTEGER NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version INTEGER NOT NULL CHECK (version >= 1),
	legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),
	-- NULL, or a key of which the couple has at most one item of this kind
	-- (one answer per card: the card's id; one feeling per partner per
	-- activity: activity/author)
	once TEXT,
	sort TEXT NOT NULL,
	plain TEXT NOT NULL DEFAULT '' CHECK (length(plain) <= 127),
	sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (couple_id, kind, id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

-- Listing a kind (or the answers to one item), newest first: one index walk
-- (rowid, the insertion order, is the last key of every index entry).
CREATE INDEX items_list ON items (couple_id, parent_kind, parent_id, kind, sort);
CREATE UNIQUE INDEX items_once ON items (couple_id, kind, once);

-- What answers an item goes with it (as the old tables' ON DELETE CASCADE).
CREATE TRIGGER items_answers_gone AFTER DELETE ON items
BEGIN
	DELETE FROM items
	WHERE couple_id = old.couple_id AND parent_kind = old.kind AND parent_id = old.id;
END;

CREATE TRIGGER statements_answers_gone AFTER DELETE ON statements
BEGIN
	DELETE FROM items
	WHERE couple_id = old.couple_id AND parent_kind = 'statement' AND parent_id = old.id;
END;

-- The moves, each in the old order, so that insertion order carries over.
INSERT INTO items (couple_id, kind, id, author_id, shared_with, version, legacy, sort,
		   plain, sealed, created_at, updated_at)
SELECT couple_id, 'offer', id, author_id, 1, version, 1, '',
       until || '|' || ifnull(ended_at, ''), text_sealed, created_at,
       ifnull(ended_at, created_at)
FROM offers ORDER BY couple_id, seq;

INSERT INTO items (couple_id, kind, id, author_id, shared_with, version, legacy, sort,
		   sealed, created_at, updated_at)
SELECT couple_id, 'share', id, author_id, shared_with, version, 1, '', content_sealed,
       created_at, created_at
FROM shares ORDER BY couple_id, seq;

INSERT INTO items (couple_id, kind, id, parent_kind, parent_id, author_id, shared_with,
		   version, legacy, once, sort, sealed, created_at, updated_at)
SELECT a.couple_id, 'share_ack', a.id, 'share', a.share_id, a.author_id, 1, 1, 1,
       a.share_id, '', ifnull(a.reply_sealed, X''), a.created_at, a.created_at
FROM share_acks a JOIN shares s ON s.id = a.share_id ORDER BY a.couple_id, s.seq;

INSERT INTO items (couple_id, kind, id, author_id, shared_with, version, legacy, sort,
		   plain, sealed, created_at, updated_at)
SELECT couple_id, 'commitment', id, author_id, 0, version, 1, created_at,
       CAST(review_every_days AS TEXT), text_sealed, created_at, created_at
FROM commitments ORDER BY couple_id, author_id, created_at, seq;

INSERT INTO items (couple_id, kind, id, parent_kind, parent_id, author_id, shared_with,
		   version, legacy, sort, sealed, created_at, updated_at)
SELECT couple_id, 'commitment_review', id, 'commitment', commitment_id, author_id, 0, 1, 1,
       at, body_sealed, at, at
FROM commitment_reviews ORDER BY couple_id, author_id, commitment_id, at, seq;

INSERT INTO items (couple_id, kind, id, author_id, shared_with, version, legacy, sort,
		   plain, sealed, created_at, updated_at)
SELECT couple_id, 'activity', id, author_id, 1, version, 1, planned_for,
       kind || '|' || planned_for || '|' || ifnull(done_at, '') || '|' || ifnull(done_by, ''),
       title_sealed, created_at, created_at
FROM activities ORDER BY couple_id, planned_for, seq;

-- A feeling had no id of its own: it gets a fresh random one.
INSERT INTO items (couple_id, kind, id, parent_kind, parent_id, author_id, shared_with,
		   version, legacy, once, sort, sealed, created_at, updated_at)
SELECT couple_id, 'activity_feeling', lower(hex(randomblob(16))), 'activity', activity_id,
       author_id, 1, version, 1, activity_id || '/' || author_id, updated_at, felt_sealed,
       updated_at, updated_at
FROM activity_feelings ORDER BY couple_id, updated_at, author_id;

INSERT INTO items (couple_id, kind, id, parent_kind, parent_id, author_id, shared_with,
		   version, legacy, sort, sealed, created_at, updated_at)
SELECT couple_id, 'statement_response', id, 'statement', statement_id, author_id, 1, 1, 1,
       created_at, body_sealed, created_at, created_at
FROM statement_responses ORDER BY couple_id, statement_id, created_at, seq;

DROP TABLE share_acks;
DROP TABLE shares;
DROP TABLE offers;
DROP TABLE activity_feelings;
DROP TABLE activities;
DROP TABLE commitment_reviews;
DROP TABLE commitments;
DROP TABLE statement_responses;
