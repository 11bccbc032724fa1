-- dialect: postgres
CREATE TABLE shop.item (id INT);
CREATE TABLE shop.legacy (id INT);
