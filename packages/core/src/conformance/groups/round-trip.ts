import { randomUUID } from 'node:crypto';
import { type Task, TaskState } from '@a2a-js/sdk';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import { conformanceTest, type GroupOptions, useHarness } from '../helpers/lifecycle.js';
import {
  dataPart,
  isoAt,
  makeArtifact,
  makeMessage,
  makeTask,
  rawPart,
  textPart,
  urlPart,
} from '../helpers/tasks.js';

const NESTED_METADATA = {
  string: 'value',
  number: 42,
  negative: -17.25,
  large: 9_007_199_254_740_991,
  zero: 0,
  boolean: false,
  nothing: null,
  emptyObject: {},
  emptyArray: [],
  'key.with.dots': 'dots',
  'key "with" quotes': 'quotes',
  list: [1, 'two', { three: [3, { deep: true }] }, null],
  level1: { level2: { level3: { level4: { level5: { leaf: 'deep', arr: [[1], [2, [3]]] } } } } },
};

const UNICODE_SAMPLES = [
  'ASCII',
  'Ünïcödé àccents',
  '日本語のテキスト',
  'עברית ועربية',
  'emoji 🧪🚀 and flags 🇫🇷🇯🇵',
  'family 👩‍👩‍👧‍👦 (ZWJ sequence)',
  'astral 𝄞 𝕏 𐍈 𠜎',
  'combining e\u0301 and a\u030a',
  'controls \t\r\n\u0001\u001f and \u2028\u2029',
  'escapes \\ " \' ` $ {}',
];

/**
 * Round-trip fidelity: what is saved is exactly what loads back (core's `canonicalTask`), for raw
 * bytes, nested metadata, unicode, long histories and artifacts.
 */
