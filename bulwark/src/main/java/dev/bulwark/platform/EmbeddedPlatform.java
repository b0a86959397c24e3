package dev.bulwark.platform;

import dev.bulwark.examples.ReferenceService;
import dev.bulwark.examples.ServiceSettings;
import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.examples.profiles.ProfilesService;
import dev.bulwark.gateway.Gateway;
import dev.bulwark.gateway.Route;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code bulwark up} runs, in one process: identity, the two reference services and the
 * gateway in front of them, each on its own TLS 1.3 listener on loopback.
 */
public final class EmbeddedPlatform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPlatform.class);

  private final Deque<AutoCloseable> running;
  private final Map<String, URI> components;
  private final String issuer;
  private final URI gatewayUrl;
  private final BootstrapClients.Credentials credentials;
  private final LocalTrust trust;

  private EmbeddedPlatform(
      Deque<AutoCloseable> running,
      Map<String, URI> components,
      String issuer,
      URI gatewayUrl,
      BootstrapClients.Credentials credentials,
      LocalTrust trust) {
    this.running = running;
    this.components = components;
    this.issuer = issuer;
    this.gatewayUrl = gatewayUrl;
    this.credentials = credentials;
    this.trust = trust;
  }

  /** Starts every component; if one fails, those already started are stopped again. */
  public static EmbeddedPlatform start(
      BulwarkConfig config, DataDirectory data, MasterKey masterKey, Clock clock) {
    Deque<AutoCloseable> running = new ArrayDeque<>();
    try {
      SecretSealer sealer = masterKey.sealer();
      Metrics metrics = Metrics.create();
      running.push(metrics);
      BulwarkConfig.ServerSettings server = config.server();
      LocalTrust trust =
          LocalTrust.loadOrCreate(
              data, sealer, server.bindAddress(), server.certificateTtl(), clock);
      running.push(trust);
      SSLContext internalClient = trust.clientContext();
      Map<String, URI> components = new LinkedHashMap<>();

      IdentityProvider identity =
          IdentityProvider.start(
              config.identity(),
              DatabaseSettings.embedded(data.resolve("identity"), "identity"),
              sealer,
              listener("identity", 1, config, trust, metrics),
              clock);
      running.push(identity);
      components.put("identity", identity.url());

      ReferenceService payments =
          PaymentsService.start(
              serviceSettings(
                  identity, PaymentsService.AUDIENCE, internalClient, config, data, "payments"),
              listener("payments", 2, config, trust, metrics),
              clock);
      running.push(payments);
      components.put("payments", payments.url());

      ReferenceService profiles =
          ProfilesService.start(
              serviceSettings(
                  identity, ProfilesService.AUDIENCE, internalClient, config, data, "profiles"),
              listener("profiles", 3, config, trust, metrics),
              clock);
      running.push(profiles);
      components.put("profiles", profiles.url());

      Gateway gateway =
          Gateway.start(
              config.gateway(),
              List.of(
                  new Route("payments", "/payments", payments.url(), PaymentsService.AUDIENCE),
                  new Route("profiles", "/profiles", profiles.url(), ProfilesService.AUDIENCE)),
              identity.issuer(),
              identity.listenerJwksUri(),
              internalClient,
              route -> internalClient,
              listener("gateway", 0, config, trust, metrics));
      running.push(gateway);
      components.put("gateway", gateway.url());

      HttpListener gatewayAdmin = listener("gateway-admin", 4, config, trust, metrics).start();
      running.push(gatewayAdmin);
      components.put("gateway-admin", gatewayAdmin.url());

      BootstrapClients.Credentials credentials =
          BootstrapClients.ensure(identity, data.resolve("bootstrap-credentials.sealed"), sealer);
      trust.startRenewals();
      return new EmbeddedPlatform(
          running, components, identity.issuer(), gateway.url(), credentials, trust);
    } catch (RuntimeException e) {
      closeAll(running);
      throw e;
    }
  }

  /** The manifest describing this running platform. */
  public UpManifest manifest(long pid, long startupMillis) {
    return new UpManifest(
        issuer,
        gatewayUrl,
        trust.certificateFile(),
        components,
        credentials.admin(),
        credentials.demoClients(),
        pid,
        startupMillis);
  }

  /** Whether this start registered the bootstrap clients (so their secrets are new). */
  public boolean firstStart() {
    return credentials.created();
  }

  public Map<String, URI> components() {
    return components;
  }

  @Override
  public void close() {
    closeAll(running);
  }

  private static void closeAll(Deque<AutoCloseable> running) {
    while (!running.isEmpty()) {
      AutoCloseable next = running.pop();
      try {
        next.close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}: {}", next.getClass().getSimpleName(), e.getMessage());
      }
    }
  }

  private static HttpListener.Builder listener(
      String component, int offset, BulwarkConfig config, LocalTrust trust, Metrics metrics) {
    int base = config.server().portBase();
    return HttpListener.builder(component)
        .host(config.server().bindAddress())
        .port(base == 0 ? 0 : base + offset)
        .tls(trust.serverContext(component), ClientAuth.NONE)
        .metrics(metrics);
  }

  private static ServiceSettings serviceSettings(
      IdentityProvider identity,
      String audience,
      SSLContext issuerTls,
      BulwarkConfig config,
      DataDirectory data,
      String name) {
    return new ServiceSettings(
        identity.issuer(),
        identity.listenerJwksUri(),
        audience,
        issuerTls,
        config.gateway().clockSkew(),
        DatabaseSettings.embedded(data.resolve(name), name));
  }
}
