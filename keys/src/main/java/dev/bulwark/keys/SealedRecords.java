package dev.bulwark.keys;

import java.util.List;
import java.util.Optional;

/**
 * A store of sealed values that a {@link RewrapJob} can walk and update: records in a stable id
 * order, read a page at a time, and replaced only if they have not changed meanwhile.
 */
public interface SealedRecords {
  /**
   * A stable name for this source, unique within a job: the job's checkpoint and progress use it.
   */
  String name();

  /** How many records there are, for progress; an estimate will do. */
  long count();

  /**
   * Up to {@code limit} records whose ids come after {@code after} (from the first if empty), in id
   * order. The order must be the same on every call, so a cursor resumes where it stopped.
   */
  List<SealedRecord> page(Optional<String> after, int limit);

  /**
   * Replaces the value of record {@code id} with {@code replacement}, if it still holds {@code
   * expected}; whether it did. A record changed or deleted meanwhile is left alone.
   */
  boolean replace(String id, byte[] expected, byte[] replacement);

  /** The context record {@code id}'s value is sealed for (see {@link SecretSealer#seal}). */
  String context(String id);
}
