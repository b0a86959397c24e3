package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.Attestation;
import dev.bulwark.ca.IssuedCertificate;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.workload.SpiffeId;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The record of every certificate the CA issued, for audit and inspection. */
public final class IssuedCertificateStore {
  private final Database database;

  public IssuedCertificateStore(Database database) {
    this.database = requireNonNull(database, "database");
  }

  public void record(IssuedCertificate issued) {
    requireNonNull(issued, "issued");
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO issued_certificates (serial, spiffe_id, attestation, issued_at,"
                      + " not_after) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, issued.serial().toString(16));
            insert.setString(2, issued.spiffeId().toString());
            insert.setString(3, issued.attestation().wireName());
            insert.setObject(4, issued.issuedAt().atOffset(ZoneOffset.UTC));
            insert.setObject(5, issued.notAfter().atOffset(ZoneOffset.UTC));
            insert.executeUpdate();
          }
          return null;
        });
  }

  /** The certificates issued for {@code id}, oldest first. */
  public List<IssuedCertificate> issuedFor(SpiffeId id) {
    requireNonNull(id, "id");
    return database.inTransaction(
        connection -> {
          List<IssuedCertificate> found = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT serial, attestation, issued_at, not_after FROM issued_certificates"
                      + " WHERE spiffe_id = ? ORDER BY issued_at, serial")) {
            select.setString(1, id.toString());
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                found.add(
                    new IssuedCertificate(
                        new BigInteger(rows.getString(1), 16),
                        id,
                        Attestation.valueOf(rows.getString(2).toUpperCase(Locale.ROOT)),
                        rows.getObject(3, OffsetDateTime.class).toInstant(),
                        rows.getObject(4, OffsetDateTime.class).toInstant()));
              }
            }
          }
          return found;
        });
  }
}
