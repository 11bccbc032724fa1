CREATE TABLE person (size VARCHAR(2));
