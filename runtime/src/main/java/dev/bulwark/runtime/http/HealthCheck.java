package dev.bulwark.runtime.http;

import java.util.Optional;

/** One readiness check behind {@code /health}: empty when healthy, otherwise why not. */
@FunctionalInterface
public interface HealthCheck {
  Optional<String> problem();
}
