package bench;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http2.Http2Config;

/** HelidonHello with TCP_NODELAY and HTTP/2 windows raised (1 MiB, 64 KiB frames). Args: port [tls|plain]. */
public final class HelidonHelloTuned {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean tls = args.length < 2 || args[1].equals("tls");
    var builder =
        WebServer.builder()
            .host("127.0.0.1")
            .port(port)
            .connectionOptions(o -> o.tcpNoDelay(true))
            .addProtocol(Http2Config.builder().initialWindowSize(1 << 20).maxFrameSize(1 << 16).maxConcurrentStreams(1000).build())
            .routing(
                r ->
                    r.get(
                        "/hello",
                        (req, res) -> {
                          res.header(HeaderValues.CONTENT_TYPE_JSON);
                          res.send(HelidonHello.BODY);
                        }))
            ;
    if (tls) {
      builder.tls(HelidonHello.helidonTls());
    }
    WebServer ws = builder.build().start();
    System.out.println("HelidonHelloTuned listening on " + ws.port());
  }
}
