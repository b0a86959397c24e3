package bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.*;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.*;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;

/** Shared Netty server bootstrap: TLS (JDK provider) with ALPN h2/http1.1, or cleartext HTTP/1.1. The app handler sees HttpObjects in both cases
 *  (HTTP/2 streams are converted with Http2StreamFrameToHttpObjectCodec, one child channel per stream). */
final class NettyServer {
    static Channel start(String name, int port, boolean tls, Supplier<ChannelHandler> app) throws Exception {
        SslContext ssl = tls ? NettyCommon.serverSsl() : null;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NettyCommon.ioFactory());
        EventLoopGroup workers = NettyProxyPools.GROUP;
        ServerBootstrap sb = new ServerBootstrap().group(boss, workers)
                .channel(NettyCommon.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        if (ssl == null) {
                            http1(ch.pipeline(), app);
                        } else {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                                @Override protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                        ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1000)).build());
                                        ctx.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                            @Override protected void initChannel(Channel stream) {
                                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                                                stream.pipeline().addLast(app.get());
                                            }
                                        }));
                                    } else {
                                        http1(ctx.pipeline(), app);
                                    }
                                }
                            });
                        }
                    }
                });
        Channel ch = sb.bind("127.0.0.1", port).sync().channel();
        System.out.println(name + " listening on " + port + " tls=" + tls + " transport=" + NettyCommon.transport()
                + " workers=" + NettyCommon.threads());
        return ch;
    }

    static void http1(ChannelPipeline p, Supplier<ChannelHandler> app) {
        p.addLast(new HttpServerCodec());
        p.addLast(new HttpServerKeepAliveHandler());
        p.addLast(app.get());
    }
}
