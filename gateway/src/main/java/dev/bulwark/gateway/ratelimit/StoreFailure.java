package dev.bulwark.gateway.ratelimit;

/** What a shared limiter does while its store (Redis) cannot answer in time. */
public enum StoreFailure {
  /** Refuse the request: fail closed. */
  DENY,
  /** Let this gateway's own in-memory buckets decide, so each instance limits on its own. */
  LOCAL
}
