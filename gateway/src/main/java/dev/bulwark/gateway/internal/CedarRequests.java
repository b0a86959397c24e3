package dev.bulwark.gateway.internal;

import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.policy.RouteRequest;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.Datetime;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.IpAddr;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import dev.bulwark.sdk.token.AccessToken;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an authenticated gateway request into a Cedar request and the entities it needs, all built
 * from the verified token and the connection, nothing from the request's headers or body (see
 * docs/policy.md for the model).
 */
public final class CedarRequests {
  private static final Logger LOG = LoggerFactory.getLogger(CedarRequests.class);
  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final AtomicBoolean IP_UNAVAILABLE_LOGGED = new AtomicBoolean();

  private CedarRequests() {}

  /**
   * A request and its entities.
   *
   * @param principal the caller
   * @param action {@code Action::"METHOD /prefix"}
   * @param resource the route
   * @param context what the token and the connection say
   * @param entities the principal with its roles and groups, the action with its group, the route
   */
  public record Built(
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Map<String, Value> context,
      List<Entity> entities) {
    public Built {
      context = Map.copyOf(context);
      entities = List.copyOf(entities);
    }
  }

  /** The Cedar request for {@code request} at {@code now}. */
  public static Built of(RouteRequest request, Instant now) {
    AccessToken token = request.token();
    EntityUid principal = principal(token);
    Set<EntityUid> memberships = new HashSet<>();
    request.token().roles().forEach(r -> memberships.add(EntityUid.of("Role", r)));
    request.token().groups().forEach(g -> memberships.add(EntityUid.of("Group", g)));
    EntityUid action = action(request.method(), request.route());
    Set<EntityUid> actionGroups = actionGroups(request.method());
    Route route = request.route();
    EntityUid resource = resource(route);
    Entity routeEntity =
        new Entity(
            resource,
            Map.of(
                "audience", new StringValue(route.audience()),
                "prefix", new StringValue(route.pathPrefix())),
            Set.of(),
            Map.of());
    Map<String, Value> context = new HashMap<>();
    context.put("mfa", BoolValue.of(request.token().isMultiFactor()));
    context.put("time", new Datetime(now.toEpochMilli()));
    context.put("client_id", new StringValue(token.clientId()));
    context.put("scopes", strings(token.scopes()));
    context.put("audiences", strings(Set.copyOf(token.audiences())));
    context.put("path", new StringValue(request.path()));
    ipAddress(request.sourceAddress()).ifPresent(ip -> context.put("source_ip", ip));
    List<Entity> entities =
        List.of(Entity.of(principal, memberships), Entity.of(action, actionGroups), routeEntity);
    return new Built(principal, action, resource, context, entities);
  }

  /**
   * {@code Client::"<client_id>"} when the token speaks for the client itself (client credentials:
   * {@code sub} equals {@code client_id}), else {@code User::"<sub>"}.
   */
  public static EntityUid principal(AccessToken token) {
    return token.subject().equals(token.clientId())
        ? EntityUid.of("Client", token.clientId())
        : EntityUid.of("User", token.subject());
  }

  /** {@code Route::"<route name>"}. */
  public static EntityUid resource(Route route) {
    return EntityUid.of("Route", route.name());
  }

  /** {@code Action::"<METHOD> <route prefix>"}, e.g. {@code Action::"GET /payments"}. */
  public static EntityUid action(String method, Route route) {
    return EntityUid.of("Action", method.toUpperCase(Locale.ROOT) + " " + route.pathPrefix());
  }

  private static Set<EntityUid> actionGroups(String method) {
    String upper = method.toUpperCase(Locale.ROOT);
    if (READS.contains(upper)) {
      return Set.of(EntityUid.of("Action", "read"));
    }
    if (WRITES.contains(upper)) {
      return Set.of(EntityUid.of("Action", "write"));
    }
    return Set.of();
  }

  private static SetValue strings(Set<String> values) {
    return SetValue.of(values.stream().map(StringValue::new).toList());
  }

  // Cedar's ip() takes neither zone ids nor IPv4 embedded in IPv6, so the JDK's spellings of the
  // peer are normalized first: "::ffff:10.0.0.1" is the IPv4 peer 10.0.0.1. An address that still
  // does not parse is left out: a policy that reads context.source_ip then errors, and a forbid
  // that errors denies (ServiceAuthorizer), so that fails closed.
  static Optional<Value> ipAddress(String address) {
    String plain = address;
    int zone = plain.indexOf('%');
    if (zone >= 0) {
      plain = plain.substring(0, zone);
    }
    if (plain.startsWith("[") && plain.endsWith("]")) {
      plain = plain.substring(1, plain.length() - 1);
    }
    String mapped = "::ffff:";
    if (plain.regionMatches(true, 0, mapped, 0, mapped.length()) && plain.indexOf('.') > 0) {
      plain = plain.substring(mapped.length());
    }
    try {
      return Optional.of(IpAddr.parse(plain));
    } catch (IllegalArgumentException e) {
      if (IP_UNAVAILABLE_LOGGED.compareAndSet(false, true)) {
        LOG.warn(
            "context.source_ip is left out of a policy request: the peer address is not an ip");
      }
      return Optional.empty();
    }
  }
}
