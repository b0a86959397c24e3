package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.storage.DatabaseSettings;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * What a reference service needs to run: who issues the tokens it accepts, its own audience, how to
 * reach the issuer's keys, and where its data lives.
 *
 * @param issuer the trusted issuer
 * @param jwksUri the issuer's JWKS URL
 * @param audience this service's audience (RFC 8707 resource indicator)
 * @param issuerTls the TLS context used to fetch the JWKS
 * @param clockSkew tolerated clock difference when checking token lifetimes
 * @param database where the service keeps its data
 */
public record ServiceSettings(
    String issuer,
    URI jwksUri,
    String audience,
    SSLContext issuerTls,
    Duration clockSkew,
    DatabaseSettings database) {
  public ServiceSettings {
    requireNonNull(issuer, "issuer");
    requireNonNull(jwksUri, "jwksUri");
    requireNonNull(audience, "audience");
    requireNonNull(issuerTls, "issuerTls");
    requireNonNull(clockSkew, "clockSkew");
    requireNonNull(database, "database");
  }
}
