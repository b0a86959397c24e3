package dev.bulwark.sdk.workload;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.X509CertUtils;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of the CA's HTTP API (docs/workload-identity.md), both ways. */
final class CaMessages {
  // An error description is one line from the CA; more than this is not a description.
  private static final int MAX_DESCRIPTION = 300;

  private CaMessages() {}

  /** The body of {@code POST /v1/svid}. */
  static String svidRequest(byte[] csr, Attestation attestation) throws WorkloadIdentityException {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("csr", Base64.getEncoder().encodeToString(csr));
    object.put("attestation", attestation.toJson());
    return JSONObjectUtils.toJSONString(object);
  }

  /** The body of {@code POST /v1/svid/renew}. */
  static String renewRequest(byte[] csr) {
    return JSONObjectUtils.toJSONString(Map.of("csr", Base64.getEncoder().encodeToString(csr)));
  }

  /**
   * Parses an SVID response; the bundle in it is read as {@code trustDomain}'s.
   *
   * @throws WorkloadIdentityException ({@link Code#INVALID_RESPONSE}) if it is not one
   */
  static SvidResponse svidResponse(String json, TrustDomain trustDomain)
      throws WorkloadIdentityException {
    try {
      Map<String, Object> object = JSONObjectUtils.parse(json);
      SpiffeId id =
          SpiffeId.parse(required(JSONObjectUtils.getString(object, "spiffe_id"), "spiffe_id"));
      String[] encoded = required(JSONObjectUtils.getStringArray(object, "chain"), "chain");
      List<X509Certificate> chain = new ArrayList<>();
      for (String der : encoded) {
        X509Certificate certificate = X509CertUtils.parse(Base64.getDecoder().decode(der));
        if (certificate == null) {
          throw new IllegalArgumentException("a certificate of the chain cannot be parsed");
        }
        chain.add(certificate);
      }
      Instant expiresAt =
          Instant.parse(required(JSONObjectUtils.getString(object, "expires_at"), "expires_at"));
      Map<String, Object> bundle =
          required(JSONObjectUtils.getJSONObject(object, "bundle"), "bundle");
      return new SvidResponse(
          id,
          chain,
          expiresAt,
          TrustBundle.parse(trustDomain, JSONObjectUtils.toJSONString(bundle)));
    } catch (ParseException | IllegalArgumentException | DateTimeParseException e) {
      throw invalid("an SVID response", e);
    }
  }

  /** Parses a bundle response as {@code trustDomain}'s. */
  static TrustBundle bundleResponse(String json, TrustDomain trustDomain)
      throws WorkloadIdentityException {
    try {
      return TrustBundle.parse(trustDomain, json);
    } catch (IllegalArgumentException e) {
      throw invalid("a trust bundle", e);
    }
  }

  /** Parses a deny list response. */
  static DenyList denyListResponse(String json) throws WorkloadIdentityException {
    try {
      return DenyList.parse(json);
    } catch (IllegalArgumentException e) {
      throw invalid("a deny list", e);
    }
  }

  /**
   * The failure an answer other than 200 means: {@code {"error":..,"error_description":..}} with
   * the status codes of the API.
   */
  static WorkloadIdentityException failure(int status, String body, String call) {
    String error = "";
    String description = "";
    try {
      Map<String, Object> object = JSONObjectUtils.parse(body);
      error = oneLine(JSONObjectUtils.getString(object, "error"));
      description = oneLine(JSONObjectUtils.getString(object, "error_description"));
    } catch (ParseException e) {
      // Not the API's error JSON (a proxy's page, say): the status alone has to do.
    }
    String detail =
        call
            + " answered "
            + status
            + (error.isEmpty() ? "" : " " + error)
            + (description.isEmpty() ? "" : ": " + description);
    Code code =
        switch (status) {
          case 401 ->
              "client_certificate_required".equals(error)
                  ? Code.CLIENT_CERTIFICATE_REFUSED
                  : Code.ATTESTATION_FAILED;
          case 403 -> Code.DENIED;
          case 400, 404, 405, 406, 411, 413, 415 -> Code.REQUEST_REJECTED;
          default -> status == 429 || status >= 500 ? Code.CA_ERROR : Code.INVALID_RESPONSE;
        };
    return new WorkloadIdentityException(code, detail);
  }

  private static <T> T required(T value, String member) throws ParseException {
    if (value == null) {
      throw new ParseException("the member \"" + member + "\" is missing", 0);
    }
    return value;
  }

  private static String oneLine(String value) {
    if (value == null) {
      return "";
    }
    String line = value.replaceAll("\\p{Cntrl}", " ").strip();
    return line.length() > MAX_DESCRIPTION ? line.substring(0, MAX_DESCRIPTION) + "…" : line;
  }

  private static WorkloadIdentityException invalid(String what, Exception e) {
    return new WorkloadIdentityException(
        Code.INVALID_RESPONSE, "the CA's answer is not " + what + ": " + e.getMessage(), e);
  }
}
