import { randomUUID } from 'node:crypto';
import { type Message, Role, type Task } from '@a2a-js/sdk';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { defaultContextForScope, type RecoveryPolicy, type Scope } from '@a2a-stores/core';
import { setPassportVerification } from '@a2a-stores/passport';
import type { RecoveryMode } from './config.js';
import { PLAN_METADATA_KEY } from './executor.js';
import type { AgentLogger } from './logger.js';
import { textPart } from './messages.js';

/** Marks the message a recovering worker sends a task to run it again (kept in its history). */
export const RESUME_METADATA = { [PLAN_METADATA_KEY]: { resume: true } } as const;
const RESUME_TEXT = 'Resume: the worker running this task stopped; carry on from the last step.';

function resumeMessage(task: Task): Message {
  return {
    messageId: randomUUID(),
    contextId: task.contextId,
    taskId: task.id,
    role: Role.ROLE_USER,
    parts: [textPart(RESUME_TEXT)],
    metadata: { ...RESUME_METADATA },
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * The call context a recovering worker reads and writes an orphaned task with (the cluster's
 * `contextForScope`). The agent's scope resolver reads what `PassportRequestHandler` recorded, so
 * the context records "no passport": tasks of bearer users and anonymous callers map back to
 * their scope. A task a verified passport created (owner `passport:<client id>`) does not, and the
 * cluster leaves it alone (logged) rather than forge a verification.
 */
export function recoveryContextForScope(scope: Scope): ServerCallContext {
  const context = defaultContextForScope(scope);
  setPassportVerification(context, { status: 'absent' });
  return context;
}

/**
 * The cluster's recovery policy for `A2A_AGENT_RECOVERY`. `resume` sends the orphaned task a
 * message through the cluster-wrapped SDK handler (inside the scope guard, which would refuse a
 * message to a working task): the SDK runs the executor on this worker, which takes the lease,
 * and the executor carries on from the plan and step stored in the task's metadata. The call
 * returns at once; the run's events reach subscribers on every worker like any other run's.
 */
export function recoveryPolicy(
  mode: RecoveryMode,
  handler: () => A2ARequestHandler,
  logger: AgentLogger,
): RecoveryPolicy {
  if (mode !== 'resume') return mode;
  return {
    resume: async (task: Task, context: ServerCallContext) => {
      logger.info('resuming a task its worker left running', { taskId: task.id });
      return handler().sendMessage(
        {
          tenant: context.tenant ?? '',
          message: resumeMessage(task),
          configuration: {
            acceptedOutputModes: [],
            taskPushNotificationConfig: undefined,
            returnImmediately: true,
          },
          metadata: undefined,
        },
        context,
      );
    },
  };
}
