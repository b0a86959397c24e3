package dev.bulwark.ca;

import java.util.Locale;

/** How a workload proved its identity to obtain an SVID. */
public enum Attestation {
  /** A single-use join token an administrator created for it. */
  JOIN_TOKEN,
  /** A Kubernetes projected service-account token. */
  K8S_PSAT,
  /** Its current SVID, over mutual TLS. */
  RENEWAL,
  /** None: the SVID was issued inside the CA's own process (its listener, an operator). */
  IN_PROCESS;

  /** The name used in the HTTP API, audit events and the database, e.g. {@code join_token}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
