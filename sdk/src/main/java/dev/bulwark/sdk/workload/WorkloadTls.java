package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS 1.3 between workloads. TLS 1.3 has no renegotiation (RFC 8446 §4), so a peer's
 * identity is settled once per connection; certificates and trust take effect on the next
 * handshake.
 */
public final class WorkloadTls {
  /** The only protocol version workloads speak. */
  public static final String TLS_13 = "TLSv1.3";

  private WorkloadTls() {}

  /**
   * A context presenting {@code keys}' certificate and verifying peers with {@code trust}. The
   * caller must apply {@link #serverParameters()} or {@link #clientParameters()} to every engine
   * and socket; {@link #serverContext} and {@link #clientContext} do that themselves.
   */
  public static SSLContext context(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    requireNonNull(keys, "keys");
    requireNonNull(trust, "trust");
    return initialized(keys, trust);
  }

  /**
   * A server context presenting {@code keys}' certificate and requiring every client to present one
   * that {@code trust} accepts. Its engines and sockets come with {@link #serverParameters()}
   * applied, and sessions are never resumed, so each connection is verified against the trust
   * bundle and deny list of the moment. A caller that sets its own parameters must keep TLS 1.3 and
   * {@code needClientAuth}.
   */
  public static SSLContext serverContext(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    return serverContext(keys, trust, Duration.ZERO);
  }

  /**
   * As {@link #serverContext(X509ExtendedKeyManager, X509ExtendedTrustManager)}, but a client may
   * resume a session within {@code resumptionWindow} (at most an hour) without a new certificate
   * check: faster reconnects, at the price of a revocation or renewal taking up to the window to
   * reach connections resumed meanwhile. Keep it no longer than the deny list's refresh interval.
   */
  public static SSLContext serverContext(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, Duration resumptionWindow) {
    return new EnforcedSslContext(
        context(keys, trust), WorkloadTls::serverParameters, resumptionWindow);
  }

  /**
   * A client context presenting {@code keys}' certificate when the server asks for one and
   * verifying the server with {@code trust}. Its engines and sockets come with {@link
   * #clientParameters()} applied, and sessions are never resumed.
   */
  public static SSLContext clientContext(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    return clientContext(keys, trust, Duration.ZERO);
  }

  /**
   * As {@link #clientContext(X509ExtendedKeyManager, X509ExtendedTrustManager)}, resuming sessions
   * within {@code resumptionWindow}; see {@link #serverContext(X509ExtendedKeyManager,
   * X509ExtendedTrustManager, Duration)}.
   */
  public static SSLContext clientContext(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, Duration resumptionWindow) {
    return new EnforcedSslContext(
        context(keys, trust), WorkloadTls::clientParameters, resumptionWindow);
  }

  /** A client context that presents no certificate: for attesting, before there is an SVID. */
  static SSLContext anonymousClientContext(X509ExtendedTrustManager trust) {
    requireNonNull(trust, "trust");
    return new EnforcedSslContext(
        initialized(null, trust), WorkloadTls::clientParameters, Duration.ZERO);
  }

  // With no key manager JSSE presents no certificate; it does not fall back to the system key
  // store (that happens only for SSLContext.getDefault()).
  private static SSLContext initialized(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance(TLS_13);
      context.init(
          keys == null ? null : new javax.net.ssl.KeyManager[] {keys},
          new javax.net.ssl.TrustManager[] {trust},
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS 1.3 is not available in this JDK: " + e.getMessage(), e);
    }
  }

  /** Server parameters: TLS 1.3 only, and a client certificate is required. */
  public static SSLParameters serverParameters() {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {TLS_13});
    parameters.setNeedClientAuth(true);
    return parameters;
  }

  /**
   * Client parameters: TLS 1.3 only. No host name check: the server is authorized by its SPIFFE ID
   * in the trust manager instead (X.509-SVID §5.2).
   */
  public static SSLParameters clientParameters() {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {TLS_13});
    return parameters;
  }

  /**
   * {@code baseUri} checked to be {@code https://host[:port]} (Bulwark's service APIs are mTLS
   * only), without a trailing slash.
   *
   * @param api the API's name, for the error
   * @throws IllegalArgumentException for another scheme or no host
   */
  public static String httpsBase(URI baseUri, String api) {
    requireNonNull(baseUri, "baseUri");
    String scheme = baseUri.getScheme() == null ? "" : baseUri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") || baseUri.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUri: " + baseUri + " (expected: https://host:port; the " + api + " is mTLS only)");
    }
    String url = baseUri.toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * An HTTP client for calls to a Bulwark service over mutual TLS: {@code sslContext} (this
   * workload's SVID, the service verified by its SPIFFE ID), TLS 1.3 only, HTTP/2, no redirects (a
   * redirect could carry the call to a peer the context was not built for).
   */
  public static HttpClient httpClient(SSLContext sslContext, Duration connectTimeout) {
    return HttpClient.newBuilder()
        .sslContext(requireNonNull(sslContext, "sslContext"))
        .sslParameters(clientParameters())
        .connectTimeout(requireNonNull(connectTimeout, "connectTimeout"))
        .version(HttpClient.Version.HTTP_2)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }
}
