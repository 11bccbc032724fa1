-- dialect: postgres
CREATE TABLE person (id INTEGER PRIMARY KEY, age INTEGER, score INTEGER CHECK (score BETWEEN 0 AND 100));
