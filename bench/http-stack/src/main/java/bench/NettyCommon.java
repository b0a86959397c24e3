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
    static SslContext serverSsl() throws Exception {
        KeyStore ks = Certs.load(Certs.keystore("server", "localhost"));
        PrivateKey key = (PrivateKey) ks.getKey("key", Certs.PASS);
        X509Certificate cert = (X509Certificate) ks.getCertificate("key");
        return SslContextBuilder.forServer(key, cert)
                .sslProvider(SslProvider.JDK)
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
