-- Dead-lettered outbox rows: a row the relay can never publish (its stored draft cannot be read, or
-- the hub refuses it for good, e.g. too_large) is moved aside with the time and its last_error
-- instead of being retried forever, which held back every row after it. Such rows stay in the
-- table for operators to inspect (docs/operators-guide.md, "Dead-lettered outbox rows").
ALTER TABLE outbox ADD COLUMN dead_at TIMESTAMPTZ;

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL;
