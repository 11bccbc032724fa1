CREATE TABLE customer (id INT PRIMARY KEY);
CREATE TABLE company (id INT PRIMARY KEY);
CREATE TABLE orders (
  buyer INT REFERENCES company (id),
  paid BOOLEAN,
  at DATE
);
