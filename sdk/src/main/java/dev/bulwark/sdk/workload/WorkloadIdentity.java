package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.CaClient.Credentials;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.SvidRequests.Issued;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.net.URI;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A workload's own identity, kept fresh: the X.509-SVID the Bulwark CA issued it, the trust bundle
 * and the deny list. {@link Builder#start(Duration)} attests to the CA and returns once the first
 * SVID is in hand; from then on one daemon thread renews the SVID at about half its lifetime (a new
 * key every time) and fetches the bundle and deny list as often as the bundle asks.
 *
 * <p>The key manager, trust managers and SSL contexts it hands out read the live state: a renewed
 * SVID is presented, and a rotated bundle or a revocation applies, from the next handshake on;
 * connections already open are left alone.
 *
 * <p>When the CA cannot be reached the workload keeps serving on its current SVID and retries with
 * backoff. It warns on every failure, raises the alarm ({@link Events#onExpiring}, an ERROR log)
 * once less than a quarter of the lifetime is left, and reports expiry; it never falls back to
 * plain connections or to weaker checks. A workload attested by a Kubernetes service-account token
 * whose SVID expired attests again; one that joined with a single-use token cannot, and needs a new
 * token and a restart.
 *
 * <pre>{@code
 * WorkloadIdentity identity = WorkloadIdentity.builder()
 *     .caUrl(URI.create("https://127.0.0.1:8448"))
 *     .caId(SpiffeId.parse("spiffe://bulwark.local/bulwark/ca"))
 *     .bundle(TrustBundle.fromPem(TrustDomain.of("bulwark.local"), pem))
 *     .attestation(Attestation.joinToken(token))
 *     .start(Duration.ofSeconds(30));
 * SSLContext server = identity.serverContext(PeerAuthorizer.only(caller));
 * }</pre>
 */
public final class WorkloadIdentity implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadIdentity.class);

  private final URI caUrl;
  private final Attestation attestation;
  private final Clock clock;
  private final RenewalPolicy policy;
  private final Events events;
  private final Optional<Duration> refreshInterval;
  private final CaClient ca;
  private final DoubleSupplier random;
  private final Scheduler scheduler;
  private final ReloadableKeyManager keyManager;

  // Renewals, refreshes and renewNow() take turns: each reads and replaces the state below.
  private final ReentrantLock lock = new ReentrantLock();
  private volatile X509Svid svid;
  // When the current SVID arrived. CAs backdate notBefore to absorb clock skew (ours by 30 s), so
  // timing renewal from notBefore alone would renew a short-lived SVID at once, again and again.
  private volatile Instant received;
  private volatile TrustBundle bundle;
  private volatile DenyList denyList = DenyList.EMPTY;
  private volatile Status status = Status.HEALTHY;
  private volatile boolean closed;

  // Guarded by lock.
  private int failures;
  private Instant failingSince;
  private boolean expiringReported;
  private boolean expiredReported;
  private Scheduler.Task renewal = () -> {};
  private Scheduler.Task refresh = () -> {};

  private WorkloadIdentity(Builder builder, CaClient ca, RenewalPolicy policy, Issued first) {
    this.caUrl = builder.caUrl;
    this.attestation = builder.attestation;
    this.clock = builder.clock;
    this.policy = policy;
    this.events = builder.events;
    this.refreshInterval = Optional.ofNullable(builder.refreshInterval);
    this.ca = ca;
    this.random = builder.random;
    this.svid = first.svid();
    this.received = clock.instant();
    this.bundle = first.bundle();
    this.keyManager = new ReloadableKeyManager(first.svid().key());
    this.scheduler = builder.schedulers.apply("workload-identity-" + first.svid().id());
  }

  /**
   * A builder; {@code caUrl}, {@code caId}, {@code bundle} and {@code attestation} are required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The current SVID: the one the next handshake presents. */
  public X509Svid svid() {
    return svid;
  }

  /** The current trust bundle. */
  public TrustBundle bundle() {
    return bundle;
  }

  /** The current deny list; empty until the first fetch. */
  public DenyList denyList() {
    return denyList;
  }

  /** How the identity is faring; {@link Status#EXPIRED} as soon as the SVID has expired. */
  public Status status() {
    if (!clock.instant().isBefore(svid.notAfter())) {
      return Status.EXPIRED;
    }
    Status current = status;
    // The stored status can say EXPIRED only of an SVID since replaced by one still valid.
    return current == Status.EXPIRED ? Status.RENEWAL_FAILING : current;
  }

  /** The key manager presenting the current SVID; every renewal updates it. */
  public ReloadableKeyManager keyManager() {
    return keyManager;
  }

  /**
   * A trust manager verifying peers against the live bundle and deny list, allowing those {@code
   * authorizer} allows. Refusals go to {@link Events#onPeerRefused} and are logged at WARN.
   */
  public SpiffeTrustManager trustManager(PeerAuthorizer authorizer) {
    requireNonNull(authorizer, "authorizer");
    return new SpiffeTrustManager(this::bundle, this::denyList, authorizer, clock, this::refused);
  }

  /**
   * A TLS 1.3 server context: presents the current SVID, requires a client SVID and accepts the
   * clients {@code authorizer} allows. See {@link WorkloadTls#serverContext}.
   */
  public SSLContext serverContext(PeerAuthorizer authorizer) {
    return WorkloadTls.serverContext(keyManager, trustManager(authorizer));
  }

  /**
   * A TLS 1.3 client context: presents the current SVID and accepts only a server whose SVID {@code
   * authorizer} allows, e.g. {@code PeerAuthorizer.only(serverId)}. See {@link
   * WorkloadTls#clientContext}.
   */
  public SSLContext clientContext(PeerAuthorizer authorizer) {
    return WorkloadTls.clientContext(keyManager, trustManager(authorizer));
  }

  /**
   * Renews the SVID now, on the calling thread, and schedules the next renewal from the new one. A
   * failure counts like a scheduled one: reported, and retried with backoff.
   *
   * @return the new SVID
   * @throws WorkloadIdentityException if the CA could not renew it, or the identity is closed
   */
  public X509Svid renewNow() throws WorkloadIdentityException {
    lock.lock();
    try {
      if (closed) {
        throw new WorkloadIdentityException(
            Code.CLOSED, "the workload identity " + svid.id() + " is closed");
      }
      renewal.cancel();
      X509Svid current = svid;
      Issued issued;
      try {
        issued = requestRenewal(current);
      } catch (WorkloadIdentityException | RuntimeException e) {
        if (!closed) {
          renewalFailed(current, e);
        }
        throw e;
      }
      install(issued);
      return issued.svid();
    } finally {
      lock.unlock();
    }
  }

  /** Stops renewing and refreshing. The contexts handed out keep working on the last state. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdown();
    LOG.info("workload identity {} closed; it renews no more", svid.id());
  }

  @Override
  public String toString() {
    return "WorkloadIdentity{"
        + svid.id()
        + ", "
        + status()
        + ", serial="
        + svid.serialNumber().toString(16)
        + ", notAfter="
        + svid.notAfter()
        + "}";
  }

  private void begin() {
    lock.lock();
    try {
      X509Svid first = svid;
      LOG.info(
          "workload identity {} issued by the CA at {}: serial {}, valid until {}",
          first.id(),
          caUrl,
          first.serialNumber().toString(16),
          first.notAfter());
      scheduleRenewal();
      scheduleRefresh();
    } finally {
      lock.unlock();
    }
  }

  // Under lock.
  private Issued requestRenewal(X509Svid current) throws WorkloadIdentityException {
    boolean expired = !clock.instant().isBefore(current.notAfter());
    if (expired && attestation.repeatable()) {
      // The CA renews only an unexpired SVID; a fresh attestation is the way back.
      return request(
          ca,
          Optional.of(attestation),
          new Credentials(bundle, denyList, Optional.empty()),
          Optional.of(current.id()),
          clock);
    }
    return request(
        ca,
        Optional.empty(),
        new Credentials(bundle, denyList, Optional.of(current)),
        Optional.of(current.id()),
        clock);
  }

  // Under lock.
  private void install(Issued issued) {
    TrustBundle previousBundle = bundle;
    if (issued.bundle().sequence() > previousBundle.sequence()) {
      LOG.info(
          "trust bundle of {} updated to sequence {} ({} authorities) with the renewed SVID",
          issued.bundle().trustDomain(),
          issued.bundle().sequence(),
          issued.bundle().authorities().size());
    }
    bundle = issued.bundle();
    X509Svid renewed = issued.svid();
    svid = renewed;
    received = clock.instant();
    keyManager.update(renewed.key());
    int failed = failures;
    failures = 0;
    failingSince = null;
    expiringReported = false;
    expiredReported = false;
    status = Status.HEALTHY;
    LOG.info(
        "renewed the SVID of {}{}: serial {}, valid until {}",
        renewed.id(),
        failed == 0 ? "" : " after " + failed + " failed attempts",
        renewed.serialNumber().toString(16),
        renewed.notAfter());
    scheduleRenewal();
    notify(listener -> listener.onRenewed(renewed));
  }

  // Under lock.
  private void renewalFailed(X509Svid current, Exception failure) {
    Instant now = clock.instant();
    failures++;
    if (failingSince == null) {
      failingSince = now;
    }
    Instant notAfter = current.notAfter();
    Duration remaining = now.isBefore(notAfter) ? Duration.between(now, notAfter) : Duration.ZERO;
    boolean expired = !now.isBefore(notAfter);
    boolean expiring =
        !expired && !now.isBefore(RenewalPolicy.expiringFrom(validFrom(current), notAfter));
    boolean firstExpiring = expiring && !expiringReported;
    boolean firstExpired = expired && !expiredReported;
    expiringReported |= expiring;
    expiredReported |= expired;
    status = expired ? Status.EXPIRED : Status.RENEWAL_FAILING;
    Duration delay =
        policy.retryDelay(failures, now, validFrom(current), notAfter, expiringReported);
    String reason = describe(failure);
    if (expired) {
      LOG.error(
          "the SVID of {} expired at {}: peers refuse it until a renewal succeeds; {} since {}"
              + " ({} failed attempts; last: {}); retrying in {}{}",
          current.id(),
          notAfter,
          caTrouble(failure),
          failingSince,
          failures,
          reason,
          format(delay),
          attestation.repeatable()
              ? ""
              : " (a workload that joined with a join token cannot attest again: issue it a new"
                  + " token and restart it)");
    } else if (expiring) {
      LOG.error(
          "the SVID of {} expires in {}; {} since {} ({} failed attempts; last: {}); retrying in {}",
          current.id(),
          format(remaining),
          caTrouble(failure),
          failingSince,
          failures,
          reason,
          format(delay));
    } else {
      LOG.warn(
          "renewing the SVID of {} failed: {}; it expires in {}; retrying in {}",
          current.id(),
          reason,
          format(remaining),
          format(delay));
    }
    notify(listener -> listener.onRenewalFailed(failure, remaining));
    if (firstExpiring) {
      notify(listener -> listener.onExpiring(current, remaining));
    }
    if (firstExpired) {
      notify(listener -> listener.onExpired(current));
    }
    renewal = scheduler.schedule(this::renewOnSchedule, delay);
  }

  private String caTrouble(Exception failure) {
    boolean unreachable =
        failure instanceof WorkloadIdentityException e
            && (e.code() == Code.CA_UNREACHABLE || e.code() == Code.CA_ERROR);
    return unreachable
        ? "the CA at " + caUrl + " has been unreachable"
        : "renewal by the CA at " + caUrl + " has been failing";
  }

  // Under lock.
  private void scheduleRenewal() {
    renewal.cancel();
    X509Svid current = svid;
    double draw = Math.min(Math.max(random.getAsDouble(), 0), Math.nextDown(1.0));
    Instant at = policy.renewalTime(validFrom(current), current.notAfter(), draw);
    Instant now = clock.instant();
    Duration delay = now.isBefore(at) ? Duration.between(now, at) : Duration.ZERO;
    renewal = scheduler.schedule(this::renewOnSchedule, delay);
  }

  // Under lock.
  private void scheduleRefresh() {
    refresh.cancel();
    refresh =
        scheduler.schedule(this::refreshOnSchedule, refreshInterval.orElse(bundle.refreshHint()));
  }

  private void renewOnSchedule() {
    try {
      renewNow();
    } catch (WorkloadIdentityException | RuntimeException e) {
      // Reported, and the retry scheduled, by renewNow().
    }
  }

  private void refreshOnSchedule() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        refreshTrust();
      } catch (RuntimeException e) {
        LOG.error("refreshing the trust bundle and deny list failed unexpectedly", e);
      }
      // Whatever happened, the next refresh must come.
      scheduleRefresh();
    } finally {
      lock.unlock();
    }
  }

  // Under lock.
  private void refreshTrust() {
    X509Svid current = svid;
    // The CA refuses a handshake with an expired client certificate; the bundle is public.
    boolean expired = !clock.instant().isBefore(current.notAfter());
    Optional<X509Svid> presented = expired ? Optional.empty() : Optional.of(current);
    try {
      adoptBundle(ca.bundle(new Credentials(bundle, denyList, presented)));
    } catch (WorkloadIdentityException e) {
      if (!closed) {
        LOG.warn(
            "fetching the trust bundle from the CA at {} failed: {}; keeping sequence {}",
            caUrl,
            e.getMessage(),
            bundle.sequence());
      }
    }
    if (expired) {
      return;
    }
    try {
      adoptDenyList(ca.denyList(new Credentials(bundle, denyList, presented)));
    } catch (WorkloadIdentityException e) {
      if (!closed) {
        LOG.warn(
            "fetching the deny list from the CA at {} failed: {}; keeping sequence {}",
            caUrl,
            e.getMessage(),
            denyList.sequence());
      }
    }
  }

  // Under lock.
  private void adoptBundle(TrustBundle fetched) {
    TrustBundle current = bundle;
    if (!SvidRequests.replaces(current, fetched)) {
      LOG.warn(
          "refused the trust bundle from the CA at {}: trust domain {} sequence {} cannot replace"
              + " trust domain {} sequence {}",
          caUrl,
          fetched.trustDomain(),
          fetched.sequence(),
          current.trustDomain(),
          current.sequence());
      return;
    }
    bundle = fetched;
    if (fetched.sequence() > current.sequence()) {
      LOG.info(
          "trust bundle of {} updated to sequence {} ({} authorities)",
          fetched.trustDomain(),
          fetched.sequence(),
          fetched.authorities().size());
    }
  }

  // Under lock.
  private void adoptDenyList(DenyList fetched) {
    DenyList current = denyList;
    if (fetched.sequence() < current.sequence()) {
      LOG.warn(
          "refused the deny list from the CA at {}: sequence {} is older than the current {}",
          caUrl,
          fetched.sequence(),
          current.sequence());
      return;
    }
    denyList = fetched;
    if (fetched.sequence() > current.sequence()) {
      LOG.info("deny list updated to {}", fetched);
    }
  }

  private void refused(PeerRefusal refusal) {
    LOG.warn(
        "refused a TLS {} ({}): {}",
        refusal.role() == SpiffeTrustManager.Role.CLIENT ? "client" : "server",
        refusal.peer().map(SpiffeId::toString).orElse("no SPIFFE ID"),
        oneLine(refusal.reason()));
    notify(listener -> listener.onPeerRefused(refusal));
  }

  private void notify(Consumer<Events> call) {
    try {
      call.accept(events);
    } catch (RuntimeException e) {
      LOG.warn("a workload identity listener failed", e);
    }
  }

  /** One attempt at an SVID: a new key, its CSR, the CA's answer, checked. */
  private static Issued request(
      CaClient ca,
      Optional<Attestation> attestation,
      Credentials credentials,
      Optional<SpiffeId> expected,
      Clock clock)
      throws WorkloadIdentityException {
    KeyPair key = SvidRequests.newKey();
    byte[] csr = SvidRequests.csr(key);
    SvidResponse response =
        attestation.isPresent()
            ? ca.attest(csr, attestation.get(), credentials)
            : ca.renew(csr, credentials);
    return SvidRequests.accept(response, key, credentials.bundle(), expected, clock);
  }

  private static String describe(Exception failure) {
    return failure instanceof WorkloadIdentityException e
        ? e.getMessage()
        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }

  // A refusal reason can quote what the peer sent; keep it to one log line.
  private static String oneLine(String text) {
    return text.replaceAll("\\p{Cntrl}", " ");
  }

  /** {@code 1h2m3s}, or milliseconds below a second. */
  static String format(Duration duration) {
    if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
      return Math.max(0, duration.toMillis()) + "ms";
    }
    return duration.truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase();
  }

  /** How a workload identity is faring. */
  // The start of the SVID's useful life: its notBefore, or when it arrived if that is later.
  private Instant validFrom(X509Svid current) {
    Instant arrival = current == svid ? received : current.notBefore();
    return arrival.isAfter(current.notBefore()) ? arrival : current.notBefore();
  }

  public enum Status {
    /** The SVID is valid and its last renewal, if any, succeeded. */
    HEALTHY,
    /** The SVID is still valid, but renewing it has failed; retrying. */
    RENEWAL_FAILING,
    /** The SVID has expired: peers refuse it. Still retrying. */
    EXPIRED
  }

  /**
   * What happens to a workload identity, for metrics and alerts. Calls come from the identity's own
   * thread (renewals) and from TLS handshakes (refusals), so they must be quick and must not block;
   * an exception thrown is logged and otherwise ignored.
   */
  public interface Events {
    /** The SVID was renewed; {@code svid} is now presented. */
    default void onRenewed(X509Svid svid) {}

    /** A renewal failed; {@code remaining} is left before the current SVID expires. */
    default void onRenewalFailed(Exception failure, Duration remaining) {}

    /**
     * Less than a quarter of {@code svid}'s lifetime is left and renewal keeps failing: the alert.
     * Called once per SVID.
     */
    default void onExpiring(X509Svid svid, Duration remaining) {}

    /** {@code svid} expired before it could be renewed. Called once per SVID. */
    default void onExpired(X509Svid svid) {}

    /** A trust manager handed out by the identity refused a peer. */
    default void onPeerRefused(PeerRefusal refusal) {}
  }

  /** Waits; tests substitute one that advances their clock. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Configures and starts a {@link WorkloadIdentity}. */
  public static final class Builder {
    private URI caUrl;
    private SpiffeId caId;
    private TrustBundle bundle;
    private Attestation attestation;
    private Clock clock = Clock.systemUTC();
    private RenewalPolicy policy = RenewalPolicy.DEFAULT;
    private Events events = new Events() {};
    private Duration refreshInterval;
    private CaClient caClient;
    private Function<String, Scheduler> schedulers = Scheduler::daemon;
    private DoubleSupplier random = new SecureRandom()::nextDouble;
    private Sleeper sleeper = Thread::sleep;

    private Builder() {}

    /**
     * The CA's base URL, e.g. {@code https://127.0.0.1:8448}.
     *
     * @throws IllegalArgumentException unless it is an {@code https} URL with a host
     */
    public Builder caUrl(URI caUrl) {
      requireNonNull(caUrl, "caUrl");
      if (!"https".equalsIgnoreCase(caUrl.getScheme())
          || caUrl.getHost() == null
          || caUrl.getRawUserInfo() != null
          || caUrl.getRawQuery() != null
          || caUrl.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "CA URL '" + caUrl + "': expected https://host[:port][/path]");
      }
      this.caUrl = caUrl;
      return this;
    }

    /**
     * The CA server's SPIFFE ID ({@code spiffe://<trust-domain>/bulwark/ca}), checked on every
     * call.
     */
    public Builder caId(SpiffeId caId) {
      this.caId = requireNonNull(caId, "caId");
      return this;
    }

    /** The bootstrap trust bundle, handed over out of band; the CA's answers replace it. */
    public Builder bundle(TrustBundle bundle) {
      this.bundle = requireNonNull(bundle, "bundle");
      return this;
    }

    /** How the workload proves its identity for its first SVID. */
    public Builder attestation(Attestation attestation) {
      this.attestation = requireNonNull(attestation, "attestation");
      return this;
    }

    /** The clock certificates are checked and renewals are timed by; system UTC by default. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Renew at {@code fraction} of the SVID's lifetime, moved by up to {@code ±jitter} of that
     * point: {@code renewal(0.5, 0.1)}, the default, renews between 45% and 55% of the lifetime.
     *
     * @throws IllegalArgumentException unless {@code 0 < fraction}, {@code 0 <= jitter} and {@code
     *     fraction × (1 + jitter) < 1}
     */
    public Builder renewal(double fraction, double jitter) {
      this.policy =
          new RenewalPolicy(fraction, jitter, policy.initialBackoff(), policy.maxBackoff());
      return this;
    }

    /**
     * After a failure, retry after {@code initial}, doubling up to {@code max}; 1 s and 30 s by
     * default. Retries never wait past the SVID's expiry.
     */
    public Builder backoff(Duration initial, Duration max) {
      this.policy = new RenewalPolicy(policy.fraction(), policy.jitter(), initial, max);
      return this;
    }

    /** Who to tell about renewals, failures, expiry and refused peers. */
    public Builder events(Events events) {
      this.events = requireNonNull(events, "events");
      return this;
    }

    /**
     * How often to fetch the bundle and deny list; by default the current bundle's refresh hint.
     */
    public Builder refreshInterval(Duration interval) {
      requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refresh interval " + interval + " (expected > 0)");
      }
      this.refreshInterval = interval;
      return this;
    }

    Builder caClient(CaClient caClient) {
      this.caClient = requireNonNull(caClient, "caClient");
      return this;
    }

    Builder schedulers(Function<String, Scheduler> schedulers) {
      this.schedulers = requireNonNull(schedulers, "schedulers");
      return this;
    }

    Builder random(DoubleSupplier random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Attests to the CA and waits for the first SVID, retrying with backoff for up to about {@code
     * timeout} (a call in progress at the deadline runs to its own 5-second timeout). Fails at once
     * when retrying cannot help: a join token refused, the workload denied, the request rejected.
     *
     * @return the started identity, renewing on its own thread until {@link #close()}
     * @throws WorkloadIdentityException with the code of the last failure
     * @throws IllegalStateException if a required setting is missing
     * @throws IllegalArgumentException if the CA's ID is not of the bundle's trust domain
     */
    public WorkloadIdentity start(Duration timeout) throws WorkloadIdentityException {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout " + timeout + " (expected >= 0)");
      }
      required(caUrl, "caUrl");
      required(caId, "caId");
      required(bundle, "bundle");
      required(attestation, "attestation");
      if (!caId.memberOf(bundle.trustDomain())) {
        throw new IllegalArgumentException(
            "the CA " + caId + " is not of the bundle's trust domain " + bundle.trustDomain());
      }
      CaClient client =
          caClient != null ? caClient : new HttpCaClient(caUrl, caId, clock, HttpCaClient.TIMEOUT);
      Issued first = attest(client, timeout);
      WorkloadIdentity identity = new WorkloadIdentity(this, client, policy, first);
      identity.begin();
      return identity;
    }

    private Issued attest(CaClient client, Duration timeout) throws WorkloadIdentityException {
      Instant deadline = clock.instant().plus(timeout);
      Credentials credentials = new Credentials(bundle, DenyList.EMPTY, Optional.empty());
      for (int attempt = 1; ; attempt++) {
        try {
          return request(client, Optional.of(attestation), credentials, Optional.empty(), clock);
        } catch (WorkloadIdentityException e) {
          if (!worthRetrying(e)) {
            throw e;
          }
          Instant now = clock.instant();
          if (!now.isBefore(deadline)) {
            throw new WorkloadIdentityException(
                e.code(),
                "no SVID from the CA at "
                    + caUrl
                    + " within "
                    + format(timeout)
                    + " ("
                    + attempt
                    + (attempt == 1 ? " attempt" : " attempts")
                    + "); last: "
                    + e.getMessage(),
                e);
          }
          Duration backoff = policy.backoff(attempt);
          Duration left = Duration.between(now, deadline);
          Duration wait = backoff.compareTo(left) < 0 ? backoff : left;
          LOG.warn(
              "attesting to the CA at {} with {} failed (attempt {}): {}; retrying in {}",
              caUrl,
              attestation,
              attempt,
              e.getMessage(),
              format(wait));
          try {
            sleeper.sleep(wait);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new WorkloadIdentityException(
                Code.INTERRUPTED,
                "interrupted while waiting for the first SVID from the CA at " + caUrl,
                interrupted);
          }
        }
      }
    }

    private boolean worthRetrying(WorkloadIdentityException e) {
      return switch (e.code()) {
        // A spent or expired join token stays so; a service-account token is rotated.
        case ATTESTATION_FAILED -> attestation.repeatable();
        case DENIED, REQUEST_REJECTED, INTERRUPTED, CLOSED -> false;
        default -> true;
      };
    }

    private static void required(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(name + " is not set");
      }
    }
  }
}
