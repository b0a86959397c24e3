package dev.bulwark.identity.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The issuer's signing keys: ES256 keys whose private halves are stored sealed under the master
 * key, and whose public halves are published as the JWKS (RFC 7517).
 */
public final class SigningKeyRing {
  private static final String ACTIVE = "active";

  private final ECKey current;
  private final JWSSigner signer;
  private final JWKSet publicKeys;

  private SigningKeyRing(ECKey current, JWKSet publicKeys) {
    this.current = current;
    this.publicKeys = publicKeys;
    try {
      this.signer = new ECDSASigner(current);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with the stored ES256 key", e);
    }
  }

  /** Loads the active keys, creating the first one if there is none. */
  public static SigningKeyRing loadOrCreate(Database database, SecretSealer sealer, Clock clock) {
    List<ECKey> keys = load(database, sealer);
    if (keys.isEmpty()) {
      keys = List.of(create(database, sealer, clock));
    }
    List<com.nimbusds.jose.jwk.JWK> published = new ArrayList<>();
    keys.forEach(k -> published.add(k.toPublicJWK()));
    return new SigningKeyRing(keys.get(keys.size() - 1), new JWKSet(published));
  }

  public String keyId() {
    return current.getKeyID();
  }

  public JWSSigner signer() {
    return signer;
  }

  public JWSAlgorithm algorithm() {
    return JWSAlgorithm.ES256;
  }

  /**
   * Signs {@code claims} with the current key for {@code algorithm}, naming the key in {@code kid}.
   *
   * @throws IdentityException SIGNING_KEY_UNAVAILABLE if the ring has no key for {@code algorithm}
   */
  public SignedJWT sign(
      JWSAlgorithm algorithm, com.nimbusds.jose.JOSEObjectType type, JWTClaimsSet claims) {
    if (!algorithm.equals(JWSAlgorithm.ES256)) {
      throw new IdentityException(
          IdentityException.Code.SIGNING_KEY_UNAVAILABLE, "no signing key for " + algorithm);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).type(type).keyID(current.getKeyID()).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a " + type + " failed", e);
    }
    return jwt;
  }

  /** The public keys, as served at the JWKS endpoint. */
  public JWKSet publicKeys() {
    return publicKeys;
  }

  private static List<ECKey> load(Database database, SecretSealer sealer) {
    return database.inTransaction(
        connection -> {
          List<ECKey> keys = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT kid, sealed_private FROM signing_keys WHERE status = ? ORDER BY created_at")) {
            select.setString(1, ACTIVE);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                String kid = rows.getString(1);
                keys.add(unseal(sealer, kid, rows.getBytes(2)));
              }
            }
          }
          return keys;
        });
  }

  private static ECKey unseal(SecretSealer sealer, String kid, byte[] sealed) {
    try {
      String json = new String(sealer.open(sealed, context(kid)), StandardCharsets.UTF_8);
      return ECKey.parse(json);
    } catch (KeysException | ParseException e) {
      throw new IdentityException(
          IdentityException.Code.SIGNING_KEY_UNREADABLE,
          "signing key "
              + kid
              + " cannot be unsealed: is this the master key the data directory was created with?");
    }
  }

  private static ECKey create(Database database, SecretSealer sealer, Clock clock) {
    ECKey key;
    try {
      key =
          new ECKeyGenerator(Curve.P_256)
              .keyID(UUID.randomUUID().toString())
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an ES256 key", e);
    }
    byte[] sealed =
        sealer.seal(key.toJSONString().getBytes(StandardCharsets.UTF_8), context(key.getKeyID()));
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO signing_keys (kid, algorithm, public_jwk, sealed_private, status, created_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, key.getKeyID());
            insert.setString(2, JWSAlgorithm.ES256.getName());
            insert.setString(3, key.toPublicJWK().toJSONString());
            insert.setBytes(4, sealed);
            insert.setString(5, ACTIVE);
            insert.setTimestamp(6, Timestamp.from(clock.instant()));
            insert.executeUpdate();
          }
          return null;
        });
    return key;
  }

  private static String context(String kid) {
    return "identity/signing-key/" + kid;
  }
}
