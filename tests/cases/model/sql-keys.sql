-- dialect: postgres
CREATE TABLE shop.item (
  id BIGINT PRIMARY KEY,
  sku VARCHAR(20) NOT NULL UNIQUE,
  code CHAR(3) DEFAULT 'abc',
  price DECIMAL(10, 2) DEFAULT -1.5 CHECK (price BETWEEN 0 AND 10000),
  qty SMALLINT NOT NULL DEFAULT 0 CHECK (qty >= 0) CHECK (qty < 500),
  size TEXT CHECK (size IN ('S', 'M', 'L')),
  ratio NUMERIC(5),
  flag BOOLEAN DEFAULT TRUE,
  made TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  tiny TINYINT,
  gtin TEXT,
  CONSTRAINT one_gtin UNIQUE (gtin),
  CONSTRAINT sane CHECK (10 > ratio AND ratio >= 1),
  UNIQUE (code, flag)
);
CREATE TABLE shop.line (item_id BIGINT REFERENCES shop.item (id) DEFAULT 1, note VARCHAR(200));
ALTER TABLE shop.line ADD CONSTRAINT kinds CHECK (note IN ('gift', 'plain'));
