package dev.bulwark.platform;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The directory {@code bulwark up} keeps its state in, readable only by its owner, and held by one
 * process at a time.
 */
public final class DataDirectory implements AutoCloseable {
  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates (mode 0700) or opens {@code root} and takes its lock.
   *
   * @throws PlatformException if another process holds the directory or it cannot be created
   */
  public static DataDirectory open(Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(absolute)) {
        Files.createDirectories(
            absolute,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      for (String sub : new String[] {"ca", "logs", "identity", "payments", "profiles"}) {
        Path dir = absolute.resolve(sub);
        if (!Files.isDirectory(dir)) {
          Files.createDirectory(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
      }
    } catch (IOException e) {
      throw new PlatformException(
          "cannot create data directory " + absolute + ": " + e.getMessage(),
          "choose a writable directory with --data DIR");
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              absolute.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(absolute);
      }
      return new DataDirectory(absolute, channel, lock);
    } catch (IOException | OverlappingFileLockException e) {
      closeQuietly(channel);
      throw inUse(absolute);
    } catch (PlatformException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  public Path root() {
    return root;
  }

  public Path resolve(String relative) {
    return root.resolve(relative);
  }

  /** Writes {@code content} to {@code file} with mode 0600, atomically (readers never see half). */
  public static void writePrivate(Path file, String content) throws IOException {
    writePrivate(file, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code content} to {@code file} with mode 0600, atomically; missing parent folders are
   * created with mode 0700.
   */
  public static void writePrivate(Path file, byte[] content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(
          parent,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    Files.createFile(
        temporary,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(temporary, content);
    try {
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // The lock goes with the process anyway.
    }
    closeQuietly(lockChannel);
  }

  private static PlatformException inUse(Path root) {
    return new PlatformException(
        "data directory " + root + " is in use by another 'bulwark up'",
        "stop that one first, or use another directory with --data DIR");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing more to do.
      }
    }
  }
}
