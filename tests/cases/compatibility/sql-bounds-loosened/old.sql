CREATE TABLE p (
  code VARCHAR(10),
  price DECIMAL(5, 2),
  qty SMALLINT,
  age INT CHECK (age BETWEEN 18 AND 65),
  sku TEXT UNIQUE,
  rate NUMERIC(6, 2),
  wide DECIMAL(8, 2)
);
