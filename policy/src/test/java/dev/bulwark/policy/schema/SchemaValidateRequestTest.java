package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.Datetime;
import dev.bulwark.policy.value.Decimal;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.StringValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaValidateRequestTest {
  private static final Schema SCHEMA = TestSchemas.photoFlash();
  private static final EntityUid ALICE = EntityUid.of("PhotoFlash::User", "alice");
  private static final EntityUid PHOTO = EntityUid.of("PhotoFlash::Photo", "p1");
  private static final EntityUid VIEW = EntityUid.of("PhotoFlash::Action", "view photo");
  private static final RecordValue AUTHENTICATED =
      new RecordValue(Map.of("authenticated", BoolValue.TRUE));

  @Test
  void validateRequestWhenConformingThenNoProblems() {
    assertThat(SCHEMA.validateRequest(ALICE, VIEW, PHOTO, AUTHENTICATED)).isEmpty();
    assertThat(
            SCHEMA.validateRequest(
                ALICE,
                VIEW,
                PHOTO,
                new RecordValue(
                    Map.of(
                        "authenticated",
                        BoolValue.FALSE,
                        "since",
                        new Datetime(1_700_000_000_000L)))))
        .isEmpty();
  }

  @Test
  void validateRequestWhenActionUndeclaredThenOneProblem() {
    assertThat(
            SCHEMA.validateRequest(
                ALICE, EntityUid.of("Action", "view photo"), PHOTO, AUTHENTICATED))
        .containsExactly("action Action::\"view photo\" is not declared in the schema");
  }

  @Test
  void validateRequestWhenPrincipalTypeNotInAppliesToThenProblem() {
    assertThat(SCHEMA.validateRequest(PHOTO, VIEW, PHOTO, AUTHENTICATED))
        .singleElement()
        .asString()
        .startsWith("principal PhotoFlash::Photo::\"p1\" has type PhotoFlash::Photo")
        .contains("expected: one of [PhotoFlash::User]");
  }

  @Test
  void validateRequestWhenResourceTypeNotInAppliesToThenProblem() {
    assertThat(SCHEMA.validateRequest(ALICE, VIEW, ALICE, AUTHENTICATED))
        .singleElement()
        .asString()
        .startsWith("resource PhotoFlash::User::\"alice\"");
  }

  @Test
  void validateRequestWhenActionAppliesToNothingThenEveryRequestFails() {
    EntityUid readOnly = EntityUid.of("PhotoFlash::Action", "readOnly");

    assertThat(SCHEMA.validateRequest(ALICE, readOnly, PHOTO, RecordValue.EMPTY)).hasSize(2);
  }

  @Test
  void validateRequestWhenRequiredContextAttributeMissingThenProblem() {
    assertThat(SCHEMA.validateRequest(ALICE, VIEW, PHOTO, RecordValue.EMPTY))
        .containsExactly("context: required attribute authenticated is missing");
  }

  @Test
  void validateRequestWhenExtraContextAttributeThenProblem() {
    RecordValue context =
        new RecordValue(Map.of("authenticated", BoolValue.TRUE, "extra", new LongValue(1)));

    assertThat(SCHEMA.validateRequest(ALICE, VIEW, PHOTO, context))
        .containsExactly(
            "context: attribute extra is not declared (expected: one of [authenticated, since])");
  }

  @Test
  void validateRequestWhenContextValueHasWrongTypeThenProblem() {
    RecordValue context = new RecordValue(Map.of("authenticated", new StringValue("yes")));

    assertThat(SCHEMA.validateRequest(ALICE, VIEW, PHOTO, context))
        .containsExactly("context.authenticated: \"yes\" is a string (expected: Bool)");
  }

  @Test
  void validateRequestWhenExtensionTypeDiffersThenProblem() {
    RecordValue context =
        new RecordValue(Map.of("authenticated", BoolValue.TRUE, "since", new Decimal(10_000)));

    assertThat(SCHEMA.validateRequest(ALICE, VIEW, PHOTO, context))
        .singleElement()
        .asString()
        .startsWith("context.since:")
        .endsWith("is a decimal (expected: datetime)");
  }

  @Test
  void validateRequestWhenContextIsCommonRecordTypeThenChecksItsAttributes() {
    EntityUid publish = EntityUid.of("PhotoFlash::Action", "publish");

    assertThat(
            SCHEMA.validateRequest(
                ALICE, publish, PHOTO, new RecordValue(Map.of("street", new StringValue("Main")))))
        .isEmpty();
    assertThat(SCHEMA.validateRequest(ALICE, publish, PHOTO, AUTHENTICATED)).hasSize(2);
  }

  @Test
  void validateRequestWhenEnumEntityIdNotListedThenProblem() {
    Schema schema =
        Schema.parseCedar(
            """
            entity Color enum ["red", "green"];
            entity User;
            action paint appliesTo { principal: User, resource: Color, context: { also: Color } };
            """);
    EntityUid paint = EntityUid.of("Action", "paint");
    EntityUid user = EntityUid.of("User", "u");

    assertThat(
            schema.validateRequest(
                user,
                paint,
                EntityUid.of("Color", "red"),
                new RecordValue(Map.of("also", EntityUid.of("Color", "green")))))
        .isEmpty();
    assertThat(
            schema.validateRequest(
                user,
                paint,
                EntityUid.of("Color", "blue"),
                new RecordValue(Map.of("also", EntityUid.of("Color", "pink")))))
        .containsExactly(
            "resource: Color::\"blue\" is not one of the ids of enumerated type Color (expected: one"
                + " of [\"red\", \"green\"])",
            "context.also: Color::\"pink\" is not one of the ids of enumerated type Color (expected:"
                + " one of [\"red\", \"green\"])");
  }
}
