package dev.bulwark.identity;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import dev.bulwark.runtime.http.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A software WebAuthn authenticator for tests: a P-256 key, "none" attestation, user presence and
 * verification always given, and a signature counter the test can wind back. It builds the bytes a
 * browser would send; verifying them is the provider's (webauthn4j's) job.
 */
final class TestAuthenticator {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final ObjectConverter CONVERTER = new ObjectConverter();

  private final KeyPair keys;
  final byte[] credentialId = new byte[32];
  long signCount;

  TestAuthenticator() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      keys = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    new SecureRandom().nextBytes(credentialId);
  }

  /** Another authenticator claiming this one's credential id, with its own key. */
  TestAuthenticator impostor() {
    TestAuthenticator other = new TestAuthenticator();
    System.arraycopy(credentialId, 0, other.credentialId, 0, credentialId.length);
    return other;
  }

  /** The form fields of a registration response to {@code options} (§7.1). */
  Map<String, String> register(JsonNode options, String origin) {
    String challenge = options.path("challenge").asString();
    byte[] clientData = clientData("webauthn.create", challenge, origin);
    AttestedCredentialData credential =
        new AttestedCredentialData(
            AAGUID.ZERO,
            credentialId,
            EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
    AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data =
        new AuthenticatorData<>(
            sha256(options.path("rp").path("id").asString().getBytes(StandardCharsets.UTF_8)),
            (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV | AuthenticatorData.BIT_AT),
            signCount,
            credential);
    byte[] attestation =
        new AttestationObjectConverter(CONVERTER)
            .convertToBytes(new AttestationObject(data, new NoneAttestationStatement()));
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("challenge", challenge);
    fields.put("attestation_object", B64.encodeToString(attestation));
    fields.put("client_data_json", B64.encodeToString(clientData));
    return fields;
  }

  /** The form fields of an assertion for {@code options} (§7.2), counting one more use. */
  Map<String, String> assertion(JsonNode options, String origin) {
    signCount++;
    String challenge = options.path("challenge").asString();
    byte[] clientData = clientData("webauthn.get", challenge, origin);
    byte[] authenticatorData =
        new AuthenticatorDataConverter(CONVERTER)
            .convert(
                new AuthenticatorData<AuthenticationExtensionAuthenticatorOutput>(
                    sha256(options.path("rpId").asString().getBytes(StandardCharsets.UTF_8)),
                    (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV),
                    signCount));
    byte[] signature;
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(keys.getPrivate());
      signer.update(
          ByteBuffer.allocate(authenticatorData.length + 32)
              .put(authenticatorData)
              .put(sha256(clientData))
              .array());
      signature = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("challenge", challenge);
    fields.put("credential_id", B64.encodeToString(credentialId));
    fields.put("authenticator_data", B64.encodeToString(authenticatorData));
    fields.put("client_data_json", B64.encodeToString(clientData));
    fields.put("signature", B64.encodeToString(signature));
    return fields;
  }

  private static byte[] clientData(String type, String challenge, String origin) {
    return Json.bytes(
        Json.object()
            .put("type", type)
            .put("challenge", challenge)
            .put("origin", origin)
            .put("crossOrigin", false));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
