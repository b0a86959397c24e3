package dev.bulwark.runtime.http;

import io.helidon.common.socket.PeerInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The peer's IP address as text, never a resolved host name (logs and X-Forwarded-For need the
 * address).
 */
public final class PeerAddress {
  private PeerAddress() {}

  public static String of(PeerInfo peer) {
    return of(peer.address());
  }

  /** {@code address}'s IP address as text, or {@code unknown} if it has none. */
  public static String of(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return "unknown";
  }
}
