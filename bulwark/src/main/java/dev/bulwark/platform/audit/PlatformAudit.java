package dev.bulwark.platform.audit;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.alert.AlertNotifier;
import dev.bulwark.audit.alert.AlertRules;
import dev.bulwark.audit.alert.WebhookAlertNotifier;
import dev.bulwark.audit.emit.AuditDeliveryException;
import dev.bulwark.audit.emit.AuditEmitter;
import dev.bulwark.audit.emit.AuditTransport;
import dev.bulwark.audit.emit.HttpAuditTransport;
import dev.bulwark.audit.log.AuditLog;
import dev.bulwark.audit.log.AuditLogVerifier;
import dev.bulwark.audit.log.CheckpointSigner;
import dev.bulwark.audit.log.FileAuditLog;
import dev.bulwark.audit.log.JdbcAuditLog;
import dev.bulwark.audit.log.VerificationReport;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.platform.BulwarkConfig.AuditConfig;
import dev.bulwark.platform.BulwarkConfig.AuditStore;
import dev.bulwark.platform.DataDirectory;
import dev.bulwark.platform.Pem;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's audit trail as {@code bulwark up} runs it: the tamper-evident log (files under
 * {@code DIR/audit/log}, or PostgreSQL), its Ed25519 checkpoint key (sealed at rest, its public
 * half in {@code DIR/audit/checkpoint-key.pem} for verifiers), the alert rules watching every
 * stored event, and one emitter per component. Components other than the CA send their events to
 * the collector over mutual TLS; the CA, which must run before any workload has a certificate, and
 * the collector itself append in process.
 */
public final class PlatformAudit implements AutoCloseable {
  /** Where the file store keeps its segments and checkpoints, under the data directory. */
  public static final String LOG_DIRECTORY = "audit/log";

  /** The checkpoint key's public half, for {@code bulwark audit verify}. */
  public static final String PUBLIC_KEY_FILE = "audit/checkpoint-key.pem";

  /** The checkpoint key's private half, sealed. */
  public static final String SEALED_KEY_FILE = "audit/checkpoint-key.sealed";

  /** The context the checkpoint key is sealed for. */
  public static final String KEY_CONTEXT = "audit/checkpoint-key";

  private static final Duration LOCAL_APPEND_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(PlatformAudit.class);

  private final AuditLog log;
  private final Metrics metrics;
  private final Deque<AutoCloseable> owned;
  private final AuditSink stored;

  private PlatformAudit(
      AuditLog log, AlertRules alerts, Metrics metrics, Deque<AutoCloseable> owned) {
    this.log = log;
    this.metrics = metrics;
    this.owned = owned;
    AuditSink logLine = AuditSink.log();
    // Every stored event also becomes a line of the bulwark.audit log, for those who tail it.
    this.stored =
        event -> {
          alerts.emit(event);
          logLine.emit(event);
        };
  }

