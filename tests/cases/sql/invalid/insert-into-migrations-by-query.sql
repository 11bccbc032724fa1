-- dialect: postgres  expect-line: 3
CREATE TABLE schema_migrations (version VARCHAR(255) PRIMARY KEY);
INSERT INTO schema_migrations (version) SELECT version FROM old_schema_migrations;
