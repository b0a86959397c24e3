package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTrustTest {
  @TempDir Path dir;
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));

  private LocalTrust trust(DataDirectory data, MasterKey key) {
    return LocalTrust.loadOrCreate(
        data, key.sealer(), "127.0.0.1", Duration.ofHours(1), Clock.systemUTC());
  }

  @Test
  void renewedCertificateIsServedWithoutRestartingTheListener() throws Exception {
    try (DataDirectory data = DataDirectory.open(dir);
        LocalTrust trust = trust(data, masterKey);
        Metrics metrics = Metrics.create();
        HttpListener listener =
            HttpListener.builder("gateway")
                .tls(trust.serverContext("gateway"), ClientAuth.NONE)
                .metrics(metrics)
                .start()) {
      BigInteger before = servedSerial(trust, listener);

      trust.renewNow();

      assertThat(servedSerial(trust, listener)).isNotEqualTo(before);
    }
  }

  @Test
  void authorityIsKeptAcrossRestartsWithItsKeySealed() throws Exception {
    X509Certificate first;
    try (DataDirectory data = DataDirectory.open(dir);
        LocalTrust trust = trust(data, masterKey)) {
      first = certificate(trust);
    }
    try (DataDirectory data = DataDirectory.open(dir);
        LocalTrust trust = trust(data, masterKey)) {
      assertThat(certificate(trust)).isEqualTo(first);
    }
    byte[] sealed = Files.readAllBytes(dir.resolve("ca/ca-key.sealed"));
    assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("PRIVATE KEY");
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca/ca-key.sealed")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
  }

  @Test
  void anotherMasterKeyCannotOpenTheAuthority() throws Exception {
    try (DataDirectory data = DataDirectory.open(dir);
        LocalTrust trust = trust(data, masterKey)) {
      assertThat(trust.certificateFile()).exists();
    }
    MasterKey other =
        MasterKey.fromBase64(
            Base64.getEncoder()
                .encodeToString(
                    new byte[] {
                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                      23, 24, 25, 26, 27, 28, 29, 30, 31, 32
                    }));

    try (DataDirectory data = DataDirectory.open(dir)) {
      assertThatThrownBy(() -> trust(data, other)).isInstanceOf(KeysException.class);
    }
  }

  @Test
  void dataDirectoryIsHeldByOneProcessAtATime() throws Exception {
    try (DataDirectory held = DataDirectory.open(dir)) {
      assertThat(held.root()).isEqualTo(dir.toAbsolutePath().normalize());
      assertThatThrownBy(() -> DataDirectory.open(dir))
          .isInstanceOf(PlatformException.class)
          .hasMessageContaining("in use");
    }
  }

  private static X509Certificate certificate(LocalTrust trust) throws Exception {
    try (var in = Files.newInputStream(trust.certificateFile())) {
      return (X509Certificate)
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static BigInteger servedSerial(LocalTrust trust, HttpListener listener)
      throws IOException {
    try (SSLSocket socket =
        (SSLSocket)
            trust.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
