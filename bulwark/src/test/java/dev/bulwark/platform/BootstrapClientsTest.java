package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapClientsTest {
  @TempDir Path dir;
  private final SecretSealer sealer =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();

  private IdentityProvider identity(
      DataDirectory data, LocalTrust trust, Metrics metrics, String database) {
    return IdentityProvider.start(
        IdentitySettings.defaults(),
        DatabaseSettings.embedded(dir.resolve(database), "identity"),
        sealer,
        HttpListener.builder("identity")
            .tls(trust.serverContext("identity"), ClientAuth.NONE)
            .metrics(metrics),
        Clock.systemUTC());
  }

  @Test
  void firstStartInterruptedBeforeRegisteringIsCompletedByTheNext() throws Exception {
    Path sealed = dir.resolve("bootstrap-credentials.sealed");
    try (DataDirectory data = DataDirectory.open(dir.resolve("data"));
        LocalTrust trust =
            LocalTrust.loadOrCreate(
                data, sealer, "127.0.0.1", Duration.ofHours(1), Clock.systemUTC());
        Metrics metrics = Metrics.create()) {
      BootstrapClients.Credentials first;
      try (IdentityProvider before = identity(data, trust, metrics, "db-before")) {
        first = BootstrapClients.ensure(before, sealed, sealer);
        assertThat(first.created()).isTrue();
      }
      assertThat(Files.exists(sealed)).isTrue();

      // A database that never saw the registrations, as after a crash between the two steps.
      try (IdentityProvider after = identity(data, trust, metrics, "db-after")) {
        BootstrapClients.Credentials second = BootstrapClients.ensure(after, sealed, sealer);

        assertThat(second.created()).isFalse();
        assertThat(second.admin().secret().reveal()).isEqualTo(first.admin().secret().reveal());
        assertThat(after.hasClient("bulwark-admin")).isTrue();
        assertThat(after.hasClient("demo-shop")).isTrue();
        assertThat(after.hasClient("demo-finance")).isTrue();
      }
    }
  }

  @Test
  void sealedCredentialsHoldNoPlaintextSecret() throws Exception {
    Path sealed = dir.resolve("bootstrap-credentials.sealed");
    try (DataDirectory data = DataDirectory.open(dir.resolve("data"));
        LocalTrust trust =
            LocalTrust.loadOrCreate(
                data, sealer, "127.0.0.1", Duration.ofHours(1), Clock.systemUTC());
        Metrics metrics = Metrics.create();
        IdentityProvider identity = identity(data, trust, metrics, "db")) {
      BootstrapClients.Credentials credentials = BootstrapClients.ensure(identity, sealed, sealer);

      String content =
          new String(Files.readAllBytes(sealed), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(content)
          .doesNotContain(credentials.admin().secret().reveal())
          .doesNotContain("demo-shop");
    }
  }
}
