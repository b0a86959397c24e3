package bench;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import java.nio.charset.StandardCharsets;

/** Helidon 4 SE hello world. Args: port [tls|plain]. Virtual threads (Helidon default). HTTP/2 via ALPN (TLS) or h2c upgrade (plain) because helidon-webserver-http2 is on the classpath. */
public final class HelidonHello {
    static final byte[] BODY = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean tls = args.length < 2 || args[1].equals("tls");
        WebServerConfig.Builder b = WebServer.builder().host("127.0.0.1").port(port)
                .routing(r -> r.get("/hello", (req, res) -> {
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send(BODY);
                }));
        if (tls) b.tls(helidonTls());
        WebServer ws = b.build().start();
        System.out.println("HelidonHello listening on " + ws.port() + " tls=" + tls);
    }

    /** Caller-provided JSSE SSLContext handed to Helidon's Tls builder. */
    static Tls helidonTls() throws Exception {
        return Tls.builder().sslContext(Certs.serverContext()).enabledProtocols(Certs.TLS13).build();
    }
}
