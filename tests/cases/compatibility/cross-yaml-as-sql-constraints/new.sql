CREATE TABLE customer (
  name TEXT NOT NULL UNIQUE,
  tier VARCHAR(6) NOT NULL CHECK (tier IN ('bronze', 'silver'))
);
CREATE TABLE orders (buyer TEXT NOT NULL REFERENCES customer (name));
