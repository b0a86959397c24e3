package dev.bulwark.gateway.upstream;

import dev.bulwark.runtime.tls.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on loopback that answers with bytes written by hand, so tests can send responses no
 * real server would: each accepted connection is handed to the script on its own virtual thread.
 */
final class RawTlsServer implements AutoCloseable {
  /** What the server does with one connection. */
  @FunctionalInterface
  interface Script {
    void run(InputStream in, OutputStream out) throws IOException;
  }

  private final SSLServerSocket server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<String> requestHeads = new CopyOnWriteArrayList<>();

  RawTlsServer(SSLContext tls, Script script) throws IOException {
    server =
        (SSLServerSocket)
            tls.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    server.setSSLParameters(TlsContexts.parameters(TlsContexts.ClientAuth.NONE));
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try {
                  SSLSocket socket = (SSLSocket) server.accept();
                  accepted.incrementAndGet();
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (socket) {
                              script.run(socket.getInputStream(), socket.getOutputStream());
                            } catch (IOException e) {
                              // The client went away; the test asserts on its side.
                            }
                          });
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  /** A server that answers every request head on a connection with {@code response}. */
  static RawTlsServer answering(SSLContext tls, String response) throws IOException {
    RawTlsServer[] self = new RawTlsServer[1];
    self[0] =
        new RawTlsServer(
            tls,
            (in, out) -> {
              String head;
              while ((head = readHead(in)) != null) {
                self[0].requestHeads.add(head);
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
              }
            });
    return self[0];
  }

  /** The request head up to and including its empty line, or null at the end of the stream. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4
          && bytes[n - 4] == '\r'
          && bytes[n - 3] == '\n'
          && bytes[n - 2] == '\r'
          && bytes[n - 1] == '\n') {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  URI origin() {
    return URI.create("https://127.0.0.1:" + server.getLocalPort());
  }

  int accepted() {
    return accepted.get();
  }

  List<String> requestHeads() {
    return requestHeads;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
