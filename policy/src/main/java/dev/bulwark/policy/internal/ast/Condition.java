package dev.bulwark.policy.internal.ast;

/** A {@code when} or {@code unless} clause. */
public record Condition(boolean when, Expr body) {}
