package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Signs checkpoints with an Ed25519 key (the JDK's provider). The key id is the first 8 bytes of
 * SHA-256 over the public key's X.509 SubjectPublicKeyInfo, in hex.
 */
public final class CheckpointSigner {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  private CheckpointSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = keyId(publicKey);
  }

  /** A signer with an Ed25519 key pair. */
  public static CheckpointSigner of(KeyPair keyPair) {
    requireNonNull(keyPair, "keyPair");
    if (!"Ed25519".equals(keyPair.getPublic().getAlgorithm())
        && !"EdDSA".equals(keyPair.getPublic().getAlgorithm())) {
      throw new IllegalArgumentException(
          "keyPair: " + keyPair.getPublic().getAlgorithm() + " (expected: Ed25519)");
    }
    return new CheckpointSigner(keyPair.getPrivate(), keyPair.getPublic());
  }

  /** A signer with a new random Ed25519 key pair (tests, development). */
  public static CheckpointSigner generate() {
    try {
      return of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no Ed25519", e);
    }
  }

  /** The id of {@code key} as checkpoints name it. */
  public static String keyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no SHA-256", e);
    }
  }

  public String keyId() {
    return keyId;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** Signs the tree head of a log of {@code treeSize} records. */
  public SignedTreeHead sign(long treeSize, TreeHash root, TreeHash chainHead, Instant time) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(SignedTreeHead.signedBytes(treeSize, root, chainHead, time, keyId));
      return new SignedTreeHead(treeSize, root, chainHead, time, keyId, signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a checkpoint with key " + keyId, e);
    }
  }

  @Override
  public String toString() {
    return "CheckpointSigner{keyId=" + keyId + ", privateKey=***}";
  }
}
