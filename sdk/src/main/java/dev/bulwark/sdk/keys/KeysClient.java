package dev.bulwark.sdk.keys;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.keys.KeysClientException.Code;
import dev.bulwark.sdk.workload.WorkloadTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The keys service's API (docs/keys.md) over mutual TLS 1.3: encryption, decryption, data keys and
 * rewrapping with a named key ring. The service knows the caller by the workload certificate the
 * {@link Builder#sslContext SSL context} presents, and its key access policy decides what that
 * workload may do.
 *
 * <p>Every failure is a {@link KeysClientException} with a stable code; none returns data it could
 * not protect. Safe for concurrent use; connections are kept open between calls, so {@link
 * #close()} it when done.
 *
 * <pre>{@code
 * KeysClient keys =
 *     KeysClient.builder()
 *         .baseUri(URI.create("https://keys.internal:8447"))
 *         .sslContext(identity.clientContext(PeerAuthorizer.only(keysServiceId)))
 *         .build();
 * Ciphertext sealed = keys.encrypt("payments.cards", cardNumber, recordId);
 * byte[] opened = keys.decrypt("payments.cards", sealed.bytes(), recordId);
 * }</pre>
 */
public final class KeysClient implements AutoCloseable {
  private static final Pattern RING_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final String JSON = "application/json";
  private static final int MAX_ANSWER_BYTES = 1024 * 1024;
  private static final byte[] NONE = new byte[0];

  private final HttpClient http;
  private final String base;
  private final Duration timeout;

  private KeysClient(HttpClient http, String base, Duration timeout) {
    this.http = http;
    this.base = base;
    this.timeout = timeout;
  }

  /** A builder; {@link Builder#baseUri} and {@link Builder#sslContext} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Encrypts {@code plaintext} under {@code ring}'s primary version, with no associated data. */
  public Ciphertext encrypt(String ring, byte[] plaintext) {
    return encrypt(ring, plaintext, NONE);
  }

  /**
   * Encrypts {@code plaintext} (at most 64 KiB) under {@code ring}'s primary version; the
   * ciphertext decrypts only with the same {@code associatedData}, e.g. the id of the record it
   * belongs to.
   *
   * @throws KeysClientException {@code FORBIDDEN}, {@code NOT_FOUND}, {@code TOO_LARGE}, {@code
   *     UNAVAILABLE}...
   * @throws IllegalArgumentException if {@code ring} is not a valid ring name
   */
  public Ciphertext encrypt(String ring, byte[] plaintext, byte[] associatedData) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(associatedData, "associatedData");
    String call = call(ring, "encrypt");
    Map<String, Object> answer =
        post(
            call,
            KeysMessages.request(
                "plaintext",
                KeysMessages.base64(plaintext),
                "associated_data",
                associatedData.length == 0 ? null : KeysMessages.base64(associatedData)));
    return new Ciphertext(
        KeysMessages.bytes(answer, "ciphertext", call),
        KeysMessages.version(answer, "version", call));
  }

  /** Decrypts a ciphertext of {@link #encrypt(String, byte[])}. */
  public byte[] decrypt(String ring, byte[] ciphertext) {
    return decrypt(ring, ciphertext, NONE);
  }

  /**
   * Decrypts a ciphertext of {@link #encrypt(String, byte[], byte[])} with the same associated
   * data.
   *
   * @throws KeysClientException {@code DECRYPT_FAILED} if the ring, associated data or bytes do not
   *     match, {@code VERSION_DISABLED} or {@code VERSION_DESTROYED} if its version can no longer
   *     decrypt, {@code FORBIDDEN}, {@code UNAVAILABLE}...
   */
  public byte[] decrypt(String ring, byte[] ciphertext, byte[] associatedData) {
    requireNonNull(ciphertext, "ciphertext");
    requireNonNull(associatedData, "associatedData");
    String call = call(ring, "decrypt");
    Map<String, Object> answer =
        post(
            call,
            KeysMessages.request(
                "ciphertext",
                KeysMessages.base64(ciphertext),
                "associated_data",
                associatedData.length == 0 ? null : KeysMessages.base64(associatedData)));
    return KeysMessages.bytes(answer, "plaintext", call);
  }

  /**
   * A fresh AES-256 data key for local encryption, with its form wrapped by {@code ring}'s primary
   * version to store beside the data.
   */
  public DataKey generateDataKey(String ring) {
    String call = call(ring, "datakey");
    Map<String, Object> answer = post(call, "{}");
    return new DataKey(
        KeysMessages.bytes(answer, "plaintext", call),
        KeysMessages.bytes(answer, "wrapped", call),
        KeysMessages.version(answer, "version", call));
  }

  /**
   * Unwraps the {@link DataKey#wrapped() wrapped form} of a data key of {@code ring}; needs the
   * DECRYPT permission.
   */
  public byte[] decryptDataKey(String ring, byte[] wrapped) {
    requireNonNull(wrapped, "wrapped");
    String call = call(ring, "datakey/decrypt");
    Map<String, Object> answer =
        post(call, KeysMessages.request("wrapped", KeysMessages.base64(wrapped)));
    return KeysMessages.bytes(answer, "plaintext", call);
  }

  /**
   * The same ciphertext with its data key re-wrapped by {@code ring}'s primary version, e.g. after
   * a rotation, before the old version is disabled. The service never decrypts the payload.
   */
  public Ciphertext rewrap(String ring, byte[] ciphertext) {
    requireNonNull(ciphertext, "ciphertext");
    String call = call(ring, "rewrap");
    Map<String, Object> answer =
        post(call, KeysMessages.request("ciphertext", KeysMessages.base64(ciphertext)));
    return new Ciphertext(
        KeysMessages.bytes(answer, "ciphertext", call),
        KeysMessages.version(answer, "version", call));
  }

  /** The service's base URI. */
  public URI baseUri() {
    return URI.create(base);
  }

  /** Closes the pooled connections. */
  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "KeysClient{" + base + "}";
  }

  private String call(String ring, String operation) {
    requireNonNull(ring, "ring");
    // Checked here because it becomes a path segment: "../admin" must not reach another route.
    if (!RING_NAME.matcher(ring).matches()) {
      throw new IllegalArgumentException(
          "ring: '"
              + ring
              + "' (expected: 1 to 64 characters of a-z 0-9 . _ -, starting with a letter or"
              + " digit)");
    }
    return "POST " + base + "/v1/keys/" + ring + "/" + operation;
  }

  private Map<String, Object> post(String call, String json) {
    URI uri = URI.create(call.substring("POST ".length()));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", JSON)
            .header("Content-Type", JSON)
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String answer = read(response.body(), call);
      int status = response.statusCode();
      if (status < 200 || status > 299) {
        throw KeysMessages.failure(status, answer, call);
      }
      return KeysMessages.parse(answer, call);
    } catch (HttpTimeoutException e) {
      throw new KeysClientException(Code.UNAVAILABLE, call + " got no answer within " + timeout, e);
    } catch (SSLException e) {
      throw new KeysClientException(
          Code.UNAVAILABLE,
          call
              + ": the TLS handshake failed (is the service's certificate trusted, and ours?): "
              + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new KeysClientException(Code.UNAVAILABLE, call + " failed: " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeysClientException(Code.INTERRUPTED, call + " was interrupted", e);
    }
  }

  private static String read(InputStream body, String call) throws IOException {
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
      if (bytes.length > MAX_ANSWER_BYTES) {
        throw new KeysClientException(
            Code.INVALID_RESPONSE,
            call + ": the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + message;
  }

  /** Builds a {@link KeysClient}. */
  public static final class Builder {
    private URI baseUri;
    private SSLContext sslContext;
    private Duration timeout = Duration.ofSeconds(5);

    private Builder() {}

    /** The service's base URI, {@code https://host:port}. */
    public Builder baseUri(URI baseUri) {
      WorkloadTls.httpsBase(baseUri, "keys API");
      this.baseUri = baseUri;
      return this;
    }

    /**
     * The TLS context: it must present this workload's SVID and verify the service by its SPIFFE
     * ID, as {@code WorkloadIdentity.clientContext(PeerAuthorizer.only(keysServiceId))} does. Host
     * names are not checked; the trust manager is what authenticates the service.
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** How long a call may take, connecting included (default 5 seconds). */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalStateException if the base URI or the SSL context is missing
     */
    public KeysClient build() {
      if (baseUri == null) {
        throw new IllegalStateException("baseUri: not set (expected: https://host:port)");
      }
      if (sslContext == null) {
        throw new IllegalStateException(
            "sslContext: not set (expected: a context presenting this workload's SVID)");
      }
      String base = WorkloadTls.httpsBase(baseUri, "keys API");
      HttpClient http = WorkloadTls.httpClient(sslContext, timeout);
      return new KeysClient(http, base, timeout);
    }
  }
}
