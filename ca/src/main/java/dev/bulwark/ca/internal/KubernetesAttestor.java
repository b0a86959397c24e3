package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bulwark.ca.CaException;
import dev.bulwark.ca.KubernetesSettings;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Attests a Kubernetes workload by its projected service-account token (a JWT the API server signs
 * for a pod's service account, with the audience the pod asked for): the signature must verify with
 * the cluster issuer's keys (RS256 or ES256 only), the issuer must match exactly, the audience must
 * include the configured one, the token must not have expired (60 seconds of clock skew allowed),
 * and the {@code kubernetes.io} claim must name the namespace and service account. The workload is
 * then {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
 */
public final class KubernetesAttestor {
  private static final int MAX_CLOCK_SKEW_SECONDS = 60;
  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  // What Kubernetes itself allows: a DNS-1123 label for namespaces, a DNS-1123 subdomain for
  // service accounts. Anything else could smuggle extra path segments into the SPIFFE ID.
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final int MAX_SERVICE_ACCOUNT = 253;

  private final TrustDomain trustDomain;
  private final KubernetesSettings settings;
  private final Clock clock;
  private final DefaultJWTProcessor<SecurityContext> processor;

  public KubernetesAttestor(TrustDomain trustDomain, KubernetesSettings settings, Clock clock) {
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keySource(settings)));
    ClockedClaimsVerifier claims =
        new ClockedClaimsVerifier(
            settings.audience(),
            new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
            clock);
    claims.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
  }

  /**
   * The workload {@code token} proves.
   *
   * @throws CaException {@code ATTESTATION_FAILED} saying why the token proves nothing
   */
  public Attested attest(String token) {
    requireNonNull(token, "token");
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw refused("the service-account token is empty or too long");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw refused("the service-account token is not a JWT");
    } catch (BadJOSEException e) {
      throw refused("the service-account token is not valid: " + e.getMessage());
    } catch (JOSEException e) {
      throw refused("the service-account token cannot be verified: " + e.getMessage());
    }
    Date issuedAt = claims.getIssueTime();
    Instant latest = clock.instant().plus(Duration.ofSeconds(MAX_CLOCK_SKEW_SECONDS));
    if (issuedAt != null && issuedAt.toInstant().isAfter(latest)) {
      throw refused("the service-account token is issued in the future (iat " + issuedAt + ")");
    }
    Map<String, Object> kubernetes;
    try {
      kubernetes = claims.getJSONObjectClaim("kubernetes.io");
    } catch (ParseException e) {
      kubernetes = null;
    }
    if (kubernetes == null) {
      throw refused("the service-account token has no kubernetes.io claim");
    }
    String namespace = text(kubernetes.get("namespace"), "kubernetes.io.namespace");
    String serviceAccount =
        text(member(kubernetes, "serviceaccount").get("name"), "kubernetes.io.serviceaccount.name");
    Optional<String> pod =
        kubernetes.get("pod") instanceof Map<?, ?> p && p.get("name") instanceof String name
            ? Optional.of(name)
            : Optional.empty();
    if (!LABEL.matcher(namespace).matches()) {
      throw refused("the token's namespace is not a Kubernetes namespace name");
    }
    if (!isSubdomain(serviceAccount)) {
      throw refused("the token's service account is not a Kubernetes service account name");
    }
    String expectedSubject = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    if (!expectedSubject.equals(claims.getSubject())) {
      throw refused("the token's subject does not match its kubernetes.io claim");
    }
    if (!settings.allowedNamespaces().isEmpty()
        && !settings.allowedNamespaces().contains(namespace)) {
      throw refused("namespace " + namespace + " may not obtain SVIDs here");
    }
    SpiffeId id = SpiffeId.of(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
    return new Attested(id, namespace, serviceAccount, pod);
  }

  // Label by label: one regular expression for the whole name would backtrack badly on long input.
  private static boolean isSubdomain(String name) {
    if (name.length() > MAX_SERVICE_ACCOUNT) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static Map<?, ?> member(Map<String, Object> object, String name) {
    if (object.get(name) instanceof Map<?, ?> member) {
      return member;
    }
    throw refused("the token's kubernetes.io claim has no " + name);
  }

  private static String text(Object value, String claim) {
    if (value instanceof String text && !text.isEmpty()) {
      return text;
    }
    throw refused("the service-account token has no " + claim);
  }

  private static JWKSource<SecurityContext> keySource(KubernetesSettings settings) {
    return switch (settings.keys()) {
      case KubernetesSettings.FixedKeys fixed -> new ImmutableJWKSet<>(fixed.keys());
      case KubernetesSettings.RemoteKeys remote -> {
        try {
          // Nimbus caches the set, refreshes it ahead of expiry and on an unknown key id, and
          // rate-limits refreshes, so a flood of bad tokens cannot make the CA hammer the issuer.
          yield JWKSourceBuilder.<SecurityContext>create(
                  remote.jwksUri().toURL(),
                  new DefaultResourceRetriever(
                      5_000, 5_000, 256 * 1024, true, remote.tls().getSocketFactory()))
              .build();
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException("kubernetes.jwks_uri: " + remote.jwksUri(), e);
        }
      }
    };
  }

  private static CaException refused(String reason) {
    return new CaException(CaException.Code.ATTESTATION_FAILED, reason);
  }

  /**
   * A workload the token proved.
   *
   * @param id its SPIFFE ID
   * @param namespace its namespace
   * @param serviceAccount its service account
   * @param pod the pod's name, if the token names it
   */
  public record Attested(
      SpiffeId id, String namespace, String serviceAccount, Optional<String> pod) {
    public Attested {
      requireNonNull(id, "id");
      requireNonNull(namespace, "namespace");
      requireNonNull(serviceAccount, "serviceAccount");
      requireNonNull(pod, "pod");
    }
  }

  // Nimbus reads the system clock; the CA's clock is the one its other decisions use.
  private static final class ClockedClaimsVerifier
      extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final Clock clock;

    ClockedClaimsVerifier(String audience, JWTClaimsSet exactMatch, Clock clock) {
      super(Set.of(audience), exactMatch, Set.of("iss", "aud", "exp", "sub"), Set.of());
      this.clock = clock;
    }

    @Override
    protected Date currentTime() {
      return Date.from(clock.instant());
    }
  }
}
