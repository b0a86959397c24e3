package bench;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServer;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.*;

/** Empirical check of Helidon 4.5.0 TLS APIs: Tls.builder().sslContext(ctx), TlsClientAuth.OPTIONAL, peer cert access in a handler, WebServer.reloadTls(Tls). */
public final class HelidonTlsApiCheck {
    public static void main(String[] args) throws Exception {
        KeyStore clientKs = Certs.load(Certs.keystore("client", "bench-client"));
        KeyStore trustClient = KeyStore.getInstance("PKCS12");
        trustClient.load(null, null);
        trustClient.setCertificateEntry("client", clientKs.getCertificate("key"));

        SSLContext ctxA = Certs.serverContext("server", trustClient);
        Tls tlsA = Tls.builder().sslContext(ctxA).enabledProtocols(Certs.TLS13).clientAuth(TlsClientAuth.OPTIONAL).build();

        WebServer ws = WebServer.builder().host("127.0.0.1").port(0).tls(tlsA)
                .routing(r -> r.get("/whoami", (req, res) -> {
                    var chain = req.remotePeer().tlsCertificates();           // Optional<Certificate[]>
                    var principal = req.remotePeer().tlsPrincipal();          // Optional<Principal>
                    res.send("certs=" + chain.map(c -> Arrays.stream(c).map(x -> ((X509Certificate) x).getSubjectX500Principal().getName()).toList().toString()).orElse("none")
                            + " principal=" + principal.map(Object::toString).orElse("none"));
                })).build().start();
        int port = ws.port();
        System.out.println("started with Tls.builder().sslContext(ctx): OK, hasTls=" + ws.hasTls());

        KeyManagerFactory clientKmf = Certs.kmf(clientKs);
        System.out.println("with client cert    -> " + call(port, clientKmf.getKeyManagers()));
        System.out.println("without client cert -> " + call(port, null));

        // hot reload with a different server certificate, again from a caller-provided SSLContext
        SSLContext ctxB = Certs.serverContext("server-reloaded", trustClient);
        try {
            ws.reloadTls(Tls.builder().sslContext(ctxB).enabledProtocols(Certs.TLS13).clientAuth(TlsClientAuth.OPTIONAL).build());
            System.out.println("reloadTls(Tls built from new SSLContext): returned normally");
        } catch (Throwable t) {
            System.out.println("reloadTls(Tls built from new SSLContext): threw " + t);
        }
        System.out.println("after reload        -> " + call(port, clientKmf.getKeyManagers()));
        ws.stop();

        // same again, but with Tls built from key + chain + trust (Helidon-managed key/trust managers) instead of an SSLContext
        KeyStore sks = Certs.load(Certs.keystore("server", "localhost"));
        KeyStore rks = Certs.load(Certs.keystore("server-reloaded", "server-reloaded"));
        X509Certificate clientCert = (X509Certificate) clientKs.getCertificate("key");
        Tls tlsK = Tls.builder().privateKey((java.security.PrivateKey) sks.getKey("key", Certs.PASS))
                .privateKeyCertChain(java.util.List.of((X509Certificate) sks.getCertificate("key")))
                .addTrust(clientCert).enabledProtocols(Certs.TLS13).clientAuth(TlsClientAuth.REQUIRED).build();
        WebServer ws2 = WebServer.builder().host("127.0.0.1").port(0).tls(tlsK)
                .routing(r -> r.get("/whoami", (req, res) -> res.send("certs=" + req.remotePeer().tlsCertificates().map(c -> c.length).orElse(0))))
                .build().start();
        System.out.println("[key/chain Tls, REQUIRED] with client cert    -> " + call(ws2.port(), clientKmf.getKeyManagers()));
        try { System.out.println("[key/chain Tls, REQUIRED] without client cert -> " + call(ws2.port(), null)); }
        catch (Exception e) { System.out.println("[key/chain Tls, REQUIRED] without client cert -> rejected: " + e); }
        try {
            ws2.reloadTls(Tls.builder().privateKey((java.security.PrivateKey) rks.getKey("key", Certs.PASS))
                    .privateKeyCertChain(java.util.List.of((X509Certificate) rks.getCertificate("key")))
                    .addTrust(clientCert).enabledProtocols(Certs.TLS13).clientAuth(TlsClientAuth.REQUIRED).build());
            System.out.println("[key/chain Tls] reloadTls returned normally");
        } catch (Throwable t) { System.out.println("[key/chain Tls] reloadTls threw " + t); }
        System.out.println("[key/chain Tls] after reload -> " + call(ws2.port(), clientKmf.getKeyManagers()));
        ws2.stop();
        System.exit(0);
    }

    static String call(int port, KeyManager[] kms) throws Exception {
        SSLContext c = SSLContext.getInstance("TLSv1.3");
        c.init(kms, new TrustManager[]{new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] a, String b) {}
            public void checkServerTrusted(X509Certificate[] a, String b) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        try (SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            Certificate[] server = s.getSession().getPeerCertificates();
            String serverCn = ((X509Certificate) server[0]).getSubjectX500Principal().getName();
            OutputStream out = s.getOutputStream();
            out.write("GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(3000);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            try {
                int n;
                while ((n = s.getInputStream().read(b)) > 0) {
                    buf.write(b, 0, n);
                    String sofar = buf.toString(StandardCharsets.UTF_8);
                    int h = sofar.indexOf("\r\n\r\n");
                    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(sofar);
                    if (h > 0 && m.find() && sofar.length() - h - 4 >= Integer.parseInt(m.group(1))) break;
                }
            } catch (java.net.SocketTimeoutException e) { buf.write("[timeout]".getBytes()); }
            String resp = buf.toString(StandardCharsets.UTF_8);
            return "server cert " + serverCn + " / " + s.getSession().getProtocol() + " / body: " + resp.substring(resp.indexOf("\r\n\r\n") + 4);
        }
    }
}
