-- expect-line: 3
CREATE TABLE a (id INT);
INSERT INTO a VALUES (1);
