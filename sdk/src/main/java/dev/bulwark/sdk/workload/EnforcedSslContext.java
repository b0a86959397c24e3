package dev.bulwark.sdk.workload;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSL context whose engines and sockets come configured: TLS 1.3 only and, for a server, a
 * client certificate required. A plain context leaves both to every caller, and a caller who
 * forgets gets TLS 1.2 and, on a server, clients that need not authenticate at all.
 *
 * <p>Session resumption is off unless a window is given: a resumed TLS 1.3 session skips the
 * certificate exchange, so neither a renewed certificate nor a revocation reaches the trust manager
 * until the window has passed.
 */
final class EnforcedSslContext extends SSLContext {
  // JSSE issues no TLS 1.3 session tickets, and discards the tickets it receives, when the session
  // timeout exceeds the longest ticket lifetime TLS 1.3 allows (RFC 8446 §4.6.1: seven days).
  private static final int NO_TICKETS = 7 * 24 * 60 * 60 + 1;

  EnforcedSslContext(
      SSLContext delegate, Supplier<SSLParameters> parameters, java.time.Duration resumption) {
    super(new Spi(delegate, parameters), delegate.getProvider(), delegate.getProtocol());
    if (resumption.isNegative() || resumption.compareTo(java.time.Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "resumption window: " + resumption + " (expected from 0 (off) to 1 hour)");
    }
    // The session timeout is the ticket lifetime the server announces and the longest a client
    // keeps a session for resumption.
    int timeout = resumption.isZero() ? NO_TICKETS : (int) Math.max(1, resumption.toSeconds());
    delegate.getServerSessionContext().setSessionTimeout(timeout);
    delegate.getClientSessionContext().setSessionTimeout(timeout);
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext delegate;
    private final Supplier<SSLParameters> parameters;

    Spi(SSLContext delegate, Supplier<SSLParameters> parameters) {
      this.delegate = delegate;
      this.parameters = parameters;
    }

    @Override
    protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("this workload TLS context is initialized already");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return new SocketFactory(delegate.getSocketFactory(), parameters);
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return new ServerSocketFactory(delegate.getServerSocketFactory(), parameters);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      SSLEngine engine = delegate.createSSLEngine();
      engine.setSSLParameters(parameters.get());
      return engine;
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      SSLEngine engine = delegate.createSSLEngine(host, port);
      engine.setSSLParameters(parameters.get());
      return engine;
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      SSLParameters defaults = delegate.getDefaultSSLParameters();
      SSLParameters enforced = parameters.get();
      enforced.setCipherSuites(defaults.getCipherSuites());
      return enforced;
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      SSLParameters supported = delegate.getSupportedSSLParameters();
      supported.setProtocols(parameters.get().getProtocols());
      return supported;
    }
  }

  private static final class SocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final Supplier<SSLParameters> parameters;

    SocketFactory(SSLSocketFactory delegate, Supplier<SSLParameters> parameters) {
      this.delegate = delegate;
      this.parameters = parameters;
    }

    private Socket configured(Socket socket) {
      ((SSLSocket) socket).setSSLParameters(parameters.get());
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return configured(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
        throws IOException {
      return configured(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose)
        throws IOException {
      return configured(delegate.createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configured(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return configured(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configured(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return configured(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  private static final class ServerSocketFactory extends SSLServerSocketFactory {
    private final SSLServerSocketFactory delegate;
    private final Supplier<SSLParameters> parameters;

    ServerSocketFactory(SSLServerSocketFactory delegate, Supplier<SSLParameters> parameters) {
      this.delegate = delegate;
      this.parameters = parameters;
    }

    private ServerSocket configured(ServerSocket socket) {
      ((SSLServerSocket) socket).setSSLParameters(parameters.get());
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return configured(delegate.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return configured(delegate.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return configured(delegate.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      return configured(delegate.createServerSocket(port, backlog, address));
    }
  }
}
