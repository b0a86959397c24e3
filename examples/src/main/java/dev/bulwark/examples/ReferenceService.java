package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.BearerAuthenticator;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;

/** A running reference service: its database and its HTTPS listener. */
public final class ReferenceService implements AutoCloseable {
  private final String name;
  private final Database database;
  private final HttpListener listener;

  private ReferenceService(String name, Database database, HttpListener listener) {
    this.name = name;
    this.database = database;
    this.listener = listener;
  }

  /**
   * Opens the service's database (migrations at {@code classpath:db/<name>}), and serves {@code
   * api} behind token authentication on {@code listener}.
   */
  public static ReferenceService start(
      String name, ServiceSettings settings, HttpListener.Builder listener, Api api) {
    requireNonNull(settings, "settings");
    Database database = Database.open(settings.database(), name, "classpath:db/" + name);
    try {
      AccessTokenVerifier verifier =
          AccessTokenVerifier.builder()
              .issuer(settings.issuer())
              .audience(settings.audience())
              .jwksUri(settings.jwksUri(), settings.issuerTls())
              .clockSkew(settings.clockSkew())
              // A token is typically presented many times in its short life; see
              // VerifiedTokenCache.
              .cacheVerifiedTokens(10_000, java.time.Duration.ofMinutes(1))
              .build();
      ResourceServer resourceServer = new ResourceServer(new BearerAuthenticator(verifier, name));
      HttpListener started =
          listener
              .maxPayloadSize(64 * 1024)
              .healthCheck("database", database.healthCheck())
              .routes(
                  routing -> {
                    routing.addFilter(resourceServer::authenticate);
                    api.register(routing, resourceServer, database);
                  })
              .start();
      return new ReferenceService(name, database, started);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    listener.close();
    database.close();
  }

  /** Registers a service's endpoints. */
  @FunctionalInterface
  public interface Api {
    void register(HttpRouting.Builder routing, ResourceServer resourceServer, Database database);
  }
}
