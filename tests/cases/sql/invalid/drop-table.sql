-- expect-line: 2
DROP TABLE a;
CREATE TABLE a (id INT);
