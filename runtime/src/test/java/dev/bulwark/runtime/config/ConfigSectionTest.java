package dev.bulwark.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSectionTest {
  private static final Duration MIN = Duration.ZERO;
  private static final Duration MAX = Duration.ofMinutes(5);

  @TempDir Path dir;

  private Path yaml(String content) throws IOException {
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, content);
    return file;
  }

  @Test
  void readsTypedValuesFromTheFile() throws IOException {
    ConfigSection root =
        ConfigSection.load(yaml("gateway:\n  clock_skew: 45s\n  retries: 3\n"), Map.of());
    ConfigSection gateway = root.section("gateway");

    assertThat(gateway.duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(gateway.integer("retries", 0, 0, 10)).isEqualTo(3);
  }

  @Test
  void usesTheDefaultWhenTheKeyIsAbsent() {
    ConfigSection root = ConfigSection.fromEnvironment(Map.of());

    assertThat(root.section("gateway").duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    ConfigSection root =
        ConfigSection.load(
            yaml("gateway:\n  clock_skew: 45s\n"), Map.of("BULWARK_GATEWAY_CLOCK_SKEW", "2m"));

    assertThat(root.section("gateway").duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void badValueNamesTheKeyTheValueAndWhatIsExpected() throws IOException {
    ConfigSection gateway =
        ConfigSection.load(yaml("gateway:\n  clock_skew: soon\n"), Map.of()).section("gateway");

    assertThatThrownBy(() -> gateway.duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.clock_skew")
        .hasMessageContaining("'soon'")
        .hasMessageContaining("expected");
  }

  @Test
  void badEnvironmentValueNamesTheVariable() {
    ConfigSection gateway =
        ConfigSection.fromEnvironment(Map.of("BULWARK_GATEWAY_CLOCK_SKEW", "-1s"))
            .section("gateway");

    assertThatThrownBy(() -> gateway.duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("from BULWARK_GATEWAY_CLOCK_SKEW");
  }

  @Test
  void outOfRangeValueIsRefusedWithTheRange() throws IOException {
    ConfigSection gateway =
        ConfigSection.load(yaml("gateway:\n  clock_skew: 1h\n"), Map.of()).section("gateway");

    assertThatThrownBy(() -> gateway.duration("clock_skew", Duration.ofSeconds(30), MIN, MAX))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("from 0s to 5m");
  }

  @Test
  void integerOutOfRangeIsRefused() {
    ConfigSection server =
        ConfigSection.fromEnvironment(Map.of("BULWARK_SERVER_PORT_BASE", "70000"))
            .section("server");

    assertThatThrownBy(() -> server.integer("port_base", 8443, 0, 65531))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("server.port_base"));
  }

  @Test
  void misspeltKeyIsRejected() throws IOException {
    ConfigSection root = ConfigSection.load(yaml("gateway:\n  clok_skew: 30s\n"), Map.of());
    root.section("gateway").duration("clock_skew", Duration.ofSeconds(30), MIN, MAX);

    assertThatThrownBy(root::rejectUnknownKeys)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.clok_skew");
  }

  @Test
  void unknownSectionIsRejected() throws IOException {
    ConfigSection root = ConfigSection.load(yaml("gatway:\n  clock_skew: 30s\n"), Map.of());
    root.section("gateway");

    assertThatThrownBy(root::rejectUnknownKeys)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gatway");
  }

  @Test
  void malformedYamlIsReportedWithTheFile() throws IOException {
    Path file = yaml("gateway: [unclosed\n");

    assertThatThrownBy(() -> ConfigSection.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void missingFileIsReported() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigSection.load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void sectionGivenAsScalarIsRefused() throws IOException {
    ConfigSection root = ConfigSection.load(yaml("gateway: 5\n"), Map.of());

    assertThatThrownBy(() -> root.section("gateway"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mapping");
  }

  @Test
  void httpsUrlRefusesPlainHttp() {
    ConfigSection identity =
        ConfigSection.fromEnvironment(Map.of("BULWARK_IDENTITY_ISSUER", "http://example.com"))
            .section("identity");

    assertThatThrownBy(() -> identity.httpsUrl("issuer"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("https");
  }

  @Test
  void choiceListsTheAllowedValues() {
    ConfigSection log =
        ConfigSection.fromEnvironment(Map.of("BULWARK_LOG_LEVEL", "loud")).section("log");

    assertThatThrownBy(() -> log.choice("level", Level.class, Level.INFO))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("debug, info");
  }

  @Test
  void stringMustMatchItsPattern() {
    ConfigSection server =
        ConfigSection.fromEnvironment(Map.of("BULWARK_SERVER_BIND_ADDRESS", "not an address"))
            .section("server");

    assertThat(server.optionalString("other", Pattern.compile(".*"), "anything"))
        .isEqualTo(Optional.empty());
    assertThatThrownBy(
            () ->
                server.string(
                    "bind_address", "127.0.0.1", Pattern.compile("[0-9.]+"), "an IPv4 address"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("an IPv4 address");
  }

  @Test
  void environmentNameFoldsDotsAndDashes() {
    assertThat(ConfigSection.environmentName("gateway.max-body"))
        .isEqualTo("BULWARK_GATEWAY_MAX_BODY");
  }

  private enum Level {
    DEBUG,
    INFO
  }

  @Test
  void readsListsOfMappingsAndReportsUnknownKeysInsideThem() throws IOException {
    ConfigSection root =
        ConfigSection.load(
            yaml(
                "gateway:\n  routes:\n    - name: a\n      retries: 2\n"
                    + "    - name: b\n      retires: 3\n"),
            Map.of());
    var routes = root.section("gateway").sections("routes");

    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).string("name", "", Pattern.compile("[a-z]+"), "a name"))
        .isEqualTo("a");
    assertThat(routes.get(0).integer("retries", 0, 0, 5)).isEqualTo(2);
    assertThat(routes.get(1).optionalString("name", Pattern.compile("[a-z]+"), "a name"))
        .contains("b");
    assertThatThrownBy(root::rejectUnknownKeys)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'gateway.routes[1].retires'");
  }

  @Test
  void aListElementThatIsNotAMappingIsRefusedWithItsIndex() throws IOException {
    ConfigSection gateway =
        ConfigSection.load(yaml("gateway:\n  routes:\n    - payments\n"), Map.of())
            .section("gateway");

    assertThatThrownBy(() -> gateway.sections("routes"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'gateway.routes[0]'");
  }

  @Test
  void readsListsOfStringsFromTheFileOrACommaSeparatedVariable() throws IOException {
    Pattern alg = Pattern.compile("[A-Z0-9]+");
    ConfigSection fromFile =
        ConfigSection.load(yaml("gateway:\n  algorithms: [ES256, RS256]\n"), Map.of())
            .section("gateway");
    ConfigSection fromEnv =
        ConfigSection.load(
                yaml("gateway:\n  algorithms: [ES256]\n"),
                Map.of("BULWARK_GATEWAY_ALGORITHMS", "EdDSA, ES256"))
            .section("gateway");

    assertThat(fromFile.strings("algorithms", java.util.List.of(), alg, "algorithms"))
        .containsExactly("ES256", "RS256");
    assertThatThrownBy(() -> fromEnv.strings("algorithms", java.util.List.of(), alg, "algorithms"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'EdDSA'")
        .hasMessageContaining("BULWARK_GATEWAY_ALGORITHMS");
  }
}
