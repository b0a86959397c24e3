package dev.bulwark.gateway.edge;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's HTTP/1.1 request parser with the lenient choices taken out: a request with both
 * Transfer-Encoding and Content-Length is refused rather than read as chunked (RFC 9112 §6.3
 * permits either; refusing leaves no two parsers to disagree, the root of request smuggling), bare
 * LF line ends are refused (strict line parsing), and so are several Content-Length values.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxInitialLineLength)
            .setMaxHeaderSize(maxHeaderSize)
            .setMaxChunkSize(16 * 1024)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setStrictLineParsing(true));
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
  }
}
