package dev.bulwark.gateway.upstream;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.TestEndpoints;
import dev.bulwark.gateway.edge.EdgeListener;
import dev.bulwark.gateway.edge.EdgeRequest;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import io.helidon.webserver.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * Real HTTPS listeners on loopback for the upstream tests: upstreams, a fake token endpoint, and a
 * front listener that hands every request to the {@link UpstreamCluster} under test.
 */
final class TestUpstreams implements AutoCloseable {
  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Upstream test CA", Duration.ofDays(1), Clock.systemUTC());
  private final Metrics metrics = Metrics.create();
  private final List<HttpListener> listeners = new ArrayList<>();
  private final AtomicReference<UpstreamCluster> cluster = new AtomicReference<>();

  /** Whether the front reads request bodies before forwarding, as a buffering integrator would. */
  final AtomicBoolean buffering = new AtomicBoolean();

  final SSLContext clientTls =
      TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  final HttpClient http = HttpClient.newBuilder().sslContext(clientTls).build();
  final EdgeListener front;

  private final long maxPayloadSize;

  TestUpstreams() {
    this(1024 * 1024);
  }

  /** With listeners (the front and the upstreams) that take bodies up to {@code maxPayloadSize}. */
  TestUpstreams(long maxPayloadSize) {
    this.maxPayloadSize = maxPayloadSize;
    // The gateway's own listener, as in production, in front of the cluster under test.
    try {
      front =
          EdgeListener.start(
              TestEndpoints.listener(authority, metrics, "front")
                  .maxPayloadSize(maxPayloadSize)
                  .settings(),
              (req, res) -> {
                String query = req.rawQuery();
                res.completesWith(
                    cluster
                        .get()
                        .forward(
                            req,
                            res,
                            req.rawPath() + (query.isEmpty() ? "" : "?" + query),
                            buffering.get() && req.hasBody()
                                ? Optional.of(readAll(req))
                                : Optional.empty(),
                            out -> out.add(new HeaderField("X-Route", "test"))));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(EdgeRequest req) {
    try (InputStream in = req.body()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An HTTPS listener answering every path with {@code handler}; its base URL. */
  URI upstream(String name, Handler handler) {
    return start(name, handler).url();
  }

  /** A base URL nothing listens on: connections to it are refused. */
  static URI closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("https://127.0.0.1:" + socket.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves the front listener with {@code serving}. */
  UpstreamCluster serve(UpstreamCluster serving) {
    cluster.set(serving);
    return serving;
  }

  /** A cluster of {@code policy} over the test TLS context, passing the caller's token on. */
  UpstreamCluster serve(UpstreamPolicy policy, Clock clock) {
    return serve(new UpstreamCluster("test", policy, clientTls, Optional.empty(), clock));
  }

  /** The fast defaults the tests start from: no retries unless a test asks for them. */
  static UpstreamPolicy policy(URI... targets) {
    return UpstreamPolicy.defaults(List.of(targets), Duration.ofSeconds(5)).withMaxRetries(0);
  }

  private HttpListener start(String name, Handler handler) {
    try {
      HttpListener listener =
          TestEndpoints.listener(authority, metrics, name)
              .maxPayloadSize(maxPayloadSize)
              .observabilityEndpoints(false)
              .routes(r -> r.any(handler))
              .start();
      listeners.add(listener);
      return listener;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    front.close();
    listeners.forEach(HttpListener::close);
    http.close();
    metrics.close();
  }
}
