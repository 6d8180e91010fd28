/**
 * What the sample commands share: picocli wiring, the options of every sample service, running until
 * stopped, and the live identity they print.
 */
package io.meshca.samples.cli;
