package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a TLS peer's X.509-SVID as SPIFFE prescribes (X.509-SVID §5): the chain must lead to a
 * root of the current trust bundle, the leaf must be a non-CA certificate naming exactly one SPIFFE
 * ID of the bundle's trust domain, and neither the ID nor any certificate in the chain may be on
 * the deny list. Then the {@link PeerAuthorizer} decides whether that workload may be the peer.
 * Host names play no part: a workload is known by its SPIFFE ID.
 *
 * <p>The bundle and deny list are read on every handshake, so updates take effect on the next
 * connection. Every refusal is reported to the listener given, with its reason.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final Supplier<TrustBundle> bundle;
  private final Supplier<DenyList> denyList;
  private final PeerAuthorizer authorizer;
  private final Clock clock;
  private final Consumer<PeerRefusal> refusals;

  /**
   * A trust manager reading {@code bundle} and {@code denyList} at each handshake, letting {@code
   * authorizer} decide which verified peers are allowed, and telling {@code refusals} of each
   * refused peer.
   */
  public SpiffeTrustManager(
      Supplier<TrustBundle> bundle,
      Supplier<DenyList> denyList,
      PeerAuthorizer authorizer,
      Clock clock,
      Consumer<PeerRefusal> refusals) {
    this.bundle = requireNonNull(bundle, "bundle");
    this.denyList = requireNonNull(denyList, "denyList");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
    this.refusals = requireNonNull(refusals, "refusals");
  }

  /**
   * Verifies {@code chain} (leaf first) as the certificate of a peer acting as {@code role}, and
   * returns the SPIFFE ID it proves.
   *
   * @throws CertificateException with a message that says why the peer is refused
   */
  public SpiffeId verify(X509Certificate[] chain, Role role) throws CertificateException {
    return verify(chain, role, Optional.empty());
  }

  private SpiffeId verify(X509Certificate[] chain, Role role, Optional<String> protocol)
      throws CertificateException {
    requireNonNull(role, "role");
    Optional<SpiffeId> id = Optional.empty();
    try {
      // The contexts WorkloadTls hands out allow only TLS 1.3; this catches a context configured
      // by hand with an older version, whose weaker handshake must not carry a workload identity.
      if (protocol.isPresent() && !WorkloadTls.TLS_13.equals(protocol.get())) {
        throw new CertificateException(
            "the connection uses "
                + protocol.get()
                + " (only "
                + WorkloadTls.TLS_13
                + " is accepted)");
      }
      if (chain == null || chain.length == 0) {
        throw new CertificateException("the peer presented no certificate");
      }
      X509Certificate leaf = chain[0];
      try {
        id = SpiffeId.fromCertificate(leaf);
      } catch (IllegalArgumentException e) {
        throw new CertificateException(
            "the peer certificate is not an X.509-SVID: " + e.getMessage());
      }
      SpiffeId peer =
          id.orElseThrow(() -> new CertificateException("the peer certificate names no SPIFFE ID"));
      if (peer.path().isEmpty()) {
        // X.509-SVID §3.1: only signing certificates name the bare trust domain.
        throw new CertificateException(
            "the peer certificate names " + peer + ", which has no path (not a workload)");
      }
      TrustBundle trusted = bundle.get();
      if (!peer.memberOf(trusted.trustDomain())) {
        throw new CertificateException(
            "the peer " + peer + " is not of trust domain " + trusted.trustDomain());
      }
      checkLeaf(leaf, role);
      validatePath(chain, trusted);
      Optional<String> revoked = denyList.get().refusal(id, Arrays.asList(chain));
      if (revoked.isPresent()) {
        throw new CertificateException(revoked.get());
      }
      if (!authorizer.allows(peer)) {
        throw new CertificateException(
            "the peer " + peer + " is not allowed here (allowed: " + authorizer + ")");
      }
      return peer;
    } catch (CertificateException e) {
      refusals.accept(new PeerRefusal(id, role, e.getMessage()));
      throw e;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, Role.CLIENT);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, Role.CLIENT, protocol(socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, Role.CLIENT, protocol(engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, Role.SERVER);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, Role.SERVER, protocol(socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, Role.SERVER, protocol(engine));
  }

  /** The bundle's roots: a server names them when it asks the client for a certificate. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.get().authorities().toArray(X509Certificate[]::new);
  }

  private static Optional<String> protocol(Socket socket) {
    return socket instanceof SSLSocket ssl
        ? Optional.ofNullable(ssl.getHandshakeSession()).map(SSLSession::getProtocol)
        : Optional.empty();
  }

  private static Optional<String> protocol(SSLEngine engine) {
    return engine == null
        ? Optional.empty()
        : Optional.ofNullable(engine.getHandshakeSession()).map(SSLSession::getProtocol);
  }

  private static void checkLeaf(X509Certificate leaf, Role role) throws CertificateException {
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException("the peer certificate is a CA certificate, not an SVID");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage == null || !usage[DIGITAL_SIGNATURE]) {
      throw new CertificateException("the peer certificate lacks the digitalSignature key usage");
    }
    // X.509-SVID §5.2: a certificate that may sign certificates or CRLs is no leaf, whatever its
    // basic constraints say.
    if ((usage.length > KEY_CERT_SIGN && usage[KEY_CERT_SIGN])
        || (usage.length > CRL_SIGN && usage[CRL_SIGN])) {
      throw new CertificateException(
          "the peer certificate may sign certificates or CRLs (keyCertSign/cRLSign), not an SVID");
    }
    List<String> extended;
    try {
      extended = leaf.getExtendedKeyUsage();
    } catch (java.security.cert.CertificateParsingException e) {
      throw new CertificateException("the peer certificate's extended key usage is malformed");
    }
    String needed = role == Role.CLIENT ? CLIENT_AUTH : SERVER_AUTH;
    if (extended != null && !extended.contains(needed)) {
      throw new CertificateException(
          "the peer certificate may not be used for "
              + (role == Role.CLIENT ? "client" : "server")
              + " authentication");
    }
  }

  private void validatePath(X509Certificate[] chain, TrustBundle trusted)
      throws CertificateException {
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      // A peer may send its root along; PKIX wants the path without the anchor.
      if (!trusted.authorities().contains(certificate)) {
        path.add(certificate);
      }
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(trusted.anchors());
      // Revocation is the deny list's job; SVIDs carry no CRL or OCSP pointers.
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    } catch (CertPathValidatorException e) {
      throw new CertificateException(pathFailure(e), e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the peer's certificate chain cannot be validated", e);
    }
  }

  private static String pathFailure(CertPathValidatorException e) {
    if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
      return "the peer's certificate has expired";
    }
    if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      return "the peer's certificate is not yet valid";
    }
    if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE
        || e.getReason() == java.security.cert.PKIXReason.NO_TRUST_ANCHOR) {
      return "the peer's certificate is not issued by a CA of this trust domain";
    }
    return "the peer's certificate chain is not valid: " + e.getMessage();
  }

  /** The part the peer plays in the handshake. */
  public enum Role {
    /** The side that opened the connection. */
    CLIENT,
    /** The side that accepted the connection. */
    SERVER
  }

  /**
   * A refused peer: the SPIFFE ID it claimed, if it claimed one, and why it was refused.
   *
   * @param peer the SPIFFE ID in the peer's certificate, if any
   * @param role the part the peer played
   * @param reason why it was refused
   */
  public record PeerRefusal(Optional<SpiffeId> peer, Role role, String reason) {
    /** A refusal; no component may be null. */
    public PeerRefusal {
      requireNonNull(peer, "peer");
      requireNonNull(role, "role");
      requireNonNull(reason, "reason");
    }
  }
}
