package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends with acknowledgements printed as they come; it is killed with SIGKILL
 * mid-stream; every acknowledged event must be in the reopened log, and the log must verify.
 */
class CrashRecoveryTest {
  @TempDir Path dir;

  @Test
  void losesNoAcknowledgedEventWhenTheWriterIsKilled() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    CrashingAppender.class.getName(),
                    dir.toString(),
                    Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                    Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Set<String> acknowledged = new HashSet<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String line;
      while (acknowledged.size() < 20_000
          && System.nanoTime() < deadline
          && (line = out.readLine()) != null) {
        acknowledged.add(ackedId(line));
      }
      // Process.destroyForcibly would also close our end of the pipe; the handle only signals.
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // Lines already in the pipe were acknowledged before the kill, so they count too.
      while ((line = out.readLine()) != null) {
        if (line.endsWith(" END")) {
          acknowledged.add(ackedId(line));
        }
      }
    }
    acknowledged.remove(null);
    assertThat(acknowledged).hasSizeGreaterThan(1000);

    VerificationReport before = AuditLogVerifier.verify(dir, pair.getPublic(), r -> {});
    assertThat(before.intact()).as("%s", before).isTrue();
    try (FileAuditLog log =
        FileAuditLog.open(
            dir, CheckpointSigner.of(pair), Clock.systemUTC(), AuditLog.Settings.defaults())) {
      Set<String> stored;
      try (Stream<AuditRecord> records = log.records(0)) {
        stored = records.map(r -> r.event().id()).collect(Collectors.toSet());
      }
      assertThat(stored).containsAll(acknowledged);
      assertThat(log.size()).isEqualTo(stored.size());
      log.append(TestAuditEvents.event(-1)).join();
    }
    VerificationReport after = AuditLogVerifier.verify(dir, pair.getPublic(), r -> {});
    assertThat(after.intact()).isTrue();
    assertThat(after.tornTailBytes()).isZero();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.count()).isGreaterThan(1);
    }
  }

  private static String ackedId(String line) {
    if (!line.startsWith("ACK ") || !line.endsWith(" END")) {
      return null;
    }
    return line.substring(4, line.length() - 4);
  }
}
