-- Tasks. The payload is text, not jsonb: jsonb would reorder keys and
-- reject the \u0000 escape that encoding/json writes for NUL bytes.
CREATE TABLE IF NOT EXISTS {{.Table}} (
	id           uuid        NOT NULL PRIMARY KEY,
	executor     text        NOT NULL,
	data_type    text        NOT NULL,
	data         text        NOT NULL,
	queue        text        NOT NULL DEFAULT 'default',
	priority     integer     NOT NULL DEFAULT 0,
	timeout_ms   bigint      NOT NULL,
	retries_left integer     NOT NULL,
	attempt      integer     NOT NULL DEFAULT 0,
	is_running   boolean     NOT NULL DEFAULT false,
	is_completed boolean     NOT NULL DEFAULT false,
	is_failed    boolean     NOT NULL DEFAULT false,
	run_at       timestamptz NOT NULL,
	locked_until timestamptz,
	lease_token  text,
	last_error   text,
	created_at   timestamptz NOT NULL,
	finished_at  timestamptz
);
--bun:split
-- The claim: pending tasks of a queue in claim order.
CREATE INDEX IF NOT EXISTS {{.Name}}_due ON {{.Table}} (queue, priority DESC, run_at, id)
	WHERE NOT is_running AND NOT is_completed AND NOT is_failed;
--bun:split
-- The rescue of tasks whose lease ended.
CREATE INDEX IF NOT EXISTS {{.Name}}_lease ON {{.Table}} (locked_until)
	WHERE is_running;
--bun:split
-- Pruning and listing of finished tasks.
CREATE INDEX IF NOT EXISTS {{.Name}}_finished ON {{.Table}} (finished_at)
	WHERE finished_at IS NOT NULL;
--bun:split
CREATE INDEX IF NOT EXISTS {{.Name}}_executor ON {{.Table}} (executor);
