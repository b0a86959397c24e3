package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.schema.SchemaType.EntityType;
import dev.bulwark.policy.value.EntityUid;
import org.junit.jupiter.api.Test;

class SchemaJsonFormatTest {

  @Test
  void parseJsonWhenSameSchemaAsCedarFormatThenSameModel() {
    Schema fromJson = Schema.parseJson(TestSchemas.resource("photoflash.json"));
    Schema fromCedar = TestSchemas.photoFlash();

    assertThat(fromJson.entityTypes()).isEqualTo(fromCedar.entityTypes());
    assertThat(fromJson.actions()).isEqualTo(fromCedar.actions());
  }

  @Test
  void parseJsonWhenEmptyNamespaceThenNamesAreUnqualified() {
    Schema schema =
        Schema.parseJson(
            """
            {"": {
              "entityTypes": {"User": {}, "Doc": {"shape": {"type": "Record", "attributes": {
                "owner": {"type": "Entity", "name": "User"}}}}},
              "actions": {"read": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Doc"]}}}
            }}
            """);

    assertThat(
            schema.entityType("Doc").orElseThrow().shape().attribute("owner").orElseThrow().type())
        .isEqualTo(new EntityType("User"));
    assertThat(schema.action(EntityUid.of("Action", "read")).orElseThrow().resourceTypes())
        .containsExactly("Doc");
  }

  @Test
  void parseJsonWhenUnknownKeyThenRejectedWithPath() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"N": {"entityTypes": {"User": {"memberOfType": []}}, "actions": {}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("$[\"N\"].entityTypes.User.memberOfType")
        .hasMessageContaining("unknown key");
  }

  @Test
  void parseJsonWhenActionHasAttributesThenRejected() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"": {"entityTypes": {}, "actions": {"a": {"attributes": {"x": 1}}}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("$[\"\"].actions[\"a\"].attributes")
        .hasMessageContaining("not supported");
  }

  @Test
  void parseJsonWhenOpenRecordThenRejected() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"": {"entityTypes": {"E": {"shape": {"type": "Record", "attributes": {},
                      "additionalAttributes": true}}}, "actions": {}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("additionalAttributes");
  }

  @Test
  void parseJsonWhenUndeclaredEntityThenRejectedWithPath() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"": {"entityTypes": {"E": {"memberOfTypes": ["Group"]}}, "actions": {}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("$[\"\"].entityTypes.E.memberOfTypes")
        .hasMessageContaining("undeclared entity type Group");
  }

  @Test
  void parseJsonWhenMissingActionsThenRejected() {
    assertThatThrownBy(() -> Schema.parseJson("{\"\": {\"entityTypes\": {}}}"))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("missing key \"actions\"");
  }

  @Test
  void parseJsonWhenDuplicateKeyThenRejected() {
    assertThatThrownBy(
            () ->
                Schema.parseJson("{\"\": {\"entityTypes\": {}, \"actions\": {}, \"actions\": {}}}"))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("malformed JSON");
  }

  @Test
  void parseJsonWhenNotJsonThenRejected() {
    assertThatThrownBy(() -> Schema.parseJson("entity User;"))
        .isInstanceOf(SchemaException.class)
        .hasMessageStartingWith("$: malformed JSON");
  }

  @Test
  void parseJsonWhenPlainTypeNameIsAnEntityTypeThenRejectedAsUndeclaredCommonType() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"N": {"entityTypes": {"User": {}, "Doc": {"shape": {"type": "Record", "attributes": {
                      "owner": {"type": "User"}}}}}, "actions": {}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("$[\"N\"].entityTypes.Doc.shape.attributes[\"owner\"]")
        .hasMessageContaining("undeclared common type User");
  }

  @Test
  void parseJsonWhenEntityOrCommonNamesAnEntityThenResolvedAsEntity() {
    Schema schema =
        Schema.parseJson(
            """
            {"N": {"entityTypes": {"User": {}, "Doc": {"shape": {"type": "Record", "attributes": {
              "owner": {"type": "EntityOrCommon", "name": "User"}}}}}, "actions": {}}}
            """);

    assertThat(
            schema
                .entityType("N::Doc")
                .orElseThrow()
                .shape()
                .attribute("owner")
                .orElseThrow()
                .type())
        .isEqualTo(new EntityType("N::User"));
  }

  @Test
  void parseJsonWhenCommonTypeNameIsReservedThenRejected() {
    assertThatThrownBy(
            () ->
                Schema.parseJson(
                    """
                    {"": {"commonTypes": {"Boolean": {"type": "Long"}}, "entityTypes": {}, "actions": {}}}
                    """))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("common type name Boolean is reserved");
  }

  @Test
  void parseJsonWhenNameIsNotAnIdentifierThenRejected() {
    assertThatThrownBy(
            () -> Schema.parseJson("{\"\": {\"entityTypes\": {\"A::B\": {}}, \"actions\": {}}}"))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("\"A::B\" (expected: an entity type name)");
    assertThatThrownBy(
            () -> Schema.parseJson("{\"__cedar\": {\"entityTypes\": {}, \"actions\": {}}}"))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("\"__cedar\" (expected: a namespace name");
  }
}
