/**
 * ca-server's composition root, CaServer: the one class that chooses implementations (through the
 * plugin catalog) and wires datastore, CA, issuance, APIs and federation together, starting them in
 * order and closing them in reverse.
 */
package io.meshca.server;
