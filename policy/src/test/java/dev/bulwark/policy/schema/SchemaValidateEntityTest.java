package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaValidateEntityTest {
  private static final Schema SCHEMA = TestSchemas.photoFlash();
  private static final EntityUid ALICE = EntityUid.of("PhotoFlash::User", "alice");
  private static final EntityUid PHOTO = EntityUid.of("PhotoFlash::Photo", "p1");
  private static final EntityUid ALBUM = EntityUid.of("PhotoFlash::Album", "a1");

  private static Map<String, Value> photoAttributes() {
    Map<String, Value> attrs = new HashMap<>();
    attrs.put("owner", ALICE);
    attrs.put("labels", SetValue.of(List.of(new StringValue("beach"))));
    attrs.put("private", BoolValue.FALSE);
    return attrs;
  }

  private static Map<String, Value> aliceAttributes() {
    return Map.of(
        "name", new StringValue("Alice"),
        "address", new RecordValue(Map.of("street", new StringValue("Main"))));
  }

  @Test
  void validateEntityWhenConformingThenNoProblems() {
    assertThat(
            SCHEMA.validateEntity(
                PHOTO, photoAttributes(), Set.of(ALBUM), Map.of("camera", new StringValue("x"))))
        .isEmpty();
    assertThat(
            SCHEMA.validateEntity(
                ALICE,
                aliceAttributes(),
                Set.of(EntityUid.of("PhotoFlash::UserGroup", "g")),
                Map.of()))
        .isEmpty();
  }

  @Test
  void validateEntityWhenTypeUndeclaredThenProblem() {
    assertThat(SCHEMA.validateEntity(EntityUid.of("User", "alice"), Map.of(), Set.of(), Map.of()))
        .containsExactly("entity User::\"alice\" has type User, which the schema does not declare");
  }

  @Test
  void validateEntityWhenUndeclaredActionThenProblem() {
    assertThat(
            SCHEMA.validateEntity(
                EntityUid.of("PhotoFlash::Action", "fly"), Map.of(), Set.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("not a declared action");
  }

  @Test
  void validateEntityWhenActionMatchesDeclaredHierarchyThenNoProblems() {
    EntityUid publish = EntityUid.of("PhotoFlash::Action", "publish");
    EntityUid delete = EntityUid.of("PhotoFlash::Action", "delete");
    EntityUid readOnly = EntityUid.of("PhotoFlash::Action", "readOnly");

    assertThat(SCHEMA.validateEntity(publish, Map.of(), Set.of(delete), Map.of())).isEmpty();
    assertThat(SCHEMA.validateEntity(publish, Map.of(), Set.of(delete, readOnly), Map.of()))
        .isEmpty();
    assertThat(SCHEMA.validateEntity(publish, Map.of(), Set.of(readOnly), Map.of()))
        .singleElement()
        .asString()
        .contains("lacks the declared groups [PhotoFlash::Action::\"delete\"]");
    assertThat(SCHEMA.validateEntity(readOnly, Map.of(), Set.of(publish), Map.of()))
        .singleElement()
        .asString()
        .contains("does not declare as one of its groups");
  }

  @Test
  void validateEntityWhenAttributeMissingExtraOrMistypedThenProblems() {
    Map<String, Value> attrs = photoAttributes();
    attrs.remove("owner");
    attrs.put("private", new LongValue(1));
    attrs.put("colour", new StringValue("red"));

    assertThat(SCHEMA.validateEntity(PHOTO, attrs, Set.of(), Map.of()))
        .containsExactly(
            "attributes of PhotoFlash::Photo::\"p1\": required attribute owner is missing",
            "attributes of PhotoFlash::Photo::\"p1\".private: 1 is a long (expected: Bool)",
            "attributes of PhotoFlash::Photo::\"p1\": attribute colour is not declared (expected: one"
                + " of [labels, owner, private])");
  }

  @Test
  void validateEntityWhenEntityAttributeHasWrongTypeThenProblem() {
    Map<String, Value> attrs = photoAttributes();
    attrs.put("owner", ALBUM);

    assertThat(SCHEMA.validateEntity(PHOTO, attrs, Set.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("owner: PhotoFlash::Album::\"a1\" is a (entity of type `PhotoFlash::Album`)")
        .contains("(expected: PhotoFlash::User)");
  }

  @Test
  void validateEntityWhenSetElementHasWrongTypeThenProblem() {
    Map<String, Value> attrs = photoAttributes();
    attrs.put("labels", SetValue.of(List.of(new LongValue(3))));

    assertThat(SCHEMA.validateEntity(PHOTO, attrs, Set.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("labels element: 3 is a long (expected: String)");
  }

  @Test
  void validateEntityWhenNestedRecordLacksRequiredAttributeThenProblem() {
    Map<String, Value> attrs = new HashMap<>(aliceAttributes());
    attrs.put("address", new RecordValue(Map.of("zip code", new StringValue("1000"))));

    assertThat(SCHEMA.validateEntity(ALICE, attrs, Set.of(), Map.of()))
        .containsExactly(
            "attributes of PhotoFlash::User::\"alice\".address: required attribute street is missing");
  }

  @Test
  void validateEntityWhenParentTypeNotAllowedThenProblem() {
    assertThat(SCHEMA.validateEntity(PHOTO, photoAttributes(), Set.of(ALICE), Map.of()))
        .singleElement()
        .asString()
        .contains("has parent PhotoFlash::User::\"alice\"")
        .contains("expected: one of [PhotoFlash::Album]");
  }

  @Test
  void validateEntityWhenTagsUndeclaredOrMistypedThenProblems() {
    assertThat(
            SCHEMA.validateEntity(ALICE, aliceAttributes(), Set.of(), Map.of("t", BoolValue.TRUE)))
        .singleElement()
        .asString()
        .contains("declares none");
    assertThat(
            SCHEMA.validateEntity(PHOTO, photoAttributes(), Set.of(), Map.of("t", BoolValue.TRUE)))
        .containsExactly("tag t of PhotoFlash::Photo::\"p1\": true is a bool (expected: String)");
  }

  @Test
  void validateEntityWhenEnumIdNotListedThenProblem() {
    assertThat(
            SCHEMA.validateEntity(
                EntityUid.of("PhotoFlash::Status", "draft"), Map.of(), Set.of(), Map.of()))
        .isEmpty();
    assertThat(
            SCHEMA.validateEntity(
                EntityUid.of("PhotoFlash::Status", "gone"), Map.of(), Set.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("is not one of the ids of enumerated type PhotoFlash::Status");
  }
}
