-- expect-line: 3
CREATE TABLE a (id INT);
DROP TABLE IF EXISTS b;
