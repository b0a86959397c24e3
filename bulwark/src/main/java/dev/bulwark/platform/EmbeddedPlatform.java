package dev.bulwark.platform;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.emit.AuditEmitter;
import dev.bulwark.examples.ReferenceService;
import dev.bulwark.examples.ServiceSettings;
import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.examples.profiles.ProfilesService;
import dev.bulwark.gateway.Gateway;
import dev.bulwark.gateway.GatewayException;
import dev.bulwark.gateway.GatewayRoutes;
import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.ratelimit.LocalRateLimiter;
import dev.bulwark.gateway.ratelimit.RateLimiter;
import dev.bulwark.gateway.ratelimit.RedisRateLimiter;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.keys.server.Callers;
import dev.bulwark.keys.server.KeyAccessPolicy;
import dev.bulwark.keys.server.KeysServer;
import dev.bulwark.keys.server.Operation;
import dev.bulwark.platform.audit.AuditCollector;
import dev.bulwark.platform.audit.PlatformAudit;
import dev.bulwark.platform.policy.PolicyServer;
import dev.bulwark.platform.policy.PolicyStore;
import dev.bulwark.platform.policy.ReferencePolicies;
import dev.bulwark.runtime.config.ConfigException;
import dev.bulwark.runtime.config.ConfigFileWatcher;
import dev.bulwark.runtime.http.HealthCheck;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.policy.DecisionAudit;
import dev.bulwark.sdk.policy.DirectoryPolicySource;
import dev.bulwark.sdk.policy.PolicyApiSource;
import dev.bulwark.sdk.policy.PolicySource;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import dev.bulwark.sdk.workload.WorkloadTls;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code bulwark up} runs, in one process: the workload CA, identity, the two reference
 * services and the gateway in front of them, each on its own TLS 1.3 listener on loopback, each
 * with its own SPIFFE identity. Every internal hop is mutual TLS with a checked peer identity.
 */
