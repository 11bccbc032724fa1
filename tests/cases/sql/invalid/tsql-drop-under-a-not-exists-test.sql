-- dialect: tsql  expect-line: 3
IF NOT EXISTS (SELECT name FROM sys.databases WHERE name = N'Sales')
    DROP DATABASE [Sales]
GO
CREATE DATABASE [Sales]
GO
CREATE TABLE dbo.Orders (OrderID INT NOT NULL PRIMARY KEY);
