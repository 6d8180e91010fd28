/**
 * Conversions between domain values and meshca.server.v1 messages, one <Thing>Protos class per
 * message family. Parsing failures name the field.
 */
package io.meshca.server.api.convert;
