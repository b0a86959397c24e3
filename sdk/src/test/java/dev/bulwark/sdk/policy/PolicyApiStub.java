package dev.bulwark.sdk.policy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import javax.net.ssl.SSLParameters;
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
  private final HttpsServer server;
  final List<Seen> requests = new CopyOnWriteArrayList<>();
  volatile Function<Seen, Answer> answers;

  private static final Identity SERVER = Identity.create("policy-api");
  private static final Identity CLIENT = Identity.create("payments");
  private static final Identity STRANGER = Identity.create("stranger");

  PolicyApiStub(Function<Seen, Answer> answers) throws IOException {
    this.answers = answers;
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(SERVER.context(CLIENT.certificate)) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3"});
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          HttpsExchange https = (HttpsExchange) exchange;
          Seen seen =
              new Seen(
                  exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(),
                  Optional.ofNullable(exchange.getRequestHeaders().getFirst("If-None-Match")),
                  https.getSSLSession().getPeerCertificates().length > 0);
          requests.add(seen);
          Answer answer = this.answers.apply(seen);
          byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
          answer.etag().ifPresent(tag -> exchange.getResponseHeaders().add("ETag", tag));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  URI uri() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
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
    server.stop(0);
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
