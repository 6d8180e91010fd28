/**
 * Logging helpers: LogSafe turns text a caller controls into something safe for a log line (cut
 * short, printable ASCII only), so no caller can forge or flood log lines.
 */
package io.meshca.common.logging;
