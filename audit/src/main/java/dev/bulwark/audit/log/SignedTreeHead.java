package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A checkpoint: the log's size, Merkle root and hash-chain head at a moment, signed with Ed25519
 * (the signed tree head of RFC 6962 section 3.5, with the chain head added). The signature covers
 * {@link #signedBytes()}, a fixed line-per-field encoding.
 */
public record SignedTreeHead(
    long treeSize,
    TreeHash rootHash,
    TreeHash chainHead,
    Instant time,
    String keyId,
    byte[] signature) {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  public SignedTreeHead {
    requireNonNull(rootHash, "rootHash");
    requireNonNull(chainHead, "chainHead");
    requireNonNull(time, "time");
    requireNonNull(keyId, "keyId");
    signature = requireNonNull(signature, "signature").clone();
    if (treeSize < 0) {
      throw new IllegalArgumentException("treeSize: " + treeSize + " (expected: >= 0)");
    }
    if (!keyId.matches("[0-9a-f]{1,64}")) {
      throw new IllegalArgumentException("keyId: '" + keyId + "' (expected: lowercase hex)");
    }
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The bytes signed: a fixed header line, then size, root, chain head, time and key id. */
  public byte[] signedBytes() {
    return signedBytes(treeSize, rootHash, chainHead, time, keyId);
  }

  static byte[] signedBytes(
      long treeSize, TreeHash rootHash, TreeHash chainHead, Instant time, String keyId) {
    return ("bulwark-audit-tree-head/1\n"
            + treeSize
            + "\n"
            + rootHash.hex()
            + "\n"
            + chainHead.hex()
            + "\n"
            + time
            + "\n"
            + keyId
            + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Whether the Ed25519 signature over {@link #signedBytes()} is valid for {@code key}. */
  public boolean verify(PublicKey key) {
    requireNonNull(key, "key");
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(signedBytes());
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** One line of JSON: {@code {"treeSize":..,"rootHash":"hex","chainHead":"hex","time":..}}. */
  public String toJson() {
    return "{\"treeSize\":"
        + treeSize
        + ",\"rootHash\":\""
        + rootHash.hex()
        + "\",\"chainHead\":\""
        + chainHead.hex()
        + "\",\"time\":\""
        + time
        + "\",\"keyId\":\""
        + keyId
        + "\",\"signature\":\""
        + Base64.getEncoder().encodeToString(signature)
        + "\"}";
  }

  /**
   * Reads {@link #toJson()}'s form.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static SignedTreeHead fromJson(String json) {
    requireNonNull(json, "json");
    Map<String, String> fields = new HashMap<>();
    try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("tree head: expected a JSON object");
      }
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT) {
          throw new IllegalArgumentException("tree head: '" + name + "' is not a string or number");
        }
        if (fields.put(name, parser.getString()) != null) {
          throw new IllegalArgumentException("tree head: duplicate field '" + name + "'");
        }
      }
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("tree head: trailing content");
      }
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "tree head: not valid JSON (" + e.getOriginalMessage() + ")");
    }
    try {
      return new SignedTreeHead(
          Long.parseLong(field(fields, "treeSize")),
          TreeHash.ofHex(field(fields, "rootHash")),
          TreeHash.ofHex(field(fields, "chainHead")),
          Instant.parse(field(fields, "time")),
          field(fields, "keyId"),
          Base64.getDecoder().decode(field(fields, "signature")));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("tree head: bad time (" + e.getMessage() + ")");
    }
  }

  private static String field(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("tree head: missing '" + name + "'");
    }
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedTreeHead that
        && treeSize == that.treeSize
        && rootHash.equals(that.rootHash)
        && chainHead.equals(that.chainHead)
        && time.equals(that.time)
        && keyId.equals(that.keyId)
        && java.util.Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(treeSize) * 31 + rootHash.hashCode();
  }

  @Override
  public String toString() {
    return "SignedTreeHead{size=" + treeSize + " root=" + rootHash + " key=" + keyId + "}";
  }
}
