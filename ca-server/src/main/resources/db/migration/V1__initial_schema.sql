-- meshca ca-server schema. Portable SQL: runs on SQLite (embedded default) and PostgreSQL (HA).
-- Binary values are stored base64 in TEXT so that the same statements work on both.

CREATE TABLE counters (
    name  VARCHAR(64) PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('revision', 0);
INSERT INTO counters (name, value) VALUES ('audit', 0);

-- Every change to entries, agents and the bundle, in revision order: agents and replicas sync by delta.
CREATE TABLE changes (
    revision   BIGINT PRIMARY KEY,
    kind       VARCHAR(16) NOT NULL,
    object_id  TEXT NOT NULL,
    parent_id  TEXT,
    op         VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE entries (
    id             VARCHAR(64) PRIMARY KEY,
    spiffe_id      TEXT NOT NULL,
    parent_id      TEXT NOT NULL,
    selectors      TEXT NOT NULL,
    x509_svid_ttl  BIGINT NOT NULL,
    jwt_svid_ttl   BIGINT NOT NULL,
    dns_names      TEXT NOT NULL,
    federates_with TEXT NOT NULL,
    hint           TEXT NOT NULL,
    admin          BOOLEAN NOT NULL,
    downstream     BOOLEAN NOT NULL,
    expires_at     BIGINT,
    revision       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX entries_parent_id ON entries (parent_id);
CREATE INDEX entries_spiffe_id ON entries (spiffe_id);

CREATE TABLE agents (
    spiffe_id        VARCHAR(2048) PRIMARY KEY,
    attestation_type VARCHAR(64) NOT NULL,
    serial           VARCHAR(64) NOT NULL,
    expires_at       BIGINT NOT NULL,
    banned           BOOLEAN NOT NULL,
    selectors        TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL
);

-- Join tokens: only the SHA-256 of the secret is stored; token_id is public (it names the agent).
CREATE TABLE join_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    token_id   VARCHAR(64) NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);

-- X.509 authorities of this trust domain (the bundle). The private key lives in the KeyManager.
CREATE TABLE x509_authorities (
    key_id      VARCHAR(128) PRIMARY KEY,
    certificate TEXT NOT NULL,
    not_after   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Append-only, hash-chained audit log: each row carries the hash of the previous one.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    VARCHAR(64) NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash      VARCHAR(64) NOT NULL
);
