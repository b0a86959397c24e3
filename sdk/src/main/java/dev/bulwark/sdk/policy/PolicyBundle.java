package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.ValidationResult;
import dev.bulwark.policy.Validator;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.schema.SchemaException;
import java.util.List;
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

  /**
   * The one check between a parsed bundle and going live: with a schema, the policies must pass
   * Cedar's strict validation against it, so a set that would raise type errors at decision time
   * (and so deny, or skip a forbid) never replaces a good one. Without a schema there is nothing
   * more to check than the parse.
   *
   * @return what is valid but suspicious, one line each ({@code policyId: message}), e.g. a policy
   *     no request the schema allows can match; empty without a schema
   * @throws PolicyException {@code SCHEMA_INVALID} if the schema does not parse, {@code
   *     VALIDATION_FAILED} with every problem if the policies do not validate against it
   */
  public List<String> validate() {
    if (schema.isEmpty()) {
      return List.of();
    }
    Schema declared;
    try {
      declared = Schema.parseCedar(schema.get());
    } catch (SchemaException e) {
      throw new PolicyException(
          PolicyException.Code.SCHEMA_INVALID, "the schema: " + e.getMessage(), e);
    }
    ValidationResult result = Validator.validate(policies, declared);
    if (!result.isValid()) {
      throw new PolicyException(
          PolicyException.Code.VALIDATION_FAILED,
          "the policies do not validate against the schema: "
              + String.join("; ", result.problems()));
    }
    return result.warnings().stream().map(w -> w.policyId() + ": " + w.message()).toList();
  }
}
