/**
 * The server's domain values: registration entries and their filter, federation relationships,
 * attested agents, change-log rows, stored authorities and audit rows. Immutable records that the
 * stores persist and the services pass around; this package depends on no other package of the
 * server, so the datastore and the packages whose ports it implements can both stand on it.
 */
package io.meshca.server.model;
