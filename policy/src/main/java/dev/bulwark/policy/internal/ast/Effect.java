package dev.bulwark.policy.internal.ast;

/** What a satisfied policy does to the decision. */
public enum Effect {
  PERMIT,
  FORBID
}
