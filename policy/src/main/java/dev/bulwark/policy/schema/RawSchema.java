package dev.bulwark.policy.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A schema as written, before names are resolved: what both format readers produce and {@link
 * SchemaResolver} turns into a {@link Schema}. Every element keeps {@code where} it was written for
 * error messages.
 */
final class RawSchema {
  final List<RawEntity> entities = new ArrayList<>();
  final List<RawAction> actions = new ArrayList<>();
  final List<RawCommon> commonTypes = new ArrayList<>();

  /** How a type name may resolve. */
  enum Kind {
    /** Common type, else entity type, else builtin: a bare name in the Cedar format. */
    ANY,
    /** Entity types only: {@code in [...]}, {@code principal: ...}, JSON {@code "Entity"}. */
    ENTITY,
    /** Common types only: a JSON {@code {"type": "Name"}} that is not a type keyword. */
    COMMON
  }

  sealed interface RawType permits RawName, RawSet, RawRecord {
    String where();
  }

  /** A type named as written; {@code __cedar::Long} names a builtin. */
  record RawName(String name, Kind kind, String where) implements RawType {}

  record RawSet(RawType element, String where) implements RawType {}

  /** Attributes in declaration order. */
  record RawRecord(Map<String, RawAttr> attributes, String where) implements RawType {}

  record RawAttr(RawType type, boolean required) {}

  record RawEntity(
      String namespace,
      String name,
      List<RawName> memberOf,
      RawType shape,
      Optional<RawType> tags,
      Optional<List<String>> enumIds,
      String where) {}

  /** An action group reference; {@code type} is empty when written as just the id. */
  record RawActionRef(Optional<String> type, String id, String where) {}

  record RawAppliesTo(List<RawName> principals, List<RawName> resources, RawType context) {}

  record RawAction(
      String namespace,
      String id,
      List<RawActionRef> memberOf,
      Optional<RawAppliesTo> appliesTo,
      String where) {}

  record RawCommon(String namespace, String name, RawType type, String where) {}

  static String qualify(String namespace, String name) {
    return namespace.isEmpty() ? name : namespace + "::" + name;
  }
}
