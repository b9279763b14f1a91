// Prints the figures of the latest run (results/*.json) as the markdown tables of
// docs/reliability.md: `pnpm --filter @a2a-stores/reliability report`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './results.js';

type Figures = Record<string, unknown> & { finishedAt?: string };

const ADAPTERS = ['sqlite', 'postgres', 'mysql', 'redis'] as const;
const LABEL: Record<string, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
  redis: 'Redis (AOF always)',
  'sdk-in-memory': "control: SDK's InMemoryTaskStore",
};

function read(name: string): Figures | undefined {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Figures) : undefined;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const get = (figures: Figures, path: string): number => {
  let value: unknown = figures;
  for (const key of path.split('.')) value = (value as Record<string, unknown>)?.[key];
  return typeof value === 'number' ? value : Number.NaN;
};

const sections: string[] = [];
const times: string[] = [];
const note = (figures: Figures) => figures.finishedAt && times.push(figures.finishedAt);

const crashRows = ADAPTERS.flatMap((kind) => {
  const f = read(`crash-${kind}`);
  if (!f) return [];
  note(f);
  return [
    [
      LABEL[kind]!,
      kind === 'sqlite' ? `${get(f, 'rounds')} (writer process)` : `${get(f, 'rounds')} (server)`,
      get(f, 'acknowledged'),
      `${get(f, 'byKind.task.acknowledged')} / ${get(f, 'byKind.cas.acknowledged')} / ${get(f, 'byKind.push.acknowledged')}`,
      get(f, 'found'),
      get(f, 'lost'),
    ],
  ];
});
sections.push(
  table(
    ['adapter', 'SIGKILLs', 'writes acknowledged', 'saves / CAS / push configs', 'found', 'lost'],
    crashRows,
  ),
);

const outageRows = ADAPTERS.flatMap((kind) => {
  const f = read(`crash-${kind}`);
  if (!f || kind === 'sqlite') return [];
  return [
    [
      LABEL[kind]!,
      get(f, 'outage.calls'),
      get(f, 'outage.typed'),
      get(f, 'outage.hung'),
      get(f, 'outage.maxCallMs'),
      `${get(f, 'writesFailed')} (${(f.untypedFailures as unknown[]).length} untyped)`,
      get(f, 'maxRecoveryMs'),
    ],
  ];
});
sections.push(
  table(
    [
      'adapter',
      'store calls while down',
      'StoreUnavailableError',
      'hung',
      'slowest call (ms)',
      'load writes failed',
      'store serving again after restart (ms)',
    ],
    outageRows,
  ),
);

const agentRows = ADAPTERS.flatMap((kind) => {
  const f = read(`outage-agent-${kind}`);
  if (!f) return [];
  note(f);
  const errors = f.jsonRpcErrors as { method: string; code: number }[];
  return [
    [
      LABEL[kind]!,
      errors.map((e) => `${e.method} ${e.code}`).join(', '),
      get(f, 'restStatus'),
      get(f, 'maxCallMs'),
      get(f, 'recoveredMsAfterRestart'),
      f.sameProcess ? 'yes' : 'no',
    ],
  ];
});
sections.push(
  table(
    [
      'agent store',
      'JSON-RPC answers while down',
      'REST GetTask',
      'slowest (ms)',
      'serving again after restart (ms)',
      'same process',
    ],
    agentRows,
  ),
);

const raceRows = [...ADAPTERS, 'sdk-in-memory'].flatMap((kind) => {
  const f = read(`races-handler-${kind}`);
  if (!f) return [];
  note(f);
  return [
    [
      LABEL[kind]!,
      get(f, 'rounds'),
      `${get(f, 'finalCanceled')} / ${get(f, 'finalCompleted')} / ${get(f, 'finalNotTerminal')}`,
      `${get(f, 'cancelAccepted')} / ${get(f, 'cancelRefused')}`,
      `${get(f, 'followUpsAccepted')} / ${get(f, 'followUpsRefused')} / ${get(f, 'followUpsWithoutResult')}`,
      get(f, 'staleWritesDropped'),
      get(f, 'observations'),
      get(f, 'roundsWithRegression'),
      get(f, 'cancelReplyMismatches'),
    ],
  ];
});
sections.push(
  table(
    [
      'store',
      'rounds',
      'final canceled / completed / other',
      'cancel accepted / refused',
      'follow-up accepted / refused / no result',
      'stale saves dropped',
      'store reads',
      'rounds regressed',
      'cancel reply ≠ store',
    ],
    raceRows,
  ),
);

const casRows = ADAPTERS.flatMap((kind) => {
  const f = read(`races-cas-${kind}`);
  if (!f) return [];
  note(f);
  return [
    [
      LABEL[kind]!,
      `${get(f, 'tasks')} x ${get(f, 'incrementers') / get(f, 'tasks')}`,
      get(f, 'successfulCas'),
      get(f, 'conflicts'),
      get(f, 'finalCounterSum'),
      get(f, 'lostIncrements'),
    ],
  ];
});
sections.push(
  table(
    [
      'adapter',
      'tasks x incrementers',
      'successful CAS',
      'conflicts (retried)',
      'final counters (sum)',
      'lost',
    ],
    casRows,
  ),
);

times.sort();
console.log(`Run finished between ${times[0] ?? '?'} and ${times.at(-1) ?? '?'}.\n`);
console.log(sections.join('\n\n'));
