package dev.bulwark.platform;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust of a {@code bulwark up} installation: a local CA kept in the data directory (its key
 * sealed under the master key) that issues every listener a short-lived certificate, renewed before
 * it expires without restarting anything.
 */
public final class LocalTrust implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalTrust.class);
  private static final String KEY_CONTEXT = "ca/root-key";

  private final CertificateAuthority authority;
  private final Path certificateFile;
  private final Duration certificateTtl;
  private final List<String> dnsNames;
  private final List<InetAddress> addresses;
  private final Map<String, ReloadableKeyManager> endpoints = new LinkedHashMap<>();
  private final ScheduledExecutorService renewals;

  private LocalTrust(
      CertificateAuthority authority,
      Path certificateFile,
      Duration certificateTtl,
      List<String> dnsNames,
      List<InetAddress> addresses) {
    this.authority = authority;
    this.certificateFile = certificateFile;
    this.certificateTtl = certificateTtl;
    this.dnsNames = dnsNames;
    this.addresses = addresses;
    this.renewals =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "certificate-renewal");
              t.setDaemon(true);
              return t;
            });
  }

  /** Loads the CA from {@code directory}, creating it on first use. */
  public static LocalTrust loadOrCreate(
      DataDirectory directory,
      SecretSealer sealer,
      String bindAddress,
      Duration certificateTtl,
      Clock clock) {
    Path certificate = directory.resolve("ca/ca.pem");
    Path sealedKey = directory.resolve("ca/ca-key.sealed");
    CertificateAuthority authority;
    try {
      if (Files.exists(certificate) && Files.exists(sealedKey)) {
        authority =
            CertificateAuthority.restore(
                Files.readString(certificate, StandardCharsets.UTF_8),
                sealer.open(Files.readAllBytes(sealedKey), KEY_CONTEXT),
                clock);
      } else {
        authority =
            CertificateAuthority.createRoot("Bulwark Local CA", Duration.ofDays(3650), clock);
        DataDirectory.writePrivate(
            sealedKey, sealer.seal(authority.privateKeyPkcs8(), KEY_CONTEXT));
        DataDirectory.writePrivate(certificate, authority.certificatePem());
        LOG.info("created local CA {}", authority);
      }
    } catch (IOException e) {
      throw new PlatformException(
          "cannot read or write the local CA in " + directory.resolve("ca") + ": " + e.getMessage(),
          "check the data directory's permissions");
    }
    List<String> dns = new ArrayList<>(List.of("localhost"));
    List<InetAddress> ips = new ArrayList<>();
    try {
      ips.add(InetAddress.getByName("127.0.0.1"));
      ips.add(InetAddress.getByName("::1"));
      if (!"localhost".equals(bindAddress)) {
        InetAddress bind = InetAddress.getByName(bindAddress);
        if (!ips.contains(bind)) {
          ips.add(bind);
        }
      }
    } catch (UnknownHostException e) {
      throw new PlatformException(
          "server.bind_address '" + bindAddress + "' is not an address",
          "set an IP address literal");
    }
    return new LocalTrust(
        authority, certificate, certificateTtl, List.copyOf(dns), List.copyOf(ips));
  }

  /** The PEM file clients pass to {@code curl --cacert}. */
  public Path certificateFile() {
    return certificateFile;
  }

  /** A TLS 1.3 server context for {@code component}, whose certificate renews itself. */
  public SSLContext serverContext(String component) {
    return TlsContexts.server(endpointKey(component), List.of());
  }

  /** A client context that trusts only this installation's CA. */
  public SSLContext clientContext() {
    return TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  }

  /** Renews every endpoint certificate at two thirds of its lifetime, from now on. */
  public void startRenewals() {
    long period = Math.max(1_000, certificateTtl.toMillis() * 2 / 3);
    renewals.scheduleAtFixedRate(this::renewNow, period, period, TimeUnit.MILLISECONDS);
  }

  private synchronized ReloadableKeyManager endpointKey(String component) {
    return endpoints.computeIfAbsent(
        component,
        c ->
            new ReloadableKeyManager(
                authority.issueEndpointCertificate(c, dnsNames, addresses, certificateTtl)));
  }

  /**
   * Issues every endpoint a fresh certificate now; listeners present it on their next handshake.
   */
  synchronized void renewNow() {
    endpoints.forEach(
        (component, keyManager) -> {
          try {
            keyManager.update(
                authority.issueEndpointCertificate(component, dnsNames, addresses, certificateTtl));
            LOG.info(
                "renewed the TLS certificate of {}; valid until {}",
                component,
                keyManager.current().notAfter());
          } catch (RuntimeException e) {
            LOG.error(
                "cannot renew the TLS certificate of {} (current one expires {}): {}",
                component,
                keyManager.current().notAfter(),
                e.getMessage());
          }
        });
  }

  @Override
  public void close() {
    renewals.shutdownNow();
  }
}
