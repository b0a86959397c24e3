CREATE TABLE profiles (
  id            VARCHAR(128) PRIMARY KEY,
  display_name  VARCHAR(100) NOT NULL,
  email         VARCHAR(254) NOT NULL,
  updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
