package bench;

import io.netty.channel.*;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.*;
import io.netty.handler.ssl.ApplicationProtocolConfig.*;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

final class NettyCommon {
    static final boolean EPOLL = !Boolean.getBoolean("bench.nio") && Epoll.isAvailable();

    static IoHandlerFactory ioFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }
    static Class<? extends ServerSocketChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
    static Class<? extends SocketChannel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
    static String transport() {
        return EPOLL ? "epoll" : ("nio" + (Epoll.isAvailable() ? "" : " (epoll unavailable: " + Epoll.unavailabilityCause() + ")"));
    }

    /** Netty SslContext on the JDK (JSSE) provider, TLS 1.3 only, ALPN h2 + http/1.1. Same keystore as Helidon. */
    /** The gateway bench's output directory (GatewayLoad's PEM files), when run by ceiling.sh; otherwise null. */
    static final String DIR = System.getProperty("gl.dir");

    /** BoringSSL (netty-tcnative) unless -Dbench.jdk=true. Only with gl.dir: run.sh keeps the JDK. */
    static SslProvider provider() { return Boolean.getBoolean("bench.jdk") ? SslProvider.JDK : SslProvider.OPENSSL; }

    /** Mutual TLS 1.3 to GatewayLoad's upstream with its client certificate (ceiling.sh). */
    static SslContext clientSsl() throws Exception {
        return SslContextBuilder.forClient().sslProvider(provider()).protocols("TLSv1.3")
                .keyManager(new java.io.File(DIR, "client-cert.pem"), new java.io.File(DIR, "client-key.pem"))
                .trustManager(new java.io.File(DIR, "ca.pem")).build();
    }

    static SslContext serverSsl() throws Exception {
        SslContextBuilder builder;
        if (DIR != null) {
            builder = SslContextBuilder.forServer(new java.io.File(DIR, "nginx-cert.pem"), new java.io.File(DIR, "nginx-key.pem"))
                    .sslProvider(provider());
        } else {
            KeyStore ks = Certs.load(Certs.keystore("server", "localhost"));
            PrivateKey key = (PrivateKey) ks.getKey("key", Certs.PASS);
            X509Certificate cert = (X509Certificate) ks.getCertificate("key");
            builder = SslContextBuilder.forServer(key, cert).sslProvider(SslProvider.JDK);
        }
        return builder
                .protocols("TLSv1.3")
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    static int threads() {
        return Integer.getInteger("bench.threads", Runtime.getRuntime().availableProcessors());
    }
}
