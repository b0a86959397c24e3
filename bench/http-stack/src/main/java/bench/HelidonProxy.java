package bench;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;

/** Helidon streaming reverse proxy. Args: port upstreamPort [tls|plain]. Upstream is plain HTTP/1.1 on 127.0.0.1 via Helidon WebClient (keep-alive, connection cache). */
public final class HelidonProxy {
    static final Set<HeaderName> HOP = Set.of(HeaderNames.CONNECTION, HeaderNames.create("Keep-Alive"), HeaderNames.TRANSFER_ENCODING,
            HeaderNames.UPGRADE, HeaderNames.create("Proxy-Connection"), HeaderNames.TE, HeaderNames.TRAILER, HeaderNames.HOST,
            HeaderNames.create("HTTP2-Settings"));

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        boolean tls = args.length < 3 || args[2].equals("tls");
        boolean noDelay = args.length > 3 && args[3].equals("nodelay");
        WebClient client = WebClient.builder()
                .baseUri("http://127.0.0.1:" + upstream)
                .connectionCacheSize(1024)
                .shareConnectionCache(false)
                .followRedirects(false)
                .sendExpectContinue(false)
                .socketOptions(o -> o.tcpNoDelay(noDelay))
                .build();
        WebServerConfig.Builder b = WebServer.builder().host("127.0.0.1").port(port)
                .connectionOptions(o -> o.tcpNoDelay(noDelay))
                .routing(r -> r.any((req, res) -> proxy(client, req, res)));
        if (tls) b.tls(HelidonHello.helidonTls());
        WebServer ws = b.build().start();
        System.out.println("HelidonProxy listening on " + ws.port() + " -> " + upstream + " tls=" + tls);
    }

    static void proxy(WebClient client, ServerRequest req, ServerResponse res) throws Exception {
        Method method = req.prologue().method();
        String q = req.query().rawValue();
        HttpClientRequest creq = client.method(method)
                .skipUriEncoding(true)
                .path(q == null || q.isEmpty() ? req.path().rawPath() : req.path().rawPath() + "?" + q);
        for (Header h : req.headers()) {
            if (!HOP.contains(h.headerName())) creq.header(h);
        }
        HttpClientResponse cres;
        if (req.content().hasEntity()) {
            cres = creq.outputStream(os -> {
                try (InputStream in = req.content().inputStream()) { in.transferTo(os); }
                os.close();
            });
        } else {
            cres = creq.request();
        }
        try (cres) {
            res.status(cres.status());
            for (Header h : cres.headers()) {
                if (!HOP.contains(h.headerName())) res.header(h);
            }
            try (InputStream in = cres.inputStream(); OutputStream out = res.outputStream()) {
                in.transferTo(out);
            }
        }
    }
}
