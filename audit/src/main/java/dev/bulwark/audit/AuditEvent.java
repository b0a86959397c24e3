package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One security-relevant event: who (subject, client, workload), what (action on a resource), the
 * outcome and its reason, when, where from, and the request it belongs to. Values must never be
 * secrets: no tokens, passwords or keys.
 */
public final class AuditEvent {
  private final Instant time;
  private final String component;
  private final String action;
  private final Outcome outcome;
  private final Map<String, String> attributes;

  private AuditEvent(Builder builder) {
    this.time = builder.time;
    this.component = builder.component;
    this.action = builder.action;
    this.outcome = builder.outcome;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.attributes));
  }

  /**
   * An event of {@code component} (e.g. {@code ca}) about {@code action} (e.g. {@code svid.issue}),
   * with {@code outcome}.
   */
  public static Builder builder(String component, String action, Outcome outcome) {
    return new Builder(component, action, outcome);
  }

  public Instant time() {
    return time;
  }

  public String component() {
    return component;
  }

  public String action() {
    return action;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The subject (a user or client acting), if known. */
  public Optional<String> subject() {
    return attribute(Builder.SUBJECT);
  }

  /** The SPIFFE ID of the workload involved, if any. */
  public Optional<String> workload() {
    return attribute(Builder.WORKLOAD);
  }

  /** Why the outcome is what it is, if said. */
  public Optional<String> reason() {
    return attribute(Builder.REASON);
  }

  /** Every attribute, in the order set: subject, client, workload, resource, reason, source... */
  public Map<String, String> attributes() {
    return attributes;
  }

  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  @Override
  public String toString() {
    return "AuditEvent{" + component + " " + action + " " + outcome + " " + attributes + "}";
  }

  /** Whether what was attempted happened. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    DENIED
  }

  /** Builds an event. */
  public static final class Builder {
    static final String SUBJECT = "subject";
    static final String CLIENT = "client_id";
    static final String WORKLOAD = "workload";
    static final String RESOURCE = "resource";
    static final String REASON = "reason";
    static final String SOURCE = "source_address";
    static final String REQUEST = "request_id";
    static final String TRACE = "trace_id";

    private final String component;
    private final String action;
    private final Outcome outcome;
    private Instant time = Instant.now();
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String component, String action, Outcome outcome) {
      this.component = requireNonNull(component, "component");
      this.action = requireNonNull(action, "action");
      this.outcome = requireNonNull(outcome, "outcome");
    }

    public Builder time(Instant time) {
      this.time = requireNonNull(time, "time");
      return this;
    }

    public Builder subject(String subject) {
      return put(SUBJECT, subject);
    }

    public Builder clientId(String clientId) {
      return put(CLIENT, clientId);
    }

    /** The SPIFFE ID of the workload acting or acted on. */
    public Builder workload(String spiffeId) {
      return put(WORKLOAD, spiffeId);
    }

    public Builder resource(String resource) {
      return put(RESOURCE, resource);
    }

    public Builder reason(String reason) {
      return put(REASON, reason);
    }

    public Builder sourceAddress(String address) {
      return put(SOURCE, address);
    }

    public Builder requestId(String requestId) {
      return put(REQUEST, requestId);
    }

    public Builder traceId(String traceId) {
      return put(TRACE, traceId);
    }

    /** Any other attribute, e.g. a certificate serial. */
    public Builder attribute(String name, String value) {
      return put(name, value);
    }

    public AuditEvent build() {
      return new AuditEvent(this);
    }

    private Builder put(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, name);
      attributes.put(name, value);
      return this;
    }
  }
}