export function runRoundTripGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('round-trip fidelity', () => {
    const env = useHarness(harness, options);

    async function roundTrip(task: Task): Promise<void> {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      await taskStore.save(task, ctx);
      expectSameTask(await taskStore.load(task.id, ctx), task);
    }

    conformanceTest(harness, [], 'a minimal task loads back equal', async () => {
      await roundTrip(makeTask());
    });

    conformanceTest(harness, [], 'load of an id never saved resolves undefined', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      await taskStore.save(makeTask(), ctx);
      await expect(taskStore.load('task-never-saved', ctx)).resolves.toBeUndefined();
    });

    conformanceTest(harness, [], 'a task without a status round-trips', async () => {
      await roundTrip({ ...makeTask(), status: undefined });
    });

    conformanceTest(harness, [], 'text, data, url and raw parts keep their fields', async () => {
      const task = makeTask({ historyLength: 0 });
      task.history.push(
        makeMessage(task.id, task.contextId, 0, [
          textPart('plain text', { mediaType: 'text/plain', metadata: { lang: 'en' } }),
          dataPart({ answer: 42, nested: { list: [1, 2, 3] } }),
          urlPart('https://files.example.com/report.pdf', { metadata: { pages: 3 } }),
          rawPart(Uint8Array.from([1, 2, 3, 250]), { filename: 'bytes.bin' }),
        ]),
      );
      await roundTrip(task);
    });

    conformanceTest(
      harness,
      [],
      'raw byte parts keep every byte value and empty buffers',
      async () => {
        const all = new Uint8Array(256);
        for (let i = 0; i < 256; i++) all[i] = i;
        const large = new Uint8Array(64 * 1024);
        for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 256;
        const task = makeTask({ historyLength: 0 });
        task.history.push(
          makeMessage(task.id, task.contextId, 0, [
            rawPart(all),
            rawPart(new Uint8Array(0)),
            rawPart(large),
          ]),
        );
        task.artifacts.push(
          makeArtifact(0, [rawPart(all.slice().reverse(), { filename: 'reversed.bin' })]),
        );
        await roundTrip(task);
      },
    );

    conformanceTest(
      harness,
      [],
      'nested metadata on task, message, part and artifact',
      async () => {
        const task = makeTask({ metadata: NESTED_METADATA, artifactCount: 1 });
        task.history[0]!.metadata = { ...NESTED_METADATA, where: 'message' };
        task.history[0]!.parts[0]!.metadata = { ...NESTED_METADATA, where: 'part' };
        task.artifacts[0]!.metadata = { ...NESTED_METADATA, where: 'artifact' };
        await roundTrip(task);
      },
    );

    conformanceTest(
      harness,
      [],
      'unicode text, metadata and ids (astral characters included)',
      async () => {
        const task = makeTask({
          id: `tâche-🧪-${randomUUID()}`,
          contextId: `контекст-𝄞-${randomUUID()}`,
          historyLength: 0,
          metadata: Object.fromEntries(UNICODE_SAMPLES.map((s, i) => [`${s}#${i}`, s])),
        });
        task.history.push(
          makeMessage(
            task.id,
            task.contextId,
            0,
            UNICODE_SAMPLES.map((s) => textPart(s)),
          ),
        );
        task.artifacts.push({
          ...makeArtifact(0),
          name: '結果 🧾',
          description: UNICODE_SAMPLES.join(' | '),
        });
        await roundTrip(task);
      },
    );

    conformanceTest(
      harness,
      [],
      'a history of 1000 messages keeps every message in order',
      async () => {
        const task = makeTask({ historyLength: 1000 });
        await roundTrip(task);
      },
      60_000,
    );

    conformanceTest(
      harness,
      [],
      'several artifacts with several parts keep their order',
      async () => {
        const task = makeTask({ historyLength: 1 });
        for (let i = 0; i < 5; i++) {
          task.artifacts.push(
            makeArtifact(i, [
              textPart(`part a of ${i}`),
              dataPart({ i }),
              textPart(`part c of ${i}`),
            ]),
          );
        }
        task.artifacts[2]!.extensions = [
          'https://ext.example.com/one',
          'https://ext.example.com/two',
        ];
        await roundTrip(task);
      },
    );

    conformanceTest(harness, [], 'the status message round-trips', async () => {
      const task = makeTask({ state: TaskState.TASK_STATE_INPUT_REQUIRED });
      task.status!.message = makeMessage(task.id, task.contextId, 99, [
        textPart('Which currency?'),
      ]);
      await roundTrip(task);
    });

    conformanceTest(harness, [], 'every task state round-trips', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const states = [
        TaskState.TASK_STATE_UNSPECIFIED,
        TaskState.TASK_STATE_SUBMITTED,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_COMPLETED,
        TaskState.TASK_STATE_FAILED,
        TaskState.TASK_STATE_CANCELED,
        TaskState.TASK_STATE_INPUT_REQUIRED,
        TaskState.TASK_STATE_REJECTED,
        TaskState.TASK_STATE_AUTH_REQUIRED,
      ];
      const tasks = states.map((state, i) => makeTask({ state, timestamp: isoAt(i) }));
      for (const task of tasks) await taskStore.save(task, ctx);
      for (const task of tasks) expectSameTask(await taskStore.load(task.id, ctx), task);
    });

    conformanceTest(harness, [], 'a second save replaces the whole task', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const first = makeTask({
        historyLength: 3,
        artifactCount: 2,
        metadata: { version: 1, gone: true },
      });
      await taskStore.save(first, ctx);
      const second: Task = {
        ...makeTask({
          id: first.id,
          contextId: first.contextId,
          historyLength: 1,
          timestamp: isoAt(5),
        }),
        metadata: { version: 2 },
      };
      await taskStore.save(second, ctx);
      expectSameTask(await taskStore.load(first.id, ctx), second);
    });

    conformanceTest(
      harness,
      [],
      'ids that differ only in case or accents are distinct tasks',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const base = randomUUID();
        const ids = [`Task-${base}`, `task-${base}`, `TASK-${base}`, `tàsk-${base}`];
        const tasks = ids.map((id, i) => makeTask({ id, metadata: { i } }));
        for (const task of tasks) await taskStore.save(task, ctx);
        for (const task of tasks) expectSameTask(await taskStore.load(task.id, ctx), task);
      },
    );
  });
}
