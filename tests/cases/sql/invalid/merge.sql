-- expect-line: 3
CREATE TABLE a (id INT);
MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE;
