-- dialect: postgres   expect-line: 3
CREATE TABLE t (id int);
DROP EXTENSION IF EXISTS hstore;
