/**
 * The steps a full write (putTaskScript) and an append (appendTaskScript) share, as Lua text
 * both scripts are built from, so the two cannot drift apart in how they read the guard fields,
 * store the recent form, move the indexes and apply retention. Both take the same ARGV layout
 * for these: id, expected, state, context key part, sort key text, (two payload slots),
 * terminal ('1'/'0'), write time, ttl ms (0: none), prune batch, stored size, lineage, recent
 * reach ('keep', '' for none, or the reach), recent text ('' unless a reach is given).
 */

/**
 * Reads the arguments, settles the task's expiry and loads the guard fields: `old` is
 * {version, state, context, sort key, terminal flag, segment count, lineage, recent reach}.
 */
export const WRITE_PROLOGUE = `
local id, expected, state, ctx, sortkey = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local terminal, written_at, ttl = ARGV[8], ARGV[9], tonumber(ARGV[10])
local had_expiring = settle_expiry(id, tonumber(ARGV[11]))
local key = base .. 't:' .. id
local old = redis.call('HMGET', key, 'v', 's', 'c', 'k', 'f', 'n', 'l', 'h')
`;

/**
 * After the hash is written at `version`: stores the recent form, moves the task between the
 * list indexes (or adds it when it had none), applies retention, and returns the outcome.
 */
export const WRITE_EPILOGUE = `
-- The text (r) and reach (h) of the recent form move together. 'keep' leaves them as they are
-- (an append that changed neither head nor history); '' drops them, and only when there were
-- some: a full write of a small task must not leave an older form behind for list to serve.
if ARGV[14] ~= 'keep' then
  if ARGV[14] ~= '' then
    redis.call('HSET', key, 'r', ARGV[15], 'h', ARGV[14])
  elseif old[8] then
    redis.call('HDEL', key, 'r', 'h')
  end
end
if old[1] and old[4] and old[2] and old[3] then
  reindex(id, old[4], old[2], old[3], sortkey, state, ctx)
else
  index(id, sortkey, state, ctx)
end
retain(id, written_at, terminal, ttl, had_expiring, sortkey, state, ctx)
return { 'written', version }
`;
