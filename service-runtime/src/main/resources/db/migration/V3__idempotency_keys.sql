-- Write endpoints that a client may retry carry an Idempotency-Key header. The first request with a
-- key records it here (response NULL while in progress); its 2xx answer is stored, and a retry with
-- the same key and the same request gets that answer back instead of doing the work twice.
CREATE TABLE idempotency_key (
    scope         TEXT        NOT NULL,  -- "POST /api/v1/tasks": a key is only meaningful per endpoint
    key           TEXT        NOT NULL,
    fingerprint   TEXT        NOT NULL,  -- sha256 of method, path and body: a reused key with another body is refused
    status_code   INTEGER,
    response      JSONB,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at  TIMESTAMPTZ,
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