public final class EmbeddedPlatform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPlatform.class);

  private final Deque<AutoCloseable> running;
  private final Map<String, URI> components;
  private final String issuer;
  private final URI gatewayUrl;
  private final BootstrapClients.Credentials credentials;
  private final WorkloadTrust trust;
  private final GatewayReload gatewayReload;

  // Reads the gateway's routes from a newly loaded config into the running gateway.
  private interface GatewayReload {
    void apply(BulwarkConfig next);
  }

  private EmbeddedPlatform(
      Deque<AutoCloseable> running,
      Map<String, URI> components,
      String issuer,
      URI gatewayUrl,
      BootstrapClients.Credentials credentials,
      WorkloadTrust trust,
      GatewayReload gatewayReload) {
    this.running = running;
    this.components = components;
    this.issuer = issuer;
    this.gatewayUrl = gatewayUrl;
    this.credentials = credentials;
    this.trust = trust;
    this.gatewayReload = gatewayReload;
  }

  /** Starts every component; if one fails, those already started are stopped again. */
  public static EmbeddedPlatform start(
      BulwarkConfig config, DataDirectory data, MasterKey masterKey, Clock clock) {
    Deque<AutoCloseable> running = new ArrayDeque<>();
    try {
      PlatformSecrets secrets = PlatformSecrets.open(data, masterKey, clock);
      SecretSealer sealer = secrets.sealer();
      Metrics metrics = Metrics.create();
      running.push(metrics);
      PlatformAudit audit =
          PlatformAudit.open(config.audit(), data, sealer, Optional.empty(), metrics, clock);
      running.push(audit);
      // The CA runs before any workload has a certificate to reach the collector with.
      WorkloadTrust trust =
          WorkloadTrust.start(
              config.ca(),
              config.server().bindAddress(),
              data,
              sealer,
              audit.localEmitter("ca"),
              listener("ca", 5, config, metrics),
              clock);
      running.push(trust);
      Map<String, URI> components = new LinkedHashMap<>();
      components.put("ca", trust.server().url());
      TrustDomain domain = trust.trustDomain();
      SpiffeId identityId = trust.id("identity");
      SpiffeId gatewayId = trust.id("gateway");
      SpiffeId operatorId = trust.id(WorkloadTrust.OPERATOR);
      SpiffeId policyId = trust.id("policy");
      trust.attestOperator();

      // The collector takes events from any workload of the trust domain; searching the trail
      // is for the operator alone.
      SpiffeId auditId = trust.id("audit");
      WorkloadIdentity auditWorkload = trust.attest("audit");
      HttpListener collector =
          audit.serve(
              serviceListener(
                      "audit", 7, config, metrics, auditWorkload, PeerAuthorizer.memberOf(domain))
                  .audit(audit.localEmitter("audit"))
                  .maxPayloadSize(AuditCollector.MAX_BODY_BYTES)
                  .requirePeer("/v1/query", PeerAuthorizer.only(operatorId)));
      components.put("audit", collector.url());
      AuditTrail trail = new AuditTrail(audit, collector.url(), PeerAuthorizer.only(auditId));

      // Identity's token endpoint is public: clients without a workload certificate are served,
      // but one that presents a certificate must present a valid SVID.
      WorkloadIdentity identityWorkload = trust.attest("identity");
      AuditEmitter identityAudit = trail.emitter("identity", identityWorkload);
      IdentityProvider identity =
          IdentityProvider.start(
              config.identity(),
              config.identityStore().database(data.resolve("identity")),
              sealer,
              identityAudit,
              listener("identity", 1, config, metrics)
                  .audit(identityAudit)
                  .tls(publicContext(identityWorkload, domain), ClientAuth.OPTIONAL)
                  .healthCheck("workload_identity", health(identityWorkload)),
              clock);
      running.push(identity);
      components.put("identity", identity.url());

      // The policy store, before the services and the gateway that read their sets from it: each
      // workload reads its own set, the operator reads and changes all.
      WorkloadIdentity policyWorkload = trust.attest("policy");
      PolicyStore policyStore = PolicyStore.open(data.resolve("policies"));
      ReferencePolicies.seed(policyStore, List.of("payments", "profiles"));
      PolicyServer policyServer =
          PolicyServer.start(
              policyStore,
              Map.of(
                  ReferencePolicies.GATEWAY,
                  gatewayId,
                  "payments",
                  trust.id("payments"),
                  "profiles",
                  trust.id("profiles")),
              operatorId,
              trail.emitter("policy", policyWorkload),
              serviceListener(
                  "policy", 8, config, metrics, policyWorkload, PeerAuthorizer.memberOf(domain)),
              clock);
      running.push(policyServer);
      components.put("policy", policyServer.url());

      // Services take calls from the gateway alone; the operator may read health and metrics.
      PeerAuthorizer serviceCallers = PeerAuthorizer.only(gatewayId, operatorId);
      WorkloadIdentity paymentsWorkload = trust.attest("payments");
      ReferenceService payments =
          PaymentsService.start(
              serviceSettings(
                  identity,
                  PaymentsService.AUDIENCE,
                  paymentsWorkload.clientContext(PeerAuthorizer.only(identityId)),
                  config,
                  data,
                  "payments"),
              serviceListener("payments", 2, config, metrics, paymentsWorkload, serviceCallers)
                  .audit(trail.emitter("payments", paymentsWorkload))
                  .requirePeer("/payments", PeerAuthorizer.only(gatewayId)),
              clock,
              serviceAuthorizer(
                  "payments",
                  policyServer.url(),
                  paymentsWorkload.clientContext(PeerAuthorizer.only(policyId)),
                  trail.emitter("payments", paymentsWorkload),
                  config,
                  running),
              config.services().refundLimit());
      running.push(payments);
      components.put("payments", payments.url());

      WorkloadIdentity profilesWorkload = trust.attest("profiles");
      ReferenceService profiles =
          ProfilesService.start(
              serviceSettings(
                  identity,
                  ProfilesService.AUDIENCE,
                  profilesWorkload.clientContext(PeerAuthorizer.only(identityId)),
                  config,
                  data,
                  "profiles"),
              serviceListener("profiles", 3, config, metrics, profilesWorkload, serviceCallers)
                  .audit(trail.emitter("profiles", profilesWorkload))
                  .requirePeer("/profiles", PeerAuthorizer.only(gatewayId)),
              clock,
              serviceAuthorizer(
                  "profiles",
                  policyServer.url(),
                  profilesWorkload.clientContext(PeerAuthorizer.only(policyId)),
                  trail.emitter("profiles", profilesWorkload),
                  config,
                  running));
      running.push(profiles);
      components.put("profiles", profiles.url());

      WorkloadIdentity gatewayWorkload = trust.attest("gateway");
      RoutePolicy routePolicy =
          routePolicy(
              config.gatewayPolicy(),
              policyServer.url(),
              gatewayWorkload.clientContext(PeerAuthorizer.only(policyId)),
              trail.emitter("gateway", gatewayWorkload),
              clock);
      running.push(routePolicy);
      // A route to a service the platform runs must reach that service, not merely any workload;
      // a route to another upstream must reach a workload of this trust domain.
      Map<String, URI> services =
          Map.of(
              ReferenceRoutes.PAYMENTS, payments.url(), ReferenceRoutes.PROFILES, profiles.url());
      Map<URI, SpiffeId> serviceIds =
          Map.of(
              payments.url(), trust.id(ReferenceRoutes.PAYMENTS),
              profiles.url(), trust.id(ReferenceRoutes.PROFILES));
      TrustedIssuer platformIssuer =
          TrustedIssuer.ofJwts(
              identity.issuer(), identity.listenerJwksUri(), Set.of("ES256", "RS256", "EdDSA"));
      GatewayRoutes routes =
          config
              .gatewayRoutes()
              .read(services, platformIssuer, ReferenceRoutes.of(services, config.gateway()));
      RateLimiter limiter = rateLimiter(config.gateway(), metrics, running);
      AuditEmitter gatewayAudit = trail.emitter("gateway", gatewayWorkload);
      Gateway gateway =
          Gateway.builder()
              .settings(config.gateway())
              .routes(routes)
              .issuerTls(gatewayWorkload.clientContext(PeerAuthorizer.only(identityId)))
              .upstreamTls(
                  route ->
                      gatewayWorkload.clientContext(
                          Optional.ofNullable(serviceIds.get(route.upstream()))
                              .map(PeerAuthorizer::only)
                              .orElse(PeerAuthorizer.memberOf(domain))))
              .policy(routePolicy)
              .audit(gatewayAudit)
              .metrics(metrics.registry())
              .rateLimiter(limiter)
              .clock(clock)
              .listener(
                  listener("gateway", 0, config, metrics)
                      .audit(gatewayAudit)
                      // The public edge: callers are authenticated by their tokens; a client
                      // certificate, if sent, binds certificate-bound tokens (RFC 8705).
                      .tls(publicContext(gatewayWorkload, domain), ClientAuth.OPTIONAL))
              .start();
      running.push(gateway);
      components.put("gateway", gateway.url());

      HttpListener gatewayAdmin =
          serviceListener(
                  "gateway-admin",
                  4,
                  config,
                  metrics,
                  gatewayWorkload,
                  PeerAuthorizer.only(operatorId))
              .audit(trail.emitter("gateway", gatewayWorkload))
              .start();
      running.push(gatewayAdmin);
      components.put("gateway-admin", gatewayAdmin.url());

      // The keys service: each reference service may use its own rings; the operator
      // administers every ring, including the platform's own, but decrypts nothing.
      WorkloadIdentity keysWorkload = trust.attest("keys");
      KeyAccessPolicy keyPolicy =
          KeyAccessPolicy.builder()
              .allow(Callers.exactly(operatorId), "*", Operation.ADMIN)
              .allow(
                  Callers.exactly(trust.id("payments")),
                  "payments*",
                  Operation.ENCRYPT,
                  Operation.DECRYPT,
                  Operation.DATAKEY,
                  Operation.REWRAP)
              .allow(
                  Callers.exactly(trust.id("profiles")),
                  "profiles*",
                  Operation.ENCRYPT,
                  Operation.DECRYPT,
                  Operation.DATAKEY,
                  Operation.REWRAP)
              .build();
      KeysServer keys =
          KeysServer.start(
              secrets.rings(),
              keyPolicy,
              trail.emitter("keys", keysWorkload),
              serviceListener(
                  "keys", 6, config, metrics, keysWorkload, PeerAuthorizer.memberOf(domain)),
              clock);
      running.push(keys);
      components.put("keys", keys.url());

      BootstrapClients.Credentials credentials =
          BootstrapClients.ensure(identity, data.resolve(BootstrapClients.FILE_NAME), sealer);
      GatewayReload reload =
          next ->
              gateway.reload(
                  () ->
                      next.gatewayRoutes()
                          .read(
                              services,
                              platformIssuer,
                              ReferenceRoutes.of(services, next.gateway())));
      return new EmbeddedPlatform(
          running, components, identity.issuer(), gateway.url(), credentials, trust, reload);
    } catch (RuntimeException e) {
      closeAll(running);
      throw e;
    }
  }

  // Shared through Redis when the config names one, so that instances enforce one limit; in this
  // process's memory otherwise (the embedded default needs no Redis).
  private static RateLimiter rateLimiter(
      GatewaySettings settings, Metrics metrics, Deque<AutoCloseable> running) {
    if (settings.redisUrl().isEmpty()) {
      return LocalRateLimiter.create();
    }
    RedisRateLimiter redis =
        RedisRateLimiter.builder(settings.redisUrl().get(), metrics.registry())
            .commandTimeout(settings.redisTimeout())
            .build();
    running.push(redis);
    if (!redis.connect()) {
      // Not fatal: each route's on_store_failure applies until Redis answers.
      LOG.warn("the rate-limit store does not answer yet; routes apply on_store_failure meanwhile");
    }
    return redis;
  }

  // The gateway's route policy, deciding through an authorizer that follows the configured source;
  // the platform closes it after the gateway.
  private static RoutePolicy routePolicy(
      BulwarkConfig.GatewayPolicyConfig config,
      URI store,
      SSLContext storeTls,
      AuditSink audit,
      Clock clock) {
    PolicySource source =
        switch (config.source()) {
          case REFERENCE -> PolicySource.fixed(RoutePolicy.referenceBundle());
          case DIRECTORY -> DirectoryPolicySource.of(config.directory().orElseThrow());
          case STORE -> policyApi(store, ReferencePolicies.GATEWAY, storeTls);
        };
    return RoutePolicy.of(
        ServiceAuthorizer.builder(RoutePolicy.COMPONENT)
            .source(source)
            .audit(audit, DecisionAudit.DENIES)
            .refreshEvery(
                config.source() == BulwarkConfig.GatewayPolicySource.REFERENCE
                    ? Duration.ZERO
                    : config.pollInterval())
            .build(),
        clock);
  }

  // A reference service's authorizer on its own set in the policy store, read with the service's
  // SVID; until the first fetch succeeds it denies everything. Closed with the platform, after the
  // service that uses it.
  private static ServiceAuthorizer serviceAuthorizer(
      String service,
      URI store,
      SSLContext storeTls,
      AuditSink audit,
      BulwarkConfig config,
      Deque<AutoCloseable> running) {
    ServiceAuthorizer authorizer =
        ServiceAuthorizer.builder(service)
            .source(policyApi(store, service, storeTls))
            .audit(audit, DecisionAudit.DENIES)
            .refreshEvery(config.services().policyPollInterval())
            .build();
    running.push(authorizer);
    return authorizer;
  }

  private static PolicyApiSource policyApi(URI store, String name, SSLContext storeTls) {
    return PolicyApiSource.builder().baseUri(store).store(name).sslContext(storeTls).build();
  }

  // One emitter per component, sending to the collector over mutual TLS with the component's SVID
  // and accepting only the collector's.
  private static final class AuditTrail {
    private final PlatformAudit audit;
    private final URI collector;
    private final PeerAuthorizer collectorOnly;
    private final Map<String, AuditEmitter> emitters = new LinkedHashMap<>();

    AuditTrail(PlatformAudit audit, URI collector, PeerAuthorizer collectorOnly) {
      this.audit = audit;
      this.collector = collector;
      this.collectorOnly = collectorOnly;
    }

    AuditEmitter emitter(String component, WorkloadIdentity workload) {
      return emitters.computeIfAbsent(
          component, c -> audit.remoteEmitter(c, collector, workload.clientContext(collectorOnly)));
    }
  }

  /**
   * Watches {@code file} (the config this platform started from) and applies the gateway's routes,
   * limits and issuers whenever it changes, without dropping connections. A file that does not load
   * or whose routes cannot be applied is refused with one ERROR line; the routes in force stay.
   * Other settings take effect at the next start.
   */
  public void watchConfig(Path file, Map<String, String> env, Duration interval) {
    ConfigFileWatcher watcher =
        ConfigFileWatcher.watch(
            file,
            interval,
            changed -> {
              try {
                gatewayReload.apply(BulwarkConfig.load(Optional.of(changed), env));
                LOG.info("applied the gateway's routes from {}", changed);
              } catch (ConfigException | GatewayException e) {
                LOG.error(
                    "did not apply {}: {}; the gateway's routes in force stay",
                    changed,
                    e.getMessage());
              }
            });
    running.push(watcher);
  }

  /** The manifest describing this running platform. */
  public UpManifest manifest(long pid, long startupMillis) {
    return new UpManifest(
        issuer,
        gatewayUrl,
        trust.bundlePem(),
        trust.trustDomain().name(),
        new UpManifest.Operator(
            trust.id(WorkloadTrust.OPERATOR).toString(), trust.operatorCredentials()),
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
      String component, int offset, BulwarkConfig config, Metrics metrics) {
    int base = config.server().portBase();
    return HttpListener.builder(component)
        .host(config.server().bindAddress())
        .port(base == 0 ? 0 : base + offset)
        .metrics(metrics);
  }

  // An internal listener: mutual TLS, and only the workloads {@code callers} lets in complete the
  // handshake.
  private static HttpListener.Builder serviceListener(
      String component,
      int offset,
      BulwarkConfig config,
      Metrics metrics,
      WorkloadIdentity workload,
      PeerAuthorizer callers) {
    return listener(component, offset, config, metrics)
        .tls(workload.serverContext(callers), ClientAuth.REQUIRED)
        .healthCheck("workload_identity", health(workload));
  }

  // A listener that outside clients reach too: it presents the SVID, and the listener's own
  // parameters decide whether a client certificate is asked for.
  private static SSLContext publicContext(WorkloadIdentity workload, TrustDomain domain) {
    return WorkloadTls.context(
        workload.keyManager(), workload.trustManager(PeerAuthorizer.memberOf(domain)));
  }

  // An expired SVID is an outage: peers refuse this workload until the CA is reachable again.
  private static HealthCheck health(WorkloadIdentity workload) {
    return () ->
        workload.status() == WorkloadIdentity.Status.EXPIRED
            ? Optional.of("the workload certificate has expired")
            : Optional.empty();
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
