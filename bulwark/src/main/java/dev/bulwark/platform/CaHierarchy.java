package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.CaException;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.FileSealedRecord;
import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.SealedRecords;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CA hierarchy of a data directory, kept in {@code DIR/ca}: roots, which sign intermediates,
 * which sign SVIDs. Only an intermediate's key is needed to run the CA; a root's key may live
 * offline ({@code bulwark ca init --root-key-out}) and is needed only to rotate.
 *
 * <p>Rotation keeps every workload verifiable throughout: a new root joins the trust bundle at
 * once, but the intermediate under it becomes active only after an overlap, by when every workload
 * has fetched the new bundle; the old root leaves the bundle only once the last SVID it can have
 * signed has expired. {@code authorities.json} records it all; {@code ca.pem} holds the bundle's
 * roots in PEM for {@code curl --cacert}.
 */
public final class CaHierarchy {
  static final Duration ROOT_LIFETIME = Duration.ofDays(3650);
  static final Duration INTERMEDIATE_LIFETIME = Duration.ofDays(365);
  private static final String STATE = "authorities.json";
  private static final String BUNDLE_PEM = "ca.pem";

  private final Path directory;
  private final Optional<SecretSealer> sealer;
  private final Clock clock;
  private final TrustDomain trustDomain;
  private final long baseSequence;
  private final List<Root> roots;
  private final List<Intermediate> intermediates;

  private CaHierarchy(
      Path directory,
      Optional<SecretSealer> sealer,
      Clock clock,
      TrustDomain trustDomain,
      long baseSequence,
      List<Root> roots,
      List<Intermediate> intermediates) {
    this.directory = directory;
    this.sealer = sealer;
    this.clock = clock;
    this.trustDomain = trustDomain;
    this.baseSequence = baseSequence;
    this.roots = List.copyOf(roots);
    this.intermediates = List.copyOf(intermediates);
  }

  /** Whether {@code directory} (a data directory's {@code ca} folder) holds a CA hierarchy. */
  public static boolean exists(Path directory) {
    return Files.exists(directory.resolve(STATE));
  }

  /**
   * Creates a root and an intermediate in {@code DIR/ca}. The root's key is sealed into {@code
   * rootKeyOut} if given (to be carried offline), else into the data directory.
   *
   * @throws PlatformException if the directory already holds a CA
   */
  public static CaHierarchy init(
      Path directory,
      SecretSealer sealer,
      TrustDomain trustDomain,
      Optional<Path> rootKeyOut,
      Clock clock) {
    if (exists(directory)) {
      throw new PlatformException(
          "a CA already exists in " + directory,
          "use 'bulwark ca rotate-root' to replace its root, or another --data directory");
    }
    CertificateAuthority root = CertificateAuthority.createRoot(trustDomain, ROOT_LIFETIME, clock);
    CaHierarchy empty =
        new CaHierarchy(
            directory, Optional.of(sealer), clock, trustDomain, 0, List.of(), List.of());
    Root stored = empty.storeRoot(root, rootKeyOut);
    Intermediate intermediate =
        empty.storeIntermediate(
            root.issueIntermediate(INTERMEDIATE_LIFETIME), root.certificate(), clock.instant());
    CaHierarchy hierarchy =
        new CaHierarchy(
            directory,
            Optional.of(sealer),
            clock,
            trustDomain,
            1,
            List.of(stored),
            List.of(intermediate));
    hierarchy.save();
    return hierarchy;
  }

  /** Loads the hierarchy kept in {@code directory}. */
  public static CaHierarchy load(Path directory, SecretSealer sealer, Clock clock) {
    return load(directory, Optional.of(sealer), clock);
  }

  /**
   * Loads the hierarchy for reading only: certificates, the bundle, {@link #describe}; opening a
   * key fails. Needs no master key, so it works beside a running {@code bulwark up}.
   */
  public static CaHierarchy inspect(Path directory, Clock clock) {
    return load(directory, Optional.empty(), clock);
  }

