package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets in Redis, shared by every gateway instance that points at the same server.
 *
 * <p>Each acquisition is one Lua script, atomic on the server, that refills the bucket by the time
 * since its last use on the server's clock ({@code TIME}), so gateways whose clocks disagree still
 * count the same bucket the same way. A bucket is a hash under {@code bulwark:rl:<rule>:<key>} that
 * expires once it would be full again, so idle keys vanish.
 *
 * <p>When Redis cannot answer within the command timeout, the rule's {@link StoreFailure} decides
 * (refuse, or this process's {@link LocalRateLimiter}); the outage is logged once, each affected
 * request is counted in {@code gateway.ratelimit.store.failures}, and the limiter reconnects by
 * itself.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {
  /**
   * Metric counting requests decided without the store, tagged {@code rule} and {@code outcome}.
   */
  public static final String FAILURES_METRIC = "gateway.ratelimit.store.failures";

  static final String KEY_PREFIX = "bulwark:rl:";

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);

  /** How long a client refused while the store is down is told to wait. */
  private static final Duration DENIED_RETRY = Duration.ofSeconds(1);

  /*
   * Mirrors TokenBucket.refilled. Lua numbers are doubles; every value here is an integer below
   * 2^53 (TokenBucket checks the capacity), so the arithmetic is exact. '%.0f' keeps large values
   * out of Lua's default '%.14g', which would round them.
   */
  private static final String SCRIPT =
      """
      local cap = tonumber(ARGV[1])
      local per_token = tonumber(ARGV[2])
      local per_micro = tonumber(ARGV[3])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local state = redis.call('HMGET', KEYS[1], 'l', 't')
      local level = cap
      if state[1] then
        level = tonumber(state[1])
        local elapsed = now - tonumber(state[2])
        if elapsed > 0 then
          if elapsed >= math.ceil((cap - level) / per_micro) then
            level = cap
          else
            level = level + elapsed * per_micro
          end
        else
          now = tonumber(state[2])
        end
      end
      local allowed = 0
      if level >= per_token then
        level = level - per_token
        allowed = 1
      end
      local to_full_ms = math.ceil(math.ceil((cap - level) / per_micro) / 1000)
      redis.call('HSET', KEYS[1], 'l', string.format('%.0f', level), 't', string.format('%.0f', now))
      redis.call('PEXPIRE', KEYS[1], to_full_ms + 1000)
      return {allowed, level}
      """;

  private final RedisClient client;
  private final LocalRateLimiter fallback;
  private final MeterRegistry registry;
  private final Duration reconnectDelay;
  private final Duration commandTimeout;
  private final String server;
  private final ReentrantLock connecting = new ReentrantLock();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  private volatile Store store;
  private volatile long nextConnectNanos;

  private RedisRateLimiter(Builder b) {
    RedisURI uri = RedisURI.create(b.uri);
    // The URI's timeout bounds the connection handshake (HELLO, AUTH); its default is a minute,
    // which a server that accepts but never answers would hold a request for.
    uri.setTimeout(b.connectTimeout);
    this.server = uri.getHost() + ":" + uri.getPort();
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail at once while disconnected instead of queueing until the timeout.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(b.connectTimeout).build())
            .timeoutOptions(TimeoutOptions.enabled(b.commandTimeout))
            .build());
    this.fallback = b.fallback;
    this.registry = b.registry;
    this.reconnectDelay = b.reconnectDelay;
    this.commandTimeout = b.commandTimeout;
  }

  /**
   * A builder for a limiter on the Redis server at {@code redisUri} ({@code redis://host:port} or
   * {@code rediss://} for TLS), counting store failures in {@code registry}.
   */
  public static Builder builder(String redisUri, MeterRegistry registry) {
    return new Builder(redisUri, registry);
  }

  /**
   * Opens the connection now, so that the first requests do not wait for it (a gateway calls this
   * as it starts); returns whether Redis answered. A limiter that could not connect keeps trying on
   * use, as always.
   */
  public boolean connect() {
    return connected() != null;
  }

  @Override
  public RateLimitDecision tryAcquire(RateLimitRule rule, String key) {
    requireNonNull(rule, "rule");
    requireNonNull(key, "key");
    Store current = connected();
    if (current == null) {
      return storeFailed(rule, key, "not connected");
    }
    TokenBucket bucket = rule.bucket();
    try {
      List<Object> result =
          current.run(
              KEY_PREFIX + rule.name() + ":" + key,
              Long.toString(bucket.capacityUnits()),
              Long.toString(bucket.unitsPerToken()),
              Long.toString(bucket.unitsPerMicrosecond()));
      if (storeDown.compareAndSet(true, false)) {
        LOG.info("Rate-limit store {} answers again; shared limits apply", server);
      }
      return RateLimitDecision.of(rule, (Long) result.get(0) == 1L, (Long) result.get(1), false);
    } catch (RuntimeException e) {
      // Lettuce throws RedisException subtypes; anything else from the call is as much a failure.
      return storeFailed(rule, key, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private RateLimitDecision storeFailed(RateLimitRule rule, String key, String reason) {
    boolean deny = rule.onStoreFailure() == StoreFailure.DENY;
    if (storeDown.compareAndSet(false, true)) {
      LOG.warn(
          "Rate-limit store {} unavailable ({}); rules fall back to on_store_failure until it"
              + " answers again",
          server,
          reason);
    }
    Counter.builder(FAILURES_METRIC)
        .description("Requests rate-limited without the shared store")
        .tag("rule", rule.name())
        .tag("outcome", deny ? "denied" : "local")
        .register(registry)
        .increment();
    if (deny) {
      return new RateLimitDecision(false, rule, 0, DENIED_RETRY, DENIED_RETRY, true);
    }
    return fallback.tryAcquire(rule, key, true);
  }

  /**
   * The connection, opening it if none is open and the last attempt is old enough. Only one caller
   * connects at a time; the others fall back at once rather than queue behind it. Once open,
   * Lettuce reconnects the connection by itself.
   */
  private Store connected() {
    Store current = store;
    if (current != null) {
      return current;
    }
    if (System.nanoTime() - nextConnectNanos < 0 || !awaitConnecting()) {
      return null;
    }
    try {
      if (store == null) {
        StatefulRedisConnection<String, String> connection = client.connect();
        RedisCommands<String, String> commands = connection.sync();
        store = new Store(connection, commands, commands.scriptLoad(SCRIPT));
      }
      return store;
    } catch (RuntimeException e) {
      nextConnectNanos = System.nanoTime() + reconnectDelay.toNanos();
      if (storeDown.compareAndSet(false, true)) {
        LOG.warn(
            "Rate-limit store {} unreachable ({}); rules fall back to on_store_failure, retrying"
                + " every {}",
            server,
            e.getClass().getSimpleName() + ": " + e.getMessage(),
            reconnectDelay);
      }
      return null;
    } finally {
      connecting.unlock();
    }
  }

  /**
   * Takes the right to connect, waiting up to the command timeout while another caller connects (as
   * when a burst of requests meets a fresh limiter), so they share that attempt's outcome.
   */
  private boolean awaitConnecting() {
    try {
      return connecting.tryLock(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    Store current = store;
    if (current != null) {
      current.connection.close();
    }
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** An open connection and the script's digest on that server. */
  private record Store(
      StatefulRedisConnection<String, String> connection,
      RedisCommands<String, String> commands,
      String sha) {
    List<Object> run(String key, String... args) {
      String[] keys = {key};
      try {
        return commands.evalsha(sha, ScriptOutputType.MULTI, keys, args);
      } catch (RedisNoScriptException e) {
        // The server restarted or its script cache was flushed: EVAL loads the script again.
        return commands.eval(SCRIPT, ScriptOutputType.MULTI, keys, args);
      }
    }
  }

  /** Options of a {@link RedisRateLimiter}; every one has a default but the URI and registry. */
  public static final class Builder {
    private final String uri;
    private final MeterRegistry registry;
    private Duration commandTimeout = Duration.ofMillis(50);
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration reconnectDelay = Duration.ofSeconds(1);
    private LocalRateLimiter fallback;

    private Builder(String uri, MeterRegistry registry) {
      this.uri = requireNonNull(uri, "redisUri");
      this.registry = requireNonNull(registry, "registry");
    }

    /** How long one acquisition waits for Redis before the rule's fallback decides; 50 ms. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive(timeout, "commandTimeout");
      return this;
    }

    /** How long one connection attempt may take; 1 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long to wait after a failed connection attempt before the next; 1 s. */
    public Builder reconnectDelay(Duration delay) {
      this.reconnectDelay = positive(delay, "reconnectDelay");
      return this;
    }

    /** The local limiter for {@link StoreFailure#LOCAL} rules; a new default one if not set. */
    public Builder fallback(LocalRateLimiter fallback) {
      this.fallback = requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * The limiter. It connects on first use, so building succeeds while Redis is down.
     *
     * @throws IllegalArgumentException if the URI is not a Redis URI
     */
    public RedisRateLimiter build() {
      if (fallback == null) {
        fallback = LocalRateLimiter.create();
      }
      return new RedisRateLimiter(this);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
