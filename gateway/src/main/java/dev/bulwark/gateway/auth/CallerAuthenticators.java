package dev.bulwark.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.IssuerKeys;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The trusted issuers of a gateway, built once and shared by every route: one JWKS cache and
 * fetcher per issuer, one introspection client and one cache of introspection answers, however many
 * routes there are. {@link #forAudience(String)} gives each route its {@link CallerAuthenticator}.
 *
 * <p>Thread-safe. Close it when the gateway stops.
 */
public final class CallerAuthenticators implements AutoCloseable {
  private static final String REALM = "bulwark";

  private final List<TrustedIssuer> issuers;
  private final Map<String, IssuerKeys> keys;
  private final List<Introspector> introspectors;
  private final IntrospectionCache answers;
  private final Options options;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, CallerAuthenticator> byAudience = new ConcurrentHashMap<>();

  private CallerAuthenticators(
      List<TrustedIssuer> issuers, SSLContext tls, Clock clock, Options options) {
    this.issuers = List.copyOf(issuers);
    this.options = options;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .sslContext(tls)
            .connectTimeout(options.introspectionTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    Map<String, IssuerKeys> keys = new LinkedHashMap<>();
    List<Introspector> introspectors = new ArrayList<>();
    for (TrustedIssuer issuer : this.issuers) {
      issuer
          .jwksUri()
          .ifPresent(
              uri -> keys.put(issuer.issuer(), IssuerKeys.fetchedFrom(uri, tls, options.keys())));
      issuer
          .introspection()
          .ifPresent(
              introspection ->
                  introspectors.add(
                      new Introspector(
                          issuer, introspection, http, options.introspectionTimeout(), clock)));
    }
    this.keys = Map.copyOf(keys);
    this.introspectors = List.copyOf(introspectors);
    this.answers = new IntrospectionCache(options.maxCachedAnswers());
  }

  /**
   * Trusts {@code issuers}, reaching them over {@code tls}, with {@link Options#defaults()}.
   *
   * @throws IllegalArgumentException if no issuer is given or one is given twice
   */
  public static CallerAuthenticators create(
      List<TrustedIssuer> issuers, SSLContext tls, Clock clock) {
    return create(issuers, tls, clock, Options.defaults());
  }

  /**
   * Trusts {@code issuers}, reaching them over {@code tls}.
   *
   * @param issuers the issuers whose tokens are accepted; for opaque tokens they are asked in this
   *     order
   * @param tls the TLS context that trusts the issuers' certificates
   * @param clock judges token lifetimes and cache deadlines
   * @param options caching and timeouts
   * @throws IllegalArgumentException if no issuer is given or one is given twice
   */
  public static CallerAuthenticators create(
      List<TrustedIssuer> issuers, SSLContext tls, Clock clock, Options options) {
    requireNonNull(issuers, "issuers");
    requireNonNull(tls, "tls");
    requireNonNull(clock, "clock");
    requireNonNull(options, "options");
    if (issuers.isEmpty()) {
      throw new IllegalArgumentException("issuers: empty (expected: at least one trusted issuer)");
    }
    Map<String, Long> counts =
        issuers.stream()
            .collect(Collectors.groupingBy(TrustedIssuer::issuer, Collectors.counting()));
    counts.forEach(
        (issuer, count) -> {
          if (count > 1) {
            throw new IllegalArgumentException(
                "issuers: " + issuer + " is listed " + count + " times (expected: once)");
          }
        });
    return new CallerAuthenticators(issuers, tls, clock, options);
  }

  /**
   * The authenticator for a route whose tokens must name {@code audience} in {@code aud}; the same
   * instance for the same audience.
   */
  public CallerAuthenticator forAudience(String audience) {
    requireNonNull(audience, "audience");
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience: blank (expected: the route's audience)");
    }
    return byAudience.computeIfAbsent(audience, this::build);
  }

  private static final int VERIFIED_TOKENS = 10_000;
  private static final Duration VERIFIED_TOKEN_MAX_AGE = Duration.ofMinutes(1);

  private Duration verifiedTokenMaxAge() {
    Duration keysCached = options.keys().cacheTimeToLive();
    return keysCached.compareTo(VERIFIED_TOKEN_MAX_AGE) < 0 ? keysCached : VERIFIED_TOKEN_MAX_AGE;
  }

  private CallerAuthenticator build(String audience) {
    Map<String, AccessTokenVerifier> verifiers = new LinkedHashMap<>();
    for (TrustedIssuer issuer : issuers) {
      Optional.ofNullable(keys.get(issuer.issuer()))
          .ifPresent(
              issuerKeys ->
                  verifiers.put(
                      issuer.issuer(),
                      AccessTokenVerifier.builder()
                          .issuer(issuer.issuer())
                          .audience(audience)
                          .algorithms(
                              issuer.algorithms().stream()
                                  .map(JWSAlgorithm::parse)
                                  .collect(Collectors.toSet()))
                          .keys(issuerKeys)
                          .clock(clock)
                          .clockSkew(issuer.clockSkew())
                          // A token is typically presented many times in its short life: a
                          // repeat skips the signature check (expiry is checked every time), but
                          // never for longer than the keys it was checked with are cached.
                          .cacheVerifiedTokens(VERIFIED_TOKENS, verifiedTokenMaxAge())
                          .build()));
    }
    return new CallerAuthenticator(
        audience, REALM, verifiers, introspectors, answers, options, clock);
  }

  /** Stops the issuers' key refreshes and the introspection client. */
  @Override
  public void close() {
    keys.values().forEach(IssuerKeys::close);
    http.close();
  }

  /**
   * How keys and introspection answers are cached.
   *
   * @param keys the JWKS cache of each issuer
   * @param activeAnswerTtl the longest an active introspection answer is reused (never past the
   *     token's {@code exp})
   * @param inactiveAnswerTtl how long an inactive answer is reused, so repeated garbage tokens do
   *     not reach the issuer each time
   * @param maxCachedAnswers how many introspection answers are kept at most
   * @param introspectionTimeout connect and answer timeout of one introspection request
   */
  public record Options(
      IssuerKeys.Options keys,
      Duration activeAnswerTtl,
      Duration inactiveAnswerTtl,
      int maxCachedAnswers,
      Duration introspectionTimeout) {
    /** Rejects non-positive durations and sizes. */
    public Options {
      requireNonNull(keys, "keys");
      positive(activeAnswerTtl, "activeAnswerTtl");
      positive(inactiveAnswerTtl, "inactiveAnswerTtl");
      positive(introspectionTimeout, "introspectionTimeout");
      if (maxCachedAnswers < 1) {
        throw new IllegalArgumentException(
            "maxCachedAnswers: " + maxCachedAnswers + " (expected: > 0)");
      }
    }

    /**
     * {@link IssuerKeys.Options#defaults()}, active answers for at most 30 seconds, inactive ones
     * for 5, at most 10,000 answers, 2-second introspection timeout.
     */
    public static Options defaults() {
      return new Options(
          IssuerKeys.Options.defaults(),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          10_000,
          Duration.ofSeconds(2));
    }

    private static void positive(Duration value, String name) {
      requireNonNull(value, name);
      if (!value.isPositive()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }
  }
}
