-- dialect: postgres  expect-line: 9
CREATE TABLE documents (id BIGINT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE document_versions (
    id BIGINT PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO document_versions (id, document_id, body, created_at) VALUES (1, 1, 'draft', '2024-01-01');
