import { randomBytes, randomUUID } from 'node:crypto';
import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import {
  dataPart,
  makeArtifact,
  makeMessage,
  makePushConfig,
  makeTask,
  rawPart,
  textPart,
} from '@a2a-stores/core/conformance';

/** A task whose history, artifacts, metadata and status message each carry secret content. */
export interface SecretTask {
  readonly task: Task;
  /** Every secret the task carries, in each spelling a store could hold it. */
  readonly secrets: readonly string[];
}

export function secretTask(spec: Parameters<typeof makeTask>[0] = {}): SecretTask {
  const task = makeTask({ historyLength: 0, ...spec });
  const history = `SECRET-HISTORY-${randomUUID()}`;
  const data = `SECRET-DATA-${randomUUID()}`;
  const artifact = `SECRET-ARTIFACT-${randomUUID()}`;
  const metadata = `SECRET-METADATA-${randomUUID()}`;
  const status = `SECRET-STATUS-${randomUUID()}`;
  const bytes = randomBytes(48);
  task.history = [
    makeMessage(task.id, task.contextId, 0, [textPart(history)]),
    makeMessage(task.id, task.contextId, 1, [dataPart({ secret: data }), rawPart(bytes)]),
  ];
  task.artifacts = [makeArtifact(0, [textPart(artifact)])];
  task.metadata = { secret: metadata, nested: { list: [1, 'two'] } };
  task.status = {
    ...task.status!,
    message: makeMessage(task.id, task.contextId, 2, [textPart(status)]),
  };
  return {
    task,
    secrets: [
      history,
      data,
      artifact,
      metadata,
      status,
      bytes.toString('base64'),
      bytes.toString('base64url'),
      bytes.toString('hex'),
    ],
  };
}

/** A push config whose token and credentials are secrets. */
export function secretPushConfig(
  taskId: string,
  id = `push-${randomUUID()}`,
): { config: TaskPushNotificationConfig; secrets: string[] } {
  const token = `SECRET-TOKEN-${randomUUID()}`;
  const credentials = `SECRET-CREDENTIALS-${randomUUID()}`;
  const config = makePushConfig(taskId, { id, token });
  config.authentication = { scheme: 'Bearer', credentials };
  return { config, secrets: [token, credentials] };
}

/** Asserts none of `secrets` occurs in `text`. */
export function findLeaks(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}
