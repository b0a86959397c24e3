package dev.bulwark.gateway.upstream;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's HTTP/1.1 response parser with the lenient choices taken out, as on the listener's side: a
 * response with both Transfer-Encoding and Content-Length, several Content-Length values, bare LF
 * line ends and bad header names or values are parse failures, and nothing of such a response is
 * passed on. It also knows when the answer to a HEAD request has no body whatever its
 * Content-Length says (RFC 9110 §9.3.2), which a parser alone cannot tell.
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {
  private boolean headRequest;

  UpstreamResponseDecoder(int maxHeaderSize) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(8 * 1024)
            .setMaxHeaderSize(maxHeaderSize)
            .setMaxChunkSize(16 * 1024)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setStrictLineParsing(true));
  }

  /** Called before each request is written: one request at a time per connection. */
  void expectAnswerTo(String method) {
    headRequest = "HEAD".equals(method);
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    return headRequest || super.isContentAlwaysEmpty(message);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // RFC 9112 §6.3: a response framed both ways is refused rather than read one way.
    throw new IllegalArgumentException("both Content-Length and Transfer-Encoding");
  }
}
