package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.gateway.internal.CedarRequests;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.policy.DecisionAudit;
import dev.bulwark.sdk.policy.PolicyBundle;
import dev.bulwark.sdk.policy.PolicySource;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's route policy: turns each authenticated request into a Cedar request (the caller
 * with its token's roles and groups as parents, {@code Action::"METHOD /prefix"} in {@code read} or
 * {@code write}, the {@code Route}, and a context of the token and connection; docs/policy.md) and
 * has a {@link ServiceAuthorizer} decide it.
 *
 * <p>Loading, validating and swapping policy sets, failing closed and the {@code policy.decision}
 * audit events are the authorizer's: with no set loaded every request is denied, and a forbid that
 * cannot be evaluated denies. The gateway adds the request's time, client id, source address and
 * request id to each audited decision.
 */
public final class RoutePolicy implements AutoCloseable {
  /** The component the gateway's decisions are audited as. */
  public static final String COMPONENT = "gateway";

  /**
   * The gateway's reference policy, also its behaviour when no policy is configured: a caller whose
   * token was verified for the route's audience may use the route. It reproduces what the gateway
   * did before route policies existed, so a platform without policies of its own keeps working.
   */
  public static final String REFERENCE_POLICY =
      """
      // Authenticated callers may use every route whose audience their token was issued for.
      @id("authenticated-audience")
      permit (principal, action, resource is Route)
      when { context.audiences.contains(resource.audience) };
      """;

  private final ServiceAuthorizer authorizer;
  private final Clock clock;

  private RoutePolicy(ServiceAuthorizer authorizer, Clock clock) {
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * A route policy deciding with {@code authorizer}, whose source may be a {@code
   * DirectoryPolicySource}, a {@code PolicyApiSource} or {@link PolicySource#fixed fixed} policies.
   * Closing the route policy closes the authorizer.
   */
  public static RoutePolicy of(ServiceAuthorizer authorizer, Clock clock) {
    return new RoutePolicy(authorizer, clock);
  }

  /**
   * A route policy holding {@link #REFERENCE_POLICY}, auditing refusals to {@code audit}; it never
   * reloads.
   */
  public static RoutePolicy reference(AuditSink audit, Clock clock) {
    return of(
        ServiceAuthorizer.builder(COMPONENT)
            .source(PolicySource.fixed(referenceBundle()))
            .audit(audit, DecisionAudit.DENIES)
            .refreshEvery(Duration.ZERO)
            .build(),
        clock);
  }

  /** {@link #REFERENCE_POLICY} as a bundle of version {@code reference}. */
  public static PolicyBundle referenceBundle() {
    return PolicyBundle.parse(REFERENCE_POLICY, Optional.empty(), Optional.empty(), "reference");
  }

  /** Decides {@code request}. */
  public Decision decide(RouteRequest request) {
    requireNonNull(request, "request");
    CedarRequests.Built built = CedarRequests.of(request, clock.instant());
    return authorizer.check(
        built.principal(),
        built.action(),
        built.resource(),
        built.context(),
        built.entities(),
        event ->
            event
                .time(clock.instant())
                .clientId(request.token().clientId())
                .sourceAddress(request.sourceAddress())
                .requestId(RequestIds.current().orElse("-")));
  }

  /** The version of the live set, if one has loaded. */
  public Optional<String> version() {
    return authorizer.version();
  }

  /** Stops the authorizer's reloads. */
  @Override
  public void close() {
    authorizer.close();
  }
}
