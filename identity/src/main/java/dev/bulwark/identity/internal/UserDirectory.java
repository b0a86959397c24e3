package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.IdentityException;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.identity.UserGroup;
import dev.bulwark.runtime.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Users, groups and roles, with Argon2id password hashes. A user's roles are those granted to them
 * directly and those of every group they belong to.
 */
public final class UserDirectory {
  private static final String USER_COLUMNS = "user_id, username, display_name, email, enabled";
  private static final String BY_ID = "SELECT " + USER_COLUMNS + " FROM users WHERE user_id = ?";
  private static final String BY_USERNAME =
      "SELECT " + USER_COLUMNS + " FROM users WHERE username = ?";
  private static final String GROUPS_OF_USER =
      "SELECT group_name FROM group_members WHERE user_id = ?";
  private static final String ROLES_OF_USER = "SELECT role FROM user_roles WHERE user_id = ?";
  private static final String GROUP_ROLES_OF_USER =
      "SELECT r.role FROM group_roles r JOIN group_members m ON r.group_name = m.group_name"
          + " WHERE m.user_id = ?";
  private static final String ROLES_OF_GROUP = "SELECT role FROM group_roles WHERE group_name = ?";
  private static final String MEMBERS_OF_GROUP =
      "SELECT user_id FROM group_members WHERE group_name = ?";

  private final Database database;
  private final PasswordHasher hasher;
  private final Clock clock;

  public UserDirectory(Database database, PasswordHasher hasher, Clock clock) {
    this.database = database;
    this.hasher = hasher;
    this.clock = clock;
  }

  /**
   * Creates an enabled user with {@code password}, which must pass the {@link PasswordPolicy}.
   *
   * @throws IdentityException USER_EXISTS, USER_INVALID or PASSWORD_REJECTED
   */
  public UserAccount create(
      String username, String displayName, Optional<String> email, String password) {
    String name = UserAccount.requireUsername(username.toLowerCase(Locale.ROOT));
    PasswordPolicy.check(name, password);
    String hash = hasher.hash(password);
    String userId = UUID.randomUUID().toString();
    database.inTransaction(
        connection -> {
          if (findBy(connection, BY_USERNAME, name).isPresent()) {
            throw new IdentityException(
                IdentityException.Code.USER_EXISTS, "user " + name + " already exists");
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO users (user_id, username, display_name, email, password_hash,"
                      + " enabled, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            Timestamp now = Timestamp.from(clock.instant());
            insert.setString(1, userId);
            insert.setString(2, name);
            insert.setString(3, displayName);
            insert.setString(4, email.orElse(null));
            insert.setString(5, hash);
            insert.setBoolean(6, true);
            insert.setTimestamp(7, now);
            insert.setTimestamp(8, now);
            insert.executeUpdate();
          }
          return null;
        });
    return byId(userId).orElseThrow();
  }

  public Optional<UserAccount> byId(String userId) {
    return database.inTransaction(connection -> findBy(connection, BY_ID, userId));
  }

  public Optional<UserAccount> byUsername(String username) {
    return database.inTransaction(
        connection -> findBy(connection, BY_USERNAME, username.toLowerCase(Locale.ROOT)));
  }

  /** Every user, by username. */
  public List<UserAccount> list() {
    return database.inTransaction(
        connection -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement select =
                  connection.prepareStatement("SELECT user_id FROM users ORDER BY username");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          List<UserAccount> users = new ArrayList<>();
          for (String id : ids) {
            findBy(connection, BY_ID, id).ifPresent(users::add);
          }
          return users;
        });
  }

