package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain>/<path>}: the name of a workload, checked against the
 * SPIFFE-ID specification (§2) when parsed, so an instance is always valid.
 */
public final class SpiffeId {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_BYTES = 2048;
  private static final int URI_SAN = 6;

  private final TrustDomain trustDomain;
  private final String path;

  private SpiffeId(TrustDomain trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
  }

  /**
   * Parses {@code value}.
   *
   * @throws IllegalArgumentException naming the rule broken, if it is not a valid SPIFFE ID
   */
  public static SpiffeId parse(String value) {
    requireNonNull(value, "value");
    if (!value.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "SPIFFE ID '" + value + "': expected the scheme 'spiffe://' in lowercase");
    }
    String rest = value.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String domain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    try {
      return of(TrustDomain.of(domain), path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SPIFFE ID '" + value + "': " + e.getMessage(), e);
    }
  }

  /**
   * The ID {@code spiffe://<trustDomain><path>}; {@code path} is empty or starts with {@code /}.
   *
   * @throws IllegalArgumentException if {@code path} breaks a rule of SPIFFE-ID §2.2
   */
  public static SpiffeId of(TrustDomain trustDomain, String path) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(path, "path");
    if (!path.isEmpty()) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path '" + path + "': expected to start with '/'");
      }
      for (String segment : path.substring(1).split("/", -1)) {
        checkSegment(path, segment);
      }
    }
    int bytes = (SCHEME + trustDomain.name() + path).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException("expected at most " + MAX_BYTES + " bytes, was " + bytes);
    }
    return new SpiffeId(trustDomain, path);
  }

  /**
   * The SPIFFE ID an X.509-SVID names: its one URI SAN. Empty if the certificate has no URI SAN; an
   * exception if it has several (X.509-SVID §2) or the one is not a valid SPIFFE ID.
   */
  public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(
          "the certificate's subject alternative names cannot be read", e);
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() == 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    if (uris.isEmpty()) {
      return Optional.empty();
    }
    if (uris.size() > 1) {
      throw new IllegalArgumentException(
          "the certificate has " + uris.size() + " URI SANs (an X.509-SVID has exactly one)");
    }
    return Optional.of(parse(uris.get(0)));
  }

  /** The trust domain the ID belongs to. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The path, empty or starting with {@code /}. */
  public String path() {
    return path;
  }

  /** Whether this ID belongs to {@code domain}. */
  public boolean memberOf(TrustDomain domain) {
    return trustDomain.equals(domain);
  }

  /** This ID as a URI, as an X.509-SVID carries it in its URI SAN. */
  public URI toUri() {
    return URI.create(toString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SpiffeId that
        && trustDomain.equals(that.trustDomain)
        && path.equals(that.path);
  }

  @Override
  public int hashCode() {
    return 31 * trustDomain.hashCode() + path.hashCode();
  }

  @Override
  public String toString() {
    return SCHEME + trustDomain.name() + path;
  }

  private static void checkSegment(String path, String segment) {
    if (segment.isEmpty()) {
      throw new IllegalArgumentException(
          "path '" + path + "': empty segments and a trailing '/' are not allowed");
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new IllegalArgumentException(
          "path '" + path + "': the segments '.' and '..' are not allowed");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == '_')) {
        throw new IllegalArgumentException(
            "path '"
                + path
                + "': character '"
                + c
                + "' is not allowed (expected letters, digits, '.', '-', '_')");
      }
    }
  }
}
