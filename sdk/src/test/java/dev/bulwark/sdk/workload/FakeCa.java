package dev.bulwark.sdk.workload;

import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The CA as a {@link CaClient}, without HTTP: it checks each CSR's signature and issues for its
 * key, as the real CA does, and can be told to be down, to fail, or to answer oddly.
 */
final class FakeCa implements CaClient {
  final TestCa ca;
  private final Clock clock;
  SpiffeId issuedId;
  Duration lifetime = Duration.ofHours(1);
  // How far before issuance notBefore is set, as real CAs do for clock skew.
  Duration backdate = Duration.ZERO;

  /** Signs the leaves it issues; another CA's intermediate makes chains that do not verify. */
  TestCa issuer;

  TrustBundle bundleInSvid;
  TrustBundle bundle;
  DenyList denyList = DenyList.EMPTY;
  boolean down;
  final Deque<WorkloadIdentityException> failures = new ArrayDeque<>();

  /** Rewrites each SVID response: (response, the CSR's key) → what the workload gets. */
  BiFunction<SvidResponse, PublicKey, SvidResponse> tamper = (response, key) -> response;

  int attests;
  int renewals;
  int bundleCalls;
  int denyListCalls;
  final List<Map<String, Object>> attestations = new ArrayList<>();
  final List<Credentials> credentials = new ArrayList<>();

  FakeCa(TestCa ca, Clock clock, SpiffeId issuedId) {
    this.ca = ca;
    this.issuer = ca;
    this.clock = clock;
    this.issuedId = issuedId;
    this.bundleInSvid = ca.bundle();
    this.bundle = ca.bundle();
  }

  @Override
  public SvidResponse attest(byte[] csr, Attestation attestation, Credentials credentials)
      throws WorkloadIdentityException {
    attests++;
    this.credentials.add(credentials);
    attestations.add(attestation.toJson());
    answerOrFail();
    return issue(csr);
  }

  @Override
  public SvidResponse renew(byte[] csr, Credentials credentials) throws WorkloadIdentityException {
    renewals++;
    this.credentials.add(credentials);
    answerOrFail();
    if (credentials.svid().isEmpty()) {
      throw new WorkloadIdentityException(
          Code.CLIENT_CERTIFICATE_REFUSED, "renewal without a client certificate");
    }
    return issue(csr);
  }

  @Override
  public TrustBundle bundle(Credentials credentials) throws WorkloadIdentityException {
    bundleCalls++;
    this.credentials.add(credentials);
    answerOrFail();
    return bundle;
  }

  @Override
  public DenyList denyList(Credentials credentials) throws WorkloadIdentityException {
    denyListCalls++;
    this.credentials.add(credentials);
    answerOrFail();
    return denyList;
  }

  private void answerOrFail() throws WorkloadIdentityException {
    if (down) {
      throw new WorkloadIdentityException(
          Code.CA_UNREACHABLE, "POST https://ca.test/v1/svid failed: ConnectException");
    }
    WorkloadIdentityException failure = failures.poll();
    if (failure != null) {
      throw failure;
    }
  }

  private SvidResponse issue(byte[] der) throws WorkloadIdentityException {
    PublicKey key;
    try {
      JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(der);
      key = csr.getPublicKey();
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new WorkloadIdentityException(Code.REQUEST_REJECTED, "CSR signature invalid");
      }
    } catch (WorkloadIdentityException e) {
      throw e;
    } catch (Exception e) {
      throw new WorkloadIdentityException(Code.REQUEST_REJECTED, "bad CSR", e);
    }
    X509Certificate leaf =
        issuer
            .leaf(issuedId)
            .publicKey(key)
            .validity(clock.instant().minus(backdate), lifetime.plus(backdate))
            .issue();
    SvidResponse response =
        new SvidResponse(
            issuedId,
            List.of(leaf, issuer.intermediate()),
            leaf.getNotAfter().toInstant(),
            bundleInSvid);
    return tamper.apply(response, key);
  }
}
