CREATE TABLE p (code VARCHAR(20), qty BIGINT, n INT, sku TEXT, amount DECIMAL(10, 2));
