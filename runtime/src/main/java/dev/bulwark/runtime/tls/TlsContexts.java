package dev.bulwark.runtime.tls;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/** JSSE contexts as every Bulwark endpoint uses them: TLS 1.3 only, no fallback. */
public final class TlsContexts {
  /** The only protocol version Bulwark speaks by default (RFC 8446). */
  public static final String TLS_13 = "TLSv1.3";

  // What each context was built with, for listeners that run another TLS engine; weak, so a
  // context no one uses any more is not kept for this.
  private static final Map<SSLContext, Managers> MANAGERS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private TlsContexts() {}

  /**
   * The key and trust managers a context of this class was built with.
   *
   * @param keyManager presents the endpoint's certificate (its current one, when it rotates)
   * @param trustManager verifies the peer's certificate; empty where the JDK's default would
   */
  public record Managers(
      Optional<X509KeyManager> keyManager, Optional<X509TrustManager> trustManager) {
    public Managers {
      requireNonNull(keyManager, "keyManager");
      requireNonNull(trustManager, "trustManager");
    }
  }

  /**
   * The managers {@code context} was built with, if this class built it: so that an endpoint
   * running another TLS implementation (OpenSSL, through Netty) presents the same certificates,
   * rotated ones included, and trusts the same anchors.
   */
  public static Optional<Managers> managers(SSLContext context) {
    return Optional.ofNullable(MANAGERS.get(requireNonNull(context, "context")));
  }

  /**
   * A context that presents {@code keyManager}'s current certificate and, when {@code
   * clientTrustAnchors} is not empty, verifies client certificates against them.
   */
  public static SSLContext server(
      ReloadableKeyManager keyManager, List<X509Certificate> clientTrustAnchors) {
    requireNonNull(keyManager, "keyManager");
    return context(
        new KeyManager[] {keyManager},
        clientTrustAnchors.isEmpty() ? null : trustManagers(clientTrustAnchors));
  }

  /**
   * A client context that trusts only {@code trustAnchors}, optionally presenting a certificate.
   */
  public static SSLContext client(
      List<X509Certificate> trustAnchors, Optional<ReloadableKeyManager> clientKey) {
    if (trustAnchors.isEmpty()) {
      throw new IllegalArgumentException(
          "trustAnchors: empty (expected: at least one CA certificate)");
    }
    KeyManager[] keyManagers = clientKey.map(k -> new KeyManager[] {k}).orElse(null);
    return context(keyManagers, trustManagers(trustAnchors));
  }

  /**
   * Parameters that allow TLS 1.3 alone; {@code clientAuth} says whether a client certificate is
   * asked for.
   */
  public static SSLParameters parameters(ClientAuth clientAuth) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {TLS_13});
    switch (clientAuth) {
      case REQUIRED -> parameters.setNeedClientAuth(true);
      case OPTIONAL -> parameters.setWantClientAuth(true);
      case NONE -> parameters.setWantClientAuth(false);
    }
    return parameters;
  }

  /**
   * Parameters for a client: TLS 1.3 only, and the server's certificate must name the host
   * connected to (RFC 9110 §4.3.4) — trusting the CA alone would accept any of its certificates.
   */
  public static SSLParameters clientParameters() {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {TLS_13});
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    return parameters;
  }

  private static TrustManager[] trustManagers(List<X509Certificate> anchors) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate anchor : anchors) {
        store.setCertificateEntry("anchor-" + i++, anchor);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  private static SSLContext context(KeyManager[] keyManagers, TrustManager[] trustManagers) {
    try {
      SSLContext context = SSLContext.getInstance(TLS_13);
      context.init(keyManagers, trustManagers, null);
      MANAGERS.put(
          context,
          new Managers(
              first(keyManagers, X509KeyManager.class),
              first(trustManagers, X509TrustManager.class)));
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS 1.3 is not available in this JDK: " + e.getMessage(), e);
    }
  }

  private static <T> Optional<T> first(Object[] managers, Class<T> type) {
    if (managers != null) {
      for (Object manager : managers) {
        if (type.isInstance(manager)) {
          return Optional.of(type.cast(manager));
        }
      }
    }
    return Optional.empty();
  }

  /** Whether a server asks its clients for a certificate. */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRED
  }
}
