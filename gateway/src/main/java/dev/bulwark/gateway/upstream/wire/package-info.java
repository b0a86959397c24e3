/**
 * A lean, strict HTTP/1.1 client for one upstream origin over pooled keep-alive TLS 1.3 connections
 * (RFC 9112), for the gateway's data path: one buffered write per request head, responses parsed
 * strictly and refused when their framing is ambiguous.
 */
package dev.bulwark.gateway.upstream.wire;
