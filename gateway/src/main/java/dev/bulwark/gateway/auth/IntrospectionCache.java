package dev.bulwark.gateway.auth;

import dev.bulwark.sdk.token.TokenVerification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Introspection answers keyed by the SHA-256 of the token, never the token itself, each until its
 * own deadline, at most {@code maxEntries} of them (the least recently used go first), so a flood
 * of distinct tokens cannot grow it without bound.
 */
final class IntrospectionCache {
  private final Map<String, Cached> entries;

  IntrospectionCache(int maxEntries) {
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > maxEntries;
          }
        };
  }

  synchronized Optional<TokenVerification> get(String tokenHash, Instant now) {
    Cached entry = entries.get(tokenHash);
    if (entry == null) {
      return Optional.empty();
    }
    if (!now.isBefore(entry.until())) {
      entries.remove(tokenHash);
      return Optional.empty();
    }
    return Optional.of(entry.answer());
  }

  synchronized void put(String tokenHash, TokenVerification answer, Instant until) {
    entries.put(tokenHash, new Cached(answer, until));
  }

  private record Cached(TokenVerification answer, Instant until) {}
}
