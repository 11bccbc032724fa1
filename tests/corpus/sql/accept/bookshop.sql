-- A bookshop's order schema (eight tables), written for this corpus.
-- Fixed-width codes, decimals, composite primary keys, column and table foreign keys.
CREATE TABLE country (
  country_code CHAR(2) NOT NULL,
  country_name VARCHAR(60) NOT NULL,
  PRIMARY KEY (country_code)
);

CREATE TABLE region (
  region_id INTEGER NOT NULL,
  country_code CHAR(2) NOT NULL REFERENCES country (country_code),
  region_name VARCHAR(80) NOT NULL,
  PRIMARY KEY (region_id)
);

CREATE TABLE publisher (
  publisher_id INTEGER NOT NULL,
  publisher_name VARCHAR(120) NOT NULL,
  region_id INTEGER REFERENCES region (region_id),
  website VARCHAR(200),
  PRIMARY KEY (publisher_id)
);

CREATE TABLE book (
  isbn CHAR(13) NOT NULL,
  title VARCHAR(300) NOT NULL,
  publisher_id INTEGER NOT NULL REFERENCES publisher (publisher_id),
  published_on DATE,
  list_price DECIMAL(10, 2) NOT NULL,
  page_count INTEGER,
  PRIMARY KEY (isbn)
);

CREATE TABLE edition (
  isbn CHAR(13) NOT NULL REFERENCES book (isbn),
  edition_no INTEGER NOT NULL,
  binding CHAR(10) NOT NULL,
  printed_copies INTEGER NOT NULL,
  PRIMARY KEY (isbn, edition_no)
);

CREATE TABLE customer (
  customer_id INTEGER NOT NULL,
  full_name VARCHAR(100) NOT NULL,
  email VARCHAR(254) NOT NULL,
  region_id INTEGER NOT NULL REFERENCES region (region_id),
  balance DECIMAL(12, 2) NOT NULL,
  PRIMARY KEY (customer_id)
);

CREATE TABLE purchase (
  purchase_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customer (customer_id),
  status CHAR(1) NOT NULL,
  total DECIMAL(12, 2) NOT NULL,
  ordered_on DATE NOT NULL,
  note VARCHAR(500),
  PRIMARY KEY (purchase_id)
);

CREATE TABLE purchase_line (
  purchase_id INTEGER NOT NULL REFERENCES purchase (purchase_id),
  line_no INTEGER NOT NULL,
  isbn CHAR(13) NOT NULL,
  edition_no INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price DECIMAL(10, 2) NOT NULL,
  discount DECIMAL(4, 2) NOT NULL,
  shipped_on DATE,
  PRIMARY KEY (purchase_id, line_no),
  FOREIGN KEY (isbn, edition_no) REFERENCES edition (isbn, edition_no)
);
