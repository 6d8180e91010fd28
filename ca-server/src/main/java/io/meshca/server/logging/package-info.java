/** The running server's own logging: its root level, which an operator may change at run time. */
package io.meshca.server.logging;
