package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * How the CA attests Kubernetes workloads by their projected service-account tokens: the cluster's
 * token issuer, where its signing keys are, the audience the tokens must be minted for, and
 * optionally which namespaces may obtain SVIDs at all.
 *
 * @param issuer the {@code iss} the tokens carry, matched exactly (e.g. {@code
 *     https://kubernetes.default.svc.cluster.local})
 * @param audience the audience the tokens must include (default {@code bulwark-ca})
 * @param keys where the issuer's verification keys are
 * @param allowedNamespaces the namespaces whose workloads may attest; empty for any
 */
public record KubernetesSettings(
    String issuer, String audience, Keys keys, Set<String> allowedNamespaces) {
  /** The audience workloads request their token for unless configured otherwise. */
  public static final String DEFAULT_AUDIENCE = "bulwark-ca";

  // DNS-1123 label, as Kubernetes requires of namespace names.
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public KubernetesSettings {
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    requireNonNull(keys, "keys");
    allowedNamespaces = Set.copyOf(requireNonNull(allowedNamespaces, "allowedNamespaces"));
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("kubernetes.issuer: blank (expected the token issuer)");
    }
    if (audience.isBlank()) {
      throw new IllegalArgumentException("kubernetes.audience: blank");
    }
    for (String namespace : allowedNamespaces) {
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            "kubernetes.allowed_namespaces: '" + namespace + "' is not a namespace name");
      }
    }
  }

  /** Tokens of {@code issuer}, verified with {@code keys}, for the default audience. */
  public static KubernetesSettings of(String issuer, Keys keys) {
    return new KubernetesSettings(issuer, DEFAULT_AUDIENCE, keys, Set.of());
  }

  public KubernetesSettings withAudience(String audience) {
    return new KubernetesSettings(issuer, audience, keys, allowedNamespaces);
  }

  public KubernetesSettings withAllowedNamespaces(Set<String> namespaces) {
    return new KubernetesSettings(issuer, audience, keys, namespaces);
  }

  /** Where the cluster's token-signing keys come from. */
  public sealed interface Keys permits FixedKeys, RemoteKeys {
    /**
     * A fixed key set, e.g. the output of {@code kubectl get --raw /openid/v1/jwks}. Private parts,
     * if any, are dropped.
     */
    static Keys fixed(JWKSet keys) {
      return new FixedKeys(keys);
    }

    /**
     * The issuer's JWKS endpoint over HTTPS, trusted through {@code tls} (e.g. a context trusting
     * the cluster's CA).
     */
    static Keys remote(URI jwksUri, SSLContext tls) {
      return new RemoteKeys(jwksUri, tls);
    }
  }

  /**
   * A fixed set of verification keys.
   *
   * @param keys the public keys
   */
  public record FixedKeys(JWKSet keys) implements Keys {
    public FixedKeys {
      keys = requireNonNull(keys, "keys").toPublicJWKSet();
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("kubernetes keys: empty JWK set");
      }
    }
  }

  /**
   * A JWKS endpoint.
   *
   * @param jwksUri the {@code https} URL of the key set
   * @param tls the TLS context to fetch it with
   */
  public record RemoteKeys(URI jwksUri, SSLContext tls) implements Keys {
    public RemoteKeys {
      requireNonNull(jwksUri, "jwksUri");
      requireNonNull(tls, "tls");
      String scheme = jwksUri.getScheme();
      if (scheme == null
          || !scheme.toLowerCase(Locale.ROOT).equals("https")
          || jwksUri.getHost() == null) {
        throw new IllegalArgumentException(
            "kubernetes.jwks_uri: " + jwksUri + " (expected an https URL)");
      }
    }
  }
}
