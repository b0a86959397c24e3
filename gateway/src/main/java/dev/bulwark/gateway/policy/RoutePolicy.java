package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.internal.CedarRequests;
import dev.bulwark.policy.AuthorizationError;
import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Response;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's live route policy: decides each authenticated request with Cedar, and is replaced
 * as a whole (never edited) when a new, already validated {@link PolicyDocument} arrives.
 *
 * <p>Fails closed: with no policy set loaded every request is denied; a forbid policy that cannot
 * be evaluated for a request denies it (Cedar itself would skip it, which would let a broken forbid
 * open what it was written to close); any failure while deciding denies.
 */
public final class RoutePolicy {
  private static final Logger LOG = LoggerFactory.getLogger(RoutePolicy.class);
  private static final String NONE = "none";

  private final AtomicReference<Optional<Live>> live;
  private final Clock clock;

  private RoutePolicy(Optional<Live> initial, Clock clock) {
    this.live = new AtomicReference<>(initial);
    this.clock = requireNonNull(clock, "clock");
  }

  /** A policy that holds the reference set (see {@link PolicyDocument#REFERENCE_POLICY}). */
  public static RoutePolicy reference(Clock clock) {
    return of(PolicyDocument.reference(), "reference", clock);
  }

  /** A policy holding {@code document} as version {@code version}. */
  public static RoutePolicy of(PolicyDocument document, String version, Clock clock) {
    return new RoutePolicy(Optional.of(new Live(document, version)), clock);
  }

  /** A policy that denies everything until a set is {@link #replace replaced} in. */
  public static RoutePolicy awaitingPolicies(Clock clock) {
    return new RoutePolicy(Optional.empty(), clock);
  }

  /** Makes {@code document} the live set, atomically: each request sees the old or the new. */
  public void replace(PolicyDocument document, String version) {
    requireNonNull(document, "document");
    requireNonNull(version, "version");
    live.set(Optional.of(new Live(document, version)));
    LOG.info("route policy version {} is live ({} policies)", version, document.policySet().size());
  }

  /** The version of the live set, if there is one. */
  public Optional<String> version() {
    return live.get().map(Live::version);
  }

  /** Decides {@code request}. */
  public RouteDecision decide(RouteRequest request) {
    requireNonNull(request, "request");
    Optional<Live> current = live.get();
    if (current.isEmpty()) {
      return deny(Set.of(), List.of(), "no policy set is loaded", NONE);
    }
    Live set = current.get();
    Response response;
    try {
      CedarRequests.Built built = CedarRequests.of(request, clock.instant());
      response = set.authorizer().isAuthorized(built.request(), built.entities());
    } catch (RuntimeException e) {
      LOG.error(
          "route policy version {} could not decide {} on route {}: {}",
          set.version(),
          request.method(),
          request.route().name(),
          e.toString());
      return deny(Set.of(), List.of(), "the policy could not be evaluated", set.version());
    }
    if (!response.errors().isEmpty()) {
      LOG.warn(
          "route policy version {}: policies failed for {} on route {}: {}",
          set.version(),
          request.method(),
          request.route().name(),
          response.errors());
    }
    Set<String> failedForbids = new LinkedHashSet<>();
    for (AuthorizationError error : response.errors()) {
      boolean forbid =
          set.document().policySet().get(error.policyId()).map(p -> !p.isPermit()).orElse(true);
      if (forbid) {
        failedForbids.add(error.policyId());
      }
    }
    if (!failedForbids.isEmpty()) {
      return deny(
          failedForbids,
          response.errors(),
          "forbid policy could not be evaluated: " + String.join(", ", failedForbids),
          set.version());
    }
    if (response.isAllowed()) {
      return new RouteDecision(
          true,
          response.determiningPolicies(),
          response.errors(),
          "permitted by " + String.join(", ", response.determiningPolicies()),
          set.version());
    }
    String reason =
        response.determiningPolicies().isEmpty()
            ? "no policy permits it"
            : "forbidden by " + String.join(", ", response.determiningPolicies());
    return deny(response.determiningPolicies(), response.errors(), reason, set.version());
  }

  private static RouteDecision deny(
      Set<String> policies, List<AuthorizationError> errors, String reason, String version) {
    return new RouteDecision(false, policies, errors, reason, version);
  }

  private record Live(PolicyDocument document, String version, Authorizer authorizer) {
    Live(PolicyDocument document, String version) {
      this(document, version, Authorizer.of(document.policySet()));
    }
  }
}
