package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a workload proves to the CA who it is when it asks for its first SVID: a join token an
 * operator issued for it, or the Kubernetes service-account token its pod was given. The token
 * never appears in {@link #toString()}, in logs or in exception messages.
 */
public final class Attestation {
  // A projected service-account token is a JWT of a few kilobytes; anything far larger is not one.
  private static final int MAX_TOKEN_BYTES = 64 * 1024;

  private final String type;
  private final String description;
  private final TokenSource token;
  private final boolean repeatable;

  private Attestation(String type, String description, TokenSource token, boolean repeatable) {
    this.type = type;
    this.description = description;
    this.token = token;
    this.repeatable = repeatable;
  }

  /**
   * A single-use join token, as {@code POST /v1/admin/join-tokens} returned it.
   *
   * @throws IllegalArgumentException if {@code token} is blank or contains white space
   */
  public static Attestation joinToken(String token) {
    requireNonNull(token, "token");
    if (token.isBlank() || token.codePoints().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("join token: expected a non-blank token without spaces");
    }
    return new Attestation("join_token", "join token", () -> token, false);
  }

  /**
   * The projected service-account token in {@code tokenFile}, read afresh for every attestation
   * because the kubelet rotates it.
   */
  public static Attestation kubernetes(Path tokenFile) {
    requireNonNull(tokenFile, "tokenFile");
    return new Attestation(
        "k8s_psat",
        "Kubernetes service account token " + tokenFile,
        () -> readToken(tokenFile),
        true);
  }

  /**
   * Whether the attestation can be presented again: a join token is spent by its first use, a
   * service-account token is not. Only a repeatable attestation can recover a workload whose SVID
   * expired, since the CA renews only unexpired SVIDs.
   */
  boolean repeatable() {
    return repeatable;
  }

  /** The {@code attestation} member of {@code POST /v1/svid}. */
  Map<String, Object> toJson() throws WorkloadIdentityException {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("type", type);
    object.put("token", token.read());
    return object;
  }

  @Override
  public String toString() {
    return "Attestation{" + description + "}";
  }

  private static String readToken(Path file) throws WorkloadIdentityException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_TOKEN_BYTES + 1);
    } catch (IOException e) {
      throw new WorkloadIdentityException(
          Code.ATTESTATION_UNAVAILABLE,
          "the service account token " + file + " cannot be read: " + e.getClass().getSimpleName(),
          e);
    }
    if (bytes.length > MAX_TOKEN_BYTES) {
      throw new WorkloadIdentityException(
          Code.ATTESTATION_UNAVAILABLE,
          "the service account token " + file + " is larger than " + MAX_TOKEN_BYTES + " bytes");
    }
    String token = new String(bytes, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new WorkloadIdentityException(
          Code.ATTESTATION_UNAVAILABLE, "the service account token " + file + " is empty");
    }
    return token;
  }

  @FunctionalInterface
  private interface TokenSource {
    String read() throws WorkloadIdentityException;
  }
}
