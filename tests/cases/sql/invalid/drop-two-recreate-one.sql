-- dialect: postgres   expect-line: 2 (b is dropped and never re-created)
DROP DOMAIN IF EXISTS a, b;
CREATE DOMAIN a AS integer;
CREATE TABLE t (id int);
