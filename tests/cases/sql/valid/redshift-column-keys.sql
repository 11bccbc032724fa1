-- dialect: redshift
CREATE TABLE sales (
  sale_id BIGINT NOT NULL ENCODE az64,
  seller_id INTEGER NOT NULL DISTKEY,
  sold_at TIMESTAMP SORTKEY,
  amount DECIMAL(8,2) ENCODE az64
) DISTSTYLE KEY;
CREATE TABLE listing (listing_id INTEGER, listed_at TIMESTAMP) DISTKEY(listing_id) SORTKEY(listed_at);
