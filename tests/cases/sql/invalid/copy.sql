-- dialect: postgres  expect-line: 3
CREATE TABLE a (id INT);
COPY a (id) FROM stdin;
