package dev.bulwark.runtime.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when a config file's content changes. It polls the content's digest rather than the
 * modification time or inotify: editors that replace the file, coarse timestamps, and files mounted
 * from a Kubernetes ConfigMap (a symlink swap) are all seen, and a save that leaves the content as
 * it was is not a change. The callback runs on the watcher's own thread, one at a time.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);

  private final Path file;
  private final Consumer<Path> onChange;
  private final ScheduledExecutorService poller;
  private final Object lock = new Object();
  private byte[] digest;

  private ConfigFileWatcher(Path file, Consumer<Path> onChange) {
    this.file = file;
    this.onChange = onChange;
    this.digest = digestOf(file);
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "config-watch " + file.getFileName());
              t.setDaemon(true);
              return t;
            });
  }

  /** Watches {@code file}, checking every {@code interval}. */
  public static ConfigFileWatcher watch(Path file, Duration interval, Consumer<Path> onChange) {
    requireNonNull(file, "file");
    requireNonNull(onChange, "onChange");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    ConfigFileWatcher watcher = new ConfigFileWatcher(file, onChange);
    watcher.poller.scheduleWithFixedDelay(
        watcher::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return watcher;
  }

  /** Checks now (also done on the schedule); returns whether the content had changed. */
  public boolean check() {
    synchronized (lock) {
      byte[] now = digestOf(file);
      if (now.length == 0 || Arrays.equals(now, digest)) {
        // Unreadable (e.g. mid-replace) is not a change: the next poll sees the new file.
        return false;
      }
      digest = now;
      try {
        onChange.accept(file);
      } catch (RuntimeException e) {
        LOG.error("handling the change of {} failed", file, e);
      }
      return true;
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }

  private static byte[] digestOf(Path file) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return new byte[0];
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
