package dev.bulwark.runtime.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * One section of Bulwark's configuration: a YAML file with environment overrides, read through
 * typed accessors that validate as they read.
 *
 * <p>Every key {@code a.b_c} can be overridden by the environment variable {@code BULWARK_A_B_C};
 * the environment wins. Keys that the file sets but nothing reads are reported by {@link
 * #rejectUnknownKeys()}, so a misspelt key stops start-up instead of being silently ignored.
 */
public final class ConfigSection {

  private final String prefix;
  private final JsonNode node;
  private final Map<String, String> env;
  private final String source;
  private final Set<String> readKeys;

  private ConfigSection(
      String prefix, JsonNode node, Map<String, String> env, String source, Set<String> readKeys) {
    this.prefix = prefix;
    this.node = node;
    this.env = env;
    this.source = source;
    this.readKeys = readKeys;
  }

  /** Configuration from the environment alone. */
  public static ConfigSection fromEnvironment(Map<String, String> env) {
    return new ConfigSection(
        "", null, Map.copyOf(env), "defaults", Collections.synchronizedSet(new HashSet<>()));
  }

  /** Configuration from a YAML file, with overrides from {@code env}. */
  public static ConfigSection load(Path file, Map<String, String> env) {
    requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("", "config file " + file + " does not exist or is not a file");
    }
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(Files.readString(file));
    } catch (IOException | JacksonException e) {
      throw new ConfigException(
          "", "config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = null;
    } else if (!root.isObject()) {
      throw new ConfigException(
          "", "config file " + file + " must hold a YAML mapping at the top level");
    }
    return new ConfigSection(
        "", root, Map.copyOf(env), file.toString(), Collections.synchronizedSet(new HashSet<>()));
  }

  /** The sub-section {@code name}; empty if the file does not have it. */
  public ConfigSection section(String name) {
    JsonNode child = node == null ? null : node.get(name);
    String key = prefix + name;
    if (child != null && !child.isNull() && !child.isObject()) {
      throw new ConfigException(
          key, "config key '" + key + "' (in " + source + ") must be a mapping of keys");
    }
    readKeys.add(key);
    return new ConfigSection(
        key + ".", child == null || child.isNull() ? null : child, env, source, readKeys);
  }

  /**
   * The list of mappings {@code name} (e.g. {@code gateway.routes}), each as a section keyed {@code
   * name[i]}; empty if the file does not have it. Lists come from the file only: an environment
   * variable cannot hold one.
   */
  public List<ConfigSection> sections(String name) {
    String key = prefix + name;
    readKeys.add(key);
    JsonNode child = node == null ? null : node.get(name);
    if (child == null || child.isNull()) {
      return List.of();
    }
    if (!child.isArray()) {
      throw new ConfigException(
          key, "config key '" + key + "' (in " + source + ") must be a list of mappings");
    }
    List<ConfigSection> out = new ArrayList<>();
    for (int i = 0; i < child.size(); i++) {
      JsonNode element = child.get(i);
      String elementKey = key + "[" + i + "]";
      if (!element.isObject()) {
        throw new ConfigException(
            elementKey,
            "config key '" + elementKey + "' (in " + source + ") must be a mapping of keys");
      }
      readKeys.add(elementKey);
      out.add(new ConfigSection(elementKey + ".", element, env, source, readKeys));
    }
    return out;
  }

  /**
   * A list of strings, each matching {@code allowed}: a YAML list, or one comma-separated value
   * (the form an environment variable can hold); {@code defaultValue} if absent.
   */
  public List<String> strings(
      String name, List<String> defaultValue, Pattern allowed, String expected) {
    String key = prefix + name;
    readKeys.add(key);
    List<String> values = new ArrayList<>();
    String envName = environmentName(key);
    JsonNode child = node == null ? null : node.get(name);
    Raw origin;
    if (env.containsKey(envName)) {
      origin = new Raw(key, env.get(envName), "from " + envName);
      for (String part : origin.value().split(",", -1)) {
        values.add(part.trim());
      }
    } else if (child == null || child.isNull()) {
      return defaultValue;
    } else if (child.isArray()) {
      origin = new Raw(key, child.toString(), "in " + source);
      for (JsonNode element : child) {
        if (!element.isValueNode()) {
          throw origin.invalid("expected: a list of " + expected);
        }
        values.add(element.asString());
      }
    } else {
      origin = new Raw(key, child.asString(), "in " + source);
      for (String part : origin.value().split(",", -1)) {
        values.add(part.trim());
      }
    }
    for (String value : values) {
      if (!allowed.matcher(value).matches()) {
        throw new Raw(key, value, origin.origin()).invalid("expected: a list of " + expected);
      }
    }
    return List.copyOf(values);
  }

  /**
   * A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or {@code
   * PT5M}.
   */
  public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Duration value = parseDuration(raw.get());
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw raw.get().invalid("expected: a duration from " + format(min) + " to " + format(max));
    }
    return value;
  }

  /** A whole number within {@code [min, max]}. */
  public int integer(String name, int defaultValue, int min, int max) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    int value;
    try {
      value = Integer.parseInt(raw.get().value().trim());
    } catch (NumberFormatException e) {
      throw raw.get().invalid("expected: a whole number from " + min + " to " + max);
    }
    if (value < min || value > max) {
      throw raw.get().invalid("expected: a whole number from " + min + " to " + max);
    }
    return value;
  }

  /** {@code true} or {@code false}. */
  public boolean bool(String name, boolean defaultValue) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get().value().trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw raw.get().invalid("expected: true or false");
    };
  }

  /** A string that must match {@code allowed}; {@code expected} describes it for the error. */
  public String string(String name, String defaultValue, Pattern allowed, String expected) {
    return optionalString(name, allowed, expected).orElse(defaultValue);
  }

  /** A string that must match {@code allowed}, if present. */
  public Optional<String> optionalString(String name, Pattern allowed, String expected) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    if (!allowed.matcher(raw.get().value()).matches()) {
      throw raw.get().invalid("expected: " + expected);
    }
    return Optional.of(raw.get().value());
  }

  /** One of the constants of {@code type}, written in lower case. */
  public <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    String wanted = raw.get().value().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted)) {
        return constant;
      }
      names.add(constant.name().toLowerCase(Locale.ROOT));
    }
    throw raw.get().invalid("expected one of: " + String.join(", ", names));
  }

  /** An absolute {@code https} URL, if present. */
  public Optional<URI> httpsUrl(String name) {
    Optional<Raw> raw = raw(name);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(raw.get().value().trim());
      if (!"https".equals(uri.getScheme())
          || uri.getHost() == null
          || uri.getFragment() != null
          || uri.getQuery() != null) {
        throw raw.get().invalid("expected: an absolute https URL with no query or fragment");
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      throw raw.get().invalid("expected: an absolute https URL with no query or fragment");
    }
  }

  /**
   * Fails if the file sets a key that nothing read. Call once, after every component has read its
   * section.
   */
  public void rejectUnknownKeys() {
    if (node == null) {
      return;
    }
    Set<String> unknown = new TreeSet<>();
    collectUnknown(prefix, node, unknown);
    if (!unknown.isEmpty()) {
      String first = unknown.iterator().next();
      throw new ConfigException(
          first,
          "config key '"
              + first
              + "' (in "
              + source
              + ") is not a Bulwark setting; check its spelling and indentation (see docs/configuration.md)");
    }
  }

  private void collectUnknown(String path, JsonNode current, Set<String> unknown) {
    for (String name : current.propertyNames()) {
      String key = path + name;
      if (!readKeys.contains(key)) {
        unknown.add(key);
        continue;
      }
      JsonNode child = current.get(name);
      if (child.isObject()) {
        collectUnknown(key + ".", child, unknown);
      } else if (child.isArray()) {
        for (int i = 0; i < child.size(); i++) {
          String elementKey = key + "[" + i + "]";
          if (child.get(i).isObject() && readKeys.contains(elementKey)) {
            collectUnknown(elementKey + ".", child.get(i), unknown);
          }
        }
      }
    }
  }

  private Optional<Raw> raw(String name) {
    String key = prefix + name;
    readKeys.add(key);
    String envName = environmentName(key);
    String fromEnv = env.get(envName);
    if (fromEnv != null) {
      return Optional.of(new Raw(key, fromEnv, "from " + envName));
    }
    if (node == null) {
      return Optional.empty();
    }
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      throw new ConfigException(
          key,
          "config key '"
              + key
              + "' (in "
              + source
              + ") must be a single value, not a "
              + (value.isObject() ? "mapping" : "list"));
    }
    return Optional.of(new Raw(key, value.asString(), "in " + source));
  }

  /**
   * The environment variable that overrides {@code key}: {@code gateway.clock_skew} → {@code
   * BULWARK_GATEWAY_CLOCK_SKEW}.
   */
  public static String environmentName(String key) {
    return "BULWARK_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Duration parseDuration(Raw raw) {
    try {
      return Durations.parse(raw.value());
    } catch (IllegalArgumentException e) {
      throw raw.invalid("expected: a duration such as 500ms, 30s, 5m, 1h");
    }
  }

  private static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 3600 == 0 && s > 0) {
      return (s / 3600) + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return (s / 60) + "m";
    }
    return s + "s";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private record Raw(String key, String value, String origin) {
    ConfigException invalid(String expected) {
      return new ConfigException(
          key,
          "config key '"
              + key
              + "' ("
              + origin
              + "): '"
              + printable(value)
              + "' is not valid ("
              + expected
              + ")");
    }

    private static String printable(String value) {
      String oneLine = value.replaceAll("\\p{Cntrl}", "?");
      return oneLine.length() > 80 ? oneLine.substring(0, 80) + "…" : oneLine;
    }
  }
}
