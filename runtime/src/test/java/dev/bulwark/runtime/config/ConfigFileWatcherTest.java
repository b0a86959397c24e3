package dev.bulwark.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileWatcherTest {
  @TempDir Path dir;

  @Test
  void reportsAChangedContentOnceAndIgnoresASaveWithTheSameContent() throws Exception {
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, "gateway: {}\n");
    List<Path> changes = new CopyOnWriteArrayList<>();
    try (ConfigFileWatcher watcher =
        ConfigFileWatcher.watch(file, Duration.ofHours(1), changes::add)) {
      assertThat(watcher.check()).isFalse();

      Files.writeString(file, "gateway: {}\n");
      assertThat(watcher.check()).isFalse();

      // Replaced by rename, as editors and ConfigMap updates do.
      Path next = dir.resolve("next.yaml");
      Files.writeString(next, "gateway:\n  clock_skew: 10s\n");
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      assertThat(watcher.check()).isTrue();
      assertThat(watcher.check()).isFalse();
    }
    assertThat(changes).containsExactly(file);
  }

  @Test
  void aMissingFileIsNotAChangeUntilItIsBack() throws Exception {
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, "a: 1\n");
    List<Path> changes = new CopyOnWriteArrayList<>();
    try (ConfigFileWatcher watcher =
        ConfigFileWatcher.watch(file, Duration.ofHours(1), changes::add)) {
      Files.delete(file);
      assertThat(watcher.check()).isFalse();
      Files.writeString(file, "a: 2\n");
      assertThat(watcher.check()).isTrue();
    }
    assertThat(changes).hasSize(1);
  }
}
