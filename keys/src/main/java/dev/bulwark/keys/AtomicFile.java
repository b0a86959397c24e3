package dev.bulwark.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file all at once: the new contents go to a temporary file beside it, which is synced
 * and then renamed over the old one, and the directory is synced so the rename survives a crash. A
 * reader, or a restart after a crash, sees the old contents or the new, never a mix.
 */
final class AtomicFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private AtomicFile() {}

  /** Replaces (or creates) {@code target}, readable and writable by its owner only. */
  static void replace(Path target, byte[] contents) throws IOException {
    replace(target, contents, OWNER_ONLY);
  }

  /** Replaces (or creates) {@code target} with the given permissions. */
  static void replace(Path target, byte[] contents, Set<PosixFilePermission> permissions)
      throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    if (directory == null) {
      throw new IOException(target + " has no parent directory");
    }
    Path temporary =
        Files.createTempFile(
            directory, ".bulwark-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(contents);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (!permissions.equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(temporary, permissions);
      }
      Files.move(
          temporary,
          target.toAbsolutePath(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      // The rename is durable only once the directory entry itself reaches the disk.
      try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
        channel.force(true);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