  private static CaHierarchy load(Path directory, Optional<SecretSealer> sealer, Clock clock) {
    Path state = directory.resolve(STATE);
    try {
      JsonNode json = Json.MAPPER.readTree(Files.readString(state, StandardCharsets.UTF_8));
      TrustDomain trustDomain = TrustDomain.of(json.path("trust_domain").asString());
      List<Root> roots = new ArrayList<>();
      for (JsonNode root : json.path("roots")) {
        String key = root.path("key").asString("");
        roots.add(
            new Root(
                readCertificate(directory.resolve(root.path("certificate").asString())),
                key.isEmpty() ? Optional.empty() : Optional.of(directory.resolve(key))));
      }
      List<Intermediate> intermediates = new ArrayList<>();
      for (JsonNode intermediate : json.path("intermediates")) {
        Path file = directory.resolve(intermediate.path("certificate").asString());
        X509Certificate certificate = readCertificate(file);
        intermediates.add(
            new Intermediate(
                file,
                certificate,
                issuingRoot(certificate, roots),
                directory.resolve(intermediate.path("key").asString()),
                Instant.parse(intermediate.path("active_from").asString())));
      }
      if (roots.isEmpty() || intermediates.isEmpty()) {
        throw new PlatformException(
            state + " names no root or no intermediate", "restore DIR/ca from a backup");
      }
      return new CaHierarchy(
          directory,
          sealer,
          clock,
          trustDomain,
          json.path("bundle_sequence").asLong(1),
          roots,
          intermediates);
    } catch (IOException | JacksonException | IllegalArgumentException e) {
      throw new PlatformException(
          "cannot read the CA hierarchy in " + directory + ": " + e.getMessage(),
          "restore DIR/ca from a backup, or start with a new data directory");
    }
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The PEM file of the bundle's roots, as {@code curl --cacert} takes it. */
  public Path bundlePem() {
    return directory.resolve(BUNDLE_PEM);
  }

  /**
   * The intermediate that signs SVIDs now: the newest one whose activation has come and which has
   * not expired.
   */
  public CertificateAuthority activeIntermediate() {
    Instant now = clock.instant();
    Intermediate active = null;
    for (Intermediate candidate : intermediates) {
      // On a tie the later entry, the newer intermediate, wins.
      if (!candidate.activeFrom().isAfter(now)
          && (active == null || !candidate.activeFrom().isBefore(active.activeFrom()))) {
        active = candidate;
      }
    }
    if (active == null) {
      throw new PlatformException(
          "no intermediate CA in " + directory + " is active yet",
          "wait until the rotation's overlap has passed, or restore DIR/ca");
    }
    CertificateAuthority authority = open(active);
    if (!authority.notAfter().isAfter(now)) {
      throw new PlatformException(
          "the intermediate CA in " + directory + " expired at " + authority.notAfter(),
          "run 'bulwark ca rotate-intermediate' with the root key");
    }
    return authority;
  }

  /**
   * The trust bundle at this moment: every unexpired root, except one whose SVIDs can all have
   * expired because none of its intermediates has been active for longer than {@code svidTtl}.
   */
  public TrustBundle bundle(Duration svidTtl) {
    Instant now = clock.instant();
    List<X509Certificate> current = new ArrayList<>();
    long retired = 0;
    for (Root root : roots) {
      if (root.certificate().getNotAfter().toInstant().isBefore(now)) {
        retired++;
      } else if (retiredAt(root, svidTtl).filter(t -> !t.isAfter(now)).isPresent()) {
        retired++;
      } else {
        current.add(root.certificate());
      }
    }
    return TrustBundle.of(trustDomain, current, baseSequence + retired, refreshInterval(svidTtl));
  }

  /**
   * How often workloads fetch the bundle and deny list: a minute, or a quarter of the SVID lifetime
   * if that is shorter, so a revocation reaches every workload well within one lifetime.
   */
  public static Duration refreshInterval(Duration svidTtl) {
    Duration quarter = svidTtl.dividedBy(4);
    return quarter.compareTo(Duration.ofMinutes(1)) < 0
        ? (quarter.isZero() ? Duration.ofSeconds(1) : quarter)
        : Duration.ofMinutes(1);
  }

  /** Writes the bundle's roots to {@code ca.pem}, if they differ from what is there. */
  public void writeBundlePem(TrustBundle bundle) {
    try {
      String pem = bundle.toPem();
      Path file = bundlePem();
      if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(pem)) {
        DataDirectory.writePrivate(file, pem);
      }
    } catch (IOException e) {
      throw new PlatformException(
          "cannot write " + bundlePem() + ": " + e.getMessage(),
          "check the data directory's permissions");
    }
  }

