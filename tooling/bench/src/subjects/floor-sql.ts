import type { ListTasksRequest } from '@a2a-js/sdk';
import { PAGE_SIZE } from '../options.js';
import { parseFloorToken } from './floor-codec.js';

/** How one SQL dialect spells what the floors' page queries need. */
export interface FloorSqlDialect {
  readonly table: string;
  /** The n-th (1-based) bind parameter. */
  param(n: number): string;
  /**
   * Whether the keyset condition is written `(sort_key, id) < (a, b)` (PostgreSQL, SQLite both
   * turn it into one index range) or expanded into ORs (MySQL/MariaDB).
   */
  readonly rowValues: boolean;
}

/** One page query, with a key naming its shape (for statement caches). */
export interface FloorPageQuery {
  readonly key: string;
  readonly text: string;
  readonly values: readonly (string | number)[];
}

/** The page size a floor reads for `request` (one extra row says "more"). */
export function floorPageSize(request: ListTasksRequest): number {
  return request.pageSize || PAGE_SIZE;
}

/**
 * The keyset page of `request` in one scope: filtered by context and state where asked (each
 * floor has an index for either), ordered by (sort_key, id) desc, `pageSize + 1` rows.
 */
export function floorPageQuery(
  dialect: FloorSqlDialect,
  scope: { tenant: string; owner: string },
  request: ListTasksRequest,
): FloorPageQuery {
  const values: (string | number)[] = [scope.tenant, scope.owner];
  const bind = (value: string | number) => {
    values.push(value);
    return dialect.param(values.length);
  };
  const where = [`tenant = ${dialect.param(1)}`, `owner = ${dialect.param(2)}`];
  let key = 'page';
  if (request.contextId) {
    where.push(`context_id = ${bind(request.contextId)}`);
    key += '_ctx';
  }
  if (request.status) {
    where.push(`state = ${bind(request.status)}`);
    key += '_state';
  }
  if (request.pageToken) {
    const cursor = parseFloorToken(request.pageToken);
    if (dialect.rowValues) {
      where.push(`(sort_key, id) < (${bind(cursor.sortKey)}, ${bind(cursor.id)})`);
    } else {
      where.push(
        `(sort_key < ${bind(cursor.sortKey)} OR (sort_key = ${bind(cursor.sortKey)} AND id < ${bind(cursor.id)}))`,
      );
    }
    key += '_after';
  }
  const limit = bind(floorPageSize(request) + 1);
  return {
    key,
    text: `SELECT id, sort_key, body FROM ${dialect.table} WHERE ${where.join(' AND ')}
           ORDER BY sort_key DESC, id DESC LIMIT ${limit}`,
    values,
  };
}
