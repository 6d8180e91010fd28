/**
 * ./meshca demo: starts a server, an agent and the two sample workloads as child processes in
 * temporary directories, registers them, drives traffic while SVIDs rotate, and prints the summary
 * line.
 */
package io.meshca.samples.demo;
