CREATE TABLE payments (
  id           VARCHAR(36) PRIMARY KEY,
  owner        VARCHAR(128) NOT NULL,
  amount       DECIMAL(12, 2) NOT NULL,
  currency     CHAR(3) NOT NULL,
  description  VARCHAR(140) NOT NULL,
  status       VARCHAR(16) NOT NULL,
  created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  refunded_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX payments_by_owner ON payments (owner, created_at);
