package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import java.time.Instant;
import java.util.Optional;

/**
 * Which records to find: every criterion set must match; results come newest first, at most {@link
 * #limit()}. Times are the events' own times, {@code from} inclusive and {@code to} exclusive.
 */
public final class AuditQuery {
  private final Optional<String> subject;
  private final Optional<String> action;
  private final Optional<AuditEvent.Outcome> outcome;
  private final Optional<String> component;
  private final Optional<Instant> from;
  private final Optional<Instant> to;
  private final int limit;

  private AuditQuery(Builder builder) {
    this.subject = Optional.ofNullable(builder.subject);
    this.action = Optional.ofNullable(builder.action);
    this.outcome = Optional.ofNullable(builder.outcome);
    this.component = Optional.ofNullable(builder.component);
    this.from = Optional.ofNullable(builder.from);
    this.to = Optional.ofNullable(builder.to);
    this.limit = builder.limit;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<String> subject() {
    return subject;
  }

  public Optional<String> action() {
    return action;
  }

  public Optional<AuditEvent.Outcome> outcome() {
    return outcome;
  }

  public Optional<String> component() {
    return component;
  }

  public Optional<Instant> from() {
    return from;
  }

  public Optional<Instant> to() {
    return to;
  }

  public int limit() {
    return limit;
  }

  /** Whether {@code event} meets every criterion. */
  public boolean matches(AuditEvent event) {
    return (subject.isEmpty() || subject.equals(event.subject()))
        && (action.isEmpty() || action.get().equals(event.action()))
        && (outcome.isEmpty() || outcome.get() == event.outcome())
        && (component.isEmpty() || component.get().equals(event.component()))
        && (from.isEmpty() || !event.time().isBefore(from.get()))
        && (to.isEmpty() || event.time().isBefore(to.get()));
  }

  @Override
  public String toString() {
    return "AuditQuery{subject="
        + subject
        + " action="
        + action
        + " outcome="
        + outcome
        + " component="
        + component
        + " from="
        + from
        + " to="
        + to
        + " limit="
        + limit
        + "}";
  }

  /** Builds a query; unset criteria match everything; the limit defaults to 100. */
  public static final class Builder {
    private static final int MAX_LIMIT = 10_000;
    private String subject;
    private String action;
    private AuditEvent.Outcome outcome;
    private String component;
    private Instant from;
    private Instant to;
    private int limit = 100;

    private Builder() {}

    public Builder subject(String subject) {
      this.subject = requireNonNull(subject, "subject");
      return this;
    }

    public Builder action(String action) {
      this.action = requireNonNull(action, "action");
      return this;
    }

    public Builder outcome(AuditEvent.Outcome outcome) {
      this.outcome = requireNonNull(outcome, "outcome");
      return this;
    }

    public Builder component(String component) {
      this.component = requireNonNull(component, "component");
      return this;
    }

    /** Events at or after {@code from}. */
    public Builder from(Instant from) {
      this.from = requireNonNull(from, "from");
      return this;
    }

    /** Events before {@code to}. */
    public Builder to(Instant to) {
      this.to = requireNonNull(to, "to");
      return this;
    }

    public Builder limit(int limit) {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException(
            "limit: " + limit + " (expected: 1 to " + MAX_LIMIT + ")");
      }
      this.limit = limit;
      return this;
    }

    public AuditQuery build() {
      if (from != null && to != null && !from.isBefore(to)) {
        throw new IllegalArgumentException(
            "from " + from + " is not before to " + to + " (expected: from < to)");
      }
      return new AuditQuery(this);
    }
  }
}
