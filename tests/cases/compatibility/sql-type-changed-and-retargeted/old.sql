CREATE TABLE customer (id INT PRIMARY KEY);
CREATE TABLE company (id INT PRIMARY KEY);
CREATE TABLE orders (
  buyer INT REFERENCES customer (id),
  paid TEXT,
  at TIMESTAMP
);
