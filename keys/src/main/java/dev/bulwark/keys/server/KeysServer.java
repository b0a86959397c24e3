package dev.bulwark.keys.server;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys service: encryption, decryption and data keys for workloads over mutual TLS, each
 * request authorized by a {@link KeyAccessPolicy} against the caller's SPIFFE ID and recorded in
 * the audit log. The API is described in docs/keys.md.
 */
public final class KeysServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeysServer.class);

  private final HttpListener listener;

  private KeysServer(HttpListener listener) {
    this.listener = listener;
  }

  /**
   * Starts serving {@code rings} on {@code listener}, whose TLS must ask clients for a certificate
   * ({@link ClientAuth#REQUIRED}, or {@link ClientAuth#OPTIONAL} to answer certificate-less callers
   * with 401) and whose metrics must be set; routes and the body size limit are set here.
   *
   * @throws IllegalArgumentException if {@code listener} does not ask for client certificates
   */
  public static KeysServer start(
      KeyRings rings, KeyAccessPolicy policy, AuditSink audit, HttpListener.Builder listener) {
    return start(rings, policy, audit, listener, Clock.systemUTC());
  }

  /**
   * As {@link #start(KeyRings, KeyAccessPolicy, AuditSink, HttpListener.Builder)}, timing audit
   * events by {@code clock}.
   */
  public static KeysServer start(
      KeyRings rings,
      KeyAccessPolicy policy,
      AuditSink audit,
      HttpListener.Builder listener,
      Clock clock) {
    requireNonNull(rings, "rings");
    requireNonNull(policy, "policy");
    requireNonNull(audit, "audit");
    requireNonNull(listener, "listener");
    requireNonNull(clock, "clock");
    if (listener.clientAuth() == ClientAuth.NONE) {
      throw new IllegalArgumentException(
          "listener: TLS does not ask for client certificates (expected: tls(context,"
              + " ClientAuth.REQUIRED or OPTIONAL); the keys service knows callers only by their"
              + " workload certificate)");
    }
    KeysApi api = new KeysApi(rings, policy, new KeysAudit(audit, clock));
    HttpListener started =
        listener.audit(audit).maxPayloadSize(KeysApi.MAX_BODY_BYTES).routes(api::routes).start();
    LOG.info("keys service serving on {}", started.url());
    return new KeysServer(started);
  }

  /** The base URL, e.g. {@code https://127.0.0.1:8447}. */
  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    listener.close();
  }
}
