package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something in the audit stream that needs a person's attention. {@code details} hold only the
 * facts that identify the case (subject, address, workload, counts); never token or key material.
 *
 * @param rule the rule that raised it, e.g. {@code brute_force}
 * @param severity how urgent it is
 * @param key what the rule counted by, e.g. {@code subject:alice}; one alert per key per window
 * @param message one line for a person
 * @param time when it was raised
 * @param details the facts, in a stable order
 */
public record Alert(
    String rule,
    Severity severity,
    String key,
    String message,
    Instant time,
    Map<String, String> details) {
  public Alert {
    requireNonNull(rule, "rule");
    requireNonNull(severity, "severity");
    requireNonNull(key, "key");
    requireNonNull(message, "message");
    requireNonNull(time, "time");
    requireNonNull(details, "details");
    if (rule.isBlank()) {
      throw new IllegalArgumentException("rule: blank (expected: a rule name)");
    }
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** How urgent an alert is. */
  public enum Severity {
    /** Worth a look soon: a threshold crossed. */
    WARNING,
    /** Likely an attack in progress or an outage coming: act now. */
    CRITICAL
  }
}
