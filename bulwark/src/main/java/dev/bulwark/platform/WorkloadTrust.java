package dev.bulwark.platform;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.CaServer;
import dev.bulwark.ca.CaSettings;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.ca.JoinToken;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.workload.Attestation;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import dev.bulwark.sdk.workload.WorkloadIdentityException;
import dev.bulwark.sdk.workload.X509Svid;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workload identity for a {@code bulwark up} installation: the CA hierarchy in {@code DIR/ca}, the
 * CA server that issues SVIDs from it, and an SVID for every component, obtained the way any
 * workload obtains one — a single-use join token, attested over mTLS to the CA's HTTP API — and
 * renewed by the SDK at half its lifetime.
 */
public final class WorkloadTrust implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadTrust.class);
  private static final Duration ATTESTATION_TIMEOUT = Duration.ofSeconds(20);

  /** The workload path of the operator identity that CLI and monitoring use. */
  static final String OPERATOR = "operator";

  private final CaHierarchy hierarchy;
  private final CaServer server;
  private final CaSettings settings;
  private final DataDirectory data;
  private final AuditSink audit;
  private final Clock clock;
  private final List<WorkloadIdentity> identities =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService checks;
  private volatile CertificateAuthority activeIntermediate;

  private WorkloadTrust(
      CaHierarchy hierarchy,
      CaServer server,
      CaSettings settings,
      DataDirectory data,
      AuditSink audit,
      CertificateAuthority activeIntermediate,
      Clock clock) {
    this.hierarchy = hierarchy;
    this.server = server;
    this.settings = settings;
    this.data = data;
    this.audit = audit;
    this.activeIntermediate = activeIntermediate;
    this.clock = clock;
    this.checks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ca-hierarchy-check");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads the CA hierarchy of {@code data} (creating one on first start), renews its intermediate
   * if a third or less of its life is left and the root key is at hand, and starts the CA server.
   */
  public static WorkloadTrust start(
      BulwarkConfig.CaConfig config,
      String bindAddress,
      DataDirectory data,
      SecretSealer sealer,
      AuditSink audit,
      HttpListener.Builder listener,
      Clock clock) {
    CaHierarchy hierarchy =
        CaHierarchy.exists(data.resolve("ca"))
            ? CaHierarchy.load(data.resolve("ca"), sealer, clock)
            : CaHierarchy.init(
                data.resolve("ca"), sealer, config.trustDomain(), Optional.empty(), clock);
    if (!hierarchy.trustDomain().equals(config.trustDomain())) {
      throw new PlatformException(
          "ca.trust_domain is "
              + config.trustDomain()
              + " but the CA in "
              + data.resolve("ca")
              + " is of "
              + hierarchy.trustDomain(),
          "set ca.trust_domain to " + hierarchy.trustDomain() + ", or use a new data directory");
    }
    CertificateAuthority intermediate = hierarchy.activeIntermediate();
    if (nearingEnd(intermediate, clock)) {
      try {
        hierarchy = hierarchy.rotateIntermediate(Optional.empty());
        intermediate = hierarchy.activeIntermediate();
        LOG.info("renewed the intermediate CA; valid until {}", intermediate.notAfter());
      } catch (PlatformException e) {
        LOG.warn(
            "the intermediate CA expires {} and cannot be renewed here: {}; {}",
            intermediate.notAfter(),
            e.getMessage(),
            e.nextStep());
      }
    }
    TrustBundle bundle = hierarchy.bundle(config.svidTtl());
    hierarchy.writeBundlePem(bundle);
    List<String> dnsNames = List.of("localhost");
    List<InetAddress> addresses = listenerAddresses(bindAddress);
    CaSettings settings =
        CaSettings.defaults(config.trustDomain())
            .withSvidTtl(config.svidTtl())
            .withJoinTokenTtl(config.joinTokenTtl())
            .withAdmins(Set.of(SpiffeId.of(config.trustDomain(), "/bulwark/" + OPERATOR)))
            .withListenerNames(dnsNames, addresses);
    CaServer server =
        CaServer.start(
            settings,
            intermediate,
            bundle,
            DatabaseSettings.embedded(data.resolve("ca/db"), "ca"),
            audit,
            listener,
            clock);
    WorkloadTrust trust =
        new WorkloadTrust(hierarchy, server, settings, data, audit, intermediate, clock);
    long check = CaHierarchy.refreshInterval(config.svidTtl()).toMillis();
    trust.checks.scheduleWithFixedDelay(
        trust::followHierarchy, check, check, TimeUnit.MILLISECONDS);
    return trust;
  }

  /** The SPIFFE ID of a Bulwark component, {@code spiffe://<td>/bulwark/<component>}. */
  public SpiffeId id(String component) {
    return SpiffeId.of(settings.trustDomain(), "/bulwark/" + component);
  }

  public TrustDomain trustDomain() {
    return settings.trustDomain();
  }

  /**
   * Attests {@code component} to the CA with a new join token over the network, as any workload
   * would, and keeps its SVID renewed from then on.
   */
  public WorkloadIdentity attest(String component) {
    SpiffeId id = id(component);
    JoinToken token =
        server.createJoinToken(
            id, settings.listenerDnsNames(), settings.listenerAddresses(), Duration.ofMinutes(1));
    try {
      WorkloadIdentity identity =
          WorkloadIdentity.builder()
              .caUrl(server.url())
              .caId(server.spiffeId())
              .bundle(server.bundle())
              .attestation(Attestation.joinToken(token.reveal()))
              .clock(clock)
              .events(new AuditedEvents(component, id))
              .start(ATTESTATION_TIMEOUT);
      identities.add(identity);
      return identity;
    } catch (WorkloadIdentityException e) {
      throw new PlatformException(
          component + " could not obtain its workload identity: " + e.getMessage(),
          "check the log in DIR/logs for the CA's reason");
    }
  }

  /**
   * The operator's identity, also written to {@code DIR/ca/operator.pem} (certificate chain and
   * key, mode 0600) and rewritten at every renewal, for the CLI and monitoring.
   */
  public WorkloadIdentity attestOperator() {
    WorkloadIdentity operator = attest(OPERATOR);
    writeOperatorFiles(operator.svid());
    return operator;
  }

  /** The PEM file holding the bundle's roots. */
  public Path bundlePem() {
    return hierarchy.bundlePem();
  }

  /**
   * Where the operator's certificate chain and private key are written, in one PEM file (mode 0600)
   * so that a reader never pairs a new certificate with an old key.
   */
  public Path operatorCredentials() {
    return data.resolve("ca/operator.pem");
  }

  public CaServer server() {
    return server;
  }

  @Override
  public void close() {
    checks.shutdownNow();
    for (WorkloadIdentity identity : identities) {
      identity.close();
    }
    server.close();
  }

  // Applies what time alone changes in the hierarchy: a root leaving the bundle once its SVIDs
  // are gone, and a pending intermediate (after a root rotation's overlap) becoming active.
  private void followHierarchy() {
    try {
      TrustBundle bundle = hierarchy.bundle(settings.svidTtl());
      if (bundle.sequence() != server.bundle().sequence()) {
        server.updateBundle(bundle);
        hierarchy.writeBundlePem(bundle);
        LOG.info("trust bundle is now {}", bundle);
      }
      CertificateAuthority intermediate = hierarchy.activeIntermediate();
      if (!intermediate.certificate().equals(activeIntermediate.certificate())) {
        server.useIntermediate(intermediate);
        activeIntermediate = intermediate;
        LOG.info("SVIDs are now signed by intermediate {}", intermediate);
      }
    } catch (RuntimeException e) {
      LOG.error("cannot apply the CA hierarchy's changes: {}", e.getMessage());
    }
  }

  private void writeOperatorFiles(X509Svid svid) {
    try {
      StringBuilder pem = new StringBuilder();
      svid.chain().forEach(c -> pem.append(CertificateAuthority.toPem(c)));
      pem.append(Pem.privateKey(svid.key().privateKey()));
      DataDirectory.writePrivate(operatorCredentials(), pem.toString());
    } catch (IOException e) {
      LOG.error("cannot write the operator's certificate: {}", e.getMessage());
    }
  }

  private static boolean nearingEnd(CertificateAuthority intermediate, Clock clock) {
    Instant now = clock.instant();
    Duration left = Duration.between(now, intermediate.notAfter());
    Duration whole =
        Duration.between(
            intermediate.certificate().getNotBefore().toInstant(), intermediate.notAfter());
    return left.compareTo(whole.dividedBy(3)) < 0;
  }

  private static List<InetAddress> listenerAddresses(String bindAddress) {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      addresses.add(InetAddress.ofLiteral("127.0.0.1"));
      addresses.add(InetAddress.ofLiteral("::1"));
      if (!"localhost".equals(bindAddress)) {
        InetAddress bind = InetAddress.getByName(bindAddress);
        if (!addresses.contains(bind)) {
          addresses.add(bind);
        }
      }
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new PlatformException(
          "server.bind_address '" + bindAddress + "' is not an address",
          "set an IP address literal");
    }
    return List.copyOf(addresses);
  }

  /** Logs and audits what happens to a component's identity; alerts are ERROR lines. */
  private final class AuditedEvents implements WorkloadIdentity.Events {
    private final String component;
    private final SpiffeId id;

    AuditedEvents(String component, SpiffeId id) {
      this.component = component;
      this.id = id;
    }

    @Override
    public void onRenewed(X509Svid svid) {
      if (OPERATOR.equals(component)) {
        writeOperatorFiles(svid);
      }
    }

    @Override
    public void onExpiring(X509Svid svid, Duration remaining) {
      audit.emit(
          // The alert rules watch this action for certificates near expiry (docs/audit-events.md).
          AuditEvent.builder(component, "certificate.expiring", AuditEvent.Outcome.FAILURE)
              .time(clock.instant())
              .workload(id.toString())
              .attribute("not_after", svid.notAfter().toString())
              .reason("the SVID expires in " + remaining + " and cannot be renewed")
              .build());
    }

    @Override
    public void onExpired(X509Svid svid) {
      audit.emit(
          AuditEvent.builder(component, "certificate.expired", AuditEvent.Outcome.FAILURE)
              .time(clock.instant())
              .workload(id.toString())
              .attribute("not_after", svid.notAfter().toString())
              .reason("the SVID expired at " + svid.notAfter() + "; peers refuse this workload")
              .build());
    }

    @Override
    public void onPeerRefused(PeerRefusal refusal) {
      audit.emit(
          AuditEvent.builder(component, "tls.peer_refused", AuditEvent.Outcome.DENIED)
              .time(clock.instant())
              .workload(refusal.peer().map(Object::toString).orElse("-"))
              .reason(refusal.reason())
              .attribute("role", refusal.role().name().toLowerCase(java.util.Locale.ROOT))
              .build());
    }
  }
}
