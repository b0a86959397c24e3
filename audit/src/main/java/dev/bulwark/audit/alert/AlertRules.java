package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the audit stream and raises {@link Alert}s: brute-force logins, spikes of 401/403
 * answers, refresh-token reuse, certificates near expiry and audit events lost by emitters. The
 * events each rule reads are described in the package documentation and docs/audit-events.md.
 *
 * <p>Thread-safe; memory is bounded (each rule keeps at most {@value #DEFAULT_MAX_KEYS} keys, each
 * with fixed-size counters). Windows are measured on the injected clock when an event is observed,
 * not on the event's own time, which its sender chose. Each rule alerts at most once per key per
 * window, except refresh-token reuse, which alerts on every occurrence.
 */
public final class AlertRules implements AuditSink {
  /** The most keys (subjects, addresses, workloads) each rule keeps counts for. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  static final String BRUTE_FORCE = "brute_force";
  static final String AUTH_ERROR_SPIKE = "auth_error_spike";
  static final String REFRESH_TOKEN_REUSE = "refresh_token_reuse";
  static final String CERTIFICATE_EXPIRY = "certificate_expiry";
  static final String AUDIT_DROPS = "audit_drops";

  private static final Logger LOG = LoggerFactory.getLogger(AlertRules.class);

  private final AlertNotifier notifier;
  private final Clock clock;
  private final List<Rule> rules;

  private AlertRules(AlertNotifier notifier, Clock clock, List<Rule> rules) {
    this.notifier = notifier;
    this.clock = clock;
    this.rules = List.copyOf(rules);
  }

  /**
   * Every rule with the platform's default thresholds: 10 failed logins per account or address in 5
   * minutes; 100 responses 401/403 overall or 20 from one address in a minute; every refresh-token
   * reuse; certificates within 7 days of expiry (once an hour per workload); audit drops (once a
   * minute per component).
   */
  public static AlertRules defaults(AlertNotifier notifier, Clock clock) {
    return builder(notifier)
        .clock(clock)
        .bruteForce(10, Duration.ofMinutes(5))
        .authErrorSpike(100, 20, Duration.ofMinutes(1))
        .refreshTokenReuse()
        .certificateExpiry(Duration.ofDays(7), Duration.ofHours(1))
        .auditDrops()
        .build();
  }

  /** A builder of rules that send their alerts to {@code notifier}. */
  public static Builder builder(AlertNotifier notifier) {
    return new Builder(notifier);
  }

  /** The same as {@link #observe}. */
  @Override
  public void emit(AuditEvent event) {
    observe(event);
  }

  /** Runs every rule over {@code event} and sends the alerts they raise. */
  public void observe(AuditEvent event) {
    requireNonNull(event, "event");
    Instant now = clock.instant();
    List<Alert> raised = new ArrayList<>(1);
    for (Rule rule : rules) {
      rule.observe(event, now, raised::add);
    }
    for (Alert alert : raised) {
      try {
        notifier.send(alert);
      } catch (RuntimeException e) {
        LOG.warn("alert notifier failed for {} {}", alert.rule(), alert.key(), e);
      }
    }
  }

  /** One rule over the stream; raises alerts through {@code raise}. */
  interface Rule {
    void observe(AuditEvent event, Instant now, Consumer<Alert> raise);
  }

  private static Map<String, String> details(AuditEvent event, String... attributes) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("component", event.component());
    details.put("action", event.action());
    for (String attribute : attributes) {
      event.attribute(attribute).ifPresent(value -> details.put(attribute, value));
    }
    return details;
  }

  private static boolean isLogin(String action) {
    return action.equals("login") || action.endsWith(".login");
  }

  private static final class BruteForce implements Rule {
    private final SlidingCounts failures;
    private final Duration window;

    BruteForce(int threshold, Duration window, int maxKeys) {
      this.failures = new SlidingCounts(threshold, window, maxKeys);
      this.window = window;
    }

    @Override
    public void observe(AuditEvent event, Instant now, Consumer<Alert> raise) {
      if (!isLogin(event.action()) || event.outcome() == AuditEvent.Outcome.SUCCESS) {
        return;
      }
      event.subject().ifPresent(subject -> count(event, now, raise, "subject", subject));
      event
          .attribute("source_address")
          .ifPresent(address -> count(event, now, raise, "source_address", address));
    }

    private void count(
        AuditEvent event, Instant now, Consumer<Alert> raise, String by, String value) {
      String key = by + ":" + value;
      long count = failures.hit(key, now);
      if (count == 0) {
        return;
      }
      Map<String, String> details = details(event, "subject", "source_address", "client_id");
      details.put("failures", Long.toString(count));
      details.put("window", window.toString());
      raise.accept(
          new Alert(
              BRUTE_FORCE,
              Alert.Severity.WARNING,
              key,
              count + " failed logins for " + by + " " + value + " within " + window,
              now,
              details));
    }
  }

  private static final class AuthErrorSpike implements Rule {
    private final SlidingCounts overall;
    private final SlidingCounts perSource;
    private final Duration window;

    AuthErrorSpike(int overallThreshold, int perSourceThreshold, Duration window, int maxKeys) {
      this.overall = new SlidingCounts(overallThreshold, window, 1);
      this.perSource = new SlidingCounts(perSourceThreshold, window, maxKeys);
      this.window = window;
    }

    @Override
    public void observe(AuditEvent event, Instant now, Consumer<Alert> raise) {
      Optional<String> status = event.attribute("status");
      if (status.isEmpty() || !(status.get().equals("401") || status.get().equals("403"))) {
        return;
      }
      long count = overall.hit("all", now);
      if (count > 0) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("responses", Long.toString(count));
        details.put("window", window.toString());
        raise.accept(
            new Alert(
                AUTH_ERROR_SPIKE,
                Alert.Severity.WARNING,
                "all",
                count + " responses 401/403 within " + window,
                now,
                details));
      }
      Optional<String> source = event.attribute("source_address");
      if (source.isEmpty()) {
        return;
      }
      String key = "source_address:" + source.get();
      long fromSource = perSource.hit(key, now);
      if (fromSource > 0) {
        Map<String, String> details = details(event, "source_address");
        details.put("responses", Long.toString(fromSource));
        details.put("window", window.toString());
        raise.accept(
            new Alert(
                AUTH_ERROR_SPIKE,
                Alert.Severity.WARNING,
                key,
                fromSource + " responses 401/403 to " + source.get() + " within " + window,
                now,
                details));
      }
    }
  }

  private static final class RefreshTokenReuse implements Rule {
    @Override
    public void observe(AuditEvent event, Instant now, Consumer<Alert> raise) {
      if (!event.action().equals("token.refresh")
          || !event.reason().filter("refresh_token_reuse"::equals).isPresent()) {
        return;
      }
      String key =
          event
              .subject()
              .map(s -> "subject:" + s)
              .or(() -> event.attribute("client_id").map(c -> "client_id:" + c))
              .orElse("unknown");
      raise.accept(
          new Alert(
              REFRESH_TOKEN_REUSE,
              Alert.Severity.CRITICAL,
              key,
              "refresh token reused for " + key + ": the token was likely stolen",
              now,
              details(event, "subject", "client_id", "source_address", "request_id")));
    }
  }

  private static final class CertificateExpiry implements Rule {
    private final Duration threshold;
    private final SlidingCounts alerted;

    CertificateExpiry(Duration threshold, Duration window, int maxKeys) {
      this.threshold = threshold;
      this.alerted = new SlidingCounts(1, window, maxKeys);
    }

    @Override
    public void observe(AuditEvent event, Instant now, Consumer<Alert> raise) {
      if (!event.action().equals("certificate.expiring")) {
        return;
      }
      Optional<String> notAfterText = event.attribute("not_after");
      Optional<String> workload = event.workload();
      if (notAfterText.isEmpty() || workload.isEmpty()) {
        LOG.warn(
            "certificate.expiring event {} without not_after or workload: ignored", event.id());
        return;
      }
      Instant notAfter;
      try {
        notAfter = Instant.parse(notAfterText.get());
      } catch (DateTimeParseException e) {
        LOG.warn("certificate.expiring event {}: not_after is not an ISO instant", event.id());
        return;
      }
      Duration left = Duration.between(now, notAfter);
      if (left.compareTo(threshold) > 0) {
        return;
      }
      String key = "workload:" + workload.get();
      if (alerted.hit(key, now) == 0) {
        return;
      }
      boolean expired = !left.isPositive();
      raise.accept(
          new Alert(
              CERTIFICATE_EXPIRY,
              expired ? Alert.Severity.CRITICAL : Alert.Severity.WARNING,
              key,
              "certificate of "
                  + workload.get()
                  + (expired ? " expired at " : " expires at ")
                  + notAfter,
              now,
              details(event, "workload", "not_after", "serial")));
    }
  }

  private static final class AuditDrops implements Rule {
    private final SlidingCounts alerted;

    AuditDrops(Duration window, int maxKeys) {
      this.alerted = new SlidingCounts(1, window, maxKeys);
    }

    @Override
    public void observe(AuditEvent event, Instant now, Consumer<Alert> raise) {
      if (!event.action().equals("audit.dropped")) {
        return;
      }
      String key =
          "component:"
              + event.component()
              + event.attribute("reported_by").map(by -> " reported_by:" + by).orElse("");
      if (alerted.hit(key, now) == 0) {
        return;
      }
      raise.accept(
          new Alert(
              AUDIT_DROPS,
              Alert.Severity.WARNING,
              key,
              event.component()
                  + " lost "
                  + event.attribute("count").orElse("some")
                  + " audit events: the central log has a gap",
              now,
              details(event, "count", "since", "until", "reported_by")));
    }
  }

  /** Chooses the rules; {@link #build()} needs at least one. */
  public static final class Builder {
    private final AlertNotifier notifier;
    private final List<Rule> rules = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private int maxKeys = DEFAULT_MAX_KEYS;

    private Builder(AlertNotifier notifier) {
      this.notifier = requireNonNull(notifier, "notifier");
    }

    /** The clock windows are measured on (default the system's). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The most keys each rule added after this call keeps (default {@value #DEFAULT_MAX_KEYS}). */
    public Builder maxKeys(int maxKeys) {
      if (maxKeys < 1) {
        throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
      }
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * Alerts when {@code threshold} failed or denied logins for one subject, or from one source
     * address, fall within {@code window}.
     */
    public Builder bruteForce(int threshold, Duration window) {
      checkThreshold("threshold", threshold);
      rules.add(new BruteForce(threshold, checkWindow(window), maxKeys));
      return this;
    }

    /**
     * Alerts when {@code overallThreshold} responses 401 or 403 in all, or {@code
     * perSourceThreshold} to one source address, fall within {@code window}.
     */
    public Builder authErrorSpike(int overallThreshold, int perSourceThreshold, Duration window) {
      checkThreshold("overallThreshold", overallThreshold);
      checkThreshold("perSourceThreshold", perSourceThreshold);
      rules.add(
          new AuthErrorSpike(overallThreshold, perSourceThreshold, checkWindow(window), maxKeys));
      return this;
    }

    /** Alerts, critical, on every reuse of a refresh token. */
    public Builder refreshTokenReuse() {
      rules.add(new RefreshTokenReuse());
      return this;
    }

    /**
     * Alerts when a workload's certificate has less than {@code threshold} left (critical once
     * expired), once per workload per {@code window}.
     */
    public Builder certificateExpiry(Duration threshold, Duration window) {
      requireNonNull(threshold, "threshold");
      if (!threshold.isPositive()) {
        throw new IllegalArgumentException("threshold: " + threshold + " (expected: > 0)");
      }
      rules.add(new CertificateExpiry(threshold, checkWindow(window), maxKeys));
      return this;
    }

    /** Alerts when an emitter reports lost events, once per component per minute. */
    public Builder auditDrops() {
      return auditDrops(Duration.ofMinutes(1));
    }

    /** Alerts when an emitter reports lost events, once per component per {@code window}. */
    public Builder auditDrops(Duration window) {
      rules.add(new AuditDrops(checkWindow(window), maxKeys));
      return this;
    }

    /**
     * The rules chosen.
     *
     * @throws IllegalStateException if none was
     */
    public AlertRules build() {
      if (rules.isEmpty()) {
        throw new IllegalStateException("rules: none chosen (expected: at least one)");
      }
      return new AlertRules(notifier, clock, rules);
    }

    private static void checkThreshold(String what, int threshold) {
      if (threshold < 1) {
        throw new IllegalArgumentException(what + ": " + threshold + " (expected: > 0)");
      }
    }

    private static Duration checkWindow(Duration window) {
      requireNonNull(window, "window");
      if (window.compareTo(Duration.ofSeconds(1)) < 0
          || window.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException("window: " + window + " (expected: 1s to 30 days)");
      }
      return window;
    }
  }
}
