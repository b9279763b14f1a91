import { A2AError } from '@a2a-js/sdk/errors';
import * as core from '@a2a-stores/core';
import * as kms from '@a2a-stores/kms';
import * as mysql from '@a2a-stores/mysql';
import * as passport from '@a2a-stores/passport';
import * as postgres from '@a2a-stores/postgres';
import * as redis from '@a2a-stores/redis';
import * as sqlite from '@a2a-stores/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readErrorReference, type StatedAnswer } from './support/error-reference-doc.js';
import {
  type FailingAgent,
  startDurableAgent,
  startPlainAgent,
  type WireAnswer,
} from './support/failing-agents.js';

// docs/errors.md is kept true mechanically: every error class a published package exports has a
// row, and what the doc says a client sees is what the SDK 1.3 express handlers answer when a
// store throws that error, in a plain agent and in this example's durable agent.

const PUBLISHED = { core, kms, mysql, passport, postgres, redis, sqlite };

/** The message the durable agent answers instead of an infrastructure error's own. */
const MASKED_MESSAGE = 'Task storage is temporarily unavailable; retry later';

type ErrorClass = new (...args: never[]) => Error;

/** Every class extending `Error` that a published package's index exports, by name. */
function exportedErrorClasses(): Map<string, { pkg: string; cls: ErrorClass }> {
  const classes = new Map<string, { pkg: string; cls: ErrorClass }>();
  for (const [pkg, exports] of Object.entries(PUBLISHED)) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        classes.set(name, { pkg: `@a2a-stores/${pkg}`, cls: value as ErrorClass });
      }
    }
  }
  return classes;
}

function refused(failure: core.ScopeFailure): core.ScopeResolutionError {
  return new core.ScopeResolutionError('tenant is longer than 255 characters', failure);
}

/** One instance per wire-table row that states codes, keyed by the row's label. */
const THROWN: Readonly<Record<string, () => Error>> = {
  'ScopeResolutionError (invalid)': () => refused('invalid'),
  'ScopeResolutionError (unauthenticated)': () => refused('unauthenticated'),
  'ScopeRefusedError (invalid)': () => new core.ScopeRefusedError(refused('invalid')),
  'ScopeRefusedError (unauthenticated)': () =>
    new core.ScopeRefusedError(refused('unauthenticated')),
  FollowUpRefusedError: () => new core.FollowUpRefusedError('task-1', 'the task is working'),
  TaskBusyError: () => new core.TaskBusyError('task-1'),
  CoordinationUnavailableError: () =>
    new core.CoordinationUnavailableError('Cannot cancel across workers: channel down'),
  VersionConflictError: () => new core.VersionConflictError('task-1', 3),
  StaleWriteError: () => new core.StaleWriteError('task-1', 3, 2),
  CorruptRecordError: () => new core.CorruptRecordError('task-1', 'not JSON'),
  InvalidInputError: () => new core.InvalidInputError('taskId is longer than 1024 characters'),
  PayloadTooLargeError: () => new core.PayloadTooLargeError('Task', 5_000_000, 4_194_304),
  PushConfigLimitError: () => new core.PushConfigLimitError('task-1', 100),
  PushUrlRejectedError: () =>
    new core.PushUrlRejectedError('private-address', 'hooks.internal resolves to 10.0.0.7'),
  SchemaNotMigratedError: () => new core.SchemaNotMigratedError('PostgreSQL', ['0001-tasks']),
  StoreUnavailableError: () => new core.StoreUnavailableError('PostgreSQL is unreachable'),
  StoreConfigurationError: () =>
    new core.StoreConfigurationError('PostgreSQL', 'authentication', 'SQLSTATE 28P01'),
  StoreClosedError: () => new core.StoreClosedError(),
  DecryptionError: () => new kms.DecryptionError('task-1', 'token', 'authentication tag mismatch'),
  PlaintextRefusedError: () => new kms.PlaintextRefusedError('task-1', 'token'),
  KeyringError: () => new kms.KeyringError('disabled-key', 'the master key is disabled', 'k1'),
  KmsUnavailableError: () => new kms.KmsUnavailableError('KMS is unreachable (ETIMEDOUT)'),
  ReplicaAckError: () => new redis.ReplicaAckError(1, 0, 100),
  PassportRejectedError: () =>
    new passport.PassportRejectedError('failed', 'bad_signature', 'Secure Passport refused'),
};

