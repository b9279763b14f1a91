import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import { DelegatingRequestHandler } from '../src/index.js';

// Every method of the SDK's interface, as the wrapper must forward it.
const METHODS = [
  'getAgentCard',
  'getAuthenticatedExtendedAgentCard',
  'sendMessage',
  'sendMessageStream',
  'getTask',
  'listTasks',
  'cancelTask',
  'createTaskPushNotificationConfig',
  'getTaskPushNotificationConfig',
  'listTaskPushNotificationConfigs',
  'deleteTaskPushNotificationConfig',
  'resubscribe',
] as const satisfies readonly (keyof A2ARequestHandler)[];

describe('DelegatingRequestHandler', () => {
  it('hands every call to the inner handler with its arguments and returns its answer', () => {
    const calls: { method: string; args: unknown[] }[] = [];
    const inner = Object.fromEntries(
      METHODS.map((method) => [
        method,
        (...args: unknown[]) => {
          calls.push({ method, args });
          return `${method}-answer`;
        },
      ]),
    ) as unknown as A2ARequestHandler;
    const handler = new DelegatingRequestHandler(inner);
    const context = { marker: 'ctx' } as unknown as ServerCallContext;
    for (const method of METHODS) {
      const params = { probe: method };
      const call = handler[method] as (...args: unknown[]) => unknown;
      expect(call.call(handler, params, context)).toBe(`${method}-answer`);
    }
    expect(calls.map((call) => call.method)).toEqual([...METHODS]);
    for (const call of calls) {
      // The agent card takes no arguments; every other call keeps its params and context.
      if (call.method === 'getAgentCard') expect(call.args).toEqual([]);
      else expect(call.args).toEqual([{ probe: call.method }, context]);
    }
  });
});
