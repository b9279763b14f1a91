import type { Connection, Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export type SqlValue = string | number | Buffer | null;

/**
 * What a write reports, as numbers whatever the pool's supportBigNumbers / bigNumberStrings
 * settings (which turn these into strings).
 */
export interface WriteResult {
  readonly affectedRows: number;
  readonly insertId: number;
}

/** Runs statements on the pool (a connection per statement) or on one connection. */
export interface Executor {
  select<T extends object>(sql: string, params: readonly SqlValue[]): Promise<T[]>;
  write(sql: string, params: readonly SqlValue[]): Promise<WriteResult>;
  /**
   * A text-protocol write, for statements whose shape varies with a batch size. Only for
   * Buffers and numbers, which mysql2 writes as X'..' and digit literals: their escaping does
   * not depend on the session's sql_mode.
   */
  writeText(sql: string, params: readonly (Buffer | number)[]): Promise<WriteResult>;
  /** A text-protocol SELECT, on the same terms as {@link Executor.writeText}; rows as objects. */
  selectText<T extends object>(sql: string, params: readonly (Buffer | number)[]): Promise<T[]>;
}

type Reply<T> = [T, unknown];

function rowsOf<T>(reply: Reply<RowDataPacket[]>): T[] {
  return reply[0] as unknown as T[];
}

function writeResult(reply: Reply<ResultSetHeader>): WriteResult {
  const header = reply[0];
  return { affectedRows: Number(header.affectedRows), insertId: Number(header.insertId) };
}

/** The connection settings mysql2 resolved for `target`, when it exposes them. */
function settingsOf(target: Pool | Connection): { readonly rowsAsArray?: unknown } | undefined {
  const shape = target as {
    pool?: { config?: { connectionConfig?: { rowsAsArray?: unknown } } };
    connection?: { config?: { rowsAsArray?: unknown } };
  };
  return shape.pool?.config?.connectionConfig ?? shape.connection?.config;
}

/**
 * True when a statement given as a plain string already returns rows as objects. mysql2's
 * `execute({ sql, rowsAsArray: false }, values)` form costs about 20 µs more per statement
 * on loopback than `execute(sql, values)` (measured on a 100 µs load), so the override is only
 * paid for where it changes something: a pool or connection configured with `rowsAsArray`,
 * or one whose settings cannot be read.
 */
export function rowsComeAsObjects(target: Pool | Connection): boolean {
  const settings = settingsOf(target);
  return settings !== undefined && !settings.rowsAsArray;
}

/**
 * Every statement goes through `execute` (server-side prepared, cached per connection): values
 * never pass through client-side escaping, so a pool whose `sql_mode` has NO_BACKSLASH_ESCAPES
 * or ANSI_QUOTES cannot turn a value into SQL. Rows are objects even when the pool you passed
 * in was configured with `rowsAsArray`.
 */
export function executorOf(target: Pool | Connection): Executor {
  const select = rowsComeAsObjects(target)
    ? <T extends object>(sql: string, params: readonly SqlValue[]) =>
        target.execute<RowDataPacket[]>(sql, params as SqlValue[]).then(rowsOf<T>)
    : <T extends object>(sql: string, params: readonly SqlValue[]) =>
        target
          .execute<RowDataPacket[]>({ sql, rowsAsArray: false }, params as SqlValue[])
          .then(rowsOf<T>);
  return {
    select,
    write(sql: string, params: readonly SqlValue[]) {
      return target.execute<ResultSetHeader>(sql, params as SqlValue[]).then(writeResult);
    },
    writeText(sql: string, params: readonly (Buffer | number)[]) {
      return target.query<ResultSetHeader>(sql, params as (Buffer | number)[]).then(writeResult);
    },
    selectText<T extends object>(sql: string, params: readonly (Buffer | number)[]) {
      return target
        .query<RowDataPacket[]>({ sql, rowsAsArray: false }, params as (Buffer | number)[])
        .then(rowsOf<T>);
    },
  };
}
