package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.auth.ClientSecret;
import dev.bulwark.gateway.auth.Introspection;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.cors.CorsPolicy;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.ratelimit.StoreFailure;
import dev.bulwark.gateway.ratelimit.TokenBucket;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.OpenApiContract;
import dev.bulwark.gateway.validation.RequestLimits;
import dev.bulwark.runtime.config.ConfigException;
import dev.bulwark.runtime.config.ConfigSection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the gateway's routes and trusted issuers from the {@code gateway} section of the config
 * file ({@code gateway.routes}, {@code gateway.issuers}; docs/gateway.md). Each key is validated as
 * it is read, and an error names the key, e.g. {@code gateway.routes[1].rate_limits[0].rate}.
 */
public final class GatewayRoutesConfig {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern TEXT = Pattern.compile("\\S{1,512}");
  private static final Pattern ALGORITHM = Pattern.compile("[A-Za-z0-9]{2,10}");
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+");
  private static final Pattern ORIGIN = Pattern.compile("\\*|[a-z][a-z0-9+.-]*://[^/\\s]+");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");

  private GatewayRoutesConfig() {}

  /**
   * Where the reader resolves what the file names but does not hold.
   *
   * @param configDirectory the directory relative OpenAPI paths are resolved against
   * @param services the base URL of each upstream the platform runs itself ({@code service:})
   * @param builtInIssuers issuers trusted whatever the file says (Bulwark's own identity)
   * @param defaultRoutes the routes used when the file lists none
   * @param env the environment, for secrets named by {@code *_env} keys
   */
  public record Context(
      Path configDirectory,
      Function<String, Optional<URI>> services,
      List<TrustedIssuer> builtInIssuers,
      List<RouteSpec> defaultRoutes,
      Map<String, String> env) {
    public Context {
      requireNonNull(configDirectory, "configDirectory");
      requireNonNull(services, "services");
      builtInIssuers = List.copyOf(builtInIssuers);
      defaultRoutes = List.copyOf(defaultRoutes);
      env = Map.copyOf(env);
    }
  }

  /**
   * The routes and issuers of {@code gateway}.
   *
   * @throws ConfigException naming the first bad key
   */
  public static GatewayRoutes read(ConfigSection gateway, GatewaySettings settings, Context ctx) {
    List<TrustedIssuer> issuers = new ArrayList<>(ctx.builtInIssuers());
    List<ConfigSection> issuerSections = gateway.sections("issuers");
    for (int i = 0; i < issuerSections.size(); i++) {
      issuers.add(issuer(issuerSections.get(i), "gateway.issuers[" + i + "]", settings, ctx));
    }
    List<RouteSpec> routes = new ArrayList<>();
    List<ConfigSection> routeSections = gateway.sections("routes");
    for (int i = 0; i < routeSections.size(); i++) {
      routes.add(route(routeSections.get(i), "gateway.routes[" + i + "]", settings, ctx));
    }
    if (routes.isEmpty()) {
      routes.addAll(ctx.defaultRoutes());
    }
    return valid("gateway.routes", () -> new GatewayRoutes(routes, issuers));
  }

  private static TrustedIssuer issuer(
      ConfigSection s, String key, GatewaySettings settings, Context ctx) {
    String issuer = required(s, "issuer", TEXT, "the issuer's exact iss value", key);
    Optional<URI> jwks = s.httpsUrl("jwks_uri");
    Set<String> algorithms =
        Set.copyOf(
            s.strings("algorithms", List.of("ES256"), ALGORITHM, "algorithms such as ES256"));
    Optional<Introspection> introspection = Optional.empty();
    Optional<URI> endpoint = s.httpsUrl("introspection_endpoint");
    Optional<String> clientId =
        s.optionalString("introspection_client_id", TEXT, "the gateway's client id");
    Optional<String> secretEnv =
        s.optionalString(
            "introspection_client_secret_env",
            ENV_NAME,
            "the name of the environment variable holding the client secret");
    if (endpoint.isPresent()) {
      if (clientId.isEmpty() || secretEnv.isEmpty()) {
        throw new ConfigException(
            key + ".introspection_client_id",
            "config key '"
                + key
                + "' introspects tokens: it needs introspection_client_id and"
                + " introspection_client_secret_env");
      }
      String secret = ctx.env().get(secretEnv.get());
      if (secret == null || secret.isEmpty()) {
        throw new ConfigException(
            key + ".introspection_client_secret_env",
            "config key '"
                + key
                + ".introspection_client_secret_env' names "
                + secretEnv.get()
                + ", which is not set in the environment");
      }
      Introspection value =
          valid(
              key + ".introspection_endpoint",
              () ->
                  new Introspection(
                      endpoint.get(), clientId.get(), ClientSecret.of(secret.toCharArray())));
      introspection = Optional.of(value);
    }
    Optional<Introspection> finalIntrospection = introspection;
    return valid(
        key,
        () ->
            new TrustedIssuer(issuer, jwks, algorithms, finalIntrospection, settings.clockSkew()));
  }

