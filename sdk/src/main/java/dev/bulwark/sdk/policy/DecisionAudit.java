package dev.bulwark.sdk.policy;

/** Which decisions a {@link ServiceAuthorizer} reports as {@code policy.decision} audit events. */
public enum DecisionAudit {
  /** Every decision, allow and deny. */
  ALL,
  /** Only denies (the default when an audit sink is given). */
  DENIES,
  /** None. */
  NONE
}
