package dev.bulwark.policy.schema;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.schema.SchemaType.RecordType;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An entity type a schema declares.
 *
 * @param name the fully qualified name, {@code Ns::User}
 * @param memberOfTypes the fully qualified entity types an entity of this type may be a direct
 *     member of
 * @param shape the entity's attributes
 * @param tags the type of every tag value, if the entity type has tags
 * @param enumIds the only ids an entity of this type may have, for an enumerated entity type
 */
public record EntityTypeDef(
    String name,
    Set<String> memberOfTypes,
    RecordType shape,
    Optional<SchemaType> tags,
    Optional<List<String>> enumIds) {
  public EntityTypeDef {
    requireNonNull(name, "name");
    memberOfTypes = Set.copyOf(memberOfTypes);
    requireNonNull(shape, "shape");
    requireNonNull(tags, "tags");
    enumIds = enumIds.map(List::copyOf);
  }

  /** Whether only the listed ids are entities of this type. */
  public boolean isEnum() {
    return enumIds.isPresent();
  }
}
