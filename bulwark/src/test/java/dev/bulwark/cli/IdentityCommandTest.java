package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.platform.PlatformException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulwark identity}: argument handling, before any call to a running provider. */
class IdentityCommandTest {
  @TempDir Path temp;

  @Test
  void identityWithoutSubcommandListsThemAndExitsTwo() {
    Run run = bulwark("identity");

    assertThat(run.status).isEqualTo(2);
    assertThat(run.err).contains("users", "groups", "clients", "sessions", "keys");
  }

  @Test
  void helpListsTheUserSubcommands() {
    Run run = bulwark("identity", "users", "--help");

    assertThat(run.status).isZero();
    assertThat(run.out)
        .contains(
            "list",
            "show",
            "create",
            "disable",
            "enable",
            "delete",
            "set-password",
            "grant-role",
            "revoke-role",
            "reset-mfa");
  }

  @Test
  void passwordOnTheCommandLineIsRefused() {
    Run run =
        bulwark(
            "identity",
            "users",
            "create",
            "alice",
            "--password",
            "hunter2-hunter2",
            "--data",
            temp.toString());

    assertThat(run.status).isEqualTo(2);
    assertThat(run.err).contains("--password");
    assertThat(run.out).doesNotContain("hunter2");
  }

  @Test
  void invalidUsernameIsRefusedBeforeAnyCall() {
    Run run = bulwark("identity", "users", "show", "alice/../admin", "--data", temp.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("is not a valid name");
    assertThat(run.err.lines()).hasSize(2);
  }

  @Test
  void missingRunningBulwarkSaysHowToStartOne() {
    Run run = bulwark("identity", "users", "list", "--data", temp.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("no running 'bulwark up' found").contains("bulwark up --data");
  }

  @Test
  void clientCreateNeedsAJsonFile() {
    assertThat(bulwark("identity", "clients", "create").status).isEqualTo(2);

    Run run =
        bulwark(
            "identity",
            "clients",
            "create",
            "--json",
            temp.resolve("missing.json").toString(),
            "--data",
            temp.toString());
    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("cannot read");
  }

  @Test
  void clientCreateRefusesAFileThatIsNotJson() throws IOException {
    Path file = Files.writeString(temp.resolve("client.json"), "client_id: x");

    Run run =
        bulwark(
            "identity", "clients", "create", "--json", file.toString(), "--data", temp.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("is not JSON");
  }

  @Test
  void grantRoleNeedsUserAndRole() {
    Run run = bulwark("identity", "users", "grant-role", "alice");

    assertThat(run.status).isEqualTo(2);
    assertThat(run.err).contains("ROLE");
  }

  @Test
  void sessionsListNeedsAUser() {
    assertThat(bulwark("identity", "sessions", "list").status).isEqualTo(2);
  }

  @Test
  void passwordFileLosesOnlyItsTrailingNewline() throws IOException {
    Path file = Files.writeString(temp.resolve("pw"), "  spaced pass phrase  \n");

    assertThat(IdentityCommand.password(Optional.of(file), Optional::empty))
        .isEqualTo("  spaced pass phrase  ");
  }

  @Test
  void passwordIsReadFromTheFirstLineOfStdinWithoutAFile() {
    java.io.InputStream original = System.in;
    try {
      System.setIn(
          new java.io.ByteArrayInputStream(
              "piped pass phrase\nsecond line\n"
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)));

      assertThat(IdentityCommand.password(Optional.empty(), Optional::empty))
          .isEqualTo("piped pass phrase");
    } finally {
      System.setIn(original);
    }
  }

  @Test
  void emptyPasswordFileIsRefused() throws IOException {
    Path file = Files.writeString(temp.resolve("pw"), "\n");

    assertThatThrownBy(() -> IdentityCommand.password(Optional.of(file), Optional::empty))
        .isInstanceOf(PlatformException.class)
        .hasMessageContaining("no password given");
  }

  @Test
  void pathSegmentsAreEncodedSoNamesCannotChangeThePath() {
    assertThat(IdentityAdminConnection.segment("a b/../c?d")).isEqualTo("a%20b%2F..%2Fc%3Fd");
  }

  private static Run bulwark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  private record Run(int status, String out, String err) {}
}
