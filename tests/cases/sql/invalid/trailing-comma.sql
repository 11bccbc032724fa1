-- expect-line: 4
CREATE TABLE a (
  id INT,
);
