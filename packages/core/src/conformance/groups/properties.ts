import { randomUUID } from 'node:crypto';
import type { StaleWriteEvent } from '@a2a-stores/core';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { taskArb } from '../helpers/arbitraries.js';
import { expectSameTask } from '../helpers/assertions.js';
import { commandSequenceProperty } from '../helpers/command-sequences.js';
import { hostileScopeArb, hostileStringArb, tokenRecipeArb } from '../helpers/hostile-input.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  type ConformanceEnv,
  conformanceTest,
  type GroupOptions,
  silentLogger,
  useHarness,
} from '../helpers/lifecycle.js';
import {
  checkHostileId,
  checkHostileScope,
  checkPageToken,
  type PagingFixture,
  pagingFixture,
  type Sentinel,
  saveSentinel,
} from '../helpers/property-checks.js';
import {
  checkParameters,
  type PropertyRuns,
  propertyRunsFromEnv,
} from '../helpers/property-runs.js';
import { listRequest } from '../helpers/tasks.js';

/** Options of {@link runPropertyGroup}. */
export interface PropertyGroupOptions extends GroupOptions {
  /** Random cases per property (default: `DEFAULT_PROPERTY_RUNS`, or the env knobs). */
  readonly runs?: Partial<PropertyRuns>;
}

/** Generous: a failing property shrinks, replaying many calls against a real database. */
const PROPERTY_TIMEOUT_MS = 300_000;

/**
 * Property-based checks with fast-check: random task shapes round-trip exactly; random command
 * sequences (save, compare-and-set, delete, load, filtered and paged list, push configs) agree
 * with a model of the contract after every step; hostile ids, scope strings and page tokens are
 * stored faithfully or refused with an input error, never leak into near scopes, and never
 * change stored data. Every run uses fresh random scopes. A failure prints fast-check's seed and
 * path: replay with `A2A_STORES_PROPERTY_SEED` and `A2A_STORES_PROPERTY_PATH`;
 * `A2A_STORES_PROPERTY_RUNS` raises the number of runs.
 */
export function runPropertyGroup(harness: StoreHarness, options: PropertyGroupOptions = {}): void {
  describe('properties (fast-check)', () => {
    const env = useHarness(harness, options);
    const runs: PropertyRuns = { ...propertyRunsFromEnv(), ...options.runs };

    conformanceTest(
      harness,
      [],
      'random task shapes round-trip exactly through load and list',
      async () => {
        const { taskStore } = await env.open({ logger: silentLogger() });
        await fc.assert(
          fc.asyncProperty(taskArb(), async (task) => {
            const ctx = callContext(randomScope());
            await taskStore.save(task, ctx);
            expectSameTask(await taskStore.load(task.id, ctx), task);
            const full = await taskStore.list(listRequest({ includeArtifacts: true }), ctx);
            expect(full.tasks).toHaveLength(1);
            expectSameTask(full.tasks[0], task);
            const lean = await taskStore.list(listRequest(), ctx);
            expect(lean.totalSize).toBe(1);
            expectSameTask(lean.tasks[0], { ...task, artifacts: [] });
          }),
          checkParameters(runs.roundTrip),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    conformanceTest(
      harness,
      [
        'extendedTaskStore',
        'storeOptions',
        'terminalGuard',
        'cascadeDelete',
        'listHistoryLength',
        'codePointIdOrder',
      ],
      'random command sequences agree with a model of the contract after every step',
      async () => {
        const staleEvents: StaleWriteEvent[] = [];
        const stores = await env.open({
          logger: silentLogger(),
          staleWrites: 'ignore',
          hooks: { onStaleWrite: (event) => staleEvents.push(event) },
        });
        await fc.assert(
          commandSequenceProperty(stores, staleEvents, runs.commandsPerSequence),
          checkParameters(runs.sequences),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    /** A task and push config in a scope of their own, checked untouched after each property. */
    async function withSentinel(
      stores: Awaited<ReturnType<ConformanceEnv['open']>>,
      body: (sentinel: Sentinel) => Promise<void>,
    ): Promise<void> {
      const sentinel = await saveSentinel(stores);
      await body(sentinel);
      await sentinel.expectUnchanged();
    }

    conformanceTest(
      harness,
      ['extendedTaskStore', 'inputLimits'],
      'hostile task, context and push config ids are stored faithfully or refused, touching nothing else',
      async () => {
        const stores = await env.open({ logger: silentLogger() });
        await withSentinel(stores, async (sentinel) => {
          await fc.assert(
            fc.asyncProperty(hostileStringArb(), hostileStringArb(), async (value, near) => {
              await checkHostileId(stores, value, near);
              await sentinel.expectUnchanged();
            }),
            checkParameters(runs.hostile),
          );
        });
      },
      PROPERTY_TIMEOUT_MS,
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'hostile tenant and owner strings work or are refused, and never reach near scopes',
      async () => {
        const stores = await env.open({ logger: silentLogger() });
        await withSentinel(stores, async (sentinel) => {
          await fc.assert(
            fc.asyncProperty(hostileScopeArb(), async ({ tenant, owner }) => {
              // A nonce keeps this run's scope and its near variants apart from every other run's.
              const nonce = randomUUID().slice(0, 8);
              await checkHostileScope(stores, { tenant: `${tenant}${nonce}`, owner });
              await sentinel.expectUnchanged();
            }),
            checkParameters(runs.hostile),
          );
        });
      },
      PROPERTY_TIMEOUT_MS,
    );

    conformanceTest(
      harness,
      ['validatedPageTokens'],
      'forged, tampered, truncated and foreign page tokens are refused and change nothing',
      async () => {
        const stores = await env.open({ logger: silentLogger() });
        const fixture: PagingFixture = await pagingFixture(stores.taskStore);
        await fc.assert(
          fc.asyncProperty(tokenRecipeArb(), async (recipe) => {
            await checkPageToken(stores.taskStore, fixture, recipe);
          }),
          checkParameters(runs.hostile),
        );
        await fixture.expectUnchanged();
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
