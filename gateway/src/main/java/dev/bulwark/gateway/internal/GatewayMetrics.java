package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's metrics per route: requests by outcome, refusals by reason, and a latency histogram
 * (Prometheus buckets, so percentiles can be aggregated across gateway instances). Meters are
 * looked up once per route and reason, not built per request.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  /** A request on {@code route} was forwarded; {@code nanos} from arrival to the last byte. */
  public void forwarded(String route, int status, long nanos) {
    counter("gateway.requests", route, "outcome", "forwarded").increment();
    if (status >= 500) {
      counter("gateway.upstream.errors", route, "status", Integer.toString(status)).increment();
    }
    timer(route).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A request on {@code route} was refused before any upstream saw it, for {@code reason} (a stable
   * tag such as {@code invalid_token} or {@code rate_limited}).
   */
  public void refused(String route, String reason, long nanos) {
    counter("gateway.requests", route, "outcome", "refused").increment();
    counter("gateway.refusals", route, "reason", reason).increment();
    timer(route).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A reload of the routes was applied or refused. */
  public void reloaded(boolean applied) {
    counter("gateway.config.reloads", "-", "outcome", applied ? "applied" : "refused").increment();
  }

  private Counter counter(String name, String route, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\u0000' + route + '\u0000' + value,
        k ->
            Counter.builder(name)
                .description(description(name))
                .tags("route", route, tag, value)
                .register(registry));
  }

  private Timer timer(String route) {
    return timers.computeIfAbsent(
        route,
        r ->
            Timer.builder("gateway.request.duration")
                .description("Time from a request's arrival at the gateway to its answer, by route")
                .tags("route", r)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
  }

  private static String description(String name) {
    return switch (name) {
      case "gateway.requests" -> "Requests by route and outcome (forwarded or refused)";
      case "gateway.refusals" -> "Requests the gateway refused, by route and reason";
      case "gateway.upstream.errors" -> "Upstream answers of 5xx, by route";
      default -> "Route and limit reloads, by outcome";
    };
  }
}
