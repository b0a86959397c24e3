package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
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

  /** A context presenting {@code keys}' certificate and verifying peers with {@code trust}. */
  public static SSLContext context(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    requireNonNull(keys, "keys");
    requireNonNull(trust, "trust");
    try {
      SSLContext context = SSLContext.getInstance(TLS_13);
      context.init(
          new javax.net.ssl.KeyManager[] {keys}, new javax.net.ssl.TrustManager[] {trust}, null);
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
}