  private static RouteSpec route(
      ConfigSection s, String key, GatewaySettings settings, Context ctx) {
    String name = required(s, "name", NAME, "a name of [a-z0-9_-]", key);
    String prefix = required(s, "path_prefix", TEXT, "a path prefix such as /payments", key);
    String audience = required(s, "audience", TEXT, "the audience tokens must name", key);
    Optional<String> host = s.optionalString("host", TEXT, "a host name such as api.example.com");
    List<URI> targets = targets(s, key, ctx);
    Route route = valid(key, () -> new Route(name, prefix, targets.getFirst(), audience));
    Duration timeout =
        s.duration(
            "timeout", settings.upstreamTimeout(), Duration.ofMillis(100), Duration.ofMinutes(5));
    UpstreamPolicy defaults = UpstreamPolicy.defaults(targets, timeout);
    ConfigSection breaker = s.section("circuit_breaker");
    ConfigSection health = s.section("health");
    UpstreamPolicy upstream =
        valid(
            key,
            () ->
                new UpstreamPolicy(
                    targets,
                    s.duration(
                        "connect_timeout",
                        defaults.connectTimeout(),
                        Duration.ofMillis(50),
                        Duration.ofMinutes(1)),
                    timeout,
                    s.integer("retries", defaults.maxRetries(), 0, 5),
                    breaker.integer("failures", defaults.failureThreshold(), 1, 1000),
                    breaker.duration(
                        "open_for", defaults.openFor(), Duration.ofSeconds(1), Duration.ofHours(1)),
                    health.integer("eject_after", defaults.ejectAfter(), 1, 1000),
                    health.duration(
                        "eject_for",
                        defaults.ejectFor(),
                        Duration.ofSeconds(1),
                        Duration.ofHours(1))));
    List<RateLimitRule> limits = new ArrayList<>();
    List<ConfigSection> limitSections = s.sections("rate_limits");
    for (int i = 0; i < limitSections.size(); i++) {
      limits.add(rateLimit(limitSections.get(i), key + ".rate_limits[" + i + "]"));
    }
    Optional<String> openapi =
        s.optionalString("openapi", TEXT, "the path of an OpenAPI 3 document");
    Optional<OpenApiContract> contract =
        openapi.map(
            file ->
                valid(
                    key + ".openapi",
                    () -> OpenApiContract.load(ctx.configDirectory().resolve(file))));
    return valid(
        key,
        () ->
            new RouteSpec(
                route,
                host,
                upstream,
                s.optionalString("exchange_for", TEXT, "the upstream's audience"),
                limits,
                s.integer("max_concurrent", RouteSpec.DEFAULT_MAX_CONCURRENT, 1, 1_000_000),
                limits(s.section("limits"), key + ".limits", settings),
                contract,
                cors(s, key)));
  }

  private static List<URI> targets(ConfigSection s, String key, Context ctx) {
    Optional<String> service =
        s.optionalString("service", NAME, "the name of a service the platform runs");
    List<String> urls = s.strings("upstreams", List.of(), TEXT, "https URLs");
    if (service.isPresent() == !urls.isEmpty()) {
      throw new ConfigException(
          key + ".upstreams",
          "config key '"
              + key
              + "' needs exactly one of 'upstreams' (https URLs) or 'service' (a platform service)");
    }
    if (service.isPresent()) {
      URI url =
          ctx.services()
              .apply(service.get())
              .orElseThrow(
                  () ->
                      new ConfigException(
                          key + ".service",
                          "config key '"
                              + key
                              + ".service': '"
                              + service.get()
                              + "' is not a service this platform runs"));
      return List.of(url);
    }
    List<URI> targets = new ArrayList<>();
    for (String url : urls) {
      try {
        URI uri = new URI(url);
        if (!"https".equals(uri.getScheme())
            || uri.getHost() == null
            || uri.getRawQuery() != null
            || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
          throw new URISyntaxException(url, "not https://host[:port]");
        }
        targets.add(uri);
      } catch (URISyntaxException e) {
        throw new ConfigException(
            key + ".upstreams",
            "config key '"
                + key
                + ".upstreams': '"
                + url
                + "' is not valid (expected: https://host[:port], no path)");
      }
    }
    if (new HashSet<>(targets).size() != targets.size()) {
      throw new ConfigException(
          key + ".upstreams", "config key '" + key + ".upstreams' lists a target twice");
    }
    return targets;
  }

