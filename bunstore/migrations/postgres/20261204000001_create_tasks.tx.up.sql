-- Tasks. The payload is text, not jsonb: jsonb would reorder keys and
-- reject the \u0000 escape that encoding/json writes for NUL bytes. A task
-- is pending while none of is_running, is_completed, is_failed and
-- is_cancelled is set.
CREATE TABLE IF NOT EXISTS {{.Table}} (
	id               uuid        NOT NULL PRIMARY KEY,
	executor         text        NOT NULL,
	data_type        text        NOT NULL,
	data             text        NOT NULL,
	queue            text        NOT NULL DEFAULT 'default',
	priority         integer     NOT NULL DEFAULT 0,
	timeout_ms       bigint      NOT NULL,
	retries_left     integer     NOT NULL,
	attempt          integer     NOT NULL DEFAULT 0,
	is_running       boolean     NOT NULL DEFAULT false,
	is_completed     boolean     NOT NULL DEFAULT false,
	is_failed        boolean     NOT NULL DEFAULT false,
	is_cancelled     boolean     NOT NULL DEFAULT false,
	cancel_requested boolean     NOT NULL DEFAULT false,
	run_at           timestamptz NOT NULL,
	locked_until     timestamptz,
	lease_token      text,
	last_error       text,
	created_at       timestamptz NOT NULL,
	finished_at      timestamptz,
	unique_key       text,
	result           text,
	result_type      text,
	chain            text
);
--bun:split
-- The claim: pending tasks of a queue in claim order.
CREATE INDEX IF NOT EXISTS {{.Name}}_due ON {{.Table}} (queue, priority DESC, run_at, id)
	WHERE NOT is_running AND NOT is_completed AND NOT is_failed AND NOT is_cancelled;
--bun:split
-- The rescue of tasks whose lease ended.
CREATE INDEX IF NOT EXISTS {{.Name}}_lease ON {{.Table}} (locked_until NULLS FIRST)
	WHERE is_running;
--bun:split
-- Pruning of finished tasks.
CREATE INDEX IF NOT EXISTS {{.Name}}_finished ON {{.Table}} (finished_at)
	WHERE finished_at IS NOT NULL;
--bun:split
CREATE INDEX IF NOT EXISTS {{.Name}}_executor ON {{.Table}} (executor);
--bun:split
-- One active task per executor and unique key.
CREATE UNIQUE INDEX IF NOT EXISTS {{.Name}}_unique ON {{.Table}} (executor, unique_key)
	WHERE unique_key IS NOT NULL AND NOT is_completed AND NOT is_failed AND NOT is_cancelled;
--bun:split
-- The failed attempts of each task.
CREATE TABLE IF NOT EXISTS {{.Name}}_attempts (
	task_id uuid        NOT NULL,
	attempt integer     NOT NULL,
	at      timestamptz NOT NULL,
	kind    text        NOT NULL,
	error   text        NOT NULL,
	PRIMARY KEY (task_id, attempt)
);
--bun:split
-- Named locks, held until a time: the election of the runner that prunes.
CREATE TABLE IF NOT EXISTS {{.Name}}_locks (
	name   text        NOT NULL PRIMARY KEY,
	holder text        NOT NULL,
	until  timestamptz NOT NULL
);
