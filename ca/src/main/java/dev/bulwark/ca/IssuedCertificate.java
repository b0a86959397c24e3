package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;
import java.math.BigInteger;
import java.time.Instant;

/**
 * The record the CA keeps of a certificate it issued: never the key, never the certificate's bytes,
 * just enough to audit and to revoke.
 *
 * @param serial the certificate's serial number
 * @param spiffeId the SPIFFE ID it names
 * @param attestation how the workload proved its identity
 * @param issuedAt when it was issued
 * @param notAfter when it expires
 */
public record IssuedCertificate(
    BigInteger serial,
    SpiffeId spiffeId,
    Attestation attestation,
    Instant issuedAt,
    Instant notAfter) {
  public IssuedCertificate {
    requireNonNull(serial, "serial");
    requireNonNull(spiffeId, "spiffeId");
    requireNonNull(attestation, "attestation");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(notAfter, "notAfter");
    if (serial.signum() <= 0) {
      throw new IllegalArgumentException("serial: " + serial + " (expected > 0)");
    }
  }
}
