-- dialect: tsql   tables named like kinds of code objects are tables
CREATE TABLE Event (id int PRIMARY KEY);
CREATE TABLE [Trigger] (id int PRIMARY KEY, event_id int REFERENCES Event(id));
CREATE TABLE Package (id int PRIMARY KEY);
GO
CREATE TABLE Body (id int PRIMARY KEY, package_id int REFERENCES Package(id));
GO
