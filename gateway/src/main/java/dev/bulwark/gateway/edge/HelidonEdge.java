package dev.bulwark.gateway.edge;

import dev.bulwark.runtime.http.PeerAddress;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/** {@link EdgeRequest} and {@link EdgeResponse} over Helidon's server request and response. */
public final class HelidonEdge {
  private HelidonEdge() {}

  /** {@code req} as an edge request. */
  public static EdgeRequest request(ServerRequest req) {
    return new Request(req);
  }

  /** {@code res} as an edge response. */
  public static EdgeResponse response(ServerResponse res) {
    return new Response(res);
  }

  private record Request(ServerRequest req) implements EdgeRequest {
    @Override
    public String method() {
      return req.prologue().method().text();
    }

    @Override
    public String rawPath() {
      return req.path().rawPath();
    }

    @Override
    public String rawQuery() {
      return req.query().rawValue();
    }

    @Override
    public Optional<String> authority() {
      return Optional.ofNullable(req.authority());
    }

    @Override
    public void forEachField(BiConsumer<String, String> field) {
      for (Header header : req.headers()) {
        for (String value : header.allValues()) {
          field.accept(header.name(), value);
        }
      }
    }

    @Override
    public Optional<String> first(String name) {
      return req.headers().first(HeaderNames.create(name));
    }

    @Override
    public List<String> all(String name) {
      return req.headers().values(HeaderNames.create(name));
    }

    @Override
    public OptionalLong contentLength() {
      return req.headers().contentLength();
    }

    @Override
    public Optional<X509Certificate> clientCertificate() {
      Optional<Certificate[]> chain = req.remotePeer().tlsCertificates();
      if (chain.isPresent()
          && chain.get().length > 0
          && chain.get()[0] instanceof X509Certificate c) {
        return Optional.of(c);
      }
      return Optional.empty();
    }

    @Override
    public String peerAddress() {
      return PeerAddress.of(req.remotePeer());
    }

    @Override
    public boolean http1() {
      return req.prologue().protocolVersion().startsWith("1");
    }

    @Override
    public boolean hasBody() {
      return req.content().hasEntity();
    }

    @Override
    public InputStream body() {
      return req.content().inputStream();
    }

    @Override
    public boolean bodyConsumed() {
      return !req.content().hasEntity() || req.content().consumed();
    }

    @Override
    public void discardBody() {
      if (!bodyConsumed()) {
        req.content().consume();
      }
    }
  }

  private record Response(ServerResponse res) implements EdgeResponse {
    @Override
    public void set(String name, String value) {
      res.header(HeaderValues.create(name, value));
    }

    @Override
    public void add(String name, String value) {
      res.headers().add(HeaderValues.create(name, value));
    }

    @Override
    public void remove(String name) {
      res.headers().remove(HeaderNames.create(name));
    }

    @Override
    public void status(int code) {
      res.status(Status.create(code));
    }

    @Override
    public int status() {
      return res.status().code();
    }

    @Override
    public void send(byte[] body) {
      res.send(body);
    }

    @Override
    public OutputStream stream() {
      return res.outputStream();
    }

    @Override
    public boolean sent() {
      return res.isSent();
    }

    @Override
    public void closeConnection() {
      throw new CloseConnectionException("closed after refusing a request");
    }
  }
}
