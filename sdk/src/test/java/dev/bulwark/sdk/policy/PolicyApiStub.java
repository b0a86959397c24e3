package dev.bulwark.sdk.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The policy API on loopback over mutual TLS 1.3, answering as the test says: the server and the
 * client each have a self-signed certificate the other trusts, and the server requires the
 * client's.
 */
final class PolicyApiStub implements AutoCloseable {
  private final SSLServerSocket socket;
  final List<Seen> requests = new CopyOnWriteArrayList<>();
  volatile Function<Seen, Answer> answers;

  private static final Identity SERVER = Identity.create("policy-api");
  private static final Identity CLIENT = Identity.create("payments");
  private static final Identity STRANGER = Identity.create("stranger");

  // A plain TLS socket speaking just enough HTTP/1.1 (one request per connection): the JDK's
  // com.sun.net.httpserver is kept out of the code base by the architecture rules.
  PolicyApiStub(Function<Seen, Answer> answers) throws IOException {
    this.answers = answers;
    socket =
        (SSLServerSocket)
            SERVER
                .context(CLIENT.certificate)
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    socket.setNeedClientAuth(true);
    Thread.ofVirtual().start(this::serve);
  }

  private void serve() {
    try {
      for (; ; ) {
        SSLSocket connection = (SSLSocket) socket.accept();
        Thread.ofVirtual().start(() -> answer(connection));
      }
    } catch (IOException e) {
      // The socket was closed: the stub is done.
    }
  }

  private void answer(SSLSocket connection) {
    try (connection) {
      connection.setSoTimeout(10_000);
      // GET requests only: the head is all there is to read.
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
      String[] requestLine = String.valueOf(in.readLine()).split(" ");
      Optional<String> ifNoneMatch = Optional.empty();
      for (String header = in.readLine();
          header != null && !header.isEmpty();
          header = in.readLine()) {
        int colon = header.indexOf(':');
        if (header.substring(0, colon).strip().equalsIgnoreCase("If-None-Match")) {
          ifNoneMatch = Optional.of(header.substring(colon + 1).strip());
        }
      }
      Seen seen =
          new Seen(
              requestLine[0] + " " + URI.create(requestLine[1]).getPath(),
              ifNoneMatch,
              connection.getSession().getPeerCertificates().length > 0);
      requests.add(seen);
      Answer answer = this.answers.apply(seen);
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      StringBuilder head =
          new StringBuilder("HTTP/1.1 ")
              .append(answer.status())
              .append(" X\r\nContent-Type: application/json\r\n");
      answer.etag().ifPresent(tag -> head.append("ETag: ").append(tag).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      OutputStream out = connection.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // A refused handshake: the client reports it.
    }
  }

  URI uri() {
    return URI.create("https://127.0.0.1:" + socket.getLocalPort());
  }

  /** The payments workload's context: presents its certificate, trusts the stub's. */
  static SSLContext clientContext() {
    return CLIENT.context(SERVER.certificate);
  }

  /** A context the stub does not trust. */
  static SSLContext strangerContext() {
    return STRANGER.context(SERVER.certificate);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Seen(String line, Optional<String> ifNoneMatch, boolean clientCertificate) {}

  record Answer(int status, String body, Optional<String> etag) {
    static Answer store(String name, long version, String policies) {
      String json =
          "{\"name\":\""
              + name
              + "\",\"version\":"
              + version
              + ",\"policies\":\""
              + policies.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
              + "\"}";
      return new Answer(200, json, Optional.of("\"" + version + "\""));
    }

    static Answer status(int status) {
      return new Answer(status, "", Optional.empty());
    }
  }

  private record Identity(KeyPair key, X509Certificate certificate) {
    static Identity create(String name) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofHours(1))),
                subject,
                key.getPublic());
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate certificate =
            new JcaX509CertificateConverter()
                .getCertificate(
                    builder.build(
                        new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return new Identity(key, certificate);
      } catch (GeneralSecurityException
          | org.bouncycastle.operator.OperatorCreationException
          | java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }

    SSLContext context(X509Certificate trusted) {
      try {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", key.getPrivate(), password, new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
