-- dialect: postgres   expect-line: 2 (a DROP that does not parse is refused, IF EXISTS or not)
DROP TABLE IF EXISTS t garbage (;
CREATE TABLE t (id int);
