-- Federation: bundles of other trust domains and where to fetch them. Portable SQL (SQLite and PostgreSQL).

-- One row per foreign trust domain; document is its SPIFFE bundle (JWKS JSON) as last accepted.
CREATE TABLE federated_bundles (
    trust_domain VARCHAR(255) PRIMARY KEY,
    document     TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Federation relationships created at run time or taken from the config file at start-up.
CREATE TABLE federation_relationships (
    trust_domain       VARCHAR(255) PRIMARY KEY,
    bundle_endpoint_url TEXT NOT NULL,
    profile            VARCHAR(32) NOT NULL,
    endpoint_spiffe_id TEXT,
    trusted_ca_file    TEXT,
    updated_at         BIGINT NOT NULL
);
