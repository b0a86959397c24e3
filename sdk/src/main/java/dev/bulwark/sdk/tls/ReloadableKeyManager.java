package dev.bulwark.sdk.tls;

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
  private static final String PREFIX = "generation-";

  // JSSE asks for an alias first and for the chain and key by that alias afterwards; naming each
  // certificate generation keeps both answers from one generation even if an update lands between.
  private final AtomicReference<Generation> current;
  private final AtomicReference<Generation> previous = new AtomicReference<>();

  /** A key manager presenting {@code initial} until the first {@link #update(CertifiedKey)}. */
  public ReloadableKeyManager(CertifiedKey initial) {
    this.current = new AtomicReference<>(new Generation(0, requireNonNull(initial, "initial")));
  }

  /** Takes effect on the next handshake. */
  public synchronized void update(CertifiedKey next) {
    requireNonNull(next, "next");
    Generation old = current.get();
    previous.set(old);
    current.set(new Generation(old.number() + 1, next));
  }

  /** The key the next handshake presents. */
  public CertifiedKey current() {
    return current.get().key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return clientAlias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return clientAlias(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Generation generation = current.get();
    return matches(generation, keyType) ? generation.alias() : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Generation generation = current.get();
    return matches(generation, keyType) ? generation.alias() : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return byAlias(alias).map(g -> g.key().chain().toArray(X509Certificate[]::new)).orElse(null);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return byAlias(alias).map(g -> g.key().privateKey()).orElse(null);
  }

  private String[] aliases(String keyType) {
    Generation generation = current.get();
    return matches(generation, keyType) ? new String[] {generation.alias()} : null;
  }

  private String clientAlias(String[] keyTypes) {
    Generation generation = current.get();
    if (keyTypes == null) {
      return generation.alias();
    }
    for (String keyType : keyTypes) {
      if (matches(generation, keyType)) {
        return generation.alias();
      }
    }
    return null;
  }

  private java.util.Optional<Generation> byAlias(String alias) {
    for (Generation generation : new Generation[] {current.get(), previous.get()}) {
      if (generation != null && generation.alias().equals(alias)) {
        return java.util.Optional.of(generation);
      }
    }
    return java.util.Optional.empty();
  }

  // JSSE asks once per signature scheme family; answering only for our key's algorithm lets the
  // handshake pick a scheme the key can actually sign with.
  private static boolean matches(Generation generation, String keyType) {
    String algorithm = generation.key().privateKey().getAlgorithm();
    return keyType == null
        || keyType.equalsIgnoreCase(algorithm)
        || ("EC".equals(algorithm) && keyType.startsWith("EC"))
        || ("RSA".equals(algorithm) && keyType.startsWith("RSA"));
  }

  private record Generation(long number, CertifiedKey key) {
    String alias() {
      return PREFIX + number;
    }
  }
}
