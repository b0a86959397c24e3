package dev.bulwark.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a cloud KMS: a {@link KmsClient} for {@code fake-kms://} URIs, each backed by a
 * local Tink AEAD that never leaves this object, counting the calls it serves.
 */
final class TestKms implements KmsClient {
  static final String PREFIX = "fake-kms://";

  private final Map<String, Aead> keys = new ConcurrentHashMap<>();
  final AtomicInteger calls = new AtomicInteger();

  static MasterKey masterKey() {
    return MasterKey.fromKms(new TestKms(), PREFIX + "projects/test/keys/master");
  }

  @Override
  public boolean doesSupport(String keyUri) {
    return keyUri != null && keyUri.startsWith(PREFIX);
  }

  @Override
  public KmsClient withCredentials(String credentialPath) {
    return this;
  }

  @Override
  public KmsClient withDefaultCredentials() {
    return this;
  }

  @Override
  public Aead getAead(String keyUri) throws GeneralSecurityException {
    if (!doesSupport(keyUri)) {
      throw new GeneralSecurityException("unsupported key URI");
    }
    AeadConfig.register();
    Aead key =
        keys.computeIfAbsent(
            keyUri,
            uri -> {
              try {
                return KeysetHandle.generateNew(
                        PredefinedAeadParameters.AES256_GCM, RegistryConfiguration.get())
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
              }
            });
    return new Aead() {
      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData)
          throws GeneralSecurityException {
        calls.incrementAndGet();
        return key.encrypt(plaintext, associatedData);
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
          throws GeneralSecurityException {
        calls.incrementAndGet();
        return key.decrypt(ciphertext, associatedData);
      }
    };
  }
}
