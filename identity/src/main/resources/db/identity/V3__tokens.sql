-- Every access token issued, JWT or opaque, by its jti: the revocation list that introspection,
-- userinfo and token exchange consult, and the claims of opaque tokens. An opaque token is kept
-- only as its SHA-256 (token_hash); JWT rows have none. family_id and code_hash say which refresh
-- family and which authorization code it came from, so that a refresh-token reuse or a code
-- replay revokes it (OAuth 2.1 §4.1.3, §4.3.1).
CREATE TABLE access_tokens (
  jti         VARCHAR(64) PRIMARY KEY,
  token_hash  VARCHAR(64) UNIQUE,
  client_id   VARCHAR(128) NOT NULL,
  subject     VARCHAR(128) NOT NULL,
  family_id   VARCHAR(64),
  code_hash   VARCHAR(64),
  claims_json VARCHAR(20000) NOT NULL,
  issued_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX access_tokens_by_family ON access_tokens (family_id);
CREATE INDEX access_tokens_by_code ON access_tokens (code_hash);
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);

-- Refresh tokens, stored only as their SHA-256. Each use rotates: the presented token is marked
-- used and a new one joins the family; presenting a used one revokes the family (OAuth 2.1 §6.1).
CREATE TABLE refresh_tokens (
  token_hash        VARCHAR(64) PRIMARY KEY,
  family_id         VARCHAR(64) NOT NULL,
  client_id         VARCHAR(128) NOT NULL,
  user_id           VARCHAR(64) NOT NULL,
  session_id        VARCHAR(64) NOT NULL,
  code_hash         VARCHAR(64),
  scopes            VARCHAR(2000) NOT NULL,
  audiences         VARCHAR(2000) NOT NULL,
  auth_time         TIMESTAMP WITH TIME ZONE NOT NULL,
  amr               VARCHAR(200) NOT NULL,
  acr               VARCHAR(200) NOT NULL,
  issued_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  family_expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  used_at           TIMESTAMP WITH TIME ZONE,
  revoked_at        TIMESTAMP WITH TIME ZONE
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_code ON refresh_tokens (code_hash);

-- The jti of every private_key_jwt client assertion seen, until it expires: a replayed assertion
-- is refused (RFC 7523 §3 item 7, OIDC Core §9).
CREATE TABLE client_assertion_jtis (
  client_id  VARCHAR(128) NOT NULL,
  jti        VARCHAR(200) NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (client_id, jti)
);
