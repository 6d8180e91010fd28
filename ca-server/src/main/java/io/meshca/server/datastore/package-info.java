/**
 * The JDBC datastore: SQLite in the data dir by default, PostgreSQL when a databaseUrl is set, its
 * schema kept by Flyway migrations. It implements the store interfaces that registration, agents,
 * federation, the CA and the audit log declare; every write that agents must learn of takes a
 * revision and a change-log row. A lost database makes calls fail fast with UNAVAILABLE until a
 * background probe reaches it again (DataStoreStatus).
 */
package io.meshca.server.datastore;
