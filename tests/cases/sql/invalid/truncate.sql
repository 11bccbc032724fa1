-- expect-line: 3
CREATE TABLE a (id INT);
TRUNCATE TABLE a;
