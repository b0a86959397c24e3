package dev.bulwark.keys.server;

/**
 * What a caller asks the keys service to do with a key ring; {@link KeyAccessPolicy} rules name
 * them.
 */
public enum Operation {
  /** Encrypt data under the ring's primary version ({@code POST /v1/keys/{ring}/encrypt}). */
  ENCRYPT,
  /** Decrypt a ciphertext, or unwrap a data key ({@code /decrypt}, {@code /datakey/decrypt}). */
  DECRYPT,
  /** Generate a data key for local encryption ({@code /datakey}). */
  DATAKEY,
  /**
   * Re-wrap a ciphertext under the primary version without seeing its plaintext ({@code /rewrap}).
   */
  REWRAP,
  /** Create, list and read rings; rotate; disable, enable and destroy versions. */
  ADMIN
}
