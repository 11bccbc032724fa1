-- dialect: postgres
CREATE TABLE m (a INTEGER, b INTEGER, c DATE, d UUID, e TIMESTAMP, f TEXT, g TIME);
