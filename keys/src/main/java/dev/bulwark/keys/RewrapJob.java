package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Moves stored sealed values to a sealer's current key: after a key ring is rotated, each value
 * under an older version has its data key re-wrapped by the primary (its payload is not decrypted),
 * and each value sealed by the master key alone is sealed anew in the ring.
 *
 * <p>The job can be stopped at any point and run again: a checkpoint file records, per source, the
 * last record done, and a new run resumes after it. The checkpoint is written after every page and
 * whenever the job stops on an exception; a process killed outright redoes at most one page, whose
 * values are then found current and left alone. A completed run deletes its checkpoint; so does a
 * checkpoint taken for another target (the ring rotated again meanwhile), which is ignored.
 *
 * <p>A value is replaced only if it has not changed since it was read (compare-and-set), so the job
 * can run beside the application that writes these records.
 */
public final class RewrapJob {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SecretSealer sealer;
  private final Path checkpointFile;
  private final List<SealedRecords> sources;
  private final int pageSize;
  private final Progress progress;

  private RewrapJob(Builder builder) {
    this.sealer = builder.sealer;
    this.checkpointFile = builder.checkpointFile;
    this.sources = List.copyOf(builder.sources);
    this.pageSize = builder.pageSize;
    this.progress = builder.progress;
  }

  /**
   * A job moving values to {@code sealer}'s current key, checkpointing to {@code checkpointFile}.
   */
  public static Builder builder(SecretSealer sealer, Path checkpointFile) {
    return new Builder(sealer, checkpointFile);
  }

  /**
   * Runs the job over every source, in order, from where the checkpoint says the last run stopped.
   *
   * @return what this run did (not counting records a previous run did)
   * @throws KeysException {@code STORE_FAILED} if a source or the checkpoint cannot be read or
   *     written; the checkpoint then holds the progress made
   */
  public Result run() {
    Checkpoint checkpoint = Checkpoint.read(checkpointFile, sealer.target());
    Counts counts = new Counts();
    try {
      for (SealedRecords source : sources) {
        runSource(source, checkpoint, counts);
      }
    } catch (RuntimeException | Error e) {
      try {
        checkpoint.write();
      } catch (RuntimeException failed) {
        e.addSuppressed(failed);
      }
      throw e;
    }
    checkpoint.delete();
    return counts.result();
  }

  private void runSource(SealedRecords source, Checkpoint checkpoint, Counts counts) {
    String name = source.name();
    long total = source.count();
    Optional<String> after = checkpoint.after(name);
    long done = checkpoint.done(name);
    while (true) {
      List<SealedRecord> page = source.page(after, pageSize);
      if (page.isEmpty()) {
        return;
      }
      for (SealedRecord record : page) {
        rewrap(source, record, counts);
        after = Optional.of(record.id());
        done++;
        checkpoint.advance(name, record.id(), done);
        progress.update(name, done, Math.max(total, done));
      }
      checkpoint.write();
    }
  }

  private void rewrap(SealedRecords source, SealedRecord record, Counts counts) {
    counts.examined++;
    byte[] sealed = record.sealed();
    if (sealer.isCurrent(sealed)) {
      counts.alreadyCurrent++;
      return;
    }
    byte[] moved;
    try {
      moved = sealer.rewrap(sealed, source.context(record.id()));
    } catch (KeysException unreadable) {
      counts.unreadable++;
      return;
    }
    if (source.replace(record.id(), sealed, moved)) {
      counts.rewrapped++;
    } else {
      counts.conflicts++;
    }
  }

  @Override
  public String toString() {
    return "RewrapJob{to " + sealer.target() + ", sources=" + sources.size() + "}";
  }

  /**
   * What a run did: records examined; values moved to the current key; values already current;
   * values changed by someone else between read and replace (left alone); and values that did not
   * open (wrong key, tampered, or under a disabled or destroyed version), left as they are.
   */
  public record Result(
      long examined, long rewrapped, long alreadyCurrent, long conflicts, long unreadable) {}

  /** Told after each record: how many of a source's records are done, out of about how many. */
  @FunctionalInterface
  public interface Progress {
    /** Called after each record; an exception stops the job, with its checkpoint kept. */
    void update(String source, long done, long total);
  }

