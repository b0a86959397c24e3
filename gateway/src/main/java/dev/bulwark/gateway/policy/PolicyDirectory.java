package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.internal.Poller;
import dev.bulwark.policy.PolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route policies from a directory: every {@code *.cedar} file in it (in name order) and an optional
 * {@code schema.cedarschema}, checked every poll interval and reloaded when they change. A reload
 * is validated before it goes live: a set that does not parse or validate is logged and the one
 * already live stays.
 */
public final class PolicyDirectory implements AutoCloseable {
  /** The schema file's name in the directory. */
  public static final String SCHEMA_FILE = "schema.cedarschema";

  private static final Logger LOG = LoggerFactory.getLogger(PolicyDirectory.class);

  private final Path directory;
  private final RoutePolicy target;
  private volatile String loadedVersion = "";
  private Poller poller;

  private PolicyDirectory(Path directory, RoutePolicy target) {
    this.directory = directory;
    this.target = target;
  }

  /**
   * Loads the directory into {@code target} now, then checks it every {@code interval}. If the
   * first load fails, {@code target} keeps what it had (for a policy awaiting policies: deny all).
   */
  public static PolicyDirectory watch(Path directory, RoutePolicy target, Duration interval) {
    requireNonNull(directory, "directory");
    requireNonNull(target, "target");
    PolicyDirectory watched = new PolicyDirectory(directory, target);
    watched.reload();
    watched.poller = Poller.every(interval, "policy-directory", watched::reload);
    return watched;
  }

  /**
   * Reads the directory and makes its set live if it changed and is valid.
   *
   * @return whether a new set went live
   */
  public boolean reload() {
    String policies;
    Optional<String> schema;
    try {
      policies = readPolicies();
      Path schemaFile = directory.resolve(SCHEMA_FILE);
      schema =
          Files.isRegularFile(schemaFile)
              ? Optional.of(Files.readString(schemaFile, StandardCharsets.UTF_8))
              : Optional.empty();
    } catch (IOException e) {
      LOG.error("cannot read route policies from {}: {}", directory, e.toString());
      return false;
    }
    String version = "sha256:" + digest(policies + "\u0000" + schema.orElse("")).substring(0, 16);
    if (version.equals(loadedVersion)) {
      return false;
    }
    if (policies.isBlank()) {
      LOG.error(
          "no route policies in {} (expected: at least one non-empty *.cedar file); the live set"
              + " stays",
          directory);
      loadedVersion = version;
      return false;
    }
    try {
      target.replace(PolicyDocument.parse(policies, schema), version);
    } catch (PolicyException e) {
      LOG.error(
          "route policies in {} are invalid ({}: {}); the live set stays",
          directory,
          e.code(),
          e.getMessage());
      return false;
    } finally {
      // Either live or refused: the same bytes are not tried again at every poll.
      loadedVersion = version;
    }
    return true;
  }

  private String readPolicies() throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException(directory + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files =
          listed
              .filter(p -> p.toString().endsWith(".cedar"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    StringBuilder text = new StringBuilder();
    for (Path file : files) {
      text.append(Files.readString(file, StandardCharsets.UTF_8)).append('\n');
    }
    return text.toString();
  }

  private static String digest(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.close();
    }
  }
}
