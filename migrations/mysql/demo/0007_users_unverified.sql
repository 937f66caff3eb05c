-- Accounts never verified, by age: the stale-verification rule and
-- verification reminders read only these. MariaDB has no partial indexes;
-- the NULLs lead this one.
CREATE INDEX users_unverified_idx ON users (email_verified_at, created_at);
