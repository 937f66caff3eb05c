-- How a message is delivered: 'email' (the console sends it over SMTP) or
-- 'backend' (the console asks the back end, over HTTP, to send its own
-- email, as the mapping's [sends] says). Fixed when the message is queued.
ALTER TABLE backoffice_outbox ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'backend'));
