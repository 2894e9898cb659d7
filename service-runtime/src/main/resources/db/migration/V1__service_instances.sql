-- Every service process that owns background work records a heartbeat here, so operators (and
-- /api/v1/infrastructure/health/workers) see which workers are alive and since when.
CREATE TABLE service_instance (
    instance_id   TEXT PRIMARY KEY,
    service       TEXT        NOT NULL,
    host          TEXT        NOT NULL,
    pid           BIGINT      NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    details       JSONB       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX service_instance_last_seen ON service_instance (service, last_seen_at DESC);
