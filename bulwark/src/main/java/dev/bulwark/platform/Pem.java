package dev.bulwark.platform;

import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM text for keys handed to tools outside the JVM (curl, openssl). */
final class Pem {
  private Pem() {}

  /** {@code key} as an unencrypted PKCS#8 PEM block; the caller writes it with mode 0600. */
  static String privateKey(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    return out.toString();
  }
}
