package dev.bulwark.runtime.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A JSSE key manager whose certificate can be replaced while servers and clients keep running:
 * every new handshake presents the key most recently given to {@link #update(CertifiedKey)}, and
 * connections already open are left alone.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "current";

  private final AtomicReference<CertifiedKey> current;

  public ReloadableKeyManager(CertifiedKey initial) {
    this.current = new AtomicReference<>(requireNonNull(initial, "initial"));
  }

  /** Takes effect on the next handshake. */
  public void update(CertifiedKey next) {
    current.set(requireNonNull(next, "next"));
  }

  public CertifiedKey current() {
    return current.get();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? current.get().chain().toArray(X509Certificate[]::new) : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? current.get().privateKey() : null;
  }

  // JSSE asks once per signature scheme family; answering only for our key's algorithm lets the
  // handshake pick a scheme the key can actually sign with.
  private boolean matches(String keyType) {
    String algorithm = current.get().privateKey().getAlgorithm();
    return keyType == null
        || keyType.equalsIgnoreCase(algorithm)
        || ("EC".equals(algorithm) && keyType.startsWith("EC"))
        || ("RSA".equals(algorithm) && keyType.startsWith("RSA"));
  }
}
