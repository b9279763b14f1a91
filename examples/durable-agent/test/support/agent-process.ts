import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@a2a-stores/test-backends';

const EXAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STARTUP_TIMEOUT_MS = 45_000;

/** A durable agent running as a real child process (`node --import tsx src/main.ts`). */
export interface AgentProcess {
  readonly baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How a run of the agent is configured; the port is picked free for each start. */
export interface AgentEnv {
  readonly storeUrl: string;
  readonly stepMs: number;
  /**
   * Development mode (`A2A_AGENT_DEV`): loopback webhooks accepted. Always set explicitly, so
   * neither the test runner's `NODE_ENV` nor the caller's shell decides it.
   */
  readonly devMode: boolean;
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Starts the agent and resolves once its agent card answers. If the process exits first, the
 * promise rejects with its output, so a startup failure (e.g. an adapter that cannot be loaded)
 * reads as such instead of as a timeout.
 */
export async function startAgent(env: AgentEnv): Promise<AgentProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      A2A_PUBLIC_URL: '',
      A2A_STORE_URL: env.storeUrl,
      A2A_AGENT_STEP_MS: String(env.stepMs),
      A2A_AGENT_STEPS: '3',
      A2A_AGENT_USERS: '',
      A2A_AGENT_LOG_LEVEL: 'debug',
      A2A_AGENT_DEV: env.devMode ? '1' : '0',
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const ready = waitFor(
    `the agent card at ${baseUrl}`,
    async () => (await fetch(`${baseUrl}/.well-known/agent-card.json`)).ok,
    STARTUP_TIMEOUT_MS,
  );
  const died = exited.then(({ code, signal }) => {
    throw new Error(`the agent exited during startup (code ${code}, signal ${signal}):\n${output}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    killQuietly(child);
    throw error;
  }
  died.catch(() => {});

  return {
    baseUrl,
    output: () => output,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function killQuietly(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
