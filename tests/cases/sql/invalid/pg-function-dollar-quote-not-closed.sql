-- dialect: postgres  expect-line: 6
CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance NUMERIC(12, 2) NOT NULL);

CREATE FUNCTION add_interest(rate NUMERIC) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE accounts SET balance = balance * (1 + rate);
END;

CREATE TABLE audit (id BIGINT PRIMARY KEY, at TIMESTAMP NOT NULL);