  private static RateLimitRule rateLimit(ConfigSection s, String key) {
    String name = required(s, "name", NAME, "a name of [a-z0-9_-]", key);
    String rate = required(s, "rate", TEXT, "a rate such as 100/s or 600/m", key);
    int burst = s.integer("burst", 0, 0, 10_000_000);
    TokenBucket bucket =
        valid(
            key + ".rate",
            () -> {
              // Without a burst, a bucket holds one period's worth: "100/s" admits 100 at once.
              TokenBucket parsed = TokenBucket.parse(rate, Math.max(1, burst));
              return burst == 0 ? TokenBucket.parse(rate, parsed.rate()) : parsed;
            });
    return valid(
        key,
        () ->
            new RateLimitRule(
                name,
                bucket,
                s.choice("key", LimitKey.class, LimitKey.CLIENT),
                s.choice("on_store_failure", StoreFailure.class, StoreFailure.LOCAL)));
  }

  private static RequestLimits limits(ConfigSection s, String key, GatewaySettings settings) {
    RequestLimits d = RequestLimits.defaults();
    return valid(
        key,
        () ->
            new RequestLimits(
                s.integer(
                    "max_body_bytes",
                    (int) Math.min(d.maxBodyBytes(), settings.maxBodyBytes()),
                    1,
                    settings.maxBodyBytes()),
                s.integer("max_headers", d.maxHeaderCount(), 1, 1000),
                s.integer("max_header_bytes", d.maxHeaderBytes(), 256, 1024 * 1024),
                s.integer("max_uri_length", d.maxUriLength(), 16, 64 * 1024),
                s.integer("max_json_depth", d.maxJsonDepth(), 1, 1000),
                s.integer("max_json_bytes", (int) d.maxJsonBytes(), 1, settings.maxBodyBytes()),
                Set.copyOf(
                    s.strings(
                        "content_types",
                        List.copyOf(d.contentTypes()),
                        MEDIA_TYPE,
                        "media types such as application/json"))));
  }

  private static Optional<CorsPolicy> cors(ConfigSection route, String key) {
    ConfigSection s = route.section("cors");
    List<String> origins = s.strings("allowed_origins", List.of(), ORIGIN, "origins");
    if (origins.isEmpty()) {
      return Optional.empty();
    }
    CorsPolicy d = CorsPolicy.allowing(origins);
    return Optional.of(
        valid(
            key + ".cors",
            () ->
                new CorsPolicy(
                    Set.copyOf(origins),
                    Set.copyOf(
                        s.strings(
                            "allowed_methods", List.copyOf(d.allowedMethods()), TOKEN, "methods")),
                    Set.copyOf(
                        s.strings(
                            "allowed_headers",
                            List.copyOf(d.allowedHeaders()),
                            TOKEN,
                            "header names")),
                    Set.copyOf(
                        s.strings(
                            "exposed_headers",
                            List.copyOf(d.exposedHeaders()),
                            TOKEN,
                            "header names")),
                    s.bool("allow_credentials", false),
                    s.duration("max_age", d.maxAge(), Duration.ZERO, Duration.ofDays(1)))));
  }

  private static String required(
      ConfigSection s, String name, Pattern allowed, String expected, String key) {
    return s.optionalString(name, allowed, expected)
        .orElseThrow(
            () ->
                new ConfigException(
                    key + "." + name,
                    "config key '"
                        + key
                        + "."
                        + name
                        + "' is required (expected: "
                        + expected
                        + ")"));
  }

  // Value types validate in their constructors; their message becomes the config error, named.
  private static <T> T valid(String key, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | GatewayException e) {
      throw new ConfigException(key, "config key '" + key + "': " + e.getMessage());
    }
  }
}
