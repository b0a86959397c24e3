package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.sdk.policy.DecisionAudit;
import dev.bulwark.sdk.policy.PolicyBundle;
import dev.bulwark.sdk.policy.PolicySource;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The policies the reference services ship with, in {@code classpath:policies/<service>/}: {@code
 * <service>.cedar} and {@code schema.cedarschema}. A deployment points the services at a directory
 * or the policy API instead by passing its own {@link ServiceAuthorizer}.
 */
public final class ReferencePolicies {
  private ReferencePolicies() {}

  /** The shipped policies of {@code service} as a source. */
  public static PolicySource shipped(String service) {
    String base = "policies/" + service + "/";
    return PolicySource.fixed(
        PolicyBundle.parse(
            resource(base + service + ".cedar")
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "no " + base + service + ".cedar on the classpath")),
            resource(base + "schema.cedarschema"),
            Optional.empty(),
            "classpath:" + base));
  }

  /**
   * An authorizer on the shipped policies of {@code service}, logging its denies as audit events.
   */
  public static ServiceAuthorizer authorizer(String service) {
    return authorizer(service, AuditSink.log());
  }

  /** An authorizer on the shipped policies of {@code service}, auditing denies to {@code audit}. */
  public static ServiceAuthorizer authorizer(String service, AuditSink audit) {
    requireNonNull(audit, "audit");
    return ServiceAuthorizer.builder(service)
        .source(shipped(service))
        .audit(audit, DecisionAudit.DENIES)
        .refreshEvery(Duration.ZERO)
        .build();
  }

  private static Optional<String> resource(String name) {
    try (InputStream in = ReferencePolicies.class.getClassLoader().getResourceAsStream(name)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " from the classpath", e);
    }
  }
}
