package dev.bulwark.bench;

import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.Response;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Cedar decision, {@code Authorizer.isAuthorized}, against 1,000 policies over 10,000 entities:
 * an organisation's users in groups in departments, and documents in folders in projects. The
 * policies mix what a real deployment has: RBAC scopes ({@code principal in Group::..., resource in
 * Project::...}), ABAC conditions on attributes and context, forbids (some unconstrained in scope,
 * so they are candidates for every request), an owner rule, and two templates linked 698 times
 * between them.
 *
 * <p>Each benchmark cycles through 1,024 different requests that the policies allow (or deny),
 * drawn at random in set-up, so no single request's path stays hot in the caches. Set-up prints how
 * many candidate policies the scope index leaves per request ({@link Authorizer#candidateCount}).
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar PolicyDecisionBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyDecisionBenchmark {
  static final int DEPARTMENTS = 10;
  static final int GROUPS = 100;
  static final int USERS = 5_000;
  static final int PROJECTS = 50;
  static final int FOLDERS = 500;
  static final List<String> ACTIONS = List.of("read", "comment", "write", "delete", "share");
  static final int REQUESTS = 1_024;

  private Authorizer authorizer;
  private Entities entities;
  private Request[] allowed;
  private Request[] denied;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    entities = entities(random);
    PolicySet policies = policies(random);
    authorizer = Authorizer.of(policies);
    List<Request> allow = new ArrayList<>();
    List<Request> deny = new ArrayList<>();
    while (allow.size() < REQUESTS || deny.size() < REQUESTS) {
      Request r = randomRequest(random);
      Response response = authorizer.isAuthorized(r, entities);
      (response.isAllowed() ? allow : deny).add(r);
    }
    allowed = allow.subList(0, REQUESTS).toArray(Request[]::new);
    denied = deny.subList(0, REQUESTS).toArray(Request[]::new);
    System.out.printf(
        "%n  %,d policies (+%d templates), %,d entities; candidates per request:"
            + " allowed %s, denied %s%n",
        policies.size(),
        policies.templates().size(),
        entities.size(),
        candidates(allowed),
        candidates(denied));
  }

  private String candidates(Request[] requests) {
    IntSummaryStatistics stats = new IntSummaryStatistics();
    for (Request r : requests) {
      stats.accept(authorizer.candidateCount(r, entities));
    }
    return String.format(
        "min %d / mean %.1f / max %d", stats.getMin(), stats.getAverage(), stats.getMax());
  }

  @Benchmark
  public Response allow() {
    return authorizer.isAuthorized(allowed[next++ & (REQUESTS - 1)], entities);
  }

  @Benchmark
  public Response deny() {
    return authorizer.isAuthorized(denied[next++ & (REQUESTS - 1)], entities);
  }

  // 10,000 entities: 1 org, 10 departments, 100 groups, 5,000 users, 50 projects, 500 folders,
  // 4,339 documents.
  static Entities entities(SplittableRandom random) {
    List<Entity> all = new ArrayList<>();
    EntityUid org = EntityUid.of("Org", "acme");
    all.add(Entity.of(org, Set.of()));
    for (int d = 0; d < DEPARTMENTS; d++) {
      all.add(Entity.of(department(d), Set.of(org)));
    }
    for (int g = 0; g < GROUPS; g++) {
      all.add(Entity.of(group(g), Set.of(department(g / (GROUPS / DEPARTMENTS)))));
    }
    for (int u = 0; u < USERS; u++) {
      int g = random.nextInt(GROUPS);
      Set<EntityUid> groups =
          random.nextInt(4) == 0 ? Set.of(group(g), group((g + 37) % GROUPS)) : Set.of(group(g));
      all.add(
          new Entity(
              user(u),
              Map.of(
                  "level",
                  new LongValue(1 + random.nextInt(10)),
                  "department",
                  department(g / (GROUPS / DEPARTMENTS)),
                  "active",
                  BoolValue.of(random.nextInt(20) != 0),
                  "email",
                  new StringValue("user" + u + "@acme.example")),
              groups,
              Map.of()));
    }
    for (int p = 0; p < PROJECTS; p++) {
      all.add(Entity.of(project(p), Set.of(org)));
    }
    for (int f = 0; f < FOLDERS; f++) {
      all.add(Entity.of(folder(f), Set.of(project(f / (FOLDERS / PROJECTS)))));
    }
    int documents = 10_000 - all.size();
    for (int doc = 0; doc < documents; doc++) {
      Set<Value> tags = new java.util.HashSet<>();
      if (random.nextBoolean()) {
        tags.add(new StringValue("finance"));
      }
      if (random.nextInt(3) == 0) {
        tags.add(new StringValue("draft"));
      }
      all.add(
          new Entity(
              document(doc),
              Map.of(
                  "owner", user(random.nextInt(USERS)),
                  "classification", new LongValue(random.nextInt(4)),
                  "tags", SetValue.of(tags)),
              Set.of(folder(doc % FOLDERS)),
              Map.of()));
    }
    return Entities.of(all);
  }

  // 1,000 policies: 302 static (RBAC, ABAC, forbids, owner, admins) and 698 template links.
  static PolicySet policies(SplittableRandom random) {
    StringBuilder cedar = new StringBuilder();
    cedar.append(
        """
        @id("folder-reader")
        permit (principal == ?principal, action in [Action::"read", Action::"comment"], resource in ?resource);

        @id("project-editor")
        permit (principal in ?principal, action in [Action::"read", Action::"write"], resource in ?resource)
        when { resource.classification <= 2 && principal.active };

        @id("owner")
        permit (principal, action, resource is Document) when { resource.owner == principal };

        @id("inactive-users-nothing")
        forbid (principal is User, action, resource) unless { principal.active };

        @id("secret-needs-corp-network")
        forbid (principal, action, resource is Document)
        when { resource.classification == 3 && !(context.network == "corp") };

        @id("share-needs-mfa")
        forbid (principal, action == Action::"share", resource) unless { context.mfa };
        """);
    // 200 RBAC scopes: a group reads a project.
    for (int i = 0; i < 200; i++) {
      cedar.append(
          String.format(
              "@id(\"rbac-%d\")%npermit (principal in %s, action == Action::\"read\", resource in %s);%n",
              i, group(random.nextInt(GROUPS)), project(random.nextInt(PROJECTS))));
    }
    // 80 ABAC: a department's senior staff write to a folder, with MFA, outside drafts.
    for (int i = 0; i < 80; i++) {
      cedar.append(
          String.format(
              "@id(\"abac-%d\")%npermit (principal in %s, action == Action::\"write\", resource in %s)"
                  + "%nwhen { principal.level >= %d && context.mfa && !(resource.tags.contains(\"draft\")) };%n",
              i,
              department(random.nextInt(DEPARTMENTS)),
              folder(random.nextInt(FOLDERS)),
              4 + random.nextInt(5)));
    }
    // 14 scoped forbids: deleting in a project needs level 8, and a department is kept out of one.
    for (int i = 0; i < 14; i++) {
      cedar.append(
          i % 2 == 0
              ? String.format(
                  "@id(\"forbid-%d\")%nforbid (principal, action == Action::\"delete\", resource in %s)"
                      + " unless { principal.level >= 8 };%n",
                  i, project(random.nextInt(PROJECTS)))
              : String.format(
                  "@id(\"forbid-%d\")%nforbid (principal in %s, action, resource in %s)"
                      + " when { resource.tags.contains(\"finance\") };%n",
                  i, department(random.nextInt(DEPARTMENTS)), project(random.nextInt(PROJECTS))));
    }
    // 4 more: admins of the first groups do anything in their department's projects.
    for (int i = 0; i < 4; i++) {
      cedar.append(
          String.format(
              "@id(\"admin-%d\")%npermit (principal in %s, action, resource in %s) when { context.mfa };%n",
              i, group(i), project(i)));
    }
    PolicySet set = PolicySet.parseNamed(cedar.toString());
    for (int i = 0; i < 398; i++) {
      set =
          set.link(
              "folder-reader",
              "folder-reader-" + i,
              Map.of(
                  "?principal",
                  user(random.nextInt(USERS)),
                  "?resource",
                  folder(random.nextInt(FOLDERS))));
    }
    for (int i = 0; i < 300; i++) {
      set =
          set.link(
              "project-editor",
              "project-editor-" + i,
              Map.of(
                  "?principal",
                  group(random.nextInt(GROUPS)),
                  "?resource",
                  project(random.nextInt(PROJECTS))));
    }
    return set;
  }

  // A user acting on a document, with the context a gateway would send.
  private static Request randomRequest(SplittableRandom random) {
    return Request.of(
        user(random.nextInt(USERS)),
        EntityUid.of("Action", ACTIONS.get(random.nextInt(ACTIONS.size()))),
        document(random.nextInt(10_000 - 1 - DEPARTMENTS - GROUPS - USERS - PROJECTS - FOLDERS)),
        Map.of(
            "mfa",
            BoolValue.of(random.nextInt(3) != 0),
            "network",
            new StringValue(random.nextInt(4) == 0 ? "home" : "corp")));
  }

  private static EntityUid department(int i) {
    return EntityUid.of("Department", "d" + i);
  }

  private static EntityUid group(int i) {
    return EntityUid.of("Group", "g" + i);
  }

  private static EntityUid user(int i) {
    return EntityUid.of("User", "u" + i);
  }

  private static EntityUid project(int i) {
    return EntityUid.of("Project", "p" + i);
  }

  private static EntityUid folder(int i) {
    return EntityUid.of("Folder", "f" + i);
  }

  private static EntityUid document(int i) {
    return EntityUid.of("Document", "doc" + i);
  }
}
