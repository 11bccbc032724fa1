-- dialect: postgres
CREATE TABLE person (id INTEGER PRIMARY KEY, age DECIMAL(3, 0), score DECIMAL(3, 0));
