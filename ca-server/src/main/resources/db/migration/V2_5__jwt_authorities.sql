-- JWT signing keys of the trust domain: the public half, published in the bundle; the private key
-- stays in the KeyManager under key_id.
CREATE TABLE jwt_authorities (
    key_id      VARCHAR(128) PRIMARY KEY,
    kid         VARCHAR(128) NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    not_after   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
