-- dialect: mysql
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `customer`;
CREATE TABLE `customer` (
  `id` int NOT NULL AUTO_INCREMENT,
  `note` varchar(20) DEFAULT 'it''s; \\ fine',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
LOCK TABLES `customer` WRITE;
UNLOCK TABLES;
DELIMITER ;;
CREATE TRIGGER t BEFORE INSERT ON customer FOR EACH ROW BEGIN
  IF NEW.note IS NULL THEN SET NEW.note = 'x'; END IF;
END ;;
DELIMITER ;
