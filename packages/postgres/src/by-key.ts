/**
 * The predicate of every lookup by scoped key. `sort_key IS NOT NULL` is always true (the column
 * is NOT NULL) and is there for the planner: on `(tenant, owner, id)` alone, every index leads
 * with `(tenant, owner)`, and whenever a scope looks small to it (a table never analysed, or a
 * scope missing from the statistics) all of them cost the same and it may pick a by-time,
 * by-state or by-context index, which scans the whole scope for one id. The extra qualifier
 * breaks that tie for the primary key, so a lookup stays one index probe at any scope size.
 */
export const BY_KEY = 'tenant = $1 AND owner = $2 AND id = $3 AND sort_key IS NOT NULL';
