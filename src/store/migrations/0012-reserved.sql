-- 0012-reserved.sql: a placeholder so that this branch builds on its own
-- (sql2c wants versions without gaps).  Another branch of issue 13 owns
-- this number: drop this file when that branch is merged.
SELECT 1;
