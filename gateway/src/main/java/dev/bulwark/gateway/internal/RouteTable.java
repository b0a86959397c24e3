package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which route serves a request: routes that name the request's host come before routes for any
 * host, and among those the longest matching path prefix wins, so {@code /payments/refunds} can be
 * routed apart from {@code /payments}. Immutable: a reload builds a new table and swaps it in.
 *
 * @param <R> what a route carries
 */
public final class RouteTable<R> {
  private final List<Entry<R>> entries;

  private RouteTable(List<Entry<R>> entries) {
    this.entries = entries;
  }

  /** A table of {@code entries}; two routes for the same host and prefix are refused. */
  public static <R> RouteTable<R> of(List<Entry<R>> entries) {
    List<Entry<R>> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.<Entry<R>, Boolean>comparing(e -> e.host().isEmpty())
            .thenComparing(e -> -e.pathPrefix().length()));
    for (int i = 1; i < sorted.size(); i++) {
      Entry<R> a = sorted.get(i - 1);
      Entry<R> b = sorted.get(i);
      if (a.host().equals(b.host()) && a.pathPrefix().equals(b.pathPrefix())) {
        throw new IllegalArgumentException(
            "routes: two routes for "
                + a.host().orElse("any host")
                + " and "
                + a.pathPrefix()
                + " (expected: each host and path prefix routed once)");
      }
    }
    return new RouteTable<>(List.copyOf(sorted));
  }

  /**
   * The route for a request to {@code host} (as sent, port and case ignored) and {@code path}
   * (decoded and normalized).
   */
  public Optional<R> match(Optional<String> host, String path) {
    Optional<String> name = host.map(RouteTable::hostName);
    for (Entry<R> entry : entries) {
      if (entry.host().isPresent() && !entry.host().equals(name)) {
        continue;
      }
      String prefix = entry.pathPrefix();
      if (path.equals(prefix)
          || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/')
          || prefix.equals("/")) {
        return Optional.of(entry.route());
      }
    }
    return Optional.empty();
  }

  /** Every route, in matching order. */
  public List<R> routes() {
    return entries.stream().map(Entry::route).toList();
  }

  // "Example.COM:8443" and "[::1]:8443" name the hosts "example.com" and "[::1]".
  private static String hostName(String authority) {
    String lower = authority.toLowerCase(Locale.ROOT);
    int colon = lower.lastIndexOf(':');
    if (colon > 0 && lower.indexOf(']') < colon) {
      lower = lower.substring(0, colon);
    }
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  /**
   * One route of the table.
   *
   * @param host the host it serves, lower case; empty for any host
   * @param pathPrefix the path prefix it serves
   * @param route what the route carries
   */
  public record Entry<R>(Optional<String> host, String pathPrefix, R route) {
    public Entry {
      requireNonNull(host, "host");
      requireNonNull(pathPrefix, "pathPrefix");
      requireNonNull(route, "route");
      host = host.map(h -> h.toLowerCase(Locale.ROOT));
    }
  }
}
