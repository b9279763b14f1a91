import type { StaleWriteEvent } from '@a2a-stores/core';
import fc from 'fast-check';
import type { HarnessStores } from '../harness.js';
import { contextIdArb, shortIdArb, validIdArb } from './arbitraries.js';
import { callContext, randomScope } from './identity.js';
import { scopedPushStore, scopedTaskStore } from './lifecycle.js';
import { modelCommandArbs } from './model-commands.js';
import { TaskModel } from './task-model.js';

/** Run pools: ids that differ only in case, trailing space or composition, and a few others. */
const idPoolArb = fc
  .tuple(shortIdArb(4), fc.uniqueArray(validIdArb(), { maxLength: 3 }))
  .map(([base, others]) => [
    ...new Set(
      [base, base.toUpperCase(), `${base} `, base.normalize('NFD'), ...others].filter(
        (id) => id.length <= 255,
      ),
    ),
  ]);

/** Context pools: the empty context and lookalikes. */
const contextPoolArb = fc
  .tuple(shortIdArb(3), contextIdArb())
  .map(([base, other]) => [...new Set(['', base, base.toUpperCase(), `${base} `, other])]);

/**
 * The model-based property: each run plays a random command sequence in a fresh random scope
 * and checks the store against {@link TaskModel} after every command. `stores` must have been
 * opened with `staleWrites: 'ignore'` and an `onStaleWrite` hook pushing into `staleEvents`.
 */
export function commandSequenceProperty(
  stores: HarnessStores,
  staleEvents: readonly StaleWriteEvent[],
  maxCommands: number,
) {
  const tasks = scopedTaskStore(stores.taskStore);
  const push = scopedPushStore(stores.pushNotificationStore);
  return fc.asyncProperty(
    idPoolArb,
    contextPoolArb,
    fc.commands(modelCommandArbs(), { maxCommands, size: 'max' }),
    async (ids, contexts, commands) => {
      const scope = randomScope();
      const sameScope = (e: StaleWriteEvent) =>
        e.scope.tenant === scope.tenant && e.scope.owner === scope.owner;
      await fc.asyncModelRun(
        () => ({
          model: new TaskModel(ids, contexts),
          real: {
            tasks,
            push,
            scope,
            context: callContext(scope),
            staleWrites: () => staleEvents.filter(sameScope).length,
          },
        }),
        commands,
      );
    },
  );
}
