-- dialect: postgres  expect-line: 2
CREATE TABLE p1 PARTITION OF nowhere FOR VALUES FROM (1) TO (2);
