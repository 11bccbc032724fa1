CREATE TABLE person (
  id INTEGER NOT NULL CHECK (id >= 1),
  name VARCHAR(40) NOT NULL,
  nick TEXT
);
