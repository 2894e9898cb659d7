-- Runs (the old "autorun"): tasks started together that report to run:<id>. A flowchart run's
-- nodes report to run:<flowchart run id> as well, so a run takes its id from the same sequence and
-- the two kinds never share a room. The run's status and node set are derived from its tasks; the
-- columns keep what was last announced (autorun.updated, autorun.node_set.updated), so a change of
-- a task announces the run only when what the run shows changed.
CREATE TABLE autorun (
    id          BIGINT      PRIMARY KEY DEFAULT nextval('flowchart_run_id_seq'),
    status      TEXT        NOT NULL,  -- queued, running, succeeded, failed, cancelled, partial
    nodes       JSONB       NOT NULL DEFAULT '[]',  -- [{"task_id", "executor", "status", "attempts"}], by task id
    version     BIGINT      NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);

CREATE INDEX task_by_autorun ON task (run_id) WHERE run_id IS NOT NULL AND flowchart_run_id IS NULL;

-- The flowchart nodes announced running and not yet announced otherwise, in definition order
-- (flowchart.node.running_set).
ALTER TABLE flowchart_run ADD COLUMN running_set JSONB NOT NULL DEFAULT '[]';
