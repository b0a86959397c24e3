/**
 * Caller authentication at the gateway: bearer tokens from several trusted issuers, as RFC 9068
 * JWTs or opaque tokens checked by RFC 7662 introspection, and certificate-bound tokens (RFC 8705).
 */
package dev.bulwark.gateway.auth;
