-- dialect: tsql   expect-line: 4 (a table called Event is not a CREATE EVENT: the INSERT is seen)
CREATE TABLE Event (id int PRIMARY KEY);
CREATE TABLE Attendee (id int PRIMARY KEY, event_id int REFERENCES Event(id));
INSERT INTO Event VALUES (1);
GO
