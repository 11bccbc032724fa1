CREATE TABLE p (
  code CHAR(8),
  qty INT,
  n INT CHECK (n > 0),
  sku TEXT,
  amount DECIMAL(10, 4),
  CONSTRAINT one UNIQUE (sku)
);
