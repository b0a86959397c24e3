package dev.bulwark.gateway.edge;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.tls.TlsContexts;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The gateway's TLS on both hops: BoringSSL (netty-tcnative) where the platform has it, with the
 * same key and trust managers as the JSSE context it is given (so rotated certificates keep
 * serving); that JSSE context itself elsewhere. TLS 1.3 only either way. BoringSSL takes about half
 * the JDK's time per TLS record (ADR 0001, third amendment).
 */
public final class EdgeTls {
  private static final String[] TLS_13 = {TlsContexts.TLS_13};

  private EdgeTls() {}

  /** Whether BoringSSL serves the gateway's connections here. */
  public static boolean boringSsl() {
    return OpenSsl.isAvailable();
  }

  /** The listener's side: the settings' certificate, ALPN for HTTP/2 and HTTP/1.1. */
  static SslContext server(HttpListener.Settings settings) {
    ApplicationProtocolConfig alpn =
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);
    ClientAuth clientAuth =
        switch (settings.clientAuth()) {
          case NONE -> ClientAuth.NONE;
          case OPTIONAL -> ClientAuth.OPTIONAL;
          case REQUIRED -> ClientAuth.REQUIRE;
        };
    Optional<TlsContexts.Managers> managers = TlsContexts.managers(settings.sslContext());
    if (boringSsl() && managers.isPresent() && managers.get().keyManager().isPresent()) {
      SslContextBuilder builder =
          SslContextBuilder.forServer(managers.get().keyManager().get())
              .sslProvider(SslProvider.OPENSSL)
              .protocols(TLS_13)
              .clientAuth(clientAuth)
              .applicationProtocolConfig(alpn);
      managers.get().trustManager().ifPresent(builder::trustManager);
      return build(builder);
    }
    return new JdkSslContext(
        settings.sslContext(),
        false,
        null,
        IdentityCipherSuiteFilter.INSTANCE,
        alpn,
        clientAuth,
        TLS_13,
        false);
  }

  /**
   * The upstream side: verifies the upstream with {@code tls}'s trust anchors, and the host name it
   * was reached by against its certificate (endpoint identification "HTTPS", RFC 9110 §4.3.4);
   * presents {@code tls}'s client certificate, if it has one.
   */
  public static SslContext client(SSLContext tls) {
    requireNonNull(tls, "tls");
    Optional<TlsContexts.Managers> managers = TlsContexts.managers(tls);
    if (boringSsl() && managers.isPresent()) {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.OPENSSL)
              .protocols(TLS_13)
              .endpointIdentificationAlgorithm("HTTPS");
      managers.get().trustManager().ifPresent(builder::trustManager);
      managers.get().keyManager().ifPresent(builder::keyManager);
      return build(builder);
    }
    return new JdkSslContext(
        tls, true, null, IdentityCipherSuiteFilter.INSTANCE, null, ClientAuth.NONE, TLS_13, false);
  }

  private static SslContext build(SslContextBuilder builder) {
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }
}
