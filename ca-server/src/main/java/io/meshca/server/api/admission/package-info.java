/**
 * Admission control for signing: a bounded count of the CSRs the server has taken on (queued or being
 * signed), so that a storm of agents asking at once is told when to come back instead of piling up
 * work in the server's memory.
 */
package io.meshca.server.api.admission;
