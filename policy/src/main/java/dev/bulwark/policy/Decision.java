package dev.bulwark.policy;

/** The outcome of an authorization request. */
public enum Decision {
  ALLOW,
  DENY
}
