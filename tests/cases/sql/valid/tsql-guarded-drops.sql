-- dialect: tsql
IF EXISTS (SELECT * FROM sys.objects WHERE object_id = OBJECT_ID(N'[dbo].[Orders]') AND type in (N'U'))
DROP TABLE [dbo].[Orders]
GO
IF OBJECT_ID('dbo.Customers', 'U') IS NOT NULL DROP TABLE dbo.Customers;
GO
IF EXISTS (SELECT name FROM sys.schemas WHERE name = N'sales')
BEGIN
    DROP SCHEMA [sales];
END
GO
CREATE SCHEMA [sales]
GO
CREATE TABLE dbo.Customers (CustomerID INT NOT NULL PRIMARY KEY, Name NVARCHAR(100) NOT NULL);
GO
CREATE TABLE [dbo].[Orders] (
    [OrderID] INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    [CustomerID] INT NOT NULL REFERENCES dbo.Customers (CustomerID)
);
GO
