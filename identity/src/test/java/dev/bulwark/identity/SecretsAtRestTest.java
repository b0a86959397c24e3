package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every secret the provider keeps is encrypted or hashed at rest: after a client registration, a
 * user with a password, TOTP and recovery codes, a sign-in and issued tokens, neither the H2 data
 * directory's files nor a PostgreSQL database contain any of them in the clear. Each run first
 * finds a non-secret (the user's e-mail address) in the same bytes, so the search is known to see
 * plaintext where there is some.
 */
class SecretsAtRestTest {
  private static final String PASSWORD = "correct horse battery staple";
  private static final MasterKey MASTER_KEY =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));

  @TempDir Path dir;

  @Test
  void h2DataDirectoryHoldsNoSecretInTheClear() throws Exception {
    Path data = dir.resolve("data");
    List<byte[]> secrets;
    try (TestIdentityProvider idp =
        TestIdentityProvider.start(data, TestIdentityProvider.authority(), MASTER_KEY)) {
      secrets = exerciseEverySecret(idp);
    }
    byte[] files = allFiles(data);
    assertThat(contains(files, bytes("fiona@example.com")))
        .as("the search sees plaintext in these files")
        .isTrue();
    assertNoneFound(secrets, files);
    assertNoneFound(privateKeyParts(DatabaseSettings.embedded(data, "identity")), files);
  }

  @Test
  void postgresDatabaseHoldsNoSecretInTheClear() throws Exception {
    DatabaseSettings settings = TestPostgres.freshSchema();
    List<byte[]> secrets;
    try (TestIdentityProvider idp =
        TestIdentityProvider.start(settings, TestIdentityProvider.authority(), MASTER_KEY)) {
      secrets = exerciseEverySecret(idp);
    }
    byte[] rows = everyRow(settings);
    assertThat(contains(rows, bytes("fiona@example.com"))).isTrue();
    assertNoneFound(secrets, rows);
    assertNoneFound(privateKeyParts(settings), rows);
  }

  // Creates one of every secret the provider stores, and returns them in every form they could be
  // written in.
  private static List<byte[]> exerciseEverySecret(TestIdentityProvider idp) throws Exception {
    List<byte[]> secrets = new ArrayList<>();
    ClientSecret appSecret =
        idp.provider.registerClient(
            TestBrowser.webApp("app")
                .authMethod(ClientRegistration.ClientAuthMethod.CLIENT_SECRET_BASIC)
                .build());
    secrets.add(bytes(appSecret.reveal()));
    secrets.add(bytes(idp.shopSecret.reveal()));
    idp.provider.createUser("fiona", "Fiona", Optional.of("fiona@example.com"), PASSWORD);
    secrets.add(bytes(PASSWORD));

    TestBrowser browser = new TestBrowser(idp);
    browser.signIn("app", "fiona", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    secrets.add(enrolled.seed());
    secrets.add(bytes(dev.bulwark.identity.internal.mfa.Base32.encode(enrolled.seed())));
    secrets.add(bytes(HexFormat.of().formatHex(enrolled.seed())));
    secrets.add(bytes(Base64.getEncoder().encodeToString(enrolled.seed())));
    for (String code : enrolled.recoveryCodes()) {
      secrets.add(bytes(code));
      secrets.add(bytes(code.replace("-", "")));
    }
    browser.sessionCookie().ifPresent(cookie -> secrets.add(bytes(cookie.split("\\.", 2)[1])));

    TestBrowser.Pkce pkce = TestBrowser.Pkce.create();
    String code = browser.signIn("app", "fiona", PASSWORD, Optional.of(enrolled.seed()), pkce);
    secrets.add(bytes(code));
    JsonNode tokens =
        Json.MAPPER.readTree(
            idp.redeem(
                    code,
                    pkce.verifier(),
                    TestBrowser.APP_CALLBACK,
                    TestIdentityProvider.basic("app", appSecret.reveal()))
                .body());
    assertThat(tokens.path("refresh_token").asString()).isNotEmpty();
    secrets.add(bytes(tokens.path("refresh_token").asString()));

    return secrets;
  }

  // The signing keys' private halves, read the one way they can be: unsealed with the master key.
  private static List<byte[]> privateKeyParts(DatabaseSettings settings) throws SQLException {
    List<byte[]> parts = new ArrayList<>();
    try (Connection connection =
            DriverManager.getConnection(
                settings.jdbcUrl(), settings.user(), settings.password().orElse(null));
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT kid, sealed_private FROM signing_keys WHERE sealed_private IS NOT NULL")) {
      while (rows.next()) {
        JsonNode jwk =
            Json.MAPPER.readTree(
                MASTER_KEY
                    .sealer()
                    .open(rows.getBytes(2), "identity/signing-key/" + rows.getString(1)));
        for (String member : List.of("d", "p", "q", "dp", "dq", "qi")) {
          if (jwk.has(member)) {
            parts.add(bytes(jwk.get(member).asString()));
          }
        }
      }
    }
    assertThat(parts).as("the provider holds private keys").isNotEmpty();
    return parts;
  }

  private static void assertNoneFound(List<byte[]> secrets, byte[] haystack) {
    for (byte[] secret : secrets) {
      assertThat(contains(haystack, secret))
          .as("a secret of %d bytes found in the clear", secret.length)
          .isFalse();
    }
  }

  private static byte[] allFiles(Path root) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        all.write(Files.readAllBytes(file));
      }
    }
    return all.toByteArray();
  }

  // Every column of every row of every table in the schema, as text and as raw bytes.
  private static byte[] everyRow(DatabaseSettings settings) throws SQLException, IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Connection connection =
            DriverManager.getConnection(
                settings.jdbcUrl(), settings.user(), settings.password().orElse(null));
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows =
          connection
              .getMetaData()
              .getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
        while (rows.next()) {
          tables.add(rows.getString("TABLE_NAME"));
        }
      }
      assertThat(tables).contains("users", "clients", "signing_keys");
      for (String table : tables) {
        try (ResultSet rows = statement.executeQuery("SELECT * FROM \"" + table + "\"")) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              byte[] raw = rows.getBytes(i);
              if (raw != null) {
                all.write(raw);
              }
              String text = rows.getString(i);
              if (text != null) {
                all.write(bytes(text));
              }
            }
          }
        }
      }
    }
    return all.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
