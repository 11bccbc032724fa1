CREATE TABLE p (
  code VARCHAR(20),
  price DECIMAL(7, 2),
  qty INT,
  age INT CHECK (age >= 0),
  sku TEXT,
  rate NUMERIC(8, 4),
  wide DECIMAL
);
