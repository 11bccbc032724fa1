-- dialect: postgres
CREATE TABLE m (a DOUBLE PRECISION, b NUMERIC, c TEXT, d TEXT, e TEXT, f JSONB, g TEXT);