  /**
   * A new intermediate under the newest root, active at once. Needs the root's key: in the data
   * directory, or {@code rootKey} where it was carried offline.
   */
  public CaHierarchy rotateIntermediate(Optional<Path> rootKey) {
    Root root = roots.get(roots.size() - 1);
    CertificateAuthority authority = openRoot(root, rootKey);
    List<Intermediate> next = new ArrayList<>(intermediates);
    next.add(
        storeIntermediate(
            authority.issueIntermediate(INTERMEDIATE_LIFETIME),
            root.certificate(),
            clock.instant()));
    CaHierarchy rotated =
        new CaHierarchy(directory, sealer, clock, trustDomain, baseSequence, roots, next);
    rotated.save();
    return rotated;
  }

  /**
   * A new root, in the bundle at once, with an intermediate under it that becomes active after
   * {@code overlap}: long enough for every workload to fetch the new bundle.
   */
  public CaHierarchy rotateRoot(Duration overlap, Optional<Path> rootKeyOut) {
    if (overlap.isNegative()) {
      throw new IllegalArgumentException("overlap: " + overlap + " (expected >= 0)");
    }
    CertificateAuthority root = CertificateAuthority.createRoot(trustDomain, ROOT_LIFETIME, clock);
    List<Root> nextRoots = new ArrayList<>(roots);
    nextRoots.add(storeRoot(root, rootKeyOut));
    List<Intermediate> next = new ArrayList<>(intermediates);
    next.add(
        storeIntermediate(
            root.issueIntermediate(INTERMEDIATE_LIFETIME),
            root.certificate(),
            clock.instant().plus(overlap)));
    CaHierarchy rotated =
        new CaHierarchy(directory, sealer, clock, trustDomain, baseSequence + 1, nextRoots, next);
    rotated.save();
    return rotated;
  }

  /** One line per root and intermediate, for {@code bulwark ca show}. */
  public List<String> describe(Duration svidTtl) {
    TrustBundle bundle = bundle(svidTtl);
    List<String> lines = new ArrayList<>();
    lines.add("trust domain " + trustDomain + ", bundle sequence " + bundle.sequence());
    for (Root root : roots) {
      lines.add(
          String.format(
              "root         serial %s  expires %s  key %s  %s",
              root.certificate().getSerialNumber().toString(16),
              root.certificate().getNotAfter().toInstant(),
              root.sealedKey().isPresent() ? "in DIR/ca" : "offline",
              bundle.authorities().contains(root.certificate()) ? "in bundle" : "retired"));
    }
    Instant now = clock.instant();
    for (Intermediate intermediate : intermediates) {
      X509Certificate certificate = intermediate.certificate();
      lines.add(
          String.format(
              "intermediate serial %s  expires %s  active from %s%s",
              certificate.getSerialNumber().toString(16),
              certificate.getNotAfter().toInstant(),
              intermediate.activeFrom(),
              intermediate.activeFrom().isAfter(now) ? " (pending)" : ""));
    }
    return lines;
  }

