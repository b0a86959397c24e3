package dev.bulwark.sdk.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that have passed every check, remembered by their exact compact form so a token seen again
 * skips the signature check (about a millisecond for ES256). Only verified tokens enter, so nothing
 * an attacker sends can produce a hit; an entry is used for at most {@code maxAge}, so a key
 * removed from the issuer's JWKS stops being trusted within that time; and the token's own lifetime
 * is re-checked on every hit by the caller.
 */
final class VerifiedTokenCache {
  private final int maxEntries;
  private final Duration maxAge;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  VerifiedTokenCache(int maxEntries, Duration maxAge) {
    this.maxEntries = maxEntries;
    this.maxAge = maxAge;
  }

  Optional<AccessToken> get(String compact, Instant now) {
    Entry entry = entries.get(compact);
    if (entry == null) {
      return Optional.empty();
    }
    if (now.isAfter(entry.cachedAt().plus(maxAge))) {
      entries.remove(compact, entry);
      return Optional.empty();
    }
    return Optional.of(entry.token());
  }

  void put(String compact, AccessToken token, Instant now) {
    if (entries.size() >= maxEntries) {
      // Drop what has aged out; if the cache is still full, start afresh rather than grow.
      entries
          .values()
          .removeIf(
              e -> now.isAfter(e.cachedAt().plus(maxAge)) || now.isAfter(e.token().expiresAt()));
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
    }
    entries.put(compact, new Entry(token, now));
  }

  int size() {
    return entries.size();
  }

  private record Entry(AccessToken token, Instant cachedAt) {}
}
