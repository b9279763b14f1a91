import { randomUUID } from 'node:crypto';
import type { EncodedTask, EncodedTaskAppend, Scope } from '@a2a-stores/core';
import type { StoredSegment } from '@a2a-stores/core/conformance';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { tableNames } from '../../src/index.js';
import { createSharedState, SqlRunner } from '../../src/sql-runner.js';
import { MysqlTaskBackend } from '../../src/task-backend.js';

export const WORKING = 2;
export const COMPLETED = 3;

/** The task backend itself (no core store around it), over `pool` and `prefix`. */
export function backendOf(pool: Pool, prefix: string): MysqlTaskBackend {
  const shared = createSharedState(pool, tableNames(prefix), {
    maxTaskBytes: 4 * 1024 * 1024,
    maxPushConfigBytes: 64 * 1024,
  });
  return new MysqlTaskBackend(new SqlRunner({ pool }, shared));
}

/** A whole task as core would encode it (backends never look inside body or artifacts). */
export function fullTask(overrides: Partial<EncodedTask> = {}): EncodedTask {
  const body = overrides.body ?? `{"id":"${overrides.id ?? 'x'}","v":"base"}`;
  const artifacts = overrides.artifacts ?? '[]';
  return {
    id: `task-${randomUUID()}`,
    contextId: 'ctx-1',
    state: WORKING,
    sortKey: 1_000,
    body,
    artifacts,
    bytes: Buffer.byteLength(body) + Buffer.byteLength(artifacts),
    lineage: `lineage-${randomUUID()}`,
    ...overrides,
  };
}

/** An append of segment `n` to `task` (body `b<n>`, artifacts `a<n>` unless given). */
export function appendOf(
  task: Pick<EncodedTask, 'id' | 'lineage'>,
  n: number,
  overrides: Partial<Omit<EncodedTaskAppend, 'segment'>> & { artifacts?: string } = {},
): EncodedTaskAppend {
  const { artifacts, ...rest } = overrides;
  return {
    id: task.id,
    contextId: 'ctx-1',
    state: WORKING,
    sortKey: 1_000 + n,
    segment: { body: `b${n}`, artifacts: artifacts ?? `a${n}` },
    bytes: 100 + n,
    lineage: task.lineage,
    ...rest,
  };
}

/** The stored segments of a task, straight from the table, in seq order. */
export async function storedSegments(
  pool: Pool,
  prefix: string,
  scope: Scope,
  id: string,
): Promise<StoredSegment[]> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT body, artifacts FROM ${tableNames(prefix).taskSegments} WHERE tenant = ? AND owner = ? AND task_id = ? ORDER BY seq`,
    [scope.tenant, scope.owner, id],
  );
  return rows.map((row) => ({
    body: String(row.body),
    artifacts: String(row.artifacts),
  }));
}

/** The row's segment count and stored size, straight from the table. */
export async function storedCounts(
  pool: Pool,
  prefix: string,
  scope: Scope,
  id: string,
): Promise<{ segments: number; bytes: number } | undefined> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT segment_count, bytes FROM ${tableNames(prefix).tasks} WHERE tenant = ? AND owner = ? AND id = ?`,
    [scope.tenant, scope.owner, id],
  );
  const row = rows[0];
  return row && { segments: Number(row.segment_count), bytes: Number(row.bytes) };
}
