-- 0019-clustered.sql: each member's journal and each couple's check-ins
-- stored together, in the order they are read (issue 17), as far as
-- PostgreSQL keeps an order (SQLite's 0019,
-- src/store/migrations/0019-clustered.sql, says why).
--
-- A PostgreSQL table is a heap: rows go where there is room, and no key
-- keeps them in order.  CLUSTER rewrites a table in an index's order once;
-- the index it is told here is the one a later plain `CLUSTER` (a
-- maintenance window's, docs/scaling.md) orders it by again, since rows
-- written after it land in write order.  While the cluster's shared buffers
-- hold the tables, the order costs little; once they do not, a journal
-- page in write order reads about 50 blocks, in key order two or three.

CLUSTER journal_entries USING journal_entries_order;
CLUSTER checkins USING checkins_period;