function expectAnswer(
  seen: WireAnswer,
  stated: StatedAnswer,
  thrown: Error,
  agent: 'plain' | 'durable',
) {
  expect({
    jsonRpc: seen.jsonRpc.code,
    restStatus: seen.rest.status,
    restStatusName: seen.rest.statusName,
  }).toEqual({
    jsonRpc: stated.jsonRpc,
    restStatus: stated.restStatus,
    restStatusName: stated.restStatusName,
  });
  if (stated.masked) {
    expect([seen.jsonRpc.message, seen.rest.message]).toEqual([MASKED_MESSAGE, MASKED_MESSAGE]);
  } else if (agent === 'plain') {
    // The SDK answers every error, A2A or not, with its own message.
    expect([seen.jsonRpc.message, seen.rest.message]).toEqual([thrown.message, thrown.message]);
  } else {
    expect(seen.jsonRpc.message).not.toBe(MASKED_MESSAGE);
  }
}

describe('docs/errors.md', () => {
  const doc = readErrorReference();

  it('has a row for every error class the published packages export, in both tables', () => {
    const classes = exportedErrorClasses();
    // A broken import or an emptied index must not make this vacuous.
    expect(classes.size).toBeGreaterThan(25);
    const onWire = new Set(doc.wire.map((row) => row.className));
    const missing = [...classes]
      .filter(([name]) => !onWire.has(name) || !doc.described.has(name))
      .map(([name, { pkg }]) => `${name} (${pkg})`);
    expect(missing).toEqual([]);
    const unknown = doc.wire.map((row) => row.className).filter((name) => !classes.has(name));
    expect(unknown).toEqual([]);
  });

  it('states wire codes for every class derived from an SDK error', () => {
    const stated = new Set(doc.wire.filter((row) => row.plain).map((row) => row.className));
    const sdkDerived = [...exportedErrorClasses()]
      .filter(([, { cls }]) => cls.prototype instanceof A2AError)
      .map(([name]) => name);
    expect(sdkDerived.length).toBeGreaterThan(5);
    expect(sdkDerived.filter((name) => !stated.has(name))).toEqual([]);
  });

  describe('what a client sees, over real HTTP', () => {
    let plain: FailingAgent;
    let durable: FailingAgent;
    beforeAll(async () => {
      [plain, durable] = await Promise.all([startPlainAgent(), startDurableAgent()]);
    });
    afterAll(async () => {
      await Promise.all([plain?.close(), durable?.close()]);
    });

    const rows = doc.wire.filter((row) => row.plain && row.durable);
    it('covers every stated row with an error to throw', () => {
      expect(rows.length).toBeGreaterThan(15);
      expect(rows.map((row) => row.label).filter((label) => !THROWN[label])).toEqual([]);
    });

    it.each(rows.map((row) => [row.label, row] as const))('%s', async (label, row) => {
      const make = THROWN[label];
      if (!make || !row.plain || !row.durable) throw new Error(`no error to throw for ${label}`);
      const error = make();
      // The row's error is an instance of the class the row names.
      const exported = exportedErrorClasses().get(row.className);
      expect(exported && error instanceof exported.cls).toBe(true);
      const [seenPlain, seenDurable] = await Promise.all([
        plain.answerFor(make()),
        durable.answerFor(make()),
      ]);
      expectAnswer(seenPlain, row.plain, error, 'plain');
      expectAnswer(seenDurable, row.durable, error, 'durable');
    });
  });
});
