package dev.bulwark.keys.server;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which workloads may do what with which key rings. A request is allowed only if some rule names
 * its caller, its ring and its operation; everything else is denied. Rules only ever allow, so
 * their order does not matter.
 *
 * <pre>{@code
 * KeyAccessPolicy policy =
 *     KeyAccessPolicy.builder()
 *         .allow(Callers.under("spiffe://acme/payments"), "payments.*", Operation.ENCRYPT,
 *             Operation.DECRYPT, Operation.DATAKEY)
 *         .allow(Callers.exactly(SpiffeId.parse("spiffe://acme/ops")), "*", Operation.ADMIN)
 *         .build();
 * }</pre>
 */
public final class KeyAccessPolicy {
  // A ring name (as KeyRings accepts it), optionally cut short by a trailing '*', or '*' alone.
  private static final Pattern RINGS = Pattern.compile("\\*|[a-z0-9][a-z0-9._-]{0,63}\\*?");

  private final List<Rule> rules;

  private KeyAccessPolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** A policy with no rules yet: it denies everything. */
  public static Builder builder() {
    return new Builder();
  }

  /** A policy that denies every request. */
  public static KeyAccessPolicy denyAll() {
    return new KeyAccessPolicy(List.of());
  }

  /** The rules, in the order they were added. */
  public List<Rule> rules() {
    return rules;
  }

  /** Whether {@code caller} may do {@code operation} on the ring called {@code ring}, and why. */
  public Decision decide(SpiffeId caller, String ring, Operation operation) {
    requireNonNull(caller, "caller");
    requireNonNull(ring, "ring");
    requireNonNull(operation, "operation");
    for (Rule rule : rules) {
      if (rule.matches(caller, ring, operation)) {
        return new Decision(true, "allowed by rule " + rule);
      }
    }
    return new Decision(
        false, "no rule lets " + caller + " " + operation + " on ring '" + ring + "'");
  }

  /** Whether some rule lets {@code caller} do {@code operation} on at least one ring. */
  boolean grantsAnywhere(SpiffeId caller, Operation operation) {
    return rules.stream()
        .anyMatch(r -> r.callers().includes(caller) && r.operations().contains(operation));
  }

  @Override
  public String toString() {
    return "KeyAccessPolicy" + rules;
  }

  /**
   * The answer of {@link #decide}: allowed or not, and a reason fit for the audit log.
   *
   * @param allowed whether the request may go ahead
   * @param reason the rule that allowed it, or why nothing did
   */
  public record Decision(boolean allowed, String reason) {
    public Decision {
      requireNonNull(reason, "reason");
    }
  }

  /**
   * One grant: {@code callers} may do {@code operations} on the rings {@code rings} names — one
   * ring, every ring whose name starts with what precedes a trailing {@code *}, or {@code *} for
   * all.
   */
  public record Rule(Callers callers, String rings, Set<Operation> operations) {
    public Rule {
      requireNonNull(callers, "callers");
      requireNonNull(rings, "rings");
      requireNonNull(operations, "operations");
      if (!RINGS.matcher(rings).matches()) {
        throw new IllegalArgumentException(
            "rings: '"
                + rings
                + "' (expected: a ring name of a-z 0-9 . _ -, a prefix ending in '*', or '*')");
      }
      if (operations.isEmpty()) {
        throw new IllegalArgumentException("operations: none (expected: at least one)");
      }
      operations = Set.copyOf(EnumSet.copyOf(operations));
    }

    boolean matches(SpiffeId caller, String ring, Operation operation) {
      return operations.contains(operation) && coversRing(ring) && callers.includes(caller);
    }

    private boolean coversRing(String ring) {
      if (rings.endsWith("*")) {
        return ring.startsWith(rings.substring(0, rings.length() - 1));
      }
      return ring.equals(rings);
    }

    @Override
    public String toString() {
      return callers + " may " + EnumSet.copyOf(operations) + " on " + rings;
    }
  }

  /** Collects rules; {@link #build()} gives the policy. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /**
     * Lets {@code callers} do {@code operations} on {@code rings}: a ring name, a prefix ending in
     * {@code *} (e.g. {@code payments.*}), or {@code *} for every ring.
     */
    public Builder allow(Callers callers, String rings, Operation... operations) {
      requireNonNull(operations, "operations");
      rules.add(new Rule(callers, rings, Set.of(operations)));
      return this;
    }

    public KeyAccessPolicy build() {
      return new KeyAccessPolicy(rules);
    }
  }
}
