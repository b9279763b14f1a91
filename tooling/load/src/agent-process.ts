import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@a2a-stores/test-backends';

const AGENT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'durable-agent',
);
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const KEPT_LINES = 200;

/** How the agent under load is configured. */
export interface AgentSettings {
  readonly storeUrl: string;
  readonly stepMs: number;
  readonly steps: number;
  /** More agent settings, e.g. the cluster's `A2A_AGENT_LEASE_MS`. */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** What the agent wrote to its log at warn or error level, grouped by message. */
export interface AgentLogSummary {
  readonly errorLines: number;
  readonly warnLines: number;
  /** `level: message` (details stripped) → count. */
  readonly byMessage: Readonly<Record<string, number>>;
}

/** The durable agent running as a child process. */
export interface LoadedAgent {
  readonly baseUrl: string;
  readonly pid: number;
  log(): AgentLogSummary;
  /** The last lines of its output, for failure messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the agent exactly as its end-to-end tests do (`node --import tsx src/main.ts` in
 * examples/durable-agent, on a free loopback port) and resolves once its card answers. Logs at
 * warn level: the load counts every warning and error line, and debug lines at thousands of
 * requests per second would cost the agent more than the traffic itself.
 */
export async function startLoadedAgent(settings: AgentSettings): Promise<LoadedAgent> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    A2A_PUBLIC_URL: '',
    A2A_STORE_URL: settings.storeUrl,
    A2A_AGENT_STEP_MS: String(settings.stepMs),
    A2A_AGENT_STEPS: String(settings.steps),
    A2A_AGENT_USERS: 'alice:alice-secret,bob:bob-secret',
    A2A_AGENT_LOG_LEVEL: 'warn',
    // Development mode, so webhooks on the driver's loopback receiver are accepted.
    A2A_AGENT_DEV: '1',
    ...settings.extraEnv,
  };
  delete env.A2A_PASSPORT_JWKS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: AGENT_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const byMessage: Record<string, number> = {};
  let errorLines = 0;
  let warnLines = 0;
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      const match = /^\[durable-agent\] (error|warn): ([^{]*)/.exec(line);
      if (!match) continue;
      if (match[1] === 'error') errorLines++;
      else warnLines++;
      const key = `${match[1]}: ${match[2]!.trim()}`;
      byMessage[key] = (byMessage[key] ?? 0) + 1;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const tail = () => [...lines, partial].join('\n');

  const ready = waitFor(
    `the agent card at ${baseUrl}`,
    async () => (await fetch(`${baseUrl}/.well-known/agent-card.json`)).ok,
    STARTUP_TIMEOUT_MS,
  );
  const died = exited.then(({ code, signal }) => {
    throw new Error(`the agent exited during startup (code ${code}, signal ${signal}):\n${tail()}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  }
  died.catch(() => {});
  if (child.pid === undefined) throw new Error('the agent process has no pid');

  return {
    baseUrl,
    pid: child.pid,
    log: () => ({ errorLines, warnLines, byMessage: { ...byMessage } }),
    tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