  /** Builds a {@link RewrapJob}. */
  public static final class Builder {
    private final SecretSealer sealer;
    private final Path checkpointFile;
    private final List<SealedRecords> sources = new ArrayList<>();
    private int pageSize = 100;
    private Progress progress = (source, done, total) -> {};

    private Builder(SecretSealer sealer, Path checkpointFile) {
      this.sealer = requireNonNull(sealer, "sealer");
      this.checkpointFile = requireNonNull(checkpointFile, "checkpointFile");
    }

    /** Adds sources, walked in the order given. */
    public Builder source(SealedRecords... sources) {
      for (SealedRecords source : requireNonNull(sources, "sources")) {
        this.sources.add(requireNonNull(source, "source"));
      }
      return this;
    }

    /** How many records to read at a time, and how often to checkpoint; 100 by default. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1) {
        throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: > 0)");
      }
      this.pageSize = pageSize;
      return this;
    }

    /** Where progress goes, e.g. a progress bar. */
    public Builder progress(Progress progress) {
      this.progress = requireNonNull(progress, "progress");
      return this;
    }

    /**
     * The job.
     *
     * @throws IllegalStateException if no source was given, or two share a name
     */
    public RewrapJob build() {
      if (sources.isEmpty()) {
        throw new IllegalStateException("no sources (expected: at least one; call source(...))");
      }
      Set<String> names = new LinkedHashSet<>();
      for (SealedRecords source : sources) {
        if (!names.add(source.name())) {
          throw new IllegalStateException(
              "two sources are named '" + source.name() + "' (expected: unique names)");
        }
      }
      return new RewrapJob(this);
    }
  }

  private static final class Counts {
    long examined;
    long rewrapped;
    long alreadyCurrent;
    long conflicts;
    long unreadable;

    Result result() {
      return new Result(examined, rewrapped, alreadyCurrent, conflicts, unreadable);
    }
  }

  /** Per source, the last record done and how many were done, for one target. */
  private static final class Checkpoint {
    private final Path file;
    private final String target;
    private final Map<String, String> after = new LinkedHashMap<>();
    private final Map<String, Long> done = new LinkedHashMap<>();

    private Checkpoint(Path file, String target) {
      this.file = file;
      this.target = target;
    }

    static Checkpoint read(Path file, String target) {
      Checkpoint checkpoint = new Checkpoint(file, target);
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException absent) {
        return checkpoint;
      } catch (IOException e) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED,
            "cannot read the rewrap checkpoint " + file + ": " + e.getMessage(),
            e);
      }
      try {
        JsonNode root = JSON.readTree(bytes);
        if (!target.equals(root.path("target").asString(""))) {
          // Records behind that cursor were moved to another key: they must be walked again.
          return checkpoint;
        }
        for (var entry : root.path("sources").properties()) {
          checkpoint.after.put(entry.getKey(), entry.getValue().path("after").asString());
          checkpoint.done.put(entry.getKey(), entry.getValue().path("done").asLong(0));
        }
        return checkpoint;
      } catch (JacksonException e) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED,
            "the rewrap checkpoint "
                + file
                + " is corrupt ("
                + e.getClass().getSimpleName()
                + "); delete it to start over",
            e);
      }
    }

    Optional<String> after(String source) {
      return Optional.ofNullable(after.get(source));
    }

    long done(String source) {
      return done.getOrDefault(source, 0L);
    }

    void advance(String source, String id, long count) {
      after.put(source, id);
      done.put(source, count);
    }

    void write() {
      ObjectNode root = JSON.createObjectNode();
      root.put("target", target);
      ObjectNode sources = root.putObject("sources");
      after.forEach(
          (source, id) -> sources.putObject(source).put("after", id).put("done", done(source)));
      try {
        AtomicFile.replace(file, JSON.writeValueAsBytes(root));
      } catch (IOException e) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED,
            "cannot write the rewrap checkpoint " + file + ": " + e.getMessage(),
            e);
      }
    }

    void delete() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new KeysException(
            KeysException.Code.STORE_FAILED,
            "cannot delete the rewrap checkpoint " + file + ": " + e.getMessage(),
            e);
      }
    }
  }
}
