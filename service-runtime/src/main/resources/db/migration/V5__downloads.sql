-- Download jobs: web inserts a job (and, for an explicit list, its files) and wakes the download
-- service; a download worker claims it with FOR UPDATE SKIP LOCKED and holds it by a lease it keeps
-- renewing. A worker that dies stops renewing, so once lease_until passes any other worker claims
-- the job again and resumes its files from the partial bytes on disk. Every state change bumps
-- version (the entity_version of the event written to the outbox in the same transaction).
CREATE TABLE download_job (
    id                BIGSERIAL   PRIMARY KEY,
    status            TEXT        NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    source            JSONB       NOT NULL,            -- the request as accepted: {"files": [...]} or {"huggingface": {...}}
    resolved          BOOLEAN     NOT NULL DEFAULT false, -- the file list is known (a HuggingFace listing is resolved by the worker)
    keep_partial      BOOLEAN     NOT NULL DEFAULT false, -- on cancel or failure, leave partial files in place
    cancel_requested  BOOLEAN     NOT NULL DEFAULT false,
    version           BIGINT      NOT NULL DEFAULT 1,
    attempts          INTEGER     NOT NULL DEFAULT 0,  -- claims so far (1 = first run; more = resumed after a restart)
    owner             TEXT,                            -- instance id of the worker holding the lease
    lease_until       TIMESTAMPTZ,
    bytes_done        BIGINT      NOT NULL DEFAULT 0,
    bytes_total       BIGINT,                          -- null while some file's size is unknown
    current_file      TEXT,
    error             TEXT,                            -- why the job failed, for people
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ
);

-- What workers scan when they look for work: queued jobs, and running ones whose lease may have expired.
CREATE INDEX download_job_claimable ON download_job (id) WHERE status IN ('queued', 'running');

CREATE TABLE download_file (
    job_id      BIGINT  NOT NULL REFERENCES download_job (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,                    -- download order within the job
    url         TEXT    NOT NULL,
    path        TEXT    NOT NULL,                    -- relative to the download workspace, validated on insert
    size        BIGINT,                              -- expected size, when known
    sha256      TEXT,                                -- expected lower-case hex digest, when known
    bytes_done  BIGINT  NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    PRIMARY KEY (job_id, ordinal),
    UNIQUE (job_id, path)
);
