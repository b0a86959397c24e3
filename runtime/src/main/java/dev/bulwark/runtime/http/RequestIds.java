package dev.bulwark.runtime.http;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Request ids: accepted from the caller when well-formed (so a chain of hops shares one id),
 * otherwise made fresh, and kept in the logging context for the request's thread.
 */
public final class RequestIds {
  /** The logging-context key under which the current request id is kept. */
  public static final String MDC_KEY = "request_id";

  // Restrictive on purpose: the id is echoed into headers and logs, so no spaces, quotes or CR/LF.
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  /** The caller's id when it is well-formed, a new one otherwise. */
  public static String acceptOrCreate(Optional<String> fromCaller) {
    return fromCaller.filter(id -> WELL_FORMED.matcher(id).matches()).orElseGet(RequestIds::create);
  }

  public static String create() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The id of the request this thread is serving, if any. */
  public static Optional<String> current() {
    return Optional.ofNullable(MDC.get(MDC_KEY));
  }
}
