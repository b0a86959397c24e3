package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicySet;
import java.util.Optional;

/**
 * What a {@link PolicySource} delivers: a parsed policy set, the entities that come with it, its
 * schema's text if it has one, and a version to name it by in logs and audit events.
 *
 * @param policies the policies, ids from their {@code @id("...")} annotations
 * @param entities entities shipped with the policies (roles and their hierarchy, for example)
 * @param schema the Cedar schema text, if the set has one
 * @param version what the source calls this version ({@code 3}, {@code sha256:1f2e...})
 */
public record PolicyBundle(
    PolicySet policies, Entities entities, Optional<String> schema, String version) {

  /** Rejects missing parts. */
  public PolicyBundle {
    requireNonNull(policies, "policies");
    requireNonNull(entities, "entities");
    requireNonNull(schema, "schema");
    requireNonNull(version, "version");
  }

  /**
   * A bundle from Cedar text.
   *
   * @throws dev.bulwark.policy.PolicyException if the text or the entities JSON is malformed
   */
  public static PolicyBundle parse(
      String cedar, Optional<String> schema, Optional<String> entitiesJson, String version) {
    return new PolicyBundle(
        PolicySet.parseNamed(cedar),
        entitiesJson.map(Entities::fromJson).orElse(Entities.empty()),
        schema,
        version);
  }
}
