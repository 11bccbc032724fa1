CREATE TABLE person (size VARCHAR(2) CHECK (size IN ('S', 'M')));
