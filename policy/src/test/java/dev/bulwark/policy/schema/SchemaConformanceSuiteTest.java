package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.schema.SchemaType.Extension;
import dev.bulwark.policy.schema.SchemaType.ExtensionType;
import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The schemas, entities and requests of Cedar's conformance suite. */
class SchemaConformanceSuiteTest {

  static Stream<String> schemaFiles() throws IOException {
    try (Stream<Path> files = Files.walk(TestSchemas.CONFORMANCE.resolve("sample-data"))) {
      return files
          .filter(p -> p.toString().endsWith(".cedarschema"))
          .map(p -> TestSchemas.CONFORMANCE.relativize(p).toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("schemaFiles")
  void parseCedarWhenConformanceSchemaThenDeclaresUsersAndActions(String file) {
    Schema schema = Schema.parseCedar(TestSchemas.conformance(file));

    assertThat(schema.entityType("User")).isPresent();
    assertThat(schema.action(EntityUid.of("Action", "view"))).isPresent();
    assertThat(schema.actionEntities()).hasSameSizeAs(schema.actions().keySet());
  }

  @Test
  void parseCedarWhenSandboxAThenReadsMultiNameDeclarationsAndExtensionContext() {
    Schema schema =
        Schema.parseCedar(TestSchemas.conformance("sample-data/sandbox_a/schema.cedarschema"));

    assertThat(schema.entityTypes().keySet())
        .containsExactlyInAnyOrder(
            "Account",
            "AccountGroup",
            "Administrator",
            "UserGroup",
            "Album",
            "Photo",
            "Video",
            "User");
    assertThat(schema.entityType("Video").orElseThrow().memberOfTypes())
        .containsExactlyInAnyOrder("Account", "Album");
    ActionDef view = schema.action(EntityUid.of("Action", "view")).orElseThrow();
    assertThat(view.principalTypes()).containsExactlyInAnyOrder("User", "Administrator");
    assertThat(view.resourceTypes()).containsExactlyInAnyOrder("Photo", "Video");
    assertThat(view.context().attribute("source_ip").orElseThrow().type())
        .isEqualTo(new ExtensionType(Extension.IPADDR));
    assertThat(view.context().attribute("confidence_score").orElseThrow().type())
        .isEqualTo(new ExtensionType(Extension.DECIMAL));
  }

  @ParameterizedTest
  @MethodSource("schemaFiles")
  void validateEntityWhenSuiteEntitiesThenAllConform(String file) {
    Schema schema = Schema.parseCedar(TestSchemas.conformance(file));
    String dir = Path.of(file).getParent().toString();
    JsonNode entities = TestSchemas.JSON.readTree(TestSchemas.conformance(dir + "/entities.json"));

    List<String> problems = new ArrayList<>();
    for (JsonNode e : entities) {
      EntityUid uid = TestSchemas.uid(e.get("uid"));
      Optional<RecordType> shape = schema.entityType(uid.type()).map(EntityTypeDef::shape);
      RecordValue attrs = TestSchemas.record(e.get("attrs"), shape);
      Set<EntityUid> parents = new HashSet<>();
      e.get("parents").forEach(p -> parents.add(TestSchemas.uid(p)));
      problems.addAll(schema.validateEntity(uid, attrs.attributes(), parents, Map.of()));
    }

    assertThat(problems).isEmpty();
  }

  @Test
  void validateRequestWhenSuiteRequestsOnSandboxBThenAllConform() throws IOException {
    Schema schema =
        Schema.parseCedar(TestSchemas.conformance("sample-data/sandbox_b/schema.cedarschema"));
    List<String> problems = new ArrayList<>();
    int requests = 0;
    try (Stream<Path> files = Files.walk(TestSchemas.CONFORMANCE.resolve("tests"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        JsonNode test = TestSchemas.JSON.readTree(Files.readString(f));
        if (!"sample-data/sandbox_b/schema.cedarschema"
            .equals(test.path("schema").stringValue(""))) {
          continue;
        }
        for (JsonNode r : test.get("requests")) {
          EntityUid action = TestSchemas.uid(r.get("action"));
          Optional<RecordType> context = schema.action(action).map(ActionDef::context);
          Value ctx = TestSchemas.record(r.get("context"), context);
          problems.addAll(
              schema.validateRequest(
                  TestSchemas.uid(r.get("principal")),
                  action,
                  TestSchemas.uid(r.get("resource")),
                  (RecordValue) ctx));
          requests++;
        }
      }
    }

    assertThat(requests).isPositive();
    assertThat(problems).isEmpty();
  }
}
