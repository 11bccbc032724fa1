-- dialect: mysql  expect-line: 3
CREATE TABLE migrations (migration VARCHAR(255) NOT NULL, batch INT NOT NULL, payload JSON);
INSERT INTO migrations VALUES ('2014_10_12_000000_create_users_table', 1, NULL);
