package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.ast.Effect;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.json.PolicyJson;
import dev.bulwark.policy.internal.parse.CedarPrinter;
import dev.bulwark.policy.value.EntityUid;
import java.util.Map;
import java.util.Optional;

/**
 * A static policy, a template, or a policy linked from a template, with its id.
 *
 * <p>Ids follow Cedar: policies parsed from a file are {@code policy0}, {@code policy1}, ... in
 * file order, unless the caller names them.
 */
public final class Policy {
  private final String id;
  private final PolicyDef definition;
  private final Optional<String> templateId;
  private final Map<String, EntityUid> slots;

  Policy(
      String id, PolicyDef definition, Optional<String> templateId, Map<String, EntityUid> slots) {
    this.id = requireNonNull(id, "id");
    this.definition = requireNonNull(definition, "definition");
    this.templateId = requireNonNull(templateId, "templateId");
    this.slots = Map.copyOf(slots);
  }

  /** The policy's id: {@code policyN}, its {@code @id} annotation, or the link's new id. */
  public String id() {
    return id;
  }

  /** Whether the policy permits (else it forbids). */
  public boolean isPermit() {
    return definition.effect() == Effect.PERMIT;
  }

  /** Whether this is a template with unfilled slots. */
  public boolean isTemplate() {
    return definition.isTemplate();
  }

  /** The template this policy was linked from, for a linked policy. */
  public Optional<String> templateId() {
    return templateId;
  }

  /** The slot values of a linked policy ({@code ?principal}, {@code ?resource}). */
  public Map<String, EntityUid> slotValues() {
    return slots;
  }

  /** The policy's annotations, e.g. {@code @id("refund")} or {@code @advice("...")}. */
  public Map<String, String> annotations() {
    return definition.annotations();
  }

  /**
   * Where the policy starts in the Cedar text it was parsed from, as {@code line:column}; empty for
   * a policy read from JSON.
   */
  public Optional<String> sourcePosition() {
    return definition.position().map(PolicyDef.Position::toString);
  }

  /** The policy in Cedar syntax. */
  public String toCedar() {
    return CedarPrinter.print(definition);
  }

  /** The policy in Cedar's JSON policy format. */
  public String toJson() {
    return PolicyJson.write(definition).toString();
  }

  PolicyDef definition() {
    return definition;
  }

  @Override
  public String toString() {
    return id + ": " + toCedar();
  }
}
