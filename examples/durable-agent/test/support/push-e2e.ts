import { randomUUID } from 'node:crypto';
import { StreamResponse, TaskState } from '@a2a-js/sdk';
import type { ReceivedNotification } from '@a2a-stores/test-backends';
import { expect, it } from 'vitest';
import {
  ALICE,
  labelOf,
  newTenant,
  pushConfig,
  sendForTask,
  sendRequest,
  textOf,
  userMessage,
} from './a2a-client.js';
import type { AgentFixture } from './agent-fixture.js';

const A2A_CONTENT_TYPE = 'application/a2a+json';
const TOKEN_HEADER = 'x-a2a-notification-token';

/** Sorted labels: one task's notifications are sent in order, but each `send` first reads the
 * configs from the store, and on a pooled database two reads may finish out of order (the SDK's
 * own sender has the same property), so only the set of events is asserted. */
function sortedLabels(received: readonly ReceivedNotification[]): string[] {
  return received
    .map((entry) => (entry.event ? labelOf(entry.event) : 'not-a-stream-response'))
    .sort();
}

function hasCompleted(received: readonly ReceivedNotification[]): boolean {
  return received.some((entry) => entry.event && labelOf(entry.event) === 'status:COMPLETED');
}

function taskIdOf(event: StreamResponse | undefined): string | undefined {
  const payload = event?.payload;
  if (!payload) return undefined;
  return payload.$case === 'task' ? payload.value.id : payload.value.taskId;
}

/** What the SDK's `DefaultPushNotificationSender` puts on the wire for a v1.0 config. */
function expectSdkWireFormat(entry: ReceivedNotification, taskId: string): void {
  expect(entry.method).toBe('POST');
  expect(entry.headers['content-type']).toBe(A2A_CONTENT_TYPE);
  // The v1.0 body is the proto JSON of a StreamResponse: exactly what toJSON gives back.
  expect(entry.event, entry.body).toBeDefined();
  expect(StreamResponse.toJSON(entry.event as StreamResponse)).toEqual(entry.json);
  expect(Object.keys(entry.json as object)).toHaveLength(1);
  expect(taskIdOf(entry.event)).toBe(taskId);
}

/**
 * Push notification tests, inside an end-to-end suite whose agent runs in development mode and
 * whose webhooks all live on the suite's local receiver.
 */
