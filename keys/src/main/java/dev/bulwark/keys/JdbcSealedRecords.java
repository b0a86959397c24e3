package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Sealed values in a column of a database table, as a source for a {@link RewrapJob}: rows are
 * walked in the order of their id column and each value is replaced with a compare-and-set {@code
 * UPDATE}, so a row written meanwhile by the application is left alone. Built for PostgreSQL: the
 * value column is {@code bytea}, and the id column any type with an order ({@code bigint}, {@code
 * text}, {@code uuid}...). Rows whose value is {@code NULL} are skipped.
 *
 * <p>Table and column names are SQL identifiers, checked against {@code [A-Za-z_][A-Za-z0-9_]*}
 * (the table may be qualified by a schema); they cannot carry SQL.
 */
public final class JdbcSealedRecords implements SealedRecords {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final DataSource dataSource;
  private final String table;
  private final String idColumn;
  private final String valueColumn;
  private final Function<String, String> context;

  /**
   * The values in {@code valueColumn} of {@code table}, keyed by {@code idColumn}, sealed for the
   * context {@code <table>.<valueColumn>/<id>} unless {@link #withContext} says otherwise.
   *
   * @throws IllegalArgumentException if a name is not a plain SQL identifier
   */
  public JdbcSealedRecords(
      DataSource dataSource, String table, String idColumn, String valueColumn) {
    this(dataSource, table, idColumn, valueColumn, id -> table + "." + valueColumn + "/" + id);
  }

  private JdbcSealedRecords(
      DataSource dataSource,
      String table,
      String idColumn,
      String valueColumn,
      Function<String, String> context) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.table = checkedTable(table);
    this.idColumn = checkedIdentifier("idColumn", idColumn);
    this.valueColumn = checkedIdentifier("valueColumn", valueColumn);
    this.context = requireNonNull(context, "context");
  }

  /** The same records, with the context each value was sealed for given by {@code context}. */
  public JdbcSealedRecords withContext(Function<String, String> context) {
    return new JdbcSealedRecords(dataSource, table, idColumn, valueColumn, context);
  }

  @Override
  public String name() {
    return "jdbc " + table + "." + valueColumn;
  }

  @Override
  public long count() {
    String sql = "SELECT count(*) FROM " + table + " WHERE " + valueColumn + " IS NOT NULL";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw failed("count", e);
    }
  }

  @Override
  public List<SealedRecord> page(Optional<String> after, int limit) {
    requireNonNull(after, "after");
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    String sql =
        "SELECT "
            + idColumn
            + ", "
            + valueColumn
            + " FROM "
            + table
            + " WHERE "
            + valueColumn
            + " IS NOT NULL"
            + (after.isPresent() ? " AND " + idColumn + " > ?" : "")
            + " ORDER BY "
            + idColumn
            + " LIMIT ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      int index = 1;
      if (after.isPresent()) {
        bindId(statement, index++, after.get());
      }
      statement.setInt(index, limit);
      List<SealedRecord> page = new ArrayList<>(limit);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          page.add(new SealedRecord(rows.getString(1), rows.getBytes(2)));
        }
      }
      return page;
    } catch (SQLException e) {
      throw failed("read", e);
    }
  }

  @Override
  public boolean replace(String id, byte[] expected, byte[] replacement) {
    requireNonNull(id, "id");
    requireNonNull(expected, "expected");
    requireNonNull(replacement, "replacement");
    String sql =
        "UPDATE "
            + table
            + " SET "
            + valueColumn
            + " = ? WHERE "
            + idColumn
            + " = ? AND "
            + valueColumn
            + " = ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setBytes(1, replacement);
      bindId(statement, 2, id);
      statement.setBytes(3, expected);
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failed("update", e);
    }
  }

  @Override
  public String context(String id) {
    return context.apply(requireNonNull(id, "id"));
  }

  @Override
  public String toString() {
    return "JdbcSealedRecords{" + table + "." + valueColumn + " by " + idColumn + "}";
  }

  // On PostgreSQL ids travel as text of unspecified type, so the server compares them as the
  // column's own type: numbers as numbers, uuids as uuids. Other databases (H2, the embedded
  // default) convert a string parameter to the column's type themselves.
  private static void bindId(PreparedStatement statement, int index, String id)
      throws SQLException {
    if (statement.getConnection().getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
      statement.setObject(index, id, Types.OTHER);
    } else {
      statement.setString(index, id);
    }
  }

  private KeysException failed(String what, SQLException e) {
    return new KeysException(
        KeysException.Code.STORE_FAILED,
        "cannot " + what + " sealed values in " + table + "." + valueColumn + ": " + e.getMessage(),
        e);
  }

  private static String checkedTable(String table) {
    requireNonNull(table, "table");
    String[] parts = table.split("\\.", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException(
          "table: " + table + " (expected: a SQL identifier, optionally schema-qualified)");
    }
    for (String part : parts) {
      checkedIdentifier("table", part);
    }
    return table;
  }

  private static String checkedIdentifier(String what, String identifier) {
    requireNonNull(identifier, what);
    if (!IDENTIFIER.matcher(identifier).matches()) {
      throw new IllegalArgumentException(
          what
              + ": "
              + identifier
              + " (expected: a SQL identifier of letters, digits and _, not starting with a digit)");
    }
    return identifier;
  }
}
