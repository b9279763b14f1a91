import { Message, Task, TaskArtifactUpdateEvent, TaskStatusUpdateEvent } from '@a2a-js/sdk';
import type { AgentExecutionEvent } from '@a2a-js/sdk/server';

/** One event of one execution, numbered from 1 by the publishing worker. */
export interface EventEnvelope {
  readonly v: 1;
  readonly type: 'event';
  readonly exec: string;
  readonly seq: number;
  readonly event: AgentExecutionEvent;
}

/** The execution `exec` ended (executor returned, recovery or store-side cancel). */
export interface EndEnvelope {
  readonly v: 1;
  readonly type: 'end';
  readonly exec: string;
  readonly lastState?: number;
}

/** Asks the worker owning the channel to cancel its execution of the task under `key`. */
export interface CancelEnvelope {
  readonly v: 1;
  readonly type: 'cancel';
  readonly requestId: string;
  readonly key: string;
  readonly replyTo: string;
}

/** The answer to a {@link CancelEnvelope}; `error` is a short reason, never task content. */
export interface CancelResultEnvelope {
  readonly v: 1;
  readonly type: 'cancel-result';
  readonly requestId: string;
  readonly ok: boolean;
  readonly error?: string;
}

export type Envelope = EventEnvelope | EndEnvelope | CancelEnvelope | CancelResultEnvelope;

// The SDK's proto JSON codecs, so bytes parts and nested metadata survive the trip.
const CODECS = {
  task: Task,
  message: Message,
  statusUpdate: TaskStatusUpdateEvent,
  artifactUpdate: TaskArtifactUpdateEvent,
} as const;

type EventKind = keyof typeof CODECS;

function encodeEvent(event: AgentExecutionEvent): unknown {
  const codec = CODECS[event.kind] as { toJSON(value: unknown): unknown };
  return { kind: event.kind, data: codec.toJSON(event.data) };
}

function decodeEvent(raw: unknown): AgentExecutionEvent | undefined {
  if (!isRecord(raw) || typeof raw.kind !== 'string' || !(raw.kind in CODECS)) return undefined;
  if (!isRecord(raw.data)) return undefined;
  const kind = raw.kind as EventKind;
  const codec = CODECS[kind] as { fromJSON(value: unknown): unknown };
  return { kind, data: codec.fromJSON(raw.data) } as AgentExecutionEvent;
}

/** Serializes an envelope for `CoordinationBackend.publish`. */
export function encodeEnvelope(envelope: Envelope): string {
  if (envelope.type === 'event') {
    return JSON.stringify({ ...envelope, event: encodeEvent(envelope.event) });
  }
  return JSON.stringify(envelope);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 512;

/**
 * Parses a message from a channel. Returns `undefined` for anything malformed (wrong version,
 * missing fields, undecodable event): listeners log and drop it, they never throw.
 */
export function decodeEnvelope(message: string): Envelope | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || raw.v !== 1) return undefined;
  try {
    switch (raw.type) {
      case 'event': {
        if (!isId(raw.exec) || !Number.isSafeInteger(raw.seq) || (raw.seq as number) < 1) {
          return undefined;
        }
        const event = decodeEvent(raw.event);
        if (!event) return undefined;
        return { v: 1, type: 'event', exec: raw.exec, seq: raw.seq as number, event };
      }
      case 'end':
        if (!isId(raw.exec)) return undefined;
        if (raw.lastState !== undefined && !Number.isSafeInteger(raw.lastState)) return undefined;
        return raw.lastState === undefined
          ? { v: 1, type: 'end', exec: raw.exec }
          : { v: 1, type: 'end', exec: raw.exec, lastState: raw.lastState as number };
      case 'cancel':
        if (!isId(raw.requestId) || !isId(raw.key) || !isId(raw.replyTo)) return undefined;
        return {
          v: 1,
          type: 'cancel',
          requestId: raw.requestId,
          key: raw.key,
          replyTo: raw.replyTo,
        };
      case 'cancel-result':
        if (!isId(raw.requestId) || typeof raw.ok !== 'boolean') return undefined;
        if (raw.error !== undefined && typeof raw.error !== 'string') return undefined;
        return raw.error === undefined
          ? { v: 1, type: 'cancel-result', requestId: raw.requestId, ok: raw.ok }
          : { v: 1, type: 'cancel-result', requestId: raw.requestId, ok: raw.ok, error: raw.error };
      default:
        return undefined;
    }
  } catch {
    // A proto codec that throws on a hostile payload is a malformed envelope, not a crash.
    return undefined;
  }
}
