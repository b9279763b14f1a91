/**
 * One subject's side of an isolated stream (see stream-process.ts), run as a child process:
 * `stream-child.ts <backend> <index>` sets up the backend's subjects, takes the `index`-th of
 * those that stream, and answers the parent's requests one at a time over IPC.
 */
import type { BackendName } from './options.js';
import { inProcess, streams } from './stream.js';
import type { ChildReply, ChildRequest } from './stream-process.js';
import type { StreamVariant } from './stream-stats.js';
import { subjectsOf } from './subjects/of-backend.js';

function send(reply: ChildReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  const [backend, indexText] = process.argv.slice(2);
  const { subjects, settings, notes, cleanup } = await subjectsOf(
    backend as BackendName | 'memory',
  );
  const streaming = subjects.filter(streams);
  const subject = streaming[Number(indexText)];
  if (!subject) throw new Error(`no streaming subject ${indexText} on ${backend}`);
  const participant = inProcess(subject);
  const close = async () => {
    for (const each of subjects) await each.close();
    await cleanup?.();
  };
  const handle = async (request: ChildRequest): Promise<ChildReply> => {
    switch (request.type) {
      case 'start':
        await participant.start(request.variant as StreamVariant, request.partChars);
        return { type: 'done' };
      case 'event': {
        const { load, save } = await participant.event(request.index);
        return { type: 'event', load: String(load), save: String(save) };
      }
      case 'finish':
        await participant.finish();
        return { type: 'done' };
      case 'close':
        await close();
        return { type: 'done' };
    }
  };
  process.on('message', (request: ChildRequest) => {
    handle(request).then(send, (error: unknown) =>
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({
    type: 'ready',
    name: subject.name,
    role: subject.role,
    count: streaming.length,
    settings,
    ...(notes ? { notes } : {}),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
