CREATE TABLE person (name VARCHAR(40));
