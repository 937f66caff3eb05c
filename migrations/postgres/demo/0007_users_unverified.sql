-- Accounts never verified, by age: the stale-verification rule and
-- verification reminders read only these (a few percent of all accounts).
CREATE INDEX users_unverified_idx ON users (created_at) WHERE email_verified_at IS NULL;
