package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.Attestation;
import dev.bulwark.ca.CaException;
import dev.bulwark.ca.CaSettings;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.ca.IssuedCertificate;
import dev.bulwark.ca.JoinToken;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.X509Svid;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the CA does, whoever asks — the HTTP API or code in the same process: attest and issue,
 * renew, create join tokens, revoke. Every outcome, success or refusal, is audited here, once.
 */
public final class CaOperations {
  private static final int DNS_SAN = 2;
  private static final int IP_SAN = 7;

  private final CaSettings settings;
  // Replaced when a root rotation's overlap ends; each issuance reads it once.
  private volatile CertificateAuthority authority;
  private final Supplier<TrustBundle> bundle;
  private final JoinTokenStore joinTokens;
  private final RevocationStore revocations;
  private final IssuedCertificateStore issued;
  private final Optional<KubernetesAttestor> kubernetes;
  private final CaAudit audit;
  private final Clock clock;
  private final AtomicReference<DenyList> denyList;
  private final SpiffeTrustManager peers;

  public CaOperations(
      CaSettings settings,
      CertificateAuthority authority,
      Supplier<TrustBundle> bundle,
      JoinTokenStore joinTokens,
      RevocationStore revocations,
      IssuedCertificateStore issued,
      Optional<KubernetesAttestor> kubernetes,
      CaAudit audit,
      Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.authority = requireNonNull(authority, "authority");
    this.bundle = requireNonNull(bundle, "bundle");
    this.joinTokens = requireNonNull(joinTokens, "joinTokens");
    this.revocations = requireNonNull(revocations, "revocations");
    this.issued = requireNonNull(issued, "issued");
    this.kubernetes = requireNonNull(kubernetes, "kubernetes");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
    this.denyList = new AtomicReference<>(revocations.denyList());
    // Checks callers again inside requests, against the database's deny list rather than the
    // cached one the handshake used: a resumed TLS session or another CA instance's revocation
    // must not let a revoked workload through. Refusals are audited by the action refused.
    this.peers =
        new SpiffeTrustManager(
            bundle,
            revocations::denyList,
            PeerAuthorizer.memberOf(settings.trustDomain()),
            clock,
            refusal -> {});
  }

  /**
   * Redeems {@code token} and issues an SVID for the key in {@code csr}, naming what the token was
   * created for.
   */
  public Issued issueWithJoinToken(byte[] csr, String token, Caller caller) {
    AtomicReference<SvidNames> names = new AtomicReference<>();
    return audited(
        CaAudit.ISSUE,
        caller,
        Attestation.JOIN_TOKEN,
        names,
        () -> {
          // The CSR first, so that a bad request does not burn the token.
          SigningRequest.parse(csr);
          names.set(joinTokens.redeem(token));
          return issue(csr, names.get(), Attestation.JOIN_TOKEN);
        },
        event -> {});
  }

  /**
   * Verifies the service-account token {@code jwt} and issues an SVID for the key in {@code csr}.
   */
  public Issued issueWithServiceAccountToken(byte[] csr, String jwt, Caller caller) {
    AtomicReference<SvidNames> names = new AtomicReference<>();
    AtomicReference<KubernetesAttestor.Attested> attested = new AtomicReference<>();
    return audited(
        CaAudit.ISSUE,
        caller,
        Attestation.K8S_PSAT,
        names,
        () -> {
          KubernetesAttestor attestor =
              kubernetes.orElseThrow(
                  () ->
                      new CaException(
                          CaException.Code.ATTESTATION_FAILED,
                          "Kubernetes attestation is not configured on this CA"));
          SigningRequest.parse(csr);
          attested.set(attestor.attest(jwt));
          names.set(new SvidNames(attested.get().id(), List.of(), List.of()));
          return issue(csr, names.get(), Attestation.K8S_PSAT);
        },
        event -> {
          KubernetesAttestor.Attested workload = attested.get();
          if (workload != null) {
            event
                .attribute("k8s_namespace", workload.namespace())
                .attribute("k8s_service_account", workload.serviceAccount());
            workload.pod().ifPresent(pod -> event.attribute("k8s_pod", pod));
          }
        });
  }

  /**
   * Issues a new SVID for the key in {@code csr} to the workload whose current SVID is {@code
   * peerChain}: same SPIFFE ID, same DNS names and addresses.
   */
  public Issued renew(byte[] csr, List<X509Certificate> peerChain, Caller caller) {
    // Until the chain verifies, a refusal is audited with the identity the caller claimed.
    AtomicReference<SvidNames> names =
        new AtomicReference<>(
            caller.peer().map(id -> new SvidNames(id, List.of(), List.of())).orElse(null));
    return audited(
        CaAudit.RENEW,
        caller,
        Attestation.RENEWAL,
        names,
        () -> {
          SpiffeId id = verifiedPeer(peerChain);
          names.set(new SvidNames(id, List.of(), List.of()));
          // The names come from the leaf the CA itself issued (its chain has just verified).
          names.set(namesOf(id, peerChain.get(0)));
          return issue(csr, names.get(), Attestation.RENEWAL);
        },
        event -> event.attribute("previous_serial", serialOf(peerChain)));
  }

