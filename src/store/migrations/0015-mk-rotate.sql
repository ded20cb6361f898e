-- placeholder, filled by the mk-rotate branch
-- (sql2c refuses a migration with no statement)
SELECT 1;
