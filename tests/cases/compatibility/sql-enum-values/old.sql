-- dialect: postgres
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE person (mood mood, size TEXT CHECK (size IN ('S', 'M')));