  /**
   * The enabled user {@code username}, if {@code password} is theirs. Unknown users, disabled users
   * and wrong passwords cost the same single Argon2id verification, so the answer's timing does not
   * tell which it was.
   */
  public Optional<UserAccount> checkPassword(String username, String password) {
    if (password.length() > PasswordPolicy.MAX_LENGTH * 4) {
      hasher.verifyDecoy("");
      return Optional.empty();
    }
    String name = username.toLowerCase(Locale.ROOT);
    Optional<String[]> stored =
        database.inTransaction(
            connection -> {
              try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT user_id, password_hash, enabled FROM users WHERE username = ?")) {
                select.setString(1, name);
                try (ResultSet rows = select.executeQuery()) {
                  return rows.next()
                      ? Optional.of(
                          new String[] {
                            rows.getString(1),
                            rows.getString(2),
                            Boolean.toString(rows.getBoolean(3))
                          })
                      : Optional.<String[]>empty();
                }
              }
            });
    if (stored.isEmpty()) {
      hasher.verifyDecoy(password);
      return Optional.empty();
    }
    boolean matches = hasher.verify(password, stored.get()[1]);
    if (!matches || !Boolean.parseBoolean(stored.get()[2])) {
      return Optional.empty();
    }
    if (hasher.needsRehash(stored.get()[1])) {
      storePassword(stored.get()[0], hasher.hash(password));
    }
    return byId(stored.get()[0]);
  }

  /** Sets a user's password, which must pass the {@link PasswordPolicy}. */
  public void setPassword(String userId, String password) {
    UserAccount user = require(userId);
    PasswordPolicy.check(user.username(), password);
    storePassword(userId, hasher.hash(password));
  }

  public void setEnabled(String userId, boolean enabled) {
    update(userId, "UPDATE users SET enabled = ? WHERE user_id = ?", enabled);
  }

  /** Changes a user's display name and e-mail address; an empty e-mail address removes it. */
  public UserAccount updateProfile(String userId, String displayName, Optional<String> email) {
    requireNonNull(displayName, "displayName");
    requireNonNull(email, "email");
    int updated =
        database.inTransaction(
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE users SET display_name = ?, email = ? WHERE user_id = ?")) {
                update.setString(1, displayName);
                update.setString(2, email.orElse(null));
                update.setString(3, userId);
                return update.executeUpdate();
              }
            });
    if (updated == 0) {
      throw new IdentityException(
          IdentityException.Code.USER_NOT_FOUND, "user " + userId + " does not exist");
    }
    return require(userId);
  }

  public boolean delete(String userId) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM users WHERE user_id = ?")) {
            delete.setString(1, userId);
            return delete.executeUpdate() > 0;
          }
        });
  }

  public void grantRole(String userId, String role) {
    UserAccount.requireName("role", role);
    require(userId);
    execute(
        "MERGE INTO user_roles (user_id, role) KEY (user_id, role) VALUES (?, ?)",
        "INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
        userId,
        role);
  }

  public void revokeRole(String userId, String role) {
    require(userId);
    execute(null, "DELETE FROM user_roles WHERE user_id = ? AND role = ?", userId, role);
  }

  public UserGroup createGroup(String name, String description) {
    UserAccount.requireName("group", name);
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO user_groups (name, description, created_at) VALUES (?, ?, ?)")) {
            if (group(connection, name).isPresent()) {
              throw new IdentityException(
                  IdentityException.Code.GROUP_EXISTS, "group " + name + " already exists");
            }
            insert.setString(1, name);
            insert.setString(2, description);
            insert.setTimestamp(3, Timestamp.from(clock.instant()));
            insert.executeUpdate();
          }
          return null;
        });
    return group(name).orElseThrow();
  }

  public Optional<UserGroup> group(String name) {
    return database.inTransaction(connection -> group(connection, name));
  }

  public List<UserGroup> groups() {
    return database.inTransaction(
        connection -> {
          List<String> names = new ArrayList<>();
          try (PreparedStatement select =
                  connection.prepareStatement("SELECT name FROM user_groups ORDER BY name");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              names.add(rows.getString(1));
            }
          }
          List<UserGroup> groups = new ArrayList<>();
          for (String name : names) {
            group(connection, name).ifPresent(groups::add);
          }
          return groups;
        });
  }

  public boolean deleteGroup(String name) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM user_groups WHERE name = ?")) {
            delete.setString(1, name);
            return delete.executeUpdate() > 0;
          }
        });
  }

  public void addMember(String group, String userId) {
    requireGroup(group);
    require(userId);
    execute(
        "MERGE INTO group_members (group_name, user_id) KEY (group_name, user_id) VALUES (?, ?)",
        "INSERT INTO group_members (group_name, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        group,
        userId);
  }

  public void removeMember(String group, String userId) {
    requireGroup(group);
    execute(null, "DELETE FROM group_members WHERE group_name = ? AND user_id = ?", group, userId);
  }

  public void grantGroupRole(String group, String role) {
    UserAccount.requireName("role", role);
    requireGroup(group);
    execute(
        "MERGE INTO group_roles (group_name, role) KEY (group_name, role) VALUES (?, ?)",
        "INSERT INTO group_roles (group_name, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
        group,
        role);
  }

  public void revokeGroupRole(String group, String role) {
    requireGroup(group);
    execute(null, "DELETE FROM group_roles WHERE group_name = ? AND role = ?", group, role);
  }

  private UserAccount require(String userId) {
    return byId(userId)
        .orElseThrow(
            () ->
                new IdentityException(
                    IdentityException.Code.USER_NOT_FOUND, "user " + userId + " does not exist"));
  }

  private void requireGroup(String name) {
    if (group(name).isEmpty()) {
      throw new IdentityException(
          IdentityException.Code.GROUP_NOT_FOUND, "group " + name + " does not exist");
    }
  }

  private void storePassword(String userId, String hash) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE user_id = ?")) {
            update.setString(1, hash);
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setString(3, userId);
            update.executeUpdate();
          }
          return null;
        });
  }

  private void update(String userId, String sql, boolean value) {
    int updated =
        database.inTransaction(
            connection -> {
              try (PreparedStatement update = connection.prepareStatement(sql)) {
                update.setBoolean(1, value);
                update.setString(2, userId);
                return update.executeUpdate();
              }
            });
    if (updated == 0) {
      throw new IdentityException(
          IdentityException.Code.USER_NOT_FOUND, "user " + userId + " does not exist");
    }
  }

  // An idempotent insert is spelled differently by H2 (MERGE ... KEY) and PostgreSQL (ON
  // CONFLICT); h2Sql is null when both take the same statement.
  private void execute(String h2Sql, String sql, String first, String second) {
    database.inTransaction(
        connection -> {
          boolean h2 = connection.getMetaData().getDatabaseProductName().equals("H2");
          try (PreparedStatement statement =
              connection.prepareStatement(h2 && h2Sql != null ? h2Sql : sql)) {
            statement.setString(1, first);
            statement.setString(2, second);
            statement.executeUpdate();
          }
          return null;
        });
  }

  private static Optional<UserAccount> findBy(Connection connection, String sql, String value)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, value);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        String userId = rows.getString(1);
        TreeSet<String> groups = strings(connection, GROUPS_OF_USER, userId);
        TreeSet<String> roles = strings(connection, ROLES_OF_USER, userId);
        roles.addAll(strings(connection, GROUP_ROLES_OF_USER, userId));
        return Optional.of(
            new UserAccount(
                userId,
                rows.getString(2),
                rows.getString(3),
                Optional.ofNullable(rows.getString(4)),
                rows.getBoolean(5),
                roles,
                groups));
      }
    }
  }

  private static Optional<UserGroup> group(Connection connection, String name) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT description FROM user_groups WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new UserGroup(
                name,
                rows.getString(1),
                strings(connection, ROLES_OF_GROUP, name),
                strings(connection, MEMBERS_OF_GROUP, name)));
      }
    }
  }

  private static TreeSet<String> strings(Connection connection, String sql, String parameter)
      throws SQLException {
    TreeSet<String> values = new TreeSet<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, parameter);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getString(1));
        }
      }
    }
    return values;
  }
}
