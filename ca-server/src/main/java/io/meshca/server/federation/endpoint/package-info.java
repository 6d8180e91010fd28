/**
 * The SPIFFE bundle endpoint over HTTPS (https_web and https_spiffe profiles): serving this trust
 * domain's bundle and fetching a foreign one.
 */
package io.meshca.server.federation.endpoint;