export function definePushNotificationE2e(fixture: AgentFixture): void {
  const { as, running } = fixture;

  it('a webhook given with the send gets every event of the task, in the SDK wire format, with the token header', async () => {
    const tenant = newTenant();
    const alice = await as(ALICE);
    const url = fixture.receiver().newHookUrl('send');
    const token = `token-${randomUUID()}`;
    const request = sendRequest(tenant, userMessage('report, steps: 2'));
    request.configuration = {
      acceptedOutputModes: ['text/plain'],
      returnImmediately: false,
      taskPushNotificationConfig: pushConfig(tenant, '', '', url, token, false),
    };
    const result = await alice.sendMessage(request);
    if (!('status' in result)) throw new Error('expected a task');
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const received = await fixture.receiver().waitFor(url, hasCompleted);
    expect(sortedLabels(received)).toEqual(
      [
        'task:SUBMITTED',
        'status:WORKING',
        'status:WORKING',
        'artifact:report',
        'status:COMPLETED',
      ].sort(),
    );
    for (const entry of received) {
      expectSdkWireFormat(entry, result.id);
      expect(entry.headers[TOKEN_HEADER]).toBe(token);
      expect(entry.headers.authorization).toBeUndefined();
    }
    const artifact = received.find((entry) => entry.event?.payload?.$case === 'artifactUpdate');
    const payload = artifact?.event?.payload;
    expect(
      payload?.$case === 'artifactUpdate' ? textOf(payload.value.artifact?.parts ?? []) : '',
    ).toContain('2 step(s)');
    const configs = await alice.listTaskPushNotificationConfig({
      tenant,
      taskId: result.id,
      pageSize: 0,
      pageToken: '',
    });
    expect(configs.configs.map((config) => config.url)).toEqual([url]);
  });

  it('configs added to a waiting task: Authorization with authentication, the token header without, nothing once deleted', async () => {
    const tenant = newTenant();
    const alice = await as(ALICE);
    const asked = await sendForTask(alice, tenant, userMessage('ask me, then write a report'));
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const receiver = fixture.receiver();
    const hooks = {
      withAuth: receiver.newHookUrl('with-auth'),
      tokenOnly: receiver.newHookUrl('token-only'),
      deleted: receiver.newHookUrl('deleted'),
    };
    const tokens = {
      withAuth: `token-${randomUUID()}`,
      tokenOnly: `token-${randomUUID()}`,
      deleted: `token-${randomUUID()}`,
    };
    const create = (id: string, url: string, token: string, withAuthentication: boolean) =>
      alice.createTaskPushNotificationConfig(
        pushConfig(tenant, asked.id, id, url, token, withAuthentication),
      );
    await create('with-auth', hooks.withAuth, tokens.withAuth, true);
    await create('token-only', hooks.tokenOnly, tokens.tokenOnly, false);
    await create('deleted', hooks.deleted, tokens.deleted, true);
    await alice.deleteTaskPushNotificationConfig({ tenant, taskId: asked.id, id: 'deleted' });

    const done = await sendForTask(
      alice,
      tenant,
      userMessage('Grace', { taskId: asked.id, contextId: asked.contextId }),
    );
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    // The answer resumes at step 2 of 3: a WORKING snapshot, two steps, the report, completed.
    const expected = [
      'task:WORKING',
      'status:WORKING',
      'status:WORKING',
      'artifact:report',
      'status:COMPLETED',
    ].sort();
    const withAuth = await receiver.waitFor(hooks.withAuth, hasCompleted);
    const tokenOnly = await receiver.waitFor(hooks.tokenOnly, hasCompleted);
    expect(sortedLabels(withAuth)).toEqual(expected);
    expect(sortedLabels(tokenOnly)).toEqual(expected);
    for (const entry of withAuth) {
      expectSdkWireFormat(entry, asked.id);
      // The SDK's rule: authentication wins, and the token is then not sent at all.
      expect(entry.headers.authorization).toBe(`Bearer cred-${tokens.withAuth}`);
      expect(entry.headers[TOKEN_HEADER]).toBeUndefined();
    }
    for (const entry of tokenOnly) {
      expectSdkWireFormat(entry, asked.id);
      expect(entry.headers[TOKEN_HEADER]).toBe(tokens.tokenOnly);
      expect(entry.headers.authorization).toBeUndefined();
    }
    // The sender POSTs a task's notifications one after another, each only once every config's
    // POST of the previous one has finished: with COMPLETED at the other hooks, anything sent to
    // the deleted config for the earlier events would already be here.
    expect(receiver.receivedAt(hooks.deleted)).toEqual([]);

    // Deliveries are logged by ids and origin only: no token, credential, hook path or tenant.
    const log = running().output();
    expect(log).toMatch(/push notification delivered .*"configId":"with-auth"/);
    expect(log).toContain(`"origin":"${receiver.origin}"`);
    expect(log).not.toMatch(/push notification delivered .*"configId":"deleted"/);
    expect(log).not.toContain('No push notification serializer');
    for (const secret of [
      ...Object.values(tokens),
      new URL(hooks.withAuth).pathname,
      new URL(hooks.tokenOnly).pathname,
      tenant,
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('even in development mode, metadata, private and link-local webhooks are refused and nothing is stored', async () => {
    const tenant = newTenant();
    const alice = await as(ALICE);
    const viaRest = await as(ALICE, 'HTTP+JSON');
    expect(running().output()).toContain('DEVELOPMENT MODE');
    const asked = await sendForTask(alice, tenant, userMessage('ask me, then write a report'));
    const refused: Array<[string, string]> = [
      ['https://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
      ['http://[::ffff:a9fe:a9fe]/hook', 'cloud-metadata'],
      ['http://192.168.1.10/hook', 'private-address'],
      ['https://10.0.0.1/hook', 'private-address'],
      ['http://169.254.10.10/hook', 'link-local-address'],
    ];
    for (const [url, reason] of refused) {
      const config = pushConfig(tenant, asked.id, 'hostile', url, 'token');
      await expect(alice.createTaskPushNotificationConfig(config), url).rejects.toMatchObject({
        name: 'RequestMalformedError',
        envelopeCode: -32602,
        message: expect.stringContaining(reason),
      });
      await expect(viaRest.createTaskPushNotificationConfig(config), url).rejects.toMatchObject({
        name: 'RequestMalformedError',
        statusCode: 400,
      });
    }
    const listed = await alice.listTaskPushNotificationConfig({
      tenant,
      taskId: asked.id,
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.configs).toEqual([]);
  });
}
