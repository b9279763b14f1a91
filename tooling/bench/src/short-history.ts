/**
 * What a page of long conversations costs `list` with a short `historyLength` (the SDK client's
 * usual `historyLength: 2`) and without one. Each subject gets `--tasks` tasks of `--messages`
 * messages of `--chars` characters (about 1 MB each by default), saved whole; then every subject
 * lists the page, with and without the short history, taking turns op by op, `--ops` times.
 * Reported: median ms per page and each subject's ratio to the raw floor. The floor and the
 * SDK's store read every message and leave the trimming to the SDK's handler; ours reads a
 * large task's recent form when it holds enough messages. A measurement for the docs.
 *
 * Every subject runs in this process, and a page of whole histories leaves about 12 MB of
 * garbage that V8 collects during whichever call comes next (measured: a 0.5 ms short list
 * took 4-14 ms right after a whole one). A full collection, untimed, precedes every timed call,
 * so each starts on a clean heap; hence `--expose-gc` in the package script.
 *
 *   pnpm --filter @a2a-stores/bench bench:short-history [-- --backends sqlite,postgres]
 */
import { parseArgs } from 'node:util';
import type { Message, Task } from '@a2a-js/sdk';
import { trimHistory } from '@a2a-stores/core';
import { contextOf, makeTask, randomScope, textMessage } from './fixtures.js';
import { listRequest } from './list-request.js';
import { BACKENDS, type BackendName } from './options.js';
import { median } from './stats.js';
import { chunkText } from './stream-shapes.js';
import type { Subject } from './subject.js';
import { subjectsOf } from './subjects/of-backend.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    backends: { type: 'string' },
    tasks: { type: 'string' },
    messages: { type: 'string' },
    chars: { type: 'string' },
    ops: { type: 'string' },
  },
});
const backends = (values.backends ?? BACKENDS.join(',')).split(',') as BackendName[];
for (const name of backends) {
  if (!BACKENDS.includes(name)) throw new Error(`unknown backend ${name}`);
}
const TASKS = Number(values.tasks ?? 10);
const MESSAGES = Number(values.messages ?? 1000);
const CHARS = Number(values.chars ?? 1000);
const OPS = Number(values.ops ?? 30);
const SHORT = 2;

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with node --expose-gc (pnpm bench:short-history does)');
const collectGarbage: () => void = exposedGc;

function conversation(index: number): Task {
  const task = makeTask(index * 1000);
  const history: Message[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    history.push(textMessage(task.id, task.contextId, i, chunkText(i, CHARS)));
  }
  return { ...task, history };
}

/** The last message ids of each task, newest task first (the list order). */
function expectedPage(tasks: readonly Task[], historyLength: number | undefined): string[][] {
  return [...tasks]
    .reverse()
    .map((task) => trimHistory({ ...task }, historyLength).history.map((m) => m.messageId));
}

function check(subject: Subject, got: Task[], want: string[][], historyLength?: number): void {
  const ids = got.map((task) =>
    trimHistory({ ...task }, historyLength).history.map((m) => m.messageId),
  );
  if (JSON.stringify(ids) !== JSON.stringify(want)) {
    throw new Error(`${subject.name}: the page does not hold the saved histories`);
  }
}

async function measure(subjects: readonly Subject[]): Promise<Map<string, [number[], number[]]>> {
  const times = new Map(subjects.map((s) => [s.name, [[], []] as [number[], number[]]]));
  const tasks = Array.from({ length: TASKS }, (_, i) => conversation(i));
  const contexts = subjects.map(() => contextOf(randomScope()));
  for (let s = 0; s < subjects.length; s++) {
    for (const task of tasks) await subjects[s]!.taskStore.save(task, contexts[s]!);
  }
  const short = expectedPage(tasks, SHORT);
  const whole = expectedPage(tasks, undefined);
  const request = { ...listRequest(''), pageSize: TASKS };
  for (let op = -3; op < OPS; op++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = (op + 3 + k) % subjects.length;
      const subject = subjects[s]!;
      const [shortTimes, wholeTimes] = times.get(subject.name)!;
      for (const historyLength of op % 2 ? [SHORT, undefined] : [undefined, SHORT]) {
        collectGarbage();
        const start = performance.now();
        const page = await subject.taskStore.list({ ...request, historyLength }, contexts[s]!);
        const ms = performance.now() - start;
        check(subject, page.tasks, historyLength === SHORT ? short : whole, historyLength);
        // The first rounds warm up code paths and caches.
        if (op >= 0) (historyLength === SHORT ? shortTimes : wholeTimes).push(ms);
      }
    }
  }
  return times;
}

console.log(
  `list of ${TASKS} tasks of ${MESSAGES} messages of ${CHARS} characters, median ms per page of ${OPS}`,
);
console.log(
  '| backend | subject | historyLength 2 | ratio to floor | whole history | ratio to floor |',
);
console.log('| -- | -- | --: | --: | --: | --: |');
for (const backend of backends) {
  const { subjects, cleanup } = await subjectsOf(backend);
  try {
    const measured = subjects.filter((s) => ['adapter', 'floor', 'sdk'].includes(s.role));
    const times = await measure(measured);
    const floor = measured.find((s) => s.role === 'floor');
    const [floorShort, floorWhole] = floor
      ? times.get(floor.name)!.map((list) => median(list))
      : [Number.NaN, Number.NaN];
    for (const subject of measured) {
      const [shortMs, wholeMs] = times.get(subject.name)!.map((list) => median(list));
      console.log(
        `| ${backend} | ${subject.name} | ${shortMs!.toFixed(2)} | ${(shortMs! / floorShort!).toFixed(2)}x | ${wholeMs!.toFixed(2)} | ${(wholeMs! / floorWhole!).toFixed(2)}x |`,
      );
    }
  } finally {
    for (const subject of subjects) await subject.close();
    await cleanup?.();
  }
}
