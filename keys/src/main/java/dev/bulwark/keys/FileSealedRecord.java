package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One sealed value kept in a file of its own, such as a CA's private key, as a source for a {@link
 * RewrapJob}. The file is replaced atomically and keeps its permissions. Its one record's id is the
 * file's name.
 */
public final class FileSealedRecord implements SealedRecords {
  private final Path file;
  private final String context;
  private final Object replacing = new Object();

  /**
   * The sealed value in {@code file}, sealed for {@code context}.
   *
   * @throws IllegalArgumentException if {@code context} is blank or {@code file} has no name
   */
  public FileSealedRecord(Path file, String context) {
    this.file = requireNonNull(file, "file").toAbsolutePath();
    this.context = requireNonNull(context, "context");
    if (context.isBlank()) {
      throw new IllegalArgumentException("context: blank (expected: what the file was sealed for)");
    }
    if (this.file.getFileName() == null) {
      throw new IllegalArgumentException("file: " + file + " (expected: a file)");
    }
  }

  @Override
  public String name() {
    return "file " + file;
  }

  @Override
  public long count() {
    return Files.exists(file) ? 1 : 0;
  }

  @Override
  public List<SealedRecord> page(Optional<String> after, int limit) {
    requireNonNull(after, "after");
    if (after.isPresent() || limit < 1) {
      return List.of();
    }
    return read().map(bytes -> List.of(new SealedRecord(id(), bytes))).orElse(List.of());
  }

  @Override
  public boolean replace(String id, byte[] expected, byte[] replacement) {
    requireNonNull(expected, "expected");
    requireNonNull(replacement, "replacement");
    if (!id().equals(id)) {
      return false;
    }
    synchronized (replacing) {
      Optional<byte[]> current = read();
      if (current.isEmpty() || !Arrays.equals(current.get(), expected)) {
        return false;
      }
      try {
        AtomicFile.replace(file, replacement, Files.getPosixFilePermissions(file));
        return true;
      } catch (IOException e) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED, "cannot replace " + file + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String context(String id) {
    return context;
  }

  @Override
  public String toString() {
    return "FileSealedRecord{" + file + "}";
  }

  private String id() {
    return String.valueOf(file.getFileName());
  }

  private Optional<byte[]> read() {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
