-- The journal of authority slots: each X.509 CA and JWT key keeps its slot (PREPARED, ACTIVE, OLD) and
-- taint, so a restart resumes exactly the same state. Rows of older servers start as OLD: the server
-- adopts its newest valid one as ACTIVE at start. Revoked authorities are deleted.
ALTER TABLE x509_authorities ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'OLD';
ALTER TABLE x509_authorities ADD COLUMN tainted BOOLEAN NOT NULL DEFAULT FALSE;
-- Certificates above the CA (base64 DER, comma-separated, issuer first, root excluded).
ALTER TABLE x509_authorities ADD COLUMN upstream_chain TEXT NOT NULL DEFAULT '';
ALTER TABLE jwt_authorities ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'OLD';
ALTER TABLE jwt_authorities ADD COLUMN tainted BOOLEAN NOT NULL DEFAULT FALSE;

-- Roots of the upstream authority, published in the bundle. A revoked root stays here (revoked = TRUE)
-- so that the upstream listing it again does not bring it back.
CREATE TABLE upstream_roots (
    subject_key_id VARCHAR(128) PRIMARY KEY,
    certificate    TEXT NOT NULL,
    not_after      BIGINT NOT NULL,
    tainted        BOOLEAN NOT NULL,
    revoked        BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);
