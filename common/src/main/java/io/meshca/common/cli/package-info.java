/**
 * What both command lines (server and agent) share: help on every command with an example, the
 * version, and one-line answers to mistyped flags that name the flag meant.
 */
package io.meshca.common.cli;
