/**
 * Files of the server and the agent: the data dir each owns alone (0700, locked while a process runs
 * on it, every file in it 0600), and text files operators hand in (config, PEM), read strictly as
 * UTF-8 with one-line errors naming the file.
 */
package io.meshca.common.files;
