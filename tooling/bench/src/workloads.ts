import { randomUUID } from 'node:crypto';
import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { updatedTask } from './fixtures.js';
import { listRequest } from './list-request.js';
import { type BenchOptions, PAGE_SIZE } from './options.js';
import type { SeededScope } from './seed.js';
import type { Subject } from './subject.js';
import { SubjectRun } from './subject-run.js';
import { BENCH_PUSH_HOST } from './subjects/push-url-check.js';
import { canonicalTask, checkAbsent, checkLoaded, checkPage, checkPushConfigs } from './verify.js';
import type { RunSamples, WorkloadName } from './workload-names.js';

/** A subject and the scope seeded into it for the list workloads. */
export interface SeededSubject {
  readonly subject: Subject;
  readonly seeded: SeededScope;
}

/** One timed operation of a workload on one subject: its latency in ns, result already checked. */
type Operation = (run: SubjectRun, index: number) => Promise<bigint>;

/** Times `call` alone, then hands its result to `check` outside the timing. */
async function timed<T>(call: () => Promise<T>, check: (value: T) => void): Promise<bigint> {
  const start = process.hrtime.bigint();
  const value = await call();
  const ns = process.hrtime.bigint() - start;
  check(value);
  return ns;
}

/**
 * Runs operation 0 of `workload` on every subject, then operation 1, and so on; the subject that
 * goes first moves on by one each time. A stall of the host, a checkpoint or a vacuum then falls
 * on all subjects alike, instead of on whichever one was running: their ratios stay steady.
 */
function interleaved(
  runs: readonly SubjectRun[],
  workload: WorkloadName,
  total: number,
  operation: Operation,
): Promise<void> {
  return interleavedWorkloads(runs, [[workload, operation]], total);
}

/**
 * {@link interleaved} for workloads compared with each other (a deep page against the first
 * page): each subject runs operation i of every one of them, in an order that also moves on
 * each time, before any subject runs operation i + 1.
 */
async function interleavedWorkloads(
  runs: readonly SubjectRun[],
  workloads: readonly (readonly [WorkloadName, Operation])[],
  total: number,
): Promise<void> {
  for (let i = 0; i < total; i++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(i + k) % runs.length]!;
      for (let j = 0; j < workloads.length; j++) {
        const [workload, operation] = workloads[(i + j) % workloads.length]!;
        run.record(workload, i, await operation(run, i));
      }
    }
  }
}

/**
 * One run of every workload on every subject, interleaved operation by operation
 * ({@link interleaved}): `warmup` untimed operations, then `ops` timed ones, per workload and
 * subject. Only the store call is timed; its result is checked right after, outside the timing.
 * Returns each subject's samples, in the order of `subjects`.
 */
export async function runWorkloads(
  subjects: readonly SeededSubject[],
  options: BenchOptions,
): Promise<RunSamples[]> {
  const total = options.warmup + options.ops;
  const runs = subjects.map(({ subject, seeded }) => {
    return new SubjectRun(subject, seeded, total, options.warmup);
  });

  await interleaved(runs, 'save new', total, (run, i) => {
    const task = run.tasks[i]!;
    run.expected.set(task.id, canonicalTask(task));
    return timed(
      () => run.subject.taskStore.save(task, run.context),
      () => {},
    );
  });
  await interleaved(runs, 'load hit', total, (run, i) => {
    const id = run.tasks[i]!.id;
    return timed(
      () => run.subject.taskStore.load(id, run.context),
      (loaded) => checkLoaded(run.name, id, loaded, run.expected.get(id)!),
    );
  });
  await interleaved(runs, 'load miss', total, (run) => {
    const missing = randomUUID();
    return timed(
      () => run.subject.taskStore.load(missing, run.context),
      (loaded) => checkAbsent(run.name, missing, loaded),
    );
  });
  await interleaved(runs, 'load other scope', total, (run, i) => {
    const id = run.tasks[i]!.id;
    return timed(
      () => run.subject.taskStore.load(id, run.otherOwner),
      (loaded) => checkAbsent(run.name, id, loaded),
    );
  });
  await interleaved(runs, 'update', total, (run, i) => {
    const next = updatedTask(run.tasks[i]!, 500);
    run.expected.set(next.id, canonicalTask(next));
    return timed(
      () => run.subject.taskStore.save(next, run.context),
      () => {},
    );
  });
  // Updates are acknowledged; every one of them must read back.
  for (const run of runs) {
    for (const { id } of run.tasks) {
      const loaded = await run.subject.taskStore.load(id, run.context);
      checkLoaded(run.name, id, loaded, run.expected.get(id)!);
    }
  }
  await runListWorkloads(runs, options, total);
  await runPushWorkloads(
    runs.filter((run) => run.subject.pushStore !== undefined),
    total,
  );
  return runs.map((run) => run.samples);
}

async function runListWorkloads(
  runs: readonly SubjectRun[],
  options: BenchOptions,
  total: number,
): Promise<void> {
  const deepFrom = (options.deepPage - 1) * PAGE_SIZE;
  // The deep page is judged against the first page: they alternate, so both see the same host.
  await interleavedWorkloads(
    runs,
    [
      [
        'list first page',
        ({ subject, seeded, name }) =>
          timed(
            () => subject.taskStore.list(listRequest(''), seeded.context),
            (page) =>
              checkPage(name, 'first page', page.tasks, seeded.expectedIds.slice(0, PAGE_SIZE)),
          ),
      ],
      [
        'list deep page',
        ({ subject, seeded, name }) =>
          timed(
            () => subject.taskStore.list(listRequest(seeded.deepToken), seeded.context),
            (page) =>
              checkPage(
                name,
                `page ${options.deepPage}`,
                page.tasks,
                seeded.expectedIds.slice(deepFrom, deepFrom + PAGE_SIZE),
              ),
          ),
      ],
    ],
    total,
  );
  await interleaved(runs, 'list by context', total, ({ subject, seeded, name }) => {
    const { contextId, firstIds } = seeded.byContext;
    return timed(
      () => subject.taskStore.list(listRequest('', { contextId }), seeded.context),
      (page) => checkPage(name, 'first page of a context', page.tasks, firstIds),
    );
  });
  await interleaved(runs, 'list by status', total, ({ subject, seeded, name }) => {
    const { status, firstIds } = seeded.byStatus;
    return timed(
      () => subject.taskStore.list(listRequest('', { status }), seeded.context),
      (page) => checkPage(name, 'first page of a status', page.tasks, firstIds),
    );
  });
}

/** The push workloads, on the subjects that have a push store. */
async function runPushWorkloads(runs: readonly SubjectRun[], total: number): Promise<void> {
  await interleaved(runs, 'push save', total, (run, i) => {
    const task = run.tasks[i]!;
    const config: TaskPushNotificationConfig = {
      tenant: '',
      id: randomUUID(),
      taskId: task.id,
      url: `https://${BENCH_PUSH_HOST}/hook/${task.id}`,
      token: `token-${i}`,
      authentication: { scheme: 'Bearer', credentials: `secret-${i}` },
    };
    // A copy is saved: the reference the load is checked against stays as written.
    run.configs.push(structuredClone(config));
    return timed(
      () => run.subject.pushStore!.save(task.id, run.context, config),
      () => {},
    );
  });
  await interleaved(runs, 'push load', total, (run, i) => {
    const taskId = run.tasks[i]!.id;
    return timed(
      () => run.subject.pushStore!.load(taskId, run.context),
      (loaded) => checkPushConfigs(run.name, taskId, loaded, run.configs[i]!),
    );
  });
}