  /** An SVID with a key made here, for a workload of this process. */
  public X509Svid issueInProcess(SvidNames names, Caller caller) {
    AtomicReference<SvidNames> subject = new AtomicReference<>(names);
    AtomicReference<X509Svid> svid = new AtomicReference<>();
    audited(
        CaAudit.ISSUE,
        caller,
        Attestation.IN_PROCESS,
        subject,
        () -> {
          requireNotDenied(names.id(), List.of());
          svid.set(
              authority.issueSvid(
                  names.id(), names.dnsNames(), names.addresses(), settings.svidTtl()));
          return record(svid.get().chain(), names.id(), Attestation.IN_PROCESS);
        },
        event -> {});
    return svid.get();
  }

  /** A join token for {@code names}, valid for {@code ttl} or the configured default. */
  public JoinToken createJoinToken(SvidNames names, Optional<Duration> ttl, Caller caller) {
    try {
      requireWorkload(names.id());
      if (names.id().equals(settings.caId())) {
        // Clients find the CA by this ID; no join token may let another process claim it.
        throw new CaException(
            CaException.Code.REQUEST_INVALID,
            names.id() + " is the CA's own identity, which only the CA holds");
      }
      Duration lifetime = ttl.orElse(settings.joinTokenTtl());
      if (lifetime.compareTo(Duration.ofSeconds(1)) < 0
          || lifetime.compareTo(CaSettings.MAX_JOIN_TOKEN_TTL) > 0) {
        throw new CaException(
            CaException.Code.REQUEST_INVALID,
            "join token lifetime "
                + lifetime.toSeconds()
                + "s (expected from 1s to "
                + CaSettings.MAX_JOIN_TOKEN_TTL.toSeconds()
                + "s)");
      }
      requireNotDenied(names.id(), List.of());
      JoinToken token = joinTokens.create(names, lifetime);
      audit.success(
          CaAudit.JOIN_TOKEN,
          caller,
          event ->
              event
                  .workload(names.id().toString())
                  .attribute("expires_at", token.expiresAt().toString())
                  .attribute("dns_names", String.join(" ", names.dnsNames()))
                  .attribute("ip_addresses", addresses(names.addresses())));
      return token;
    } catch (CaException e) {
      audit.refused(CaAudit.JOIN_TOKEN, caller, e, event -> event.workload(names.id().toString()));
      throw e;
    }
  }

