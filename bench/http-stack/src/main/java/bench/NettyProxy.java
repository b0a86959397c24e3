package bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.*;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.*;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/** Netty streaming reverse proxy. Args: port upstreamPort [tls|plain]. Inbound HTTP/1.1 or h2 (ALPN); upstream plain HTTP/1.1 with pooled keep-alive connections.
 *  Request and response bodies are streamed chunk by chunk (HttpContent), with autoRead-based back-pressure in both directions. */
public final class NettyProxy {
    static final List<CharSequence> HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, "http2-settings");
    static String upstreamHost;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        boolean tls = args.length < 3 || args[2].equals("tls");
        upstreamHost = "127.0.0.1:" + upstream;
        NettyProxyPools.init(upstream);
        NettyServer.start("NettyProxy -> " + upstream, port, tls, Exchange::new).closeFuture().sync();
    }

    static void stripHop(HttpHeaders h) {
        for (CharSequence n : HOP) h.remove(n);
        h.names().removeIf(n -> n.regionMatches(true, 0, "x-http2-", 0, 8));
    }

    /** Inbound-side handler; one per inbound connection (HTTP/1.1) or per stream (h2). */
    static final class Exchange extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Object> pending = new ArrayDeque<>();
        private ChannelHandlerContext ctx;
        private ChannelPool pool;
        private Channel upstream;
        private boolean acquiring, requestSent, responseStarted, upstreamKeepAlive;

        @Override public void handlerAdded(ChannelHandlerContext ctx) { this.ctx = ctx; }

        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (upstream != null && !requestSent && pending.isEmpty()) {
                forward(msg);
            } else {
                pending.add(msg);
                maybeStart();
            }
        }

        @Override public void channelReadComplete(ChannelHandlerContext ctx) {
            if (upstream != null) upstream.flush();
        }

        private void maybeStart() {
            if (upstream != null || acquiring || pending.isEmpty()) return;
            if (!(pending.peek() instanceof HttpRequest)) { ReferenceCountUtil.release(pending.poll()); maybeStart(); return; }
            acquiring = true;
            if (pool == null) pool = NettyProxyPools.pool(ctx.channel().eventLoop());
            pool.acquire().addListener(f -> {
                acquiring = false;
                if (!f.isSuccess()) { fail(); return; }
                Channel ch = (Channel) f.getNow();
                if (!ctx.channel().isActive()) { pool.release(ch); return; }
                upstream = ch;
                requestSent = responseStarted = false;
                ch.attr(NettyProxyPools.EXCHANGE).set(this);
                while (upstream != null && !requestSent && !pending.isEmpty()) forward(pending.poll());
                if (upstream != null) upstream.flush();
            });
        }

        private void forward(Object msg) {
            if (msg instanceof HttpRequest req) {
                stripHop(req.headers());
                req.headers().set(HttpHeaderNames.HOST, upstreamHost);
                req.setProtocolVersion(HttpVersion.HTTP_1_1);
            }
            if (msg instanceof LastHttpContent) requestSent = true;
            upstream.write(msg, upstream.voidPromise());
            if (!upstream.isWritable()) ctx.channel().config().setAutoRead(false);
        }

        /** Called on the shared event loop by the upstream handler. */
        void onUpstream(Object msg) {
            if (msg instanceof HttpResponse res) {
                responseStarted = true;
                upstreamKeepAlive = HttpUtil.isKeepAlive(res);
                stripHop(res.headers());
            }
            boolean last = msg instanceof LastHttpContent;
            if (last) ctx.writeAndFlush(msg); else ctx.write(msg);
            if (!ctx.channel().isWritable() && upstream != null) upstream.config().setAutoRead(false);
            if (last) finish(upstreamKeepAlive && requestSent);
        }

        void upstreamFlush() { ctx.flush(); }

        void upstreamWritable(boolean w) { if (w) ctx.channel().config().setAutoRead(true); }

        void upstreamClosed() {
            Channel u = upstream;
            if (u == null) return;
            upstream = null;
            u.attr(NettyProxyPools.EXCHANGE).set(null);
            if (!responseStarted) fail(); else ctx.close();
        }

        private void finish(boolean reuse) {
            Channel u = upstream;
            upstream = null;
            u.attr(NettyProxyPools.EXCHANGE).set(null);
            u.config().setAutoRead(true);
            if (reuse) pool.release(u); else { u.close(); pool.release(u); }
            ctx.channel().config().setAutoRead(true);
            maybeStart();
        }

        private void fail() {
            // drop the rest of the failed request, answer 502
            Object m;
            while ((m = pending.poll()) != null) { boolean l = m instanceof LastHttpContent; ReferenceCountUtil.release(m); if (l) break; }
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY, Unpooled.EMPTY_BUFFER);
            HttpUtil.setContentLength(r, 0);
            ctx.writeAndFlush(r);
            maybeStart();
        }

        @Override public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && upstream != null) upstream.config().setAutoRead(true);
            ctx.fireChannelWritabilityChanged();
        }

        @Override public void channelInactive(ChannelHandlerContext ctx) {
            Object m;
            while ((m = pending.poll()) != null) ReferenceCountUtil.release(m);
            Channel u = upstream;
            if (u != null) { upstream = null; u.attr(NettyProxyPools.EXCHANGE).set(null); u.close(); pool.release(u); }
            ctx.fireChannelInactive();
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }

    /** Upstream-side handler (lives in pooled client channels). */
    static final class UpstreamHandler extends ChannelInboundHandlerAdapter {
        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange ex = ctx.channel().attr(NettyProxyPools.EXCHANGE).get();
            if (ex == null) { ReferenceCountUtil.release(msg); ctx.close(); return; }
            ex.onUpstream(msg);
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) {
            Exchange ex = ctx.channel().attr(NettyProxyPools.EXCHANGE).get();
            if (ex != null) ex.upstreamFlush();
        }
        @Override public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Exchange ex = ctx.channel().attr(NettyProxyPools.EXCHANGE).get();
            if (ex != null) ex.upstreamWritable(ctx.channel().isWritable());
        }
        @Override public void channelInactive(ChannelHandlerContext ctx) {
            Exchange ex = ctx.channel().attr(NettyProxyPools.EXCHANGE).get();
            if (ex != null) ex.upstreamClosed();
        }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }
}
