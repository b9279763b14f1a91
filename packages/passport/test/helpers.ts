import { randomUUID } from 'node:crypto';
import { type AgentCard, type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { userMessage } from '@a2a-stores/test-backends';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  getPassportVerification,
  type PassportAlgorithm,
  passportExtension,
} from '../src/index.js';

export { userMessage };

/** A caller's signing key and the public JWK (with kid) it publishes. */
export interface TestKey {
  readonly alg: PassportAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function makeKey(
  alg: PassportAlgorithm,
  kid = `${alg}-${randomUUID()}`,
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : 'ES256', {
    extractable: true,
  });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

export const AGENT_URL = 'http://127.0.0.1:9/a2a/jsonrpc';

/** A card for the in-process handler tests; `url` is only the audience, nothing listens there. */
export function testCard(
  url = AGENT_URL,
  supportedStateKeys: string[] = ['user_preferred_currency'],
): AgentCard {
  return {
    name: 'Passport test agent',
    description: 'Answers with what the caller passport said',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    provider: undefined,
    version: '0.0.0',
    capabilities: {
      streaming: true,
      pushNotifications: false,
      extensions: [passportExtension({ supportedStateKeys })],
      extendedAgentCard: false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: [],
  };
}

export function textOf(message: Message | undefined): string {
  return (message?.parts ?? [])
    .map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
    .join('');
}

/**
 * Answers with what its passport said: `verified a2a://x currency=GBP`, `unsigned ...`,
 * `absent`, `malformed`, `failed <reason>`. A text containing "wait" parks the task in
 * input-required, so a second message can continue it.
 */
export class PassportEchoExecutor implements AgentExecutor {
  /** Every verification the executor saw, in order. */
  readonly seen: string[] = [];

  execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const verification = getPassportVerification(request.context);
    let summary: string = verification?.status ?? 'no-handler';
    if (verification?.status === 'verified' || verification?.status === 'unsigned') {
      const currency = verification.state['user_preferred_currency'];
      summary += ` ${verification.clientId}`;
      if (verification.sessionId) summary += ` session=${verification.sessionId}`;
      if (typeof currency === 'string') summary += ` currency=${currency}`;
    } else if (verification?.status === 'failed') {
      summary += ` ${verification.reason}`;
    }
    this.seen.push(summary);
    const wait = /wait/.test(textOf(request.userMessage));
    const task: Task = request.task
      ? { ...request.task }
      : {
          id: request.taskId,
          contextId: request.contextId,
          status: {
            state: TaskState.TASK_STATE_SUBMITTED,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          history: [request.userMessage],
          artifacts: [],
          metadata: {},
        };
    bus.publish(AgentEvent.task(task));
    const state = wait ? TaskState.TASK_STATE_INPUT_REQUIRED : TaskState.TASK_STATE_COMPLETED;
    bus.publish(
      AgentEvent.statusUpdate({
        taskId: request.taskId,
        contextId: request.contextId,
        status: {
          state,
          message: agentText(request, summary),
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      }),
    );
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId: '',
        status: {
          state: TaskState.TASK_STATE_CANCELED,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      }),
    );
  };
}

function agentText(request: RequestContext, text: string): Message {
  return {
    ...userMessage(text),
    role: Role.ROLE_AGENT,
    taskId: request.taskId,
    contextId: request.contextId,
  };
}

/** The text of a task's final status message. */
export function answerOf(result: Message | Task): string {
  if ('messageId' in result) return textOf(result);
  return textOf(result.status?.message);
}
