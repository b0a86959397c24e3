package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Posts each alert as JSON to an HTTPS webhook, off the caller's thread: alerts wait in a bounded
 * queue for one sender thread, which retries failed posts with backoff. Alerts that do not fit in
 * the queue or fail every attempt are dropped, counted ({@link #dropped()}) and logged.
 *
 * <p>Body: {@code {"rule","severity","key","message","time","details":{...}}}.
 */
public final class WebhookAlertNotifier implements AlertNotifier, AutoCloseable {
  /** Alerts waiting at most; more are dropped. */
  public static final int QUEUE_CAPACITY = 1024;

  static final int MAX_ATTEMPTS = 4;
  private static final Logger LOG = LoggerFactory.getLogger(WebhookAlertNotifier.class);
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final URI webhook;
  private final HttpClient client;
  private final Duration timeout;
  private final Duration initialBackoff;
  private final BlockingQueue<Alert> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread sender;
  private volatile boolean closed;

  private WebhookAlertNotifier(
      URI webhook, HttpClient client, Duration timeout, Duration initialBackoff) {
    this.webhook = webhook;
    this.client = client;
    this.timeout = timeout;
    this.initialBackoff = initialBackoff;
    this.sender = new Thread(this::run, "alert-webhook");
    this.sender.setDaemon(true);
  }

  /**
   * A notifier posting to {@code webhook}, which must be an {@code https} URL, trusting the JDK's
   * CAs or {@code tls} when given (e.g. mutual TLS to an internal receiver), each post bounded by
   * {@code timeout}.
   */
  public static WebhookAlertNotifier create(
      URI webhook, Optional<SSLContext> tls, Duration timeout) {
    return create(webhook, tls, timeout, Duration.ofMillis(500));
  }

  static WebhookAlertNotifier create(
      URI webhook, Optional<SSLContext> tls, Duration timeout, Duration initialBackoff) {
    requireNonNull(webhook, "webhook");
    requireNonNull(tls, "tls");
    requireNonNull(timeout, "timeout");
    if (!"https".equalsIgnoreCase(webhook.getScheme()) || webhook.getHost() == null) {
      // Alerts name accounts and addresses under attack: never in clear text.
      throw new IllegalArgumentException(
          "webhook: " + redacted(webhook) + " (expected: an https URL with a host)");
    }
    if (!timeout.isPositive()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .sslParameters(parameters)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    tls.ifPresent(client::sslContext);
    WebhookAlertNotifier notifier =
        new WebhookAlertNotifier(webhook, client.build(), timeout, initialBackoff);
    notifier.sender.start();
    return notifier;
  }

  /** Queues {@code alert} for posting; drops and counts it if the queue is full or closed. */
  @Override
  public void send(Alert alert) {
    requireNonNull(alert, "alert");
    if (closed || !queue.offer(alert)) {
      long total = dropped.incrementAndGet();
      LOG.warn(
          "alert webhook: {} alert {} {} dropped ({} dropped in all)",
          closed ? "closed," : "queue full,",
          alert.rule(),
          alert.key(),
          total);
    }
  }

  /** Alerts the webhook acknowledged with a 2xx. */
  public long delivered() {
    return delivered.get();
  }

  /** Alerts lost: queue full, closed, or every attempt failed. */
  public long dropped() {
    return dropped.get();
  }

  /** Stops the sender; alerts still queued are counted as dropped. */
  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    try {
      sender.join(timeout.toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = queue.size();
    queue.clear();
    if (left > 0) {
      dropped.addAndGet(left);
      LOG.warn("alert webhook: closed with {} alerts unsent, dropped", left);
    }
  }

  private void run() {
    while (!closed) {
      Alert alert;
      try {
        alert = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (alert != null && !post(alert)) {
        long total = dropped.incrementAndGet();
        LOG.warn(
            "alert webhook: alert {} {} dropped after failed posts ({} dropped in all)",
            alert.rule(),
            alert.key(),
            total);
      }
    }
  }

  private boolean post(Alert alert) {
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json(alert)))
            .build();
    long backoff = initialBackoff.toMillis();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      String failure;
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          delivered.incrementAndGet();
          return true;
        }
        failure = "answered " + status;
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
          LOG.warn("alert webhook {}: {}, not retried", redacted(webhook), failure);
          return false;
        }
      } catch (IOException e) {
        failure = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      LOG.warn(
          "alert webhook {}: attempt {} of {} failed: {}",
          redacted(webhook),
          attempt,
          MAX_ATTEMPTS,
          failure);
      if (attempt < MAX_ATTEMPTS) {
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    return false;
  }

  static byte[] json(Alert alert) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
      json.writeStartObject();
      json.writeStringProperty("rule", alert.rule());
      json.writeStringProperty("severity", alert.severity().name());
      json.writeStringProperty("key", alert.key());
      json.writeStringProperty("message", alert.message());
      json.writeStringProperty("time", alert.time().toString());
      json.writeName("details");
      json.writeStartObject();
      for (var detail : alert.details().entrySet()) {
        json.writeStringProperty(detail.getKey(), detail.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  // Webhook URLs often carry a secret token in their path or query (Slack, Teams): log only the
  // scheme, host and port.
  private static String redacted(URI webhook) {
    return webhook.getScheme()
        + "://"
        + webhook.getHost()
        + (webhook.getPort() == -1 ? "" : ":" + webhook.getPort())
        + "/***";
  }
}
