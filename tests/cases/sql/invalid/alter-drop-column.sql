-- expect-line: 3
CREATE TABLE a (id INT, b INT);
ALTER TABLE a DROP COLUMN b;
