package dev.bulwark.ca.internal;

import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The CA's stores on the embedded H2 database. */
class H2CaStoresTest extends CaStoresContract {
  @TempDir Path directory;

  @Override
  DatabaseSettings settings() {
    return DatabaseSettings.embedded(directory, "ca");
  }
}
