package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One security-relevant event: who (subject, client, workload), what (action on a resource), the
 * outcome and its reason, when, where from, and the request it belongs to. Values must never be
 * secrets: no tokens, passwords or keys.
 */
public final class AuditEvent {
  private final String id;
  private final Instant time;
  private final String component;
  private final String action;
  private final Outcome outcome;
  private final Map<String, String> attributes;

  private AuditEvent(Builder builder) {
    this.id = builder.id;
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

  /**
   * A random identifier given when the event is built; the collector uses it to store an event once
   * even when an emitter retries a batch whose acknowledgement was lost.
   */
  public String id() {
    return id;
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

  /**
   * This event with one attribute set (replacing any of that name), keeping its id and time; for
   * example the collector records which workload reported an event.
   */
  public AuditEvent withAttribute(String name, String value) {
    Builder builder = builder(component, action, outcome).id(id).time(time);
    attributes.forEach(
        (n, v) -> {
          if (!n.equals(name)) {
            builder.attribute(n, v);
          }
        });
    return builder.attribute(name, value).build();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AuditEvent that
        && id.equals(that.id)
        && time.equals(that.time)
        && component.equals(that.component)
        && action.equals(that.action)
        && outcome == that.outcome
        && attributes.equals(that.attributes);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "AuditEvent{"
        + id
        + " "
        + component
        + " "
        + action
        + " "
        + outcome
        + " "
        + attributes
        + "}";
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

    private static final int MAX_ID_LENGTH = 64;
    private static final int MAX_NAME_LENGTH = 64;
    static final int MAX_VALUE_LENGTH = 4096;

    private final String component;
    private final String action;
    private final Outcome outcome;
    private String id = UUID.randomUUID().toString();
    private Instant time = Instant.now();
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String component, String action, Outcome outcome) {
      this.component = name("component", component);
      this.action = name("action", action);
      this.outcome = requireNonNull(outcome, "outcome");
    }

    /** Sets the identifier, e.g. when decoding a stored event (normally a random UUID). */
    public Builder id(String id) {
      requireNonNull(id, "id");
      if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
        throw new IllegalArgumentException(
            "id: " + id.length() + " characters (expected: 1 to " + MAX_ID_LENGTH + ")");
      }
      this.id = id;
      return this;
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
      name("attribute name", name);
      requireNonNull(value, name);
      if (value.length() > MAX_VALUE_LENGTH) {
        throw new IllegalArgumentException(
            name
                + ": "
                + value.length()
                + " characters (expected: at most "
                + MAX_VALUE_LENGTH
                + ")");
      }
      attributes.put(name, value);
      return this;
    }

    private static String name(String what, String name) {
      requireNonNull(name, what);
      if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
        throw new IllegalArgumentException(
            what + ": '" + name + "' (expected: 1 to " + MAX_NAME_LENGTH + " characters)");
      }
      return name;
    }
  }
}
