package dev.bulwark.bench;

import dev.bulwark.keys.KeyRing;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.MasterKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What envelope encryption costs over the JDK's raw AES-256-GCM: a key ring's encrypt (a fresh data
 * key per call, wrapped by the primary KEK: two AES-GCM operations and a key schedule) and decrypt
 * (unwrap, then decrypt), against {@code Cipher.getInstance("AES/GCM/NoPadding")} with one fixed
 * key and a fresh random IV per operation. Divide the figures to get the ratio.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar EnvelopeEncryptionBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnvelopeEncryptionBenchmark {
  private static final byte[] AAD =
      "bench/record/42".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  @Param({"1024", "65536"})
  public int size;

  private final SecureRandom random = new SecureRandom();
  private KeyRing ring;
  private byte[] plaintext;
  private byte[] ringCiphertext;
  private SecretKey jdkKey;
  private byte[] jdkIv;
  private byte[] jdkCiphertext;

  @Setup
  public void setUp() throws Exception {
    byte[] master = new byte[32];
    random.nextBytes(master);
    ring =
        KeyRings.inMemory(
                MasterKey.fromBase64(Base64.getEncoder().encodeToString(master)), Clock.systemUTC())
            .ring("bench");
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    ringCiphertext = ring.encrypt(plaintext, AAD);
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(256);
    jdkKey = generator.generateKey();
    jdkIv = new byte[12];
    random.nextBytes(jdkIv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, jdkIv));
    cipher.updateAAD(AAD);
    jdkCiphertext = cipher.doFinal(plaintext);
    if (!java.util.Arrays.equals(ring.decrypt(ringCiphertext, AAD), plaintext)
        || !java.util.Arrays.equals(jdkDecrypt(), plaintext)) {
      throw new IllegalStateException("setup: a round trip failed");
    }
  }

  @Benchmark
  public byte[] ringEncrypt() {
    return ring.encrypt(plaintext, AAD);
  }

  @Benchmark
  public byte[] ringDecrypt() {
    return ring.decrypt(ringCiphertext, AAD);
  }

  @Benchmark
  public byte[] jdkEncrypt() throws Exception {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, iv));
    cipher.updateAAD(AAD);
    return cipher.doFinal(plaintext);
  }

  @Benchmark
  public byte[] jdkDecrypt() throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, jdkKey, new GCMParameterSpec(128, jdkIv));
    cipher.updateAAD(AAD);
    return cipher.doFinal(jdkCiphertext);
  }
}
