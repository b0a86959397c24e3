package dev.bulwark.audit.log;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link CrashRecoveryTest}: appends events forever, keeping many in flight,
 * and prints {@code ACK <id> END} for each acknowledged one, until it is killed.
 */
final class CrashingAppender {
  private CrashingAppender() {}

  public static void main(String[] args) throws Exception {
    KeyFactory keys = KeyFactory.getInstance("Ed25519");
    KeyPair pair =
        new KeyPair(
            keys.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(args[2]))),
            keys.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(args[1]))));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    Semaphore inFlight = new Semaphore(512);
    AuditLog log =
        FileAuditLog.open(
            Path.of(args[0]),
            CheckpointSigner.of(pair),
            Clock.systemUTC(),
            AuditLog.Settings.builder().checkpointEveryRecords(1000).build());
    for (int i = 0; ; i++) {
      inFlight.acquire();
      String id = "event-" + i;
      log.append(TestAuditEvents.event(i))
          .whenComplete(
              (sequence, failure) -> {
                inFlight.release();
                if (failure == null) {
                  synchronized (out) {
                    out.println("ACK " + id + " END");
                    out.flush();
                  }
                }
              });
    }
  }
}
