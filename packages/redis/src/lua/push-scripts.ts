import { LuaScript } from '../lua-script.js';
import { PRELUDE } from './prelude.js';

/**
 * Inserts or replaces a push config with the per-task cap in the same atomic step. A replaced
 * config moves to the end of the order (the SDK's reference behaviour). Configs of a task that
 * is finished under a TTL expire with it.
 * ARGV: task id, config id, stored value, max per task. Returns 1 (written) or 0 (limit).
 */
export const putPushConfigScript = new LuaScript(
  'put-push-config',
  `${PRELUDE}
local task_id, config_id = ARGV[1], ARGV[2]
expire_if_due(task_id, now_ms())
local configs, order = base .. 'pc:' .. task_id, base .. 'po:' .. task_id
if redis.call('HEXISTS', configs, config_id) == 1 then
  redis.call('LREM', order, 0, config_id)
elseif redis.call('HLEN', configs) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', configs, config_id, ARGV[3])
redis.call('RPUSH', order, config_id)
local at = redis.call('ZSCORE', base .. 'exp', task_id)
if at then
  redis.call('PEXPIREAT', configs, at)
  redis.call('PEXPIREAT', order, at)
end
return 1
`,
);

/** Deletes one config and its place in the order. ARGV: task id, config id. */
export const deletePushConfigScript = new LuaScript(
  'delete-push-config',
  `${PRELUDE}
redis.call('HDEL', base .. 'pc:' .. ARGV[1], ARGV[2])
redis.call('LREM', base .. 'po:' .. ARGV[1], 0, ARGV[2])
return 1
`,
);

/**
 * The task's configs in registration order, read in one atomic step (no write).
 * ARGV: task id. Returns {configId, value, ...}; '' stands for a value missing from the hash.
 */
export const listPushConfigsScript = new LuaScript(
  'list-push-configs',
  `
local base = KEYS[1]
local ids = redis.call('LRANGE', base .. 'po:' .. ARGV[1], 0, -1)
if #ids == 0 then return {} end
local values = redis.call('HMGET', base .. 'pc:' .. ARGV[1], unpack(ids))
local out = {}
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = values[i] or ''
end
return out
`,
);
