-- The task runner's durable state. Every row carries a version that each state change bumps in the
-- same transaction as the outbox event describing it, so a page that hydrated at version v drops
-- events at or below v. Lock order, everywhere: flowchart_run / chat_thread row first, then task
-- rows (a runner's claim locks task rows only), so transitions never deadlock each other.

-- A stored DAG: nodes (each a task spec) and edges, validated (no cycle, no unknown node) on save.
CREATE TABLE flowchart (
    id          BIGSERIAL   PRIMARY KEY,
    name        TEXT        NOT NULL,
    definition  JSONB       NOT NULL,   -- {"nodes": [{"key", "task"}], "edges": [{"from", "to"}]}
    version     BIGINT      NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One execution of a flowchart; its definition is copied so editing the flowchart never changes a run.
CREATE TABLE flowchart_run (
    id                BIGSERIAL   PRIMARY KEY,
    flowchart_id      BIGINT      NOT NULL REFERENCES flowchart (id),
    definition        JSONB       NOT NULL,
    status            TEXT        NOT NULL,  -- running, cancelling, failing, succeeded, failed, cancelled
    failure_mode      TEXT        NOT NULL,  -- fail_fast, continue
    max_parallel      INTEGER     NOT NULL,
    version           BIGINT      NOT NULL DEFAULT 1,
    error             TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at       TIMESTAMPTZ
);

CREATE INDEX flowchart_run_by_flowchart ON flowchart_run (flowchart_id, id DESC);

CREATE TABLE chat_thread (
    id          BIGSERIAL   PRIMARY KEY,
    title       TEXT        NOT NULL,
    version     BIGINT      NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chat_turn (
    id           BIGSERIAL   PRIMARY KEY,
    thread_id    BIGINT      NOT NULL REFERENCES chat_thread (id),
    status       TEXT        NOT NULL,  -- requested, responded, failed
    prompt       TEXT        NOT NULL,
    response     TEXT        NOT NULL DEFAULT '',
    error        TEXT,
    task_id      BIGINT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX chat_turn_by_thread ON chat_turn (thread_id, id);

CREATE TABLE task (
    id                BIGSERIAL   PRIMARY KEY,
    executor          TEXT        NOT NULL,  -- noop, sleep, shell, http, llm
    spec              JSONB       NOT NULL,  -- {"executor", "params", "max_attempts"}
    status            TEXT        NOT NULL,  -- waiting, queued, running, succeeded, failed, cancelled, skipped
    stage             TEXT        NOT NULL,
    version           BIGINT      NOT NULL DEFAULT 1,
    attempts          INTEGER     NOT NULL DEFAULT 0,  -- claims so far, including ones whose lease expired
    max_attempts      INTEGER     NOT NULL,
    run_after         TIMESTAMPTZ NOT NULL DEFAULT now(),  -- retry backoff: not claimable before
    lease_owner       TEXT,
    lease_expires_at  TIMESTAMPTZ,
    cancel_requested  BOOLEAN     NOT NULL DEFAULT false,
    result            JSONB,
    error             TEXT,
    runtime           JSONB,      -- the envelope's runtime block: executor, provider, dispatch status, runner
    run_id            BIGINT,     -- the run:<id> room the task reports to (a flowchart run, or a caller's group)
    flowchart_run_id  BIGINT      REFERENCES flowchart_run (id),
    node_key          TEXT,
    chat_turn_id      BIGINT      REFERENCES chat_turn (id),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    UNIQUE (flowchart_run_id, node_key)
);

CREATE INDEX task_claimable ON task (run_after, id) WHERE status = 'queued';
CREATE INDEX task_leases ON task (lease_expires_at) WHERE status = 'running';
CREATE INDEX task_by_run ON task (flowchart_run_id) WHERE flowchart_run_id IS NOT NULL;