  // A root stops signing when an intermediate under another root takes over from its last one;
  // its SVIDs are all expired one SVID lifetime later.
  private Optional<Instant> retiredAt(Root root, Duration svidTtl) {
    Instant lastOwnActivation = null;
    for (Intermediate intermediate : intermediates) {
      if (issuedBy(intermediate, root)
          && (lastOwnActivation == null || intermediate.activeFrom().isAfter(lastOwnActivation))) {
        lastOwnActivation = intermediate.activeFrom();
      }
    }
    if (lastOwnActivation == null) {
      return Optional.empty();
    }
    Instant supersededAt = null;
    for (Intermediate intermediate : intermediates) {
      if (!issuedBy(intermediate, root)
          && intermediate.activeFrom().isAfter(lastOwnActivation)
          && (supersededAt == null || intermediate.activeFrom().isBefore(supersededAt))) {
        supersededAt = intermediate.activeFrom();
      }
    }
    return Optional.ofNullable(supersededAt).map(t -> t.plus(svidTtl));
  }

  /**
   * The sealed private keys this hierarchy keeps in its directory (roots kept offline are not among
   * them), each with the context it is sealed for, for {@code bulwark keys rewrap}.
   */
  public List<SealedRecords> sealedKeys() {
    List<SealedRecords> keys = new ArrayList<>();
    for (Root root : roots) {
      root.sealedKey()
          .ifPresent(k -> keys.add(new FileSealedRecord(k, rootKeyContext(root.certificate()))));
    }
    for (Intermediate intermediate : intermediates) {
      keys.add(
          new FileSealedRecord(intermediate.sealedKey(), keyContext(intermediate.sealedKey())));
    }
    return keys;
  }

  private SecretSealer sealer() {
    return sealer.orElseThrow(
        () -> new IllegalStateException("this CA hierarchy was loaded for inspection only"));
  }

  private static boolean issuedBy(Intermediate intermediate, Root root) {
    return intermediate.root().equals(root.certificate());
  }

  // Which root signed an intermediate is settled once, when it is read: the bundle is recomputed
  // at every refresh, and a signature check per pair each time would be work repeated for nothing.
  private static X509Certificate issuingRoot(X509Certificate intermediate, List<Root> roots)
      throws IOException {
    for (Root root : roots) {
      if (intermediate
          .getIssuerX500Principal()
          .equals(root.certificate().getSubjectX500Principal())) {
        try {
          intermediate.verify(root.certificate().getPublicKey());
          return root.certificate();
        } catch (java.security.GeneralSecurityException e) {
          // Same name, another key: keep looking.
        }
      }
    }
    throw new IOException(
        "intermediate " + intermediate.getSerialNumber().toString(16) + " is signed by no root");
  }

  private CertificateAuthority open(Intermediate intermediate) {
    try {
      return CertificateAuthority.restore(
          Files.readString(intermediate.file(), StandardCharsets.UTF_8),
          sealer()
              .open(
                  Files.readAllBytes(intermediate.sealedKey()),
                  keyContext(intermediate.sealedKey())),
          clock);
    } catch (IOException | KeysException | CaException e) {
      throw new PlatformException(
          "cannot open the intermediate CA " + intermediate.file() + ": " + e.getMessage(),
          "check that the master key is the one this data directory was created with");
    }
  }

  private CertificateAuthority openRoot(Root root, Optional<Path> offlineKey) {
    Path keyFile =
        offlineKey
            .or(root::sealedKey)
            .orElseThrow(
                () ->
                    new PlatformException(
                        "the root key is not in the data directory",
                        "pass --root-key FILE, the file 'bulwark ca init --root-key-out' wrote"));
    try {
      return CertificateAuthority.restore(
          CertificateAuthority.toPem(root.certificate()),
          sealer().open(Files.readAllBytes(keyFile), rootKeyContext(root.certificate())),
          clock);
    } catch (IOException | KeysException | CaException e) {
      throw new PlatformException(
          "cannot open the root key " + keyFile + ": " + e.getMessage(),
          "pass the root key written for this root, sealed under this master key");
    }
  }

