-- Transactional outbox: a producer writes its state change and the draft of the event describing
-- it in one transaction; the relay publishes pending rows to the socket hub in id order, with
-- "outbox:<id>" as idempotency key, and marks them sent. A crash anywhere leaves either both or
-- neither, and a re-publish after a crash is deduplicated by the hub.
CREATE TABLE outbox (
    id          BIGSERIAL   PRIMARY KEY,
    draft       JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    last_error  TEXT,
    envelope    JSONB
);

CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL;
