package dev.bulwark.identity;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/** An identity provider on a loopback HTTPS port with an H2 database in a temporary directory. */
final class TestIdentityProvider implements AutoCloseable {
  static final String PAYMENTS = "urn:bulwark:payments";
  static final String PROFILES = "urn:bulwark:profiles";

  final IdentityProvider provider;
  final SSLContext clientTls;
  final HttpClient http;
  final ClientSecret shopSecret;
  final TestClock clock;

  /** What the provider audited, in order. */
  final List<AuditEvent> audited = new CopyOnWriteArrayList<>();

  private final Metrics metrics = Metrics.create();

  private TestIdentityProvider(
      Path dir,
      CertificateAuthority authority,
      MasterKey masterKey,
      boolean registerClients,
      IdentitySettings settings)
      throws IOException {
    clock = new TestClock();
    ReloadableKeyManager key =
        new ReloadableKeyManager(
            authority.issueEndpointCertificate(
                "identity",
                List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofHours(1)));
    provider =
        IdentityProvider.start(
            settings,
            DatabaseSettings.embedded(dir, "identity"),
            masterKey.sealer(),
            audited::add,
            HttpListener.builder("identity")
                .tls(TlsContexts.server(key, List.of()), TlsContexts.ClientAuth.NONE)
                .metrics(metrics),
            clock);
    clientTls = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    http = HttpClient.newBuilder().sslContext(clientTls).build();
    shopSecret =
        registerClients
            ? provider.registerClient(
                new ClientRegistration(
                    "shop",
                    "Shop",
                    Set.of("payments:read", "profiles:read"),
                    Set.of(PAYMENTS, PROFILES)))
            : new ClientSecret("unused");
  }

  static TestIdentityProvider start(Path dir, CertificateAuthority authority, MasterKey masterKey)
      throws IOException {
    return new TestIdentityProvider(dir, authority, masterKey, true, IdentitySettings.defaults());
  }

  /** A provider with other settings (a lower lockout threshold, say). */
  static TestIdentityProvider start(
      Path dir, CertificateAuthority authority, MasterKey masterKey, IdentitySettings settings)
      throws IOException {
    return new TestIdentityProvider(dir, authority, masterKey, true, settings);
  }

  static TestIdentityProvider restart(Path dir, CertificateAuthority authority, MasterKey masterKey)
      throws IOException {
    return new TestIdentityProvider(dir, authority, masterKey, false, IdentitySettings.defaults());
  }

  static CertificateAuthority authority() {
    return CertificateAuthority.createRoot(
        "Identity test CA", Duration.ofDays(1), Clock.systemUTC());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(provider.issuer() + path)).build());
  }

  /** POSTs a form to /token, with Basic authentication when {@code basic} is given. */
  HttpResponse<String> token(String form, Optional<String> basic) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(provider.tokenEndpoint())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    basic.ifPresent(b -> request.header("Authorization", b));
    return send(request.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String basic(String id, String secret) {
    String pair =
        URLEncoder.encode(id, StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    provider.close();
    metrics.close();
  }
}
