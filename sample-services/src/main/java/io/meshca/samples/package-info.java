/**
 * The sample-services program: its main, which dispatches to the demo, the bench commands and the two
 * sample workloads, and the JVM options the agent it starts runs with.
 */
package io.meshca.samples;
