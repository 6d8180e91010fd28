/**
 * The server's health as gRPC health checks report it: serving only while its CA is valid and its
 * datastore answers, with one named service per part so that a check can say which part failed.
 */
package io.meshca.server.health;
