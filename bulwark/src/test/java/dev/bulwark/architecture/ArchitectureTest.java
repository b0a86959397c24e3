package dev.bulwark.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of the module graph, enforced: components meet only through published APIs, internals
 * stay private, and the graph has no cycles.
 */
class ArchitectureTest {
  /** Each component's top-level package, and the components it may use. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "runtime", Set.of("sdk", "audit"),
          "keys", Set.of("runtime", "sdk", "audit"),
          "sdk", Set.of("audit", "policy"),
          "policy", Set.of(),
          "audit", Set.of(),
          "ca", Set.of("runtime", "sdk", "audit"),
          "identity", Set.of("runtime", "keys", "sdk", "audit"),
          "gateway", Set.of("runtime", "sdk", "audit", "policy"),
          "examples", Set.of("runtime", "sdk", "audit", "policy"));

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Other modules' test fixtures arrive as test-jars (bulwark-sdk-*-tests.jar): their
            // stubs are not components, and the rules are about what ships.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.bulwark");
  }

  @Test
  void importedEveryComponent() {
    Set<String> found = new TreeSet<>();
    classes.forEach(c -> found.add(c.getPackageName().split("\\.")[2]));
    assertThat(found)
        .containsAll(
            List.of(
                "runtime",
                "keys",
                "ca",
                "sdk",
                "identity",
                "gateway",
                "examples",
                "platform",
                "cli"));
  }

  @Test
  void internalPackagesAreUsedOnlyInsideTheirComponent() {
    for (String component :
        List.of(
            "runtime",
            "keys",
            "ca",
            "sdk",
            "identity",
            "gateway",
            "examples",
            "policy",
            "audit",
            "platform")) {
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.bulwark." + component + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.bulwark." + component + ".internal..")
          .because("a component is used only through its published API")
          .allowEmptyShould(true)
          .check(classes);
    }
  }

  @Test
  void componentsUseOnlyTheComponentsTheyMayUse() {
    ALLOWED.forEach(
        (component, allowed) -> {
          Set<String> forbidden = new TreeSet<>(ALLOWED.keySet());
          forbidden.addAll(List.of("platform", "cli"));
          forbidden.remove(component);
          forbidden.removeAll(allowed);
          noClasses()
              .that()
              .resideInAPackage("dev.bulwark." + component + "..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(
                  forbidden.stream().map(f -> "dev.bulwark." + f + "..").toArray(String[]::new))
              .because(component + " may use only " + allowed)
              .allowEmptyShould(true)
              .check(classes);
        });
  }

  @Test
  void componentPackagesHaveNoCycles() {
    slices().matching("dev.bulwark.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void sdkStaysFreeOfTheServerStack() {
    noClasses()
        .that()
        .resideInAPackage("dev.bulwark.sdk..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.helidon..", "dev.bulwark.runtime..", "tools.jackson..")
        .because("services embed the SDK whatever HTTP stack they use")
        .check(classes);
  }

  @Test
  void nothingUsesTheJdkToyHttpServer() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.sun.net.httpserver..")
        .because("every component serves through the one audited HTTP stack")
        .check(classes);
  }
}
