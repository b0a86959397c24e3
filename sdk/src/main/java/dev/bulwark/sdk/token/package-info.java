/**
 * Access-token verification for services: every hop checks the caller's RFC 9068 JWT access token
 * itself (signature, issuer, audience, lifetime), so the gateway is the first check, never the only
 * one.
 */
package dev.bulwark.sdk.token;
