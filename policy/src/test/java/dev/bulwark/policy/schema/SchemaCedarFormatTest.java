package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.schema.SchemaType.Attribute;
import dev.bulwark.policy.schema.SchemaType.EntityType;
import dev.bulwark.policy.schema.SchemaType.Extension;
import dev.bulwark.policy.schema.SchemaType.ExtensionType;
import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.schema.SchemaType.SetType;
import dev.bulwark.policy.value.EntityUid;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaCedarFormatTest {
  private static EntityUid action(String id) {
    return EntityUid.of("PhotoFlash::Action", id);
  }

  @Test
  void parseCedarWhenNamespacedThenNamesAreFullyQualified() {
    Schema schema = TestSchemas.photoFlash();

    assertThat(schema.entityTypes().keySet())
        .containsExactly(
            "PhotoFlash::UserGroup",
            "PhotoFlash::User",
            "PhotoFlash::Album",
            "PhotoFlash::Photo",
            "PhotoFlash::Video",
            "PhotoFlash::Status");
    assertThat(schema.entityType("PhotoFlash::User").orElseThrow().memberOfTypes())
        .containsExactly("PhotoFlash::UserGroup");
    assertThat(schema.entityType("PhotoFlash::Album").orElseThrow().memberOfTypes())
        .containsExactly("PhotoFlash::Album");
  }

  @Test
  void parseCedarWhenCommonTypesThenResolvedAway() {
    RecordType user = TestSchemas.photoFlash().entityType("PhotoFlash::User").orElseThrow().shape();

    assertThat(user.attribute("address").orElseThrow())
        .isEqualTo(
            new Attribute(
                new RecordType(
                    Map.of(
                        "street", new Attribute(SchemaType.STRING, true),
                        "zip code", new Attribute(SchemaType.STRING, false))),
                true));
    assertThat(user.attribute("age").orElseThrow())
        .isEqualTo(new Attribute(SchemaType.LONG, false));
    assertThat(user.attribute("lastIp").orElseThrow().type())
        .isEqualTo(new ExtensionType(Extension.IPADDR));
    assertThat(user.attribute("score").orElseThrow().type())
        .isEqualTo(new ExtensionType(Extension.DECIMAL));
  }

  @Test
  void parseCedarWhenMultipleNamesThenEachGetsTheShapeAndTags() {
    Schema schema = TestSchemas.photoFlash();
    EntityTypeDef photo = schema.entityType("PhotoFlash::Photo").orElseThrow();
    EntityTypeDef video = schema.entityType("PhotoFlash::Video").orElseThrow();

    assertThat(video.shape()).isEqualTo(photo.shape());
    assertThat(photo.shape().attribute("owner").orElseThrow().type())
        .isEqualTo(new EntityType("PhotoFlash::User"));
    assertThat(photo.shape().attribute("labels").orElseThrow().type())
        .isEqualTo(new SetType(SchemaType.STRING));
    assertThat(photo.tags()).contains(SchemaType.STRING);
    assertThat(schema.entityType("PhotoFlash::User").orElseThrow().tags()).isEmpty();
  }

  @Test
  void parseCedarWhenEnumThenIdsAreKept() {
    EntityTypeDef status = TestSchemas.photoFlash().entityType("PhotoFlash::Status").orElseThrow();

    assertThat(status.enumIds()).contains(List.of("draft", "published"));
    assertThat(status.isEnum()).isTrue();
  }

  @Test
  void parseCedarWhenActionsInGroupsThenAncestorsAreTransitive() {
    Schema schema = TestSchemas.photoFlash();
    ActionDef publish = schema.action(action("publish")).orElseThrow();

    assertThat(publish.memberOf()).containsExactly(action("delete"));
    assertThat(publish.ancestors()).containsExactlyInAnyOrder(action("delete"), action("readOnly"));
    assertThat(schema.action(action("view photo")).orElseThrow().memberOf())
        .containsExactly(action("readOnly"));
    assertThat(schema.actionEntities())
        .contains(
            new ActionEntity(action("readOnly"), Set.of()),
            new ActionEntity(action("publish"), Set.of(action("delete"))));
  }

  @Test
  void parseCedarWhenAppliesToThenTypesAndContextAreResolved() {
    Schema schema = TestSchemas.photoFlash();
    ActionDef view = schema.action(action("view photo")).orElseThrow();
    ActionDef delete = schema.action(action("delete")).orElseThrow();
    ActionDef publish = schema.action(action("publish")).orElseThrow();
    ActionDef readOnly = schema.action(action("readOnly")).orElseThrow();

    assertThat(view.principalTypes()).containsExactly("PhotoFlash::User");
    assertThat(view.resourceTypes())
        .containsExactlyInAnyOrder("PhotoFlash::Photo", "PhotoFlash::Video");
    assertThat(view.context().attribute("since").orElseThrow())
        .isEqualTo(new Attribute(new ExtensionType(Extension.DATETIME), false));
    assertThat(delete.context()).isEqualTo(RecordType.EMPTY);
    assertThat(publish.context().attributes()).containsOnlyKeys("street", "zip code");
    assertThat(readOnly.principalTypes()).isEmpty();
    assertThat(readOnly.resourceTypes()).isEmpty();
  }

  @Test
  void parseCedarWhenNameUndeclaredInNamespaceThenFallsBackToEmptyNamespace() {
    Schema schema =
        Schema.parseCedar(
            """
            type id = String;
            entity Person;
            namespace Demo {
              entity User { id: id, boss: Person };
            }
            """);

    RecordType user = schema.entityType("Demo::User").orElseThrow().shape();
    assertThat(user.attribute("id").orElseThrow().type()).isEqualTo(SchemaType.STRING);
    assertThat(user.attribute("boss").orElseThrow().type()).isEqualTo(new EntityType("Person"));
  }

  @Test
  void parseCedarWhenCommonTypeNamedLikeExtensionThenItShadowsTheBuiltin() {
    Schema schema =
        Schema.parseCedar(
            """
            namespace N {
              type ipaddr = String;
              entity E { a: ipaddr, b: __cedar::ipaddr };
            }
            """);

    RecordType e = schema.entityType("N::E").orElseThrow().shape();
    assertThat(e.attribute("a").orElseThrow().type()).isEqualTo(SchemaType.STRING);
    assertThat(e.attribute("b").orElseThrow().type())
        .isEqualTo(new ExtensionType(Extension.IPADDR));
  }

  @Test
  void parseCedarWhenCommonTypeAndEntityShareANameThenCommonTypeWins() {
    Schema schema =
        Schema.parseCedar(
            """
            namespace N {
              entity Thing;
              type Thing = Long;
              entity E { a: Thing } ;
              action go appliesTo { principal: Thing, resource: Thing };
            }
            """);

    assertThat(schema.entityType("N::E").orElseThrow().shape().attribute("a").orElseThrow().type())
        .isEqualTo(SchemaType.LONG);
    assertThat(schema.action(EntityUid.of("N::Action", "go")).orElseThrow().principalTypes())
        .containsExactly("N::Thing");
  }

  @Test
  void parseCedarWhenNestedNamespaceAndCrossReferencesThenResolved() {
    Schema schema =
        Schema.parseCedar(
            """
            namespace Org::Core { entity Team; action any; }
            namespace Org::App {
              entity Member in [Org::Core::Team] {
                team: Org::Core::Team,
                nested: { deep: Set<Set<Long>> },
              };
              action "read" in [Org::Core::Action::"any"] appliesTo {
                principal: Member,
                resource: Org::Core::Team,
              };
            }
            """);

    assertThat(schema.entityType("Org::App::Member").orElseThrow().memberOfTypes())
        .containsExactly("Org::Core::Team");
    assertThat(
            schema
                .entityType("Org::App::Member")
                .orElseThrow()
                .shape()
                .attribute("nested")
                .orElseThrow()
                .type())
        .isEqualTo(
            new RecordType(
                Map.of("deep", new Attribute(new SetType(new SetType(SchemaType.LONG)), true))));
    assertThat(schema.action(EntityUid.of("Org::App::Action", "read")).orElseThrow().ancestors())
        .containsExactly(EntityUid.of("Org::Core::Action", "any"));
  }

  @Test
  void parseCedarWhenAnnotationsCommentsAndEscapesThenIgnoredOrDecoded() {
    Schema schema =
        Schema.parseCedar(
            """
            // leading comment
            @doc("an entity") @other
            entity A {
              @doc("attr") "quoted \\"name\\"\\u{e9}": Bool, // trailing
            };
            @doc("act") action "a\\tb";
            """);

    assertThat(schema.entityType("A").orElseThrow().shape().attributes())
        .containsOnlyKeys("quoted \"name\"é");
    assertThat(schema.action(EntityUid.of("Action", "a\tb"))).isPresent();
  }

  @Test
  void parseCedarWhenEmptyThenHasNoDeclarations() {
    Schema schema = Schema.parseCedar("  // nothing\n");

    assertThat(schema.entityTypes()).isEmpty();
    assertThat(schema.actions()).isEmpty();
    assertThat(schema.entityType("User")).isEqualTo(Optional.empty());
  }

  @Test
  void parseCedarWhenReservedWordQuotedOrEmptyActionAttributesThenAccepted() {
    Schema schema = Schema.parseCedar("entity A { \"in\": Long }; action \"if\" attributes {};");

    assertThat(schema.entityType("A").orElseThrow().shape().attributes()).containsOnlyKeys("in");
    assertThat(schema.action(EntityUid.of("Action", "if"))).isPresent();
  }
}
