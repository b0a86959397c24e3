package bench;

import dev.bulwark.gateway.upstream.wire.*;
import io.netty.buffer.Unpooled;
import io.netty.channel.*;
import io.netty.handler.codec.http.*;
import java.io.*;
import java.net.URI;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.*;
import javax.net.ssl.*;

/**
 * The gateway's data path with no checks, for ceiling.sh: a Netty listener (JDK TLS) handing each request to a virtual
 * thread that forwards it with Bulwark's blocking upstream.wire client over mutual TLS. Needs -Dgl.dir (GatewayLoad's
 * output directory). Args: port upstreamPort.
 */
public final class NettyWireProxy {
    static UpstreamConnections up;

    /** An SSLContext with {@code who}-cert.pem / {@code who}-key.pem from gl.dir, trusting its ca.pem. */
    static SSLContext context(String who) throws Exception {
        String dir = System.getProperty("gl.dir");
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        KeyStore ks = KeyStore.getInstance("PKCS12"); ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> chain = cf.generateCertificates(Files.newInputStream(Path.of(dir, who + "-cert.pem")));
        String pem = Files.readString(Path.of(dir, who + "-key.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        ks.setKeyEntry("k", key, new char[0], chain.toArray(new java.security.cert.Certificate[0]));
        KeyStore ts = KeyStore.getInstance("PKCS12"); ts.load(null, null);
        ts.setCertificateEntry("ca", cf.generateCertificate(Files.newInputStream(Path.of(dir, "ca.pem"))));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX"); kmf.init(ks, new char[0]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX"); tmf.init(ts);
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    public static void main(String[] args) throws Exception {
        SSLContext ctx = context("client");
        SSLParameters params = new SSLParameters(); params.setProtocols(new String[] {"TLSv1.3"});
        up = new UpstreamConnections(URI.create("https://localhost:" + args[1]), ctx, params,
                Duration.ofSeconds(5), Duration.ofSeconds(30), 256, Duration.ofSeconds(50));
        NettyServer.start("NettyWireProxy", Integer.parseInt(args[0]), true, Handler::new).closeFuture().sync();
    }

    static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest req)) return;
            String method = req.method().name(); String uri = req.uri();
            List<HeaderField> fields = new ArrayList<>();
            for (Map.Entry<String, String> h : req.headers()) {
                String n = h.getKey();
                if (n.equalsIgnoreCase("host") || n.equalsIgnoreCase("connection") || n.startsWith("x-http2")) continue;
                fields.add(new HeaderField(n, h.getValue()));
            }
            Thread.startVirtualThread(() -> {
                try (UpstreamExchange ex = up.send(new UpstreamRequest(method, uri, fields, RequestBody.none()))) {
                    byte[] body;
                    try (InputStream in = ex.body()) { body = in.readAllBytes(); }
                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(ex.status()), Unpooled.wrappedBuffer(body));
                    for (HeaderField f : ex.headers()) if (!f.is("connection") && !f.is("content-length") && !f.is("transfer-encoding")) res.headers().add(f.name(), f.value());
                    HttpUtil.setContentLength(res, body.length);
                    ctx.writeAndFlush(res);
                } catch (Exception e) {
                    ctx.close();
                }
            });
        }
    }
}
