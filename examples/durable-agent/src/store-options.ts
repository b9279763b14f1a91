import { taskStateToJSON } from '@a2a-js/sdk';
import type {
  AnonymousPolicy,
  CoreStoreOptions,
  PushUrlCheck,
  ScopeResolver,
} from '@a2a-stores/core';
import type { AgentLogger } from './logger.js';
import { agentScopeResolver } from './passport.js';

/**
 * The core options the agent opens its stores with. Stale writes are dropped (core's default
 * `staleWrites: 'ignore'`): the SDK's ResultManager may still save an older snapshot of a task
 * that a cancel has just finished, and throwing there would break the caller's stream. Logs name
 * task ids and states only, never a tenant or owner. `pushUrlCheck` is the agent's push URL
 * policy (see `createAgentPushUrlPolicy`): the same object must go to the push sender, so a URL
 * is judged by the same rules when it is registered and when it is called. The scope comes from
 * a verified Secure Passport when the call has one, else from the bearer user or the shared
 * anonymous scope (`agentScopeResolver`; `anonymous: 'reject'` refuses anonymous calls); it reads
 * what `PassportRequestHandler` recorded, so the request handler must be wrapped in it. Give the
 * returned `scopeResolver` to `createAgentServer` too: its scope guard must refuse exactly what
 * the stores would.
 */
export function agentStoreOptions(
  logger: AgentLogger,
  pushUrlCheck: PushUrlCheck,
  anonymous: AnonymousPolicy = 'shared',
): CoreStoreOptions & { readonly scopeResolver: ScopeResolver } {
  return {
    staleWrites: 'ignore',
    scopeResolver: agentScopeResolver(logger, anonymous),
    pushUrlCheck,
    logger,
    hooks: {
      onStaleWrite: (event) =>
        logger.debug('stale task write dropped', {
          taskId: event.taskId,
          stored: taskStateToJSON(event.storedState),
          attempted: taskStateToJSON(event.attemptedState),
        }),
      onCorruptRecord: (event) =>
        logger.warn('unreadable stored record skipped', {
          kind: event.kind,
          recordId: event.recordId,
        }),
    },
  };
}
