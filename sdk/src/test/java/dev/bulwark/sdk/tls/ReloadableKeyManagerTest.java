package dev.bulwark.sdk.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class ReloadableKeyManagerTest {
  @Test
  void aliasChosenBeforeAnUpdateStillYieldsAMatchingCertificateAndKey() throws Exception {
    CertifiedKey first = selfSigned();
    CertifiedKey second = selfSigned();
    ReloadableKeyManager keys = new ReloadableKeyManager(first);
    String alias = keys.chooseEngineServerAlias("EC", null, null);

    keys.update(second);

    assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(first.leaf());
    assertThat(keys.getPrivateKey(alias)).isEqualTo(first.privateKey());
    String next = keys.chooseEngineServerAlias("EC", null, null);
    assertThat(next).isNotEqualTo(alias);
    assertThat(keys.getCertificateChain(next)[0]).isEqualTo(second.leaf());
    assertThat(keys.getPrivateKey(next)).isEqualTo(second.privateKey());
  }

  @Test
  void unknownAliasYieldsNothing() throws Exception {
    ReloadableKeyManager keys = new ReloadableKeyManager(selfSigned());

    assertThat(keys.getCertificateChain("someone-else")).isNull();
    assertThat(keys.getPrivateKey("someone-else")).isNull();
  }

  @Test
  void refusesKeyTypesItCannotSignWith() throws Exception {
    ReloadableKeyManager keys = new ReloadableKeyManager(selfSigned());

    assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
  }

  @Test
  void offersItsKeyToAServerOnlyForAKeyTypeItCanSignWith() throws Exception {
    ReloadableKeyManager keys = new ReloadableKeyManager(selfSigned());

    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo("generation-0");
    assertThat(keys.chooseClientAlias(new String[] {"RSA"}, null, null)).isNull();
    assertThat(keys.getClientAliases("EC", null)).containsExactly("generation-0");
    assertThat(keys.getServerAliases("RSA", null)).isNull();
  }

  // A throwaway certificate from the JDK alone: this module does not depend on the CA.
  private static CertifiedKey selfSigned() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair pair = generator.generateKeyPair();
    X509Certificate certificate = new FakeCertificate(pair, BigInteger.valueOf(System.nanoTime()));
    return new CertifiedKey(pair.getPrivate(), List.of(certificate));
  }

  /** Just enough of a certificate for the key manager, which only hands it on. */
  // X509Certificate still declares the deprecated DN getters abstract, so they must be overridden.
  @SuppressWarnings("deprecation")
  private static final class FakeCertificate extends X509Certificate {
    private static final long serialVersionUID = 1L;
    private final transient KeyPair pair;
    private final BigInteger serial;

    FakeCertificate(KeyPair pair, BigInteger serial) {
      this.pair = pair;
      this.serial = serial;
    }

    @Override
    public void checkValidity() {}

    @Override
    public void checkValidity(Date date) {}

    @Override
    public int getVersion() {
      return 3;
    }

    @Override
    public BigInteger getSerialNumber() {
      return serial;
    }

    @Override
    public java.security.Principal getIssuerDN() {
      return getSubjectX500Principal();
    }

    @Override
    public java.security.Principal getSubjectDN() {
      return getSubjectX500Principal();
    }

    @Override
    public X500Principal getSubjectX500Principal() {
      return new X500Principal("CN=test-" + serial);
    }

    @Override
    public Date getNotBefore() {
      return Date.from(Instant.now());
    }

    @Override
    public Date getNotAfter() {
      return Date.from(Instant.now().plus(Duration.ofHours(1)));
    }

    @Override
    public byte[] getTBSCertificate() {
      return new byte[0];
    }

    @Override
    public byte[] getSignature() {
      return new byte[0];
    }

    @Override
    public String getSigAlgName() {
      return "SHA256withECDSA";
    }

    @Override
    public String getSigAlgOID() {
      return "1.2.840.10045.4.3.2";
    }

    @Override
    public byte[] getSigAlgParams() {
      return null;
    }

    @Override
    public boolean[] getIssuerUniqueID() {
      return null;
    }

    @Override
    public boolean[] getSubjectUniqueID() {
      return null;
    }

    @Override
    public boolean[] getKeyUsage() {
      return null;
    }

    @Override
    public int getBasicConstraints() {
      return -1;
    }

    @Override
    public byte[] getEncoded() {
      return serial.toByteArray();
    }

    @Override
    public void verify(java.security.PublicKey key) {}

    @Override
    public void verify(java.security.PublicKey key, String sigProvider) {}

    @Override
    public String toString() {
      return "FakeCertificate " + serial;
    }

    @Override
    public java.security.PublicKey getPublicKey() {
      return pair.getPublic();
    }

    @Override
    public boolean hasUnsupportedCriticalExtension() {
      return false;
    }

    @Override
    public java.util.Set<String> getCriticalExtensionOIDs() {
      return null;
    }

    @Override
    public java.util.Set<String> getNonCriticalExtensionOIDs() {
      return null;
    }

    @Override
    public byte[] getExtensionValue(String oid) {
      return null;
    }
  }
}
