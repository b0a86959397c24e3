package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One file per ring, {@code <directory>/<ring>.json}, mode 0600, in a directory only its owner may
 * enter. Each write goes to a temporary file that is synced and then moved over the old one, so a
 * crash leaves either the old ring or the new, never half of one ({@link AtomicFile}).
 */
final class DirectoryRingStore implements RingStore {
  private static final String SUFFIX = ".json";

  private final Path directory;

  DirectoryRingStore(Path directory) {
    this.directory = requireNonNull(directory, "directory").toAbsolutePath();
    try {
      if (!Files.exists(this.directory)) {
        Files.createDirectories(
            this.directory,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(this.directory);
      if (permissions.stream()
          .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED,
            "the key ring directory "
                + this.directory
                + " is open to others ("
                + PosixFilePermissions.toString(permissions)
                + "); run 'chmod 700 "
                + this.directory
                + "'");
      }
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED,
          "cannot use the key ring directory " + this.directory + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public Optional<byte[]> read(String name) {
    Path file = fileOf(name);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED,
          "cannot read the key ring file " + file + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public void write(String name, byte[] contents) {
    Path file = fileOf(name);
    try {
      AtomicFile.replace(file, contents);
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED,
          "cannot write the key ring file " + file + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public List<String> names() {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      files.forEach(
          f -> {
            String fileName = String.valueOf(f.getFileName());
            if (fileName.endsWith(SUFFIX)) {
              String name = fileName.substring(0, fileName.length() - SUFFIX.length());
              if (StoredKeyRings.isValidName(name)) {
                names.add(name);
              }
            }
          });
      return names;
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED,
          "cannot list the key ring directory " + directory + ": " + e.getMessage(),
          e);
    }
  }

  /** The file of ring {@code name}; names are validated before they reach here. */
  Path fileOf(String name) {
    if (!StoredKeyRings.isValidName(name)) {
      throw new KeysException(
          KeysException.Code.INVALID_ARGUMENT, "ring name: " + name + " (expected: a valid name)");
    }
    return directory.resolve(name + SUFFIX);
  }
}
