import { LuaScript } from '../lua-script.js';

/**
 * Lua shared by the lease scripts. KEYS[1] is always a bucket base (`<prefix>{co:<n>}:`, see
 * lease-keys.ts); the lease hash and the bucket index are derived from it, so they share its
 * slot and a client-side ioredis `keyPrefix` (applied to KEYS) carries over.
 *
 * Expiry is judged on the server's clock (TIME), so workers' clocks never matter. Scripts
 * replicate their effects (Redis 7's only mode), so reading TIME before writing is safe. A
 * lease is live while `expiresAt > now`. Its hash outlives `expiresAt` by the retention, so an
 * expired lease stays visible to `readLease` and claimable by a sweeper; PX only collects
 * leases nobody swept.
 */
const LEASE_PRELUDE = `
local base = KEYS[1]
local index = base .. 'leases'
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function lease_hash(key) return base .. 'l:' .. key end
local function take(key, holder, token, expires_at, keep_ms, scope, task_id)
  local h = lease_hash(key)
  redis.call('HSET', h, 'holder', holder, 'token', token, 'expiresAt', expires_at,
    'scope', scope, 'taskId', task_id)
  redis.call('PEXPIRE', h, keep_ms)
  redis.call('ZADD', index, expires_at, key)
end
`;

/**
 * ARGV: lease key, scope JSON, task id, holder, token, ttl ms, retention ms.
 * Returns {1, expiresAt} when taken (free, expired, or already held by `holder`), else
 * {0, holder, token, expiresAt, scope, taskId, now} of the live lease in the way.
 */
export const acquireLeaseScript = new LuaScript(
  'coordination-acquire-lease',
  `${LEASE_PRELUDE}
local key, holder = ARGV[1], ARGV[4]
local now = now_ms()
local cur = redis.call('HMGET', lease_hash(key), 'holder', 'token', 'expiresAt', 'scope', 'taskId')
if cur[1] and cur[1] ~= holder and tonumber(cur[3]) > now then
  return {0, cur[1], cur[2], cur[3], cur[4], cur[5], tostring(now)}
end
local ttl = tonumber(ARGV[6])
local expires_at = now + ttl
take(key, holder, ARGV[5], expires_at, ttl + tonumber(ARGV[7]), ARGV[2], ARGV[3])
return {1, tostring(expires_at)}
`,
);

/**
 * ARGV: lease key, holder, token, ttl ms, retention ms. Returns 1 when renewed (expired or not,
 * as long as holder and token still match), else 0.
 */
export const renewLeaseScript = new LuaScript(
  'coordination-renew-lease',
  `${LEASE_PRELUDE}
local key = ARGV[1]
local h = lease_hash(key)
local cur = redis.call('HMGET', h, 'holder', 'token')
-- An expired lease nobody has taken over yet is still the holder's to extend (core's reference
-- backend agrees): a takeover by a sweeper or another acquirer replaces the token first.
if cur[1] ~= ARGV[2] or cur[2] ~= ARGV[3] then return 0 end
local now = now_ms()
local ttl = tonumber(ARGV[4])
local expires_at = now + ttl
redis.call('HSET', h, 'expiresAt', expires_at)
redis.call('PEXPIRE', h, ttl + tonumber(ARGV[5]))
redis.call('ZADD', index, expires_at, key)
return 1
`,
);

/** ARGV: lease key, holder, token. Deletes the lease only when holder and token match. */
export const releaseLeaseScript = new LuaScript(
  'coordination-release-lease',
  `${LEASE_PRELUDE}
local key = ARGV[1]
local h = lease_hash(key)
local cur = redis.call('HMGET', h, 'holder', 'token')
if cur[1] ~= ARGV[2] or cur[2] ~= ARGV[3] then return 0 end
redis.call('DEL', h)
redis.call('ZREM', index, key)
return 1
`,
);

/** ARGV: lease key. Returns {} when absent, else {holder, token, expiresAt, scope, taskId, now}. */
export const readLeaseScript = new LuaScript(
  'coordination-read-lease',
  `${LEASE_PRELUDE}
local cur = redis.call('HMGET', lease_hash(ARGV[1]), 'holder', 'token', 'expiresAt', 'scope', 'taskId')
if not cur[1] then return {} end
return {cur[1], cur[2], cur[3], cur[4], cur[5], tostring(now_ms())}
`,
);

/**
 * Takes over up to `limit` expired leases of one bucket, in expiry order, in one atomic step:
 * concurrent sweepers of the bucket run one after the other, and a lease a sweeper took is
 * live again for the next, so each expired lease goes to exactly one of them. Index entries
 * whose hash is gone (collected by PX) are dropped; an entry behind its hash's expiry (cannot
 * happen through these scripts, but costs nothing to repair) is re-scored.
 * ARGV: holder, token, ttl ms, retention ms, limit.
 * Returns a flat list of {key, holder, token, expiresAt, scope, taskId} as before the takeover.
 */
export const claimExpiredLeasesScript = new LuaScript(
  'coordination-claim-expired-leases',
  `${LEASE_PRELUDE}
local holder, token = ARGV[1], ARGV[2]
local ttl, keep, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
local out = {}
local claimed = 0
while claimed < limit do
  local due = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, limit - claimed)
  if #due == 0 then break end
  for _, key in ipairs(due) do
    local cur = redis.call('HMGET', lease_hash(key), 'holder', 'token', 'expiresAt', 'scope', 'taskId')
    if not cur[1] then
      redis.call('ZREM', index, key)
    elseif tonumber(cur[3]) > now then
      redis.call('ZADD', index, cur[3], key)
    else
      take(key, holder, token, now + ttl, ttl + keep, cur[4], cur[5])
      for _, v in ipairs({key, cur[1], cur[2], cur[3], cur[4], cur[5]}) do out[#out + 1] = v end
      claimed = claimed + 1
    end
  end
end
return out
`,
);
