package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulwark policy}: validate, eval, test and conformance, run as a user runs them. */
class PolicyCommandTest {
  private static final Path FIXTURES = fixtures();

  @TempDir Path temp;

  @Test
  void validateWhenPoliciesParseThenCountsThemAndExitsZero() {
    Run run = bulwark("policy", "validate", "--policies", fixture("photos.cedar"));

    assertThat(run.status).isZero();
    assertThat(run.out).contains("valid: 2 policies, 0 templates in 1 file");
  }

  @Test
  void validateWhenSyntaxIsBadThenNamesFileLineAndColumnAndExitsOne() {
    Run run = bulwark("policy", "validate", "--policies", fixture("broken.cedar"));

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out).containsPattern("broken\\.cedar:4:\\d+: ");
    assertThat(run.lastLine()).isEqualTo("1 problem in 1 file");
  }

  @Test
  void validateWhenAFolderHasSeveralBadFilesThenNamesEach() throws IOException {
    Files.writeString(temp.resolve("a.cedar"), "permit (principal, action, resource);\n");
    Files.writeString(temp.resolve("b.cedar"), "permit (principal, action, resource)\n");
    Files.writeString(
        temp.resolve("c.cedar"), "\n\nforbid (principal, action, resource) when { 1 + };\n");

    Run run = bulwark("policy", "validate", "--policies", temp.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out).contains("b.cedar:").contains("c.cedar:3:");
    assertThat(run.lastLine()).isEqualTo("2 problems in 3 files");
  }

  @Test
  void validateWhenTwoFilesShareAnIdThenRefuses() throws IOException {
    Files.writeString(
        temp.resolve("a.cedar"), "@id(\"x\") permit (principal, action, resource);\n");
    Files.writeString(
        temp.resolve("b.cedar"), "@id(\"x\") forbid (principal, action, resource);\n");

    Run run = bulwark("policy", "validate", "--policies", temp.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out).contains("two policies have the id \"x\"");
  }

  static final String PHOTOS_SCHEMA =
      """
      entity User;
      entity Photo = { owner: User, private: Bool };
      action view, share appliesTo { principal: [User], resource: [Photo] };
      """;

  @Test
  void validateWhenTheSchemaFitsThenSaysStrictlyValid() throws IOException {
    Path schema = Files.writeString(temp.resolve("s.cedarschema"), PHOTOS_SCHEMA);

    Run run =
        bulwark(
            "policy",
            "validate",
            "--policies",
            fixture("photos.cedar"),
            "--schema",
            schema.toString());

    assertThat(run.status).as(run.out + run.err).isZero();
    assertThat(run.out).contains("strictly valid against").doesNotContain("warning");
  }

  @Test
  void validateWhenAPolicyCanNeverApplyThenWarnsButPasses() throws IOException {
    Path schema = Files.writeString(temp.resolve("s.cedarschema"), PHOTOS_SCHEMA);
    Path policy =
        Files.writeString(
            temp.resolve("p.cedar"),
            "permit (principal is Photo, action == Action::\"view\", resource);\n");

    Run run =
        bulwark(
            "policy", "validate", "--policies", policy.toString(), "--schema", schema.toString());

    assertThat(run.status).as(run.out + run.err).isZero();
    assertThat(run.out).contains("warning: " + policy + ":1:1: policy0: impossible policy");
  }

  @Test
  void validateWhenAPolicyDoesNotTypecheckThenNamesFilePolicyAndProblem() throws IOException {
    // 'private' is declared optional here, so reading it without `has` may fail at run time.
    Path schema =
        Files.writeString(
            temp.resolve("s.cedarschema"),
            PHOTOS_SCHEMA.replace("private: Bool", "private?: Bool"));

    Run run =
        bulwark(
            "policy",
            "validate",
            "--policies",
            fixture("photos.cedar"),
            "--schema",
            schema.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out)
        .contains("photos.cedar:5:1: no-private-sharing: attribute `private` of Photo is optional")
        .contains("1 problem in 1 file");
  }

  @Test
  void validateWhenTheSchemaIsMalformedThenSaysWhereAndExitsOne() throws IOException {
    Path schema =
        Files.writeString(temp.resolve("s.cedarschema"), "entity User = { name: Strin };\n");

    Run run =
        bulwark(
            "policy",
            "validate",
            "--policies",
            fixture("photos.cedar"),
            "--schema",
            schema.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("s.cedarschema").contains("Strin");
  }

  @Test
  void validateWhenThePathIsMissingThenSaysWhatToPass() {
    Run run = bulwark("policy", "validate", "--policies", temp.resolve("nothing").toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("no policy file or folder at").contains("Pass a .cedar file");
  }

  @Test
  void evalWhenTheOwnerAsksThenAllowsAndNamesThePolicy() {
    Run run = eval("User::\"alice\"", "view");

    assertThat(run.status).isZero();
    assertThat(run.out).startsWith("ALLOW").contains("determining policies: owner-views");
  }

  @Test
  void evalWhenAStrangerAsksThenDeniesByDefault() {
    Run run = eval("User::\"bob\"", "view");

    assertThat(run.status).isZero();
    assertThat(run.out).startsWith("DENY").contains("none (no permit applies: default deny)");
  }

  @Test
  void evalWhenAForbidAppliesThenDeniesNamingItAsJson() {
    Run run = eval("User::\"alice\"", "share", "--json");

    assertThat(run.status).isZero();
    assertThat(run.out.strip())
        .isEqualTo(
            "{\"decision\":\"deny\",\"determining\":[\"no-private-sharing\"],\"errors\":[]}");
  }

  @Test
  void evalWhenAPolicyErrsThenReportsTheErrorAndDenies() throws IOException {
    Path policy =
        Files.writeString(
            temp.resolve("p.cedar"),
            "@id(\"needs-level\") permit (principal, action, resource) when { context.level > 3 };\n");

    Run run = evalViewOfPhotoX(policy.toString(), "--context", "{\"level\": \"high\"}");

    assertThat(run.status).isZero();
    assertThat(run.out).startsWith("DENY").contains("errors:").contains("needs-level: ");
  }

  @Test
  void evalWhenContextComesFromAFileThenUsesIt() throws IOException {
    Path policy =
        Files.writeString(
            temp.resolve("p.cedar"),
            "permit (principal, action, resource) when { context.mfa && context.from == User::\"a\" };\n");
    Path context =
        Files.writeString(
            temp.resolve("ctx.json"),
            "{\"mfa\": true, \"from\": {\"__entity\": {\"type\": \"User\", \"id\": \"a\"}}}");

    Run run = evalViewOfPhotoX(policy.toString(), "--context-file", context.toString());

    assertThat(run.out).startsWith("ALLOW").contains("policy0");
  }

  @Test
  void evalWhenAUidIsMalformedThenShowsTheExpectedForm() {
    Run run = eval("alice", "view");

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err)
        .contains("--principal alice is not an entity uid")
        .contains("User::\"alice\"");
  }

  @Test
  void evalWhenPoliciesDoNotParseThenRefusesToDecide() {
    Run run = evalViewOfPhotoX(fixture("broken.cedar"));

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out).doesNotContain("ALLOW");
    assertThat(run.err).contains("broken.cedar:4:").contains("bulwark policy validate");
  }

  @Test
  void testWhenOneExpectationIsWrongThenCountsAndNamesTheFailure() {
    Run run = bulwark("policy", "test", fixture("photos.test.yaml"));

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out)
        .contains(
            "FAIL wrongly expects a private photo to be shared: expected allow, got deny by"
                + " [no-private-sharing]");
    assertThat(run.lastLine()).isEqualTo("2 passed, 1 failed");
  }

  @Test
  void testWhenEveryExpectationHoldsThenExitsZero() {
    // The reference services' shipped policies, validated against their schemas first.
    for (String service : new String[] {"payments", "profiles"}) {
      Run run = bulwark("policy", "test", "../examples/policies/" + service + ".test.yaml");

      assertThat(run.status).as(run.out + run.err).isZero();
      assertThat(run.lastLine()).isEqualTo("8 passed, 0 failed");
    }
  }

  @Test
  void testWhenTheDeterminingPoliciesDifferThenFails() throws IOException {
    Files.copy(Path.of(fixture("photos.cedar")), temp.resolve("photos.cedar"));
    Path tests =
        Files.writeString(
            temp.resolve("t.yaml"),
            """
            policies: photos.cedar
            tests:
              - name: right decision, wrong reason
                principal: 'User::"a"'
                action: 'Action::"share"'
                resource: 'Photo::"x"'
                decision: deny
                determining: [owner-views]
            """);

    Run run = bulwark("policy", "test", tests.toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out).contains("expected deny by [owner-views], got deny by []");
    assertThat(run.lastLine()).isEqualTo("0 passed, 1 failed");
  }

  @Test
  void conformanceRunsEachFileAndEndsWithTheCounts() {
    Run run = bulwark("policy", "conformance", fixture("conformance"));

    assertThat(run.status).isEqualTo(1);
    assertThat(run.out)
        .contains("FAIL tests/failing.json: request \"expects bob to view the photo")
        .doesNotContain("passing.json");
    assertThat(run.lastLine()).isEqualTo("1 passed, 1 failed");
  }

  @Test
  void conformanceWhenTheFolderIsMissingThenSaysWhereTheSuiteIs() {
    Run run = bulwark("policy", "conformance", temp.resolve("missing").toString());

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("no conformance suite at").contains("cedar-conformance");
  }

  @Test
  void policyWithoutASubcommandListsThem() {
    Run run = bulwark("policy");

    assertThat(run.status).isEqualTo(2);
    assertThat(run.err).contains("validate, eval, test, conformance");
  }

  // A request for Photo::"x" against the photo fixtures and their entities.
  private static Run eval(String principal, String action, String... more) {
    List<String> args = new ArrayList<>(List.of("--entities", fixture("entities.json")));
    args.addAll(List.of(more));
    return evalRequest(fixture("photos.cedar"), principal, action, args);
  }

  // User::"a" asks to view Photo::"x" under these policies, with no entities.
  private static Run evalViewOfPhotoX(String policies, String... more) {
    return evalRequest(policies, "User::\"a\"", "view", List.of(more));
  }

  private static Run evalRequest(
      String policies, String principal, String action, List<String> more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "policy",
                "eval",
                "--policies",
                policies,
                "--principal",
                principal,
                "--action",
                "Action::\"" + action + "\"",
                "--resource",
                "Photo::\"x\""));
    args.addAll(more);
    return bulwark(args.toArray(String[]::new));
  }

  private static Run bulwark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  private static String fixture(String name) {
    return FIXTURES.resolve(name).toString();
  }

  private static Path fixtures() {
    try {
      return Path.of(PolicyCommandTest.class.getResource("/policy-cli").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Run(int status, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }
}