  private Root storeRoot(CertificateAuthority root, Optional<Path> keyOut) {
    String name = "root-" + root.certificate().getSerialNumber().toString(16);
    try {
      Path certificate = directory.resolve(name + ".pem");
      DataDirectory.writePrivate(certificate, root.certificatePem());
      byte[] sealed = sealer().seal(root.privateKeyPkcs8(), rootKeyContext(root.certificate()));
      if (keyOut.isPresent()) {
        DataDirectory.writePrivate(keyOut.get(), sealed);
        return new Root(root.certificate(), Optional.empty());
      }
      Path key = directory.resolve(name + "-key.sealed");
      DataDirectory.writePrivate(key, sealed);
      return new Root(root.certificate(), Optional.of(key));
    } catch (IOException e) {
      throw new PlatformException(
          "cannot write the root CA: " + e.getMessage(), "check the directory's permissions");
    }
  }

  private Intermediate storeIntermediate(
      CertificateAuthority intermediate, X509Certificate root, Instant activeFrom) {
    String name = "intermediate-" + intermediate.certificate().getSerialNumber().toString(16);
    try {
      Path certificate = directory.resolve(name + ".pem");
      Path key = directory.resolve(name + "-key.sealed");
      DataDirectory.writePrivate(certificate, intermediate.chainPem());
      DataDirectory.writePrivate(
          key, sealer().seal(intermediate.privateKeyPkcs8(), keyContext(key)));
      return new Intermediate(certificate, intermediate.certificate(), root, key, activeFrom);
    } catch (IOException e) {
      throw new PlatformException(
          "cannot write the intermediate CA: " + e.getMessage(),
          "check the data directory's permissions");
    }
  }

  private void save() {
    ObjectNode json = Json.object();
    json.put("trust_domain", trustDomain.name());
    json.put("bundle_sequence", baseSequence);
    ArrayNode rootArray = json.putArray("roots");
    for (Root root : roots) {
      String name = "root-" + root.certificate().getSerialNumber().toString(16);
      ObjectNode node = rootArray.addObject().put("certificate", name + ".pem");
      root.sealedKey().ifPresent(k -> node.put("key", directory.relativize(k).toString()));
    }
    ArrayNode intermediateArray = json.putArray("intermediates");
    for (Intermediate intermediate : intermediates) {
      intermediateArray
          .addObject()
          .put("certificate", directory.relativize(intermediate.file()).toString())
          .put("key", directory.relativize(intermediate.sealedKey()).toString())
          .put("active_from", intermediate.activeFrom().toString());
    }
    try {
      DataDirectory.writePrivate(directory.resolve(STATE), Json.MAPPER.writeValueAsString(json));
    } catch (IOException e) {
      throw new PlatformException(
          "cannot write " + directory.resolve(STATE) + ": " + e.getMessage(),
          "check the data directory's permissions");
    }
  }

  // The sealing context binds each sealed key to its own file (or root), so sealed keys cannot be
  // swapped for one another.
  private static String keyContext(Path sealedKey) {
    return "ca/" + sealedKey.getFileName();
  }

  private static String rootKeyContext(X509Certificate root) {
    return "ca/root/" + root.getSerialNumber().toString(16);
  }

  private static X509Certificate readCertificate(Path file) throws IOException {
    List<X509Certificate> certificates =
        Pem.certificates(Files.readString(file, StandardCharsets.UTF_8));
    if (certificates.isEmpty()) {
      throw new IOException(file + " holds no certificate");
    }
    return certificates.get(0);
  }

  private record Root(X509Certificate certificate, Optional<Path> sealedKey) {
    Root {
      requireNonNull(certificate, "certificate");
      requireNonNull(sealedKey, "sealedKey");
    }
  }

  private record Intermediate(
      Path file,
      X509Certificate certificate,
      X509Certificate root,
      Path sealedKey,
      Instant activeFrom) {}
}
