package dev.bulwark.gateway.ratelimit;

/** What a rule's bucket is counted per; the gateway supplies the key's value for each request. */
public enum LimitKey {
  /** The OAuth client the access token was issued to ({@code client_id}). */
  CLIENT,
  /** The token's subject ({@code sub}). */
  SUBJECT,
  /** The peer's network address. */
  ADDRESS,
  /** The route itself: one bucket shared by every caller. */
  ROUTE
}
