-- Support tickets as the help desk records them: who raised it and whether it is still open. A
-- support agent may see or change a profile only while a ticket of its owner is open.
CREATE TABLE support_tickets (
  id       VARCHAR(64) PRIMARY KEY,
  subject  VARCHAR(128) NOT NULL,
  status   VARCHAR(16) NOT NULL
);
