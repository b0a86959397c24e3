package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.security.KeyPair;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class CaMessagesTest {
  private static final TestCa CA = TestCa.create();
  private static final SpiffeId APP = SpiffeId.parse("spiffe://bulwark.test/app");

  @Test
  void anSvidRequestCarriesTheCsrAndTheAttestation() throws Exception {
    KeyPair key = SvidRequests.newKey();
    byte[] csr = SvidRequests.csr(key);

    Map<String, Object> body =
        JSONObjectUtils.parse(CaMessages.svidRequest(csr, Attestation.joinToken("tok")));

    byte[] der = Base64.getDecoder().decode(JSONObjectUtils.getString(body, "csr"));
    JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(der);
    assertThat(request.getPublicKey()).isEqualTo(key.getPublic());
    assertThat(request.getSubject().toString()).isEqualTo("O=Bulwark");
    assertThat(
            request.isSignatureValid(
                new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                    .build(key.getPublic())))
        .isTrue();
    assertThat(JSONObjectUtils.getJSONObject(body, "attestation"))
        .isEqualTo(Map.of("type", "join_token", "token", "tok"));
    assertThat(JSONObjectUtils.parse(CaMessages.renewRequest(csr)))
        .containsOnlyKeys("csr")
        .containsEntry("csr", Base64.getEncoder().encodeToString(csr));
  }

  @Test
  void parsesAnSvidResponse() throws Exception {
    X509Svid svid = CA.svid("/app");

    SvidResponse response = CaMessages.svidResponse(svidJson(svid, CA.bundle(4)), TestCa.DOMAIN);

    assertThat(response.id()).isEqualTo(APP);
    assertThat(response.chain()).containsExactlyElementsOf(svid.chain());
    assertThat(response.expiresAt()).isEqualTo(svid.notAfter());
    assertThat(response.bundle().sequence()).isEqualTo(4);
    assertThat(response.bundle().authorities()).containsExactly(CA.root());
  }

  @Test
  void refusesAnSvidResponseThatIsNotOne() throws Exception {
    Map<String, Object> good = JSONObjectUtils.parse(svidJson(CA.svid("/app"), CA.bundle()));
    for (String member : List.of("spiffe_id", "chain", "expires_at", "bundle")) {
      Map<String, Object> broken = new LinkedHashMap<>(good);
      broken.remove(member);
      assertInvalid(JSONObjectUtils.toJSONString(broken), member);
    }
    Map<String, Object> badCertificate = new LinkedHashMap<>(good);
    badCertificate.put("chain", List.of("bm90IGEgY2VydGlmaWNhdGU="));
    assertInvalid(JSONObjectUtils.toJSONString(badCertificate), "cannot be parsed");
    Map<String, Object> emptyChain = new LinkedHashMap<>(good);
    emptyChain.put("chain", List.of());
    assertInvalid(JSONObjectUtils.toJSONString(emptyChain), "chain");
    assertInvalid("<html>", "not an SVID response");
  }

  @Test
  void mapsTheCasErrorsToStableCodes() {
    assertThat(failure(400, "invalid_request", "CSR signature invalid"))
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo(Code.REQUEST_REJECTED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "POST https://ca.test/v1/svid answered 400 invalid_request: CSR signature"
                          + " invalid");
            });
    assertThat(failure(401, "attestation_failed", "unknown join token").code())
        .isEqualTo(Code.ATTESTATION_FAILED);
    assertThat(failure(401, "client_certificate_required", "").code())
        .isEqualTo(Code.CLIENT_CERTIFICATE_REFUSED);
    assertThat(failure(403, "denied", "revoked").code()).isEqualTo(Code.DENIED);
    assertThat(failure(404, "not_found", "").code()).isEqualTo(Code.REQUEST_REJECTED);
    assertThat(failure(503, "unavailable", "").code()).isEqualTo(Code.CA_ERROR);
    assertThat(failure(429, "slow_down", "").code()).isEqualTo(Code.CA_ERROR);
    assertThat(failure(302, "", "").code()).isEqualTo(Code.INVALID_RESPONSE);
    assertThat(CaMessages.failure(502, "<html>Bad gateway</html>", "GET x").getMessage())
        .isEqualTo("GET x answered 502");
    assertThat(failure(400, "invalid_request", "line one\nline two").getMessage())
        .endsWith("line one line two");
  }

  private static WorkloadIdentityException failure(int status, String error, String description) {
    return CaMessages.failure(
        status,
        JSONObjectUtils.toJSONString(Map.of("error", error, "error_description", description)),
        "POST https://ca.test/v1/svid");
  }

  private static void assertInvalid(String json, String detail) {
    assertThatThrownBy(() -> CaMessages.svidResponse(json, TestCa.DOMAIN))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE);
              assertThat(e.getMessage()).contains(detail);
            });
  }

  static String svidJson(X509Svid svid, TrustBundle bundle) throws Exception {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("spiffe_id", svid.id().toString());
    object.put(
        "chain",
        svid.chain().stream()
            .map(
                c -> {
                  try {
                    return Base64.getEncoder().encodeToString(c.getEncoded());
                  } catch (java.security.cert.CertificateEncodingException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .toList());
    object.put("expires_at", svid.notAfter().toString());
    object.put("bundle", JSONObjectUtils.parse(bundle.toJson()));
    return JSONObjectUtils.toJSONString(object);
  }
}
