package dev.bulwark.runtime.http;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code http.server.requests} timers of one listener, whichever HTTP stack serves it: the same
 * name, description and tags everywhere, each timer looked up rather than registered per request
 * (building a meter id and registering it was a measurable share of a small request's cost;
 * bench/README.md).
 */
public final class RequestTimers {
  // Clients choose the method; only known ones become tags, or the registry grows without bound.
  private static final Set<String> STANDARD_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

  private final String component;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  /** Timers tagged with {@code component}, in {@code registry}. */
  public RequestTimers(String component, MeterRegistry registry) {
    this.component = requireNonNull(component, "component");
    this.registry = requireNonNull(registry, "registry");
  }

  /** The timer for a request with {@code method} on {@code route} answered with {@code status}. */
  public Timer timer(String method, String route, int status) {
    String methodTag = STANDARD_METHODS.contains(method) ? method : "OTHER";
    return timers.computeIfAbsent(
        methodTag + ' ' + status + ' ' + route,
        k ->
            Timer.builder("http.server.requests")
                .description("HTTP requests served, by component, route and status")
                .tags(
                    "component",
                    component,
                    "method",
                    methodTag,
                    "route",
                    route,
                    "status",
                    Integer.toString(status))
                .register(registry));
  }
}
