import { randomUUID } from 'node:crypto';
import { createMemoryStores } from '@a2a-stores/core';
import { SEALED_PREFIX } from '@a2a-stores/kms';
import { describe, expect, it } from 'vitest';
import { contextOf, makeTask, randomScope } from '../src/fixtures.js';
import type { BackendResult, BenchReport, SubjectResult } from '../src/report.js';
import { summarize } from '../src/stats.js';
import { kmsSubjects } from '../src/subjects/kms-subjects.js';
import { BENCH_PUSH_HOST, benchPushUrlCheck } from '../src/subjects/push-url-check.js';
import { checkTargets, wrapperCosts } from '../src/targets.js';
import { canonicalTask, checkLoaded, checkPushConfigs } from '../src/verify.js';

describe('kms subjects', () => {
  it('seal what reaches the inner store and hand back what was saved, cache off and on', async () => {
    const inner = createMemoryStores({ pushUrlCheck: benchPushUrlCheck() });
    const subjects = kmsSubjects({ name: 'memory', ...inner }, 'memory');
    expect(subjects.map((s) => [s.name, s.wraps?.cache])).toEqual([
      ['kms(memory), cache off', false],
      ['kms(memory), cache on', true],
    ]);
    for (const subject of subjects) {
      const context = contextOf(randomScope());
      const task = makeTask(0);
      await subject.taskStore.save(task, context);
      checkLoaded(
        subject.name,
        task.id,
        await subject.taskStore.load(task.id, context),
        canonicalTask(task),
      );
      const rawTask = await inner.taskStore.load(task.id, context);
      expect(JSON.stringify(rawTask?.history)).toContain(SEALED_PREFIX);
      expect(JSON.stringify(rawTask?.history)).not.toContain('lorem ipsum');

      const config = {
        tenant: '',
        id: randomUUID(),
        taskId: task.id,
        url: `https://${BENCH_PUSH_HOST}/hook/${task.id}`,
        token: 'token-0',
        authentication: { scheme: 'Bearer', credentials: 'secret-0' },
      };
      await subject.pushStore?.save(task.id, context, structuredClone(config));
      checkPushConfigs(
        subject.name,
        task.id,
        (await subject.pushStore?.load(task.id, context)) ?? [],
        config,
      );
      const [rawConfig] = await inner.pushNotificationStore.load(task.id, context);
      expect(rawConfig?.token.startsWith(SEALED_PREFIX)).toBe(true);
      expect(rawConfig?.authentication?.credentials.startsWith(SEALED_PREFIX)).toBe(true);
      await subject.close();
    }
    await inner.close();
  });
});

function result(name: string, p50Ns: bigint, wraps?: SubjectResult['wraps']): SubjectResult {
  const median = summarize([p50Ns]);
  const workloads: SubjectResult['workloads'] = {
    'load hit': { runs: [median], median },
    'save new': { runs: [median], median },
  };
  return { name, role: wraps ? 'wrapper' : 'adapter', ...(wraps ? { wraps } : {}), workloads };
}

describe('wrapper costs', () => {
  it('divides each wrapper by its inner store and judges only cache hits against 1.15x', () => {
    const backend: BackendResult = {
      backend: 'sqlite',
      settings: '',
      seedSeconds: 0,
      subjects: [
        result('inner', 100_000n),
        result('kms off', 200_000n, { inner: 'inner', cache: false }),
        result('kms on', 110_000n, { inner: 'inner', cache: true }),
      ],
    };
    const costs = wrapperCosts(backend);
    expect(costs.map((c) => [c.workload, c.wrapper, c.cost])).toEqual([
      ['save new', 'kms off', 2],
      ['save new', 'kms on', 1.1],
      ['load hit', 'kms off', 2],
      ['load hit', 'kms on', 1.1],
    ]);
    const report = { backends: [backend] } as unknown as BenchReport;
    const wrapperChecks = checkTargets(report).filter((c) => c.target.startsWith('kms'));
    expect(wrapperChecks).toEqual([
      {
        backend: 'sqlite',
        target: 'kms on: load hit cost ≤ 1.15x inner',
        value: 1.1,
        status: 'met',
      },
    ]);
  });
});
