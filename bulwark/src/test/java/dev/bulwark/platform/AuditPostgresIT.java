package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark up} with the audit log in PostgreSQL (the production store), against the real
 * server on localhost:5432 (or an embedded one where there is none): events arrive, the log
 * verifies, and a row changed behind Bulwark's back is named.
 */
class AuditPostgresIT {
  @TempDir Path work;

  @Test
  void auditLogInPostgresqlVerifiesAndAnEditedRowIsNamed() throws Exception {
    DatabaseSettings schema = TestPostgres.freshSchema();
    String url = schema.jdbcUrl() + "&user=" + schema.user();
    Path data = work.resolve("data");
    try (TestBulwarkProcess up =
        TestBulwarkProcess.up(
            data,
            TestBulwarkProcess.env(
                "BULWARK_AUDIT_STORE", "postgresql", "BULWARK_AUDIT_POSTGRESQL_URL", url))) {
      for (int i = 0; i < 3; i++) {
        assertThat(up.get(up.gateway("/payments"), Optional.empty()).statusCode()).isEqualTo(401);
      }
      awaitDenials(data, 3);
      assertThat(up.stop()).isIn(0, 143);
    }

    TestBulwarkProcess.Result intact =
        cli("audit", "verify", "--data", data.toString(), "--postgresql", url);
    assertThat(intact.exitCode()).as(intact.stdout() + intact.stderr()).isZero();
    assertThat(intact.stdout()).startsWith("intact:");

    long edited;
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      var rows =
          statement.executeQuery(
              "SELECT max(seq) FROM audit_records WHERE action = 'gateway.request'");
      rows.next();
      edited = rows.getLong(1);
      statement.execute(
          "UPDATE audit_records SET body = convert_to(replace(convert_from(body, 'UTF8'),"
              + " '\"401\"', '\"200\"'), 'UTF8') WHERE seq = "
              + edited);
    }
    TestBulwarkProcess.Result tampered =
        cli("audit", "verify", "--data", data.toString(), "--postgresql", url);
    assertThat(tampered.exitCode()).isEqualTo(1);
    assertThat(tampered.stdout()).startsWith("TAMPERED: record " + edited + ":");
  }

  private void awaitDenials(Path data, int atLeast) throws Exception {
    for (int attempt = 0; attempt < 40; attempt++) {
      TestBulwarkProcess.Result result =
          cli("audit", "query", "--data", data.toString(), "--action", "gateway.request", "--json");
      if (result.exitCode() == 0 && result.stdout().lines().count() >= atLeast) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("fewer than " + atLeast + " denials reached the PostgreSQL log");
  }

  private TestBulwarkProcess.Result cli(String... args) throws Exception {
    return TestBulwarkProcess.run(work, Map.of(), args);
  }
}
