-- dialect: postgres
CREATE TABLE SHOP.Item (ID INT);
CREATE TABLE audit.legacy (id INT);
