package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The public signing keys of one issuer (RFC 7517 JWK Set), with one cache and one fetcher that
 * every {@link AccessTokenVerifier} of that issuer shares: a gateway with many routes fetches an
 * issuer's JWKS once, not once per route.
 *
 * <p>A fetched key set is cached, refreshed ahead of its expiry, refetched when a token names an
 * unknown {@code kid} (Nimbus's rate limiter allows two fetches per {@link
 * Options#unknownKeyRefetchInterval()}, one kept for a key rotation, so random key ids cannot
 * hammer the issuer), and kept usable for {@link Options#outageTolerance()} while the issuer is
 * unreachable. Past that, verification fails closed with {@link
 * TokenVerification.Reason#KEYS_UNAVAILABLE}.
 *
 * <p>Instances are thread-safe.
 */
public final class IssuerKeys implements AutoCloseable {
  private final JWKSource<SecurityContext> source;
  private final String origin;

  private IssuerKeys(JWKSource<SecurityContext> source, String origin) {
    this.source = source;
    this.origin = origin;
  }

  /**
   * Keys fetched over HTTPS from the issuer's {@code jwks_uri} (RFC 8414 §2).
   *
   * @param jwksUri the issuer's JWKS URL; must be https
   * @param tls the TLS context that trusts the issuer's certificate
   * @param options caching, refetch and outage behaviour
   * @throws IllegalArgumentException if the URL is not an https URL
   */
  public static IssuerKeys fetchedFrom(URI jwksUri, SSLContext tls, Options options) {
    requireNonNull(jwksUri, "jwksUri");
    requireNonNull(tls, "tls");
    requireNonNull(options, "options");
    if (!"https".equals(jwksUri.getScheme())) {
      throw new IllegalArgumentException("jwksUri: " + jwksUri + " (expected: an https URL)");
    }
    int timeout = Math.toIntExact(options.fetchTimeout().toMillis());
    JWKSourceBuilder<SecurityContext> builder;
    try {
      builder =
          JWKSourceBuilder.create(
              jwksUri.toURL(),
              new DefaultResourceRetriever(
                  timeout, timeout, 256 * 1024, true, tls.getSocketFactory()));
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("jwksUri: " + jwksUri + " (expected: a valid URL)", e);
    }
    builder
        .cache(options.cacheTimeToLive().toMillis(), options.fetchTimeout().toMillis())
        .rateLimited(options.unknownKeyRefetchInterval().toMillis())
        .outageTolerant(options.outageTolerance().toMillis())
        .retrying(true);
    if (options.refreshAhead().isPositive()) {
      builder.refreshAheadCache(options.refreshAhead().toMillis(), false);
    } else {
      // Nimbus refreshes ahead by default (30 s), which a shorter cache lifetime cannot hold.
      builder.refreshAheadCache(false);
    }
    return new IssuerKeys(builder.build(), jwksUri.toString());
  }

  /**
   * A fixed set of public keys, e.g. configured out of band.
   *
   * @throws IllegalArgumentException if the set holds a private key
   */
  public static IssuerKeys fixed(JWKSet publicKeys) {
    requireNonNull(publicKeys, "publicKeys");
    if (publicKeys.getKeys().stream().anyMatch(JWK::isPrivate)) {
      throw new IllegalArgumentException(
          "keys: contains private keys (expected: public keys only)");
    }
    return new IssuerKeys(new ImmutableJWKSet<>(publicKeys), "a fixed key set");
  }

  JWKSource<SecurityContext> source() {
    return source;
  }

  /** Stops background refreshes, if any; verifiers using these keys must not be used after. */
  @Override
  public void close() {
    if (source instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        // Nothing is left to release that matters; the keys are no longer used either way.
      }
    }
  }

  @Override
  public String toString() {
    return "IssuerKeys[" + origin + "]";
  }

  /**
   * How fetched keys are cached and refetched.
   *
   * @param cacheTimeToLive how long a fetched key set is used before it is fetched again
   * @param refreshAhead how long before expiry the set is refreshed in the background; zero turns
   *     refresh-ahead off
   * @param unknownKeyRefetchInterval the interval in which at most two fetches happen, however many
   *     tokens with unknown {@code kid}s arrive
   * @param outageTolerance how long the last fetched set stays usable while the issuer cannot be
   *     reached; after that (plus at most one {@code cacheTimeToLive}) every token is refused
   * @param fetchTimeout connect and read timeout of one fetch
   */
  public record Options(
      Duration cacheTimeToLive,
      Duration refreshAhead,
      Duration unknownKeyRefetchInterval,
      Duration outageTolerance,
      Duration fetchTimeout) {

    /** Checks that the durations fit together as the key source needs them to. */
    public Options {
      positive(cacheTimeToLive, "cacheTimeToLive");
      requireNonNull(refreshAhead, "refreshAhead");
      if (refreshAhead.isNegative()) {
        throw new IllegalArgumentException(
            "refreshAhead: " + refreshAhead + " (expected: >= 0, 0 for off)");
      }
      positive(unknownKeyRefetchInterval, "unknownKeyRefetchInterval");
      positive(outageTolerance, "outageTolerance");
      positive(fetchTimeout, "fetchTimeout");
      if (unknownKeyRefetchInterval.compareTo(cacheTimeToLive) >= 0) {
        throw new IllegalArgumentException(
            "unknownKeyRefetchInterval: "
                + unknownKeyRefetchInterval
                + " (expected: less than cacheTimeToLive "
                + cacheTimeToLive
                + ")");
      }
      if (refreshAhead.isPositive()
          && refreshAhead.plus(fetchTimeout).compareTo(cacheTimeToLive) >= 0) {
        throw new IllegalArgumentException(
            "refreshAhead: "
                + refreshAhead
                + " (expected: refreshAhead + fetchTimeout less than cacheTimeToLive "
                + cacheTimeToLive
                + ")");
      }
    }

    /**
     * Five-minute cache refreshed 30 seconds ahead, unknown-{@code kid} refetches at most every 30
     * seconds, keys kept for one hour of issuer outage, 2-second fetch timeout.
     */
    public static Options defaults() {
      return new Options(
          Duration.ofMinutes(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30),
          Duration.ofHours(1),
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
