package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

/** One stored sealed value and the id of the record that holds it. */
public record SealedRecord(String id, byte[] sealed) {
  public SealedRecord {
    requireNonNull(id, "id");
    sealed = requireNonNull(sealed, "sealed").clone();
  }

  @Override
  public byte[] sealed() {
    return sealed.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SealedRecord r
        && id.equals(r.id)
        && java.util.Arrays.equals(sealed, r.sealed);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SealedRecord{id=" + id + ", sealed=" + sealed.length + " bytes}";
  }
}
