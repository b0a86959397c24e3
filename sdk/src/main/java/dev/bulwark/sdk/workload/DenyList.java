package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Revoked workload identities and certificates. Bulwark revokes without CRLs: the CA pushes this
 * list to every SDK, which refuses a peer whose SPIFFE ID or any certificate serial in its chain is
 * on it; short certificate lifetimes bound how long a revoked key is useful to anyone who missed an
 * update.
 */
public final class DenyList {
  /** The list with nothing on it. */
  public static final DenyList EMPTY = new DenyList(Set.of(), Set.of(), 0);

  private final Set<SpiffeId> identities;
  private final Set<BigInteger> serials;
  private final long sequence;

  /** A list denying {@code identities} and the certificates with {@code serials}. */
  public DenyList(Set<SpiffeId> identities, Set<BigInteger> serials, long sequence) {
    this.identities = Set.copyOf(requireNonNull(identities, "identities"));
    this.serials = Set.copyOf(requireNonNull(serials, "serials"));
    if (sequence < 0) {
      throw new IllegalArgumentException("deny list: sequence " + sequence + " (expected >= 0)");
    }
    this.sequence = sequence;
  }

  /**
   * Parses the JSON the CA serves: {@code {"sequence":N,"spiffe_ids":[...],"serials":["hex"...]}}.
   *
   * @throws IllegalArgumentException if {@code json} is not such an object
   */
  public static DenyList parse(String json) {
    requireNonNull(json, "json");
    try {
      Map<String, Object> object = JSONObjectUtils.parse(json);
      Set<SpiffeId> ids = new java.util.HashSet<>();
      String[] idValues = JSONObjectUtils.getStringArray(object, "spiffe_ids");
      if (idValues != null) {
        for (String id : idValues) {
          ids.add(SpiffeId.parse(id));
        }
      }
      Set<BigInteger> serialValues = new java.util.HashSet<>();
      String[] serialStrings = JSONObjectUtils.getStringArray(object, "serials");
      if (serialStrings != null) {
        for (String serial : serialStrings) {
          BigInteger value = new BigInteger(serial, 16);
          if (value.signum() <= 0) {
            throw new IllegalArgumentException(
                "deny list: serial " + serial + " (expected a positive hex number)");
          }
          serialValues.add(value);
        }
      }
      // JSONObjectUtils.getLong throws on an absent member rather than returning null.
      long sequence =
          object.get("sequence") == null ? 0 : JSONObjectUtils.getLong(object, "sequence");
      return new DenyList(ids, serialValues, sequence);
    } catch (ParseException | NumberFormatException e) {
      throw new IllegalArgumentException("deny list: not valid: " + e.getMessage(), e);
    }
  }

  /** This list as JSON, identities and serials sorted. */
  public String toJson() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("sequence", sequence);
    List<String> ids =
        new ArrayList<>(new TreeSet<>(identities.stream().map(SpiffeId::toString).toList()));
    object.put("spiffe_ids", ids);
    List<String> hex =
        new ArrayList<>(new TreeSet<>(serials.stream().map(s -> s.toString(16)).toList()));
    object.put("serials", hex);
    return JSONObjectUtils.toJSONString(object);
  }

  /** Why {@code chain} is denied, or empty if nothing in it is. */
  public Optional<String> refusal(Optional<SpiffeId> id, List<X509Certificate> chain) {
    if (id.isPresent() && identities.contains(id.get())) {
      return Optional.of("SPIFFE ID " + id.get() + " is revoked");
    }
    for (X509Certificate certificate : chain) {
      if (serials.contains(certificate.getSerialNumber())) {
        return Optional.of(
            "certificate serial " + certificate.getSerialNumber().toString(16) + " is revoked");
      }
    }
    return Optional.empty();
  }

  /** The revoked workloads. */
  public Set<SpiffeId> identities() {
    return identities;
  }

  /** The serial numbers of the revoked certificates. */
  public Set<BigInteger> serials() {
    return serials;
  }

  /** Grows with every change to the list, so a holder can tell a newer one from an older. */
  public long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    return "DenyList{sequence="
        + sequence
        + ", identities="
        + identities.size()
        + ", serials="
        + serials.size()
        + "}";
  }
}
