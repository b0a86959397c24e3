package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Against a real PostgreSQL: the server on localhost:5432, or an embedded one where none runs. */
class JdbcSealedRecordsTest {
  @TempDir Path directory;

  private final MasterKey master = TestMasterKeys.random();
  private final KeyRing ring = KeyRings.inMemory(master, Clock.systemUTC()).ring("bulwark.secrets");
  private final SecretSealer sealer = SecretSealer.on(ring, master);
  private PGSimpleDataSource dataSource;

  @BeforeEach
  void freshSchema() throws SQLException {
    DatabaseSettings settings = TestPostgres.freshSchema();
    dataSource = new PGSimpleDataSource();
    dataSource.setURL(settings.jdbcUrl());
    dataSource.setUser(settings.user());
    execute("CREATE TABLE client_secrets (id bigint PRIMARY KEY, secret bytea)");
    execute("CREATE TABLE api_keys (name text PRIMARY KEY, sealed bytea)");
  }

  @Test
  void movesEveryRowToThePrimaryVersionInIdOrder() throws SQLException {
    // Ids 1..30: numeric order differs from text order (10 < 9 as text), and the cursor must follow
    // the column's own order.
    for (int id = 1; id <= 30; id++) {
      insert("client_secrets", id, sealer.seal(secret(id), "client_secrets.secret/" + id));
    }
    insertNull(31);
    ring.rotate();
    JdbcSealedRecords records = new JdbcSealedRecords(dataSource, "client_secrets", "id", "secret");

    RewrapJob.Result result =
        RewrapJob.builder(sealer, directory.resolve("checkpoint"))
            .source(records)
            .pageSize(4)
            .build()
            .run();

    assertThat(records.count()).isEqualTo(30);
    assertThat(result).isEqualTo(new RewrapJob.Result(30, 30, 0, 0, 0));
    Map<String, byte[]> rows = rows("client_secrets", "id", "secret");
    assertThat(rows).hasSize(30);
    rows.forEach(
        (id, value) -> {
          assertThat(ring.versionOf(value)).isEqualTo(2);
          assertThat(sealer.open(value, "client_secrets.secret/" + id))
              .isEqualTo(secret(Integer.parseInt(id)));
        });
  }

  @Test
  void pagesFollowTheColumnsOrder() throws SQLException {
    for (int id : new int[] {9, 10, 100, 2}) {
      insert("client_secrets", id, new byte[] {1});
    }
    JdbcSealedRecords records = new JdbcSealedRecords(dataSource, "client_secrets", "id", "secret");

    assertThat(records.page(Optional.empty(), 2))
        .extracting(SealedRecord::id)
        .containsExactly("2", "9");
    assertThat(records.page(Optional.of("9"), 10))
        .extracting(SealedRecord::id)
        .containsExactly("10", "100");
  }

  @Test
  void aStoppedJobResumesOnTextIdsWithACustomContext() throws SQLException {
    for (int i = 0; i < 12; i++) {
      String name = "key-" + (char) ('a' + i);
      insertText(name, master.sealer().seal(secret(i), "api-key/" + name));
    }
    JdbcSealedRecords records =
        new JdbcSealedRecords(dataSource, "api_keys", "name", "sealed")
            .withContext(name -> "api-key/" + name);
    AtomicInteger seen = new AtomicInteger();
    Path checkpoint = directory.resolve("checkpoint");

    assertThatThrownBy(
            () ->
                RewrapJob.builder(sealer, checkpoint)
                    .source(records)
                    .pageSize(5)
                    .progress(
                        (s, d, t) -> {
                          if (seen.incrementAndGet() == 7) {
                            throw new IllegalStateException("killed");
                          }
                        })
                    .build()
                    .run())
        .hasMessage("killed");
    RewrapJob.Result resumed = RewrapJob.builder(sealer, checkpoint).source(records).build().run();

    assertThat(resumed).isEqualTo(new RewrapJob.Result(5, 5, 0, 0, 0));
    Map<String, byte[]> rows = rows("api_keys", "name", "sealed");
    rows.forEach(
        (name, value) -> {
          assertThat(sealer.isCurrent(value)).as(name).isTrue();
          assertThat(SecretSealer.on(ring).open(value, "api-key/" + name)).isNotEmpty();
        });
  }

  @Test
  void replaceIsACompareAndSet() throws SQLException {
    insert("client_secrets", 1, new byte[] {1});
    JdbcSealedRecords records = new JdbcSealedRecords(dataSource, "client_secrets", "id", "secret");

    assertThat(records.replace("1", new byte[] {2}, new byte[] {3})).isFalse();
    assertThat(records.replace("404", new byte[] {1}, new byte[] {3})).isFalse();
    assertThat(records.replace("1", new byte[] {1}, new byte[] {3})).isTrue();
    assertThat(rows("client_secrets", "id", "secret").get("1")).containsExactly(3);
  }

  @Test
  void refusesIdentifiersThatCarrySql() {
    for (List<String> names :
        List.of(
            List.of("client_secrets; DROP TABLE api_keys", "id", "secret"),
            List.of("client_secrets", "id = id OR 1=1 --", "secret"),
            List.of("client_secrets", "id", "secret\""),
            List.of("a.b.c", "id", "secret"),
            List.of("", "id", "secret"),
            List.of("1table", "id", "secret"))) {
      assertThatThrownBy(
              () -> new JdbcSealedRecords(dataSource, names.get(0), names.get(1), names.get(2)))
          .as(names.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new JdbcSealedRecords(dataSource, "public.client_secrets", "id", "secret").name())
        .isEqualTo("jdbc public.client_secrets.secret");
  }

  @Test
  void defaultContextNamesTableColumnAndId() {
    assertThat(new JdbcSealedRecords(dataSource, "client_secrets", "id", "secret").context("7"))
        .isEqualTo("client_secrets.secret/7");
  }

  @Test
  void databaseFailureIsAStoreFailure() {
    JdbcSealedRecords missing = new JdbcSealedRecords(dataSource, "no_such_table", "id", "v");

    assertThatThrownBy(missing::count)
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.STORE_FAILED));
  }

  private static byte[] secret(int i) {
    return ("client secret " + i).getBytes(StandardCharsets.UTF_8);
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void insert(String table, long id, byte[] value) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("INSERT INTO " + table + " (id, secret) VALUES (?, ?)")) {
      s.setLong(1, id);
      s.setBytes(2, value);
      s.executeUpdate();
    }
  }

  private void insertNull(long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("INSERT INTO client_secrets (id, secret) VALUES (?, NULL)")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  private void insertText(String name, byte[] value) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("INSERT INTO api_keys (name, sealed) VALUES (?, ?)")) {
      s.setString(1, name);
      s.setBytes(2, value);
      s.executeUpdate();
    }
  }

  private Map<String, byte[]> rows(String table, String id, String value) throws SQLException {
    Map<String, byte[]> rows = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT "
                    + id
                    + ", "
                    + value
                    + " FROM "
                    + table
                    + " WHERE "
                    + value
                    + " IS NOT NULL ORDER BY "
                    + id)) {
      while (r.next()) {
        rows.put(r.getString(1), r.getBytes(2));
      }
    }
    return rows;
  }
}
