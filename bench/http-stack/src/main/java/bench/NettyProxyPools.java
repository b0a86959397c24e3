package bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.*;
import io.netty.channel.pool.*;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;

/** Shared worker event loops and one upstream keep-alive connection pool per event loop (so the inbound and upstream channel of an exchange share a thread). */
final class NettyProxyPools {
    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(NettyCommon.threads(), NettyCommon.ioFactory());
    static final AttributeKey<NettyProxy.Exchange> EXCHANGE = AttributeKey.valueOf("exchange");
    private static final Map<EventExecutor, ChannelPool> POOLS = new IdentityHashMap<>();

    // With gl.dir (ceiling.sh): mutual TLS to GatewayLoad's upstream; otherwise cleartext.
    static io.netty.handler.ssl.SslContext upstreamTls;

    static synchronized void init(int upstreamPort) {
        if (NettyCommon.DIR != null) {
            try { upstreamTls = NettyCommon.clientSsl(); } catch (Exception e) { throw new IllegalStateException(e); }
        }
        for (EventExecutor e : GROUP) {
            Bootstrap b = new Bootstrap().group((EventLoop) e).channel(NettyCommon.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .remoteAddress(new InetSocketAddress("127.0.0.1", upstreamPort));
            POOLS.put(e, new SimpleChannelPool(b, new AbstractChannelPoolHandler() {
                @Override public void channelCreated(Channel ch) {
                    if (upstreamTls != null) ch.pipeline().addLast(upstreamTls.newHandler(ch.alloc(), "localhost", upstreamPort));
                    ch.pipeline().addLast(new HttpClientCodec());
                    ch.pipeline().addLast(new NettyProxy.UpstreamHandler());
                }
            }, ChannelHealthChecker.ACTIVE, true, true));
        }
    }

    static ChannelPool pool(EventLoop loop) {
        return POOLS.get(loop);
    }
}
