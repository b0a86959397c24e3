CREATE TABLE clients (
  client_id      VARCHAR(128) PRIMARY KEY,
  display_name   VARCHAR(200) NOT NULL,
  secret_hash    VARCHAR(100) NOT NULL,
  scopes         VARCHAR(2000) NOT NULL,
  audiences      VARCHAR(2000) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE signing_keys (
  kid            VARCHAR(64) PRIMARY KEY,
  algorithm      VARCHAR(16) NOT NULL,
  public_jwk     VARCHAR(4000) NOT NULL,
  sealed_private BYTEA NOT NULL,
  status         VARCHAR(16) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
