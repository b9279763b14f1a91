/**
 * Lua shared by every script (the read-only purge count uses only `base` and `now_ms`). KEYS[1]
 * is always the scope base (`<prefix>{<tag>}:`): every key a script touches is derived from it,
 * so all of them share the scope's hash tag and slot, and a client-side ioredis `keyPrefix`
 * (applied to KEYS) carries over to derived keys.
 *
 * Index coordinates of a task are (sort key text, state, context key part); a task is in
 * `i:all`, plus `i:ctx:<c>` when it has a context, `i:st:<state>` when it has a state, and
 * `i:cs:<state>:<c>` when it has both. Members are `<sort key text><task id>` with score 0.
 *
 * Retention clock: expiry instants come from the server's own TIME, and the same instant is
 * given to PEXPIREAT, so a task leaves the indexes (at `at`) no later than Redis drops its keys
 * (after `at`). Lua string comparison (strcoll) is locale-dependent, so no script compares ids:
 * all ordering is done by Redis' byte-wise sorted sets. Scripts replicate their effects (the
 * default since Redis 5; 6.2 is the minimum), so reading TIME before writing is safe.
 */
export const PRELUDE = `
local base = KEYS[1]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function index_keys(state, ctx)
  local keys = { base .. 'i:all' }
  if ctx ~= '' then keys[#keys + 1] = base .. 'i:ctx:' .. ctx end
  if state ~= '0' then keys[#keys + 1] = base .. 'i:st:' .. state end
  if ctx ~= '' and state ~= '0' then keys[#keys + 1] = base .. 'i:cs:' .. state .. ':' .. ctx end
  return keys
end

local function unindex(id, sortkey, state, ctx)
  local member = sortkey .. id
  for _, key in ipairs(index_keys(state, ctx)) do redis.call('ZREM', key, member) end
end

local function index(id, sortkey, state, ctx)
  local member = sortkey .. id
  for _, key in ipairs(index_keys(state, ctx)) do redis.call('ZADD', key, 0, member) end
end

-- Moves a task from its old index coordinates to its new ones. An entry that index() is about
-- to add back unchanged (same member, same key) is not removed first: the ZADD alone keeps it.
local function reindex(id, old_sortkey, old_state, old_ctx, sortkey, state, ctx)
  local member = sortkey .. id
  local readded = {}
  if old_sortkey .. id == member then
    for _, key in ipairs(index_keys(state, ctx)) do readded[key] = true end
  end
  for _, key in ipairs(index_keys(old_state, old_ctx)) do
    if not readded[key] then redis.call('ZREM', key, old_sortkey .. id) end
  end
  index(id, sortkey, state, ctx)
end

-- Every key of one task: its hash, push configs and order, and the segment lists (bodies and
-- artifacts) its appends wrote. Delete, purge, prune and the TTL all go through this list.
local function task_keys(id)
  return { base .. 't:' .. id, base .. 'pc:' .. id, base .. 'po:' .. id, base .. 'sb:' .. id,
    base .. 'sa:' .. id }
end

-- Everything that refers to the task, except its index entries.
local function forget(id)
  redis.call('DEL', unpack(task_keys(id)))
  redis.call('ZREM', base .. 'upd', id)
  if redis.call('ZREM', base .. 'exp', id) == 1 then redis.call('HDEL', base .. 'expm', id) end
end

local function drop(id, sortkey, state, ctx)
  unindex(id, sortkey, state, ctx)
  forget(id)
end

-- A task whose keys may already be gone (expired): its coordinates come from expm.
local function drop_gone(id)
  local coords = redis.call('HGET', base .. 'expm', id)
  if coords then
    local rest = string.sub(coords, 16)
    local sep = string.find(rest, ':', 1, true)
    unindex(id, string.sub(coords, 1, 14), string.sub(rest, 1, sep - 1), string.sub(rest, sep + 1))
  end
  forget(id)
end

-- Bounded: at most max expired tasks per call. Returns how many it removed.
local function prune(now, max)
  local ids = redis.call('ZRANGE', base .. 'exp', '-inf', now, 'BYSCORE', 'LIMIT', 0, max)
  for _, id in ipairs(ids) do drop_gone(id) end
  return #ids
end

-- The bounded prune may not reach id; a write must never see an expired copy of its task.
local function expire_if_due(id, now)
  local at = redis.call('ZSCORE', base .. 'exp', id)
  if at and tonumber(at) <= now then drop_gone(id) end
end

-- The expiry work of a write on task id: prune, then make sure id itself is not an expired
-- copy. A scope without an \`exp\` set has nothing that can expire, so one EXISTS replaces the
-- clock read and both lookups. Returns whether the scope had expiring tasks.
local function settle_expiry(id, max)
  if redis.call('EXISTS', base .. 'exp') == 0 then return false end
  local now = now_ms()
  -- Fewer than max removed means every due task is gone, id included.
  if prune(now, max) == max then expire_if_due(id, now) end
  return true
end

-- The bookkeeping of a written task after its hash: purge index and retention. A terminal task
-- under a TTL expires (every key of it) at one server instant; a write from a store without a
-- TTL makes it permanent again (this write's policy wins).
local function retain(id, written_at, terminal, ttl, had_expiring, sortkey, state, ctx)
  redis.call('ZADD', base .. 'upd', written_at, id)
  if terminal == '1' and ttl > 0 then
    local at = now_ms() + ttl
    for _, k in ipairs(task_keys(id)) do redis.call('PEXPIREAT', k, at) end
    redis.call('ZADD', base .. 'exp', at, id)
    redis.call('HSET', base .. 'expm', id, sortkey .. ':' .. state .. ':' .. ctx)
  elseif had_expiring and redis.call('ZREM', base .. 'exp', id) == 1 then
    redis.call('HDEL', base .. 'expm', id)
    for _, k in ipairs(task_keys(id)) do redis.call('PERSIST', k) end
  end
end

-- Appends the first count items of a segment list to out, '' for any missing one: a list
-- shorter than the hash says is damage, and '' decodes as a corrupt record instead of shifting
-- the rest of a reply.
local function push_segments(out, key, count)
  local items = redis.call('LRANGE', key, 0, count - 1)
  for i = 1, count do out[#out + 1] = items[i] or '' end
end
`;
