package bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.*;
import io.netty.handler.codec.http.*;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/** Netty hello world. Args: port [tls|plain]. */
public final class NettyHello {
    static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8)).asReadOnly());

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean tls = args.length < 2 || args[1].equals("tls");
        NettyServer.start("NettyHello", port, tls, Handler::new).closeFuture().sync();
    }

    static final class Handler extends ChannelInboundHandlerAdapter {
        private boolean echo;

        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // POST /echo streams the request body back chunk by chunk (used to verify proxy body streaming)
            if (msg instanceof HttpRequest req && req.uri().startsWith("/echo")) {
                echo = true;
                DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
                HttpUtil.setTransferEncodingChunked(res, true);
                ctx.write(res);
            }
            if (echo) {
                if (msg instanceof HttpContent c) {
                    boolean last = c instanceof LastHttpContent;
                    ctx.write(last ? new DefaultLastHttpContent(c.content()) : new DefaultHttpContent(c.content()));
                    if (last) echo = false;
                } else {
                    ReferenceCountUtil.release(msg);
                }
                return;
            }
            try {
                if (msg instanceof HttpRequest req) {
                    FullHttpResponse res;
                    if (req.method() == HttpMethod.GET && req.uri().startsWith("/hello")) {
                        res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate());
                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                    } else {
                        res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                    }
                    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
                    ctx.write(res);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { ctx.flush(); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }
}
