import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  type ListTasksRequest,
  type ListTasksResponse,
  type Task,
  Task as TaskCodec,
} from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { trimHistory } from '@a2a-stores/core';

const MARKER = 'bench:aes-gcm-floor';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the floor seals in one envelope: everything the KMS wrapper seals, except artifacts. */
interface SealedBody {
  history: unknown;
  metadata: unknown;
  statusMessage: unknown;
}

function seal(key: Buffer, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = cipher.update(JSON.stringify(value));
  cipher.final();
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

function open(key: Buffer, text: string): unknown {
  const bytes = Buffer.from(text, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plaintext = decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES));
  decipher.final();
  return JSON.parse(plaintext.toString('utf8'));
}

/**
 * The least work any wrapper that encrypts task contents at rest does: per record, one
 * AES-256-GCM seal of history, metadata and status message together (artifacts, when there are
 * any, in a second one, so pages without artifacts never open them) under one fixed key with a
 * fresh random IV, stored base64url in a metadata placeholder; one open per record read. No
 * keyring or per-record data keys, no binding of a ciphertext to its record, scope or field, no
 * format version: not a store anyone should use. It prices the cryptography and codec work
 * itself, so the report can tell how much of the KMS wrapper's cost any encrypting wrapper pays.
 */
export class AesGcmFloorTaskStore implements TaskStore {
  readonly #inner: TaskStore;
  readonly #key = randomBytes(32);

  constructor(inner: TaskStore) {
    this.#inner = inner;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const wire = TaskCodec.toJSON(task) as Record<string, unknown> & {
      status?: { message?: unknown };
    };
    const body: SealedBody = {
      history: wire.history,
      metadata: wire.metadata,
      statusMessage: wire.status?.message,
    };
    const metadata: Record<string, string> = { [MARKER]: seal(this.#key, body) };
    if (task.artifacts.length > 0)
      metadata[`${MARKER}:artifacts`] = seal(this.#key, wire.artifacts);
    const status = task.status && { ...task.status, message: undefined };
    await this.#inner.save({ ...task, history: [], artifacts: [], status, metadata }, context);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const stored = await this.#inner.load(taskId, context);
    return stored && this.#open(stored, true);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const page = await this.#inner.list(request, context);
    const tasks = page.tasks.map((task) =>
      trimHistory(this.#open(task, request.includeArtifacts === true), request.historyLength),
    );
    return { ...page, tasks };
  }

  #open(stored: Task, withArtifacts: boolean): Task {
    const sealed = stored.metadata ?? {};
    const body = open(this.#key, sealed[MARKER] as string) as SealedBody;
    const artifacts = sealed[`${MARKER}:artifacts`];
    const decoded = TaskCodec.fromJSON({
      history: body.history,
      metadata: body.metadata,
      status: { message: body.statusMessage },
      artifacts: withArtifacts && typeof artifacts === 'string' ? open(this.#key, artifacts) : [],
    });
    return {
      ...stored,
      history: decoded.history,
      artifacts: decoded.artifacts,
      metadata: decoded.metadata,
      status: stored.status && { ...stored.status, message: decoded.status?.message },
    };
  }
}
