-- dialect: tsql   expect-line: 4 (a table type called Event is not a CREATE EVENT: the INSERT is seen)
CREATE TYPE Event AS TABLE (id int);
CREATE TABLE Attendee (id int PRIMARY KEY);
INSERT INTO Attendee VALUES (1);
GO
