package bench;

import dev.bulwark.gateway.upstream.wire.HeaderField;
import dev.bulwark.gateway.upstream.wire.RequestBody;
import dev.bulwark.gateway.upstream.wire.UpstreamConnections;
import dev.bulwark.gateway.upstream.wire.UpstreamExchange;
import dev.bulwark.gateway.upstream.wire.UpstreamRequest;
import io.helidon.common.tls.Tls;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Helidon streaming reverse proxy (TLS 1.3 front, TCP_NODELAY) to a TLS 1.3 upstream, as the gateway forwards.
 * Args: port upstreamTlsPort wire|webclient. "wire" forwards with Bulwark's UpstreamConnections
 * (dev.bulwark.gateway.upstream.wire, compiled in from the gateway sources), "webclient" with Helidon's WebClient.
 */
public final class HelidonTlsUpstreamProxy {
    static final Set<HeaderName> SKIP = Set.of(HeaderNames.CONNECTION, HeaderNames.create("Keep-Alive"), HeaderNames.TRANSFER_ENCODING,
            HeaderNames.UPGRADE, HeaderNames.create("Proxy-Connection"), HeaderNames.TE, HeaderNames.TRAILER, HeaderNames.HOST,
            HeaderNames.create("HTTP2-Settings"), HeaderNames.CONTENT_LENGTH);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        boolean wire = args[2].equals("wire");
        boolean gateway = NettyCommon.DIR != null;
        SSLContext trust = gateway ? NettyWireProxy.context("client") : upstreamTrust();
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {"TLSv1.3"});
        params.setEndpointIdentificationAlgorithm("HTTPS");
        URI origin = URI.create("https://" + (gateway ? "localhost" : "127.0.0.1") + ":" + upstream);
        UpstreamConnections connections = new UpstreamConnections(origin, trust, params,
                Duration.ofSeconds(5), Duration.ofSeconds(30), 256, Duration.ofSeconds(50));
        WebClient client = WebClient.builder()
                .baseUri(origin.toString())
                .tls(Tls.builder().sslContext(trust).sslParameters(params).build())
                .connectionCacheSize(256)
                .shareConnectionCache(false)
                .followRedirects(false)
                .sendExpectContinue(false)
                .socketOptions(o -> o.tcpNoDelay(true))
                .build();
        WebServer ws = WebServer.builder().host("127.0.0.1").port(port)
                .connectionOptions(o -> o.tcpNoDelay(true))
                .tls(gateway
                        ? Tls.builder().sslContext(NettyWireProxy.context("nginx")).enabledProtocols(List.of("TLSv1.3")).build()
                        : HelidonHello.helidonTls())
                .routing(r -> r.any((req, res) -> {
                    if (wire) proxyWire(connections, req, res); else HelidonProxy.proxy(client, req, res);
                }))
                .build().start();
        System.out.println("HelidonTlsUpstreamProxy listening on " + ws.port() + " -> https " + upstream + " client=" + args[2]);
    }

    /** Trusts the self-signed certificate NettyHello presents (target/certs/server.p12). */
    static SSLContext upstreamTrust() throws Exception {
        KeyStore ks = Certs.load(Certs.keystore("server", "localhost"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static void proxyWire(UpstreamConnections up, ServerRequest req, ServerResponse res) throws Exception {
        String q = req.query().rawValue();
        String target = q == null || q.isEmpty() ? req.path().rawPath() : req.path().rawPath() + "?" + q;
        List<HeaderField> headers = new ArrayList<>();
        for (Header h : req.headers()) {
            if (SKIP.contains(h.headerName())) continue;
            for (String v : h.allValues()) headers.add(new HeaderField(h.name(), v));
        }
        RequestBody body = RequestBody.none();
        if (req.content().hasEntity()) {
            InputStream in = req.content().inputStream();
            body = req.headers().contentLength().isPresent()
                    ? RequestBody.of(in, req.headers().contentLength().getAsLong())
                    : RequestBody.chunked(in);
        }
        try (UpstreamExchange ex = up.send(new UpstreamRequest(req.prologue().method().text(), target, headers, body))) {
            res.status(Status.create(ex.status()));
            for (HeaderField f : ex.headers()) {
                HeaderName name = HeaderNames.create(f.name());
                if (!SKIP.contains(name) || name.equals(HeaderNames.CONTENT_LENGTH)) res.headers().add(HeaderValues.create(name, f.value()));
            }
            try (InputStream in = ex.body(); OutputStream out = res.outputStream()) {
                in.transferTo(out);
            }
        }
    }
}
