package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stored form of a key ring: its versions in the clear (state, creation time, which is primary)
 * and its Tink keyset encrypted under the master key. The versions are part of the keyset's
 * associated data, so a ring whose states were edited by hand does not open.
 */
record RingFile(String name, List<KeyVersion> versions, byte[] encryptedKeyset) {
  private static final int FORMAT = 1;
  private static final String CONTEXT = "bulwark/keys/v1/ring/";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  RingFile {
    requireNonNull(name, "name");
    versions = List.copyOf(versions);
    encryptedKeyset = encryptedKeyset.clone();
  }

  @Override
  public byte[] encryptedKeyset() {
    return encryptedKeyset.clone();
  }

  /** The associated data the keyset is encrypted with: the ring's name and its versions. */
  static byte[] associatedData(String name, List<KeyVersion> versions) {
    StringBuilder text = new StringBuilder(CONTEXT).append(name).append('\n');
    for (KeyVersion v : versions) {
      text.append(v.version())
          .append(':')
          .append(v.state())
          .append(':')
          .append(v.primary() ? "primary" : "-")
          .append(':')
          .append(v.created())
          .append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("ring", name);
    ArrayNode array = root.putArray("versions");
    for (KeyVersion v : versions) {
      array
          .addObject()
          .put("version", v.version())
          .put("state", v.state().name())
          .put("primary", v.primary())
          .put("created", v.created().toString());
    }
    root.put("keyset", Base64.getEncoder().encodeToString(encryptedKeyset));
    return JSON.writerWithDefaultPrettyPrinter()
        .writeValueAsString(root)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a stored ring that must be called {@code expectedName}.
   *
   * @throws KeysException {@code STORE_FAILED} if the bytes are not a ring file of that name
   */
  static RingFile fromJson(byte[] bytes, String expectedName) {
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root.path("format").asInt(-1) != FORMAT) {
        throw corrupt(expectedName, "unknown format " + root.path("format"));
      }
      String name = root.path("ring").asString("");
      if (!name.equals(expectedName)) {
        throw corrupt(expectedName, "it holds ring '" + name + "'");
      }
      List<KeyVersion> versions = new ArrayList<>();
      for (JsonNode v : root.path("versions")) {
        versions.add(
            new KeyVersion(
                v.path("version").asInt(0),
                KeyVersion.State.valueOf(v.path("state").asString("")),
                v.path("primary").asBoolean(false),
                Instant.parse(v.path("created").asString(""))));
      }
      if (versions.isEmpty()) {
        throw corrupt(expectedName, "it has no versions");
      }
      byte[] keyset = Base64.getDecoder().decode(root.path("keyset").asString(""));
      return new RingFile(name, versions, keyset);
    } catch (JacksonException | IllegalArgumentException | java.time.DateTimeException e) {
      throw corrupt(expectedName, e.getClass().getSimpleName());
    }
  }

  private static KeysException corrupt(String name, String why) {
    return new KeysException(
        KeysException.Code.STORE_FAILED, "the file of key ring '" + name + "' is corrupt: " + why);
  }
}
