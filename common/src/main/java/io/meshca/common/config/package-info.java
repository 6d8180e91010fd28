/**
 * Configuration shared by server and agent: strict YAML loading (an unknown key is an error naming
 * the key and the file) and the one duration grammar of every config key and CLI flag.
 */
package io.meshca.common.config;
