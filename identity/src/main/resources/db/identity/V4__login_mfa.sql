-- An authorization request waiting for the browser to sign in (or step up). The id travels in a
-- hidden form field; the CSRF token beside it is kept only as its hash. Single use.
CREATE TABLE login_requests (
  request_id      VARCHAR(64) PRIMARY KEY,
  csrf_hash       VARCHAR(64) NOT NULL,
  request_form    VARCHAR(8000) NOT NULL,
  step_up_session VARCHAR(64),
  user_id         VARCHAR(64),
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  consumed_at     TIMESTAMP WITH TIME ZONE
);

-- Failed sign-ins per account ("user:<name>") and per source address ("addr:<ip>").
CREATE TABLE sign_in_failures (
  throttle_key    VARCHAR(300) PRIMARY KEY,
  failures        INTEGER NOT NULL,
  last_failure_at TIMESTAMP WITH TIME ZONE NOT NULL,
  locked_until    TIMESTAMP WITH TIME ZONE
);

-- TOTP seeds, sealed under the master key (context identity/totp/<user_id>); confirmed once the
-- user has typed one valid code. last_step refuses a code's time step a second time.
CREATE TABLE totp_credentials (
  user_id       VARCHAR(64) PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
  sealed_secret BYTEA NOT NULL,
  confirmed     BOOLEAN NOT NULL,
  last_step     BIGINT NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Recovery codes as SHA-256 hashes (each has 80 random bits); single use.
CREATE TABLE recovery_codes (
  user_id   VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  code_hash VARCHAR(64) NOT NULL,
  used_at   TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (user_id, code_hash)
);

-- WebAuthn passkeys: the attested credential data (credential id + COSE public key) and the
-- signature counter, which must grow.
CREATE TABLE webauthn_credentials (
  credential_id      VARCHAR(1400) PRIMARY KEY,
  user_id            VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  attested_data      BYTEA NOT NULL,
  sign_count         BIGINT NOT NULL,
  created_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials (user_id);

-- WebAuthn challenges, server-side and single use.
CREATE TABLE webauthn_challenges (
  challenge  VARCHAR(100) PRIMARY KEY,
  user_id    VARCHAR(64) NOT NULL,
  purpose    VARCHAR(20) NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
