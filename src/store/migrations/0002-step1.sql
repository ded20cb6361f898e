-- 0002-step1.sql: step 1 of the program ("take responsibility"): accountability
-- statements, the partner's responses to them, and commitments with their
-- reviews.
--
-- Every word a member writes is sealed by core before it reaches these tables
-- (statements and responses: a draft under a key from the author's master key,
-- a delivered statement and every response under the couple key; commitments
-- and reviews under a key from the author's master key).  What stays readable
-- is only what the server needs to decide who sees what and in which order:
-- ids, authors, times, whether a statement was delivered, how often a
-- commitment is reviewed.
--
-- seq orders rows of one couple (statements) or one parent (responses,
-- commitments, reviews) that share a created_at second, in insertion order, as
-- in journal_entries.

-- A statement is a draft (delivered = 0, private to its author) until it is
-- delivered (delivered = 1, delivered_at set); after that it never changes.
-- parts_sealed holds all six parts together, so their lengths stay hidden.
CREATE TABLE statements (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)),
	parts_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	delivered_at TEXT,
	seq INTEGER NOT NULL,
	CHECK ((delivered = 0) = (delivered_at IS NULL)),
	-- the parent key of statement_responses below
	UNIQUE (couple_id, id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX statements_order ON statements (couple_id, created_at, seq);

-- The receiving partner's answer: read, what landed, what they still need to
-- hear (landed and still_need sealed together in body_sealed).
CREATE TABLE statement_responses (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	statement_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	body_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, statement_id) REFERENCES statements (couple_id, id)
		ON DELETE CASCADE,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX statement_responses_order
	ON statement_responses (couple_id, statement_id, created_at, seq);

-- A commitment: a pattern its author will change, reviewed every
-- review_every_days days.  Always private to its author.
CREATE TABLE commitments (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	text_sealed BLOB NOT NULL,
	review_every_days INTEGER NOT NULL CHECK (review_every_days BETWEEN 1 AND 365),
	created_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	-- the parent key of commitment_reviews below
	UNIQUE (couple_id, author_id, id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX commitments_order ON commitments (couple_id, author_id, created_at, seq);

-- One review of a commitment (kept, slipped or renewed, and a note), sealed
-- together in body_sealed: how someone is doing is theirs alone.
CREATE TABLE commitment_reviews (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	commitment_id TEXT NOT NULL,
	body_sealed BLOB NOT NULL,
	at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, author_id, commitment_id)
		REFERENCES commitments (couple_id, author_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX commitment_reviews_order
	ON commitment_reviews (couple_id, author_id, commitment_id, at, seq);
