-- Tasks. Times are microseconds since the Unix epoch (UTC), so that they
-- compare and add as integers; booleans are 0 and 1. A task is pending
-- while none of is_running, is_completed, is_failed and is_cancelled is set.
CREATE TABLE IF NOT EXISTS {{.Table}} (
	id               TEXT    NOT NULL PRIMARY KEY,
	executor         TEXT    NOT NULL,
	data_type        TEXT    NOT NULL,
	data             TEXT    NOT NULL,
	queue            TEXT    NOT NULL DEFAULT 'default',
	priority         INTEGER NOT NULL DEFAULT 0,
	timeout_ms       INTEGER NOT NULL,
	retries_left     INTEGER NOT NULL,
	attempt          INTEGER NOT NULL DEFAULT 0,
	is_running       INTEGER NOT NULL DEFAULT 0,
	is_completed     INTEGER NOT NULL DEFAULT 0,
	is_failed        INTEGER NOT NULL DEFAULT 0,
	is_cancelled     INTEGER NOT NULL DEFAULT 0,
	cancel_requested INTEGER NOT NULL DEFAULT 0,
	run_at           INTEGER NOT NULL,
	locked_until     INTEGER,
	lease_token      TEXT,
	last_error       TEXT,
	created_at       INTEGER NOT NULL,
	finished_at      INTEGER,
	unique_key       TEXT,
	result           TEXT,
	result_type      TEXT,
	chain            TEXT
);
--bun:split
-- The claim: pending tasks of a queue in claim order.
CREATE INDEX IF NOT EXISTS {{.Name}}_due ON {{.Table}} (queue, priority DESC, run_at, id)
	WHERE is_running = 0 AND is_completed = 0 AND is_failed = 0 AND is_cancelled = 0;
--bun:split
-- The rescue of tasks whose lease ended.
CREATE INDEX IF NOT EXISTS {{.Name}}_lease ON {{.Table}} (locked_until)
	WHERE is_running = 1;
--bun:split
-- Pruning of finished tasks.
CREATE INDEX IF NOT EXISTS {{.Name}}_finished ON {{.Table}} (finished_at)
	WHERE finished_at IS NOT NULL;
--bun:split
CREATE INDEX IF NOT EXISTS {{.Name}}_executor ON {{.Table}} (executor);
--bun:split
-- One active task per executor and unique key.
CREATE UNIQUE INDEX IF NOT EXISTS {{.Name}}_unique ON {{.Table}} (executor, unique_key)
	WHERE unique_key IS NOT NULL AND is_completed = 0 AND is_failed = 0 AND is_cancelled = 0;
--bun:split
-- The failed attempts of each task.
CREATE TABLE IF NOT EXISTS {{.Name}}_attempts (
	task_id TEXT    NOT NULL,
	attempt INTEGER NOT NULL,
	at      INTEGER NOT NULL,
	kind    TEXT    NOT NULL,
	error   TEXT    NOT NULL,
	PRIMARY KEY (task_id, attempt)
);
--bun:split
-- Named locks, held until a time: the election of the runner that prunes.
CREATE TABLE IF NOT EXISTS {{.Name}}_locks (
	name   TEXT    NOT NULL PRIMARY KEY,
	holder TEXT    NOT NULL,
	until  INTEGER NOT NULL
);
