-- dialect: postgres
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE person (mood mood, size TEXT CHECK (size IN ('M', 'L')));
