import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendName, BenchOptions } from './options.js';
import { runStreams, type StreamParticipant } from './stream.js';
import type { StreamResult } from './stream-stats.js';
import type { SubjectRole } from './subject.js';
import { BenchCheckError } from './verify.js';

/** What the parent asks a stream child (stream-child.ts), one request at a time. */
export type ChildRequest =
  | { readonly type: 'start'; readonly variant: string; readonly partChars: number }
  | { readonly type: 'event'; readonly index: number }
  | { readonly type: 'finish' }
  | { readonly type: 'close' };

/** What a stream child answers; bigints travel as decimal strings. */
export type ChildReply =
  | {
      readonly type: 'ready';
      readonly name: string;
      readonly role: SubjectRole;
      readonly count: number;
      readonly settings: string;
      readonly notes?: readonly string[];
    }
  | { readonly type: 'event'; readonly load: string; readonly save: string }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };

const CHILD = fileURLToPath(new URL('./stream-child.ts', import.meta.url));
/** The child runs TypeScript as the bench does, whether the parent runs under tsx or vitest. */
const CHILD_EXEC_ARGV = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
];

/** A child process running one subject, and the one request it may have in flight. */
class StreamChild {
  #waiting: { resolve(reply: ChildReply): void; reject(error: Error): void } | undefined;
  #exited: Error | undefined;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ChildReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.resolve(reply);
    });
    child.on('exit', (code, signal) => {
      this.#exited = new Error(`stream child exited (code ${code}, signal ${signal})`);
      this.#waiting?.reject(this.#exited);
      this.#waiting = undefined;
    });
  }

  /** The next reply: the ready message at start, else the answer to `request`. */
  next(request?: ChildRequest): Promise<ChildReply> {
    if (this.#exited) return Promise.reject(this.#exited);
    const reply = new Promise<ChildReply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
    if (request) this.child.send(request);
    return reply;
  }

  kill(): void {
    if (!this.#exited) this.child.kill('SIGKILL');
  }
}

function participantOf(child: StreamChild, name: string, role: SubjectRole): StreamParticipant {
  const ask = async (request: ChildRequest): Promise<ChildReply> => {
    const reply = await child.next(request);
    if (reply.type === 'error')
      throw new BenchCheckError(name, reply.message.replace(`${name}: `, ''));
    return reply;
  };
  return {
    name,
    role,
    start: async (variant, partChars) => void (await ask({ type: 'start', variant, partChars })),
    event: async (index) => {
      const reply = await ask({ type: 'event', index });
      if (reply.type !== 'event') throw new Error(`${name}: unexpected ${reply.type} reply`);
      return { load: BigInt(reply.load), save: BigInt(reply.save) };
    },
    finish: async () => void (await ask({ type: 'finish' })),
  };
}

/**
 * Every streaming subject of `backend`, each in a process of its own, so each pays for the
 * garbage its own calls make and for no other's: in one process, a subject's save is charged
 * with the collections the other subjects' megabyte-sized loads make necessary (measured: the
 * same adapter's late saves cost 1.0 ms alone and 2.9 ms next to three 1 MB task copies per
 * event). The processes still share the machine, the server and its caches, and the parent
 * still interleaves them op by op. Children start one after another (each sets up its
 * backend's subjects on a fresh database or file of its own).
 */
export async function isolatedParticipants(backend: BackendName | 'memory'): Promise<{
  participants: StreamParticipant[];
  settings: string;
  notes?: readonly string[];
  close(): Promise<void>;
}> {
  let settings = '';
  let notes: readonly string[] | undefined;
  const children: StreamChild[] = [];
  const participants: StreamParticipant[] = [];
  const close = async () => {
    for (const child of children) {
      await child.next({ type: 'close' }).catch(() => undefined);
      child.kill();
    }
  };
  try {
    for (let index = 0, count = 1; index < count; index++) {
      const child = new StreamChild(
        fork(CHILD, [backend, String(index)], {
          execArgv: CHILD_EXEC_ARGV,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
      children.push(child);
      const ready = await child.next();
      if (ready.type !== 'ready')
        throw new Error(`stream child ${index}: ${JSON.stringify(ready)}`);
      count = ready.count;
      settings = ready.settings;
      notes = ready.notes;
      participants.push(participantOf(child, ready.name, ready.role));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { participants, settings, ...(notes ? { notes } : {}), close };
}

/** Both streams on `backend`, every subject in a process of its own (see above). */
export async function runIsolatedStreams(
  backend: BackendName | 'memory',
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<{ stream: StreamResult[]; settings: string; notes?: readonly string[] }> {
  const { participants, settings, notes, close } = await isolatedParticipants(backend);
  try {
    const stream = await runStreams(participants, options, progress);
    return { stream, settings, ...(notes ? { notes } : {}) };
  } finally {
    await close();
  }
}