  /** Opens the log and the alert rules; nothing listens yet. */
  public static PlatformAudit open(
      AuditConfig config,
      DataDirectory data,
      SecretSealer sealer,
      Optional<SSLContext> webhookTls,
      Metrics metrics,
      Clock clock) {
    requireNonNull(config, "config");
    Deque<AutoCloseable> owned = new ArrayDeque<>();
    try {
      CheckpointSigner signer = CheckpointSigner.of(checkpointKey(data, sealer));
      AuditLog.Settings settings =
          AuditLog.Settings.builder().checkpointInterval(config.checkpointInterval()).build();
      AuditLog log;
      if (config.store() == AuditStore.POSTGRESQL) {
        Database database =
            Database.open(postgresql(config.postgresqlUrl().orElseThrow()), "audit");
        owned.push(database);
        log = JdbcAuditLog.open(database.dataSource(), signer, clock, settings);
      } else {
        log = FileAuditLog.open(data.resolve(LOG_DIRECTORY), signer, clock, settings);
      }
      owned.push(log);
      AlertNotifier notifier = AlertNotifier.log();
      if (config.alertWebhook().isPresent()) {
        WebhookAlertNotifier webhook =
            WebhookAlertNotifier.create(
                config.alertWebhook().get(), webhookTls, Duration.ofSeconds(5));
        owned.push(webhook);
        notifier = AlertNotifier.all(notifier, webhook);
      }
      AlertRules alerts =
          AlertRules.builder(notifier)
              .clock(clock)
              .bruteForce(config.bruteForceThreshold(), config.bruteForceWindow())
              .authErrorSpike(
                  config.denialSpikeThreshold(),
                  // Per source address, a fifth of the whole: one client alone stands out sooner.
                  Math.max(1, config.denialSpikeThreshold() / 5),
                  config.denialSpikeWindow())
              .refreshTokenReuse()
              .certificateExpiry(Duration.ofDays(1), Duration.ofHours(1))
              .auditDrops()
              .build();
      Gauge.builder("bulwark.audit.records", log, AuditLog::size)
          .description("Records in the audit log")
          .register(metrics.registry());
      return new PlatformAudit(log, alerts, metrics, owned);
    } catch (RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  /** The log itself, e.g. for the collector's proofs and queries. */
  public AuditLog log() {
    return log;
  }

  /**
   * An emitter that appends in process, for the CA (which runs before any workload holds a
   * certificate) and the collector's own listener.
   */
  public AuditEmitter localEmitter(String component) {
    AuditTransport transport =
        events -> {
          try {
            log.append(events).get(LOCAL_APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw AuditDeliveryException.of(
                AuditDeliveryException.Failure.UNAVAILABLE,
                "the audit log did not store the batch: "
                    + (e.getCause() != null ? e.getCause() : e));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AuditDeliveryException.of(
                AuditDeliveryException.Failure.INTERRUPTED, "interrupted while appending");
          }
          events.forEach(stored::emit);
        };
    return emitter(component, transport);
  }

  /** An emitter that sends {@code component}'s events to the collector over mutual TLS. */
  public AuditEmitter remoteEmitter(String component, URI collector, SSLContext tls) {
    return emitter(component, HttpAuditTransport.create(collector, tls, Duration.ofSeconds(10)));
  }

  /** The collector's routes, to serve on a listener that demands workload certificates. */
  public AuditCollector collector() {
    return new AuditCollector(log, stored);
  }

  /** Starts the collector on {@code listener}. */
  public HttpListener serve(HttpListener.Builder listener) {
    HttpListener started = listener.routes(collector()::routes).start();
    owned.push(started);
    return started;
  }

  private AuditEmitter emitter(String component, AuditTransport transport) {
    AuditEmitter emitter = AuditEmitter.builder(transport).name(component).build();
    owned.push(emitter);
    Gauge.builder("bulwark.audit.emitter.dropped", emitter, e -> e.stats().dropped())
        .description("Audit events a component could not deliver and dropped (alerted)")
        .tag("component", component)
        .register(metrics.registry());
    Gauge.builder("bulwark.audit.emitter.pending", emitter, e -> e.stats().pending())
        .description("Audit events waiting to be delivered to the collector")
        .tag("component", component)
        .register(metrics.registry());
    return emitter;
  }

  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(Deque<AutoCloseable> owned) {
    while (!owned.isEmpty()) {
      AutoCloseable next = owned.pop();
      try {
        next.close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}: {}", next.getClass().getSimpleName(), e.getMessage());
      }
    }
  }

  // The checkpoint key signs every tree head: its private half is sealed under the platform's
  // secrets ring, its public half is written beside it for anyone verifying the log.
  private static KeyPair checkpointKey(DataDirectory data, SecretSealer sealer) {
    Path sealedFile = data.resolve(SEALED_KEY_FILE);
    Path publicFile = data.resolve(PUBLIC_KEY_FILE);
    try {
      Files.createDirectories(data.resolve("audit"));
      if (Files.exists(sealedFile)) {
        byte[] pkcs8 = sealer.open(Files.readAllBytes(sealedFile), KEY_CONTEXT);
        PrivateKey privateKey =
            KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        PublicKey publicKey = readPublicKey(publicFile);
        return new KeyPair(publicKey, privateKey);
      }
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      DataDirectory.writePrivate(publicFile, Pem.publicKey(pair.getPublic()));
      DataDirectory.writePrivate(
          sealedFile, sealer.seal(pair.getPrivate().getEncoded(), KEY_CONTEXT));
      LOG.info("created the audit checkpoint key; its public half is {}", publicFile);
      return pair;
    } catch (IOException | GeneralSecurityException e) {
      throw new PlatformException(
          "cannot read or create the audit checkpoint key in "
              + data.resolve("audit")
              + ": "
              + e.getMessage(),
          "check the data directory's permissions");
    }
  }

  /** The checkpoint public key of a data directory, for {@code bulwark audit verify}. */
  public static PublicKey readPublicKey(Path publicFile) {
    try {
      return Pem.publicKey(Files.readString(publicFile, StandardCharsets.UTF_8))
          .orElseThrow(
              () ->
                  new PlatformException(
                      publicFile + " holds no public key", "restore it from a backup"));
    } catch (IOException e) {
      throw new PlatformException(
          "cannot read the audit checkpoint key " + publicFile + ": " + e.getMessage(),
          "pass the data directory of a 'bulwark up' that has run, or --public-key FILE");
    }
  }

  /** Verifies the audit log kept in PostgreSQL at {@code url}. */
  public static VerificationReport verifyPostgresql(
      String url, PublicKey key, AuditLogVerifier.ProgressListener progress) {
    try (Database database = Database.open(postgresql(url), "audit-verify")) {
      return AuditLogVerifier.verify(database.dataSource(), key, progress);
    }
  }

  private static DatabaseSettings postgresql(String url) {
    return DatabaseSettings.postgresql(url);
  }
}
