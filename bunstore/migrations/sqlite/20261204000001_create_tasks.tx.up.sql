-- Tasks. Times are microseconds since the Unix epoch (UTC), so that they
-- compare and add as integers; booleans are 0 and 1.
CREATE TABLE IF NOT EXISTS {{.Table}} (
	id           TEXT    NOT NULL PRIMARY KEY,
	executor     TEXT    NOT NULL,
	data_type    TEXT    NOT NULL,
	data         TEXT    NOT NULL,
	queue        TEXT    NOT NULL DEFAULT 'default',
	priority     INTEGER NOT NULL DEFAULT 0,
	timeout_ms   INTEGER NOT NULL,
	retries_left INTEGER NOT NULL,
	attempt      INTEGER NOT NULL DEFAULT 0,
	is_running   INTEGER NOT NULL DEFAULT 0,
	is_completed INTEGER NOT NULL DEFAULT 0,
	is_failed    INTEGER NOT NULL DEFAULT 0,
	run_at       INTEGER NOT NULL,
	locked_until INTEGER,
	lease_token  TEXT,
	last_error   TEXT,
	created_at   INTEGER NOT NULL,
	finished_at  INTEGER
);
--bun:split
-- The claim: pending tasks of a queue in claim order.
CREATE INDEX IF NOT EXISTS {{.Name}}_due ON {{.Table}} (queue, priority DESC, run_at, id)
	WHERE is_running = 0 AND is_completed = 0 AND is_failed = 0;
--bun:split
-- The rescue of tasks whose lease ended.
CREATE INDEX IF NOT EXISTS {{.Name}}_lease ON {{.Table}} (locked_until)
	WHERE is_running = 1;
--bun:split
-- Pruning and listing of finished tasks.
CREATE INDEX IF NOT EXISTS {{.Name}}_finished ON {{.Table}} (finished_at)
	WHERE finished_at IS NOT NULL;
--bun:split
CREATE INDEX IF NOT EXISTS {{.Name}}_executor ON {{.Table}} (executor);
