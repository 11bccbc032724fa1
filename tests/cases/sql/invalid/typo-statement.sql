-- expect-line: 2
CRATE TABLE a (id INT);
CREATE TABLE b (id INT);
