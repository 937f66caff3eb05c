-- Accounts by their address in lower case: the duplicate-account rule
-- groups on it, and checking one edit against that rule looks it up.
-- (MariaDB compares `email` case-insensitively and has an index on it.)
CREATE INDEX users_email_lower_idx ON users (LOWER(email));
