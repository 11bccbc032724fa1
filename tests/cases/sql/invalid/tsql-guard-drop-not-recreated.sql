-- dialect: tsql  expect-line: 3
CREATE TABLE dbo.Orders (OrderID INT NOT NULL PRIMARY KEY);
IF OBJECT_ID(N'dbo.Customers', N'U') IS NOT NULL DROP TABLE dbo.Customers;
