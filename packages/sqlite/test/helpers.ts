import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ListTasksRequest, Role, type Task, TaskState } from '@a2a-js/sdk';
import { ServerCallContext } from '@a2a-js/sdk/server';

/** A fresh private directory; call the returned cleanup when done. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-sqlite-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A call context the default scope resolver maps to `{ tenant, owner }`. */
export function contextFor(tenant: string, owner: string): ServerCallContext {
  return new ServerCallContext({ tenant, user: { isAuthenticated: true, userName: owner } });
}

export interface TaskShape {
  readonly contextId?: string;
  readonly state?: TaskState;
  readonly timestamp?: string;
  readonly text?: string;
  readonly artifactText?: string;
  readonly metadata?: Record<string, unknown>;
}

/** A task with one history message and, optionally, one artifact. */
export function makeTask(id: string, shape: TaskShape = {}): Task {
  const contextId = shape.contextId ?? 'ctx';
  return {
    id,
    contextId,
    status: {
      state: shape.state ?? TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: shape.timestamp ?? '2025-01-01T00:00:00.000Z',
    },
    history: [
      {
        messageId: `${id}-m1`,
        contextId,
        taskId: id,
        role: Role.ROLE_USER,
        parts: [
          {
            content: { $case: 'text', value: shape.text ?? `hello from ${id}` },
            metadata: undefined,
            filename: '',
            mediaType: '',
          },
        ],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
    ],
    artifacts:
      shape.artifactText === undefined
        ? []
        : [
            {
              artifactId: `${id}-a1`,
              name: 'result',
              description: '',
              parts: [
                {
                  content: { $case: 'text', value: shape.artifactText },
                  metadata: undefined,
                  filename: '',
                  mediaType: '',
                },
              ],
              metadata: undefined,
              extensions: [],
            },
          ],
    metadata: shape.metadata,
  };
}

/** A `list` request with the SDK's empty defaults, overridden by `fields`. */
export function listRequest(fields: Partial<ListTasksRequest> = {}): ListTasksRequest {
  return {
    tenant: '',
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: '',
    statusTimestampAfter: undefined,
    ...fields,
  };
}

/**
 * A webhook base URL the stores' default URL policy accepts without DNS: a public address
 * literal (the tests run offline, so a host name would not resolve).
 */
export const PUBLIC_HOOK_BASE = 'https://93.184.216.34';
