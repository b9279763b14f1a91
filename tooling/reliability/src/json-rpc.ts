import { randomUUID } from 'node:crypto';
import { AGENT_USER } from './agent-process.js';

/** A JSON-RPC 2.0 response as it came over the wire. */
export interface JsonRpcReply {
  readonly httpStatus: number;
  readonly body: {
    readonly jsonrpc?: string;
    readonly id?: unknown;
    readonly result?: Record<string, unknown>;
    readonly error?: { readonly code?: unknown; readonly message?: unknown };
  };
}

/** POSTs one JSON-RPC call to the agent's JSON-RPC endpoint, as the demo user, A2A 1.0. */
export async function callAgent(
  baseUrl: string,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<JsonRpcReply> {
  const response = await fetch(`${baseUrl}/a2a/jsonrpc`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'A2A-Version': '1.0',
      Authorization: `Bearer ${AGENT_USER}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: randomUUID(), method, params }),
    ...(signal ? { signal } : {}),
  });
  return { httpStatus: response.status, body: (await response.json()) as JsonRpcReply['body'] };
}

/** `SendMessage` params: a new task asking for `steps` work steps (the agent's message syntax). */
export function sendParams(text: string): Record<string, unknown> {
  return {
    message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
    configuration: { returnImmediately: false },
  };
}

/** The task of a `SendMessage` or `GetTask` result (v1.0 wire: `{ task }` or the task itself). */
export function taskOf(reply: JsonRpcReply): { id?: string; status?: { state?: string } } {
  const result = reply.body.result as Record<string, unknown> | undefined;
  return ((result?.task as object | undefined) ?? result ?? {}) as {
    id?: string;
    status?: { state?: string };
  };
}
