import { LuaScript } from '../lua-script.js';
import { PRELUDE } from './prelude.js';
import { WRITE_EPILOGUE, WRITE_PROLOGUE } from './write-steps.js';

/**
 * Insert / update with the version check, the terminal-state guard, index maintenance and
 * retention in one atomic step.
 * A full write replaces the task whole: its segments (see segment-scripts.ts) go in the same step,
 * with a DEL only when the guard read saw some, so a task never appended to pays nothing more.
 * ARGV: id, expected ('' any, 'absent', or a version), state, context key part, sort key text,
 * body, artifacts, terminal ('1'/'0'), write time, ttl ms (0: none), prune batch, stored size,
 * lineage, recent reach ('' for none: a full write never keeps an older recent form), recent
 * text (see write-steps.ts).
 * Returns {'written', version} | {'conflict'} | {'stale', storedState}.
 */
export const putTaskScript = new LuaScript(
  'put-task',
  `${PRELUDE}${WRITE_PROLOGUE}
if old[1] then
  if expected ~= '' and expected ~= old[1] then return { 'conflict' } end
  if old[5] == '1' and old[2] ~= state then return { 'stale', old[2] } end
elseif expected ~= '' and expected ~= 'absent' then
  return { 'conflict' }
end
local version = (tonumber(old[1]) or 0) + 1
redis.call('HSET', key, 'v', version, 's', state, 'c', ctx, 'k', sortkey, 'f', terminal,
  'u', written_at, 'b', ARGV[6], 'a', ARGV[7], 'n', 0, 'z', ARGV[12], 'l', ARGV[13])
if old[6] and old[6] ~= '0' then redis.call('DEL', base .. 'sb:' .. id, base .. 'sa:' .. id) end
${WRITE_EPILOGUE}`,
);

/**
 * Deletes a task and its push configs (the configs even when the task is absent).
 * ARGV: id, prune batch. Returns 1 when the task existed, else 0.
 */
export const deleteTaskScript = new LuaScript(
  'delete-task',
  `${PRELUDE}
local id = ARGV[1]
settle_expiry(id, tonumber(ARGV[2]))
local old = redis.call('HMGET', base .. 't:' .. id, 'v', 's', 'c', 'k')
if not old[1] then
  redis.call('DEL', base .. 'pc:' .. id, base .. 'po:' .. id)
  return 0
end
drop(id, old[4], old[2], old[3])
return 1
`,
);

/**
 * One keyset page from one index, newest first, and the exact count of the filter.
 * ARGV: index suffix, upper bound ('+' or '(' member), lower bound ('-' or '[' sort key text),
 * limit, with artifacts ('1'/'0'), prune batch, history length ('' when the query has none).
 * Returns {-1} when expired tasks remain after this call's bounded prune (call again), else
 * {total, then per row: member, version, text[, artifacts], stored size, lineage, form, segment
 * count n, n segment bodies[, n segment artifacts]}; '' stands for a missing field. `form` is
 * 'r' when `text` is the task's recent form, which answers the history length: the body and the
 * segment bodies are then never read (the point of a short list of a large task), and the n
 * segments are their artifacts only, n being 0 without artifacts. Otherwise `form` is 'b' and
 * `text` the body. Segments are read in the same script, only for rows that have some: the page
 * stays one round trip and one snapshot.
 */
export const listTasksScript = new LuaScript(
  'list-tasks',
  `${PRELUDE}
local upper, lower, with_artifacts = ARGV[2], ARGV[3], ARGV[5] == '1'
local history_length = tonumber(ARGV[7])
local now = now_ms()
prune(now, tonumber(ARGV[6]))
if redis.call('ZCOUNT', base .. 'exp', '-inf', now) > 0 then return { -1 } end
local function id_of(member) return string.sub(member, 15) end
local index_key = base .. ARGV[1]
local total
if lower == '-' then
  total = redis.call('ZCARD', index_key)
else
  total = redis.call('ZLEXCOUNT', index_key, lower, '+')
end
local members = redis.call('ZRANGE', index_key, upper, lower, 'BYLEX', 'REV', 'LIMIT', 0,
  tonumber(ARGV[4]))
-- With a history length the first read takes the recent form (a few KB at most) in the body's
-- place, and the body is read only for a row whose form is absent or too short.
local fields_read = { 'v', history_length and 'r' or 'b', 'z', 'n', 'l', 'h' }
if with_artifacts then fields_read[7] = 'a' end
local out = { total }
for _, member in ipairs(members) do
  local id = id_of(member)
  local key = base .. 't:' .. id
  local fields = redis.call('HMGET', key, unpack(fields_read))
  local recent = history_length and fields[2] and (tonumber(fields[6]) or -1) >= history_length
  local text = fields[2]
  if history_length and not recent and fields[1] then text = redis.call('HGET', key, 'b') end
  out[#out + 1] = member
  out[#out + 1] = fields[1] or ''
  out[#out + 1] = text or ''
  if with_artifacts then out[#out + 1] = fields[7] or '' end
  out[#out + 1] = fields[3] or '0'
  out[#out + 1] = fields[5] or ''
  out[#out + 1] = recent and 'r' or 'b'
  local count = fields[1] and tonumber(fields[4]) or 0
  if recent and not with_artifacts then count = 0 end
  out[#out + 1] = count
  if count > 0 then
    if not recent then push_segments(out, base .. 'sb:' .. id, count) end
    if with_artifacts then push_segments(out, base .. 'sa:' .. id, count) end
  end
end
return out
`,
);
