-- The full registration (redirect URIs, grant types, authentication method, token format...)
-- as JSON, so that later client settings need no migration; the old columns stay for queries.
ALTER TABLE clients ADD COLUMN registration_json VARCHAR(20000) DEFAULT '{}' NOT NULL;

CREATE TABLE users (
  user_id             VARCHAR(64) PRIMARY KEY,
  username            VARCHAR(200) NOT NULL UNIQUE,
  display_name        VARCHAR(200) NOT NULL,
  email               VARCHAR(320),
  password_hash       VARCHAR(400) NOT NULL,
  enabled             BOOLEAN NOT NULL,
  created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  password_changed_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE user_groups (
  name        VARCHAR(100) PRIMARY KEY,
  description VARCHAR(400) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE group_roles (
  group_name VARCHAR(100) NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
  role       VARCHAR(100) NOT NULL,
  PRIMARY KEY (group_name, role)
);

CREATE TABLE group_members (
  group_name VARCHAR(100) NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
  user_id    VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  PRIMARY KEY (group_name, user_id)
);

CREATE TABLE user_roles (
  user_id VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  role    VARCHAR(100) NOT NULL,
  PRIMARY KEY (user_id, role)
);

-- A browser's login at the provider (the OIDC "sid").
CREATE TABLE sessions (
  session_id     VARCHAR(64) PRIMARY KEY,
  user_id        VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  auth_time      TIMESTAMP WITH TIME ZONE NOT NULL,
  amr            VARCHAR(200) NOT NULL,
  acr            VARCHAR(200) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at     TIMESTAMP WITH TIME ZONE,
  source_address VARCHAR(100) NOT NULL,
  secret_hash    VARCHAR(64) NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Codes are stored as their SHA-256, so a database reader cannot redeem one.
CREATE TABLE authorization_codes (
  code_hash      VARCHAR(64) PRIMARY KEY,
  client_id      VARCHAR(128) NOT NULL,
  user_id        VARCHAR(64) NOT NULL,
  session_id     VARCHAR(64) NOT NULL,
  redirect_uri   VARCHAR(2000) NOT NULL,
  code_challenge VARCHAR(128) NOT NULL,
  scopes         VARCHAR(2000) NOT NULL,
  audiences      VARCHAR(2000) NOT NULL,
  nonce          VARCHAR(500),
  auth_time      TIMESTAMP WITH TIME ZONE NOT NULL,
  amr            VARCHAR(200) NOT NULL,
  acr            VARCHAR(200) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  redeemed_at    TIMESTAMP WITH TIME ZONE
);
