package dev.bulwark.platform.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.platform.DataDirectory;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.policy.PolicyBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Named, versioned Cedar policy sets kept as one JSON file each under a directory ({@code
 * DIR/policies/<name>.json}, written atomically with mode 0600). A set is parsed and validated
 * before it is stored; an invalid one is refused and the stored version stays.
 */
public final class PolicyStore {
  /** Names of stores: what the API accepts in its path. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final Path directory;
  private final Map<String, StoredSet> sets = new HashMap<>();
  // A private lock: a caller holding the store's monitor cannot stall the API.
  private final Object lock = new Object();

  private PolicyStore(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens the store in {@code directory}, reading every set kept there.
   *
   * @throws PolicyException {@code STORE_FAILED} if a stored set cannot be read
   */
  public static PolicyStore open(Path directory) {
    requireNonNull(directory, "directory");
    PolicyStore store = new PolicyStore(directory);
    try {
      Files.createDirectories(directory);
      try (var files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          StoredSet set = read(file);
          store.sets.put(set.name(), set);
        }
      }
    } catch (IOException e) {
      throw new PolicyException(
          PolicyException.Code.STORE_FAILED,
          "cannot read the policy store in " + directory + ": " + e.getMessage(),
          e);
    }
    return store;
  }

  /** The set {@code name}, if there is one. */
  public Optional<StoredSet> get(String name) {
    synchronized (lock) {
      return Optional.ofNullable(sets.get(name));
    }
  }

  /**
   * Validates and stores a new version of the set {@code name}; the first version is 1.
   *
   * @throws PolicyException with the validation failure (nothing is stored), or {@code
   *     STORE_FAILED}
   */
  public Accepted put(String name, String policies, Optional<String> schema) {
    synchronized (lock) {
      return store(name, policies, schema);
    }
  }

  private Accepted store(String name, String policies, Optional<String> schema) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: " + NAME + ")");
    }
    // The same checks a workload's authorizer makes before a set goes live, so the store never
    // hands out a set its readers would refuse.
    List<String> warnings =
        PolicyBundle.parse(policies, schema, Optional.empty(), "candidate").validate();
    StoredSet previous = sets.get(name);
    long version = previous == null ? 1 : previous.version() + 1;
    StoredSet set = new StoredSet(name, version, policies, schema);
    ObjectNode json =
        Json.object().put("name", name).put("version", version).put("policies", policies);
    schema.ifPresent(s -> json.put("schema", s));
    try {
      DataDirectory.writePrivate(directory.resolve(name + ".json"), Json.bytes(json));
    } catch (IOException e) {
      throw new PolicyException(
          PolicyException.Code.STORE_FAILED,
          "cannot write policy set " + name + ": " + e.getMessage(),
          e);
    }
    sets.put(name, set);
    return new Accepted(set, warnings);
  }

  /**
   * A set the store accepted, with what validation found valid but worth a look.
   *
   * @param set the stored version
   * @param warnings one line each, e.g. a policy no request the schema allows can match
   */
  public record Accepted(StoredSet set, List<String> warnings) {
    public Accepted {
      requireNonNull(set, "set");
      warnings = List.copyOf(warnings);
    }
  }

  /** Stores {@code policies} as version 1 of {@code name} unless the set exists already. */
  public void seed(String name, String policies, Optional<String> schema) {
    synchronized (lock) {
      if (!sets.containsKey(name)) {
        store(name, policies, schema);
      }
    }
  }

  private static StoredSet read(Path file) throws IOException {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw new IOException(file + " is not JSON", e);
    }
    if (json == null
        || !json.path("name").isString()
        || !json.path("version").isIntegralNumber()
        || !json.path("policies").isString()) {
      throw new IOException(
          file + " is not a stored policy set (expected: name, version, policies)");
    }
    JsonNode schema = json.path("schema");
    return new StoredSet(
        json.path("name").asString(),
        json.path("version").asLong(),
        json.path("policies").asString(),
        schema.isString() ? Optional.of(schema.asString()) : Optional.empty());
  }

  /**
   * One version of a policy set.
   *
   * @param name the store's name
   * @param version increases by one with each accepted change
   * @param policies the Cedar text
   * @param schema the Cedar schema text, if the set has one
   */
  public record StoredSet(String name, long version, String policies, Optional<String> schema) {
    public StoredSet {
      requireNonNull(name, "name");
      requireNonNull(policies, "policies");
      requireNonNull(schema, "schema");
    }

    /** The HTTP entity tag of this version. */
    public String etag() {
      return "\"" + version + "\"";
    }
  }
}
