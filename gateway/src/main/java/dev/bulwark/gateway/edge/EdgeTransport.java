package dev.bulwark.gateway.edge;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport the gateway's event loops run: epoll where the platform has it, NIO
 * elsewhere. The upstream hop opens its connections on the listener's own event loops, so both must
 * take their channel types from here.
 */
public final class EdgeTransport {
  private static final boolean EPOLL = Epoll.isAvailable();

  private EdgeTransport() {}

  /** Whether the transport is epoll (else NIO). */
  public static boolean epoll() {
    return EPOLL;
  }

  /** The type of an outgoing connection on the gateway's event loops. */
  public static Class<? extends SocketChannel> clientChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static Class<? extends ServerSocketChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static IoHandlerFactory ioHandler() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }
}
