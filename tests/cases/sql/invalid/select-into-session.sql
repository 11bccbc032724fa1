-- dialect: postgres  expect-line: 3
CREATE TABLE a (id INT);
SELECT pg_catalog.setval('a_seq', 1), * FROM a;
