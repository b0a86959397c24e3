package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.internal.CaApi;
import dev.bulwark.ca.internal.CaAudit;
import dev.bulwark.ca.internal.CaOperations;
import dev.bulwark.ca.internal.Caller;
import dev.bulwark.ca.internal.IssuedCertificateStore;
import dev.bulwark.ca.internal.JoinTokenStore;
import dev.bulwark.ca.internal.KubernetesAttestor;
import dev.bulwark.ca.internal.RevocationStore;
import dev.bulwark.ca.internal.SvidNames;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.WorkloadTls;
import dev.bulwark.sdk.workload.X509Svid;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running CA: the HTTP API of docs/workload-identity.md on its own TLS 1.3 listener, which
 * presents an SVID the CA issues itself ({@code spiffe://<trust-domain>/bulwark/ca}) and renews at
 * half its lifetime, and which verifies client SVIDs against the trust bundle and the deny list at
 * the handshake. Join tokens, revocations and the record of issued certificates live in the CA's
 * database.
 */
public final class CaServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CaServer.class);
  private static final Duration DENY_LIST_REFRESH = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofSeconds(5);
  private static final Duration MIN_RENEWAL_DELAY = Duration.ofSeconds(1);

  private final CaSettings settings;
  private final Database database;
  private final CaOperations operations;
  private final AtomicReference<TrustBundle> bundle;
  private final ReloadableKeyManager keyManager;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private volatile HttpListener listener;

  private CaServer(
      CaSettings settings,
      Database database,
      CaOperations operations,
      AtomicReference<TrustBundle> bundle,
      ReloadableKeyManager keyManager,
      Clock clock) {
    this.settings = settings;
    this.database = database;
    this.operations = operations;
    this.bundle = bundle;
    this.keyManager = keyManager;
    this.clock = clock;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "ca-maintenance");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Opens the database, issues the listener's SVID and starts serving on {@code listener} (whose
   * metrics must be set; TLS, routes and the body size limit are set here).
   *
   * @param settings the CA's settings
   * @param intermediate the intermediate that signs SVIDs, of the settings' trust domain
   * @param bundle the trust bundle, holding the root {@code intermediate} chains to
   * @param databaseSettings where join tokens, revocations and issued certificates are kept
   * @param audit where audit events go
   * @param listener the listener to start
   * @param clock the clock for every validity decision
   * @throws CaException {@code WRONG_AUTHORITY} if {@code intermediate} is a root or of another
   *     trust domain, {@code CA_MATERIAL_INVALID} if it does not chain to {@code bundle}
   */
  public static CaServer start(
      CaSettings settings,
      CertificateAuthority intermediate,
      TrustBundle bundle,
      DatabaseSettings databaseSettings,
      AuditSink audit,
      HttpListener.Builder listener,
      Clock clock) {
    requireNonNull(settings, "settings");
    requireNonNull(intermediate, "intermediate");
    requireNonNull(bundle, "bundle");
    requireNonNull(databaseSettings, "databaseSettings");
    requireNonNull(audit, "audit");
    requireNonNull(listener, "listener");
    requireNonNull(clock, "clock");
    if (intermediate.isRoot()
        || !intermediate.trustDomain().equals(Optional.of(settings.trustDomain()))) {
      throw new CaException(
          CaException.Code.WRONG_AUTHORITY,
          "the CA server needs an intermediate of "
              + settings.trustDomain()
              + ", not "
              + intermediate);
    }
    if (!bundle.trustDomain().equals(settings.trustDomain())) {
      throw new CaException(
          CaException.Code.CA_MATERIAL_INVALID,
          "the trust bundle is of " + bundle.trustDomain() + ", not " + settings.trustDomain());
    }
    Database database = Database.open(databaseSettings, "ca", "classpath:db/ca");
    try {
      CaAudit audits = new CaAudit(audit, clock);
      AtomicReference<TrustBundle> currentBundle = new AtomicReference<>(bundle);
      Optional<KubernetesAttestor> kubernetes =
          settings.kubernetes().map(k -> new KubernetesAttestor(settings.trustDomain(), k, clock));
      CaOperations operations =
          new CaOperations(
              settings,
              intermediate,
              currentBundle::get,
              new JoinTokenStore(database, clock),
              new RevocationStore(database),
              new IssuedCertificateStore(database),
              kubernetes,
              audits,
              clock);
      X509Svid own = operations.issueInProcess(listenerNames(settings), Caller.inProcess());
      SpiffeTrustManager trust =
          new SpiffeTrustManager(
              currentBundle::get,
              operations::denyList,
              PeerAuthorizer.memberOf(settings.trustDomain()),
              clock,
              audits::peerRefused);
      requireChainsToBundle(own, bundle, clock);
      ReloadableKeyManager keyManager = new ReloadableKeyManager(own.key());
      CaServer server =
          new CaServer(settings, database, operations, currentBundle, keyManager, clock);
      CaApi api = new CaApi(operations);
      server.listener =
          listener
              .tls(WorkloadTls.context(keyManager, trust), ClientAuth.OPTIONAL)
              .maxPayloadSize(CaApi.MAX_BODY_BYTES)
              .healthCheck("database", database.healthCheck())
              .routes(api::routes)
              .start();
      server.scheduleRenewal(own);
      server.scheduler.scheduleWithFixedDelay(
          server::refreshDenyList,
          DENY_LIST_REFRESH.toMillis(),
          DENY_LIST_REFRESH.toMillis(),
          TimeUnit.MILLISECONDS);
      LOG.info("CA of {} serving on {} as {}", settings.trustDomain(), server.url(), own);
      return server;
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /**
   * A join token for {@code id}, whose SVID will also name {@code dnsNames} and {@code addresses},
   * valid for {@code ttl} (at most 24 hours).
   */
  public JoinToken createJoinToken(
      SpiffeId id, List<String> dnsNames, List<InetAddress> addresses, Duration ttl) {
    requireNonNull(ttl, "ttl");
    return operations.createJoinToken(
        new SvidNames(id, dnsNames, addresses), Optional.of(ttl), Caller.inProcess());
  }

  /** Revokes every SVID naming {@code id}, now and later; returns the new deny list. */
  public DenyList revoke(SpiffeId id, String reason) {
    return operations.revoke(
        new RevocationStore.Target.Identity(id),
        requireNonNull(reason, "reason"),
        Caller.inProcess());
  }

  /** Revokes the one certificate with {@code serial}; returns the new deny list. */
  public DenyList revoke(BigInteger serial, String reason) {
    return operations.revoke(
        new RevocationStore.Target.Serial(serial),
        requireNonNull(reason, "reason"),
        Caller.inProcess());
  }

  /**
   * An SVID with a key generated here, for a workload inside this process (an operator's identity,
   * another component started alongside), valid for the configured SVID lifetime.
   */
  public X509Svid issueSvid(SpiffeId id, List<String> dnsNames, List<InetAddress> addresses) {
    return operations.issueInProcess(new SvidNames(id, dnsNames, addresses), Caller.inProcess());
  }

  /** The certificates issued for {@code id}, oldest first. */
  public List<IssuedCertificate> issuedCertificates(SpiffeId id) {
    return operations.issuedFor(id);
  }

  /** The deny list the listener enforces. */
  public DenyList denyList() {
    return operations.denyList();
  }

  public TrustBundle bundle() {
    return bundle.get();
  }

  /**
   * Replaces the trust bundle, e.g. to add a new root before a rotation or drop an old one after.
   * The next handshake and the next SVID response use it.
   *
   * @throws CaException {@code REQUEST_INVALID} if {@code next} is of another trust domain, is not
   *     newer than the current bundle, or no longer holds the root this CA's SVIDs chain to
   */
  public void updateBundle(TrustBundle next) {
    requireNonNull(next, "next");
    try {
      requireChainsToBundle(listenerSvid(), next, clock);
    } catch (CaException e) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID,
          "the new bundle drops the root this CA issues under: " + e.getMessage(),
          e);
    }
    TrustBundle current;
    do {
      current = bundle.get();
      if (!next.trustDomain().equals(current.trustDomain())
          || next.sequence() <= current.sequence()) {
        throw new CaException(
            CaException.Code.REQUEST_INVALID,
            "the new bundle must be of "
                + current.trustDomain()
                + " with a sequence above "
                + current.sequence()
                + "; got "
                + next);
      }
    } while (!bundle.compareAndSet(current, next));
  }

  /**
   * Signs SVIDs with {@code next} from now on, e.g. when a root rotation's overlap has passed; the
   * listener's own SVID is reissued under it at once.
   *
   * @throws CaException {@code WRONG_AUTHORITY} if {@code next} is a root or of another trust
   *     domain, {@code CA_MATERIAL_INVALID} if it does not chain to the current bundle
   */
  public void useIntermediate(CertificateAuthority next) {
    requireNonNull(next, "next");
    if (next.isRoot() || !next.trustDomain().equals(Optional.of(settings.trustDomain()))) {
      throw new CaException(
          CaException.Code.WRONG_AUTHORITY,
          "the CA server needs an intermediate of " + settings.trustDomain() + ", not " + next);
    }
    X509Svid probe = next.issueSvid(settings.caId(), List.of(), List.of(), Duration.ofMinutes(1));
    requireChainsToBundle(probe, bundle.get(), clock);
    operations.useAuthority(next);
    renewListener();
  }

  /** The SVID the listener presents now. */
  public X509Svid listenerSvid() {
    return new X509Svid(settings.caId(), keyManager.current());
  }

  /** The CA's own SPIFFE ID, {@code spiffe://<trust-domain>/bulwark/ca}. */
  public SpiffeId spiffeId() {
    return settings.caId();
  }

  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      listener.close();
    } finally {
      database.close();
    }
  }

  private void scheduleRenewal(X509Svid current) {
    Duration remaining = Duration.between(clock.instant(), current.notAfter());
    Duration delay = remaining.dividedBy(2);
    if (delay.compareTo(MIN_RENEWAL_DELAY) < 0) {
      delay = MIN_RENEWAL_DELAY;
    }
    scheduleSafely(this::renewListener, delay);
  }

  private void renewListener() {
    try {
      X509Svid next = operations.issueInProcess(listenerNames(settings), Caller.inProcess());
      keyManager.update(next.key());
      LOG.info("renewed the CA listener's SVID: {}", next);
      scheduleRenewal(next);
    } catch (RuntimeException e) {
      LOG.error(
          "cannot renew the CA listener's SVID (current one expires {}); retrying in {}: {}",
          keyManager.current().notAfter(),
          RETRY,
          e.toString());
      scheduleSafely(this::renewListener, RETRY);
    }
  }

  private void refreshDenyList() {
    try {
      operations.refresh();
    } catch (RuntimeException e) {
      LOG.warn("cannot refresh the deny list from the database: {}", e.toString());
    }
  }

  private void scheduleSafely(Runnable task, Duration delay) {
    try {
      scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("not rescheduling: the CA is closing");
    }
  }

  private static SvidNames listenerNames(CaSettings settings) {
    return new SvidNames(
        settings.caId(), settings.listenerDnsNames(), settings.listenerAddresses());
  }

  // Fails fast on a CA whose SVIDs nobody holding this bundle would accept.
  private static void requireChainsToBundle(X509Svid svid, TrustBundle bundle, Clock clock) {
    SpiffeTrustManager check =
        new SpiffeTrustManager(
            () -> bundle, () -> DenyList.EMPTY, PeerAuthorizer.only(svid.id()), clock, r -> {});
    try {
      check.verify(svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.SERVER);
    } catch (CertificateException e) {
      throw new CaException(
          CaException.Code.CA_MATERIAL_INVALID,
          "the CA's SVIDs do not verify with the trust bundle: " + e.getMessage(),
          e);
    }
  }
}
