package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Policies from a directory: every {@code *.cedar} file in it (not in subdirectories), plus an
 * optional {@code schema.cedarschema} and {@code entities.json}.
 *
 * <p>Each poll reads the files and compares their content with the last poll's; policy directories
 * are a few kilobytes, and content (unlike modification times, whose granularity varies by file
 * system) never misses a quick second edit. A directory with no {@code *.cedar} file is refused:
 * more often a deployment half-way through replacing files than a wish to deny everything.
 */
public final class DirectoryPolicySource implements PolicySource {
  static final String SCHEMA_FILE = "schema.cedarschema";
  static final String ENTITIES_FILE = "entities.json";

  private final Path directory;
  private final Object lock = new Object();
  private Map<String, String> seen = Map.of();

  private DirectoryPolicySource(Path directory) {
    this.directory = directory;
  }

  /** A source reading {@code directory}; it need not exist yet (polls fail until it does). */
  public static DirectoryPolicySource of(Path directory) {
    return new DirectoryPolicySource(requireNonNull(directory, "directory").toAbsolutePath());
  }

  @Override
  public Update poll() {
    synchronized (lock) {
      return pollLocked();
    }
  }

  private Update pollLocked() {
    Map<String, String> files;
    try {
      files = read();
    } catch (IOException e) {
      return new Update.Failed("cannot read " + directory + ": " + e);
    }
    if (files.equals(seen)) {
      return new Update.Unchanged();
    }
    seen = files;
    try {
      return new Update.Changed(bundle(files));
    } catch (PolicyException e) {
      return new Update.Failed(e.getMessage());
    }
  }

  @Override
  public String describe() {
    return directory.toString();
  }

  private Map<String, String> read() throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = String.valueOf(entry.getFileName());
        if ((name.endsWith(".cedar") || name.equals(SCHEMA_FILE) || name.equals(ENTITIES_FILE))
            && Files.isRegularFile(entry)) {
          files.put(name, Files.readString(entry, StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }

  private PolicyBundle bundle(Map<String, String> files) {
    StringBuilder all = new StringBuilder();
    files.forEach(
        (name, text) -> {
          if (name.endsWith(".cedar")) {
            // Parsed alone first, so that an error names its file and line.
            try {
              PolicySet.parseNamed(text);
            } catch (PolicyException e) {
              throw new PolicyException(e.code(), name + ": " + e.getMessage(), e);
            }
            all.append(text).append('\n');
          }
        });
    if (all.isEmpty()) {
      throw new PolicyException(
          PolicyException.Code.STORE_FAILED,
          "no *.cedar file in " + directory + " (expected: at least one policy file)");
    }
    Optional<String> entities = Optional.ofNullable(files.get(ENTITIES_FILE));
    try {
      return PolicyBundle.parse(
          all.toString(), Optional.ofNullable(files.get(SCHEMA_FILE)), entities, version(files));
    } catch (PolicyException e) {
      throw e.code() == PolicyException.Code.ENTITIES_INVALID
          ? new PolicyException(e.code(), ENTITIES_FILE + ": " + e.getMessage(), e)
          : e;
    }
  }

  private static String version(Map<String, String> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      files.forEach(
          (name, text) -> {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
          });
      return "sha256:" + HexFormat.of().formatHex(digest.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }
}
