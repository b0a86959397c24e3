package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.CaException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The DNS names an SVID may carry: host names in letters, digits and hyphens (RFC 1123 §2.1), no
 * wildcards, since an SVID names one workload's listener.
 */
public final class DnsNames {
  private static final int MAX_LENGTH = 253;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private DnsNames() {}

  /**
   * {@code names} in lowercase, each checked.
   *
   * @throws CaException {@code REQUEST_INVALID} naming the first name that is not a host name
   */
  public static List<String> checked(List<String> names) {
    requireNonNull(names, "names");
    return names.stream().map(DnsNames::checked).distinct().toList();
  }

  private static String checked(String name) {
    requireNonNull(name, "name");
    String lower = name.toLowerCase(Locale.ROOT);
    boolean valid = !lower.isEmpty() && lower.length() <= MAX_LENGTH && !lower.endsWith(".");
    if (valid) {
      for (String label : lower.split("\\.", -1)) {
        if (!LABEL.matcher(label).matches()) {
          valid = false;
          break;
        }
      }
    }
    if (!valid) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID,
          "DNS name '"
              + Printable.of(name, 64)
              + "' is not a host name (expected letters, digits and '-' in dot-separated labels)");
    }
    return lower;
  }
}
