import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { freePort, waitFor } from '@a2a-stores/test-backends';

/** The durable agent's folder, found through the workspace dependency. */
const AGENT_DIR = dirname(createRequire(import.meta.url).resolve('durable-agent/package.json'));
const STARTUP_TIMEOUT_MS = 60_000;

/** The bearer credential of the user the checks call as. */
export const AGENT_USER = 'alice:alice-secret';

/** The durable agent (`examples/durable-agent`) as a real child process. */
export interface AgentProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** True while the process has not exited. */
  readonly alive: boolean;
  /** Everything it wrote to stdout and stderr, for failure messages. */
  output(): string;
  /** SIGTERM, then resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the agent as `pnpm start` does (`node --import tsx src/main.ts`) on a free loopback
 * port with `A2A_STORE_URL` = `storeUrl`, and resolves once its agent card answers. A process
 * that exits during startup rejects with its output.
 */
export async function startAgent(storeUrl: string): Promise<AgentProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: AGENT_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      A2A_PUBLIC_URL: '',
      A2A_STORE_URL: storeUrl,
      A2A_AGENT_USERS: AGENT_USER,
      A2A_AGENT_STEP_MS: '20',
      A2A_AGENT_STEPS: '2',
      A2A_AGENT_LOG_LEVEL: 'warn',
      A2A_AGENT_DEV: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const died = exited.then(() => {
    throw new Error(`the agent exited during startup:\n${output}`);
  });
  died.catch(() => {});
  try {
    await Promise.race([
      waitFor(
        `the agent card at ${baseUrl}`,
        async () => (await fetch(`${baseUrl}/.well-known/agent-card.json`)).ok,
        STARTUP_TIMEOUT_MS,
      ),
      died,
    ]);
  } catch (error) {
    if (alive()) child.kill('SIGKILL');
    throw error;
  }
  return {
    baseUrl,
    pid: child.pid!,
    get alive() {
      return alive();
    },
    output: () => output,
    stop: async () => {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}
