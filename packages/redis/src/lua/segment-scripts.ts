import { LuaScript } from '../lua-script.js';
import { PRELUDE } from './prelude.js';
import { WRITE_EPILOGUE, WRITE_PROLOGUE } from './write-steps.js';

/**
 * Stores a save as one more segment of the task: RPUSH of the segment's body to `sb:<id>` and
 * of its artifacts to `sa:<id>`, and the hash's small fields. The task's body and artifacts are
 * never read nor rewritten, so the cost is the segment's size, whatever the task's. Same
 * outcomes, index moves and retention as putTaskScript, in one atomic step.
 * ARGV: id, expected version, state, context key part, sort key text, segment body, segment
 * artifacts, terminal ('1'/'0'), write time, ttl ms (0: none), prune batch, stored size,
 * lineage (the full write the append was diffed against: versions restart after a delete, so
 * the version alone cannot tell a recreated task from the one core read), recent reach ('keep'
 * leaves the stored recent form, '' drops it, else the new reach), recent text (see
 * write-steps.ts). The recent form changes in the same step as the segment, under the same guard.
 * Returns {'written', version} | {'conflict'} | {'stale', storedState}.
 */
export const appendTaskScript = new LuaScript(
  'append-task',
  `${PRELUDE}${WRITE_PROLOGUE}
if not old[1] or old[1] ~= expected or old[7] ~= ARGV[13] then return { 'conflict' } end
if old[5] == '1' and old[2] ~= state then return { 'stale', old[2] } end
local version = tonumber(old[1]) + 1
-- The lists hold exactly the count's items: the first append after a full write starts them
-- afresh, so no leftover (a list that outlived its hash, e.g. evicted under maxmemory) can
-- ever be read as this task's segments.
local count = (tonumber(old[6]) or 0) + 1
if count == 1 then redis.call('DEL', base .. 'sb:' .. id, base .. 'sa:' .. id) end
redis.call('RPUSH', base .. 'sb:' .. id, ARGV[6])
redis.call('RPUSH', base .. 'sa:' .. id, ARGV[7])
redis.call('HSET', key, 'v', version, 's', state, 'c', ctx, 'k', sortkey, 'f', terminal,
  'u', written_at, 'n', count, 'z', ARGV[12])
${WRITE_EPILOGUE}`,
);

/**
 * A task and its segments in one snapshot, for a `get` whose first read saw segments (a put
 * may have replaced them since: this read decides). Reads only.
 * ARGV: id, with artifacts ('1'/'0').
 * Returns {} when the task is absent, else {version, sort key, body, artifacts ('' when not
 * asked for), stored size, lineage ('' when none), segment count n, n segment bodies[, n
 * segment artifacts]}.
 */
export const getTaskWithSegmentsScript = new LuaScript(
  'get-task-with-segments',
  `${PRELUDE}
local id, with_artifacts = ARGV[1], ARGV[2] == '1'
local row
if with_artifacts then
  row = redis.call('HMGET', base .. 't:' .. id, 'v', 'k', 'b', 'z', 'n', 'l', 'a')
else
  row = redis.call('HMGET', base .. 't:' .. id, 'v', 'k', 'b', 'z', 'n', 'l')
end
if not row[1] then return {} end
local count = tonumber(row[5]) or 0
local out = { row[1], row[2] or '', row[3] or '', row[7] or '', row[4] or '0', row[6] or '',
  count }
if count > 0 then
  push_segments(out, base .. 'sb:' .. id, count)
  if with_artifacts then push_segments(out, base .. 'sa:' .. id, count) end
end
return out
`,
);
