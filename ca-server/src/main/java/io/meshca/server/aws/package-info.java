/**
 * EC2 instance identity documents: the JSON an instance's metadata service serves, and the PKCS#7
 * signature with which AWS vouches for it. Read by the {@code aws_iid} node attestor.
 */
package io.meshca.server.aws;
