-- 0003-step2.sql: step 2 of the program, transparency and openness:
-- check-ins, openness cards and their acknowledgements, transparency offers,
-- shared activities and how each partner felt about them.
--
-- As in 0001, every table carries couple_id and hangs off
-- members (couple_id, id) with a composite foreign key, so a row can never
-- name a member of another couple and deleting a member (or the couple)
-- removes what they wrote.  Whatever a member writes is a sealed BLOB; only
-- what the server needs to find, order and count rows stays plain: periods
-- and dates, who wrote it, who it is shared with, and whether it is done.
-- shared_with holds the access bits of core/access.h: 1 partner, 2 care.

-- A check-in: scores, trust, closeness and note are sealed together in
-- content_sealed.  One per member per period; a period is a date, the day
-- itself (daily rhythm) or the Monday of its ISO week (weekly rhythm).
CREATE TABLE checkins (
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

-- One per member per period, and the index behind listing a couple's
-- check-ins by period.
CREATE UNIQUE INDEX checkins_period ON checkins (couple_id, period, author_id);

-- An openness card: its kind and body are sealed together.
CREATE TABLE shares (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	shared_with INTEGER NOT NULL CHECK (shared_with BETWEEN 0 AND 3),
	version INTEGER NOT NULL,
	content_sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

-- seq: one more than the couple's largest, so newest-first is one index walk.
CREATE INDEX shares_couple ON shares (couple_id, seq);

-- "Heard": at most one per card (the partner's), with an optional reply.
CREATE TABLE share_acks (
	id TEXT NOT NULL PRIMARY KEY,
	share_id TEXT NOT NULL UNIQUE REFERENCES shares (id) ON DELETE CASCADE,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	reply_sealed BLOB,
	created_at TEXT NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

-- A transparency offer: always shared with the partner; ended_at is NULL
-- while it stands.
CREATE TABLE offers (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	text_sealed BLOB NOT NULL,
	until TEXT NOT NULL CHECK (length(until) = 10),
	created_at TEXT NOT NULL,
	ended_at TEXT,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX offers_couple ON offers (couple_id, seq);

-- A shared activity, planned by one partner; either marks it done.
-- done_by has no foreign key: the mark outlives an account that left.
CREATE TABLE activities (
	id TEXT NOT NULL PRIMARY KEY,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('exercise', 'cooking', 'hobby', 'other')),
	version INTEGER NOT NULL,
	title_sealed BLOB NOT NULL,
	planned_for TEXT NOT NULL CHECK (length(planned_for) = 10),
	done_at TEXT,
	done_by TEXT,
	created_at TEXT NOT NULL,
	seq INTEGER NOT NULL,
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX activities_couple ON activities (couple_id, planned_for, seq);

-- How one partner felt about an activity: one note per partner, versioned
-- so that an older ciphertext cannot be put back in its place.
CREATE TABLE activity_feelings (
	activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
	couple_id TEXT NOT NULL,
	author_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	felt_sealed BLOB NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (activity_id, author_id),
	FOREIGN KEY (couple_id, author_id) REFERENCES members (couple_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
