package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The calls a workload makes to the Bulwark CA (docs/workload-identity.md, "HTTP API of the CA").
 * {@link WorkloadIdentity} decides what to ask and what to accept; an implementation only carries
 * the requests and parses the answers, so tests can stand in for the CA without a server.
 */
interface CaClient {
  /** {@code POST /v1/svid}: a first SVID for the key of {@code csr}, proved by an attestation. */
  SvidResponse attest(byte[] csr, Attestation attestation, Credentials credentials)
      throws WorkloadIdentityException;

  /** {@code POST /v1/svid/renew}: a new SVID for the key of {@code csr}, over mTLS. */
  SvidResponse renew(byte[] csr, Credentials credentials) throws WorkloadIdentityException;

  /** {@code GET /v1/bundle}: the trust domain's current bundle. */
  TrustBundle bundle(Credentials credentials) throws WorkloadIdentityException;

  /** {@code GET /v1/denylist}, over mTLS: the current deny list. */
  DenyList denyList(Credentials credentials) throws WorkloadIdentityException;

  /**
   * What one call trusts and presents: the CA must prove its SPIFFE ID with an SVID of {@code
   * bundle} not on {@code denyList}; the workload presents {@code svid} if there is one.
   */
  record Credentials(TrustBundle bundle, DenyList denyList, Optional<X509Svid> svid) {
    public Credentials {
      requireNonNull(bundle, "bundle");
      requireNonNull(denyList, "denyList");
      requireNonNull(svid, "svid");
    }
  }

  /**
   * The CA's answer to an SVID request, parsed but not yet checked.
   *
   * @param id the SPIFFE ID the CA says it issued
   * @param chain the certificates, leaf first
   * @param expiresAt when the leaf expires, as the CA says
   * @param bundle the trust bundle the CA sent along
   */
  record SvidResponse(
      SpiffeId id, List<X509Certificate> chain, Instant expiresAt, TrustBundle bundle) {
    public SvidResponse {
      requireNonNull(id, "id");
      chain = List.copyOf(chain);
      requireNonNull(expiresAt, "expiresAt");
      requireNonNull(bundle, "bundle");
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("chain: empty (expected the leaf first)");
      }
    }
  }
}
