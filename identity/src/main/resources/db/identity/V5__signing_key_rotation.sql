-- Signing keys rotate: per algorithm a ring of next (published, not yet signing), current
-- (signing) and previous (published so earlier tokens still verify); older keys are retired.
-- The ring row is what instances sharing the database agree on: a rotation is a conditional
-- update of current_kid, so two instances rotating at once rotate once.
CREATE TABLE signing_key_rings (
  algorithm   VARCHAR(16) PRIMARY KEY,
  current_kid VARCHAR(64) NOT NULL,
  rotated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A key that no longer signs has its private half deleted.
ALTER TABLE signing_keys ALTER COLUMN sealed_private DROP NOT NULL;
ALTER TABLE signing_keys ADD COLUMN retired_at TIMESTAMP WITH TIME ZONE;

-- The single ES256 key of earlier versions becomes its ring's current key.
UPDATE signing_keys SET status = 'current' WHERE status = 'active';
