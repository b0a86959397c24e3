package dev.bulwark.ca.internal;

import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;

/** The CA's stores on a real PostgreSQL server. */
class PostgresCaStoresTest extends CaStoresContract {
  private final DatabaseSettings settings = TestPostgres.freshSchema();

  @Override
  DatabaseSettings settings() {
    return settings;
  }
}
