package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.policy.AuthorizationError;
import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.Response;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.Value;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's access checks against Cedar policies: may {@code principal} do {@code action} to
 * {@code resource}, given {@code context} and the entities of the request?
 *
 * <pre>{@code
 * ServiceAuthorizer authorizer =
 *     ServiceAuthorizer.builder("payments")
 *         .source(DirectoryPolicySource.of(Path.of("/etc/payments/policies")))
 *         .audit(emitter::record, DecisionAudit.DENIES)
 *         .build();
 * Decision decision = authorizer.check(user, EntityUid.of("Action", "refund"), payment, context);
 * }</pre>
 *
 * <p>Fails closed: until a policy set has loaded, and whenever evaluation fails, every request is
 * denied with the reason logged. A policy that raises an error never permits (Cedar's rule), and a
 * forbid that raises one denies (stricter than Cedar: it might have matched).
 *
 * <p>The source is polled at build and then every {@link Builder#refreshEvery refresh interval} on
 * a daemon thread; a new set goes live only after it has been parsed and checked, in one reference
 * swap, so a check sees the old set or the new one, never a mix. A bad set is logged and the live
 * one stays. Thread-safe.
 *
 * <p>Per policy set, the decision of a request that one policy determined (or none, on a default
 * deny) without errors is made once, and the entities of a request are merged over the set's once
 * for the same {@link Entity} objects: a caller that passes the same objects again, as the gateway
 * does for a repeated token, reuses that store. At most 4096 such stores are kept per set, each the
 * size of the request's entities.
 */
public final class ServiceAuthorizer implements AutoCloseable {
  /** The audit action of decisions. */
  public static final String AUDIT_ACTION = "policy.decision";

  private static final Logger LOG = LoggerFactory.getLogger(ServiceAuthorizer.class);
  // Entity uids come from request paths; an audit attribute holds at most 4096 characters.
  private static final int MAX_UID_IN_AUDIT = 512;

  private final String service;
  private final PolicySource source;
  private final Entities staticEntities;
  private final AuditSink audit;
  private final DecisionAudit auditMode;
  private final ScheduledExecutorService refresher;
  private final Object refreshLock = new Object();
  private volatile Live live;

  private ServiceAuthorizer(Builder builder) {
    this.service = builder.service;
    this.source = builder.source;
    this.staticEntities = builder.staticEntities;
    this.audit = builder.audit;
    this.auditMode = builder.auditMode;
    refresh();
    if (builder.refreshEvery.isZero()) {
      this.refresher = null;
    } else {
      this.refresher =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("policy-refresh-" + service).factory());
      long millis = builder.refreshEvery.toMillis();
      refresher.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Starts a builder for the service {@code service}, which names it in logs and is the component
   * of its audit events.
   */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  /** Decides a request with the service's static entities only. */
  public Decision check(
      EntityUid principal, EntityUid action, EntityUid resource, Map<String, Value> context) {
    return check(principal, action, resource, context, List.of());
  }

  /**
   * Decides a request. {@code entities} are those this request brings (the caller with its roles,
   * the resource with its attributes), merged over the service's static entities: one with the uid
   * of a static entity replaces it for this request.
   */
  public Decision check(
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Map<String, Value> context,
      Collection<Entity> entities) {
    return check(principal, action, resource, context, entities, event -> {});
  }

  /**
   * Decides a request as {@link #check(EntityUid, EntityUid, EntityUid, Map, Collection)} does, and
   * lets the caller add what it knows about the request to the decision's audit event (its time,
   * client id, source address, request id). {@code auditDetails} runs only when the decision is
   * audited, on the calling thread, before the event is emitted; it cannot change the event's
   * component, action, outcome or decision attributes, which are set after it runs.
   */
  public Decision check(
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Map<String, Value> context,
      Collection<Entity> entities,
      Consumer<AuditEvent.Builder> auditDetails) {
    requireNonNull(auditDetails, "auditDetails");
    requireNonNull(principal, "principal");
    requireNonNull(action, "action");
    requireNonNull(resource, "resource");
    requireNonNull(context, "context");
    requireNonNull(entities, "entities");
    Live current = live;
    Decision decision;
    if (current == null) {
      decision =
          Decision.failClosed(
              Decision.Basis.NO_POLICIES,
              "denied: no policy set loaded from " + source.describe(),
              Decision.NO_POLICY_VERSION);
      LOG.warn("{} {} {} {}", principal, action, resource, decision.reason());
    } else {
      decision = decide(current, principal, action, resource, context, entities);
    }
    audit(principal, action, resource, decision, auditDetails);
    return decision;
  }

  private Decision decide(
      Live current,
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Map<String, Value> context,
      Collection<Entity> entities) {
    Response response;
    try {
      Entities all = entities.isEmpty() ? current.entities() : current.storeWith(entities);
      response =
          current.authorizer().isAuthorized(Request.of(principal, action, resource, context), all);
    } catch (RuntimeException e) {
      // The engine's message may quote request values; the type and code are enough to look for.
      String what =
          e instanceof PolicyException p
              ? "PolicyException " + p.code()
              : e.getClass().getSimpleName();
      Decision failed =
          Decision.failClosed(
              Decision.Basis.EVALUATION_FAILED,
              "denied: evaluation failed (" + what + ")",
              current.version());
      LOG.warn("{} {} {} {}", principal, action, resource, failed.reason());
      return failed;
    }
    Decision decision = current.prepared(response);
    if (decision == null) {
      decision = decision(current, response);
    }
    if (!response.errors().isEmpty()) {
      LOG.warn(
          "{} {} {}: policies {} raised errors ({})",
          principal,
          action,
          resource,
          decision.errorPolicies(),
          decision.reason());
    } else if (!decision.allowed()) {
      LOG.info("{} {} {} {}", principal, action, resource, decision.reason());
    }
    return decision;
  }

  // The decision for any response: those with errors, or with several determining policies.
  private static Decision decision(Live current, Response response) {
    List<String> determining = response.determiningPolicies().stream().sorted().toList();
    List<String> erroredForbids =
        response.errors().stream()
            .map(AuthorizationError::policyId)
            .filter(id -> current.forbids(id))
            .distinct()
            .sorted()
            .toList();
    if (!erroredForbids.isEmpty()) {
      return new Decision(
          false,
          Decision.Basis.FORBID_ERRORED,
          List.of(),
          response.errors(),
          "denied: forbid " + erroredForbids + " could not be evaluated",
          current.version());
    } else if (response.isAllowed()) {
      return permitted(determining, response.errors(), current.version());
    } else if (!determining.isEmpty()) {
      return forbidden(determining, response.errors(), current.version());
    } else {
      return noPermit(response.errors(), current.version());
    }
  }

  private static Decision permitted(
      List<String> determining, List<AuthorizationError> errors, String version) {
    return new Decision(
        true, Decision.Basis.PERMITTED, determining, errors, "allowed by " + determining, version);
  }

  private static Decision forbidden(
      List<String> determining, List<AuthorizationError> errors, String version) {
    return new Decision(
        false, Decision.Basis.FORBIDDEN, determining, errors, "denied by " + determining, version);
  }

  private static Decision noPermit(List<AuthorizationError> errors, String version) {
    return new Decision(
        false, Decision.Basis.NO_PERMIT, List.of(), errors, "denied: no policy permits", version);
  }

  private void audit(
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Decision decision,
      Consumer<AuditEvent.Builder> auditDetails) {
    if (auditMode == DecisionAudit.NONE
        || (auditMode == DecisionAudit.DENIES && decision.allowed())) {
      return;
    }
    try {
      AuditEvent.Builder event =
          AuditEvent.builder(
              service,
              AUDIT_ACTION,
              decision.allowed() ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.DENIED);
      auditDetails.accept(event);
      // Context values are left out on purpose: they may be secret (amounts, ticket numbers).
      audit.emit(
          event
              .subject(bounded(principal))
              .resource(bounded(resource))
              .reason(decision.basis().name().toLowerCase(Locale.ROOT))
              .attribute("principal", bounded(principal))
              .attribute("requested_action", bounded(action))
              .attribute("decision", decision.allowed() ? "allow" : "deny")
              .attribute("determining_policies", String.join(",", decision.determiningPolicies()))
              .attribute("error_policies", String.join(",", decision.errorPolicies()))
              .attribute("policy_version", decision.policyVersion())
              .build());
    } catch (RuntimeException e) {
      LOG.warn("could not audit a decision of {}: {}", service, e.toString());
    }
  }

  private static String bounded(EntityUid uid) {
    String text = uid.toString();
    return text.length() <= MAX_UID_IN_AUDIT ? text : text.substring(0, MAX_UID_IN_AUDIT) + "...";
  }

  /**
   * Polls the source now and puts a new, valid set live.
   *
   * @return whether a new set went live
   */
  public boolean refresh() {
    synchronized (refreshLock) {
      return refreshLocked();
    }
  }

  private boolean refreshLocked() {
    PolicySource.Update update;
    try {
      update = source.poll();
    } catch (RuntimeException e) {
      update = new PolicySource.Update.Failed("the source failed: " + e);
    }
    return switch (update) {
      case PolicySource.Update.Unchanged unchanged -> false;
      case PolicySource.Update.Failed failed -> {
        LOG.warn(
            "policies from {} not reloaded: {}; {}", source.describe(), failed.reason(), keeping());
        yield false;
      }
      case PolicySource.Update.Changed changed -> goLive(changed.bundle());
    };
  }

  private boolean goLive(PolicyBundle bundle) {
    Live next;
    try {
      bundle
          .validate()
          .forEach(w -> LOG.warn("policy set {} of {}: {}", bundle.version(), service, w));
      next =
          new Live(
              Authorizer.of(bundle.policies()),
              staticEntities.with(bundle.entities().all()),
              bundle.version());
    } catch (PolicyException e) {
      LOG.warn(
          "policies {} from {} refused: {}; {}",
          bundle.version(),
          source.describe(),
          e.getMessage(),
          keeping());
      return false;
    }
    live = next;
    LOG.info(
        "policies {} from {} live: {} policies, {} entities",
        bundle.version(),
        source.describe(),
        bundle.policies().size(),
        next.entities().size());
    return true;
  }

  private String keeping() {
    Live current = live;
    return current == null
        ? "no policy set is live: every request is denied"
        : "version " + current.version() + " stays live";
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; policies would silently stop updating.
      LOG.warn("policy refresh of {} failed: {}", service, e.toString());
    }
  }

  /** The version of the live policy set, if one has loaded. */
  public Optional<String> version() {
    Live current = live;
    return current == null ? Optional.empty() : Optional.of(current.version());
  }

  /** How many request entity stores the live set keeps (for tests). */
  int rememberedStores() {
    Live current = live;
    return current == null ? 0 : current.rememberedStores();
  }

  /** Stops refreshing; checks keep answering with the last live set. */
  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }

  // A policy set in force, with what checks against it would otherwise rebuild on every request.
  private static final class Live {
    // Request entities are few (a caller, a resource); a store for many is built, not remembered.
    private static final int MAX_REMEMBERED_ENTITIES = 8;
    private static final int MAX_REMEMBERED_STORES = 4096;

    private final Authorizer authorizer;
    private final Entities entities;
    private final String version;
    // A response without errors that one policy or none determined, as most are, always decides
    // the same: those decisions are made once per policy set, by policy id.
    private final Map<String, Decision> permittedBy;
    private final Map<String, Decision> forbiddenBy;
    private final Decision noPermit;
    // The live entities with a request's own over them, for callers that pass the same Entity
    // objects again (the gateway does, for a repeated token, route and method). Past the bound
    // the memo starts over rather than track recency on every request.
    private final Map<SameEntities, Entities> stores = new ConcurrentHashMap<>();

    Live(Authorizer authorizer, Entities entities, String version) {
      this.authorizer = authorizer;
      this.entities = entities;
      this.version = version;
      Map<String, Decision> permits = new HashMap<>();
      Map<String, Decision> forbids = new HashMap<>();
      for (Policy policy : authorizer.policies().policies()) {
        List<String> determining = List.of(policy.id());
        if (policy.isPermit()) {
          permits.put(policy.id(), permitted(determining, List.of(), version));
        } else {
          forbids.put(policy.id(), forbidden(determining, List.of(), version));
        }
      }
      this.permittedBy = Map.copyOf(permits);
      this.forbiddenBy = Map.copyOf(forbids);
      this.noPermit = noPermit(List.of(), version);
    }

    Authorizer authorizer() {
      return authorizer;
    }

    Entities entities() {
      return entities;
    }

    String version() {
      return version;
    }

    boolean forbids(String policyId) {
      // An id the set does not know is treated as a forbid: when unsure, deny.
      return authorizer.policies().get(policyId).map(p -> !p.isPermit()).orElse(true);
    }

    /** The decision made in advance for {@code response}, or null if it must be made now. */
    Decision prepared(Response response) {
      if (!response.errors().isEmpty()) {
        return null;
      }
      Set<String> determining = response.determiningPolicies();
      return switch (determining.size()) {
        case 0 -> response.isAllowed() ? null : noPermit;
        case 1 ->
            (response.isAllowed() ? permittedBy : forbiddenBy).get(determining.iterator().next());
        default -> null;
      };
    }

    /**
     * The live entities with {@code requestEntities} over them, as {@link Entities#with} has it.
     */
    Entities storeWith(Collection<Entity> requestEntities) {
      if (requestEntities.size() > MAX_REMEMBERED_ENTITIES) {
        return entities.with(requestEntities);
      }
      SameEntities key = new SameEntities(requestEntities);
      Entities known = stores.get(key);
      if (known != null) {
        return known;
      }
      // Built from the snapshot the key holds, so that what is remembered is what the key names.
      Entities store = entities.with(key.asList());
      // An entity that replaces a live one can make the store a copy of every live entity: such
      // a store is not kept, only an overlay in proportion to the request's entities.
      if (key.noneIn(entities)) {
        if (stores.size() >= MAX_REMEMBERED_STORES) {
          stores.clear();
        }
        stores.put(key, store);
      }
      return store;
    }

    int rememberedStores() {
      return stores.size();
    }
  }

  // A request's entities by identity: the same Entity objects in the same order. Entities are
  // immutable, so the store built for them once is the store any later request passing them needs.
  private static final class SameEntities {
    private final Entity[] entities;
    private final int hash;

    SameEntities(Collection<Entity> entities) {
      this.entities = entities.toArray(new Entity[0]);
      int h = 1;
      for (Entity e : this.entities) {
        h = 31 * h + System.identityHashCode(e);
      }
      this.hash = h;
    }

    List<Entity> asList() {
      return Arrays.asList(entities);
    }

    boolean noneIn(Entities store) {
      for (Entity e : entities) {
        if (store.get(e.uid()).isPresent()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof SameEntities other) || other.entities.length != entities.length) {
        return false;
      }
      for (int i = 0; i < entities.length; i++) {
        if (entities[i] != other.entities[i]) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Builds a {@link ServiceAuthorizer}. */
  public static final class Builder {
    private final String service;
    private PolicySource source;
    private Entities staticEntities = Entities.empty();
    private AuditSink audit = event -> {};
    private DecisionAudit auditMode = DecisionAudit.NONE;
    private Duration refreshEvery = Duration.ofSeconds(10);

    private Builder(String service) {
      requireNonNull(service, "service");
      if (service.isBlank() || service.length() > 64) {
        throw new IllegalArgumentException(
            "service: '" + service + "' (expected: 1 to 64 characters)");
      }
      this.service = service;
    }

    /** Where the policies come from (required). */
    public Builder source(PolicySource source) {
      this.source = requireNonNull(source, "source");
      return this;
    }

    /**
     * Entities every request sees, e.g. roles and their hierarchy; the source's own entities (a
     * directory's {@code entities.json}) are added over these.
     */
    public Builder staticEntities(Entities staticEntities) {
      this.staticEntities = requireNonNull(staticEntities, "staticEntities");
      return this;
    }

    /**
     * Reports decisions to {@code sink} as {@code policy.decision} events: every decision, only
     * denies, or none (the default, without a sink).
     */
    public Builder audit(AuditSink sink, DecisionAudit mode) {
      this.audit = requireNonNull(sink, "sink");
      this.auditMode = requireNonNull(mode, "mode");
      return this;
    }

    /**
     * How often the source is polled (default 10 seconds); {@link Duration#ZERO} polls only at
     * build and on {@link ServiceAuthorizer#refresh()}.
     */
    public Builder refreshEvery(Duration refreshEvery) {
      requireNonNull(refreshEvery, "refreshEvery");
      if (refreshEvery.isNegative()
          || (!refreshEvery.isZero() && refreshEvery.compareTo(Duration.ofMillis(100)) < 0)) {
        throw new IllegalArgumentException(
            "refreshEvery: " + refreshEvery + " (expected: 0 or at least 100 ms)");
      }
      this.refreshEvery = refreshEvery;
      return this;
    }

    /**
     * The authorizer, having polled the source once. A first poll that fails does not fail the
     * build: the authorizer denies everything until a set loads.
     *
     * @throws IllegalStateException if no source is set
     */
    public ServiceAuthorizer build() {
      if (source == null) {
        throw new IllegalStateException(
            "source: not set (expected: a DirectoryPolicySource, PolicyApiSource or fixed bundle)");
      }
      return new ServiceAuthorizer(this);
    }
  }
}
