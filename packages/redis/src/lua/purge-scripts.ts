import { LuaScript } from '../lua-script.js';
import { PRELUDE } from './prelude.js';

/**
 * The selection of a purge batch, shared by the purge and its dry run so that both pick exactly
 * the same tasks: one page of the scope's write-time index `upd` (tasks last written before the
 * bound, from the offset), each task handed to `visit` with its verdict:
 * - 'gone': its hash is missing, or it is past its expiry (retention drops it, a purge does not
 *   count it);
 * - 'purge': its state is listed;
 * - 'keep': anything else.
 * ARGV (both scripts): exclusive upper write-time bound ('(' ms), offset, batch size, prune
 * batch, states... Returns how many index entries the page held.
 */
const PURGE_SELECTION = `
local function select_purge_batch(now, visit)
  local ids = redis.call('ZRANGE', base .. 'upd', '-inf', ARGV[1], 'BYSCORE', 'LIMIT',
    tonumber(ARGV[2]), tonumber(ARGV[3]))
  local wanted = {}
  for i = 5, #ARGV do wanted[ARGV[i]] = true end
  local expiring = redis.call('EXISTS', base .. 'exp') == 1
  for _, id in ipairs(ids) do
    local row = redis.call('HMGET', base .. 't:' .. id, 'v', 's', 'c', 'k')
    local due = false
    if expiring then
      local at = redis.call('ZSCORE', base .. 'exp', id)
      due = at and tonumber(at) <= now
    end
    if not row[1] or due then
      visit(id, 'gone', row)
    elseif wanted[row[2]] then
      visit(id, 'purge', row)
    else
      visit(id, 'keep', row)
    end
  end
  return #ids
end
`;

/**
 * One purge batch of one scope: tasks last written before the bound whose state is listed.
 * ARGV: see {@link PURGE_SELECTION}.
 * Returns {deleted, kept, scanned}: `kept` entries stay before the next batch's offset.
 */
export const purgeScopeScript = new LuaScript(
  'purge-scope',
  `${PRELUDE}${PURGE_SELECTION}
local now = now_ms()
prune(now, tonumber(ARGV[4]))
local deleted, kept = 0, 0
local scanned = select_purge_batch(now, function(id, verdict, row)
  if verdict == 'gone' then
    drop_gone(id)
  elseif verdict == 'purge' then
    drop(id, row[4], row[2], row[3])
    deleted = deleted + 1
  else
    kept = kept + 1
  end
end)
return { deleted, kept, scanned }
`,
);

/**
 * The dry run of {@link purgeScopeScript}: the same selection, read only (no prune, no write).
 * Nothing leaves the index, so the next batch's offset moves past every entry scanned.
 * ARGV: see {@link PURGE_SELECTION}. Returns {would delete, scanned}.
 */
export const countPurgeableScript = new LuaScript(
  'count-purgeable',
  `${PRELUDE}${PURGE_SELECTION}
local count = 0
local scanned = select_purge_batch(now_ms(), function(_, verdict)
  if verdict == 'purge' then count = count + 1 end
end)
return { count, scanned }
`,
);
