-- The CA's state. Portable SQL: it runs on H2 (embedded) and PostgreSQL.

-- Join tokens: single-use, short-lived attestations, each bound to one SPIFFE ID and the DNS
-- names and addresses its SVID will carry. Only the SHA-256 of a token is stored.
CREATE TABLE join_tokens (
  token_hash     VARCHAR(64) PRIMARY KEY,
  spiffe_id      VARCHAR(2048) NOT NULL,
  dns_names      VARCHAR(4000) NOT NULL,
  ip_addresses   VARCHAR(2000) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  used_at        TIMESTAMP WITH TIME ZONE
);

-- The deny list's version: one row, incremented in the same transaction as each revocation. Its
-- row lock serialises revocations, so a reader that sees revocation N also sees every one before.
CREATE TABLE deny_list_version (
  id             INTEGER PRIMARY KEY,
  sequence       BIGINT NOT NULL
);
INSERT INTO deny_list_version (id, sequence) VALUES (1, 0);

-- Revoked SPIFFE IDs and certificate serials (lowercase hex); exactly one of the two per row.
CREATE TABLE revocations (
  sequence       BIGINT PRIMARY KEY,
  spiffe_id      VARCHAR(2048) UNIQUE,
  serial         VARCHAR(64) UNIQUE,
  reason         VARCHAR(500) NOT NULL,
  revoked_by     VARCHAR(2048) NOT NULL,
  revoked_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT revocations_one_target CHECK ((spiffe_id IS NULL) <> (serial IS NULL))
);

-- Every certificate issued, for audit and inspection; never the key.
CREATE TABLE issued_certificates (
  serial         VARCHAR(64) PRIMARY KEY,
  spiffe_id      VARCHAR(2048) NOT NULL,
  attestation    VARCHAR(32) NOT NULL,
  issued_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  not_after      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX issued_certificates_by_spiffe_id ON issued_certificates (spiffe_id);
