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
  private static final int MEMO_ENTRIES = 10_000;
  private static final BoundedMemo<Optional<Value>> ADDRESSES = new BoundedMemo<>(MEMO_ENTRIES);

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
    TokenFacts token = TokenFacts.of(request.token());
    RouteFacts route = RouteFacts.of(request.route());
    ActionFacts action = ActionFacts.of(request.method(), request.route());
    Map<String, Value> context = new HashMap<>(16);
    context.put("mfa", token.mfa());
    context.put("time", new Datetime(now.toEpochMilli()));
    context.put("client_id", token.clientId());
    context.put("scopes", token.scopes());
    context.put("audiences", token.audiences());
    context.put("path", new StringValue(request.path()));
    ipAddress(request.sourceAddress()).ifPresent(ip -> context.put("source_ip", ip));
    return new Built(
        token.principal(),
        action.uid(),
        route.uid(),
        context,
        List.of(token.entity(), action.entity(), route.entity()));
  }

  // What a verified token contributes to every request it makes, built once per token: the verified
  // token cache hands the gateway the same AccessToken instance for a repeated token, so an entry
  // is used only for that very instance and rebuilt for any other.
  private record TokenFacts(
      AccessToken token,
      EntityUid principal,
      Entity entity,
      Value mfa,
      Value clientId,
      Value scopes,
      Value audiences) {
    private static final BoundedMemo<TokenFacts> MEMO = new BoundedMemo<>(MEMO_ENTRIES);

    static TokenFacts of(AccessToken token) {
      String key = token.issuer() + '\u0000' + token.tokenId() + '\u0000' + token.subject();
      TokenFacts known = MEMO.get(key);
      if (known != null && known.token() == token) {
        return known;
      }
      EntityUid principal = CedarRequests.principal(token);
      Set<EntityUid> memberships = new HashSet<>();
      token.roles().forEach(r -> memberships.add(EntityUid.of("Role", r)));
      token.groups().forEach(g -> memberships.add(EntityUid.of("Group", g)));
      TokenFacts facts =
          new TokenFacts(
              token,
              principal,
              Entity.of(principal, memberships),
              BoolValue.of(token.isMultiFactor()),
              new StringValue(token.clientId()),
              strings(token.scopes()),
              strings(Set.copyOf(token.audiences())));
      MEMO.put(key, facts);
      return facts;
    }
  }

  private record RouteFacts(Route route, EntityUid uid, Entity entity) {
    private static final BoundedMemo<RouteFacts> MEMO = new BoundedMemo<>(MEMO_ENTRIES);

    static RouteFacts of(Route route) {
      RouteFacts known = MEMO.get(route.name());
      if (known != null && known.route().equals(route)) {
        return known;
      }
      EntityUid uid = resource(route);
      RouteFacts facts =
          new RouteFacts(
              route,
              uid,
              new Entity(
                  uid,
                  Map.of(
                      "audience", new StringValue(route.audience()),
                      "prefix", new StringValue(route.pathPrefix())),
                  Set.of(),
                  Map.of()));
      MEMO.put(route.name(), facts);
      return facts;
    }
  }

  private record ActionFacts(EntityUid uid, Entity entity) {
    private static final BoundedMemo<ActionFacts> MEMO = new BoundedMemo<>(MEMO_ENTRIES);

    static ActionFacts of(String method, Route route) {
      EntityUid uid = action(method, route);
      String key = uid.id();
      ActionFacts known = MEMO.get(key);
      if (known != null) {
        return known;
      }
      ActionFacts facts = new ActionFacts(uid, Entity.of(uid, actionGroups(method)));
      MEMO.put(key, facts);
      return facts;
    }
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
    Optional<Value> known = ADDRESSES.get(address);
    if (known != null) {
      return known;
    }
    Optional<Value> parsed = parseAddress(address);
    ADDRESSES.put(address, parsed);
    return parsed;
  }

  private static Optional<Value> parseAddress(String address) {
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