  /** Revokes {@code target}; returns the new deny list. */
  public DenyList revoke(RevocationStore.Target target, String reason, Caller caller) {
    String what =
        switch (target) {
          case RevocationStore.Target.Identity i -> i.id().toString();
          case RevocationStore.Target.Serial s -> "serial " + s.serial().toString(16);
        };
    Consumer<AuditEvent.Builder> details =
        event -> {
          switch (target) {
            case RevocationStore.Target.Identity i -> event.workload(i.id().toString());
            case RevocationStore.Target.Serial s ->
                event.attribute("serial", s.serial().toString(16));
          }
        };
    try {
      if (target instanceof RevocationStore.Target.Identity i) {
        requireWorkload(i.id());
      }
      DenyList next = revocations.revoke(target, reason, caller.actor(), clock.instant());
      denyList.set(next);
      audit.success(
          CaAudit.REVOKE,
          caller,
          event -> {
            details.accept(event);
            event.reason(reason).attribute("sequence", Long.toString(next.sequence()));
          });
      return next;
    } catch (CaException e) {
      audit.refused(CaAudit.REVOKE, caller, e, details);
      throw new CaException(e.code(), "cannot revoke " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * The SPIFFE ID {@code peerChain} proves, checked as at a handshake but against the database's
   * deny list, and required to be one of the configured admins.
   */
  public SpiffeId requireAdmin(List<X509Certificate> peerChain) {
    SpiffeId peer = verifiedPeer(peerChain);
    if (!settings.admins().contains(peer)) {
      throw new CaException(CaException.Code.DENIED, peer + " is not an administrator of this CA");
    }
    return peer;
  }

  /** The SPIFFE ID {@code peerChain} proves, checked as at a handshake. */
  public SpiffeId verifiedPeer(List<X509Certificate> peerChain) {
    if (peerChain.isEmpty()) {
      throw new CaException(
          CaException.Code.CLIENT_CERTIFICATE_REQUIRED,
          "this endpoint requires the caller's SVID as TLS client certificate");
    }
    try {
      return peers.verify(
          peerChain.toArray(X509Certificate[]::new), SpiffeTrustManager.Role.CLIENT);
    } catch (CertificateException e) {
      throw new CaException(CaException.Code.DENIED, e.getMessage(), e);
    }
  }

  /** Audits a request refused before it reached an operation, e.g. for a malformed body. */
  public void refusedRequest(String action, Caller caller, CaException refusal) {
    audit.refused(action, caller, refusal, event -> {});
  }

  /** The deny list as last read: after every revocation here, and at every {@link #refresh()}. */
  public DenyList denyList() {
    return denyList.get();
  }

  /** The deny list as the database has it now, taking revocations by other CA instances. */
  public DenyList refresh() {
    DenyList current = revocations.denyList();
    denyList.set(current);
    return current;
  }

  public List<IssuedCertificate> issuedFor(SpiffeId id) {
    return issued.issuedFor(id);
  }

  public TrustBundle bundle() {
    return bundle.get();
  }

  private Issued issue(byte[] csr, SvidNames names, Attestation attestation) {
    requireNotDenied(names.id(), List.of());
    List<X509Certificate> chain =
        authority.issueSvid(
            csr, names.id(), names.dnsNames(), names.addresses(), settings.svidTtl());
    return record(chain, names.id(), attestation);
  }

  private Issued record(List<X509Certificate> chain, SpiffeId id, Attestation attestation) {
    X509Certificate leaf = chain.get(0);
    issued.record(
        new IssuedCertificate(
            leaf.getSerialNumber(),
            id,
            attestation,
            clock.instant(),
            leaf.getNotAfter().toInstant()));
    return new Issued(id, chain, bundle.get());
  }

  private Issued audited(
      String action,
      Caller caller,
      Attestation attestation,
      AtomicReference<SvidNames> names,
      IssueWork work,
      Consumer<AuditEvent.Builder> details) {
    try {
      Issued result = work.run();
      X509Certificate leaf = result.chain().get(0);
      audit.success(
          action,
          caller,
          event -> {
            event
                .workload(result.id().toString())
                .attribute("serial", leaf.getSerialNumber().toString(16))
                .attribute("attestation", attestation.wireName())
                .attribute("not_after", leaf.getNotAfter().toInstant().toString());
            details.accept(event);
          });
      return result;
    } catch (CaException e) {
      audit.refused(
          action,
          caller,
          e,
          event -> {
            SvidNames subject = names.get();
            if (subject != null) {
              event.workload(subject.id().toString());
            }
            event.attribute("attestation", attestation.wireName());
            details.accept(event);
          });
      throw e;
    }
  }

  private void requireNotDenied(SpiffeId id, List<X509Certificate> chain) {
    Optional<String> refusal = revocations.denyList().refusal(Optional.of(id), chain);
    if (refusal.isPresent()) {
      throw new CaException(CaException.Code.DENIED, refusal.get());
    }
  }

  private void requireWorkload(SpiffeId id) {
    if (!id.memberOf(settings.trustDomain()) || id.path().isEmpty()) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID,
          id + " is not a workload of trust domain " + settings.trustDomain());
    }
  }

  private static SvidNames namesOf(SpiffeId id, X509Certificate leaf) {
    List<String> dns = new ArrayList<>();
    List<InetAddress> ips = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CaException(
          CaException.Code.DENIED, "the caller's certificate names cannot be read", e);
    }
    if (names != null) {
      for (List<?> name : names) {
        Object type = name.get(0);
        Object value = name.get(1);
        if (Integer.valueOf(DNS_SAN).equals(type) && value instanceof String host) {
          dns.add(host);
        } else if (Integer.valueOf(IP_SAN).equals(type) && value instanceof String address) {
          ips.add(InetAddress.ofLiteral(address));
        }
      }
    }
    return new SvidNames(id, dns, ips);
  }

  private static String serialOf(List<X509Certificate> chain) {
    return chain.isEmpty() ? "none" : chain.get(0).getSerialNumber().toString(16);
  }

  /** Signs SVIDs with {@code next} from now on. */
  public void useAuthority(CertificateAuthority next) {
    this.authority = requireNonNull(next, "next");
  }

  private static String addresses(List<InetAddress> addresses) {
    return String.join(" ", addresses.stream().map(InetAddress::getHostAddress).toList());
  }

  /**
   * An SVID just issued.
   *
   * @param id the SPIFFE ID it names
   * @param chain leaf first, then the intermediate
   * @param bundle the trust bundle to verify peers with
   */
  public record Issued(SpiffeId id, List<X509Certificate> chain, TrustBundle bundle) {
    public Issued {
      requireNonNull(id, "id");
      chain = List.copyOf(chain);
      requireNonNull(bundle, "bundle");
    }
  }

  @FunctionalInterface
  private interface IssueWork {
    Issued run();
  }
}
