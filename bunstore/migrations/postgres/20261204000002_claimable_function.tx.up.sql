-- The due tasks a claim takes, locked. PostgreSQL plans this query once
-- per session; with stale statistics (a table that just received a large
-- backlog, say) it would rather fetch every due row and sort them than walk
-- the claim index in order, which costs a full sort per claim. The
-- function's settings rule that plan out: it always walks the index.
CREATE OR REPLACE FUNCTION {{.Name}}_claimable(
	p_queue text, p_executors text[], p_limit integer, p_now timestamptz)
RETURNS SETOF uuid
LANGUAGE sql VOLATILE
SET enable_sort = off
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $fn$
	SELECT id FROM {{.Table}}
	WHERE queue = p_queue AND NOT is_running AND NOT is_completed AND NOT is_failed
		AND NOT is_cancelled
		AND run_at <= p_now AND executor = ANY (p_executors)
	ORDER BY priority DESC, run_at, id
	LIMIT p_limit
	FOR UPDATE SKIP LOCKED
$fn$;
