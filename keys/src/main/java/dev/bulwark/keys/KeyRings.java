package dev.bulwark.keys;

import java.util.List;
import java.util.Optional;

/** The key rings of one installation, by name. Safe for concurrent use. */
public interface KeyRings {
  /**
   * The ring called {@code name}, created with one version if it does not exist. Names are 1 to 64
   * characters of {@code a-z 0-9 . _ -}, starting with a letter or digit.
   */
  KeyRing ring(String name);

  /** The ring called {@code name}, if it exists. */
  Optional<KeyRing> find(String name);

  /** Every ring's name, sorted. */
  List<String> names();
}
