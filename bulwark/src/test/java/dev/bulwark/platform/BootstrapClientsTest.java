package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapClientsTest {
  @TempDir Path dir;
  private final SecretSealer sealer =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();

  private static SSLContext serverTls() {
    CertificateAuthority authority =
        CertificateAuthority.createRoot("Test CA", Duration.ofHours(1), Clock.systemUTC());
    return TlsContexts.server(
        new ReloadableKeyManager(
            authority.issueEndpointCertificate(
                "identity",
                List.of("localhost"),
                List.of(InetAddress.getLoopbackAddress()),
                Duration.ofHours(1))),
        List.of());
  }

  private IdentityProvider identity(Metrics metrics, String database) {
    return IdentityProvider.start(
        IdentitySettings.defaults(),
        DatabaseSettings.embedded(dir.resolve(database), "identity"),
        sealer,
        AuditSink.log(),
        HttpListener.builder("identity").tls(serverTls(), ClientAuth.NONE).metrics(metrics),
        Clock.systemUTC());
  }

  @Test
  void firstStartInterruptedBeforeRegisteringIsCompletedByTheNext() throws Exception {
    Path sealed = dir.resolve("bootstrap-credentials.sealed");
    try (Metrics metrics = Metrics.create()) {
      BootstrapClients.Credentials first;
      try (IdentityProvider before = identity(metrics, "db-before")) {
        first = BootstrapClients.ensure(before, sealed, sealer);
        assertThat(first.created()).isTrue();
      }
      assertThat(Files.exists(sealed)).isTrue();

      // A database that never saw the registrations, as after a crash between the two steps.
      try (IdentityProvider after = identity(metrics, "db-after")) {
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
    try (Metrics metrics = Metrics.create();
        IdentityProvider identity = identity(metrics, "db")) {
      BootstrapClients.Credentials credentials = BootstrapClients.ensure(identity, sealed, sealer);

      String content =
          new String(Files.readAllBytes(sealed), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(content)
          .doesNotContain(credentials.admin().secret().reveal())
          .doesNotContain("demo-shop");
    }
  }

  @Test
  void adminClientHoldsTheIdentityAdminRoleAndDemoClientsDoNot() throws Exception {
    Path sealed = dir.resolve("bootstrap-credentials.sealed");
    try (Metrics metrics = Metrics.create();
        IdentityProvider identity = identity(metrics, "db")) {
      BootstrapClients.ensure(identity, sealed, sealer);

      assertThat(identity.client("bulwark-admin").orElseThrow().roles())
          .containsExactly("identity-admin");
      assertThat(identity.client("bulwark-admin").orElseThrow().audiences())
          .contains("urn:bulwark:admin");
      assertThat(identity.client("demo-shop").orElseThrow().roles()).isEmpty();
    }
  }

  @Test
  void adminClientRegisteredWithoutTheRoleGainsItAndKeepsItsSecret() throws Exception {
    Path sealed = dir.resolve("bootstrap-credentials.sealed");
    try (Metrics metrics = Metrics.create();
        IdentityProvider identity = identity(metrics, "db")) {
      BootstrapClients.Credentials credentials = BootstrapClients.ensure(identity, sealed, sealer);
      identity.updateClient(
          identity.client("bulwark-admin").orElseThrow().toBuilder()
              .roles(java.util.Set.of())
              .build());

      BootstrapClients.ensure(identity, sealed, sealer);

      assertThat(identity.client("bulwark-admin").orElseThrow().roles())
          .containsExactly("identity-admin");
      assertThat(credentials.created()).isTrue();
    }
  }
}
